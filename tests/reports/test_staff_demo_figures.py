"""The staff-training demo reproduces the NICE document's figures, and the views show them:
more than 600 learners, 359 staff and 243 service users, about half of the workforce."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from api.compose import Services, build_services
from api.settings import Settings
from journey.application import JourneyLedger
from journey.demo import load_demo
from journey.demo_staff import load_staff_demo
from journey.errors import AlreadyExists
from journey.persistence import store_env
from projections.action_plans import read_action_plans
from projections.funnel_report import funnel_report
from projections.staff_costs import cost_per_learner
from projections.staff_evaluations import evaluation_summary
from projections.staff_reach import workforce_reach
from projections.trainer_activity import expenses_outstanding, trainer_activity

TODAY = date(2024, 6, 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    data: Path = tmp_path_factory.mktemp("staff-demo")
    services = build_services(Settings(data_dir=data), clock=lambda: TODAY)
    load_demo(services.ledger, today=TODAY)
    load_staff_demo(services.ledger, today=TODAY)
    services.runner.catch_up()
    yield services
    services.close()


def test_the_reach_view_shows_359_staff_and_243_service_users(demo: Services) -> None:
    reach = workforce_reach(demo.engine, on=TODAY)
    assert (reach.staff, reach.service_users) == (359, 243)
    assert reach.learners == 602 > 600  # the NICE page's own total
    assert sum(r.staff for r in reach.regions) == 359
    assert sum(t.staff + t.service_users for t in reach.teams) == 602


def test_about_half_of_the_workforce_was_trained(demo: Services) -> None:
    reach = workforce_reach(demo.engine, on=TODAY)
    assert reach.workforce == 740
    assert reach.staff_in_counted_regions == 359
    assert reach.share_trained == round(359 / 740, 4)
    assert reach.share_trained is not None
    assert 0.45 < reach.share_trained < 0.5
    # A year into the roll-out, fewer had been trained.
    earlier = workforce_reach(demo.engine, on=date(2022, 6, 1))
    assert earlier.staff < 359


def test_trainers_include_pilots_and_former_participants_who_co_facilitate(
    demo: Services,
) -> None:
    activity = trainer_activity(demo.engine)
    assert activity.sessions_delivered == 30
    assert activity.former_participant_trainers == 3
    assert activity.sessions_with_former_participant > 0
    pilots = [t for t in activity.trainers if t.pilot]
    assert len(pilots) == 2
    assert all(t.trained_on is None for t in pilots)
    assert all(t.trained_on is not None for t in activity.trainers if not t.pilot)


def test_every_claim_is_paid_or_rejected_except_the_newest_which_show_their_age(
    demo: Services,
) -> None:
    expenses = expenses_outstanding(demo.engine, today=TODAY)
    assert expenses.claims_by_status["rejected"] == 1
    assert expenses.open_claims, "the newest claims are still being processed"
    assert all(c.age_days < 21 for c in expenses.open_claims)
    assert expenses.oldest_days == max(c.age_days for c in expenses.open_claims)


def test_evaluations_action_plans_and_costs_are_filled_in(demo: Services) -> None:
    sessions = evaluation_summary(demo.engine)
    assert len(sessions) == 30
    assert all(s.evaluations <= s.learners for s in sessions)
    assert sum(s.learners for s in sessions) == 602
    plans = read_action_plans(demo.engine, today=TODAY)
    assert {p.status for p in plans} == {"open", "closed"}
    costs = cost_per_learner(demo.engine)
    assert costs.learners == 602
    assert costs.per_learner_pence is not None


def test_the_participant_demo_figures_are_unchanged_beside_it(demo: Services) -> None:
    (programme,) = funnel_report(demo.engine, programme_id="voices-together")
    assert (programme.enrolled, programme.submitted, programme.passed) == (75, 15, 9)


def test_the_staff_demo_is_deterministic_and_loaded_once() -> None:
    def events(ledger: JourneyLedger) -> list[tuple[str, dict[str, object]]]:
        """Every event recorded, but when it was recorded."""
        page = ledger.recorder.select_notifications(start=1, limit=10_000)
        decoded = (ledger.mapper.to_domain_event(n) for n in page)
        return [
            (type(e).__qualname__, {k: v for k, v in vars(e).items() if k != "timestamp"})
            for e in decoded
        ]

    first, second = (
        JourneyLedger(store_env("memory://", prefix="JOURNEYLEDGER"), clock=lambda: TODAY)
        for _ in range(2)
    )
    load_staff_demo(first, today=TODAY)
    load_staff_demo(second, today=TODAY)
    assert events(first) == events(second)
    with pytest.raises(AlreadyExists):
        load_staff_demo(first, today=TODAY)
