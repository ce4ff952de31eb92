"""Wellbeing change on each scale: baseline, end-of-course and follow-up means with their n,
and, for paired responses (the same person at baseline and later), the mean change and the
share whose change reaches the scale's meaningful-change threshold.

Scores are analysed as the scale definition says (:mod:`journey.scales`: the raw total, or its
converted metric score). Change figures need at least ``min_pairs`` paired responses; below
that they are refused, with the reason, because a cohort-level change on a handful of people
is noise (and, for researchers, close to individual data).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine

from journey.scales import ScaleDefinition
from journey.values import WELLBEING_TIMEPOINTS
from projections.research_scope import load_scope
from projections.research_tables import Cell, ReportTable, publish, share
from projections.suppression import HIDDEN, Relation, RuleSet

__all__ = ["wellbeing_change"]

LATER = ("end", "follow_up")


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def wellbeing_change(
    engine: Engine,
    *,
    rule: RuleSet,
    scales: Mapping[str, ScaleDefinition],
    min_pairs: int,
    programme_id: str | None = None,
    cohort_id: str | None = None,
) -> ReportTable:
    scope = load_scope(engine, programme_id=programme_id, cohort_id=cohort_id)
    # Per enrolment and scale: the first score at each timepoint.
    firsts: dict[str, list[dict[str, float]]] = {}
    for enrolment in scope.enrolments:
        by_scale: dict[str, dict[str, float]] = {}
        for entry in scope.entries_of(enrolment):
            definition = scales.get(entry["scale"]) if entry["kind"] == "wellbeing" else None
            if definition is None:
                continue  # not a score, or a scale no longer defined
            points = by_scale.setdefault(definition.name, {})
            points.setdefault(entry["timepoint"], definition.metric(entry["score"]))
        for name, points in by_scale.items():
            firsts.setdefault(name, []).append(points)
    rows: list[dict[str, Cell]] = []
    cells: dict[str, int] = {}
    relations: list[Relation] = []
    notes: list[str] = []
    for name in sorted(firsts):
        definition = scales[name]
        people = firsts[name]
        for point in WELLBEING_TIMEPOINTS:
            scores = [p[point] for p in people if point in p]
            cells[f"{name}|{point}|n"] = len(scores)
            rows.append(_row(name, point, scores))
        for later in LATER:
            pairs = [(p["baseline"], p[later]) for p in people if "baseline" in p and later in p]
            row, counted = _change(definition, later, pairs, min_pairs)
            rows.append(row)
            if counted:
                key = f"{name}|baseline->{later}"
                cells.update({f"{key}|{k}": v for k, v in counted.items()})
                relations.append(
                    Relation(
                        f"{key}|pairs",
                        tuple(f"{key}|{k}" for k in ("improved", "worsened", "unchanged")),
                    )
                )
        notes.append(
            f"{name}: scores are "
            + ("converted metric scores" if definition.converted else "raw totals")
            + (
                f"; meaningful change is {definition.meaningful_change:g} points"
                if definition.meaningful_change is not None
                else "; the scale definition gives no meaningful-change threshold"
            )
            + "."
        )
    published = publish(cells, relations, rule)
    values = published.values
    for row in rows:
        key = str(row.pop("_key"))
        for field in ("n", "pairs", "improved", "worsened", "unchanged"):
            if f"{key}|{field}" in values:
                row[field] = values[f"{key}|{field}"]
        if row.get("n") == HIDDEN or row.get("pairs") == HIDDEN:
            row.update(mean=None, baseline_mean=None, later_mean=None, mean_change=None)
        if row.get("improved") == HIDDEN or row.get("pairs") == HIDDEN:
            row["improved_share"] = None
        else:
            row["improved_share"] = share(row.get("improved"), row.get("pairs"))
    notes.append(f"Change figures need at least {min_pairs} paired responses.")
    return ReportTable(
        name="wellbeing_change",
        title="Wellbeing at baseline, end of course and follow-up, and paired change",
        columns=(
            "scale", "measure", "n", "mean", "pairs", "baseline_mean", "later_mean",
            "mean_change", "improved", "worsened", "unchanged", "improved_share", "refused",
        ),
        rows=tuple(rows),
        receipt=published.receipt,
        notes=tuple(notes),
    )  # fmt: skip


def _row(name: str, point: str, scores: list[float]) -> dict[str, Cell]:
    return {
        "_key": f"{name}|{point}",
        "scale": name,
        "measure": point,
        "n": len(scores),
        "mean": _mean(scores),
        "pairs": None,
        "baseline_mean": None,
        "later_mean": None,
        "mean_change": None,
        "improved": None,
        "worsened": None,
        "unchanged": None,
        "improved_share": None,
        "refused": None,
    }


def _change(
    definition: ScaleDefinition, later: str, pairs: list[tuple[float, float]], min_pairs: int
) -> tuple[dict[str, Cell], dict[str, int]]:
    key = f"{definition.name}|baseline->{later}"
    row: dict[str, Any] = {
        **_row(definition.name, f"change baseline to {later}", []),
        "_key": key,
        "n": None,
        "mean": None,
    }
    if len(pairs) < min_pairs:
        row["refused"] = (
            f"fewer than {min_pairs} paired responses (baseline and {later}): change "
            "figures for a group this small are not given"
        )
        return row, {}
    threshold = definition.meaningful_change
    changes = [b - a for a, b in pairs]
    row.update(
        baseline_mean=_mean([a for a, _ in pairs]),
        later_mean=_mean([b for _, b in pairs]),
        mean_change=_mean(changes),
    )
    if threshold is None:
        row["refused"] = "no meaningful-change threshold in the scale definition: shares not given"
        return row, {"pairs": len(pairs)}
    improved = sum(c >= threshold for c in changes)
    worsened = sum(c <= -threshold for c in changes)
    return row, {
        "pairs": len(pairs),
        "improved": improved,
        "worsened": worsened,
        "unchanged": len(pairs) - improved - worsened,
    }
