"""Reading the funnel: counts and pass rates for a scope (a cohort, a programme, a year).

Every rate comes with its numerator, denominator and definition. The default definition is
"passed over final results" (what a programme usually reports); the others are given beside
it so that a reader sees the whole funnel, not a single percentage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Engine, and_, case, func, select

from projections.funnel import courses, enrolment_table

__all__ = ["FunnelCounts", "GroupBy", "PassRate", "funnel_report"]

GroupBy = Literal["cohort", "programme", "year"]


@dataclass(frozen=True)
class PassRate:
    numerator: int
    denominator: int
    value: float | None  # None when the denominator is 0: no rate can be stated
    definition: str


@dataclass(frozen=True)
class FunnelCounts:
    programme_id: str | None
    cohort_id: str | None
    year: int | None
    enrolled: int
    withdrawn: int
    accreditation_chosen: int
    accreditation_declined: int
    undecided: int
    submitted: int
    first_marked: int
    second_marked: int
    marked: int  # both marks in
    moderated_internal: int
    moderated_external: int
    passed: int
    referred: int
    pending: int
    credits_awarded: int

    @property
    def pass_rate(self) -> PassRate:
        return self.rates()[0]

    def rates(self) -> tuple[PassRate, ...]:
        final = self.passed + self.referred
        return (
            _rate(self.passed, final, "passed over final results (passed + referred)"),
            _rate(self.passed, self.submitted, "passed over submitted"),
            _rate(self.passed, self.enrolled, "passed over enrolled"),
        )


def _rate(numerator: int, denominator: int, definition: str) -> PassRate:
    value = round(numerator / denominator, 4) if denominator else None
    return PassRate(numerator, denominator, value, definition)


def _count(column: Any) -> Any:
    return func.coalesce(func.sum(case((column, 1), else_=0)), 0)


def funnel_report(
    engine: Engine,
    *,
    programme_id: str | None = None,
    cohort_id: str | None = None,
    year: int | None = None,
    group_by: GroupBy | None = None,
) -> list[FunnelCounts]:
    """Funnel counts for the enrolments matching every filter given, one object per group
    (``group_by``) or one for the whole scope."""
    e = enrolment_table
    group_columns: dict[str, Any] = {
        "cohort": e.c.cohort_id,
        "programme": e.c.programme_id,
        "year": e.c.enrolled_year,
    }
    keys = [group_columns[group_by]] if group_by else []
    statement = select(
        *keys,
        func.count().label("enrolled"),
        _count(e.c.withdrawn).label("withdrawn"),
        _count(e.c.decision == "chosen").label("accreditation_chosen"),
        _count(e.c.decision == "declined").label("accreditation_declined"),
        _count(e.c.decision.is_(None)).label("undecided"),
        _count(e.c.submitted).label("submitted"),
        _count(e.c.first_marked).label("first_marked"),
        _count(e.c.second_marked).label("second_marked"),
        _count(and_(e.c.first_marked, e.c.second_marked)).label("marked"),
        _count(e.c.moderated_internal).label("moderated_internal"),
        _count(e.c.moderated_external).label("moderated_external"),
        _count(e.c.passed).label("passed"),
        _count(e.c.referred).label("referred"),
        _count(e.c.pending).label("pending"),
        func.coalesce(func.sum(e.c.credits), 0).label("credits_awarded"),
    )
    if programme_id is not None:
        statement = statement.where(e.c.programme_id == programme_id)
    if cohort_id is not None:
        statement = statement.where(e.c.cohort_id == cohort_id)
    if year is not None:
        statement = statement.where(e.c.enrolled_year == year)
    if keys:
        statement = statement.group_by(*keys).order_by(*keys)
    with engine.connect() as conn:
        found = conn.execute(statement).mappings().all()
    reports = []
    for row in found:
        reports.append(
            FunnelCounts(
                programme_id=row.get("programme_id", programme_id),
                cohort_id=row.get("cohort_id", cohort_id),
                year=row.get("enrolled_year", year),
                **{k: int(row[k]) for k in _COUNTS},
            )
        )
    return reports


_COUNTS = (
    "enrolled",
    "withdrawn",
    "accreditation_chosen",
    "accreditation_declined",
    "undecided",
    "submitted",
    "first_marked",
    "second_marked",
    "marked",
    "moderated_internal",
    "moderated_external",
    "passed",
    "referred",
    "pending",
    "credits_awarded",
)


def known_scope(engine: Engine, *, programme_id: str | None, cohort_id: str | None) -> bool:
    """Whether the programme and cohort named (if any) exist in the view."""
    with engine.connect() as conn:
        if (
            programme_id is not None
            and conn.execute(
                select(courses.programme.c.programme_id).where(
                    courses.programme.c.programme_id == programme_id
                )
            ).first()
            is None
        ):
            return False
        return not (
            cohort_id is not None
            and conn.execute(
                select(courses.cohort.c.cohort_id).where(courses.cohort.c.cohort_id == cohort_id)
            ).first()
            is None
        )
