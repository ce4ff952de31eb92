"""Answered requests, kept so that a retried write returns the first answer.

A write that carries an idempotency key is saved together with a :class:`RequestRecord` in
the SAME transaction as its events (the stores in ``journey.store_*`` write both), so a client
whose connection dropped after the commit can retry blindly: the retry finds the record and
gets the first answer, and nothing is recorded twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

__all__ = ["RequestLog", "RequestRecord", "RequestTicket"]


@dataclass(frozen=True)
class RequestRecord:
    key: str  # the caller's scoped key (e.g. a hash of subject and Idempotency-Key)
    fingerprint: str  # a hash of what was asked, so the same key with another body is refused
    response: str  # the first answer, as the edge will send it again (JSON text)


class RequestLog(Protocol):
    """What a ledger store offers besides events: the requests it has answered."""

    def select_request(self, key: str) -> RequestRecord | None: ...


@dataclass(frozen=True)
class RequestTicket:
    """A write's idempotency key and fingerprint, and how to phrase its answer once the
    command has decided (from the stream's id and new version), before anything is saved."""

    key: str
    fingerprint: str
    answer: Callable[[UUID, int], str]

    def record(self, aggregate_id: UUID, version: int) -> RequestRecord:
        return RequestRecord(self.key, self.fingerprint, self.answer(aggregate_id, version))
