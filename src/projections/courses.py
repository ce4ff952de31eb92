"""Programme and cohort rows that several projections keep for themselves.

Each projection owns a copy (its own tables, prefixed with its name) so that it can be dropped
and rebuilt alone. :func:`course_tables` declares them; :func:`apply_course_event` fills them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Column, Date, Integer, MetaData, String, Table

from journey.programme import Cohort, Programme
from projections.rows import Rows

__all__ = ["COURSE_EVENTS", "CourseTables", "apply_course_event", "course_tables"]

COURSE_EVENTS: tuple[type[Any], ...] = (Programme.Defined, Cohort.Scheduled)


@dataclass(frozen=True)
class CourseTables:
    programme: Table
    cohort: Table


def course_tables(metadata: MetaData, prefix: str) -> CourseTables:
    programme = Table(
        f"{prefix}_programme",
        metadata,
        Column("programme_id", String(100), primary_key=True),
        Column("name", String(200), nullable=False),
        Column("session_count", Integer, nullable=False),
        Column("attendance_threshold", Integer, nullable=False),
        Column("accredited", Boolean, nullable=False),
        Column("credits", Integer, nullable=False),
        Column("components", Integer, nullable=False),
    )
    cohort = Table(
        f"{prefix}_cohort",
        metadata,
        Column("cohort_id", String(100), primary_key=True),
        Column("programme_id", String(100), nullable=False, index=True),
        Column("location", String(200), nullable=False),
        Column("session_count", Integer, nullable=False),
        Column("first_day", Date, nullable=False),
        Column("last_day", Date, nullable=False),
    )
    return CourseTables(programme, cohort)


def apply_course_event(tables: CourseTables, event: Any, rows: Rows) -> bool:
    """Record a programme or cohort event; False if ``event`` is neither."""
    if isinstance(event, Programme.Defined):
        accreditation = event.accreditation
        rows.put(
            tables.programme,
            {
                "programme_id": event.programme_id,
                "name": event.name,
                "session_count": event.session_count,
                "attendance_threshold": event.attendance_threshold,
                "accredited": accreditation is not None,
                "credits": accreditation.credits if accreditation else 0,
                "components": len(accreditation.components) if accreditation else 0,
            },
        )
        return True
    if isinstance(event, Cohort.Scheduled):
        dates = list(event.session_dates)
        rows.put(
            tables.cohort,
            {
                "cohort_id": event.cohort_id,
                "programme_id": event.programme_id,
                "location": event.location,
                "session_count": len(dates),
                "first_day": dates[0],
                "last_day": dates[-1],
            },
        )
        return True
    return False
