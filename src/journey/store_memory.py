"""The in-memory store (tests, demos): the library's POPO recorder, keeping answered requests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    IntegrityError,
    StoredEvent,
)
from eventsourcing.popo import POPOAggregateRecorder, POPOApplicationRecorder, POPOFactory

from journey.personal_fields import forgotten_streams
from journey.personal_fields import new_keys as _new_keys
from journey.requests import RequestRecord
from journey.seals import SealRecord, seal_batch

__all__ = ["LedgerMemoryFactory", "LedgerMemoryRecorder"]


class LedgerMemoryRecorder(POPOApplicationRecorder):
    def __init__(self) -> None:
        super().__init__()
        self._requests: dict[str, RequestRecord] = {}
        self._seals: list[SealRecord] = []
        self._seal_index: dict[tuple[str, int], SealRecord] = {}
        self._data_keys: dict[str, bytes] = {}
        self.snapshots: LedgerMemorySnapshots | None = None

    def _insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        request: RequestRecord | None = kwargs.get("request")
        with self._database_lock:
            if request is not None and request.key in self._requests:
                raise IntegrityError(f"request {request.key} already answered")
            ids = super()._insert_events(stored_events, **kwargs)
            for participant_id, key in _new_keys(self, stored_events):
                self._data_keys.setdefault(participant_id, key)
            if ids:
                for record in seal_batch(stored_events, ids, datetime.now(UTC), self._previous):
                    self._seals.append(record)
                    self._seal_index[(record.originator_id, record.originator_version)] = record
            if request is not None:
                self._requests[request.key] = request
            for forgotten in forgotten_streams(stored_events):
                self._data_keys.pop(forgotten, None)
                if self.snapshots is not None:
                    self.snapshots.forget(forgotten)
            return ids

    def select_data_key(self, participant_id: str) -> bytes | None:
        with self._database_lock:
            return self._data_keys.get(participant_id)

    def after_erasure(self, participant_id: str) -> None:
        """Nothing lingers in memory beyond what was removed."""

    def _previous(self, stream: str, version: int) -> bytes | None:
        record = self._seal_index.get((stream, version))
        return None if record is None else record.seal

    def select_seals(self, start: int, limit: int) -> list[SealRecord]:
        with self._database_lock:
            return [s for s in self._seals if s.position > start][:limit]

    def stream_seals(self, stream: str) -> dict[int, bytes]:
        with self._database_lock:
            return {v: r.seal for (s, v), r in self._seal_index.items() if s == stream}

    def version_at(self, stream: str, moment: datetime) -> int:
        with self._database_lock:
            return max(
                (
                    v
                    for (s, v), r in self._seal_index.items()
                    if s == stream and r.recorded_at <= moment
                ),
                default=0,
            )

    def last_position_at(self, moment: datetime) -> int:
        with self._database_lock:
            return max((s.position for s in self._seals if s.recorded_at <= moment), default=0)

    def select_request(self, key: str) -> RequestRecord | None:
        with self._database_lock:
            return self._requests.get(key)


class LedgerMemorySnapshots(POPOAggregateRecorder):
    def forget(self, originator_id: str) -> None:
        """Remove every snapshot of ``originator_id`` (its data key was destroyed)."""
        with self._database_lock:
            kept = [s for s in self._stored_events if str(s.originator_id) != originator_id]
            self._stored_events = kept
            self._stored_events_index = defaultdict(dict)
            for i, s in enumerate(kept):
                self._stored_events_index[str(s.originator_id)][s.originator_version] = i


class LedgerMemoryFactory(POPOFactory):
    """Like the library's, with the snapshot recorder known to the events recorder (an
    erasure removes the forgotten participant's snapshots in the same step)."""

    _recorder: LedgerMemoryRecorder | None = None

    def application_recorder(self) -> ApplicationRecorder:
        self._recorder = LedgerMemoryRecorder()
        return self._recorder

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        if purpose != "snapshots":
            return super().aggregate_recorder(purpose)
        snapshots = LedgerMemorySnapshots()
        if self._recorder is not None:
            self._recorder.snapshots = snapshots
        return snapshots
