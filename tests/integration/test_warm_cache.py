"""Participants kept warm between commands (journey.warm_cache): lent to one command at a
time, brought up to date with what other writers recorded, never kept after a refusal or an
erasure; on both stores."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from uuid import UUID, uuid4

import pytest
from integration_support import STAFF, enrol, report_outcome

from journey.application import JourneyLedger
from journey.errors import DomainError
from journey.warm_cache import WarmCache


def _kept(ledger: JourneyLedger) -> dict[UUID, object]:
    return dict(ledger._warm.kept())


def test_a_command_leaves_its_participant_warm_and_equal_to_the_store(
    store_url: str, open_ledger: Callable[..., JourneyLedger]
) -> None:
    ledger = open_ledger(store_url)
    pid = enrol(ledger, "Warm")
    report_outcome(ledger, pid, "Chaired a meeting")
    warm = _kept(ledger)[pid]
    assert warm == ledger.repository.get(pid)


def test_the_next_command_sees_what_another_writer_recorded(
    store_url: str, open_ledger: Callable[..., JourneyLedger]
) -> None:
    first = open_ledger(store_url)
    second = open_ledger(store_url, prepared=False)
    pid = enrol(first, "Shared")
    assert report_outcome(first, pid, "one") == 3  # kept warm in the first at version 3
    assert report_outcome(second, pid, "two") == 4  # the first does not know of this one
    assert report_outcome(first, pid, "three") == 5  # caught up, not a conflict
    stored = first.repository.get(pid)
    assert [o.detail for o in stored.outcomes] == ["one", "two", "three"]
    assert _kept(first)[pid] == stored


def test_a_refused_command_keeps_nothing_and_the_next_loads_from_the_store(
    store_url: str, open_ledger: Callable[..., JourneyLedger]
) -> None:
    ledger = open_ledger(store_url)
    pid = enrol(ledger, "Refused")
    report_outcome(ledger, pid, "kept")
    with pytest.raises(DomainError):
        ledger.report_outcome(
            participant_id=pid,
            category="speaking",
            detail="ends before it starts",
            source="interview",
            occurred_on=date(2024, 5, 1),
            ended_on=date(2024, 4, 1),
            actor=STAFF,
        )
    assert pid not in _kept(ledger)
    assert report_outcome(ledger, pid, "after") == 4
    assert _kept(ledger)[pid] == ledger.repository.get(pid)


def test_a_forgotten_participant_is_not_kept(
    store_url: str, open_ledger: Callable[..., JourneyLedger]
) -> None:
    ledger = open_ledger(store_url)
    pid = enrol(ledger, "Forgotten")
    report_outcome(ledger, pid, "before")
    assert pid in _kept(ledger)
    ledger.forget(participant_id=pid, reason="asked", actor="admin-ada")
    assert pid not in _kept(ledger)


def test_the_cache_lends_each_entry_once_and_bounds_size_and_age() -> None:
    cache: WarmCache[str] = WarmCache(size=2, ttl=0.05)
    a, b, c = uuid4(), uuid4(), uuid4()
    cache.give_back(a, "a")
    assert cache.take(a) == "a"
    assert cache.take(a) is None  # lent: nobody else gets it
    cache.give_back(a, "a")
    cache.give_back(b, "b")
    cache.give_back(c, "c")  # beyond the size: the least recently kept goes
    assert [key for key, _ in cache.kept()] == [b, c]
    time.sleep(0.06)
    assert cache.take(b) is None  # too old
    cache.give_back(a, "a")  # keeping another clears what is too old
    assert [key for key, _ in cache.kept()] == [a]
    assert WarmCache[str](size=0).take(a) is None
