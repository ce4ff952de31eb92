"""Optimistic concurrency: two writers of one stream never both win, and nothing is lost.

How the race is forced. ``JourneyLedger`` runs every participant command as: load the
participant, ask the clock for today, decide, save. The tests give the ledger a clock that,
while a race is on, waits at a ``threading.Barrier``: each writer has therefore loaded the
participant at the same version before either of them saves, which is exactly the interleaving
optimistic concurrency exists for. Racing through the public command (rather than
``repository.get`` + ``save``) keeps the translation of the store's ``IntegrityError`` into
``ConcurrencyConflict`` under test. If the ledger ever stopped asking the clock between load
and save, a writer would not reach the barrier and the round fails with BrokenBarrierError
instead of passing without a race.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from integration_support import TODAY, enrol

from journey.application import JourneyLedger
from journey.errors import AlreadyExists, ConcurrencyConflict
from journey.views import Recorded

ROUNDS = 20
BARRIER_TIMEOUT = 10.0


class BarrierClock:
    """Today's date, after waiting at ``barrier`` while one is set."""

    def __init__(self) -> None:
        self.barrier: threading.Barrier | None = None

    def __call__(self) -> date:
        barrier = self.barrier
        if barrier is not None:
            barrier.wait(timeout=BARRIER_TIMEOUT)
        return TODAY


def _versions(ledger: JourneyLedger, pid: object) -> list[int]:
    return [e.originator_version for e in ledger.events.get(pid)]


def _report(ledger: JourneyLedger, pid: object, detail: str) -> Recorded:
    return ledger.report_outcome(
        participant_id=pid,
        category="speaking",
        detail=detail,
        source="self_report",
        occurred_on=date(2024, 5, 1),
        actor="staff-dan",
    )


@pytest.mark.parametrize("writers", ["one ledger, two threads", "two ledgers"])
def test_two_racing_writers_of_one_participant_exactly_one_wins(store_url, open_ledger, writers):
    clock = BarrierClock()
    first = open_ledger(store_url, clock=clock)
    second = first if writers.startswith("one") else open_ledger(store_url, clock=clock)
    pid = enrol(first, "Ada")
    winners: list[str] = []

    with ThreadPoolExecutor(max_workers=2) as pool:
        for round_ in range(ROUNDS):
            start = first.get_participant(pid).version
            clock.barrier = threading.Barrier(2)
            details = [f"round {round_}, writer {n}" for n in (1, 2)]
            futures = [
                pool.submit(_report, ledger, pid, detail)
                for ledger, detail in zip((first, second), details, strict=True)
            ]
            outcomes = [f.exception(timeout=30) or f.result() for f in futures]
            clock.barrier = None

            won = [d for d, o in zip(details, outcomes, strict=True) if isinstance(o, Recorded)]
            lost = [o for o in outcomes if isinstance(o, ConcurrencyConflict)]
            assert (len(won), len(lost)) == (1, 1), f"round {round_}: {outcomes!r}"
            assert lost[0].code == "concurrent-write"
            winners.append(won[0])
            # Exactly one new event, the winner's, and the stream still counts 1, 2, 3...
            assert _versions(first, pid) == list(range(1, start + 2))
            view = second.get_participant(pid)
            assert view.version == start + 1
            assert view.outcomes[-1].detail == won[0]

    details = [o.detail for o in first.get_participant(pid).outcomes]
    assert details == winners
    assert len(set(details)) == ROUNDS


THREADS = 8
APPENDS_PER_THREAD = 25
MAX_TRIES = 200


def test_many_threads_appending_with_retry_lose_and_duplicate_nothing(store_url, open_ledger):
    ledger = open_ledger(store_url)
    pid = enrol(ledger, "Ada")
    start = ledger.get_participant(pid).version
    go = threading.Barrier(THREADS)
    conflicts = Counter[int]()

    def append_all(thread: int) -> None:
        go.wait(timeout=BARRIER_TIMEOUT)
        for n in range(APPENDS_PER_THREAD):
            for _ in range(MAX_TRIES):
                try:
                    _report(ledger, pid, f"thread {thread}, append {n}")
                    break
                except ConcurrencyConflict:
                    conflicts[thread] += 1  # another thread wrote first: read again, retry
            else:
                pytest.fail(f"thread {thread} gave up after {MAX_TRIES} conflicts")

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for future in [pool.submit(append_all, t) for t in range(THREADS)]:
            future.result(timeout=120)
    # Hundreds of conflicts per run here; none would mean the retry path went untested.
    assert sum(conflicts.values()) > 0

    total = THREADS * APPENDS_PER_THREAD
    assert _versions(ledger, pid) == list(range(1, start + total + 1))
    details = [o.detail for o in ledger.get_participant(pid).outcomes]
    assert len(details) == len(set(details)) == total
    assert set(details) == {
        f"thread {t}, append {n}" for t in range(THREADS) for n in range(APPENDS_PER_THREAD)
    }
    # Each thread's own appends are in its order.
    for t in range(THREADS):
        mine = [d for d in details if d.startswith(f"thread {t},")]
        assert mine == [f"thread {t}, append {n}" for n in range(APPENDS_PER_THREAD)]


def _define(ledger: JourneyLedger, ready: threading.Barrier, programme_id: str, name: str):
    ready.wait(timeout=BARRIER_TIMEOUT)
    return ledger.define_programme(
        programme_id=programme_id,
        name=name,
        session_count=6,
        attendance_threshold=4,
        actor="staff-cara",
    )


def test_two_threads_defining_the_same_programme_one_gets_already_exists(store_url, open_ledger):
    # A programme's id derives from its natural key (uuid5), so the store itself refuses the
    # second definition: there is no check-then-act window to race through.
    ledgers = (open_ledger(store_url), open_ledger(store_url, prepared=False))
    names = ("Raced by writer 1", "Raced by writer 2")
    with ThreadPoolExecutor(max_workers=2) as pool:
        for round_ in range(10):
            programme_id = f"raced-{round_}"
            ready = threading.Barrier(2)
            futures = [
                pool.submit(_define, ledger, ready, programme_id, name)
                for ledger, name in zip(ledgers, names, strict=True)
            ]
            outcomes = [f.exception(timeout=30) or f.result() for f in futures]

            won = [n for n, o in zip(names, outcomes, strict=True) if isinstance(o, Recorded)]
            lost = [o for o in outcomes if isinstance(o, AlreadyExists)]
            assert (len(won), len(lost)) == (1, 1), f"round {round_}: {outcomes!r}"
            assert programme_id in str(lost[0])
            for ledger in ledgers:
                assert ledger.get_programme(programme_id).name == won[0]
