"""The moderation queue: every attempt waiting for a mark or a moderation, and for how long.

An attempt enters the queue when its last component is submitted (its clock starts at the
latest submission date); it waits for its first and
second marks (blind double marking: either may come first), then internal moderation, then
external moderation, after which its result is final and it leaves the queue (as it does if
the participant withdraws). Each waiting step's clock starts when the step before completed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import Boolean, Column, Date, Engine, Integer, MetaData, String, Table, select

from journey.participant import Participant
from projections.courses import COURSE_EVENTS, apply_course_event, course_tables
from projections.projection import Projection
from projections.rows import Row, Rows

__all__ = ["ModerationProjection", "QueueItem", "read_queue"]

metadata = MetaData()
courses = course_tables(metadata, "moderation")
enrolment_table = Table(
    "moderation_enrolment",
    metadata,
    Column("cohort_id", String(100), primary_key=True),
    Column("participant_id", String(36), primary_key=True),
    Column("programme_id", String(100), nullable=False),
    Column("withdrawn", Boolean, nullable=False),
)
attempt_table = Table(
    "moderation_attempt",
    metadata,
    Column("cohort_id", String(100), primary_key=True),
    Column("participant_id", String(36), primary_key=True),
    Column("attempt", Integer, primary_key=True),
    Column("components", Integer, nullable=False),
    Column("required", Integer, nullable=False),
    Column("last_submitted_on", Date, nullable=True),
    Column("submitted_on", Date, nullable=True),
    Column("first_marked_on", Date, nullable=True),
    Column("second_marked_on", Date, nullable=True),
    Column("internal_on", Date, nullable=True),
    Column("external_on", Date, nullable=True),
)


class ModerationProjection(Projection):
    name = "moderation"
    metadata: ClassVar[MetaData] = metadata
    event_classes = (
        *COURSE_EVENTS,
        Participant.Enrolled,
        Participant.LogSubmitted,
        Participant.EssaySubmitted,
        Participant.Marked,
        Participant.Moderated,
        Participant.Withdrawn,
    )

    def apply(self, event: Any, position: int, rows: Rows) -> None:
        if apply_course_event(courses, event, rows):
            return
        pid = str(event.originator_id)
        if isinstance(event, Participant.Enrolled):
            rows.put(
                enrolment_table,
                {
                    "cohort_id": event.cohort_id,
                    "participant_id": pid,
                    "programme_id": event.programme_id,
                    "withdrawn": False,
                },
            )
            return
        if isinstance(event, Participant.Withdrawn):
            enrolment = rows.require(enrolment_table, event.cohort_id, pid, position=position)
            rows.put(enrolment_table, {**enrolment, "withdrawn": True})
            return
        attempt = rows.get(attempt_table, event.cohort_id, pid, event.attempt)
        if attempt is None:
            attempt = self._new_attempt(event, pid, rows, position)
        attempt = dict(attempt)
        when = event.occurred_on
        if isinstance(event, Participant.LogSubmitted | Participant.EssaySubmitted):
            attempt["components"] += 1
            latest = attempt["last_submitted_on"]
            attempt["last_submitted_on"] = when if latest is None else max(latest, when)
            if attempt["components"] >= attempt["required"]:
                attempt["submitted_on"] = attempt["last_submitted_on"]
        elif isinstance(event, Participant.Marked):
            attempt[f"{event.stage}_marked_on"] = when
        else:
            attempt[f"{event.stage}_on"] = when
        rows.put(attempt_table, attempt)

    @staticmethod
    def _new_attempt(event: Any, pid: str, rows: Rows, position: int) -> Row:
        enrolment = rows.require(enrolment_table, event.cohort_id, pid, position=position)
        programme = rows.get(courses.programme, enrolment["programme_id"])
        return {
            "cohort_id": event.cohort_id,
            "participant_id": pid,
            "attempt": event.attempt,
            "components": 0,
            "required": int(programme["components"]) if programme else 2,
            "last_submitted_on": None,
            "submitted_on": None,
            "first_marked_on": None,
            "second_marked_on": None,
            "internal_on": None,
            "external_on": None,
        }


@dataclass(frozen=True)
class QueueItem:
    participant_id: str
    cohort_id: str
    attempt: int
    waiting_for: str  # first_mark, second_mark, internal_moderation, external_moderation
    since: date
    days_waiting: int


def _waiting(attempt: Any) -> list[tuple[str, date]]:
    submitted = attempt["submitted_on"]
    first, second = attempt["first_marked_on"], attempt["second_marked_on"]
    if first is None or second is None:
        steps = []
        if first is None:
            steps.append(("first_mark", submitted))
        if second is None:
            steps.append(("second_mark", submitted))
        return steps
    if attempt["internal_on"] is None:
        return [("internal_moderation", max(first, second))]
    return [("external_moderation", attempt["internal_on"])]


def read_queue(engine: Engine, *, today: date, cohort_id: str | None = None) -> list[QueueItem]:
    """Every attempt waiting for a mark or a moderation, longest waiting first."""
    a, e = attempt_table, enrolment_table
    statement = (
        select(a)
        .join(e, (e.c.cohort_id == a.c.cohort_id) & (e.c.participant_id == a.c.participant_id))
        .where(a.c.submitted_on.is_not(None), a.c.external_on.is_(None), e.c.withdrawn.is_(False))
    )
    if cohort_id is not None:
        statement = statement.where(a.c.cohort_id == cohort_id)
    with engine.connect() as conn:
        attempts = conn.execute(statement).mappings().all()
    items = [
        QueueItem(
            participant_id=row["participant_id"],
            cohort_id=row["cohort_id"],
            attempt=int(row["attempt"]),
            waiting_for=step,
            since=since,
            days_waiting=max(0, (today - since).days),
        )
        for row in attempts
        for step, since in _waiting(row)
    ]
    return sorted(
        items, key=lambda i: (-i.days_waiting, i.cohort_id, i.participant_id, i.waiting_for)
    )
