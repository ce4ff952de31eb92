"""A participant's snapshot state, encoded with its types known in advance.

A snapshot of a long journey holds thousands of small records (sessions, scores, contacts),
and the generic JSON transcoding tags and rebuilds each one (and each date in it) through a
hook: about 4 ms per thousand. msgspec encodes the state as MessagePack against the state's
declared shape and decodes it straight into the frozen records, checking every value's type
(and each vocabulary, which are ``Literal`` types) on the way in. The personal-field mapper
uses it inside the snapshot's sealed token (see :mod:`journey.personal_fields`); a state of
any other shape falls back to the generic transcoding.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from journey.state import (
    Enrolment,
    ErasureRequest,
    Feedback,
    FollowUp,
    Outcome,
    PersonalDetails,
    WellbeingScore,
)

__all__ = ["decode_state", "encode_state"]


@dataclass
class _ParticipantState:
    _created_on: datetime
    _modified_on: datetime
    details: PersonalDetails
    enrolments: dict[str, Enrolment]
    outcomes: list[Outcome]
    follow_ups: list[FollowUp]
    feedback: list[Feedback]
    wellbeing: list[WellbeingScore]
    # Set only once the erasure events happened: absent (UNSET) is kept absent, so a state
    # read from a snapshot is exactly the state it was taken of.
    erasure_request: ErasureRequest | msgspec.UnsetType | None = msgspec.UNSET
    forgotten: bool | msgspec.UnsetType = msgspec.UNSET


_FIELDS = frozenset(f.name for f in dataclasses.fields(_ParticipantState))
_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(_ParticipantState)


def encode_state(state: dict[str, Any]) -> bytes | None:
    """The state as typed MessagePack, or None if it is not a participant's state."""
    if not state.keys() <= _FIELDS:
        return None
    try:
        return _ENCODER.encode(_ParticipantState(**state))
    except (TypeError, msgspec.EncodeError):
        return None


def decode_state(data: bytes) -> dict[str, Any]:
    decoded = _DECODER.decode(data)
    values = {name: getattr(decoded, name) for name in _FIELDS}
    return {name: value for name, value in values.items() if value is not msgspec.UNSET}
