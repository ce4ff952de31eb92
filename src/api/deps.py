"""FastAPI dependencies: the composed services, the caller, and role checks.

Dependencies that only read the application's state are ``async def``: FastAPI runs a plain
``def`` dependency in its thread pool, and each such hop cost a write request ~0.1 ms of the
event loop's time plus a thread hand-off. Those that touch the database stay ``def``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

from eventsourcing.persistence import PersistenceError
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from api.access_log import AccessLog
from api.auth import Principal, Role, TokenStore
from api.compose import Services
from api.errors import ApiError
from api.permissions import OPERATION_ROLES

__all__ = ["Caller", "Log", "Svc", "audited", "forbidden", "require", "views_at"]

log = logging.getLogger("journey.api")

_bearer = HTTPBearer(auto_error=False, description="A token from `journey tokens create`.")


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_tokens(request: Request) -> TokenStore:
    tokens: TokenStore = request.app.state.tokens
    return tokens


Svc = Annotated[Services, Depends(get_services)]


async def get_access_log(request: Request) -> AccessLog:
    log: AccessLog = request.app.state.access_log
    return log


Log = Annotated[AccessLog, Depends(get_access_log)]


def views_at(services: Services, as_of: datetime | None) -> Engine:
    """The read models now (caught up first: read-your-writes), or as they stood at
    ``as_of`` (rebuilt privately up to the last position recorded by then)."""
    if as_of is None:
        try:
            services.runner.catch_up()
        except (DBAPIError, PersistenceError) as exc:
            # The database refuses writes for now (locked, full): answer from the views as
            # they are rather than not at all; the follower catches up when it can.
            log.warning("read models not caught up before a read: %s", type(exc).__name__)
        return services.engine
    return services.runner.views_as_of(services.ledger.position_at(as_of))


def get_principal(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    tokens: Annotated[TokenStore, Depends(get_tokens)],
) -> Principal:
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "unauthenticated", "Send Authorization: Bearer <token>.", challenge)
    principal = tokens.authenticate(credentials.credentials)
    if principal is None:
        raise ApiError(401, "unauthenticated", "The token is unknown or revoked.", challenge)
    return principal


Caller = Annotated[Principal, Depends(get_principal)]


def forbidden(principal: Principal, roles: tuple[Role, ...], what: str = "This") -> ApiError:
    return ApiError(
        403,
        "forbidden",
        f"{what} needs the role {' or '.join(roles)}; your token has the role {principal.role}.",
    )


def audited(operation: str, target: str | None = "participant_id") -> Callable[..., Principal]:
    """Like :func:`require` for ``operation``'s roles, and writes the access log entry
    (allowed or denied) first: if the entry cannot be written, the access fails."""
    roles = OPERATION_ROLES[operation]

    def check(request: Request, principal: Caller) -> Principal:
        allowed = principal.role in roles
        log: AccessLog = request.app.state.access_log
        log.record(
            subject=principal.subject,
            role=principal.role,
            operation=operation,
            target=str(request.path_params.get(target)) if target else None,
            allowed=allowed,
        )
        if not allowed:
            raise forbidden(principal, roles)
        return principal

    return check


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only ``roles`` through (403 names the roles needed)."""

    async def check(principal: Caller) -> Principal:  # no I/O: run on the event loop
        if principal.role not in roles:
            raise forbidden(principal, roles)
        return principal

    return check
