"""The SQLite store's writer connection (journey.store_sqlite): events are committed on one
connection kept out of the pool, as durable as the pool's, and a failed transaction never
leaves it unusable for the next one."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from eventsourcing.persistence import ConnectionPoolClosedError
from integration_support import enrol, lose_a_race, report_outcome

from journey.application import JourneyLedger
from journey.verification import verify


def _pool(ledger: JourneyLedger) -> Any:
    return ledger.recorder.datastore.pool  # type: ignore[attr-defined]


def _raw(ledger: JourneyLedger) -> sqlite3.Connection:
    conn: sqlite3.Connection = _pool(ledger).writer()._sqlite_conn
    return conn


def test_events_are_committed_on_the_writer_connection_with_full_durability(
    sqlite_url: str, open_ledger: Callable[..., JourneyLedger]
) -> None:
    ledger = open_ledger(sqlite_url)
    pid = enrol(ledger, "Written")
    raw = _raw(ledger)
    before = raw.total_changes
    version = report_outcome(ledger, pid, "one")
    assert raw.total_changes > before  # this connection wrote the event and its seal
    assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert raw.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert ledger.get_participant(pid).version == version  # pool readers see the commit
    assert verify(ledger.recorder).ok  # type: ignore[arg-type]


def test_a_conflict_leaves_the_writer_ready_for_the_next_commit(
    sqlite_url: str, open_ledger: Callable[..., JourneyLedger]
) -> None:
    first = open_ledger(sqlite_url)
    second = open_ledger(sqlite_url, prepared=False)
    pid = enrol(first, "Contested")
    lose_a_race(second, first, pid)  # the whole transaction is rolled back
    assert not _raw(second).in_transaction
    other = enrol(second, "Next")
    assert report_outcome(second, other, "after the conflict") > 0
    assert verify(second.recorder).ok  # type: ignore[arg-type]


def test_a_transaction_left_open_is_rolled_back_before_the_next(
    sqlite_url: str, open_ledger: Callable[..., JourneyLedger]
) -> None:
    ledger = open_ledger(sqlite_url)
    pid = enrol(ledger, "Open")
    pool = _pool(ledger)
    writer = pool.writer()
    writer._sqlite_conn.execute("BEGIN")  # as a failed COMMIT (disk full) can leave it
    pool.settle(writer)
    assert not writer._sqlite_conn.in_transaction
    assert pool.writer() is writer  # still usable: kept
    assert report_outcome(ledger, pid, "after") > 0


def test_a_writer_that_cannot_roll_back_is_replaced(
    sqlite_url: str, open_ledger: Callable[..., JourneyLedger]
) -> None:
    ledger = open_ledger(sqlite_url)
    pid = enrol(ledger, "Broken")
    pool = _pool(ledger)
    broken = pool.writer()
    broken._sqlite_conn.execute("BEGIN")
    broken._sqlite_conn.close()  # rollback now fails with ProgrammingError
    pool.settle(broken)
    assert pool.writer() is not broken
    assert report_outcome(ledger, pid, "on a fresh connection") > 0
    assert verify(ledger.recorder).ok  # type: ignore[arg-type]


def test_closing_the_ledger_closes_the_writer(
    sqlite_url: str, open_ledger: Callable[..., JourneyLedger]
) -> None:
    ledger = open_ledger(sqlite_url)
    enrol(ledger, "Closed")
    raw = _raw(ledger)
    pool = _pool(ledger)
    ledger.close()
    with pytest.raises(sqlite3.ProgrammingError):
        raw.execute("SELECT 1")
    with pytest.raises(ConnectionPoolClosedError):
        pool.writer()


def test_an_in_memory_database_commits_through_the_pool() -> None:
    from journey.store_sqlite import _DurableSQLiteConnectionPool

    pool = _DurableSQLiteConnectionPool(db_name="file:writer_test?mode=memory&cache=shared")
    try:
        assert pool.writer() is None  # its connections must take turns through the pool
    finally:
        pool.close()
