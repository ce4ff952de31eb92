"""The accreditation funnel split by an equality-monitoring group (ethnic group, BME, gender,
age band, disability): how a charity would see whether some people drop out of the path.

Rows are the groups and ``All``; columns the funnel's stages. The disclosure control knows
how the cells add up (each stage's ``All`` is the sum of the groups; enrolled = chose +
declined + undecided; submitted = passed + referred + pending), so a hidden cell cannot be
recovered by subtracting its neighbours in a row or a column.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from projections.equality import DIMENSIONS, Dimension
from projections.research_scope import load_scope
from projections.research_tables import Cell, ReportTable, publish, share
from projections.suppression import Relation, RuleSet

__all__ = ["STAGES", "funnel_by_group"]

STAGES = (
    "enrolled",
    "chose",
    "declined",
    "undecided",
    "submitted",
    "passed",
    "referred",
    "pending",
    "withdrawn",
)
ALL = "All"


def funnel_by_group(
    engine: Engine,
    *,
    rule: RuleSet,
    dimension: Dimension = "bme",
    programme_id: str | None = None,
    cohort_id: str | None = None,
    today: date | None = None,
) -> ReportTable:
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}")
    scope = load_scope(engine, programme_id=programme_id, cohort_id=cohort_id)
    counts: dict[str, dict[str, int]] = {}
    for e in scope.enrolments:
        person = scope.people.get(e["participant_id"])
        group = str(person[dimension]) if person else "Not stated"
        tally = counts.setdefault(group, dict.fromkeys(STAGES, 0))
        submitted = bool(e["submitted"])
        flags = {
            "enrolled": True,
            "chose": e["decision"] == "chosen",
            "declined": e["decision"] == "declined",
            "undecided": e["decision"] is None,
            "submitted": submitted,
            "passed": e["result"] == "pass",
            "referred": e["result"] == "refer",
            "pending": submitted and e["result"] not in ("pass", "refer"),
            "withdrawn": e["withdrawn_on"] is not None,
        }
        for stage, flag in flags.items():
            tally[stage] += flag
    groups = sorted(counts)
    cells: dict[str, int] = {}
    relations: list[Relation] = []
    for group in (*groups, ALL):
        for stage in STAGES:
            value = counts[group][stage] if group != ALL else sum(counts[g][stage] for g in groups)
            cells[f"{group}|{stage}"] = value
        relations.append(
            Relation(
                f"{group}|enrolled",
                tuple(f"{group}|{s}" for s in ("chose", "declined", "undecided")),
            )
        )
        relations.append(
            Relation(
                f"{group}|submitted",
                tuple(f"{group}|{s}" for s in ("passed", "referred", "pending")),
            )
        )
    if groups:
        for stage in STAGES:
            relations.append(Relation(f"{ALL}|{stage}", tuple(f"{g}|{stage}" for g in groups)))
    published = publish(cells, relations, rule)
    values = published.values
    rows: list[dict[str, Cell]] = []
    for group in (*groups, ALL):
        row: dict[str, Cell] = {"group": group}
        row.update({stage: values[f"{group}|{stage}"] for stage in STAGES})
        row["passed_of_enrolled"] = share(row["passed"], row["enrolled"])
        row["submitted_of_enrolled"] = share(row["submitted"], row["enrolled"])
        rows.append(row)
    return ReportTable(
        name="funnel_by_group",
        title=f"The accreditation funnel by {dimension.replace('_', ' ')}",
        columns=("group", *STAGES, "passed_of_enrolled", "submitted_of_enrolled"),
        rows=tuple(rows),
        receipt=published.receipt,
        notes=(
            "One row per enrolment's group; chose, declined and undecided add up to enrolled; "
            "passed, referred and pending add up to submitted.",
            "Shares are computed from the published (rounded) counts.",
        ),
    )
