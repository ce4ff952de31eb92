"""Aggregates kept warm between commands, lent to one command at a time.

Loading a participant replays their stream: about 40 events read, decoded, their personal
fields decrypted, and applied; that was over half of a command's time. After a command has
been saved, its aggregate is exactly what a replay would give, so it is kept here and the
next command on the same participant takes it, reads only the events recorded since (by
another worker, say: one indexed query that usually finds none), and goes on.

Lending, not sharing: :meth:`WarmCache.take` removes the entry, so two commands never hold
the same object; a command that fails simply does not give its aggregate back (it may have
been changed before the rule that stopped it), and the next one replays from the store.
Entries are dropped after ``ttl`` seconds unused and beyond ``size`` entries (least recently
used first), which bounds how long decrypted personal fields stay in memory; the ledger
never keeps a forgotten participant.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Generic, TypeVar
from uuid import UUID

__all__ = ["WarmCache"]

A = TypeVar("A")


class WarmCache(Generic[A]):
    def __init__(self, size: int = 2_000, ttl: float = 60.0) -> None:
        self.size = size
        self.ttl = ttl
        self._entries: OrderedDict[UUID, tuple[A, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: UUID) -> A | None:
        """The aggregate kept for ``key``, now the caller's alone (None if none is kept)."""
        with self._lock:
            entry = self._entries.pop(key, None)
        if entry is None:
            return None
        aggregate, kept_at = entry
        if time.monotonic() - kept_at > self.ttl:
            return None
        return aggregate

    def give_back(self, key: UUID, aggregate: A) -> None:
        """Keep ``aggregate`` (just saved: it matches the store) for the next command."""
        if self.size <= 0:
            return
        now = time.monotonic()
        with self._lock:
            self._entries[key] = (aggregate, now)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            # Entries unused for longer than the ttl go too, oldest first.
            while self._entries:
                oldest = next(iter(self._entries.values()))
                if now - oldest[1] <= self.ttl:
                    break
                self._entries.popitem(last=False)

    def kept(self) -> list[tuple[UUID, A]]:
        """What is kept now (for checks; the aggregates are still the cache's)."""
        with self._lock:
            return [(key, aggregate) for key, (aggregate, _) in self._entries.items()]

    def drop(self, key: UUID) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
