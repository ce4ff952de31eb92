"""The production store: the library's PostgreSQL recorder, keeping answered requests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from journey.requests import RequestRecord

__all__ = ["LedgerPostgresFactory", "LedgerPostgresRecorder"]


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    """Events, and the answered request (if any) in the same transaction."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.requests_table = Identifier(f"{events_table_name.removesuffix('_events')}_requests")
        schema = Identifier(self.datastore.schema)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} ("
                "key text PRIMARY KEY, fingerprint text NOT NULL, response text NOT NULL)"
            ).format(schema, self.requests_table)
        )
        self._insert_request = SQL(
            "INSERT INTO {0}.{1} (key, fingerprint, response) VALUES (%s, %s, %s)"
        ).format(schema, self.requests_table)
        self._select_request = SQL(
            "SELECT key, fingerprint, response FROM {0}.{1} WHERE key = %s"
        ).format(schema, self.requests_table)

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        request: RequestRecord | None = kwargs.get("request")
        if request is not None:
            curs.execute(self._insert_request, (request.key, request.fingerprint, request.response))
        super()._insert_events(curs, stored_events, **kwargs)

    def select_request(self, key: str) -> RequestRecord | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_request, (key,))
            row = curs.fetchone()
        if row is None:
            return None
        return RequestRecord(row["key"], row["fingerprint"], row["response"])


class LedgerPostgresFactory(PostgresFactory):
    application_recorder_class = LedgerPostgresRecorder
