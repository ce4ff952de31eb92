"""Cohort outcome views: who has had each outcome, by months since the course ended.

Only enrolments whose course has ended count. A person is *observed* at ``m`` months when
the ledger heard from or about them at or after that point (a follow-up contact, or an
outcome that began or ended then): the shares at ``m`` are over the people observed at ``m``,
never over everyone (silence is not a "no"). At each point:

- *ever*: observed, with an outcome of the category begun on or before the point;
- *currently*: observed, with such an outcome not ended by the point (roles have end dates).

Time to first outcome bands each observed person by the months from the course's end to
their first outcome (or "none yet"); the bands add up to the people observed after the
course, a relation the disclosure control keeps.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Engine

from journey.values import OUTCOME_CATEGORIES
from projections.outcome_report import months_between
from projections.research_scope import ScopeData, load_scope
from projections.research_tables import Cell, ReportTable, publish, share
from projections.suppression import HIDDEN, Relation, RuleSet

__all__ = ["FIRST_OUTCOME_BANDS", "outcome_curves", "time_to_first_outcome"]

ANY = "any"
FIRST_OUTCOME_BANDS = ("during course", "0-6", "6-12", "12-24", "24+", "none yet")


def _ended(scope: ScopeData, today: date) -> list[dict[str, Any]]:
    return [e for e in scope.enrolments if e["course_ended_on"] <= today]


def _last_heard(enrolment: dict[str, Any], entries: Sequence[dict[str, Any]]) -> int | None:
    """Months from the course's end to the last time the ledger heard of the person."""
    end: date = enrolment["course_ended_on"]
    heard = [e["occurred_on"] for e in entries if e["kind"] in ("follow_up", "outcome")]
    heard += [e["ended_on"] for e in entries if e["kind"] == "outcome" and e["ended_on"]]
    after = [months_between(end, d) for d in heard if d >= end]
    return max(after) if after else None


def _points(last: list[int | None], step: int) -> list[int]:
    known = [m for m in last if m is not None]
    top = max(known) if known else 0
    return list(range(0, top + 1, step))


def outcome_curves(
    engine: Engine,
    *,
    rule: RuleSet,
    today: date,
    programme_id: str | None = None,
    cohort_id: str | None = None,
    step_months: int = 6,
) -> ReportTable:
    """Per point (every ``step_months`` months after the course) and category (``any`` first):
    people observed, and how many of them ever and currently had that outcome."""
    scope = load_scope(engine, programme_id=programme_id, cohort_id=cohort_id)
    enrolments = _ended(scope, today)
    last = [_last_heard(e, scope.entries_of(e)) for e in enrolments]
    cells: dict[str, int] = {}
    keys: list[tuple[int, str]] = []
    for m in _points(last, step_months):
        observed = [
            (e, scope.entries_of(e)) for e, heard in zip(enrolments, last, strict=True)
            if heard is not None and heard >= m
        ]  # fmt: skip
        cells[f"{m}:observed"] = len(observed)
        for category in (ANY, *OUTCOME_CATEGORIES):
            ever = current = 0
            for enrolment, entries in observed:
                end: date = enrolment["course_ended_on"]
                had = [
                    o for o in entries
                    if o["kind"] == "outcome" and category in (ANY, o["category"])
                    and months_between(end, o["occurred_on"]) <= m
                ]  # fmt: skip
                ever += bool(had)
                current += any(
                    o["ended_on"] is None or months_between(end, o["ended_on"]) > m for o in had
                )
            cells[f"{m}:{category}:ever"] = ever
            cells[f"{m}:{category}:current"] = current
            keys.append((m, category))
    # A category nobody in scope has had is left out rather than listed as zeros.
    seen = {c for m, c in keys if cells[f"{m}:{c}:ever"]} | {ANY}
    keys = sorted(
        ((m, c) for m, c in keys if c in seen), key=lambda k: (_category_order(k[1]), k[0])
    )
    cells = {k: v for k, v in cells.items() if k.endswith("observed") or k.split(":")[1] in seen}
    published = publish(cells, (), rule)
    values = published.values
    rows: list[dict[str, Cell]] = []
    for m, category in keys:
        observed_n = values[f"{m}:observed"]
        ever_n = values.get(f"{m}:{category}:ever", 0)
        current_n = values.get(f"{m}:{category}:current", 0)
        rows.append(
            {
                "months_after_course": m,
                "category": category,
                "observed": observed_n,
                "ever": ever_n,
                "ever_share": share(ever_n, observed_n),
                "currently": current_n,
                "currently_share": share(current_n, observed_n),
            }
        )
    return ReportTable(
        name="outcome_curves",
        title="Outcomes by months since the course ended, over the people observed then",
        columns=tuple(rows[0]) if rows else ("months_after_course", "category", "observed"),
        rows=tuple(rows),
        receipt=published.receipt,
        notes=(
            f"{len(enrolments)} enrolments whose course has ended; a person counts at a point "
            "only if the ledger heard from or about them at or after it.",
            "Shares are computed from the published (rounded) counts.",
        ),
    )


def _category_order(category: str) -> int:
    return -1 if category == ANY else OUTCOME_CATEGORIES.index(category)


def _band(months: int, during: bool) -> str:
    if during:
        return "during course"
    for limit, band in ((6, "0-6"), (12, "6-12"), (24, "12-24")):
        if months < limit:
            return band
    return "24+"


def time_to_first_outcome(
    engine: Engine,
    *,
    rule: RuleSet,
    today: date,
    programme_id: str | None = None,
    cohort_id: str | None = None,
) -> ReportTable:
    """How long after the course people's first outcome came, among those observed after it;
    and the median months among those with one after the course."""
    scope = load_scope(engine, programme_id=programme_id, cohort_id=cohort_id)
    counts = dict.fromkeys(FIRST_OUTCOME_BANDS, 0)
    months_to_first: list[int] = []
    for enrolment in _ended(scope, today):
        entries = scope.entries_of(enrolment)
        if _last_heard(enrolment, entries) is None:
            continue  # never heard of after the course: not observed
        end: date = enrolment["course_ended_on"]
        starts = sorted(o["occurred_on"] for o in entries if o["kind"] == "outcome")
        if not starts:
            counts["none yet"] += 1
            continue
        first = starts[0]
        months = max(0, months_between(end, first))
        counts[_band(months, first <= end)] += 1
        if first > end:
            months_to_first.append(months)
    cells = {**counts, "observed": sum(counts.values())}
    published = publish(cells, (Relation("observed", FIRST_OUTCOME_BANDS),), rule)
    values = published.values
    rows: list[dict[str, Cell]] = [
        {"band": band, "people": values[band], "share": share(values[band], values["observed"])}
        for band in (*FIRST_OUTCOME_BANDS, "observed")
    ]
    median: float | None = statistics.median(months_to_first) if months_to_first else None
    withheld = rule.hide_up_to and len(months_to_first) <= rule.hide_up_to
    notes = [
        "Among people the ledger heard from or about after their course ended.",
        (
            "Median months to a first outcome after the course: withheld (too few people)."
            if withheld
            else f"Median months to a first outcome after the course: {median}."
        ),
    ]
    people = publish({"n": len(months_to_first)}, (), rule).values["n"]
    rows.append(
        {
            "band": "median months (first outcome after the course)",
            "people": HIDDEN if withheld else people,
            "share": None if withheld else median,
        }
    )
    return ReportTable(
        name="time_to_first_outcome",
        title="Time from the end of the course to the first outcome",
        columns=("band", "people", "share"),
        rows=tuple(rows),
        receipt=published.receipt,
        notes=tuple(notes),
    )
