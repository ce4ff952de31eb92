"""FastAPI dependencies: the composed services, the caller, and role checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from api.auth import Principal, Role, TokenStore
from api.compose import Services
from api.errors import ApiError

__all__ = ["Caller", "Svc", "require", "views_at"]

_bearer = HTTPBearer(auto_error=False, description="A token from `journey tokens create`.")


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def get_tokens(request: Request) -> TokenStore:
    tokens: TokenStore = request.app.state.tokens
    return tokens


Svc = Annotated[Services, Depends(get_services)]


def views_at(services: Services, as_of: datetime | None) -> Engine:
    """The read models now (caught up first: read-your-writes), or as they stood at
    ``as_of`` (rebuilt privately up to the last position recorded by then)."""
    if as_of is None:
        services.runner.catch_up()
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


def require(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets only ``roles`` through (403 names the roles needed)."""

    def check(principal: Caller) -> Principal:
        if principal.role not in roles:
            raise ApiError(
                403,
                "forbidden",
                f"This needs the role {' or '.join(roles)}; your token has the role "
                f"{principal.role}.",
            )
        return principal

    return check
