"""``Idempotency-Key``: a retried write returns the first answer and records nothing twice.

The key is scoped to the caller (a hash of the token's subject and the key) and stored with
a fingerprint of the request (method, path and body) and the first answer, in the same
transaction as the events (see :mod:`journey.requests`). The same key with a different
request is refused with 422.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi.responses import JSONResponse

from api.auth import Principal
from api.errors import ApiError
from journey.application import JourneyLedger
from journey.requests import RequestRecord, RequestTicket

__all__ = ["MAX_KEY_LENGTH", "make_ticket", "replay", "stored_answer"]

MAX_KEY_LENGTH = 200

Answer = Callable[[UUID, int], tuple[int, dict[str, Any], dict[str, str]]]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def make_ticket(
    principal: Principal, key: str | None, method: str, path: str, body: Any, answer: Answer
) -> RequestTicket | None:
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise ApiError(
            422,
            "invalid-idempotency-key",
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.",
            field="Idempotency-Key",
        )
    canonical = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))

    def phrase(aggregate_id: UUID, version: int) -> str:
        status, content, headers = answer(aggregate_id, version)
        return json.dumps({"status": status, "body": content, "headers": headers})

    return RequestTicket(
        key=_digest(principal.subject, key),
        fingerprint=_digest(method, path, canonical),
        answer=phrase,
    )


def replay(record: RequestRecord, ticket: RequestTicket) -> JSONResponse:
    """The first answer again, or 422 if the key was used for another request."""
    if record.fingerprint != ticket.fingerprint:
        raise ApiError(
            422,
            "idempotency-key-reused",
            "This Idempotency-Key was already used for a different request; use a new key.",
        )
    first = json.loads(record.response)
    headers = {**first.get("headers", {}), "Idempotent-Replayed": "true"}
    return JSONResponse(status_code=first["status"], content=first["body"], headers=headers)


def stored_answer(ledger: JourneyLedger, ticket: RequestTicket | None) -> JSONResponse | None:
    """The first answer if this request was already answered, else None."""
    if ticket is None:
        return None
    record = ledger.find_request(ticket.key)
    return None if record is None else replay(record, ticket)
