"""Everything the read models answer, captured so that two databases can be compared.

:func:`public_views` calls every public read function for every scope of a history (each
cohort's register, the funnel whole and grouped, outcome counts overall and per programme and
cohort, every participant's timeline, the moderation queue); :func:`raw_tables` reads every
row of every projection table and of the tracking table, ordered by primary key.
:func:`assert_same` names each view that differs and shows the first difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Table, select

from projections.action_plans import read_action_plans
from projections.funnel_report import GroupBy, funnel_report
from projections.moderation import read_queue
from projections.outcome_report import outcome_counts, read_timeline
from projections.register import read_register
from projections.runner import ALL_PROJECTIONS
from projections.staff_costs import cost_per_learner
from projections.staff_evaluations import evaluation_summary, outcome_summary
from projections.staff_reach import workforce_reach
from projections.tracking import tracking_table
from projections.trainer_activity import expenses_outstanding, trainer_activity

__all__ = [
    "GROUPINGS",
    "Scope",
    "all_tables",
    "assert_same",
    "public_views",
    "raw_tables",
    "snapshot",
    "staff_views",
]


GROUPINGS: tuple[GroupBy, ...] = ("cohort", "programme", "year")


@dataclass(frozen=True)
class Scope:
    """The ids a history has: which registers, reports and timelines to read."""

    cohorts: tuple[str, ...]
    programmes: tuple[str, ...]
    participants: tuple[UUID, ...]
    today: date

    @classmethod
    def of(cls, walk: Any, today: date) -> Scope:
        return cls(
            tuple(walk.cohort_ids), tuple(walk.programme_ids), tuple(walk.participants), today
        )


def all_tables() -> list[Table]:
    return [tracking_table, *(t for cls in ALL_PROJECTIONS for t in cls.tables())]


def public_views(engine: Engine, scope: Scope) -> dict[str, Any]:
    views: dict[str, Any] = {}
    for cohort in scope.cohorts:
        views[f"register {cohort}"] = read_register(engine, cohort)
    views["funnel"] = funnel_report(engine)
    for group in GROUPINGS:
        views[f"funnel by {group}"] = funnel_report(engine, group_by=group)
    for programme in scope.programmes:
        views[f"funnel of {programme}"] = funnel_report(engine, programme_id=programme)
        views[f"outcomes of {programme}"] = outcome_counts(engine, programme_id=programme)
    for year in (2021, 2023, 2024):
        views[f"funnel of {year}"] = funnel_report(engine, year=year)
    views["outcomes"] = outcome_counts(engine)
    for cohort in scope.cohorts:
        views[f"outcomes of {cohort}"] = outcome_counts(engine, cohort_id=cohort)
    for pid in scope.participants:
        views[f"timeline {pid}"] = read_timeline(engine, str(pid))
    views["queue"] = read_queue(engine, today=scope.today)
    for cohort in scope.cohorts:
        views[f"queue of {cohort}"] = read_queue(engine, today=scope.today, cohort_id=cohort)
    views.update(staff_views(engine, scope.today))
    return views


def staff_views(engine: Engine, today: date) -> dict[str, Any]:
    """Every staff-training view: reach (now and on two dates), evaluations per session and
    per outcome, action plans (all, open, closed), trainer activity, expenses, costs."""
    views: dict[str, Any] = {"reach": workforce_reach(engine)}
    for on in (date(2023, 6, 30), today):
        views[f"reach on {on}"] = workforce_reach(engine, on=on)
    views["evaluations"] = evaluation_summary(engine)
    views["evaluations by outcome"] = outcome_summary(engine)
    views["action plans"] = read_action_plans(engine, today=today)
    for status in ("open", "closed"):
        views[f"{status} action plans"] = read_action_plans(engine, today=today, status=status)
    views["trainer activity"] = trainer_activity(engine)
    views["expenses outstanding"] = expenses_outstanding(engine, today=today)
    views["cost per learner"] = cost_per_learner(engine)
    return views


def raw_tables(engine: Engine, tables: Iterable[Table] | None = None) -> dict[str, list[Any]]:
    """Every row of every table (SELECT * ordered by primary key)."""
    rows: dict[str, list[Any]] = {}
    with engine.connect() as conn:
        for table in all_tables() if tables is None else tables:
            order = list(table.primary_key.columns)
            rows[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return rows


def snapshot(engine: Engine, scope: Scope) -> dict[str, Any]:
    """The public views and the raw tables, in one mapping (raw tables as ``table NAME``)."""
    found = public_views(engine, scope)
    found.update({f"table {k}": v for k, v in raw_tables(engine).items()})
    return found


def assert_same(
    actual: Mapping[str, Any], expected: Mapping[str, Any], *, context: str = ""
) -> None:
    """Fail naming every view that differs, showing the first difference in full."""
    differing = [k for k in sorted(set(actual) | set(expected)) if actual.get(k) != expected.get(k)]
    if not differing:
        return
    first = differing[0]
    got, want = actual.get(first), expected.get(first)
    message = [
        f"{len(differing)} of {len(expected)} views differ{f' ({context})' if context else ''}: "
        + ", ".join(differing[:12]),
        f"first, {first!r}:",
    ]
    if isinstance(got, list) and isinstance(want, list):
        message += [f"  only in actual:   {r!r}" for r in got if r not in want]
        message += [f"  only in expected: {r!r}" for r in want if r not in got]
        if len(got) == len(want) and set(map(repr, got)) == set(map(repr, want)):
            message.append("  (the same rows in another order)")
    message += [f"  actual:   {got!r}", f"  expected: {want!r}"]
    raise AssertionError("\n".join(message))
