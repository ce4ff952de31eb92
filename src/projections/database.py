"""The SQL engine the read models live in: by default the same database as the events.

``sqlite:///file.db`` gives an engine on the same file (WAL, ``synchronous=FULL``, a busy
timeout so the event writer and the view writer take turns); ``postgresql://...`` gives a
psycopg 3 engine whose ``search_path`` is the URL's ``schema`` (default ``public``);
``memory://`` (tests) gives a private in-memory SQLite database.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from journey.write_gate import WriteGate, gate_for

__all__ = ["reclaim", "views_engine", "write_gate"]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Rows deleted when a forgotten participant's rows are derived again are overwritten,
    # not left readable in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def write_gate(engine: Engine) -> WriteGate:
    """The gate that the busy writers of ``engine``'s database take turns through (see
    journey.write_gate; it does nothing for PostgreSQL, whose writers queue on row locks)."""
    if engine.dialect.name != "sqlite":
        return gate_for(None)
    return gate_for(engine.url.database)


def reclaim(engine: Engine) -> None:
    """After an erasure: fold the SQLite WAL into the file and truncate it (old page images
    of deleted rows go with it); on PostgreSQL, vacuum the views' tables."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")


def views_engine(url: str) -> Engine:
    """An engine for the read models at ``url`` (a store URL, see journey.persistence)."""
    parts = urlsplit(url)
    if parts.scheme == "memory":
        return create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    if parts.scheme == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        query = parse_qs(parts.query)
        schema = query.pop("schema", ["public"])[0]
        rest = "&".join(f"{k}={v[0]}" for k, v in query.items())
        plain = urlunsplit(("postgresql+psycopg", parts.netloc, parts.path, rest, ""))
        return create_engine(
            plain,
            pool_pre_ping=True,
            connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 5},
        )
    raise ValueError(f"unsupported views store {parts.scheme!r}")
