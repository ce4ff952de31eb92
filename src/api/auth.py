"""Bearer tokens and roles.

A token is 32 random bytes (URL-safe text) shown once, when created; only its SHA-256 is
stored, with the subject it acts as and its role. Revoked tokens stop working at once. The
actor recorded on every event is the token's subject, never a field of a request body.

Roles: ``staff`` (enrol, attendance, choices, submissions, certificates, outcomes, follow-ups,
feedback, wellbeing; trainers and staff training sessions), ``marker`` (marks, as themselves),
``moderator`` (moderation), ``auditor`` (reads everything, changes nothing), ``researcher``
(reports only, never a named record), ``admin`` (programmes, cohorts, workforce sizes,
tokens).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, get_args

from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, select, update

__all__ = ["ROLES", "Principal", "Role", "TokenStore"]

Role = Literal["staff", "marker", "moderator", "auditor", "researcher", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)

metadata = MetaData()
tokens_table = Table(
    "journey_api_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("token_id", String(12), nullable=False, unique=True),
    Column("subject", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject and role."""

    subject: str
    role: Role
    token_id: str


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once
    token_id: str
    subject: str
    role: Role


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def setup(self) -> None:
        metadata.create_all(self.engine)

    def create(self, *, role: Role, subject: str) -> IssuedToken:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        subject = subject.strip()
        if not subject or len(subject) > 100 or any(c.isspace() for c in subject):
            raise ValueError("subject must be 1 to 100 characters without spaces")
        token = "jl_" + secrets.token_urlsafe(32)
        digest = _hash(token)
        with self.engine.begin() as conn:
            conn.execute(
                tokens_table.insert().values(
                    token_hash=digest,
                    token_id=digest[:12],
                    subject=subject,
                    role=role,
                    created_at=datetime.now(UTC),
                    revoked_at=None,
                )
            )
        return IssuedToken(token=token, token_id=digest[:12], subject=subject, role=role)

    def revoke(self, token_or_id: str) -> bool:
        """Revoke by the token itself or its id; False if no live token matched."""
        t = tokens_table
        with self.engine.begin() as conn:
            result = conn.execute(
                update(t)
                .where(
                    (t.c.token_hash == _hash(token_or_id)) | (t.c.token_id == token_or_id),
                    t.c.revoked_at.is_(None),
                )
                .values(revoked_at=datetime.now(UTC))
            )
        return result.rowcount > 0

    def authenticate(self, token: str) -> Principal | None:
        t = tokens_table
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.c.subject, t.c.role, t.c.token_id).where(
                    t.c.token_hash == _hash(token), t.c.revoked_at.is_(None)
                )
            ).first()
        if row is None or row.role not in ROLES:
            return None
        return Principal(subject=row.subject, role=row.role, token_id=row.token_id)

    def list(self) -> list[tuple[str, str, str, datetime, datetime | None]]:
        t = tokens_table
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    t.c.token_id, t.c.subject, t.c.role, t.c.created_at, t.c.revoked_at
                ).order_by(t.c.created_at)
            ).all()
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]
