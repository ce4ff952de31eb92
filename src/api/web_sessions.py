"""Sign-in sessions of the web pages.

A staff member signs in with their token; the server then keeps a session and gives the
browser an opaque cookie: 32 random bytes, of which only the SHA-256 is stored, next to the
token it acts for and the session's CSRF secret. The cookie carries nothing readable and
cannot be forged or altered (it is unguessable, and nothing in it is trusted but its hash),
and a session ends on the server: at sign-out, when it expires, or at once when its token is
revoked (every request checks the token again).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, delete, select

from api.auth import ROLES, Principal, TokenStore, tokens_table

__all__ = ["SESSION_LIFETIME", "WebSession", "WebSessions"]

SESSION_LIFETIME = timedelta(hours=12)

metadata = MetaData()
sessions_table = Table(
    "journey_web_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("token_id", String(12), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class WebSession:
    """A live session: who it acts for and the secret every form it shows must send back."""

    principal: Principal
    csrf: str


@dataclass(frozen=True)
class OpenedSession:
    cookie: str  # given to the browser once, never stored
    session: WebSession


class WebSessions:
    def __init__(self, engine: Engine, tokens: TokenStore) -> None:
        self.engine = engine
        self.tokens = tokens

    def setup(self) -> None:
        metadata.create_all(self.engine)

    def open(self, token: str, *, now: datetime | None = None) -> OpenedSession | None:
        """A new session for ``token``; None if the token is unknown or revoked."""
        principal = self.tokens.authenticate(token.strip())
        if principal is None:
            return None
        moment = now or datetime.now(UTC)
        cookie = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(delete(sessions_table).where(sessions_table.c.expires_at < moment))
            conn.execute(
                sessions_table.insert().values(
                    session_hash=_hash(cookie),
                    token_id=principal.token_id,
                    csrf=csrf,
                    created_at=moment,
                    expires_at=moment + SESSION_LIFETIME,
                )
            )
        return OpenedSession(cookie=cookie, session=WebSession(principal=principal, csrf=csrf))

    def resolve(self, cookie: str, *, now: datetime | None = None) -> WebSession | None:
        """The live session of ``cookie``: None if unknown, expired, or its token revoked."""
        moment = now or datetime.now(UTC)
        s, t = sessions_table, tokens_table
        with self.engine.connect() as conn:
            row = conn.execute(
                select(s.c.csrf, s.c.expires_at, t.c.subject, t.c.role, t.c.token_id)
                .join(t, t.c.token_id == s.c.token_id)
                .where(s.c.session_hash == _hash(cookie), t.c.revoked_at.is_(None))
            ).first()
        if row is None or row.role not in ROLES:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        if expires <= moment:
            return None
        principal = Principal(subject=row.subject, role=row.role, token_id=row.token_id)
        return WebSession(principal=principal, csrf=row.csrf)

    def close(self, cookie: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                delete(sessions_table).where(sessions_table.c.session_hash == _hash(cookie))
            )
