"""Tamper evidence: every stored event record is sealed with a hash chained to the previous
record of its stream, and the whole log has a chained digest in recording order.

What is hashed is what is stored (stream id, version, topic and the stored state bytes, which
may be encrypted), never the plaintext, so erasing a person's key later does not break
verification. The stores write a record's seal in the same transaction as the record.

- ``seal(v) = SHA-256(seal(v-1) || SHA-256(id, v, topic, stored state))``, ``seal(0) = 0``;
- ``root(n) = SHA-256(root(n-1) || seal at log position n)``, in position order.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent

__all__ = [
    "GENESIS",
    "LastSeals",
    "SealIndex",
    "SealRecord",
    "chain",
    "content_digest",
    "seal_batch",
    "stream_key",
]

GENESIS = bytes(32)


def stream_key(originator_id: UUID | str) -> str:
    """The canonical text of a stream id (stores write UUIDs differently)."""
    if isinstance(originator_id, UUID):
        return str(originator_id)
    try:
        return str(UUID(originator_id))
    except ValueError:
        return originator_id


def content_digest(originator_id: str, version: int, topic: str, state: bytes) -> bytes:
    h = hashlib.sha256()
    h.update(originator_id.encode())
    h.update(b"\x00")
    h.update(version.to_bytes(8, "big", signed=False))
    h.update(topic.encode())
    h.update(b"\x00")
    h.update(hashlib.sha256(state).digest())
    return h.digest()


def chain(previous: bytes, digest: bytes) -> bytes:
    return hashlib.sha256(previous + digest).digest()


@dataclass(frozen=True)
class SealRecord:
    position: int
    originator_id: str
    originator_version: int
    recorded_at: datetime
    seal: bytes


class SealIndex(Protocol):
    """What the stores answer from their seals about recorded time."""

    def version_at(self, stream: str, moment: datetime) -> int: ...

    def last_position_at(self, moment: datetime) -> int: ...


def seal_batch(
    stored_events: Sequence[StoredEvent],
    positions: Sequence[int],
    recorded_at: datetime,
    previous: Callable[[str, int], bytes | None],
) -> list[SealRecord]:
    """Seals for a batch about to be committed. ``previous(stream, version)`` gives the stored
    seal of an earlier record (None if there is none)."""
    latest: dict[str, tuple[int, bytes]] = {}
    records = []
    for stored, position in zip(stored_events, positions, strict=True):
        stream = stream_key(stored.originator_id)
        version = stored.originator_version
        known = latest.get(stream)
        if known is not None and known[0] == version - 1:
            before = known[1]
        elif version <= 1:
            before = GENESIS
        else:
            before = previous(stream, version - 1) or GENESIS
        sealed = chain(before, content_digest(stream, version, stored.topic, stored.state))
        latest[stream] = (version, sealed)
        records.append(SealRecord(position, stream, version, recorded_at, sealed))
    return records


class LastSeals:
    """The last seal this process committed for each stream, so that the next record of the
    stream is sealed without reading its predecessor's seal back from the store.

    A seal, once committed, never changes, and it is looked up by exact (stream, version): a
    stream another process wrote to since simply misses (the store is read, as before), and
    a record whose version is already taken fails its insert. Only seals of committed
    transactions are remembered (:meth:`remember` after the commit). Bounded: past ``size``
    streams it starts again empty.
    """

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._seals: dict[str, tuple[int, bytes]] = {}
        self._lock = threading.Lock()

    def get(self, stream: str, version: int) -> bytes | None:
        found = self._seals.get(stream)
        return found[1] if found is not None and found[0] == version else None

    def remember(self, records: Iterable[SealRecord]) -> None:
        with self._lock:
            if len(self._seals) >= self.size:
                self._seals.clear()
            for r in records:
                known = self._seals.get(r.originator_id)
                if known is None or known[0] < r.originator_version:
                    self._seals[r.originator_id] = (r.originator_version, r.seal)

    def forget(self) -> None:
        with self._lock:
            self._seals.clear()
