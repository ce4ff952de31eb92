"""The demo reproduces the Voices Together paper's figures, and the funnel view shows them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from api.compose import Services, build_services
from api.settings import Settings
from journey.demo import load_demo
from projections.funnel_report import FunnelCounts, funnel_report

TODAY = date(2024, 6, 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    data: Path = tmp_path_factory.mktemp("demo")
    services = build_services(Settings(data_dir=data), clock=lambda: TODAY)
    load_demo(services.ledger, today=TODAY)
    services.runner.catch_up()
    yield services
    services.close()


def _sum(reports: list[FunnelCounts], field: str) -> int:
    return sum(int(getattr(r, field)) for r in reports)


def test_completed_cohorts_show_the_papers_funnel(demo: Services) -> None:
    current = _current(demo)
    completed = [
        r for r in funnel_report(demo.engine, group_by="cohort") if r.cohort_id not in current
    ]
    assert len(completed) == 4
    assert _sum(completed, "enrolled") == 43
    assert _sum(completed, "submitted") == 15
    assert _sum(completed, "passed") == 9
    assert _sum(completed, "pending") == 6
    assert _sum(completed, "credits_awarded") == 9 * 30


def test_current_cohorts_have_32_on_the_programme_and_no_submissions(demo: Services) -> None:
    cohorts = _current(demo)
    current = [r for r in funnel_report(demo.engine, group_by="cohort") if r.cohort_id in cohorts]
    assert len(current) == 2
    assert _sum(current, "enrolled") == 32
    assert _sum(current, "submitted") == 0


def test_the_programme_pass_rate_is_stated_with_its_denominators(demo: Services) -> None:
    (programme,) = funnel_report(demo.engine, programme_id="voices-together")
    final, submitted, enrolled = programme.rates()
    assert (final.numerator, final.denominator) == (9, 9)  # the paper's "100 per cent"
    assert (submitted.numerator, submitted.denominator) == (9, 15)
    assert (enrolled.numerator, enrolled.denominator) == (9, 43 + 32)
    assert "final results" in final.definition


def _current(services: Services) -> set[str]:
    """Cohorts whose last training day is after the scenario's today."""
    current = set()
    for report in funnel_report(services.engine, group_by="cohort"):
        assert report.cohort_id is not None
        if services.ledger.get_cohort(report.cohort_id).session_dates[-1] > TODAY:
            current.add(report.cohort_id)
    return current
