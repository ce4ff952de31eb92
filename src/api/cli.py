"""The ``journey`` command line. Every command has --help; errors are one sentence on stderr
with exit status 2, never a traceback."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text
from sqlalchemy import select

from api.auth import ROLES, TokenStore
from api.compose import Services, build_services
from api.import_rows import Layout
from api.settings import NO_STUDY_SECRET, Settings
from journey.catalogue import install_catalogue
from journey.data_keys import generate_key
from journey.demo import demo_participant_id
from journey.digest import DigestStatement, SigningKey, check_digest, make_digest
from journey.errors import AlreadyExists, DomainError
from journey.moderation_pack import pack_csv
from journey.verification import verify as verify_log
from projections.action_plans import read_action_plans
from projections.database import reclaim
from projections.funnel_report import GroupBy, funnel_report
from projections.moderation import read_queue
from projections.outcome_report import outcome_counts, read_timeline
from projections.register import enrolment_table as register_enrolment
from projections.register import read_register
from projections.runner import UnknownProjectionError
from projections.staff_costs import cost_per_learner
from projections.staff_evaluations import evaluation_summary, outcome_summary
from projections.staff_reach import workforce_reach
from projections.trainer_activity import expenses_outstanding, trainer_activity

__all__ = ["app", "main"]

app = typer.Typer(
    help="journey-ledger: an event-sourced record of participant journeys.",
    no_args_is_help=True,
    add_completion=False,
)
projections_app = typer.Typer(help="Read models: status, rebuild, follow.", no_args_is_help=True)
report_app = typer.Typer(help="Print the read models as JSON.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens: create, revoke, list.", no_args_is_help=True)
export_app = typer.Typer(help="Write data out of the ledger for others.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys.", no_args_is_help=True)
retention_app = typer.Typer(
    help="Forget participants whose programmes' retention period has passed.",
    no_args_is_help=True,
)
app.add_typer(keys_app, name="keys")
app.add_typer(retention_app, name="retention")
app.add_typer(export_app, name="export")
app.add_typer(projections_app, name="projections")
app.add_typer(report_app, name="report")
app.add_typer(tokens_app, name="tokens")

out = Console()
err = Console(stderr=True)


class Grouping(StrEnum):
    cohort = "cohort"
    programme = "programme"
    year = "year"


def fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@contextmanager
def services() -> Iterator[Services]:
    """The configured ledger and read models; domain errors become a one-line message."""
    try:
        built = build_services(Settings())
    except Exception as exc:  # a store that cannot be opened: say so, no traceback
        raise fail(f"cannot open the ledger: {type(exc).__name__}: {exc}") from None
    try:
        yield built
    except (DomainError, UnknownProjectionError) as exc:
        raise fail(str(exc)) from None
    finally:
        built.close()


class _RateColumn(ProgressColumn):
    """How many units a second (rich measures the speed over the last half minute)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} {self.unit}/s")


@contextmanager
def progress_bar(
    description: str, *, rate: str | None = None
) -> Iterator[Callable[[int, int], None]]:
    columns: tuple[ProgressColumn, ...] = (
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    if rate is not None:
        columns = (*columns, _RateColumn(rate))
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _json(value: Any) -> None:
    def default(obj: Any) -> Any:
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return dataclasses.asdict(obj)
        if isinstance(obj, date):
            return obj.isoformat()
        return str(obj)

    sys.stdout.write(json.dumps(value, default=default, indent=2) + "\n")


@app.command()
def init() -> None:
    """Create the ledger and its read models, and define the shipped programmes."""
    with services() as s:
        installed = install_catalogue(s.ledger, actor="journey-init")
        s.runner.catch_up()
        out.print(
            f"Ledger ready at {s.settings.store_url}; programmes defined: "
            f"{', '.join(installed) or 'none new'}"
        )


@app.command()
def serve(
    demo: Annotated[
        bool, typer.Option("--demo", help="Load the demo scenario first (into an empty ledger).")
    ] = False,
    host: Annotated[str | None, typer.Option(help="Address (default JOURNEY_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default JOURNEY_PORT).")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes (each follows the read models; see docs/operations.md).",
        ),
    ] = 1,
) -> None:
    """Start the HTTP API and the staff web pages (/ui), with the read models followed
    in-process."""
    import uvicorn

    from api.app import create_app
    from api.http_protocol import NoDelayH11Protocol
    from api.workers import REUSE_PORT, serve_workers

    # A file-size limit (`ulimit -f`, a quota) would otherwise kill the server with SIGXFSZ
    # mid-write; ignored, the write fails (EFBIG), the transaction rolls back and the client
    # gets 503 with Retry-After, as on a full disk.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    with services() as s:
        install_catalogue(s.ledger, actor="journey-serve")
        if demo:
            _load_demo(s, None, 2013)
            tokens = TokenStore(s.engine)
            tokens.setup()
            err.print("Demo tokens (shown once; revoke with `journey tokens revoke ID`):")
            for role in ROLES:
                issued = tokens.create(role=role, subject=f"demo-{role}")
                err.print(f"  {role:<10} {issued.token}")
        bind_host, bind_port = host or s.settings.host, port or s.settings.port
        if workers == 1:
            api = create_app(services=s, clock=s.clock, freeze_heap=True)
            uvicorn.run(
                api,
                host=bind_host,
                port=bind_port,
                http=NoDelayH11Protocol,
                log_level="warning",
                access_log=False,
            )
            return
    # Several processes: each worker opens the ledger itself (create_app's lifespan); the read
    # models are followed by one process of their own, not by every worker (followers in
    # several processes would contend for the database's write lock on every event).
    follower = subprocess.Popen([sys.executable, "-m", "api.cli", "projections", "run"])
    os.environ["JOURNEY_FOLLOW"] = "false"
    status = 0
    try:
        if REUSE_PORT:  # a listening socket per worker (api/workers.py)
            try:
                status = serve_workers(bind_host, bind_port, workers)
            except OSError as refused:  # the address is taken or not ours
                err.print(f"Cannot listen on {bind_host}:{bind_port}: {refused.strerror}")
                status = 1
        else:
            uvicorn.run(
                "api.app:create_app",
                factory=True,
                workers=workers,
                host=bind_host,
                port=bind_port,
                http=NoDelayH11Protocol,
                log_level="warning",
                access_log=False,
            )
    finally:
        follower.terminate()
        follower.wait(timeout=30)
    if status:
        raise typer.Exit(status)


def _load_demo(s: Services, scenario_day: date | None, seed: int) -> None:
    """Load both demo scenarios (participants, then staff training) that are not loaded yet."""
    from journey.demo import load_demo
    from journey.demo_staff import load_staff_demo

    day = scenario_day or s.clock()
    if s.ledger.recorder.max_notification_id() and s.ledger.participant_exists(
        demo_participant_id(0)
    ):
        err.print("The demo is already loaded.")
    else:
        with progress_bar("participants") as update:
            summary = load_demo(s.ledger, today=day, seed=seed, progress=update)
        cohorts = len(summary.completed_cohorts) + len(summary.current_cohorts)
        err.print(f"Demo loaded: {len(summary.participant_ids)} participants in {cohorts} cohorts.")
    try:
        staff = load_staff_demo(s.ledger, today=day, seed=seed)
    except AlreadyExists:
        err.print("The staff-training demo is already loaded.")
    else:
        err.print(
            f"Staff-training demo loaded: {len(staff.sessions)} sessions, "
            f"{staff.staff_learners} staff and {staff.service_user_learners} service users."
        )
    with progress_bar("read models") as update:
        s.runner.catch_up(progress=update)


@tokens_app.command("create")
def tokens_create(
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    subject: Annotated[str, typer.Option(help="Who the token acts as (recorded on events).")],
) -> None:
    """Create a token and print it (it is shown once; only its hash is kept)."""
    if role not in ROLES:
        raise fail(f"--role must be one of {', '.join(ROLES)}, not {role!r}")
    with services() as s:
        store = TokenStore(s.engine)
        store.setup()
        try:
            issued = store.create(role=role, subject=subject)
        except ValueError as exc:
            raise fail(str(exc)) from None
        err.print(f"Token {issued.token_id} for {issued.subject} ({issued.role}):")
        sys.stdout.write(issued.token + "\n")


@tokens_app.command("revoke")
def tokens_revoke(
    token: Annotated[str, typer.Argument(help="The token, or its id from `tokens list`.")],
) -> None:
    """Revoke a token: it stops working at once."""
    with services() as s:
        store = TokenStore(s.engine)
        store.setup()
        if not store.revoke(token):
            raise fail("no live token matches")
        out.print("Revoked.")


@tokens_app.command("list")
def tokens_list() -> None:
    """Every token's id, subject, role and state (never the token itself)."""
    with services() as s:
        store = TokenStore(s.engine)
        store.setup()
        table = Table("id", "subject", "role", "created", "revoked")
        for token_id, subject, role, created, revoked in store.list():
            table.add_row(
                token_id,
                Text(subject),
                role,
                f"{created:%Y-%m-%d %H:%M}",
                f"{revoked:%Y-%m-%d %H:%M}" if revoked else "",
            )
        out.print(table)


@app.command("import")
def import_records(
    file: Annotated[
        Path, typer.Argument(help="A .csv (UTF-8) or .xlsx file in a layout of docs/import.md.")
    ],
    layout: Annotated[
        Layout,
        typer.Option(
            help="events (a row per event), participants (a row per participant), cohorts "
            "(a row per past cohort, to import first), or auto: told by the header."
        ),
    ] = Layout.auto,
    organisation: Annotated[
        str,
        typer.Option(
            help="Whose records these are: the file's participant_ref values are "
            "unique within it. Import the same organisation's files under the same name."
        ),
    ] = "local",
    actor: Annotated[
        str, typer.Option(help="Recorded as who recorded each event whose row names no 'by'.")
    ] = "journey-import",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row against the rules; write nothing.")
    ] = False,
) -> None:
    """Import past participants' journeys from a spreadsheet, through the same rules as the
    API, with their original dates. Bad rows are listed (line, column, reason); a participant
    with a bad row is not imported at all; re-running a file imports nothing twice. Exit
    status 1 if any row was rejected."""
    from api.import_rows import chosen_layout, read_cohorts, read_rows, read_table
    from api.importing import Importer

    try:
        table = read_table(file)
    except (OSError, ValueError, KeyError) as exc:  # missing, unreadable, not a spreadsheet
        raise fail(f"cannot read {file.name}: {type(exc).__name__}: {exc}") from None
    cohorts = chosen_layout(table, layout) is Layout.cohorts
    rows, problems = read_rows(table, layout) if not cohorts else ([], [])
    cohort_rows, cohort_problems = read_cohorts(table) if cohorts else ([], [])
    if any(p.line == 1 for p in (*problems, *cohort_problems)):
        _print_problems([*problems, *cohort_problems])
        raise fail(f"{file.name}: the header is not one of the documented layouts")
    with services() as s:
        importer = Importer(
            s.ledger, organisation=organisation, actor=actor, today=s.clock(), dry_run=dry_run
        )
        if cohorts:
            report = importer.run_cohorts(cohort_rows)
        else:
            with progress_bar("rows", rate="rows") as update:
                report = importer.run(rows, problems, progress=update)
        if not dry_run and report.events:
            with progress_bar("read models") as update:
                s.runner.catch_up(progress=update)
    _print_problems(report.problems)
    verb = "would import" if dry_run else "imported"
    what = "cohorts" if cohorts else "participants"
    out.print(
        f"{report.rows:,} rows, {report.participants:,} {what}: {verb} "
        f"{report.imported:,} ({report.events:,} events); already in the ledger "
        f"{report.already_present:,}; rejected {report.rejected:,}.",
        highlight=False,
    )
    if report.rejected:
        raise typer.Exit(code=1)


def _print_problems(problems: list[Any]) -> None:
    if not problems:
        return
    table = Table("line", "column", "reason", title="Rows not imported", title_justify="left")
    for problem in problems:
        table.add_row(str(problem.line), problem.column, problem.reason)
    err.print(table)


@app.command()
def demo(
    today: Annotated[
        str | None, typer.Option(help="Scenario date (YYYY-MM-DD); default today.")
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same data.")
    ] = 2013,
) -> None:
    """Load the demo scenarios (once): Voices Together participants, then staff training."""
    scenario_day = _parse_date("--today", today) if today else None
    with services() as s:
        _load_demo(s, scenario_day, seed)


@app.command()
def replay(
    participant: Annotated[str, typer.Argument(help="Participant id.")],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Recorded time (ISO 8601, UTC if no offset): as known then."),
    ] = None,
) -> None:
    """Print a journey event by event: what happened when, who recorded it and when."""
    try:
        pid = UUID(participant)
    except ValueError:
        raise fail(f"{participant!r} is not a participant id") from None
    moment = _parse_moment("--as-of", as_of) if as_of else None
    with services() as s:
        entries = s.ledger.history(pid, as_of=moment)
        table = Table("v", "event", "happened", "recorded at", "by", "what", title=str(pid))
        for e in entries:
            fields = ", ".join(f"{k}={v}" for k, v in e.fields.items() if v is not None)
            table.add_row(  # recorded text as it is: "[erased]" is not console markup
                str(e.version),
                e.type,
                e.occurred_on.isoformat() if e.occurred_on else "",
                f"{e.recorded_at:%Y-%m-%d %H:%M:%S}",
                Text(e.recorded_by),
                Text(fields),
            )
        out.print(table)


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new random encryption key (32 bytes, base64) for JOURNEY_ENCRYPTION_KEY.

    It encrypts stored events at rest and wraps every participant's data key: keep it in a
    secret store, never beside the database; without it nothing stored can be read."""
    out.print(generate_key(), highlight=False)


@app.command()
def forget(
    participant: Annotated[str, typer.Argument(help="Participant id.")],
    reason: Annotated[
        str,
        typer.Option(
            "--reason", help="Why (a reference such as a ticket number; no personal data)."
        ),
    ],
    actor: Annotated[str, typer.Option("--actor", help="Who is forgetting them.")] = "operator",
) -> None:
    """Forget a participant: destroy their data key, so that their personal fields read as
    erased everywhere, for good; dates, attendance, results and categories stay. Recorded as
    a ParticipantForgotten event; the read models are brought up to date at once."""
    try:
        pid = UUID(participant)
    except ValueError:
        raise fail(f"{participant!r} is not a participant id") from None
    with services() as s:
        recorded = s.ledger.forget(participant_id=pid, reason=reason, actor=actor)
        s.runner.catch_up()
        reclaim(s.engine)
        out.print(f"Forgotten: {pid} (version {recorded.version}).")


@retention_app.command("apply")
def retention_apply(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List who is due; forget nobody.")
    ] = False,
) -> None:
    """Forget every participant whose personal fields have been kept as long as all their
    programmes allow (``retention_months`` on a programme; none set: kept without limit),
    counted from their last recorded event."""
    with services() as s:
        s.runner.catch_up()
        with s.engine.connect() as conn:
            ids = [
                UUID(row[0])
                for row in conn.execute(select(register_enrolment.c.participant_id).distinct())
            ]
        due = s.ledger.retention_due(ids)
        table = Table("participant", "last recorded", "kept for (months)", "due since")
        for d in due:
            table.add_row(
                str(d.participant_id),
                f"{d.last_recorded_at:%Y-%m-%d}",
                str(d.keep_months),
                d.due_on.isoformat(),
            )
        out.print(table)
        if dry_run:
            out.print(f"{len(due)} of {len(ids)} participants are due; dry run: none forgotten.")
            return
        with progress_bar("forgetting") as update:
            for number, d in enumerate(due, start=1):
                s.ledger.forget(
                    participant_id=d.participant_id,
                    reason=f"retention: kept {d.keep_months} months after the last event",
                    actor="retention",
                )
                update(number, len(due))
        s.runner.catch_up()
        reclaim(s.engine)
        out.print(f"Forgot {len(due)} of {len(ids)} participants.")


def _parse_moment(option: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise fail(
            f"{option} must be an ISO 8601 time, e.g. 2024-06-01T17:00, not {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command("moderation-pack")
def moderation_pack_command(
    cohort: Annotated[str, typer.Argument(help="Cohort id.")],
    out_file: Annotated[Path, typer.Option("--out", help="File to write (.csv or .json).")],
) -> None:
    """Write a cohort's moderation pack: every submission, both marks, moderation, result."""
    from api.routes_courses import moderation_pack

    with services() as s:
        rows = moderation_pack(s, cohort)
        if out_file.suffix.lower() == ".csv":
            out_file.write_text(pack_csv(rows), encoding="utf-8")
        else:
            out_file.write_text(
                json.dumps([dataclasses.asdict(r) for r in rows], indent=2, default=str) + "\n",
                encoding="utf-8",
            )
        out.print(f"Wrote {len(rows)} submissions of {cohort} to {out_file}")


@app.command()
def verify(
    digest: Annotated[
        typer.FileText | None,
        typer.Option(help="A statement from `journey digest`: prove the log still extends it."),
    ] = None,
) -> None:
    """Recompute every record's seal and the log's digest; name the first record that does
    not match (exit status 1 if any)."""
    with services() as s:
        log: Any = s.ledger.recorder
        with progress_bar("verify") as update:
            head = int(s.ledger.recorder.max_notification_id() or 0)
            if digest is None:
                result = verify_log(log, progress=lambda p: update(p, head))
                update(result.position, head)
                check = None
            else:
                statement = DigestStatement.from_json(digest.read())
                check = check_digest(log, statement, SigningKey(s.settings.signing_key_file))
                result = check.verification
        if result.problem is not None:
            err.print(f"[red]NOT VERIFIED[/red] after {result.checked} records: {result.problem}")
            raise typer.Exit(code=1)
        out.print(
            f"Verified {result.checked} records up to position {result.position}; "
            f"root {result.root.hex()}"
        )
        if check is not None:
            if not check.ok:
                reasons = [
                    name
                    for name, good in (
                        ("the signature is not valid", check.signature_valid),
                        (
                            "it was signed with another key than this ledger's",
                            check.signed_by_this_ledger,
                        ),
                        ("the log up to its position is not what it was", check.prefix_matches),
                    )
                    if not good
                ]
                err.print(f"[red]DIGEST NOT PROVEN[/red]: {'; '.join(reasons)}")
                raise typer.Exit(code=1)
            out.print(
                "The digest holds: the log up to its position is unchanged, "
                "and everything after it only extends it."
            )


@app.command()
def digest(
    out_file: Annotated[
        typer.FileTextWrite | None, typer.Option("--out", help="Write the statement here.")
    ] = None,
) -> None:
    """Verify the log and print a signed statement of its position and root hash."""
    with services() as s:
        log: Any = s.ledger.recorder
        statement, _ = make_digest(
            log,
            SigningKey(s.settings.signing_key_file),
            ledger=s.settings.store_url.split("?")[0].split("@")[-1],
        )
        (out_file or sys.stdout).write(statement.to_json())


@projections_app.command("status")
def projections_status() -> None:
    """Each projection's position in the log and how far behind it is."""
    with services() as s:
        table = Table("projection", "position", "head", "behind")
        for st in s.runner.status():
            table.add_row(st.name, str(st.position), str(st.head), str(st.behind))
        out.print(table)


@projections_app.command("rebuild")
def projections_rebuild(
    name: Annotated[str | None, typer.Argument(help="One projection; default all.")] = None,
) -> None:
    """Drop a read model (or all) and build it again from the whole event log."""
    with services() as s:
        if name is not None and name not in s.runner.names():
            raise fail(str(UnknownProjectionError(name, s.runner.names())))
        with progress_bar("rebuild") as update:
            read = s.runner.rebuild([name] if name else None, progress=update)
    out.print(f"Rebuilt {name or 'all projections'} from {read} events.")


@projections_app.command("run")
def projections_run(
    interval: Annotated[float, typer.Option(min=0.01, help="Seconds between polls.")] = 0.5,
) -> None:
    """Follow new events and keep every read model up to date, until interrupted."""
    with services() as s:
        err.print("Following the ledger; Ctrl-C to stop.")
        try:
            s.runner.run_forever(interval=interval)
        except KeyboardInterrupt:
            err.print("Stopped.")


@report_app.command("register")
def report_register(cohort: Annotated[str, typer.Argument(help="Cohort id.")]) -> None:
    """The attendance register of a cohort."""
    with services() as s:
        s.runner.catch_up()
        _json(read_register(s.engine, cohort))


@report_app.command("pass-rates")
def report_pass_rates(
    programme: Annotated[str | None, typer.Option(help="Programme id.")] = None,
    cohort: Annotated[str | None, typer.Option(help="Cohort id.")] = None,
    year: Annotated[int | None, typer.Option(help="Calendar year of enrolment.")] = None,
    group_by: Annotated[Grouping | None, typer.Option(help="One report per group.")] = None,
) -> None:
    """The accreditation funnel with its counts and rates."""
    grouping: GroupBy | None = None if group_by is None else group_by.value
    with services() as s:
        s.runner.catch_up()
        reports = funnel_report(
            s.engine, programme_id=programme, cohort_id=cohort, year=year, group_by=grouping
        )
        _json([{**dataclasses.asdict(r), "rates": r.rates()} for r in reports])


@report_app.command("outcomes")
def report_outcomes(
    programme: Annotated[str | None, typer.Option(help="Programme id.")] = None,
    cohort: Annotated[str | None, typer.Option(help="Cohort id.")] = None,
) -> None:
    """Outcome counts per category and per period after the course."""
    with services() as s:
        s.runner.catch_up()
        _json(outcome_counts(s.engine, programme_id=programme, cohort_id=cohort))


@report_app.command("moderation-queue")
def report_moderation_queue(
    today: Annotated[str | None, typer.Option(help="Count waiting days to this date.")] = None,
) -> None:
    """Every attempt waiting for a mark or a moderation, longest waiting first."""
    with services() as s:
        s.runner.catch_up()
        _json(read_queue(s.engine, today=_parse_date("--today", today) if today else s.clock()))


@report_app.command("timeline")
def report_timeline(participant: Annotated[str, typer.Argument(help="Participant id.")]) -> None:
    """A participant's outcomes, follow-ups, feedback and wellbeing, in order."""
    with services() as s:
        s.runner.catch_up()
        _json(read_timeline(s.engine, participant))


class PlanState(StrEnum):
    open = "open"
    closed = "closed"


@report_app.command("workforce-reach")
def report_workforce_reach(
    on: Annotated[str | None, typer.Option(help="Count up to this date (YYYY-MM-DD).")] = None,
) -> None:
    """Staff-training learners by role, region and team, and the share of workforce trained."""
    with services() as s:
        s.runner.catch_up()
        _json(workforce_reach(s.engine, on=_parse_date("--on", on) if on else None))


@report_app.command("evaluations")
def report_evaluations(
    session: Annotated[str | None, typer.Option(help="One staff training session.")] = None,
    by_outcome: Annotated[
        bool, typer.Option("--by-outcome", help="Per learning outcome, across sessions.")
    ] = False,
) -> None:
    """Evaluation summary per staff training session, or per learning outcome."""
    with services() as s:
        s.runner.catch_up()
        _json(
            outcome_summary(s.engine)
            if by_outcome
            else evaluation_summary(s.engine, session_id=session)
        )


@report_app.command("action-plans")
def report_action_plans(
    status: Annotated[PlanState | None, typer.Option(help="Only open or closed plans.")] = None,
    today: Annotated[str | None, typer.Option(help="Count ages to this date.")] = None,
) -> None:
    """Action plans by status and age, with their actions' progress."""
    with services() as s:
        s.runner.catch_up()
        day = _parse_date("--today", today) if today else s.clock()
        _json(
            read_action_plans(s.engine, today=day, status=None if status is None else status.value)
        )


@report_app.command("trainer-activity")
def report_trainer_activity() -> None:
    """Sessions delivered per trainer, and co-facilitation by former participants."""
    with services() as s:
        s.runner.catch_up()
        _json(trainer_activity(s.engine))


@report_app.command("expenses-outstanding")
def report_expenses_outstanding(
    today: Annotated[str | None, typer.Option(help="Count ages to this date.")] = None,
) -> None:
    """Trainers' expense claims not yet reimbursed or rejected, oldest first."""
    with services() as s:
        s.runner.catch_up()
        day = _parse_date("--today", today) if today else s.clock()
        _json(expenses_outstanding(s.engine, today=day))


@report_app.command("cost-per-learner")
def report_cost_per_learner() -> None:
    """Staff training costs (room, refreshments, trainers' expenses) per learner."""
    with services() as s:
        s.runner.catch_up()
        _json(cost_per_learner(s.engine))


def _parse_date(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} must be a date as YYYY-MM-DD, not {value!r}") from None


def _study_and_rule(s: Services, exact: bool) -> tuple[Any, Any]:
    from projections.suppression import RULE_SETS

    study = s.settings.study()
    if study is None:
        raise fail(NO_STUDY_SECRET)
    return study, RULE_SETS["exact"] if exact else s.settings.suppression_rule


@export_app.command("research")
def export_research(
    out_dir: Annotated[Path, typer.Option("--out", help="Directory to write the export into.")],
    programme: Annotated[str | None, typer.Option(help="Only this programme's enrolments.")] = None,
    cohort: Annotated[str | None, typer.Option(help="Only this cohort's enrolments.")] = None,
) -> None:
    """Write the pseudonymised longitudinal dataset (participants and timeline, as CSV and
    Parquet) and its data dictionary (README.md) for the study JOURNEY_RESEARCH_SECRET keys.
    Dates are shifted or coarsened as JOURNEY_RESEARCH_DATES says; rare equality-monitoring
    values are hidden by the JOURNEY_SUPPRESSION rule set."""
    from projections.research_dataset import read_dataset
    from projections.research_export import write_export
    from projections.research_scope import load_scope

    with services() as s:
        study, rule = _study_and_rule(s, exact=False)
        s.runner.catch_up()
        load_scope(s.engine, programme_id=programme, cohort_id=cohort)  # names an unknown one
        dataset = read_dataset(
            s.engine, study, rule=rule, scales=s.scales, programme_id=programme, cohort_id=cohort
        )
        written = write_export(dataset, out_dir, exported_on=s.clock())
    err.print(
        f"Study {dataset.study}: {len(dataset.participants)} enrolments, "
        f"{len(dataset.timeline)} timeline rows; dates: {dataset.dates}."
    )
    for path in written:
        out.print(str(path), highlight=False)


@report_app.command("plots")
def report_plots(
    cohort: Annotated[str, typer.Argument(help="Cohort id.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Directory to write the pictures into.")],
    exact: Annotated[
        bool,
        typer.Option(
            "--exact", help="Exact figures (internal use); default: the researchers' rule set."
        ),
    ] = False,
) -> None:
    """Draw a cohort's accreditation funnel, outcome timeline (one row per pseudonymous
    participant) and cumulative outcome curves, each as PNG and SVG."""
    from projections import research_plots as plots
    from projections.cohort_outcomes import outcome_curves
    from projections.equality_funnel import funnel_by_group
    from projections.research_scope import load_scope

    with services() as s:
        study, rule = _study_and_rule(s, exact)
        s.runner.catch_up()
        load_scope(s.engine, cohort_id=cohort)  # names an unknown cohort
        today = s.clock()
        figures = {
            "funnel": plots.funnel_plot(
                funnel_by_group(s.engine, rule=rule, cohort_id=cohort), scope=cohort
            ),
            "outcome-timeline": plots.timeline_plot(s.engine, study, cohort_id=cohort, today=today),
            "outcome-curves": plots.curves_plot(
                outcome_curves(s.engine, rule=rule, today=today, cohort_id=cohort), scope=cohort
            ),
        }
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, figure in figures.items():
            for fmt in ("png", "svg"):
                path = out_dir / f"{name}.{fmt}"
                path.write_bytes(plots.render(figure, fmt))
                out.print(str(path), highlight=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
