"""Group commit on SQLite (journey.store_sqlite): callers arriving while a commit is in
flight are written together in one transaction, each in its own savepoint, so a conflict
fails only its own caller, and nobody is answered before the commit that holds their events."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from integration_support import enrol

from journey.application import JourneyLedger
from journey.errors import ConcurrencyConflict, VersionMismatch
from journey.store_sqlite import LedgerSQLiteRecorder
from journey.verification import verify


def _count_groups(ledger: JourneyLedger) -> list[int]:
    """The size of every group committed from now on."""
    sizes: list[int] = []
    recorder: Any = ledger.recorder
    assert isinstance(recorder, LedgerSQLiteRecorder)
    group = recorder._group
    original = group._write

    def counting(batch: list[Any]) -> None:
        sizes.append(len(batch))
        original(batch)

    group._write = counting
    return sizes


def test_concurrent_writers_share_commits_and_lose_nothing(
    tmp_path: Path, open_ledger: Callable[..., JourneyLedger]
) -> None:
    ledger = open_ledger(f"sqlite:///{tmp_path / 'journey.db'}")
    people = [enrol(ledger, f"Person {n}") for n in range(16)]
    sizes = _count_groups(ledger)
    start = threading.Barrier(16)
    failures: list[BaseException] = []

    def write(pid: Any) -> None:
        start.wait()
        try:
            for k in range(15):
                ledger.report_outcome(
                    participant_id=pid,
                    category="speaking",
                    detail=f"talk {k}",
                    source="interview",
                    occurred_on=ledger._clock(),
                    actor="staff",
                )
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(pid,)) for pid in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sum(sizes) == 16 * 15
    assert max(sizes) > 1  # writers really did share commits
    assert len(sizes) < 16 * 15
    for pid in people:
        history = ledger.history(pid)
        assert [e.version for e in history] == list(range(1, len(history) + 1))
        assert [e.fields["detail"] for e in history if e.type == "OutcomeReported"] == [
            f"talk {k}" for k in range(15)
        ]
    assert verify(ledger.recorder).ok  # seals chain across grouped commits


def test_a_conflict_in_a_group_fails_only_its_own_writer(
    tmp_path: Path, open_ledger: Callable[..., JourneyLedger]
) -> None:
    ledger = open_ledger(f"sqlite:///{tmp_path / 'journey.db'}")
    contested = enrol(ledger, "Contested")
    others = [enrol(ledger, f"Other {n}") for n in range(6)]
    version = ledger.get_participant(contested).version
    sizes = _count_groups(ledger)
    start = threading.Barrier(12)
    outcomes: dict[str, list[Any]] = {"won": [], "lost": [], "others": []}

    def contest(n: int) -> None:
        start.wait()
        try:
            ledger.report_outcome(
                participant_id=contested,
                category="speaking",
                detail=f"contest {n}",
                source="interview",
                occurred_on=ledger._clock(),
                actor="staff",
                expected_version=version,
            )
            outcomes["won"].append(n)
        except (VersionMismatch, ConcurrencyConflict):
            outcomes["lost"].append(n)

    def other(pid: Any) -> None:
        start.wait()
        ledger.report_outcome(
            participant_id=pid,
            category="speaking",
            detail="other",
            source="interview",
            occurred_on=ledger._clock(),
            actor="staff",
        )
        outcomes["others"].append(pid)

    threads = [threading.Thread(target=contest, args=(n,)) for n in range(6)]
    threads += [threading.Thread(target=other, args=(pid,)) for pid in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes["won"]) == 1
    assert len(outcomes["lost"]) == 5
    assert sorted(outcomes["others"]) == sorted(others)
    assert ledger.get_participant(contested).version == version + 1
    assert sum(sizes) >= 7
    assert verify(ledger.recorder).ok


def test_a_failed_commit_fails_every_writer_in_it_and_records_nothing(
    tmp_path: Path, open_ledger: Callable[..., JourneyLedger], monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventsourcing.persistence import OperationalError

    ledger = open_ledger(f"sqlite:///{tmp_path / 'journey.db'}")
    pid = enrol(ledger, "Unlucky")
    before = ledger.recorder.max_notification_id()
    recorder: Any = ledger.recorder
    original = recorder._insert_events

    def full(c: Any, events: Any, **kwargs: Any) -> Any:
        original(c, events, **kwargs)
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(recorder, "_insert_events", full)
    with pytest.raises(OperationalError):
        ledger.report_outcome(
            participant_id=pid,
            category="speaking",
            detail="lost",
            source="interview",
            occurred_on=ledger._clock(),
            actor="staff",
        )
    monkeypatch.setattr(recorder, "_insert_events", original)
    assert ledger.recorder.max_notification_id() == before
