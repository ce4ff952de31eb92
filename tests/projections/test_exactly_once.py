"""The exactly-once guard: a view's rows and its tracking position commit together, and a
position that is not ahead of the stored one is refused with the library's IntegrityError,
rolling the whole page back. Two runners following the same database therefore end with the
same views as a rebuild, however their pages interleave.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy.exc
from eventsourcing.persistence import IntegrityError, Tracking
from history_walk import TODAY, HistoryWalk, SeededChooser
from projection_support import ledger_on, rebuild_batches, scratch, sqlite_url, views_on
from sqlalchemy import Engine
from view_snapshots import Scope, assert_same, snapshot

from journey.application import JourneyLedger
from projections.runner import ProjectionRunner


def walked(ledger: JourneyLedger, seed: int, steps: int, cohorts: int = 3) -> HistoryWalk:
    walk = HistoryWalk(ledger, SeededChooser(seed))
    walk.set_up(cohorts=cohorts)
    walk.run(steps)
    return walk


def rebuilt_in_place(ledger: JourneyLedger, engine: Engine, scope: Scope) -> dict[str, Any]:
    runner = ProjectionRunner(ledger, engine)
    runner.setup()
    runner.rebuild()
    return snapshot(engine, scope)


def test_a_position_not_ahead_of_the_stored_one_is_refused_and_the_page_rolled_back() -> None:
    with scratch() as tmp:
        url = sqlite_url(tmp, "journey.db")
        with ledger_on(url) as ledger, views_on(url) as engine:
            walk = walked(ledger, seed=5, steps=80)
            runner = ProjectionRunner(ledger, engine, page_size=4)
            runner.setup()
            runner.catch_up()
            scope = Scope.of(walk, TODAY)
            before = snapshot(engine, scope)
            head = ledger.recorder.max_notification_id()

            def page_that_empties_the_view_then_records(name: str, position: int) -> None:
                with engine.begin() as conn:
                    for table in runner.projections[name].tables():
                        conn.execute(table.delete())
                    runner.tracking[name].record(conn, Tracking(ledger.name, position))

            for name, tracking in runner.tracking.items():
                for stale in (head, head - 1, 1):
                    with pytest.raises(IntegrityError, match="already at position"):
                        page_that_empties_the_view_then_records(name, stale)
                    assert_same(snapshot(engine, scope), before, context=f"{name} at {stale}")
                with pytest.raises(IntegrityError):
                    tracking.insert_tracking(Tracking(ledger.name, head))
                assert tracking.max_tracking_id(ledger.name) == head
            assert_same(snapshot(engine, scope), before)


def test_a_runner_whose_position_went_stale_has_its_next_page_refused() -> None:
    """Runner B reads its positions, commits one page, and then (in its progress callback)
    runner A catches the same views up to the head. B's next page was computed from a
    stale position: it must be refused whole, not counted a second time."""
    with scratch() as tmp:
        url = sqlite_url(tmp, "journey.db")
        with ledger_on(url) as ledger, views_on(url) as engine_a, views_on(url) as engine_b:
            walk = walked(ledger, seed=9, steps=120)
            a = ProjectionRunner(ledger, engine_a, page_size=3)
            b = ProjectionRunner(ledger, engine_b, page_size=5)
            b.setup()
            pages: list[int] = []

            def a_overtakes(position: int, head: int) -> None:
                pages.append(position)
                if len(pages) == 1:
                    a.catch_up()

            with pytest.raises(IntegrityError):
                b.catch_up(progress=a_overtakes)
            assert len(pages) == 1, "B committed a page after A had overtaken it"
            head = ledger.recorder.max_notification_id()
            assert {s.position for s in b.status()} == {head}
            scope = Scope.of(walk, TODAY)
            assert b.catch_up() == 0
            with views_on(sqlite_url(tmp, "rebuilt.db")) as fresh:
                expected = rebuilt_in_place(ledger, fresh, scope)
            assert_same(snapshot(engine_b, scope), expected)


def _follow(
    runner: ProjectionRunner, stop: threading.Event, refused: Counter[str], failed: list[Exception]
) -> Callable[[], None]:
    def loop() -> None:
        while True:
            last_round = stop.is_set()
            try:
                runner.catch_up()
            except IntegrityError:
                refused["IntegrityError (eventsourcing)"] += 1
            except sqlalchemy.exc.IntegrityError:
                # a first tracking row inserted by both, or an outcome entry appended twice:
                # refused and rolled back too, but as SQLAlchemy's error (see
                # test_the_first_position_recorded_twice_at_once_raises_the_library_error)
                refused["IntegrityError (sqlalchemy)"] += 1
            except sqlalchemy.exc.OperationalError as exc:
                if "deadlock" not in str(exc):  # PostgreSQL may pick one page as a victim
                    failed.append(exc)
                    return
                refused["deadlock"] += 1
            except Exception as exc:  # anything else is a failure of the test
                failed.append(exc)
                return
            if last_round:
                return

    return loop


def test_two_runners_following_one_database_concurrently_end_equal_to_a_rebuild(
    store_url: str,
) -> None:
    with (
        ledger_on(store_url) as ledger,
        views_on(store_url) as engine_a,
        views_on(store_url) as engine_b,
    ):
        walk = walked(ledger, seed=17, steps=60)  # a backlog for both to start on
        runners = [
            ProjectionRunner(ledger, engine_a, page_size=3),
            ProjectionRunner(ledger, engine_b, page_size=5),
        ]
        for runner in runners:
            runner.setup()
        stop = threading.Event()
        refused: Counter[str] = Counter()
        failed: list[Exception] = []
        threads = [threading.Thread(target=_follow(r, stop, refused, failed)) for r in runners]
        for thread in threads:
            thread.start()
        walk.run(150)  # and more events while they follow
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert not failed, failed
        for runner in runners:
            runner.catch_up()
        scope = Scope.of(walk, TODAY)
        both = snapshot(engine_a, scope)
        assert_same(snapshot(engine_b, scope), both)
        assert_same(both, rebuilt_in_place(ledger, engine_a, scope), context=f"refusals {refused}")
        print(f"pages refused: {dict(refused)}")


_APPENDED = {"OutcomeReported", "FollowUpCompleted", "FeedbackRecorded", "WellbeingMeasured"}


class _Stop(Exception):
    """Ends a catch-up after its first page (which is committed by then)."""


def _stop(position: int, head: int) -> None:
    raise _Stop


def _until_caught_up(
    runner: ProjectionRunner, progress: Callable[[int, int], None]
) -> Counter[str]:
    """Catch up as ``run_forever`` does: a page that fails for any reason is rolled back and
    read again (from positions read anew); return what failed, by error class."""
    failures: Counter[str] = Counter()
    for _ in range(300):
        try:
            if runner.catch_up(progress=progress) == 0:
                return failures
        except Exception as exc:  # run_forever logs and retries every error alike
            failures[f"{type(exc).__module__}.{type(exc).__name__}"] += 1
    raise AssertionError(f"never caught up; failures: {dict(failures)}")


def test_a_runner_overtaken_by_part_of_its_next_page_does_not_count_it_twice() -> None:
    """After each page of runner B (pages of 5), runner A (pages of 2) commits ONE page on the
    same views. B's next page overlaps what A just applied; it must be refused and read
    again, never applied on top of A's rows."""
    with scratch() as tmp:
        url = sqlite_url(tmp, "journey.db")
        with ledger_on(url) as ledger, views_on(url) as engine_a, views_on(url) as engine_b:
            walk = walked(ledger, seed=9, steps=120)
            a = ProjectionRunner(ledger, engine_a, page_size=2)
            b = ProjectionRunner(ledger, engine_b, page_size=5)
            b.setup()

            def a_takes_one_page(position: int, head: int) -> None:
                with contextlib.suppress(_Stop):
                    a.catch_up(progress=_stop)

            _until_caught_up(b, a_takes_one_page)
            scope = Scope.of(walk, TODAY)
            with views_on(sqlite_url(tmp, "rebuilt.db")) as fresh:
                expected = rebuilt_in_place(ledger, fresh, scope)
            assert_same(snapshot(engine_b, scope), expected)


def test_a_rebuild_beside_a_follower_mid_catch_up_leaves_the_views_whole() -> None:
    """Follower W reads its positions and commits some pages; then a rebuild of the outcomes
    view beside it drops the tables, forgets the position and reads its first page (and is
    still working, or was killed). W's next pages must not build on its stale position.

    The rebuild starts where W's next page holds outcomes to append and no enrolment to
    look up, so that the stale page goes through rather than failing on a missing cohort
    (which a retry, reading the positions anew, would heal)."""
    with scratch() as tmp:
        url = sqlite_url(tmp, "journey.db")
        with ledger_on(url) as ledger, views_on(url) as engine_w, views_on(url) as engine_r:
            walk = walked(ledger, seed=21, steps=120)
            follower = ProjectionRunner(ledger, engine_w, page_size=4)
            follower.setup()
            rebuilder = ProjectionRunner(ledger, engine_r, page_size=3)
            topics = sorted({t for p in follower.projections.values() for t in p.topics()})
            rebuilt: list[int] = []

            def only_appends_next(position: int) -> bool:
                page = ledger.recorder.select_notifications(
                    start=position, limit=4, topics=topics, inclusive_of_start=False
                )
                kinds = {n.topic.rsplit(".", 1)[-1] for n in page}
                return "Enrolled" not in kinds and bool(kinds & _APPENDED)

            def rebuild_beside(position: int, head: int) -> None:
                if not rebuilt and position > 20 and only_appends_next(position):
                    rebuilt.append(position)
                    with rebuild_batches(page=3, commit_every=10**9), contextlib.suppress(_Stop):
                        rebuilder.rebuild(["outcomes"], progress=_stop)

            _until_caught_up(follower, rebuild_beside)
            assert rebuilt, "no page boundary suited the rebuild"
            scope = Scope.of(walk, TODAY)
            with views_on(sqlite_url(tmp, "rebuilt.db")) as fresh:
                expected = rebuilt_in_place(ledger, fresh, scope)
            assert_same(snapshot(engine_w, scope), expected)
