"""The research view: what longitudinal research needs, and nothing that names anyone.

Keeps, per person, the broad equality-monitoring groups (:mod:`projections.equality`, never
the recorded wording); per enrolment, the course's last day, training days attended, the
accreditation decision and how the assessment ended; and per person a timeline of outcomes
(category, source, start and end), follow-up contacts (method), review feedback (its
category only: the quote is free text and stays in the ledger) and wellbeing scores. Names,
contact details, reasons, details, quotes and the people who recorded things are not read.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Boolean, Column, Date, Integer, MetaData, String, Table

from journey.participant import Participant
from projections import equality
from projections.courses import COURSE_EVENTS, apply_course_event, course_tables
from projections.projection import Projection
from projections.rows import Row, Rows

__all__ = ["ResearchProjection", "courses", "enrolment_table", "entry_table", "person_table"]

metadata = MetaData()
courses = course_tables(metadata, "research")
person_table = Table(
    "research_person",
    metadata,
    Column("participant_id", String(36), primary_key=True),
    Column("ethnic_group", String(40), nullable=False),
    Column("bme", String(40), nullable=False),
    Column("gender", String(40), nullable=False),
    Column("age_band", String(20), nullable=False),
    Column("disability", String(20), nullable=False),
)
enrolment_table = Table(
    "research_enrolment",
    metadata,
    Column("participant_id", String(36), primary_key=True),
    Column("cohort_id", String(100), primary_key=True),
    Column("programme_id", String(100), nullable=False, index=True),
    Column("enrolled_on", Date, nullable=False),
    Column("course_ended_on", Date, nullable=False),
    Column("sessions", Integer, nullable=False),
    Column("attended", Integer, nullable=False),
    Column("decision", String(10), nullable=True),
    Column("attempt", Integer, nullable=False),
    Column("components", Integer, nullable=False),  # of the latest attempt
    Column("submitted", Boolean, nullable=False),
    Column("result", String(10), nullable=True),  # the latest attempt's final result
    Column("credits", Integer, nullable=False),
    Column("withdrawn_on", Date, nullable=True),
)
entry_table = Table(
    "research_entry",
    metadata,
    Column("participant_id", String(36), primary_key=True),
    # The version of the participant's event that recorded the entry (corrections name it).
    Column("version", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),  # outcome, follow_up, feedback, wellbeing
    Column("occurred_on", Date, nullable=False),
    Column("category", String(40), nullable=True),  # outcome or feedback category
    Column("source", String(40), nullable=True),
    Column("ended_on", Date, nullable=True),
    Column("method", String(40), nullable=True),
    Column("scale", String(20), nullable=True),
    Column("score", Integer, nullable=True),
    Column("timepoint", String(20), nullable=True),
)

_EMPTY_ENTRY = {c.name: None for c in entry_table.columns}
_SUBMISSIONS = (Participant.LogSubmitted, Participant.EssaySubmitted)


class ResearchProjection(Projection):
    name = "research"
    metadata: ClassVar[MetaData] = metadata
    event_classes = (
        *COURSE_EVENTS,
        Participant.Registered,
        Participant.Enrolled,
        Participant.SessionAttended,
        Participant.AccreditationChosen,
        Participant.AccreditationDeclined,
        *_SUBMISSIONS,
        Participant.Moderated,
        Participant.Withdrawn,
        Participant.OutcomeReported,
        Participant.FollowUpCompleted,
        Participant.FeedbackRecorded,
        Participant.WellbeingMeasured,
    )

    def apply(self, event: Any, position: int, rows: Rows) -> None:
        if apply_course_event(courses, event, rows):
            return
        pid = str(event.originator_id)
        if isinstance(event, Participant.Registered):
            rows.put(person_table, _person(pid, event))
        elif isinstance(event, Participant.Enrolled):
            cohort = rows.require(courses.cohort, event.cohort_id, position=position)
            rows.put(enrolment_table, _enrolment(pid, event, cohort))
        elif hasattr(event, "cohort_id") and not isinstance(event, Participant.FeedbackRecorded):
            enrolment = rows.require(enrolment_table, pid, event.cohort_id, position=position)
            rows.put(enrolment_table, _course_step(enrolment, event, rows))
        else:
            rows.append(entry_table, _entry(pid, event))


def _person(pid: str, event: Any) -> Row:
    return {
        "participant_id": pid,
        "ethnic_group": equality.ethnic_group(event.ethnicity),
        "bme": equality.bme_group(event.ethnicity),
        "gender": equality.gender_group(event.gender),
        "age_band": equality.age_group(event.age_band),
        "disability": equality.disability_group(event.disability),
    }


def _enrolment(pid: str, event: Any, cohort: Row) -> Row:
    return {
        "participant_id": pid,
        "cohort_id": event.cohort_id,
        "programme_id": event.programme_id,
        "enrolled_on": event.occurred_on,
        "course_ended_on": cohort["last_day"],
        "sessions": cohort["session_count"],
        "attended": 0,
        "decision": None,
        "attempt": 0,
        "components": 0,
        "submitted": False,
        "result": None,
        "credits": 0,
        "withdrawn_on": None,
    }


def _course_step(enrolment: Row, event: Any, rows: Rows) -> Row:
    row = dict(enrolment)
    if isinstance(event, Participant.SessionAttended):
        row["attended"] += 1
    elif isinstance(event, Participant.AccreditationChosen):
        row["decision"] = "chosen"
    elif isinstance(event, Participant.AccreditationDeclined):
        row["decision"] = "declined"
    elif isinstance(event, _SUBMISSIONS):
        if event.attempt > row["attempt"]:
            row.update(attempt=event.attempt, components=0, result=None)
        row["components"] += 1
        programme = rows.get(courses.programme, row["programme_id"])
        required = int(programme["components"]) if programme else 2
        row["submitted"] = row["submitted"] or row["components"] >= required
    elif isinstance(event, Participant.Moderated):
        if event.stage == "external":
            row["result"] = event.result
        if event.credits:
            row["credits"] = event.credits
    elif isinstance(event, Participant.Withdrawn):
        row["withdrawn_on"] = event.occurred_on
    return row


def _entry(pid: str, event: Any) -> Row:
    entry: Row = {**_EMPTY_ENTRY, "participant_id": pid, "version": event.originator_version}
    entry["occurred_on"] = event.occurred_on
    if isinstance(event, Participant.OutcomeReported):
        entry.update(
            kind="outcome", category=event.category, source=event.source, ended_on=event.ended_on
        )
    elif isinstance(event, Participant.FollowUpCompleted):
        entry.update(kind="follow_up", method=event.method)
    elif isinstance(event, Participant.FeedbackRecorded):
        entry.update(kind="feedback", category=event.category)
    else:
        entry.update(
            kind="wellbeing", scale=event.scale, score=event.score, timepoint=event.timepoint
        )
    return entry
