"""The accreditation funnel and pass rates, per cohort, per programme and per calendar year.

One row per enrolment (a participant on a cohort) says how far along the accreditation path it
is; one row per attempt keeps what that needs. The report sums the enrolment rows for a scope
and states every pass rate with its numerator, denominator and definition, because "100 per
cent" on 9 results is not the same claim as 9 of 43. The calendar year is the year of
enrolment.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table

from journey.participant import Participant
from projections.courses import COURSE_EVENTS, apply_course_event, course_tables
from projections.projection import Projection
from projections.rows import Row, Rows

__all__ = ["FunnelProjection", "attempt_table", "courses", "enrolment_table"]

metadata = MetaData()
courses = course_tables(metadata, "funnel")
enrolment_table = Table(
    "funnel_enrolment",
    metadata,
    Column("cohort_id", String(100), primary_key=True),
    Column("participant_id", String(36), primary_key=True),
    Column("programme_id", String(100), nullable=False, index=True),
    Column("enrolled_year", Integer, nullable=False, index=True),
    Column("withdrawn", Boolean, nullable=False),
    Column("decision", String(10), nullable=True),
    Column("submitted", Boolean, nullable=False),
    Column("first_marked", Boolean, nullable=False),
    Column("second_marked", Boolean, nullable=False),
    Column("moderated_internal", Boolean, nullable=False),
    Column("moderated_external", Boolean, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("referred", Boolean, nullable=False),
    Column("pending", Boolean, nullable=False),
    Column("credits", Integer, nullable=False),
)
attempt_table = Table(
    "funnel_attempt",
    metadata,
    Column("cohort_id", String(100), primary_key=True),
    Column("participant_id", String(36), primary_key=True),
    Column("attempt", Integer, primary_key=True),
    Column("components", Integer, nullable=False),
    Column("first_marked", Boolean, nullable=False),
    Column("second_marked", Boolean, nullable=False),
    Column("moderated_internal", Boolean, nullable=False),
    Column("moderated_external", Boolean, nullable=False),
    Column("final_result", String(10), nullable=True),
)

_ATTEMPT_EVENTS = (
    Participant.LogSubmitted,
    Participant.EssaySubmitted,
    Participant.Marked,
    Participant.Moderated,
)


class FunnelProjection(Projection):
    name = "funnel"
    metadata: ClassVar[MetaData] = metadata
    event_classes = (
        *COURSE_EVENTS,
        Participant.Enrolled,
        Participant.Withdrawn,
        Participant.AccreditationChosen,
        Participant.AccreditationDeclined,
        *_ATTEMPT_EVENTS,
    )

    def apply(self, event: Any, position: int, rows: Rows) -> None:
        if apply_course_event(courses, event, rows):
            return
        pid = str(event.originator_id)
        if isinstance(event, Participant.Enrolled):
            rows.put(enrolment_table, _new_enrolment(event, pid))
            return
        enrolment = rows.require(enrolment_table, event.cohort_id, pid, position=position)
        if isinstance(event, Participant.Withdrawn):
            rows.put(enrolment_table, {**enrolment, "withdrawn": True})
        elif isinstance(event, Participant.AccreditationChosen):
            rows.put(enrolment_table, {**enrolment, "decision": "chosen"})
        elif isinstance(event, Participant.AccreditationDeclined):
            rows.put(enrolment_table, {**enrolment, "decision": "declined"})
        else:
            programme = rows.get(courses.programme, enrolment["programme_id"])
            required = int(programme["components"]) if programme else 2
            attempt = _updated_attempt(rows.get(attempt_table, *_attempt_key(event, pid)), event)
            rows.put(attempt_table, attempt)
            progressed = _progress(enrolment, attempt, required)
            if isinstance(event, Participant.Moderated) and event.credits:
                progressed["credits"] = event.credits
            rows.put(enrolment_table, progressed)


def _new_enrolment(event: Any, pid: str) -> Row:
    return {
        "cohort_id": event.cohort_id,
        "participant_id": pid,
        "programme_id": event.programme_id,
        "enrolled_year": event.occurred_on.year,
        "withdrawn": False,
        "decision": None,
        "submitted": False,
        "first_marked": False,
        "second_marked": False,
        "moderated_internal": False,
        "moderated_external": False,
        "passed": False,
        "referred": False,
        "pending": False,
        "credits": 0,
    }


def _attempt_key(event: Any, pid: str) -> tuple[str, str, int]:
    return (event.cohort_id, pid, event.attempt)


def _updated_attempt(current: Row | None, event: Any) -> Row:
    cohort_id, pid, number = _attempt_key(event, str(event.originator_id))
    row: Row = (
        dict(current)
        if current
        else {
            "cohort_id": cohort_id,
            "participant_id": pid,
            "attempt": number,
            "components": 0,
            "first_marked": False,
            "second_marked": False,
            "moderated_internal": False,
            "moderated_external": False,
            "final_result": None,
        }
    )
    if isinstance(event, Participant.LogSubmitted | Participant.EssaySubmitted):
        row["components"] += 1
    elif isinstance(event, Participant.Marked):
        row[f"{event.stage}_marked"] = True
    elif isinstance(event, Participant.Moderated):
        row[f"moderated_{event.stage}"] = True
        if event.stage == "external":
            row["final_result"] = event.result
    return row


def _progress(enrolment: Row, attempt: Row, required: int) -> Row:
    """The enrolment's funnel flags after a change to its latest attempt."""
    updated = dict(enrolment)
    complete = attempt["components"] >= required
    for flag in ("first_marked", "second_marked", "moderated_internal", "moderated_external"):
        updated[flag] = bool(updated[flag] or attempt[flag])
    if complete:
        updated["submitted"] = True
    final = attempt["final_result"]
    if final == "pass":
        updated.update(passed=True, pending=False, referred=False)
    elif final == "refer":
        updated.update(pending=False, referred=True)
    elif complete:
        updated.update(pending=True, referred=False)
    return updated
