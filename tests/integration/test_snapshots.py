"""Snapshots: a long journey loads from its latest snapshot, and to the same state as a replay.

The ledger snapshots a participant every 50 events, inside ``save``; a load reads the latest
snapshot at or before the version asked for, then replays only the events after it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from integration_support import TODAY, LedgerWithoutSnapshots, enrol

from journey.application import JourneyLedger
from journey.participant import Participant
from journey.scales import WELLBEING_SCALES

EVENTS = 1_000
INTERVAL = 50


def _grow(ledger: JourneyLedger, pid: UUID, *, to_version: int, batch: int = 50) -> None:
    """Append outcomes, wellbeing scores and follow-ups until the stream has ``to_version``
    events.

    Built in batches (load, decide ``batch`` times through the participant's public methods,
    save once) rather than one command per event: each command loads the whole state from its
    snapshot, so a thousand of them took ~11 s on PostgreSQL here. ``save`` still takes a
    snapshot at every multiple of 50, as it does for single commands.
    """
    scale = WELLBEING_SCALES["WEMWBS"]
    participant: Participant = ledger.repository.get(pid)
    while participant.version < to_version:
        for _ in range(min(batch, to_version - participant.version)):
            version = participant.version
            day = date(2024, 2, 1) + timedelta(days=version % 100)
            if version % 3 == 0:
                participant.report_outcome(
                    category="volunteering",
                    detail=f"outcome at version {version + 1}",
                    source="staff_observation",
                    ended_on=day + timedelta(days=7) if version % 2 else None,
                    occurred_on=day,
                    today=TODAY,
                    recorded_by="staff-dan",
                )
            elif version % 3 == 1:
                participant.measure_wellbeing(
                    scale=scale,
                    score=scale.minimum + version % 57,
                    timepoint="follow_up",
                    occurred_on=day,
                    today=TODAY,
                    recorded_by="staff-dan",
                )
            else:
                participant.complete_follow_up(
                    method="survey", occurred_on=day, today=TODAY, recorded_by="staff-eve"
                )
        ledger.save(participant)


class CountedReads:
    """Wraps an application's event store ``get`` to count the events each call yields."""

    def __init__(self, ledger: JourneyLedger) -> None:
        assert ledger.repository.event_store is ledger.events  # what the repository reads
        self._get: Callable[..., Any] = ledger.events.get
        self.counts: list[int] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        events = list(self._get(*args, **kwargs))
        self.counts.append(len(events))
        return iter(events)

    def last(self) -> int:
        return self.counts[-1]


def _median_seconds(load: Callable[[], object], repeat: int = 5) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        load()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def test_a_long_journey_loads_from_its_latest_snapshot(store_url, open_ledger, monkeypatch, capsys):
    writer = open_ledger(store_url)
    long_pid = enrol(writer, "Ada")
    _grow(writer, long_pid, to_version=EVENTS)
    short_pid = enrol(writer, "Ben")

    # A new ledger, so nothing of the writer's process can help the load.
    ledger = open_ledger(store_url, prepared=False)
    assert ledger.snapshots is not None
    latest = list(ledger.snapshots.get(long_pid, desc=True, limit=1))
    assert [s.originator_version for s in latest] == [EVENTS]
    assert latest[0].originator_version >= EVENTS - INTERVAL + 1
    taken = [s.originator_version for s in ledger.snapshots.get(long_pid)]
    assert taken == list(range(INTERVAL, EVENTS + 1, INTERVAL))
    assert list(ledger.snapshots.get(short_pid)) == []

    reads = CountedReads(ledger)
    monkeypatch.setattr(ledger.events, "get", reads)
    view = ledger.get_participant(long_pid)
    assert view.version == EVENTS
    assert reads.last() == 0  # the snapshot at 1,000 is the whole state
    # The worst case: the version just before a snapshot replays 49 events after the last one.
    worst = ledger.get_participant(long_pid, version=EVENTS - 1)
    assert reads.last() == INTERVAL - 1
    middle = ledger.get_participant(long_pid, version=EVENTS - 25)
    assert reads.last() == 25

    # The state from snapshots is the state from every event.
    replay = open_ledger(store_url, cls=LedgerWithoutSnapshots, prepared=False)
    assert replay.snapshots is None
    replay_reads = CountedReads(replay)
    monkeypatch.setattr(replay.events, "get", replay_reads)
    assert replay.get_participant(long_pid) == view
    assert replay_reads.last() == EVENTS
    assert replay.get_participant(long_pid, version=EVENTS - 1) == worst
    assert replay.get_participant(long_pid, version=EVENTS - 25) == middle
    assert len(view.outcomes) + len(view.wellbeing) + len(view.follow_ups) == EVENTS - 2

    # Figures for the record, not for asserting (they belong in the benchmarks).
    long_load = _median_seconds(lambda: ledger.get_participant(long_pid))
    worst_load = _median_seconds(lambda: ledger.get_participant(long_pid, version=EVENTS - 1))
    short_load = _median_seconds(lambda: ledger.get_participant(short_pid))
    replay_load = _median_seconds(lambda: replay.get_participant(long_pid))
    store = store_url.split(":", 1)[0]
    with capsys.disabled():
        print(
            f"\n[{store}] get_participant, median of 5: {EVENTS}-event participant "
            f"{long_load * 1e3:.2f} ms (snapshot at {EVENTS}), "
            f"{worst_load * 1e3:.2f} ms (version {EVENTS - 1}: snapshot + 49 events), "
            f"2-event participant {short_load * 1e3:.2f} ms; "
            f"{EVENTS} events replayed without snapshots {replay_load * 1e3:.2f} ms"
        )
    assert max(long_load, worst_load, short_load) < 1.0  # a very loose sanity bound only
