"""The production store: the library's PostgreSQL recorder, keeping answered requests.

The one module of the journey package that talks to the PostgreSQL driver (psycopg's SQL
composition, as the library's recorder does); the import contracts allow it here only.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from journey.personal_fields import forgotten_streams
from journey.personal_fields import new_keys as _new_keys
from journey.requests import RequestRecord
from journey.seals import LastSeals, SealRecord, seal_batch

__all__ = ["LedgerPostgresFactory", "LedgerPostgresRecorder"]


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    """Events, and the answered request (if any) in the same transaction."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.last_seals = LastSeals()
        self._sealing = threading.local()  # the seals of this thread's transaction
        schema = Identifier(self.datastore.schema)
        prefix = events_table_name.removesuffix("_events")
        table = Identifier(f"{prefix}_requests")
        seals = Identifier(f"{prefix}_seals")
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} ("
                "position bigint PRIMARY KEY, originator_id text NOT NULL, "
                "originator_version integer NOT NULL, recorded_at timestamptz NOT NULL, "
                "seal bytea NOT NULL, UNIQUE (originator_id, originator_version))"
            ).format(schema, seals)
        )
        self._insert_seal = SQL(
            "INSERT INTO {0}.{1} (position, originator_id, originator_version, recorded_at, seal) "
            "VALUES (%s, %s, %s, %s, %s)"
        ).format(schema, seals)
        self._previous_seal = SQL(
            "SELECT seal FROM {0}.{1} WHERE originator_id = %s AND originator_version = %s"
        ).format(schema, seals)
        self._select_seals = SQL(
            "SELECT position, originator_id, originator_version, recorded_at, seal FROM {0}.{1} "
            "WHERE position > %s ORDER BY position LIMIT %s"
        ).format(schema, seals)
        events = Identifier(events_table_name)
        self._verification_records = SQL(
            "SELECT notification_id, originator_id::text, originator_version, topic, state "
            "FROM {0}.{1} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(schema, events)
        self._verification_seals = SQL(
            "SELECT position, originator_id, originator_version, seal FROM {0}.{1} "
            "WHERE position > %s ORDER BY position LIMIT %s"
        ).format(schema, seals)
        self._stream_seals = SQL(
            "SELECT originator_version, seal FROM {0}.{1} WHERE originator_id = %s"
        ).format(schema, seals)
        self._version_at = SQL(
            "SELECT MAX(originator_version) AS version FROM {0}.{1} "
            "WHERE originator_id = %s AND recorded_at <= %s"
        ).format(schema, seals)
        self._last_position_at = SQL(
            "SELECT MAX(position) AS position FROM {0}.{1} WHERE recorded_at <= %s"
        ).format(schema, seals)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} ("
                "key text PRIMARY KEY, fingerprint text NOT NULL, response text NOT NULL)"
            ).format(schema, table)
        )
        keys = Identifier(f"{prefix}_data_keys")
        self._snapshots = SQL("{0}.{1}").format(schema, Identifier(f"{prefix}_snapshots"))
        self._keys = SQL("{0}.{1}").format(schema, keys)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} ("
                "participant_id text PRIMARY KEY, data_key bytea NOT NULL)"
            ).format(schema, keys)
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
        new_keys = _new_keys(self, stored_events)
        if new_keys:
            curs.executemany(
                SQL(
                    "INSERT INTO {0} (participant_id, data_key) VALUES (%s, %s) "
                    "ON CONFLICT (participant_id) DO NOTHING"
                ).format(self._keys),
                new_keys,
            )
        super()._insert_events(curs, stored_events, **kwargs)
        for forgotten in forgotten_streams(stored_events):
            curs.execute(
                SQL("DELETE FROM {0} WHERE participant_id = %s").format(self._keys), (forgotten,)
            )
            curs.execute(
                SQL("DELETE FROM {0} WHERE originator_id = %s").format(self._snapshots),
                (UUID(forgotten),),
            )

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        self._sealing.records = []
        ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
        self.last_seals.remember(self._sealing.records)  # committed (an error skips this)
        return ids

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if ids:

            def previous(stream: str, version: int) -> bytes | None:
                known = self.last_seals.get(stream, version)
                if known is not None:
                    return known
                curs.execute(self._previous_seal, (stream, version))
                row = curs.fetchone()
                return None if row is None else bytes(row["seal"])

            records = seal_batch(stored_events, ids, datetime.now(UTC), previous)
            self._sealing.records = records
            curs.executemany(
                self._insert_seal,
                [
                    (r.position, r.originator_id, r.originator_version, r.recorded_at, r.seal)
                    for r in records
                ],
            )
        return ids

    def select_seals(self, start: int, limit: int) -> list[SealRecord]:
        """Seals with positions after ``start``, in position order."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_seals, (start, limit))
            rows = curs.fetchall()
        return [
            SealRecord(
                int(r["position"]),
                r["originator_id"],
                int(r["originator_version"]),
                r["recorded_at"],
                bytes(r["seal"]),
            )
            for r in rows
        ]

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> list[Notification]:
        """The library's query without its upper bound, which is applied here instead: with
        ``notification_id <= stop`` in the query, the planner (on a table not analysed since
        a load) answered each page with a bitmap scan of the rest of the log and a sort on
        disk; without it, it walks the index and stops at ``limit``."""
        page = super().select_notifications(
            start, limit, None, topics, inclusive_of_start=inclusive_of_start
        )
        return page if stop is None else [n for n in page if n.id <= stop]

    def verification_records(
        self, start: int, limit: int, stop: int | None
    ) -> list[tuple[int, str, int, str, bytes]]:
        """(position, stream, version, topic, state), plain tuples (journey.verification)."""
        # No upper bound in the query: with one, the planner (on a table not analysed yet)
        # chose a bitmap scan of the whole rest of the log and a sort on disk for each page.
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
            cur.execute(self._verification_records, (start, limit), binary=True)
            rows: list[tuple[int, str, int, str, bytes]] = cur.fetchall()
        return rows if stop is None else [r for r in rows if r[0] <= stop]

    def verification_seals(self, start: int, limit: int) -> list[tuple[int, str, int, bytes]]:
        """(position, stream, version, seal), plain tuples (journey.verification)."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
            cur.execute(self._verification_seals, (start, limit), binary=True)
            return cur.fetchall()

    def stream_seals(self, stream: str) -> dict[int, bytes]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._stream_seals, (stream,))
            return {int(r["originator_version"]): bytes(r["seal"]) for r in curs.fetchall()}

    def version_at(self, stream: str, moment: datetime) -> int:
        """The stream's last version recorded at or before ``moment`` (0 if none)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._version_at, (stream, moment))
            row = curs.fetchone()
        return int(row["version"] or 0) if row else 0

    def last_position_at(self, moment: datetime) -> int:
        """The last log position recorded at or before ``moment`` (0 if none)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._last_position_at, (moment,))
            row = curs.fetchone()
        return int(row["position"] or 0) if row else 0

    def select_request(self, key: str) -> RequestRecord | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_request, (key,))
            row = curs.fetchone()
        if row is None:
            return None
        return RequestRecord(row["key"], row["fingerprint"], row["response"])

    # -- data keys (journey.data_keys.KeyTable) ---------------------------------------------

    def select_data_key(self, participant_id: str) -> bytes | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT data_key FROM {0} WHERE participant_id = %s").format(self._keys),
                (participant_id,),
            )
            row = curs.fetchone()
        return None if row is None else bytes(row["data_key"])

    def after_erasure(self, participant_id: str) -> None:
        """Vacuum the key and snapshot tables, so the dead row versions that held the
        destroyed key and the forgotten snapshots are reclaimed, not left on disk."""
        with self.datastore.get_connection() as conn:
            conn.autocommit = True
            for table in (self._keys, self._snapshots):
                conn.execute(SQL("VACUUM {0}").format(table))


class LedgerPostgresFactory(PostgresFactory):
    application_recorder_class = LedgerPostgresRecorder
