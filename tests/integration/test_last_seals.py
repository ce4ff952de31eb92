"""The seals a recorder remembers (journey.seals.LastSeals): the next record of a stream is
sealed without reading its predecessor's seal back, and the chain still verifies when other
writers, conflicts and failed transactions come between; on both stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from integration_support import enrol, lose_a_race, report_outcome

from journey.application import JourneyLedger
from journey.seals import LastSeals, SealRecord, stream_key
from journey.verification import verify


def _recorder(ledger: JourneyLedger) -> Any:
    return ledger.recorder


def test_a_committed_seal_is_remembered_exactly_as_stored(
    store_url: str, open_ledger: Callable[..., JourneyLedger]
) -> None:
    ledger = open_ledger(store_url)
    pid = enrol(ledger, "Sealed")
    version = report_outcome(ledger, pid, "one")
    recorder = _recorder(ledger)
    stored = recorder.stream_seals(stream_key(pid))
    assert recorder.last_seals.get(stream_key(pid), version) == stored[version]
    assert recorder.last_seals.get(stream_key(pid), version - 1) is None  # only the last


def test_chains_verify_when_two_writers_interleave(
    store_url: str, open_ledger: Callable[..., JourneyLedger]
) -> None:
    first = open_ledger(store_url)
    second = open_ledger(store_url, prepared=False)
    pid = enrol(first, "Shared")
    for n in range(3):
        report_outcome(first, pid, f"first {n}")
        report_outcome(second, pid, f"second {n}")  # the first's remembered seal is now behind
    report_outcome(first, pid, "last")
    assert verify(_recorder(first)).ok


def test_a_refused_write_leaves_nothing_remembered(
    store_url: str, open_ledger: Callable[..., JourneyLedger]
) -> None:
    first = open_ledger(store_url)
    second = open_ledger(store_url, prepared=False)
    pid = enrol(first, "Raced")
    taken = lose_a_race(first, second, pid)
    remembered = _recorder(first).last_seals.get(stream_key(pid), taken)
    assert remembered is None  # the version belongs to the other writer's record
    report_outcome(first, pid, "after")
    assert verify(_recorder(first)).ok


def test_last_seals_keep_the_highest_version_and_are_bounded() -> None:
    seals = LastSeals(size=2)
    at = date(2024, 1, 1)
    record = lambda stream, v: SealRecord(v, stream, v, at, bytes([v]) * 32)  # noqa: E731
    seals.remember([record("a", 2), record("a", 1)])
    assert seals.get("a", 2) == bytes([2]) * 32
    assert seals.get("a", 1) is None
    seals.remember([record("b", 1)])
    seals.remember([record("c", 1)])  # full: starts again
    assert seals.get("a", 2) is None
    assert seals.get("c", 1) == bytes([1]) * 32
