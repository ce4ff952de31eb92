"""Snapshots of a participant read back as exactly the state they were taken of."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Snapshot

from journey.application import JourneyLedger
from journey.snapshot_codec import decode_state, encode_state

from .support import (
    EXTERNAL_MODERATOR,
    INTERNAL_MODERATOR,
    Journey,
)


def test_a_full_journey_state_round_trips_through_the_typed_codec(
    ledger: JourneyLedger, journey: Journey
) -> None:
    journey.enrol()
    journey.attend(1, 2, 3)
    journey.session(4, status="missed", reason="Unwell")
    journey.decide()
    journey.assess(internal="refer", external="refer")
    journey.submit(2)
    journey.mark_both(attempt=2)
    journey.moderate("internal", by=INTERNAL_MODERATOR, attempt=2)
    journey.moderate("external", by=EXTERNAL_MODERATOR, attempt=2)
    journey.outcome()
    ledger.request_erasure(participant_id=journey.pid, reason="ticket 4", actor="admin-1")
    participant = ledger._participant(journey.pid)
    state: dict[str, Any] = Snapshot.take(participant).state

    encoded = encode_state(state)

    assert encoded is not None
    assert decode_state(encoded) == state
    assert "forgotten" not in state  # set only by an erasure: absent stays absent
    assert state["erasure_request"] is not None


def test_a_state_of_another_shape_is_left_to_the_generic_transcoding() -> None:
    assert encode_state({"something": 1}) is None


def test_a_snapshot_loads_the_same_participant_as_a_replay(
    ledger: JourneyLedger, journey: Journey
) -> None:
    journey.enrol()
    for _ in range(60):  # past the snapshot at version 50
        journey.outcome()
    assert ledger.snapshots is not None
    assert list(ledger.snapshots.get(journey.pid))  # a snapshot was taken
    loaded = ledger.get_participant(journey.pid)
    replayed: Any = None
    for event in ledger.events.get(journey.pid):  # every event, no snapshot
        replayed = event.mutate(replayed)
    assert loaded.details == replayed.details
    assert loaded.enrolments == tuple(replayed.enrolments.values())
    assert loaded.outcomes == tuple(replayed.outcomes)
    assert len(loaded.outcomes) == 60
