"""Views kept up INCREMENTALLY equal the same views REBUILT from scratch.

Random valid histories (:mod:`history_walk`) are written through the application on a SQLite
file; the views, on the same file, are caught up at random moments by a runner that is thrown
away and started anew now and then (a restart), with page sizes of 1 to 7 so that pages split
histories anywhere, sometimes for only some projections, sometimes after rebuilding one. The
random histories include staff-training commands (trainers, sessions, learners, evaluations,
action plans, costs, claims, workforce sizes), so the staff-training views are covered too. At
the end every public read and every table row must equal a rebuild into a separate database,
and a rebuild in place.
"""

from __future__ import annotations

from history_walk import TODAY, DataChooser, SeededChooser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projection_support import (
    assert_equal_views,
    ledger_on,
    rebuilt_elsewhere,
    scratch,
    sqlite_url,
    views_on,
    walk_and_follow,
)
from view_snapshots import Scope, snapshot

from projections.runner import ProjectionRunner

# Derandomized like tests/property, so CI replays the same histories.
HISTORIES = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@HISTORIES
@given(data=st.data())
def test_views_caught_up_in_random_batches_with_restarts_equal_a_rebuild(
    data: st.DataObject,
) -> None:
    chooser = DataChooser(data)
    steps = chooser.integer(20, 250)
    cohorts = chooser.integer(2, 3)
    with scratch() as tmp:
        url = sqlite_url(tmp, "journey.db")
        with ledger_on(url) as ledger, views_on(url) as engine:
            walk, _ = walk_and_follow(
                ledger, engine, chooser, steps=steps, cohorts=cohorts, staff_share=30
            )
            scope = Scope.of(walk, TODAY)
            incremental = snapshot(engine, scope)
            elsewhere = rebuilt_elsewhere(
                ledger,
                sqlite_url(tmp, "rebuilt.db"),
                scope,
                page=chooser.integer(1, 7),
                commit_every=chooser.integer(1, 60),
            )
            assert_equal_views(incremental, elsewhere, walk, "incremental vs rebuilt elsewhere")

            ProjectionRunner(ledger, engine).rebuild()
            assert_equal_views(snapshot(engine, scope), incremental, walk, "rebuilt in place")


def test_a_long_seeded_history_with_every_kind_of_event() -> None:
    """One longer history (about 400 commands, four cohorts), so that referrals, second
    attempts, credits, withdrawals and multi-cohort participants are surely in it."""
    chooser = SeededChooser(2013)
    with scratch() as tmp:
        url = sqlite_url(tmp, "journey.db")
        with ledger_on(url) as ledger, views_on(url) as engine:
            walk, follower = walk_and_follow(ledger, engine, chooser, steps=400, cohorts=2)
            scope = Scope.of(walk, TODAY)
            incremental = snapshot(engine, scope)
            elsewhere = rebuilt_elsewhere(ledger, sqlite_url(tmp, "rebuilt.db"), scope)
            assert_equal_views(incremental, elsewhere, walk, "incremental vs rebuilt elsewhere")
    assert follower.restarts >= 3
    accepted = " | ".join(line for line in walk.log if not line.startswith("refused"))
    for needle in (
        "external moderation refer",
        "of attempt 2",
        "external moderation pass",
        "accredited certificate",
        "withdraws",
        " again on ",
        "feedback",
        "follow-up",
        "outcome",
    ):
        assert needle in accepted, f"the seeded history has no {needle!r}"


def test_a_long_seeded_staff_training_history_with_every_kind_of_event() -> None:
    """A history that is mostly staff training (about 400 commands), so that deliveries,
    evaluations, closed plans, rejected and reimbursed claims and workforce sizes are in it."""
    chooser = SeededChooser(2015)
    with scratch() as tmp:
        url = sqlite_url(tmp, "journey.db")
        with ledger_on(url) as ledger, views_on(url) as engine:
            walk, _ = walk_and_follow(ledger, engine, chooser, steps=400, cohorts=2, staff_share=80)
            scope = Scope.of(walk, TODAY)
            incremental = snapshot(engine, scope)
            elsewhere = rebuilt_elsewhere(ledger, sqlite_url(tmp, "rebuilt.db"), scope, page=3)
            assert_equal_views(incremental, elsewhere, walk, "incremental vs rebuilt elsewhere")
    accepted = " | ".join(line for line in walk.log if not line.startswith("refused"))
    for needle in (
        "deliver ",
        " attend ",
        " evaluates ",
        ": agree ",
        " done on ",
        ": close on ",
        " rejected",
        " reimbursed",
        "workforce of ",
        "refreshments",
    ):
        assert needle in accepted, f"the seeded history has no {needle!r}"
    assert incremental["trainer activity"].sessions_delivered >= 2
    assert incremental["reach"].learners > 0
