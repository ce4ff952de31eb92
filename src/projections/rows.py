"""A unit of work over view rows: read a row once, change it in memory, write it once.

A projection handles a page of events against :class:`Rows`; the runner then flushes every
changed row with one upsert statement per table, in the same transaction as the tracking
position. During a rebuild the same :class:`Rows` lives across pages (the tables started
empty and only this runner writes them), so nothing is read back from the database at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["Row", "Rows"]

Row = dict[str, Any]
Key = tuple[Any, ...]


class Rows:
    def __init__(self, *, tables_start_empty: bool = False) -> None:
        self._cache: dict[str, dict[Key, Row | None]] = {}
        self._dirty: dict[str, dict[Key, Row]] = {}
        self._appended: dict[str, list[Row]] = {}
        self._tables: dict[str, Table] = {}
        self._forgotten: dict[str, list[tuple[str, Any]]] = {}
        self._start_empty = tables_start_empty
        self._conn: Connection | None = None

    def bind(self, conn: Connection) -> None:
        """Use ``conn`` for reads (the page's transaction)."""
        self._conn = conn

    @staticmethod
    def key_of(table: Table, row: Row) -> Key:
        return tuple(row[name] for name in _key_names(table))

    def get(self, table: Table, *key: Any) -> Row | None:
        """The row with primary key ``key`` (in the table's key order), or None."""
        cached = self._cache.setdefault(table.name, {})
        if key in cached:
            return cached[key]
        row: Row | None = None
        if not self._start_empty:
            assert self._conn is not None, "Rows.bind() must be called before reading"
            columns = list(table.primary_key.columns)
            found = (
                self._conn.execute(
                    select(table).where(and_(*(c == v for c, v in zip(columns, key, strict=True))))
                )
                .mappings()
                .first()
            )
            row = dict(found) if found is not None else None
            if row is not None and self._is_forgotten(table, row):
                row = None
        cached[key] = row
        return row

    def forget(self, table: Table, column: str, value: Any) -> None:
        """Delete every row whose ``column`` is ``value`` (written first at the next flush,
        before the rows put after this call)."""
        self._tables[table.name] = table
        self._forgotten.setdefault(table.name, []).append((column, value))
        cached = self._cache.get(table.name, {})
        for key, row in cached.items():
            if row is not None and row[column] == value:
                cached[key] = None
        dirty = self._dirty.get(table.name, {})
        for key in [k for k, row in dirty.items() if row[column] == value]:
            del dirty[key]
        if table.name in self._appended:
            self._appended[table.name] = [
                row for row in self._appended[table.name] if row[column] != value
            ]

    def _is_forgotten(self, table: Table, row: Row) -> bool:
        return any(row[column] == value for column, value in self._forgotten.get(table.name, ()))

    def require(self, table: Table, *key: Any, position: int) -> Row:
        """The row with primary key ``key``, which the event at log ``position`` needs; a
        missing one means the log broke a rule the ledger enforces, so processing stops."""
        row = self.get(table, *key)
        if row is None:
            raise LookupError(f"{table.name}: no row {key} for the event at position {position}")
        return row

    def put(self, table: Table, row: Row) -> None:
        """Insert or replace ``row`` (it must hold every column)."""
        key = self.key_of(table, row)
        self._tables[table.name] = table
        self._cache.setdefault(table.name, {})[key] = row
        self._dirty.setdefault(table.name, {})[key] = row

    def append(self, table: Table, row: Row) -> None:
        """Insert a row that is never read back or changed by this projection."""
        self._tables[table.name] = table
        self._appended.setdefault(table.name, []).append(row)

    def flush(self, conn: Connection) -> int:
        """Write every changed row; return how many rows were written."""
        written = 0
        for name, forgotten in self._forgotten.items():
            table = self._tables[name]
            for column, value in forgotten:
                conn.execute(table.delete().where(table.c[column] == value))
        self._forgotten.clear()
        for name, rows in self._dirty.items():
            written += _upsert(conn, self._tables[name], list(rows.values()))
        for name, appended in self._appended.items():
            written += _insert(conn, self._tables[name], appended)
        self._dirty.clear()
        self._appended.clear()
        return written


_KEY_NAMES: dict[Table, tuple[str, ...]] = {}
_UPSERTS: dict[tuple[str, Table], tuple[str, tuple[str, ...] | None]] = {}
_INSERTS: dict[tuple[str, Table], tuple[str, tuple[str, ...] | None]] = {}


def _key_names(table: Table) -> tuple[str, ...]:
    names = _KEY_NAMES.get(table)
    if names is None:
        names = _KEY_NAMES[table] = tuple(c.name for c in table.primary_key.columns)
    return names


def _upsert(conn: Connection, table: Table, rows: Iterable[Row]) -> int:
    """Insert or replace ``rows`` (see :func:`_execute_many`)."""
    return _execute_many(conn, table, list(rows), _UPSERTS, _upsert_statement)


def _insert(conn: Connection, table: Table, rows: list[Row]) -> int:
    """Insert ``rows`` (see :func:`_execute_many`)."""
    return _execute_many(conn, table, rows, _INSERTS, _insert_statement)


def _execute_many(
    conn: Connection,
    table: Table,
    batch: list[Row],
    cache: dict[tuple[str, Table], tuple[str, tuple[str, ...] | None]],
    build: Callable[[str, Table], Any],
) -> int:
    """One executemany of a statement compiled once per dialect and table (the driver's
    own parameter style), so that large pages cost the driver's time, not the compiler's
    (SQLAlchemy's per-row parameter processing was a tenth of a rebuild)."""
    if not batch:
        return 0
    compiled = cache.get((conn.dialect.name, table))
    if compiled is None:
        built = build(conn.dialect.name, table).compile(dialect=conn.dialect)
        order = tuple(built.positiontup) if built.positional and built.positiontup else None
        compiled = cache[(conn.dialect.name, table)] = (str(built), order)
    sql, order = compiled
    if order is None:
        conn.exec_driver_sql(sql, batch)
    else:
        conn.exec_driver_sql(sql, [tuple(row[name] for name in order) for row in batch])
    return len(batch)


def _insert_statement(_dialect: str, table: Table) -> Any:
    return table.insert().values({c.name: bindparam(c.name) for c in table.columns})


def _upsert_statement(dialect: str, table: Table) -> Any:
    keys = list(_key_names(table))
    others = [c.name for c in table.columns if c.name not in keys]
    if dialect == "postgresql":
        pg = postgresql.insert(table).values({c.name: bindparam(c.name) for c in table.columns})
        statement: Any = (
            pg.on_conflict_do_update(
                index_elements=keys, set_={name: pg.excluded[name] for name in others}
            )
            if others
            else pg.on_conflict_do_nothing(index_elements=keys)
        )
    else:
        lite = sqlite.insert(table).values({c.name: bindparam(c.name) for c in table.columns})
        statement = (
            lite.on_conflict_do_update(
                index_elements=keys, set_={name: lite.excluded[name] for name in others}
            )
            if others
            else lite.on_conflict_do_nothing(index_elements=keys)
        )
    return statement
