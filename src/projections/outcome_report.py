"""Reading outcomes: a participant's timeline, and outcome counts per category and period."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from projections.outcomes import enrolment_table, entry_table

__all__ = [
    "PERIODS",
    "OutcomeCounts",
    "TimelineEntry",
    "months_between",
    "outcome_counts",
    "period_after",
    "read_timeline",
]

PERIODS = ("during", "0-6", "6-12", "12-24", "24+")


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (negative if ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if months > 0 and end.day < start.day:
        months -= 1
    elif months < 0 and end.day > start.day:
        months += 1
    return months


def period_after(course_ended_on: date, occurred_on: date) -> str:
    """The report period of something that happened on ``occurred_on``."""
    if occurred_on <= course_ended_on:
        return "during"
    months = months_between(course_ended_on, occurred_on)
    if months < 6:
        return "0-6"
    if months < 12:
        return "6-12"
    if months < 24:
        return "12-24"
    return "24+"


def _attributed(enrolments: list[Any], when: date) -> Any | None:
    """The enrolment an entry belongs to: the latest begun on or before it (ties: the last
    id), as the timeline shows it."""
    current = [e for e in enrolments if e["enrolled_on"] <= when]
    return current[-1] if current else None


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    occurred_on: date
    cohort_id: str | None
    months_since_enrolment: int | None
    months_since_course_ended: int | None
    fields: dict[str, Any]


def read_timeline(engine: Engine, participant_id: str) -> tuple[TimelineEntry, ...]:
    """Every outcome, follow-up, feedback quote and wellbeing score of one participant, in
    the order they happened. Months are counted from the latest enrolment begun on or before
    the entry (the course the person was on, or had last done)."""
    with engine.connect() as conn:
        enrolments = (
            conn.execute(
                select(enrolment_table)
                .where(enrolment_table.c.participant_id == participant_id)
                .order_by(enrolment_table.c.enrolled_on, enrolment_table.c.cohort_id)
            )
            .mappings()
            .all()
        )
        entries = (
            conn.execute(
                select(entry_table)
                .where(entry_table.c.participant_id == participant_id)
                .order_by(entry_table.c.occurred_on, entry_table.c.version)
            )
            .mappings()
            .all()
        )
    timeline = []
    for entry in entries:
        when: date = entry["occurred_on"]
        enrolment = _attributed(list(enrolments), when)
        fields = {
            k: v
            for k, v in entry.items()
            if v is not None and k not in ("participant_id", "version", "kind", "occurred_on")
        }
        timeline.append(
            TimelineEntry(
                kind=entry["kind"],
                occurred_on=when,
                cohort_id=enrolment["cohort_id"] if enrolment else None,
                months_since_enrolment=(
                    months_between(enrolment["enrolled_on"], when) if enrolment else None
                ),
                months_since_course_ended=(
                    months_between(enrolment["course_ended_on"], when) if enrolment else None
                ),
                fields=fields,
            )
        )
    return tuple(timeline)


@dataclass(frozen=True)
class OutcomeCounts:
    programme_id: str | None
    cohort_id: str | None
    participants: int
    followed_up: int
    with_outcome: int
    by_category: dict[str, int]
    by_period: dict[str, dict[str, int]]  # category -> period -> count


def outcome_counts(
    engine: Engine, *, programme_id: str | None = None, cohort_id: str | None = None
) -> OutcomeCounts:
    """Outcomes of the participants enrolled on the cohorts in scope, counted per category
    and per period after each enrolment's course ended."""
    e = enrolment_table
    scoped = select(e)
    if programme_id is not None:
        scoped = scoped.where(e.c.programme_id == programme_id)
    if cohort_id is not None:
        scoped = scoped.where(e.c.cohort_id == cohort_id)
    with engine.connect() as conn:
        in_scope = conn.execute(scoped).mappings().all()
        ids = sorted({r["participant_id"] for r in in_scope})
        enrolments: list[Any] = []
        entries: list[Any] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            enrolments.extend(
                conn.execute(
                    select(e)
                    .where(e.c.participant_id.in_(chunk))
                    .order_by(e.c.enrolled_on, e.c.cohort_id)
                )
                .mappings()
                .all()
            )
            entries.extend(
                conn.execute(
                    select(
                        entry_table.c.participant_id,
                        entry_table.c.kind,
                        entry_table.c.category,
                        entry_table.c.occurred_on,
                    ).where(
                        entry_table.c.participant_id.in_(chunk),
                        entry_table.c.kind.in_(("outcome", "follow_up")),
                    )
                )
                .mappings()
                .all()
            )
    scope_keys = {(r["participant_id"], r["cohort_id"]) for r in in_scope}
    by_person: dict[str, list[Any]] = {}
    for enrolment in enrolments:
        by_person.setdefault(enrolment["participant_id"], []).append(enrolment)
    by_category: Counter[str] = Counter()
    by_period: dict[str, Counter[str]] = {}
    followed: set[str] = set()
    with_outcome: set[str] = set()
    for entry in entries:
        pid = entry["participant_id"]
        enrolment = _attributed(by_person.get(pid, []), entry["occurred_on"])
        if enrolment is None or (pid, enrolment["cohort_id"]) not in scope_keys:
            continue  # before any course, or belongs to a course outside the scope
        if entry["kind"] == "follow_up":
            followed.add(pid)
            continue
        with_outcome.add(pid)
        period = period_after(enrolment["course_ended_on"], entry["occurred_on"])
        by_category[entry["category"]] += 1
        by_period.setdefault(entry["category"], Counter())[period] += 1
    return OutcomeCounts(
        programme_id=programme_id,
        cohort_id=cohort_id,
        participants=len(ids),
        followed_up=len(followed),
        with_outcome=len(with_outcome),
        by_category=dict(sorted(by_category.items())),
        by_period={
            c: {p: counts.get(p, 0) for p in PERIODS} for c, counts in sorted(by_period.items())
        },
    )
