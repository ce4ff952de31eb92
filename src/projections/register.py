"""The attendance register: per cohort, a row per participant and a column per training day.

Reads: Enrolled, SessionAttended, SessionMissed, Withdrawn (and the programme and cohort
definitions). Answers :class:`Register` for a cohort: each participant's days (attended,
missed or not recorded), days attended, and whether the programme's certificate threshold
is met.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import Column, Date, Engine, Integer, MetaData, String, Table, func, select

from journey.errors import CohortNotFound
from journey.participant import Participant
from projections.courses import COURSE_EVENTS, apply_course_event, course_tables
from projections.projection import Projection
from projections.rows import Rows

__all__ = [
    "CohortSummary",
    "Register",
    "RegisterProjection",
    "RegisterRow",
    "list_cohorts",
    "read_register",
]

metadata = MetaData()
courses = course_tables(metadata, "register")
enrolment_table = Table(
    "register_enrolment",
    metadata,
    Column("cohort_id", String(100), primary_key=True),
    Column("participant_id", String(36), primary_key=True),
    Column("enrolled_on", Date, nullable=False),
    Column("withdrawn_on", Date, nullable=True),
    Column("attended", Integer, nullable=False),
    Column("missed", Integer, nullable=False),
)
session_table = Table(
    "register_session",
    metadata,
    Column("cohort_id", String(100), primary_key=True),
    Column("participant_id", String(36), primary_key=True),
    Column("session", Integer, primary_key=True),
    Column("status", String(10), nullable=False),
    Column("occurred_on", Date, nullable=False),
)


class RegisterProjection(Projection):
    name = "register"
    metadata: ClassVar[MetaData] = metadata
    event_classes = (
        *COURSE_EVENTS,
        Participant.Enrolled,
        Participant.SessionAttended,
        Participant.SessionMissed,
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
                    "enrolled_on": event.occurred_on,
                    "withdrawn_on": None,
                    "attended": 0,
                    "missed": 0,
                },
            )
            return
        enrolment = rows.require(enrolment_table, event.cohort_id, pid, position=position)
        if isinstance(event, Participant.Withdrawn):
            rows.put(enrolment_table, {**enrolment, "withdrawn_on": event.occurred_on})
            return
        attended = isinstance(event, Participant.SessionAttended)
        rows.put(
            session_table,
            {
                "cohort_id": event.cohort_id,
                "participant_id": pid,
                "session": event.session,
                "status": "attended" if attended else "missed",
                "occurred_on": event.occurred_on,
            },
        )
        counter = "attended" if attended else "missed"
        rows.put(enrolment_table, {**enrolment, counter: enrolment[counter] + 1})


@dataclass(frozen=True)
class RegisterRow:
    participant_id: str
    enrolled_on: date
    withdrawn_on: date | None
    sessions: Mapping[int, str | None]
    attended: int
    certificate_eligible: bool


@dataclass(frozen=True)
class Register:
    cohort_id: str
    programme_id: str
    location: str
    session_dates_count: int
    attendance_threshold: int
    rows: tuple[RegisterRow, ...]


def read_register(engine: Engine, cohort_id: str) -> Register:
    """The register of ``cohort_id``; :class:`CohortNotFound` if the view has no such cohort."""
    with engine.connect() as conn:
        cohort = (
            conn.execute(select(courses.cohort).where(courses.cohort.c.cohort_id == cohort_id))
            .mappings()
            .first()
        )
        if cohort is None:
            raise CohortNotFound(cohort_id)
        programme = (
            conn.execute(
                select(courses.programme).where(
                    courses.programme.c.programme_id == cohort["programme_id"]
                )
            )
            .mappings()
            .one()
        )
        enrolments = (
            conn.execute(
                select(enrolment_table)
                .where(enrolment_table.c.cohort_id == cohort_id)
                .order_by(enrolment_table.c.enrolled_on, enrolment_table.c.participant_id)
            )
            .mappings()
            .all()
        )
        statuses: dict[str, dict[int, str]] = {}
        for s in conn.execute(
            select(session_table).where(session_table.c.cohort_id == cohort_id)
        ).mappings():
            statuses.setdefault(s["participant_id"], {})[s["session"]] = s["status"]
    threshold = int(programme["attendance_threshold"])
    count = int(cohort["session_count"])
    rows = tuple(
        RegisterRow(
            participant_id=e["participant_id"],
            enrolled_on=e["enrolled_on"],
            withdrawn_on=e["withdrawn_on"],
            sessions={n: statuses.get(e["participant_id"], {}).get(n) for n in range(1, count + 1)},
            attended=int(e["attended"]),
            # The ledger issues no certificate after a withdrawal (rule 1).
            certificate_eligible=int(e["attended"]) >= threshold and e["withdrawn_on"] is None,
        )
        for e in enrolments
    )
    return Register(
        cohort_id=cohort_id,
        programme_id=str(cohort["programme_id"]),
        location=str(cohort["location"]),
        session_dates_count=count,
        attendance_threshold=threshold,
        rows=rows,
    )


@dataclass(frozen=True)
class CohortSummary:
    cohort_id: str
    programme_id: str
    programme_name: str
    location: str
    first_day: date
    last_day: date
    enrolled: int


def list_cohorts(engine: Engine) -> tuple[CohortSummary, ...]:
    """Every cohort the view knows, the latest first, with how many have enrolled."""
    c, p, e = courses.cohort, courses.programme, enrolment_table
    enrolled = (
        select(e.c.cohort_id, func.count().label("enrolled")).group_by(e.c.cohort_id).subquery()
    )
    statement = (
        select(
            c.c.cohort_id,
            c.c.programme_id,
            p.c.name,
            c.c.location,
            c.c.first_day,
            c.c.last_day,
            func.coalesce(enrolled.c.enrolled, 0),
        )
        .join(p, p.c.programme_id == c.c.programme_id)
        .outerjoin(enrolled, enrolled.c.cohort_id == c.c.cohort_id)
        .order_by(c.c.first_day.desc(), c.c.cohort_id)
    )
    with engine.connect() as conn:
        rows = conn.execute(statement).all()
    return tuple(
        CohortSummary(
            cohort_id=r[0],
            programme_id=r[1],
            programme_name=r[2],
            location=r[3],
            first_day=r[4],
            last_day=r[5],
            enrolled=int(r[6]),
        )
        for r in rows
    )
