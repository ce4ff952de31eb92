"""Where events are stored: the store URL, a durable SQLite factory, and the transcodings.

A store is chosen by one URL:

- ``sqlite:///path/to/journey.db`` (the embedded default): the library's own SQLite recorder,
  WAL mode, with ``PRAGMA synchronous=FULL`` set on every connection so an acknowledged event
  survives a power cut, not only a crash of the process (:mod:`journey.store_sqlite`);
- ``postgresql://user[:password]@host[:port]/database[?schema=name]``: the library's
  PostgreSQL recorder, production (:mod:`journey.store_postgres`);
- ``memory://``: the library's in-memory store, tests and demos only (:mod:`journey.store_memory`).

Each keeps, beside the events, the requests it has answered (:mod:`journey.requests`).

:func:`store_env` turns a URL into the ``eventsourcing`` environment keys, prefixed with the
application's name so that a stray unprefixed ``PERSISTENCE_MODULE`` in a shell cannot change
which store is used.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from eventsourcing.persistence import JSONTranscoder, Transcoding

from journey import state, values
from journey.at_rest import AT_REST_CIPHER_TOPIC
from journey.errors import InvalidValue
from journey.store_sqlite import DurableSQLiteFactory

__all__ = [
    "DurableSQLiteFactory",
    "register_transcodings",
    "sqlite_path",
    "store_env",
]


DURABLE_SQLITE_TOPIC = "journey.store_sqlite:DurableSQLiteFactory"
POSTGRES_TOPIC = "journey.store_postgres:LedgerPostgresFactory"
MEMORY_TOPIC = "journey.store_memory:LedgerMemoryFactory"


def sqlite_path(url: str) -> str | None:
    """The file path of a ``sqlite:///`` URL, or None for another kind of store."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite":
        return None
    if parts.netloc:
        raise InvalidValue(
            "database_url", "a sqlite URL has three slashes before the path: sqlite:///file.db"
        )
    path = unquote(parts.path)
    # sqlite:///relative/file.db -> "relative/file.db"; sqlite:////abs/file.db -> "/abs/file.db"
    return path[1:] if path.startswith("/") else path


def store_env(url: str, *, prefix: str, cipher_key: str | None = None) -> dict[str, str]:
    """The ``eventsourcing`` environment for the store at ``url``, keys prefixed with
    ``prefix`` (the application's upper-cased name); with ``cipher_key`` (base64 AES key),
    stored events are encrypted at rest by the library's AES-GCM cipher."""
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
        unknown = sorted(set(query) - {"schema"})
        if unknown:
            raise InvalidValue(
                "database_url", f"unsupported postgresql URL parameter(s): {', '.join(unknown)}"
            )
        schema = query.get("schema", ["public"])[0]
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", schema):
            raise InvalidValue(
                "database_url", "schema must be a plain identifier (letters, digits, _)"
            )
        try:
            port = parts.port or 5432
        except ValueError:
            raise InvalidValue("database_url", "the port must be a number") from None
        env = {
            "PERSISTENCE_MODULE": POSTGRES_TOPIC,
            "POSTGRES_DBNAME": unquote(parts.path.strip("/")),
            "POSTGRES_HOST": parts.hostname,
            "POSTGRES_PORT": str(port),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_SCHEMA": schema,
            "POSTGRES_CONNECT_TIMEOUT": "5",
            # A writer stuck behind the table lock surfaces as an error, not a hang.
            "POSTGRES_LOCK_TIMEOUT": "5",
        }
    elif parts.scheme == "memory":
        env = {"PERSISTENCE_MODULE": MEMORY_TOPIC}
    else:
        raise InvalidValue(
            "database_url",
            f"unsupported store {parts.scheme!r}: use sqlite:///, postgresql:// or memory://",
        )
    if cipher_key is not None:
        env["CIPHER_TOPIC"] = AT_REST_CIPHER_TOPIC
        env["CIPHER_KEY"] = cipher_key
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
    state.ErasureRequest,
)


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """Teach the library's JSON transcoder the ledger's value types (events and snapshots)."""
    transcoder.register(_DateAsISO())
    for record_type in _RECORD_TYPES:
        transcoder.register(_FrozenRecord(record_type))
