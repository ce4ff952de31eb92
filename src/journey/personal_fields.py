"""Personal fields, encrypted with their participant's own key on the way into the store.

The event classes declare which of their fields are personal (``PERSONAL_FIELDS``; a
correction's ``QUOTED_FIELDS`` hold the corrected event's fields under their own names, personal
where that event's are). :class:`PersonalDataMapper` replaces each such value, before the
event is encoded, by a token ``{"_personal": base64(nonce + AES-GCM ciphertext)}`` under the
participant's data key (:mod:`journey.data_keys`), with the participant and field as associated
data; a participant's snapshot is encrypted whole. Reading reverses it. When the key has been
destroyed (the participant was forgotten) the values read as :data:`ERASED`; nothing else of the
event changes, so dates, attendance, results and categories stay.

What is hashed for tamper evidence is what is stored (the tokens), so erasure does not change a
single stored byte of the events and ``journey verify`` still passes. The library's own cipher
(encryption at rest, ``CIPHER_KEY``) wraps the whole stored state after this, as usual.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Cipher,
    Compressor,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import get_topic, resolve_topic

from journey.data_keys import ParticipantKeys
from journey.snapshot_codec import decode_state, encode_state

__all__ = ["ERASED", "FORGOTTEN_EVENT", "PersonalDataMapper", "forgotten_streams", "new_keys"]

ERASED = "[erased]"
FORGOTTEN_EVENT = "Participant.ParticipantForgotten"
_TOKEN = "_personal"
_NONE: frozenset[str] = frozenset()
_NONCE = 12


def forgotten_streams(stored_events: Iterable[StoredEvent]) -> list[str]:
    """The participants whose erasure is among ``stored_events`` (the stores destroy their
    keys in the same transaction)."""
    return [
        str(s.originator_id) for s in stored_events if s.topic.rsplit(":", 1)[-1] == FORGOTTEN_EVENT
    ]


def new_keys(recorder: Any, stored_events: Iterable[StoredEvent]) -> list[tuple[str, bytes]]:
    """The data keys made for these events' participants and not yet stored (the recorder
    writes them in the events' transaction); none if the recorder has no key holder."""
    keys: ParticipantKeys | None = getattr(recorder, "data_keys", None)
    if keys is None:
        return []
    return keys.unstored({str(s.originator_id) for s in stored_events})


def _is_token(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and _TOKEN in value


class PersonalDataMapper(Mapper[UUID]):
    """The library's mapper, with personal fields encrypted under per-participant keys."""

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
        *,
        keys: ParticipantKeys,
        personal_aggregates: Iterable[type[Any]],
    ) -> None:
        super().__init__(transcoder, compressor, cipher)
        self.keys = keys
        self._snapshotted = {get_topic(cls) for cls in personal_aggregates}
        self._quoted_types: dict[tuple[type[Any], str], frozenset[str]] = {}

    # -- writing ------------------------------------------------------------------------

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        state = self._sealed(domain_event)
        if state is None:
            return super().to_stored_event(domain_event)
        copy = object.__new__(type(domain_event))
        object.__setattr__(copy, "__dict__", state)
        return super().to_stored_event(copy)

    def _sealed(self, event: Any) -> dict[str, Any] | None:
        """The event's state with its personal values sealed, or None if it has none."""
        cls = type(event)
        if getattr(event, "topic", None) in self._snapshotted and hasattr(event, "state"):
            pid = str(event.originator_id)
            cipher = self.keys.cipher_for(pid, create=True)
            assert cipher is not None
            return {**vars(event), "state": self._seal(cipher, pid, "state", event.state)}
        personal: frozenset[str] = getattr(cls, "PERSONAL_FIELDS", _NONE)
        quoted: frozenset[str] = getattr(cls, "QUOTED_FIELDS", _NONE)
        if not personal and not quoted:
            return None
        current = vars(event)
        names = [n for n in personal if current.get(n) is not None]
        if not names and not quoted:
            return None
        state = dict(current)
        pid = str(event.originator_id)
        cipher = self.keys.cipher_for(pid, create=True)
        assert cipher is not None
        for name in names:
            state[name] = self._seal(cipher, pid, name, state[name])
        for name in quoted:
            inner = self._quoted_personal(cls, state)
            state[name] = {
                k: self._seal(cipher, pid, f"{name}.{k}", v) if k in inner and v is not None else v
                for k, v in state[name].items()
            }
        return state

    def _seal(self, cipher: Any, pid: str, field: str, value: Any) -> dict[str, str]:
        # Text (nearly every personal value) as UTF-8 behind a marker byte; a participant's
        # snapshot state as typed MessagePack; anything else through the transcoder.
        if isinstance(value, str):
            plain = b"s" + value.encode()
        else:
            typed = encode_state(value) if field == "state" else None
            plain = b"m" + typed if typed is not None else b"j" + self.transcoder.encode(value)
        nonce = os.urandom(_NONCE)
        sealed = cipher.encrypt(nonce, plain, f"{pid}:{field}".encode())
        return {_TOKEN: base64.b64encode(nonce + sealed).decode("ascii")}

    def _quoted_personal(self, cls: type[Any], state: Mapping[str, Any]) -> frozenset[str]:
        """The personal fields of the event a correction quotes (by its type's name)."""
        corrected: str = state["corrected_type"]
        key = (cls, corrected)
        if key not in self._quoted_types:
            owner = resolve_topic(get_topic(cls).rsplit(".", 1)[0])
            fields: frozenset[str] = getattr(owner, corrected).PERSONAL_FIELDS
            self._quoted_types[key] = fields
        return self._quoted_types[key]

    # -- reading ------------------------------------------------------------------------

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        event = super().to_domain_event(stored_event)
        state = vars(event)
        pid = str(stored_event.originator_id)
        if _is_token(state.get("state")):
            cipher = self.keys.cipher_for(pid, create=False)
            if cipher is None:
                raise MapperDeserialisationError(
                    f"The snapshot of {pid} at version {stored_event.originator_version} was "
                    "encrypted with a key that no longer exists."
                )
            state["state"] = self._open(cipher, pid, "state", state["state"])
            return event
        cls = type(event)
        personal: frozenset[str] = getattr(cls, "PERSONAL_FIELDS", _NONE)
        quoted: frozenset[str] = getattr(cls, "QUOTED_FIELDS", _NONE)
        if not personal and not quoted:
            return event
        sealed = [n for n in personal if _is_token(state.get(n))]
        sealed_inner = [n for n in quoted if any(map(_is_token, state[n].values()))]
        if not sealed and not sealed_inner:
            return event
        try:
            self._open_fields(event, pid, sealed, sealed_inner)
        except InvalidTag:  # a cached key that lost a race to another writer's: read again
            self.keys.refresh(pid)
            self._open_fields(event, pid, sealed, sealed_inner)
        return event

    def _open_fields(self, event: Any, pid: str, sealed: list[str], inner: list[str]) -> None:
        state = vars(event)
        cipher = self.keys.cipher_for(pid, create=False)
        opened = {name: self._open(cipher, pid, name, state[name]) for name in sealed}
        for name in inner:
            opened[name] = {
                k: self._open(cipher, pid, f"{name}.{k}", v) if _is_token(v) else v
                for k, v in state[name].items()
            }
        state.update(opened)

    def _open(self, cipher: Any, pid: str, field: str, token: dict[str, str]) -> Any:
        if cipher is None:
            return ERASED
        data = base64.b64decode(token[_TOKEN])
        plain = cipher.decrypt(data[:_NONCE], data[_NONCE:], f"{pid}:{field}".encode())
        marker = plain[:1]
        if marker == b"s":
            return plain[1:].decode()
        if marker == b"m":
            return decode_state(plain[1:])
        return self.transcoder.decode(plain[1:])
