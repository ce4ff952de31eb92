"""The store a URL names is the store in use, and SQLite is set up to survive a power cut.

Persistence is chosen only by environment keys and silently falls back to the in-memory store,
so these tests look at what was actually built and where the rows actually went. The ledger may
use its own subclasses of the library's factories and recorders (it keeps answered requests
beside the events), so the checks are: the factory is exactly the one ``store_env`` names, and
it and its recorder are the library's SQLite or PostgreSQL kinds.
"""

from __future__ import annotations

import sqlite3
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteFactory
from eventsourcing.utils import resolve_topic
from integration_support import enrol, postgres_conninfo, postgres_schema
from psycopg import sql

from journey.application import JourneyLedger
from journey.persistence import sqlite_path, store_env

# Two programmes and two cohorts (see integration_support.prepare), then one enrolment.
ROWS_AFTER_ONE_ENROLMENT = 2 + 2 + 2


def _file_rows(path: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])


def _schema_tables_and_rows(url: str) -> tuple[set[str], int]:
    schema = postgres_schema(url)
    with psycopg.connect(postgres_conninfo(url)) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
        count = conn.execute(
            sql.SQL("SELECT COUNT(*) FROM {}.journeyledger_events").format(sql.Identifier(schema))
        ).fetchone()
    assert count is not None
    return {name for (name,) in tables}, int(count[0])


def _assert_store_is(url: str, ledger: JourneyLedger) -> None:
    """The factory is the one store_env names for ``url``; it and its recorder are the library's
    SQLite or PostgreSQL kinds (and so not the in-memory fallback)."""
    topic = store_env(url, prefix="JOURNEYLEDGER")["JOURNEYLEDGER_PERSISTENCE_MODULE"]
    named = resolve_topic(topic)
    assert type(ledger.factory) is named or type(ledger.factory).__module__ == named.__name__
    if url.startswith("sqlite"):
        assert isinstance(ledger.factory, SQLiteFactory)
        assert isinstance(ledger.recorder, SQLiteApplicationRecorder)
    else:
        assert isinstance(ledger.factory, PostgresFactory)
        assert isinstance(ledger.recorder, PostgresApplicationRecorder)
    assert not isinstance(ledger.recorder, POPOApplicationRecorder)


def test_a_sqlite_url_uses_the_durable_sqlite_recorder_on_that_file(sqlite_url, open_ledger):
    ledger = open_ledger(sqlite_url)
    pid = enrol(ledger, "Ada")

    _assert_store_is(sqlite_url, ledger)
    assert type(ledger.factory).__name__ == "DurableSQLiteFactory"
    assert ledger.snapshots is not None
    path = sqlite_path(sqlite_url)
    assert path is not None
    assert ledger.factory.datastore.pool.db_name == path
    assert _file_rows(path) == ROWS_AFTER_ONE_ENROLMENT == ledger.recorder.max_notification_id()
    with closing(sqlite3.connect(path)) as conn:
        ids = {row[0] for row in conn.execute("SELECT originator_id FROM stored_events")}
    assert pid.hex in ids


@pytest.mark.postgres
def test_a_postgresql_url_uses_the_postgres_recorder_in_the_given_schema(postgres_url, open_ledger):
    ledger = open_ledger(postgres_url)
    enrol(ledger, "Ada")

    _assert_store_is(postgres_url, ledger)
    assert ledger.factory.datastore.schema == postgres_schema(postgres_url) != "public"
    tables, rows = _schema_tables_and_rows(postgres_url)
    assert {"journeyledger_events", "journeyledger_snapshots"} <= tables
    assert rows == ROWS_AFTER_ONE_ENROLMENT == ledger.recorder.max_notification_id()


@pytest.mark.parametrize("key", ["PERSISTENCE_MODULE", "JOURNEYLEDGER_PERSISTENCE_MODULE"])
def test_a_stray_persistence_module_in_the_environment_does_not_change_the_store(
    store_url, open_ledger, monkeypatch, key
):
    monkeypatch.setenv(key, "eventsourcing.popo")
    ledger = open_ledger(store_url)
    pid = enrol(ledger, "Ada")
    _assert_store_is(store_url, ledger)

    # The events went to the configured store: a ledger opened without the variable sees them.
    monkeypatch.delenv(key)
    other = open_ledger(store_url, prepared=False)
    _assert_store_is(store_url, other)
    assert other.get_participant(pid) == ledger.get_participant(pid)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("COMPRESSOR_TOPIC", "eventsourcing.compressor:ZlibCompressor"),
        ("IS_SNAPSHOTTING_ENABLED", "n"),
    ],
)
def test_other_stray_library_settings_do_not_change_the_store(
    sqlite_url, open_ledger, monkeypatch, key, value
):
    monkeypatch.setenv(key, value)
    ledger = open_ledger(sqlite_url, prepared=False)
    assert ledger.mapper.compressor is None
    assert ledger.snapshots is not None


# -- SQLite durability ----------------------------------------------------------------------

SYNCHRONOUS_FULL = 2


def test_sqlite_connections_from_the_ledger_pool_are_full_sync_and_wal(sqlite_url, open_ledger):
    ledger = open_ledger(sqlite_url)
    datastore = ledger.factory.datastore
    # Hold several readers at once so that the pool must hand out distinct connections, then
    # the writer: every one of them must have been set up, not only the first.
    with ExitStack() as stack:
        cursors = [stack.enter_context(datastore.transaction(commit=False)) for _ in range(3)]
        for cursor in cursors:
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == SYNCHRONOUS_FULL
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    with datastore.transaction(commit=True) as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == SYNCHRONOUS_FULL


def test_sqlite_connections_are_full_sync_where_the_build_defaults_lower(
    sqlite_url, open_ledger, monkeypatch
):
    """The SQLite bundled here already defaults to FULL in WAL mode (compile option
    DEFAULT_WAL_SYNCHRONOUS=2), so the test above would pass even if the ledger set nothing.
    Simulate a build that defaults to NORMAL (possible with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1):
    the ledger's connections must still be FULL."""
    connect = sqlite3.connect

    def connect_defaulting_to_normal(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect_defaulting_to_normal)
    ledger = open_ledger(sqlite_url)
    enrol(ledger, "Ada")
    for commit in (False, True):
        with ledger.factory.datastore.transaction(commit=commit) as cursor:
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == SYNCHRONOUS_FULL


def test_a_fresh_sqlite_file_is_created_in_wal_mode(tmp_path: Path, open_ledger):
    path = tmp_path / "new" / "journey.db"
    path.parent.mkdir()
    assert not path.exists()
    open_ledger(f"sqlite:///{path}")

    # WAL is a property of the file: a plain connection, not the ledger's, sees it.
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_existing_sqlite_file_in_rollback_mode_is_switched_to_wal(tmp_path: Path, open_ledger):
    path = tmp_path / "journey.db"
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
        conn.execute("CREATE TABLE unrelated (x)")
    open_ledger(f"sqlite:///{path}")
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
