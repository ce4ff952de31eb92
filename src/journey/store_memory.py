"""The in-memory store (tests, demos): the library's POPO recorder, keeping answered requests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory

from journey.requests import RequestRecord

__all__ = ["LedgerMemoryFactory", "LedgerMemoryRecorder"]


class LedgerMemoryRecorder(POPOApplicationRecorder):
    def __init__(self) -> None:
        super().__init__()
        self._requests: dict[str, RequestRecord] = {}

    def _insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        request: RequestRecord | None = kwargs.get("request")
        with self._database_lock:
            if request is not None and request.key in self._requests:
                raise IntegrityError(f"request {request.key} already answered")
            ids = super()._insert_events(stored_events, **kwargs)
            if request is not None:
                self._requests[request.key] = request
            return ids

    def select_request(self, key: str) -> RequestRecord | None:
        with self._database_lock:
            return self._requests.get(key)


class LedgerMemoryFactory(POPOFactory):
    def application_recorder(self) -> ApplicationRecorder:
        return LedgerMemoryRecorder()
