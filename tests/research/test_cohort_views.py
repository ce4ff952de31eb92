"""The cohort outcome views, on a cohort whose figures are known by hand (research_support)."""

from __future__ import annotations

from typing import Any

import pytest

from api.compose import Services
from projections.cohort_outcomes import outcome_curves, time_to_first_outcome
from projections.equality_funnel import funnel_by_group
from projections.research_tables import ReportTable
from projections.suppression import HIDDEN, RULE_SETS
from projections.wellbeing_change import wellbeing_change

from .research_support import COHORT, PROGRAMME, TODAY

EXACT = RULE_SETS["exact"]
STANDARD = RULE_SETS["standard"]


def _row(table: ReportTable, **match: Any) -> dict[str, Any]:
    (found,) = [r for r in table.rows if all(r[k] == v for k, v in match.items())]
    return dict(found)


def test_shares_are_over_the_people_observed_at_each_point(seeded: Services) -> None:
    table = outcome_curves(seeded.engine, rule=EXACT, today=TODAY, cohort_id=COHORT)
    # Heard of after the course: 0-8 (8 only through an outcome at 2 months); 0-7 at 7
    # months; 0-3 at 14. Nobody else is counted as a "no".
    assert [r["observed"] for r in table.rows if r["category"] == "any"] == [9, 8, 4]
    assert _row(table, category="any", months_after_course=6)["ever"] == 2
    assert _row(table, category="any", months_after_course=6)["ever_share"] == 0.25
    twelve = _row(table, category="any", months_after_course=12)
    assert (twelve["ever"], twelve["currently"], twelve["ever_share"]) == (3, 2, 0.75)


def test_ever_and_currently_follow_a_roles_end_date(seeded: Services) -> None:
    table = outcome_curves(seeded.engine, rule=EXACT, today=TODAY, cohort_id=COHORT)
    at_6 = _row(table, category="chair", months_after_course=6)
    at_12 = _row(table, category="chair", months_after_course=12)
    assert (at_6["ever"], at_6["currently"]) == (1, 1)
    assert (at_12["ever"], at_12["currently"]) == (1, 0)  # the chair ended at 10 months
    assert not [r for r in table.rows if r["category"] == "treasurer"]  # nobody: left out


def test_time_to_first_outcome(seeded: Services) -> None:
    table = time_to_first_outcome(seeded.engine, rule=EXACT, today=TODAY, cohort_id=COHORT)
    people = {r["band"]: r["people"] for r in table.rows}
    assert people["0-6"] == 3
    assert people["12-24"] == 1
    assert people["none yet"] == 5
    assert people["observed"] == 9
    assert _row(table, band="median months (first outcome after the course)")["share"] == 4.0


def test_the_funnel_by_ethnic_group_with_exact_figures(seeded: Services) -> None:
    table = funnel_by_group(seeded.engine, rule=EXACT, dimension="bme", cohort_id=COHORT)
    white = _row(table, group="White")
    assert [white[s] for s in ("enrolled", "chose", "declined", "submitted", "passed")] == [
        6, 5, 1, 5, 4,
    ]  # fmt: skip
    assert white["referred"] == 1
    bme = _row(table, group="Black and minority ethnic")
    assert (bme["enrolled"], bme["declined"], bme["undecided"], bme["submitted"]) == (5, 2, 3, 0)
    everyone = _row(table, group="All")
    assert (everyone["enrolled"], everyone["withdrawn"]) == (12, 1)
    assert table.receipt.rule_set == "exact"
    assert table.receipt.suppressed == 0


def test_the_funnel_for_researchers_hides_small_cells_and_their_neighbours(
    seeded: Services,
) -> None:
    table = funnel_by_group(seeded.engine, rule=STANDARD, dimension="bme", cohort_id=COHORT)
    cells = [v for r in table.rows for k, v in r.items() if k not in ("group",) and "_of_" not in k]
    assert HIDDEN in cells
    assert all(
        v == HIDDEN or (isinstance(v, int) and v % 5 == 0 and not 1 <= v <= 7) for v in cells
    )
    assert table.receipt.suppressed_primary > 0
    assert _row(table, group="All")["enrolled"] == 10  # 12, rounded


def test_wellbeing_change_with_enough_pairs(seeded: Services) -> None:
    table = wellbeing_change(
        seeded.engine, rule=EXACT, scales=seeded.scales, min_pairs=5, cohort_id=COHORT
    )
    assert [(_row(table, measure=m)["n"]) for m in ("baseline", "end", "follow_up")] == [12, 10, 4]
    change = _row(table, measure="change baseline to end")
    assert (change["pairs"], change["improved"], change["unchanged"]) == (10, 9, 1)
    assert change["mean_change"] == 4.6
    assert change["improved_share"] == 0.9
    refused = _row(table, measure="change baseline to follow_up")
    assert refused["mean_change"] is None
    assert "fewer than 5 paired responses" in str(refused["refused"])


def test_wellbeing_change_is_refused_below_the_minimum(seeded: Services) -> None:
    table = wellbeing_change(
        seeded.engine, rule=STANDARD, scales=seeded.scales, min_pairs=30, programme_id=PROGRAMME
    )
    change = _row(table, measure="change baseline to end")
    assert change["mean_change"] is None
    assert change["improved"] is None
    assert "fewer than 30 paired responses" in str(change["refused"])


@pytest.mark.parametrize("dimension", ["ethnic_group", "gender", "age_band", "disability"])
def test_every_dimension_adds_up(seeded: Services, dimension: str) -> None:
    table = funnel_by_group(seeded.engine, rule=EXACT, dimension=dimension, cohort_id=COHORT)  # type: ignore[arg-type]
    groups = [r for r in table.rows if r["group"] != "All"]
    assert sum(int(r["enrolled"]) for r in groups) == 12  # type: ignore[arg-type]
