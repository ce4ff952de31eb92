"""Bulk import of past journeys (issue 9): good, bad and repeated files, both layouts, CSV and
XLSX, dry runs, every rule kept, seals intact; through the Importer and the `journey import`
command. The example files are the ones docs/import.md shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from api.import_rows import Layout, read_cohorts, read_rows, read_table
from api.importing import Importer, ImportReport, imported_participant_id
from journey.application import JourneyLedger
from journey.catalogue import install_catalogue
from journey.verification import verify

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "import-examples"
JOURNEY = Path(sys.executable).with_name("journey")
TODAY = date(2024, 6, 1)
HEADER = (
    "participant_ref,event,occurred_on,by,cohort_id,session,reason,attempt,format,stage,"
    "result,feedback,category,detail,source,name\n"
)


def _ledger(make_ledger: Callable[..., JourneyLedger], url: str) -> JourneyLedger:
    ledger = make_ledger(url)
    install_catalogue(ledger, actor="test")
    rows, problems = read_cohorts(read_table(EXAMPLES / "cohorts.csv"))
    assert not problems
    Importer(ledger, organisation="org", actor="test", today=TODAY).run_cohorts(rows)
    return ledger


def _import(ledger: JourneyLedger, path: Path, *, dry_run: bool = False) -> ImportReport:
    rows, problems = read_rows(read_table(path), Layout.auto)
    importer = Importer(ledger, organisation="org", actor="import", today=TODAY, dry_run=dry_run)
    return importer.run(rows, problems)


def _events(ledger: JourneyLedger) -> int:
    return ledger.recorder.max_notification_id() or 0


def _history(ledger: JourneyLedger, ref: str) -> list[Any]:
    return ledger.history(imported_participant_id("org", ref))


@pytest.fixture
def ledger(make_ledger: Callable[..., JourneyLedger], tmp_path: Path) -> JourneyLedger:
    return _ledger(make_ledger, f"sqlite:///{tmp_path / 'journey.db'}")


def test_a_participants_file_becomes_each_journey_with_its_original_dates(
    ledger: JourneyLedger,
) -> None:
    report = _import(ledger, EXAMPLES / "participants.csv")
    assert (report.rows, report.imported, report.rejected, report.problems) == (3, 3, 0, [])
    alex = ledger.get_participant(imported_participant_id("org", "VT19-001"))
    assert alex.details is not None
    assert alex.details.name == "Alex Example"
    history = _history(ledger, "VT19-001")
    kinds = [entry.type for entry in history]
    assert kinds.count("SessionAttended") == 12
    assert kinds[-1] == "CertificateIssued"
    assert history[-1].occurred_on == date(2019, 6, 15)
    marks = [e for e in history if e.type == "Marked"]
    assert [m.fields["marker"] for m in marks] == ["marker-1", "marker-2"]
    assert [m.recorded_by for m in marks] == ["marker-1", "marker-2"]
    jo = [entry.type for entry in _history(ledger, "VT19-003")]
    assert jo[-1] == "Withdrawn"
    refs = ("VT19-001", "VT19-002", "VT19-003")
    assert report.events == sum(len(_history(ledger, ref)) for ref in refs)


def test_an_events_file_runs_every_kind_of_row_through_the_rules(ledger: JourneyLedger) -> None:
    report = _import(ledger, EXAMPLES / "events.csv")
    assert (report.imported, report.rejected) == (2, 0), report.problems
    kinds = [entry.type for entry in _history(ledger, "VT19-101")]
    assert kinds[:3] == ["Registered", "Enrolled", "WellbeingMeasured"]
    assert {"SessionMissed", "Marked", "OutcomeReported", "FollowUpCompleted"} <= set(kinds)
    assert verify(ledger.recorder).ok  # every imported record sealed as a live one is


def test_a_bad_row_is_reported_by_line_column_and_reason_and_its_participant_not_written(
    ledger: JourneyLedger, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "A,Enrolled,2018-12-10,,vt-2019-grays,,,,,,,,,,,Ann Example\n"  # line 2: good
        + "A,SessionAttended,,,vt-2019-grays,1,,,,,,,,,,\n"
        + "B,Enrolled,2018-12-10,,vt-2019-grays,,,,,,,,,,,Bea Example\n"  # line 4
        + "B,SessionAttended,,,vt-2019-grays,1,,,,,,,,,,\n"
        + "B,SessionAttended,,,vt-2019-grays,40,,,,,,,,,,\n"  # line 6: no session 40
        + "C,Enrolled,2018-12-10,,vt-2019-grays,,,,,,,,,,,Cy Example\n"  # line 7
        + "C,LogSubmitted,2019-04-01,,vt-2019-grays,,,one,,,,,,,,\n"  # line 8: not a number
        + "D,Enrolled,2018-12-10,,vt-2019-grays,,,,,,,,,,,Di Example\n"  # line 9
        + "D,Marked,2019-04-01,m1,vt-2019-grays,,,1,,first,pass,ok,,,,\n"  # 10: nothing to mark
        + "E,SessionAttended,,,vt-2019-grays,1,,,,,,,,,,\n"  # line 11: never enrolled
        + "F,Enrolled,2018-13-10,,vt-2019-grays,,,,,,,,,,,Fay Example\n"  # line 12: bad date
        + "G,Enrolled,2018-12-10,,vt-2019-grays,,,,,,,,,,,Gus Example\n"  # line 13
        + "G,Promoted,2019-01-01,,vt-2019-grays,,,,,,,,,,,\n",  # line 14: no such event type
        encoding="utf-8",
    )
    before = _events(ledger)
    report = _import(ledger, bad)
    where = {(p.line, p.column) for p in report.problems}
    assert (6, "event") in where
    assert (8, "attempt") in where
    assert (10, "event") in where
    assert (11, "event") in where
    assert (12, "occurred_on") in where
    assert (14, "event") in where
    assert all(p.reason for p in report.problems)
    reasons = " ".join(p.reason for p in report.problems)
    for name in ("Ann", "Bea", "Cy", "Di", "Fay", "Gus"):  # personal values are never repeated
        assert name not in reasons
    assert (report.imported, report.rejected) == (1, 6), report.problems
    assert [e.type for e in _history(ledger, "A")] == ["Registered", "Enrolled", "SessionAttended"]
    for ref in "BCDEFG":
        assert not ledger.participant_exists(imported_participant_id("org", ref))
    assert _events(ledger) == before + 3


def test_re_running_a_file_imports_nothing_twice(ledger: JourneyLedger) -> None:
    first = _import(ledger, EXAMPLES / "participants.csv")
    after_first = _events(ledger)
    again = _import(ledger, EXAMPLES / "participants.csv")
    assert (again.imported, again.already_present, again.events) == (0, 3, 0)
    assert _events(ledger) == after_first
    assert first.events > 0
    other = Importer(ledger, organisation="other-org", actor="import", today=TODAY)
    rows, _ = read_rows(read_table(EXAMPLES / "participants.csv"), Layout.auto)
    assert other.run(rows).imported == 3  # another organisation's VT19-001 is someone else


def test_a_dry_run_checks_everything_and_writes_nothing(ledger: JourneyLedger) -> None:
    before = _events(ledger)
    report = _import(ledger, EXAMPLES / "participants.csv", dry_run=True)
    assert (report.imported, report.events, report.dry_run) == (3, 43, True)
    assert _events(ledger) == before
    assert not ledger.participant_exists(imported_participant_id("org", "VT19-001"))


def test_many_participants_are_written_a_batch_per_transaction(
    ledger: JourneyLedger, tmp_path: Path
) -> None:
    lines = [HEADER.rstrip("\n")]
    for n in range(60):
        lines.append(f"P{n},Enrolled,2018-12-10,,vt-2019-grays,,,,,,,,,,,Person {n}")
        lines.extend(f"P{n},SessionAttended,,,vt-2019-grays,{s},,,,,,,,,," for s in range(1, 13))
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows, _ = read_rows(read_table(path), Layout.auto)
    seen: list[tuple[int, int]] = []
    report = Importer(ledger, organisation="org", actor="i", today=TODAY, batch_events=100).run(
        rows, progress=lambda done, total: seen.append((done, total))
    )
    assert (report.imported, report.events) == (60, 60 * 14)
    assert seen[-1] == (len(lines) - 1, len(lines) - 1)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert verify(ledger.recorder).ok


@pytest.mark.postgres
def test_import_on_postgresql(make_ledger: Callable[..., JourneyLedger], postgres_url: str) -> None:
    ledger = _ledger(make_ledger, postgres_url)
    report = _import(ledger, EXAMPLES / "participants.csv")
    assert (report.imported, report.rejected) == (3, 0)
    assert _import(ledger, EXAMPLES / "participants.csv").already_present == 3
    assert verify(ledger.recorder).ok


# -- the command, as a user runs it -------------------------------------------------------


def journey(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEY")}
    env.update(JOURNEY_DATA_DIR=str(data), COLUMNS="200", NO_COLOR="1")
    return subprocess.run(
        [str(JOURNEY), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_command_imports_an_xlsx_file_checks_dry_runs_and_reports_bad_rows(
    tmp_path: Path,
) -> None:
    from openpyxl import Workbook

    data = tmp_path / "data"
    assert journey(data, "init").returncode == 0
    cohorts = journey(data, "import", str(EXAMPLES / "cohorts.csv"))
    assert cohorts.returncode == 0, cohorts.stderr
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["participant_ref", "name", "cohort_id", "enrolled_on", "sessions_attended"])
    sheet.append(["X1", "Xan Example", "vt-2019-grays", date(2018, 12, 10), "1-12"])
    sheet.append(["X2", "Xia Example", "vt-2019-grays", date(2018, 12, 10), "1;99"])
    path = tmp_path / "past.xlsx"
    book.save(path)

    dry = journey(data, "import", str(path), "--dry-run")
    assert dry.returncode == 1
    assert "would import 1 (14 events)" in " ".join(dry.stdout.split())
    assert re.search(r"\b3\s*│\s*sessions_attended\s*│.*no day 99", dry.stderr)
    assert "Xia" not in dry.stderr + dry.stdout

    done = journey(data, "import", str(path))
    assert done.returncode == 1, done.stderr
    assert "imported 1 (14 events)" in " ".join(done.stdout.split())
    assert "rows/s" in done.stderr
    again = journey(data, "import", str(path))
    assert "already in the ledger 1" in " ".join(again.stdout.split())
    checked = journey(data, "verify")
    assert checked.returncode == 0, checked.stdout + checked.stderr

    wrong = tmp_path / "wrong.csv"
    wrong.write_text("participant,event\nA,Enrolled\n", encoding="utf-8")
    refused = journey(data, "import", str(wrong))
    assert refused.returncode == 2
    assert "unknown column" in refused.stderr
    missing = journey(data, "import", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    assert "--dry-run" in journey(data, "import", "--help").stdout
