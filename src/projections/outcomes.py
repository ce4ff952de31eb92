"""Outcome timelines: what happened in participants' lives after (and during) the course.

Keeps every outcome, follow-up contact, feedback quote and wellbeing score as a timeline entry,
and each enrolment with its course's last training day. A participant's timeline gives each
entry's months since enrolment and since the course ended; cohort and programme reports count
outcomes per category and per period after the course (during, 0-6 months, 6-12, 12-24, 24+).
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, Text

from journey.participant import Participant
from projections.courses import COURSE_EVENTS, apply_course_event, course_tables
from projections.projection import Projection
from projections.rows import Rows

__all__ = ["OutcomesProjection", "courses", "enrolment_table", "entry_table"]

metadata = MetaData()
courses = course_tables(metadata, "outcomes")
enrolment_table = Table(
    "outcomes_enrolment",
    metadata,
    Column("participant_id", String(36), primary_key=True),
    Column("cohort_id", String(100), primary_key=True),
    Column("programme_id", String(100), nullable=False, index=True),
    Column("enrolled_on", Date, nullable=False),
    Column("course_ended_on", Date, nullable=False),
)
entry_table = Table(
    "outcomes_entry",
    metadata,
    Column("participant_id", String(36), primary_key=True),
    # The version of the participant's event that recorded the entry (corrections name it).
    Column("version", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),  # outcome, follow_up, feedback, wellbeing
    Column("occurred_on", Date, nullable=False),
    Column("category", String(40), nullable=True),
    Column("detail", Text, nullable=True),
    Column("source", String(40), nullable=True),
    Column("ended_on", Date, nullable=True),
    Column("method", String(40), nullable=True),
    Column("quote", Text, nullable=True),
    Column("interviewer", String(100), nullable=True),
    Column("scale", String(20), nullable=True),
    Column("score", Integer, nullable=True),
    Column("timepoint", String(20), nullable=True),
)

_EMPTY_ENTRY = {c.name: None for c in entry_table.columns}


class OutcomesProjection(Projection):
    name = "outcomes"
    metadata: ClassVar[MetaData] = metadata
    event_classes = (
        *COURSE_EVENTS,
        Participant.Enrolled,
        Participant.OutcomeReported,
        Participant.FollowUpCompleted,
        Participant.FeedbackRecorded,
        Participant.WellbeingMeasured,
    )

    def apply(self, event: Any, position: int, rows: Rows) -> None:
        if apply_course_event(courses, event, rows):
            return
        pid = str(event.originator_id)
        if isinstance(event, Participant.Enrolled):
            cohort = rows.require(courses.cohort, event.cohort_id, position=position)
            rows.put(
                enrolment_table,
                {
                    "participant_id": pid,
                    "cohort_id": event.cohort_id,
                    "programme_id": event.programme_id,
                    "enrolled_on": event.occurred_on,
                    "course_ended_on": cohort["last_day"],
                },
            )
            return
        entry = {
            **_EMPTY_ENTRY,
            "participant_id": pid,
            "version": event.originator_version,
            "occurred_on": event.occurred_on,
        }
        if isinstance(event, Participant.OutcomeReported):
            entry.update(
                kind="outcome",
                category=event.category,
                detail=event.detail,
                source=event.source,
                ended_on=event.ended_on,
            )
        elif isinstance(event, Participant.FollowUpCompleted):
            entry.update(kind="follow_up", method=event.method)
        elif isinstance(event, Participant.FeedbackRecorded):
            entry.update(kind="feedback", quote=event.quote, interviewer=event.interviewer)
        else:
            entry.update(
                kind="wellbeing", scale=event.scale, score=event.score, timepoint=event.timepoint
            )
        rows.append(entry_table, entry)
