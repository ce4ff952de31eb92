"""The demo gives researchers a sensible picture: the paper's funnel split by group adds up,
outcome curves rise over the people observed, and small groups are hidden from researchers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from api.compose import Services, build_services
from api.settings import Settings
from journey.demo import load_demo
from projections.cohort_outcomes import outcome_curves
from projections.equality_funnel import funnel_by_group
from projections.suppression import HIDDEN, RULE_SETS

TODAY = date(2024, 6, 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    data: Path = tmp_path_factory.mktemp("demo-research")
    services = build_services(Settings(data_dir=data), clock=lambda: TODAY)
    load_demo(services.ledger, today=TODAY)
    services.runner.catch_up()
    yield services
    services.close()


def test_the_papers_funnel_by_ethnic_group_adds_up(demo: Services) -> None:
    table = funnel_by_group(demo.engine, rule=RULE_SETS["exact"], programme_id="voices-together")
    (everyone,) = [r for r in table.rows if r["group"] == "All"]
    assert (everyone["enrolled"], everyone["submitted"], everyone["passed"]) == (75, 15, 9)
    assert everyone["pending"] == 6
    groups = [r for r in table.rows if r["group"] != "All"]
    assert sum(int(r["passed"]) for r in groups) == 9  # type: ignore[arg-type]
    assert {r["group"] for r in groups} >= {"White", "Black and minority ethnic"}


def test_outcomes_rise_over_those_observed(demo: Services) -> None:
    table = outcome_curves(
        demo.engine, rule=RULE_SETS["exact"], today=TODAY, programme_id="voices-together"
    )
    shares = [r["ever_share"] for r in table.rows if r["category"] == "any"]
    observed = [r["observed"] for r in table.rows if r["category"] == "any"]
    assert shares[0] == 0.0
    assert shares == sorted(shares)  # cumulative among those still observed
    assert observed == sorted(observed, reverse=True)
    assert observed[0] < 43  # silence is not a no: not everyone was heard from


def test_a_cohort_is_mostly_hidden_from_researchers(demo: Services) -> None:
    table = funnel_by_group(demo.engine, rule=RULE_SETS["standard"], cohort_id="vt-grays-2021")
    assert table.receipt.suppressed > 0
    cells = [v for r in table.rows for k, v in r.items() if k != "group" and "_of_" not in k]
    assert HIDDEN in cells
