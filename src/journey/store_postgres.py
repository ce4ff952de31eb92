"""The production store: the library's PostgreSQL recorder, keeping answered requests.

The one module of the journey package that talks to the PostgreSQL driver (psycopg's SQL
composition, as the library's recorder does); the import contracts allow it here only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from psycopg.sql import SQL, Identifier

from journey.requests import RequestRecord

__all__ = ["LedgerPostgresFactory", "LedgerPostgresRecorder"]


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    """Events, and the answered request (if any) in the same transaction."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        table = Identifier(f"{events_table_name.removesuffix('_events')}_requests")
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} ("
                "key text PRIMARY KEY, fingerprint text NOT NULL, response text NOT NULL)"
            ).format(schema, table)
        )
        self._insert_request = SQL(
            "INSERT INTO {0}.{1} (key, fingerprint, response) VALUES (%s, %s, %s)"
        ).format(schema, table)
        self._select_request = SQL(
            "SELECT key, fingerprint, response FROM {0}.{1} WHERE key = %s"
        ).format(schema, table)

    def _insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
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
