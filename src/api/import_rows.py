"""Spreadsheets of past journeys -> event rows, in the API's own vocabulary.

Reads CSV (UTF-8, with or without a byte-order mark) and XLSX (the first sheet) and turns
either documented layout (docs/import.md) into :class:`EventRow` values:

- **events**: one row per event, with an ``event`` column naming its type (``Enrolled``,
  ``SessionAttended``, ... as on ``POST /participants/{id}/events``) and the event's fields
  under their API names;
- **participants**: one wide row per participant (enrolment, attendance, accreditation,
  submissions, marks, moderation, certificate, withdrawal), expanded here into the same events
  in the order they happen on the course.

Lines are counted as a spreadsheet shows them: the header is line 1. Nothing here checks a
rule: rows only say what was recorded; :mod:`api.importing` runs them through the ledger.
Cell values are never copied into a :class:`RowProblem`'s reason (they may be personal).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = [
    "COHORT_COLUMNS",
    "EVENT_COLUMNS",
    "PARTICIPANT_COLUMNS",
    "CohortRow",
    "EventRow",
    "Layout",
    "RowProblem",
    "Table",
    "read_cohorts",
    "read_rows",
    "read_table",
]


class Layout(StrEnum):
    auto = "auto"
    events = "events"
    participants = "participants"
    cohorts = "cohorts"


@dataclass(frozen=True)
class RowProblem:
    """A row (or the file, at line 1) that cannot be imported: where, and why."""

    line: int
    column: str
    reason: str
    # The file's reference of the participant whose row it is ("" for the file or a cohort).
    participant: str = ""


@dataclass(frozen=True)
class EventRow:
    """One event of one participant as the file records it."""

    line: int
    participant: str
    kind: str
    fields: dict[str, Any]
    # The file's column for each field (for problems), and the column that names the event.
    columns: dict[str, str] = field(default_factory=dict)
    event_column: str = "event"
    by: str | None = None


@dataclass(frozen=True)
class CohortRow:
    """A past cohort: its fields as ``POST /cohorts`` takes them (lists split on ';')."""

    line: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]]


PERSONAL = ("name", "email", "phone", "ethnicity", "gender", "age_band", "disability")
EVENT_FIELDS = (
    "cohort_id",
    "session",
    "reason",
    "attempt",
    "format",
    "stage",
    "result",
    "feedback",
    "category",
    "detail",
    "source",
    "ended_on",
    "method",
    "quote",
    "scale",
    "score",
    "timepoint",
    "kind",
)
EVENT_COLUMNS = ("participant_ref", "event", "occurred_on", "by", *EVENT_FIELDS, *PERSONAL)

# The wide layout: (column, what it records). Dates are ISO (YYYY-MM-DD) or spreadsheet dates.
PARTICIPANT_COLUMNS = (
    "participant_ref",
    *PERSONAL,
    "cohort_id",
    "enrolled_on",
    "sessions_attended",
    "accreditation",
    "accreditation_on",
    "log_submitted_on",
    "essay_submitted_on",
    "essay_format",
    "first_marker",
    "first_mark",
    "first_mark_feedback",
    "first_marked_on",
    "second_marker",
    "second_mark",
    "second_mark_feedback",
    "second_marked_on",
    "internal_moderator",
    "internal_moderation",
    "internal_moderated_on",
    "external_moderator",
    "external_moderation",
    "external_moderated_on",
    "certificate",
    "certificate_on",
    "withdrawn_on",
    "withdrawal_reason",
)
COHORT_COLUMNS = ("cohort_id", "programme_id", "location", "session_dates", "trainers")
_INTEGERS = frozenset({"session", "attempt", "score"})
# A mark's feedback was rarely kept in the spreadsheets charities hold; the ledger needs one.
NO_FEEDBACK = "Not recorded in the imported records."


def read_table(path: Path) -> Table:
    """The file's header (lower-cased, trimmed) and its rows as {column: value} by line."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    raise ValueError(f"{path.name}: only .csv and .xlsx files can be imported")


def chosen_layout(table: Table, layout: Layout) -> Layout | None:
    """The layout asked for, or (auto) the one the header shows."""
    return _choose_layout(table.header) if layout is Layout.auto else layout


def read_cohorts(table: Table) -> tuple[list[CohortRow], list[RowProblem]]:
    """The cohorts of a cohorts file (a row each), or the header's problems."""
    problems = _header_problems(table.header, COHORT_COLUMNS, "cohort_id")
    if problems:
        return [], problems
    rows = []
    for line, values in table.rows:
        if not any(v not in (None, "") for v in values.values()):
            continue
        fields: dict[str, Any] = {}
        for name in COHORT_COLUMNS:
            raw = values.get(name)
            if raw in (None, ""):
                continue
            if name in ("session_dates", "trainers"):
                parts = raw if isinstance(raw, list) else re.split(r"\s*;\s*", str(raw))
                fields[name] = [p for p in parts if p]
            else:
                fields[name] = str(raw)
        rows.append(CohortRow(line, fields))
    return rows, []


def _header_problems(header: list[str], known: tuple[str, ...], key: str) -> list[RowProblem]:
    problems = [
        RowProblem(1, name or f"column {i + 1}", "unknown column (see docs/import.md)")
        for i, name in enumerate(header)
        if name not in known
    ]
    if key not in header:
        problems.append(RowProblem(1, key, "the column is missing"))
    return problems


def read_rows(table: Table, layout: Layout) -> tuple[list[EventRow], list[RowProblem]]:
    """Every event row of the table, and the problems found reading it (line, column, why).
    A file whose header is wrong gives only problems at line 1."""
    chosen = chosen_layout(table, layout)
    if chosen is None or chosen is Layout.cohorts:
        return [], [
            RowProblem(
                1,
                "participant_ref",
                "the header names no layout: an events file has an 'event' column, a "
                "participants file an 'enrolled_on' column, a cohorts file 'session_dates'",
            )
        ]
    known = EVENT_COLUMNS if chosen is Layout.events else PARTICIPANT_COLUMNS
    problems = _header_problems(table.header, known, "participant_ref")
    if problems:
        return [], problems
    rows: list[EventRow] = []
    expand = _event_row if chosen is Layout.events else _participant_rows
    for line, values in table.rows:
        if not any(v not in (None, "") for v in values.values()):
            continue  # a blank line
        found, bad = expand(line, values)
        rows.extend(found)
        problems.extend(bad)
    return rows, problems


# -- reading ---------------------------------------------------------------------------------


def _read_csv(path: Path) -> Table:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [_heading(h) for h in next(reader, [])]
        rows = [
            (number, dict(zip(header, (c.strip() for c in cells), strict=False)))
            for number, cells in enumerate(reader, start=2)
        ]
    return Table(header, rows)


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        cells = sheet.iter_rows(values_only=True)
        header = [_heading(h) for h in next(cells, ())]
        rows = [
            (number, dict(zip(header, (_cell(c) for c in row), strict=False)))
            for number, row in enumerate(cells, start=2)
        ]
    finally:
        book.close()
    return Table(header, rows)


def _heading(value: object) -> str:
    return "" if value is None else re.sub(r"\s+", "_", str(value).strip().lower())


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _choose_layout(header: list[str]) -> Layout | None:
    if "event" in header:
        return Layout.events
    if "enrolled_on" in header:
        return Layout.participants
    if "session_dates" in header:
        return Layout.cohorts
    return None


# -- values ----------------------------------------------------------------------------------


class _Bad(ValueError):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column


def _value(name: str, raw: object, column: str) -> object:
    """A cell as the API would receive it: integers as integers, dates as ISO text."""
    if name in _INTEGERS:
        if isinstance(raw, int):
            return raw
        if isinstance(raw, str) and re.fullmatch(r"[+-]?\d{1,9}", raw):
            return int(raw)
        raise _Bad(column, "must be a whole number")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw) if not isinstance(raw, str) else raw


def _present(values: dict[str, Any], column: str) -> bool:
    return values.get(column) not in (None, "")


# -- the events layout -----------------------------------------------------------------------


def _event_row(line: int, values: dict[str, Any]) -> tuple[list[EventRow], list[RowProblem]]:
    ref = str(values.get("participant_ref") or "")
    kind = str(values.get("event") or "")
    problems = []
    if not ref:
        problems.append(RowProblem(line, "participant_ref", "a participant reference is needed"))
    if not kind:
        problems.append(RowProblem(line, "event", "an event type is needed", ref))
    fields: dict[str, Any] = {}
    for name in (*EVENT_FIELDS, *PERSONAL, "occurred_on"):
        if not _present(values, name):
            continue
        try:
            fields[name] = _value(name, values[name], name)
        except _Bad as bad:
            problems.append(RowProblem(line, bad.column, str(bad), ref))
    if problems:
        return [], problems
    by = str(values["by"]) if _present(values, "by") else None
    return [EventRow(line, ref, kind, fields, {n: n for n in fields}, "event", by)], []


# -- the participants layout -----------------------------------------------------------------


def _participant_rows(line: int, values: dict[str, Any]) -> tuple[list[EventRow], list[RowProblem]]:
    ref = str(values.get("participant_ref") or "")
    if not ref:
        return [], [RowProblem(line, "participant_ref", "a participant reference is needed")]
    cohort = values.get("cohort_id") or ""
    rows: list[EventRow] = []
    problems: list[RowProblem] = []

    def add(kind: str, column: str, fields: dict[str, tuple[str, object]], by: str = "") -> None:
        """An event from ``fields`` (name -> (column, raw value)), blamed on ``column``."""
        converted: dict[str, Any] = {}
        for name, (source, raw) in fields.items():
            if raw in (None, ""):
                continue
            try:
                converted[name] = _value(name, raw, source)
            except _Bad as bad:
                problems.append(RowProblem(line, bad.column, str(bad), ref))
                return
        columns = {name: source for name, (source, _) in fields.items()}
        by_value = str(values[by]) if by and _present(values, by) else None
        rows.append(EventRow(line, ref, kind, converted, columns, column, by_value))

    def col(name: str) -> tuple[str, object]:
        return name, values.get(name, "")

    enrolment = {"cohort_id": col("cohort_id"), "occurred_on": col("enrolled_on")}
    enrolment.update({name: col(name) for name in PERSONAL})
    add("Enrolled", "enrolled_on", enrolment)
    for session in _sessions(values.get("sessions_attended"), line, ref, problems):
        add(
            "SessionAttended",
            "sessions_attended",
            {"cohort_id": ("cohort_id", cohort), "session": ("sessions_attended", session)},
        )
    choice = str(values.get("accreditation") or "").lower()
    if choice:
        kinds = {"chosen": "AccreditationChosen", "declined": "AccreditationDeclined"}
        if choice not in kinds:
            problems.append(
                RowProblem(line, "accreditation", "must be 'chosen' or 'declined'", ref)
            )
        else:
            add(
                kinds[choice],
                "accreditation",
                {"cohort_id": ("cohort_id", cohort), "occurred_on": col("accreditation_on")},
            )
    if _present(values, "log_submitted_on"):
        add(
            "LogSubmitted",
            "log_submitted_on",
            {
                "cohort_id": ("cohort_id", cohort),
                "attempt": ("log_submitted_on", 1),
                "occurred_on": col("log_submitted_on"),
            },
        )
    if _present(values, "essay_submitted_on"):
        add(
            "EssaySubmitted",
            "essay_submitted_on",
            {
                "cohort_id": ("cohort_id", cohort),
                "attempt": ("essay_submitted_on", 1),
                "format": ("essay_format", values.get("essay_format") or "written"),
                "occurred_on": col("essay_submitted_on"),
            },
        )
    for stage in ("first", "second"):
        if _present(values, f"{stage}_mark"):
            add(
                "Marked",
                f"{stage}_mark",
                {
                    "cohort_id": ("cohort_id", cohort),
                    "attempt": (f"{stage}_mark", 1),
                    "stage": (f"{stage}_mark", stage),
                    "result": col(f"{stage}_mark"),
                    "feedback": (
                        f"{stage}_mark_feedback",
                        values.get(f"{stage}_mark_feedback") or NO_FEEDBACK,
                    ),
                    "occurred_on": col(f"{stage}_marked_on"),
                },
                by=f"{stage}_marker",
            )
    for stage in ("internal", "external"):
        if _present(values, f"{stage}_moderation"):
            add(
                "Moderated",
                f"{stage}_moderation",
                {
                    "cohort_id": ("cohort_id", cohort),
                    "attempt": (f"{stage}_moderation", 1),
                    "stage": (f"{stage}_moderation", stage),
                    "result": col(f"{stage}_moderation"),
                    "occurred_on": col(f"{stage}_moderated_on"),
                },
                by=f"{stage}_moderator",
            )
    if _present(values, "certificate"):
        add(
            "CertificateIssued",
            "certificate",
            {
                "cohort_id": ("cohort_id", cohort),
                "kind": col("certificate"),
                "occurred_on": col("certificate_on"),
            },
        )
    if _present(values, "withdrawn_on"):
        add(
            "Withdrawn",
            "withdrawn_on",
            {
                "cohort_id": ("cohort_id", cohort),
                "reason": col("withdrawal_reason"),
                "occurred_on": col("withdrawn_on"),
            },
        )
    if problems:
        return [], problems
    return rows, []


def _sessions(raw: object, line: int, ref: str, problems: list[RowProblem]) -> Iterator[int]:
    """'1;2;3', '1, 2, 3', '1 2 3' or ranges such as '1-10;12'."""
    text = "" if raw in (None, "") else str(raw)
    found: list[int] = []
    for part in filter(None, re.split(r"[;,\s]+", text)):
        span = re.fullmatch(r"(\d{1,3})(?:-(\d{1,3}))?", part)
        if span is None:
            problems.append(
                RowProblem(line, "sessions_attended", "session numbers such as 1;2;3 or 1-12", ref)
            )
            return
        first, last = int(span[1]), int(span[2] or span[1])
        found.extend(range(first, last + 1))
    yield from dict.fromkeys(found)
