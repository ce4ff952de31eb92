"""The embedded store: the library's SQLite recorder, made durable, keeping answered requests.

In WAL mode many SQLite builds default to ``synchronous=NORMAL``, which may lose the last
commits on power loss (the build bundled with CPython here happens to default to FULL); every
connection here sets ``synchronous=FULL`` so durability does not depend on the build. The
directory of the database file is created if missing (zero set-up).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteFactory,
)

from journey.requests import RequestRecord

__all__ = ["DurableSQLiteFactory", "LedgerSQLiteRecorder"]

REQUESTS_TABLE = "journey_requests"


class _DurableSQLiteConnectionPool(SQLiteConnectionPool):
    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        if not self.is_sqlite_memory_mode:
            connection.cursor().execute("PRAGMA synchronous=FULL;")
        return connection


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    """Events, and the answered request (if any) in the same transaction."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {REQUESTS_TABLE} ("
            "key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, response TEXT NOT NULL)",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        request: RequestRecord | None = kwargs.get("request")
        if request is not None:
            c.execute(
                f"INSERT INTO {REQUESTS_TABLE} (key, fingerprint, response) VALUES (?, ?, ?)",
                (request.key, request.fingerprint, request.response),
            )
        return ids

    def select_request(self, key: str) -> RequestRecord | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT key, fingerprint, response FROM {REQUESTS_TABLE} WHERE key = ?", (key,)
            )
            row = c.fetchone()
        return None if row is None else RequestRecord(row[0], row[1], row[2])


class DurableSQLiteFactory(SQLiteFactory):
    """``eventsourcing.sqlite`` with durable commits and the ledger's recorder."""

    application_recorder_class = LedgerSQLiteRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        plain = self.datastore.pool
        if not plain.is_sqlite_memory_mode and not plain.db_name.startswith("file:"):
            Path(plain.db_name).parent.mkdir(parents=True, exist_ok=True)
        plain.close()
        self.datastore.pool = _DurableSQLiteConnectionPool(
            db_name=plain.db_name,
            lock_timeout=plain.lock_timeout,
            pool_size=plain.pool_size,
            max_overflow=plain.max_overflow,
            pool_timeout=plain.pool_timeout,
            max_age=plain.max_age,
            pre_ping=plain.pre_ping,
        )
