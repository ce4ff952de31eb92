"""The access log: every read of a named participant's record and every write, who did it,
with which role, to which record, when, and whether it was allowed. Append-only (the database
refuses to change or delete a row) and readable by auditors only. An entry is written BEFORE
the access it describes, so a read whose entry cannot be written fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    select,
    text,
)

from journey.group_commit import Entry, GroupCommit
from projections.database import write_gate

__all__ = ["AccessEntry", "AccessLog"]

metadata = MetaData()
access_table = Table(
    "journey_access_log",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("operation", String(60), nullable=False),
    Column("target", String(100), nullable=True, index=True),  # a participant or cohort id
    Column("detail", String(100), nullable=True),  # e.g. the event type written
    Column("allowed", Boolean, nullable=False),
)

_SQLITE_GUARDS = [
    "CREATE TRIGGER IF NOT EXISTS journey_access_log_no_update BEFORE UPDATE ON "
    "journey_access_log BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS journey_access_log_no_delete BEFORE DELETE ON "
    "journey_access_log BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END",
]
_POSTGRES_GUARDS = [
    "CREATE OR REPLACE FUNCTION journey_access_log_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the access log is append-only'; END $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS journey_access_log_guard ON journey_access_log",
    "CREATE TRIGGER journey_access_log_guard BEFORE UPDATE OR DELETE ON journey_access_log "
    "FOR EACH ROW EXECUTE FUNCTION journey_access_log_append_only()",
]


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    subject: str
    role: str
    operation: str
    target: str | None
    detail: str | None
    allowed: bool


class AccessLog:
    """Entries are written with group commit (journey.group_commit): the entries of requests
    arriving together share one transaction, and each request goes on only once its own
    entry is committed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._group: GroupCommit[dict[str, Any]] = GroupCommit(self._write)
        self._gate = write_gate(engine)

    def setup(self) -> None:
        metadata.create_all(self.engine)
        guards = _POSTGRES_GUARDS if self.engine.dialect.name == "postgresql" else _SQLITE_GUARDS
        with self.engine.begin() as conn:
            for statement in guards:
                conn.execute(text(statement))

    def record(
        self,
        *,
        subject: str,
        role: str,
        operation: str,
        target: str | None,
        allowed: bool,
        detail: str | None = None,
    ) -> None:
        """Write one entry; raises if it cannot be written (the access must then fail)."""
        self._group.submit(
            {
                "at": datetime.now(UTC),
                "subject": subject,
                "role": role,
                "operation": operation,
                "target": target,
                "detail": detail,
                "allowed": allowed,
            }
        )

    def _write(self, batch: list[Entry[dict[str, Any]]]) -> None:
        with self._gate.turn(), self.engine.begin() as conn:
            conn.execute(access_table.insert(), [entry.work for entry in batch])

    def read(self, *, target: str | None = None, limit: int = 1000) -> list[AccessEntry]:
        t = access_table
        statement = select(t).order_by(t.c.id.desc()).limit(limit)
        if target is not None:
            statement = statement.where(t.c.target == target)
        with self.engine.connect() as conn:
            rows = conn.execute(statement).mappings().all()
        return [
            AccessEntry(
                at=r["at"] if r["at"].tzinfo else r["at"].replace(tzinfo=UTC),  # SQLite: naive
                subject=r["subject"],
                role=r["role"],
                operation=r["operation"],
                target=r["target"],
                detail=r["detail"],
                allowed=bool(r["allowed"]),
            )
            for r in rows
        ]
