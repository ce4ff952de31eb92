"""Where events are stored: the store URL, a durable SQLite factory, and the transcodings.

A store is chosen by one URL:

- ``sqlite:///path/to/journey.db`` (the embedded default): the library's own SQLite recorder,
  WAL mode, with ``PRAGMA synchronous=FULL`` set on every connection so an acknowledged event
  survives a power cut, not only a crash of the process;
- ``postgresql://user[:password]@host[:port]/database[?schema=name]``: the library's
  PostgreSQL recorder (production);
- ``memory://``: the library's in-memory store (tests and demos only).

:func:`store_env` turns a URL into the ``eventsourcing`` environment keys, prefixed with the
application's name so that a stray unprefixed ``PERSISTENCE_MODULE`` in a shell cannot change
which store is used.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from eventsourcing.persistence import JSONTranscoder, Transcoding
from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteFactory

from journey import state, values
from journey.errors import InvalidValue

__all__ = [
    "DurableSQLiteFactory",
    "register_transcodings",
    "sqlite_path",
    "store_env",
]


class _DurableSQLiteConnectionPool(SQLiteConnectionPool):
    """The library's pool, with ``synchronous=FULL`` on every new connection (WAL alone
    defaults to NORMAL, which may lose the last commits on power loss)."""

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        if not self.is_sqlite_memory_mode:
            connection.cursor().execute("PRAGMA synchronous=FULL;")
        return connection


class DurableSQLiteFactory(SQLiteFactory):
    """``eventsourcing.sqlite`` with durable commits (see :class:`_DurableSQLiteConnectionPool`);
    creates the database file's directory if it is missing."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        plain = self.datastore.pool
        if not plain.is_sqlite_memory_mode and not plain.db_name.startswith("file:"):
            Path(plain.db_name).parent.mkdir(parents=True, exist_ok=True)  # zero set-up
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


DURABLE_SQLITE_TOPIC = f"{__name__}:{DurableSQLiteFactory.__qualname__}"


def sqlite_path(url: str) -> str | None:
    """The file path of a ``sqlite:///`` URL, or None for another kind of store."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite":
        return None
    path = unquote(parts.path)
    # sqlite:///relative/file.db -> "relative/file.db"; sqlite:////abs/file.db -> "/abs/file.db"
    return path[1:] if path.startswith("/") else path


def store_env(url: str, *, prefix: str) -> dict[str, str]:
    """The ``eventsourcing`` environment for the store at ``url``, keys prefixed with
    ``prefix`` (the application's upper-cased name)."""
    parts = urlsplit(url)
    env: dict[str, str]
    if parts.scheme == "sqlite":
        path = sqlite_path(url)
        if not path:
            raise InvalidValue("database_url", "a sqlite URL needs a file path: sqlite:///file.db")
        env = {
            "PERSISTENCE_MODULE": DURABLE_SQLITE_TOPIC,
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    elif parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        if not parts.hostname or not parts.path.strip("/"):
            raise InvalidValue("database_url", "a postgresql URL needs a host and a database name")
        query = parse_qs(parts.query)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parts.path.strip("/")),
            "POSTGRES_HOST": parts.hostname,
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_SCHEMA": query.get("schema", ["public"])[0],
            "POSTGRES_CONNECT_TIMEOUT": "5",
            # A writer stuck behind the table lock surfaces as an error, not a hang.
            "POSTGRES_LOCK_TIMEOUT": "5",
        }
    elif parts.scheme == "memory":
        env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    else:
        raise InvalidValue(
            "database_url",
            f"unsupported store {parts.scheme!r}: use sqlite:///, postgresql:// or memory://",
        )
    return {f"{prefix}_{key}": value for key, value in env.items()}


class _DateAsISO(Transcoding):
    type = date
    name = "date"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class _FrozenRecord(Transcoding):
    """A frozen dataclass as a dict of its fields; lists read back as tuples (the records
    keep their collections in tuples, which JSON writes as lists)."""

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = cls.__name__
        self._fields = tuple(f.name for f in dataclasses.fields(cls))

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


_RECORD_TYPES: tuple[type[Any], ...] = (
    values.Accreditation,
    state.PersonalDetails,
    state.Mark,
    state.Moderation,
    state.Attempt,
    state.SessionRecord,
    state.Enrolment,
    state.Outcome,
    state.FollowUp,
    state.Feedback,
    state.WellbeingScore,
)


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """Teach the library's JSON transcoder the ledger's value types (events and snapshots)."""
    transcoder.register(_DateAsISO())
    for record_type in _RECORD_TYPES:
        transcoder.register(_FrozenRecord(record_type))
