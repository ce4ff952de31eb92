"""Per-participant data keys: one AES-256 key per participant, kept wrapped in a key table.

A participant's personal fields are encrypted with their own data key (see
:mod:`journey.personal_fields`); forgetting them destroys that key, after which the
ciphertext in the append-only log can no longer be read by anyone, with any remaining key.

Data keys are stored wrapped (AES-GCM under the master key, the participant id as associated
data, so a wrapped key moved to another participant does not unwrap). Without a master key
(the zero set-up development default) they are stored as they are: erasure still works, but
the key table must then be protected like the data; the production profile refuses to start
without a master key (:mod:`api.settings`).

The key table lives beside the events in the same database (:class:`KeyTable`). A new key is
written by the store's recorder in the transaction of the participant's first events (see
:meth:`ParticipantKeys.unstored`): no extra commit, and no key without its data or data without
its key. Unwrapped keys are cached per process; destroying a key drops it from this process's
cache at once (another process's cache keeps it at most :data:`CACHE_SECONDS`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from journey.errors import InvalidValue

__all__ = [
    "CACHE_SECONDS",
    "KeyTable",
    "ParticipantKeys",
    "derive_key",
    "generate_key",
    "read_key",
]

CACHE_SECONDS = 30.0
_CACHE_SIZE = 50_000
_NONCE = 12


def generate_key() -> str:
    """A new random 256-bit key, base64 (what ``journey keys generate`` prints)."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


def read_key(field: str, text: str) -> bytes:
    """A base64 key of 32 bytes, or :class:`InvalidValue` naming ``field``."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise InvalidValue(
            field, "must be base64 (make one with `journey keys generate`)"
        ) from None
    if len(key) != 32:
        raise InvalidValue(field, "must be 32 bytes, base64 (`journey keys generate`)")
    return key


def derive_key(key: bytes, purpose: str) -> bytes:
    """A separate 256-bit key for ``purpose`` from one configured key (HMAC-SHA256 as a
    PRF), so one secret serves the at-rest cipher and the wrapping of data keys."""
    return hmac.new(key, f"journey-ledger:{purpose}".encode(), hashlib.sha256).digest()


class KeyTable(Protocol):
    """What a store keeps of the data keys (implemented by the recorders)."""

    def select_data_key(self, participant_id: str) -> bytes | None:
        """The stored (wrapped) key, or None if there is none (never made, or destroyed)."""


class ParticipantKeys:
    """Make, find and cache participants' data keys."""

    def __init__(self, table: KeyTable | None = None, master_key: bytes | None = None) -> None:
        self._table = table
        self._wrap = AESGCM(master_key) if master_key is not None else None
        self._cache: OrderedDict[str, tuple[AESGCM, float]] = OrderedDict()
        self._unstored: dict[str, bytes] = {}  # made here, not yet seen in the key table
        self._lock = threading.Lock()

    def bind(self, table: KeyTable) -> None:
        self._table = table

    def cipher_for(self, participant_id: str, *, create: bool) -> AESGCM | None:
        """The participant's data-key cipher; made and stored first if ``create`` and there is
        none yet; None if there is none (so their fields read as erased)."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(participant_id)
            if cached is not None and now - cached[1] < CACHE_SECONDS:
                self._cache.move_to_end(participant_id)
                return cached[0]
        assert self._table is not None, "ParticipantKeys.bind() before use"
        stored = self._table.select_data_key(participant_id)
        with self._lock:
            if stored is not None:
                self._unstored.pop(participant_id, None)
            else:
                stored = self._unstored.get(participant_id)
                if stored is None:
                    if not create:
                        return None
                    stored = self._unstored[participant_id] = self._wrapped(participant_id)
        cipher = AESGCM(self._unwrapped(participant_id, stored))
        with self._lock:
            self._cache[participant_id] = (cipher, now)
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return cipher

    def unstored(self, participant_ids: Iterable[str]) -> list[tuple[str, bytes]]:
        """The keys made here for ``participant_ids`` and not yet seen stored: the recorder
        writes them (if absent) in the transaction of those participants' events. A key stays
        here until it is seen in the table, so a write that failed is retried with it."""
        with self._lock:
            return [(p, self._unstored[p]) for p in participant_ids if p in self._unstored]

    def refresh(self, participant_id: str) -> None:
        """Read the participant's key from the table again on next use (a cached key that
        does not open their data lost a race to another writer's key)."""
        with self._lock:
            self._cache.pop(participant_id, None)

    def forget(self, participant_id: str) -> None:
        """Drop the participant's key from this process's cache (the store destroys it)."""
        with self._lock:
            self._cache.pop(participant_id, None)
            self._unstored.pop(participant_id, None)

    def _wrapped(self, participant_id: str) -> bytes:
        key = AESGCM.generate_key(bit_length=256)
        if self._wrap is None:
            return key
        nonce = os.urandom(_NONCE)
        return nonce + self._wrap.encrypt(nonce, key, participant_id.encode())

    def _unwrapped(self, participant_id: str, stored: bytes) -> bytes:
        if self._wrap is None:
            return stored
        return self._wrap.decrypt(stored[:_NONCE], stored[_NONCE:], participant_id.encode())
