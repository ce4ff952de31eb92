"""Errors become HTTP answers here, in one table, and nowhere else.

Every answer is an :class:`~api.responses.ErrorOut` (a stable code, a sentence, and for bad
input the fields and reasons). No traceback reaches a client, and log lines name only the
error's class: request bodies and personal data are never logged.
"""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.persistence import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.responses import ErrorOut, FieldError
from journey import errors as domain

__all__ = ["STATUS_BY_ERROR", "ApiError", "install_error_handlers", "status_for"]

log = logging.getLogger("journey.api")

# The one table: domain error class -> HTTP status (most specific class first).
STATUS_BY_ERROR: tuple[tuple[type[domain.DomainError], int], ...] = (
    (domain.InvalidValue, 422),
    (domain.NotFound, 404),
    (domain.VersionMismatch, 412),
    (domain.AlreadyExists, 409),
    (domain.AlreadyAnswered, 409),
    (domain.ConcurrencyConflict, 409),
    (domain.RuleViolation, 409),
    (domain.DomainError, 409),
)

RETRY_AFTER_SECONDS = "5"


def status_for(error: domain.DomainError) -> int:
    for cls, status in STATUS_BY_ERROR:
        if isinstance(error, cls):
            return status
    return 409  # unreachable: DomainError is the last row


class ApiError(Exception):
    """An error decided at the edge (authentication, roles, sizes, idempotency)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        *,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.field = field


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorOut(code=code, message=message, errors=errors).model_dump(exclude_none=True)
    return JSONResponse(status_code=status, content=body, headers=headers)


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body",)]
    return ".".join(parts) or "body"


def _error_field(error: Any) -> str:
    kind = str(error.get("type", ""))
    if kind.startswith("union_tag"):
        return "type"
    if kind == "json_invalid":
        return "body"
    return _field(tuple(error.get("loc", ())))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(domain.DomainError)
    async def _domain(_: Request, exc: domain.DomainError) -> JSONResponse:
        errors = None
        if isinstance(exc, domain.InvalidValue):
            errors = [FieldError(field=exc.field, reason=exc.message)]
        return error_response(status_for(exc), exc.code, exc.message, errors=errors)

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        errors = None if exc.field is None else [FieldError(field=exc.field, reason=exc.message)]
        return error_response(exc.status, exc.code, exc.message, errors=errors, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(field=_error_field(e), reason=str(e.get("msg", "invalid")))
            for e in exc.errors()
        ]
        fields = ", ".join(sorted({e.field for e in errors}))
        return error_response(
            422, "invalid-request", f"The request is not valid: check {fields}.", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # a body the parser cannot read (e.g. not UTF-8)
            return error_response(
                422,
                "invalid-request",
                "The request body cannot be read as JSON text (UTF-8).",
                errors=[FieldError(field="body", reason=str(exc.detail))],
            )
        codes = {404: "not-found", 405: "method-not-allowed", 413: "body-too-large"}
        return error_response(
            exc.status_code,
            codes.get(exc.status_code, "http-error"),
            str(exc.detail),
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(IntegrityError)
    async def _conflict(_: Request, exc: IntegrityError) -> JSONResponse:
        return error_response(
            409, "concurrent-write", "Another write got there first; read again and retry."
        )

    async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
        log.warning("store unavailable: %s", type(exc).__name__)
        return error_response(
            503,
            "store-unavailable",
            "The ledger's database is unavailable or full; nothing was recorded. Retry later.",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )

    for cls in (OperationalError, InterfaceError, DatabaseError, DBAPIError):
        app.add_exception_handler(cls, _unavailable)
