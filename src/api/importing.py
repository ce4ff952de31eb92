"""Bulk import of past journeys: event rows -> the ledger, through the same rules as the API.

Each participant's rows run, in file order, as the commands ``POST /participants`` and
``POST /participants/{id}/events`` would run (the same request bodies, the same command table
:mod:`api.commands`, every domain rule), on aggregates held in memory
(:meth:`journey.ledger_base.LedgerBase.staged`). A participant with any bad row is dropped
whole; the good ones are written together, about ``batch_events`` events per transaction, so
a participant is never half-imported and a crash loses at most the batch being written.

Re-running a file imports nothing twice: a participant's id is derived from the organisation
and the file's participant reference, and a participant already in the ledger is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.persistence import IntegrityError
from pydantic import TypeAdapter, ValidationError

from api.commands import record_event
from api.import_rows import CohortRow, EventRow, RowProblem
from api.schemas import CohortIn, EnrolIn, EventIn
from journey.application import JourneyLedger
from journey.errors import CohortNotFound, DomainError
from journey.gc_pause import gc_paused
from journey.ledger_base import Staging
from journey.state import PersonalDetails

__all__ = ["IMPORT_NAMESPACE", "ImportReport", "Importer", "imported_participant_id"]

# Fixed for ever: participant ids of imported records are derived under it.
IMPORT_NAMESPACE = UUID("5b0c1f64-2f7e-4a55-9d43-61a0e8e0c1a7")
_EVENT = TypeAdapter(EventIn)
_CORRECTIONS = frozenset({"EventRetracted", "EventAmended"})


def imported_participant_id(organisation: str, reference: str) -> UUID:
    """The ledger id of the participant the organisation's files call ``reference``."""
    return uuid5(IMPORT_NAMESPACE, f"{organisation}\x1f{reference}")


@dataclass
class ImportReport:
    rows: int = 0
    participants: int = 0
    imported: int = 0
    events: int = 0
    already_present: int = 0
    rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False


class _Rejected(Exception):
    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("rejected")
        self.problems = problems


class Importer:
    """Imports event rows into ``ledger`` as ``actor`` (recorded on every event whose row names
    no ``by``) for ``organisation`` (the namespace of the file's participant references)."""

    def __init__(
        self,
        ledger: JourneyLedger,
        *,
        organisation: str,
        actor: str,
        today: date,
        dry_run: bool = False,
        batch_events: int = 1000,
    ) -> None:
        self._ledger = ledger
        self._organisation = organisation
        self._actor = actor
        self._today = today
        self._dry_run = dry_run
        self._batch_events = batch_events

    def run(
        self,
        rows: Iterable[EventRow],
        problems: Iterable[RowProblem] = (),
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Import ``rows``; ``problems`` are those found reading the file (their participants
        are rejected whole). ``progress(done, total)`` is called in rows."""
        report = ImportReport(dry_run=self._dry_run)
        by_participant: dict[str, list[EventRow]] = {}
        for row in rows:
            by_participant.setdefault(row.participant, []).append(row)
        read_problems = list(problems)
        report.problems.extend(read_problems)
        refused = {p.participant for p in read_problems if p.participant}
        for ref in refused:
            by_participant.setdefault(ref, [])
        lines_of = {ref: {r.line for r in found} for ref, found in by_participant.items()}
        for problem in read_problems:
            if problem.participant:
                lines_of[problem.participant].add(problem.line)
        # Rows as the file counts them (a participants file's row holds many events).
        every_line = set().union(*lines_of.values(), (p.line for p in read_problems))
        report.rows = len(every_line)
        report.participants = len(by_participant)
        total = report.rows
        done = len(every_line - set().union(*lines_of.values()))
        staging = Staging()
        with gc_paused():  # millions of short-lived objects, no cycles (journey.gc_pause)
            for ref, journey in by_participant.items():
                done += len(lines_of[ref])
                if ref in refused:
                    report.rejected += 1
                else:
                    self._one(ref, journey, staging, report)
                if staging.pending_events() >= self._batch_events:
                    self._flush(staging, report)
                if progress is not None:
                    progress(done, total)
            self._flush(staging, report)
        if progress is not None:
            progress(total, total)
        report.problems.sort(key=lambda p: (p.line, p.column))
        return report

    def run_cohorts(self, rows: Iterable[CohortRow]) -> ImportReport:
        """Schedule the past cohorts of a cohorts file; cohorts already scheduled are skipped
        (so a re-run schedules nothing twice). Each is its own transaction."""
        report = ImportReport(dry_run=self._dry_run)
        for row in rows:
            report.rows += 1
            try:
                body = CohortIn.model_validate(row.fields)
            except ValidationError as invalid:
                columns = {name: name for name in row.fields}
                event_row = EventRow(row.line, "", "cohort", row.fields, columns, "cohort_id")
                report.problems.extend(_validation_problems(event_row, invalid))
                report.rejected += 1
                continue
            try:
                self._ledger.get_cohort(body.cohort_id)
            except CohortNotFound:
                pass
            else:
                report.already_present += 1
                continue
            try:
                if self._dry_run:
                    self._ledger.get_programme(body.programme_id)
                else:
                    self._ledger.schedule_cohort(
                        cohort_id=body.cohort_id,
                        programme_id=body.programme_id,
                        location=body.location,
                        session_dates=body.session_dates,
                        trainers=body.trainers,
                        actor=self._actor,
                    )
            except DomainError as broken:
                report.problems.append(RowProblem(row.line, "cohort_id", str(broken)))
                report.rejected += 1
                continue
            report.imported += 1
            report.events += 1
        report.participants = report.rows  # here: cohorts, a row each
        return report

    # -- one participant -------------------------------------------------------------------

    def _one(
        self, ref: str, journey: list[EventRow], staging: Staging, report: ImportReport
    ) -> None:
        pid = imported_participant_id(self._organisation, ref)
        if staging.held(pid) is not None or self._ledger.participant_exists(pid):
            report.already_present += 1
            return
        try:
            with self._ledger.staged(staging):
                for index, row in enumerate(journey):
                    self._apply(pid, row, first=index == 0)
        except _Rejected as rejected:
            staging.discard(pid)
            report.rejected += 1
            report.problems.extend(replace(p, participant=ref) for p in rejected.problems)
            return
        report.imported += 1

    def _apply(self, pid: UUID, row: EventRow, *, first: bool) -> None:
        actor = row.by or self._actor
        if first and row.kind != "Enrolled":
            raise _Rejected(
                [
                    RowProblem(
                        row.line,
                        row.event_column,
                        "a participant's first row must enrol "
                        "them (event Enrolled, with cohort_id, occurred_on and name)",
                    )
                ]
            )
        if row.kind in _CORRECTIONS:
            raise _Rejected(
                [
                    RowProblem(
                        row.line,
                        row.event_column,
                        "corrections are not imported: correct "
                        "the file, or correct the record through the API afterwards",
                    )
                ]
            )
        try:
            if first:
                body = _enrolment(row)
                self._ledger.enrol(
                    cohort_id=body.cohort_id,
                    enrolled_on=body.enrolled_on,
                    details=PersonalDetails(
                        **body.model_dump(exclude={"cohort_id", "enrolled_on"})
                    ),
                    actor=actor,
                    participant_id=pid,
                )
            else:
                event = _EVENT.validate_python({"type": row.kind, **_event_fields(row)})
                record_event(
                    self._ledger,
                    pid,
                    event,
                    actor=actor,
                    today=self._today,
                    expected_version=None,
                    request=None,
                )
        except ValidationError as invalid:
            raise _Rejected(_validation_problems(row, invalid)) from None
        except CohortNotFound as missing:
            column = row.columns.get("cohort_id", "cohort_id")
            raise _Rejected([RowProblem(row.line, column, str(missing))]) from None
        except DomainError as broken:
            raise _Rejected([RowProblem(row.line, row.event_column, str(broken))]) from None

    # -- writing ---------------------------------------------------------------------------

    def _flush(self, staging: Staging, report: ImportReport) -> None:
        """Write the held participants in one transaction (or, in a dry run, drop them)."""
        held = [a for a in staging.aggregates.values() if a.pending_events]
        if not held:
            return
        events = sum(len(a.pending_events) for a in held)
        if self._dry_run:
            report.events += events
            for aggregate in held:
                aggregate.collect_events()
        else:
            try:
                self._ledger.write(staging)
                report.events += events
            except IntegrityError:
                # Someone else recorded one of these participants meanwhile (a second import
                # of the same file): write the others one by one, skip the ones present.
                self._one_by_one(held, report)
        staging.aggregates.clear()

    def _one_by_one(self, held: list[Any], report: ImportReport) -> None:
        for aggregate in held:
            events = len(aggregate.pending_events)
            single = Staging()
            single.hold(aggregate)
            try:
                self._ledger.write(single)
                report.events += events
            except IntegrityError:
                report.imported -= 1
                report.already_present += 1


def _enrolment(row: EventRow) -> EnrolIn:
    data = {k: v for k, v in row.fields.items() if k != "occurred_on"}
    if "occurred_on" in row.fields:
        data["enrolled_on"] = row.fields["occurred_on"]
    allowed = EnrolIn.model_fields
    return EnrolIn.model_validate({k: v for k, v in data.items() if k in allowed})


def _event_fields(row: EventRow) -> dict[str, Any]:
    """The row's fields that the event's request body declares (others are left out)."""
    model = _MODELS.get(row.kind)
    if model is None:
        return dict(row.fields)  # an unknown type: the body's validation names it
    return {k: v for k, v in row.fields.items() if k in model}


_MODELS: dict[str, frozenset[str]] = {}


def _build_models() -> None:
    from typing import get_args

    union = get_args(EventIn)[0]
    for model in get_args(union):
        kind = get_args(model.model_fields["type"].annotation)[0]
        _MODELS[kind] = frozenset(model.model_fields) - {"type"}


_build_models()


def _validation_problems(row: EventRow, invalid: ValidationError) -> list[RowProblem]:
    """One problem per error, naming the file's column; the cell's value is never repeated."""
    problems = []
    for error in invalid.errors(include_input=False, include_url=False):
        names = [str(part) for part in error["loc"] if isinstance(part, str)]
        name = names[-1] if names else ""
        if name == "enrolled_on":
            name = "occurred_on"
        column = row.columns.get(name, name if name in row.fields else row.event_column)
        if error["type"] == "missing":
            column = row.columns.get(name) or name
        if error["type"] == "union_tag_invalid":
            column, reason = row.event_column, "not an event type the ledger records"
        else:
            named = not name or name in row.columns
            reason = error["msg"] if named else f"{name}: {error['msg']}"
        problems.append(RowProblem(row.line, column, reason))
    return problems
