"""A command writes all of its events in one transaction, or nothing; a refused one, nothing.

"Nothing" is checked on the store itself: the application log's highest notification id (one
row per stored event) and the participant's stream are as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID, uuid4

import pytest
from integration_support import COHORT_ID, ENROLLED_ON, STAFF, enrol

from journey.application import JourneyLedger
from journey.errors import (
    AlreadyEnrolledError,
    AlreadyExists,
    CohortNotFound,
    DomainError,
    InvalidValue,
    MarkingError,
    OccurredInFutureError,
    ParticipantNotFound,
    ProgrammeNotFound,
    SessionError,
    VersionMismatch,
    WellbeingOutOfRangeError,
)
from journey.participant import Participant
from journey.state import PersonalDetails


def _stream(ledger: JourneyLedger, pid: UUID) -> list[tuple[int, str]]:
    return [(e.originator_version, type(e).__name__) for e in ledger.events.get(pid)]


def test_enrol_writes_registered_and_enrolled_together(store_url, open_ledger):
    ledger = open_ledger(store_url)
    before = ledger.recorder.max_notification_id()

    receipt = ledger.enrol(
        cohort_id=COHORT_ID, enrolled_on=ENROLLED_ON, details=PersonalDetails("Ada"), actor=STAFF
    )

    assert _stream(ledger, receipt.aggregate_id) == [(1, "Registered"), (2, "Enrolled")]
    assert receipt.version == 2
    # Both rows in one insert: consecutive positions, and the receipt points at the last.
    assert receipt.position == ledger.recorder.max_notification_id() == before + 2
    notifications = ledger.recorder.select_notifications(start=before + 1, limit=10)
    assert [n.originator_version for n in notifications] == [1, 2]


def test_enrol_on_an_unknown_cohort_writes_nothing(store_url, open_ledger):
    ledger = open_ledger(store_url)
    before = ledger.recorder.max_notification_id()
    pid = uuid4()

    with pytest.raises(CohortNotFound):
        ledger.enrol(
            cohort_id="no-such-cohort",
            enrolled_on=ENROLLED_ON,
            details=PersonalDetails("Ada"),
            actor=STAFF,
            participant_id=pid,
        )

    assert ledger.recorder.max_notification_id() == before
    assert not ledger.participant_exists(pid)


def test_enrol_whose_first_event_conflicts_writes_neither(store_url, open_ledger):
    """The real test of one transaction: of enrol's two events only the first conflicts
    (a stream already at version 1), so a non-atomic save would leave Enrolled behind."""
    ledger = open_ledger(store_url)
    pid = uuid4()
    # Setup only: a stream holding Registered alone, which the public API never writes.
    ledger.save(
        Participant.register(participant_id=pid, details=PersonalDetails("Ada"), recorded_by=STAFF)
    )
    before = ledger.recorder.max_notification_id()

    with pytest.raises(AlreadyExists):
        enrol(ledger, "Ada", participant_id=pid)

    assert ledger.recorder.max_notification_id() == before
    assert _stream(ledger, pid) == [(1, "Registered")]


def test_refused_commands_write_nothing(store_url, open_ledger):
    ledger = open_ledger(store_url)
    pid = enrol(ledger, "Ada")
    on = {"participant_id": pid, "cohort_id": COHORT_ID}
    refused: dict[str, tuple[type[DomainError], Callable[[], object]]] = {
        "session not in the cohort": (
            SessionError,
            lambda: ledger.record_session(**on, session=13, status="attended", actor=STAFF),
        ),
        "outcome in the future": (
            OccurredInFutureError,
            lambda: ledger.report_outcome(
                participant_id=pid,
                category="employment",
                detail="Peer worker",
                source="interview",
                occurred_on=date(2030, 1, 1),
                actor=STAFF,
            ),
        ),
        "unknown wellbeing scale": (
            InvalidValue,
            lambda: ledger.measure_wellbeing(
                participant_id=pid,
                scale="NOPE",
                score=1,
                timepoint="baseline",
                occurred_on=ENROLLED_ON,
                actor=STAFF,
            ),
        ),
        "wellbeing out of range": (
            WellbeingOutOfRangeError,
            lambda: ledger.measure_wellbeing(
                participant_id=pid,
                scale="WEMWBS",
                score=71,
                timepoint="baseline",
                occurred_on=ENROLLED_ON,
                actor=STAFF,
            ),
        ),
        "mark before any submission": (
            MarkingError,
            lambda: ledger.record_mark(
                **on,
                attempt=1,
                stage="first",
                result="pass",
                feedback="Good",
                occurred_on=ENROLLED_ON,
                actor="marker-dee",
            ),
        ),
        "enrolled twice on one cohort": (
            AlreadyEnrolledError,
            lambda: ledger.enrol_again(
                participant_id=pid, cohort_id=COHORT_ID, enrolled_on=ENROLLED_ON, actor=STAFF
            ),
        ),
        "stale expected version": (
            VersionMismatch,
            lambda: ledger.complete_follow_up(
                participant_id=pid,
                method="survey",
                occurred_on=ENROLLED_ON,
                actor=STAFF,
                expected_version=1,
            ),
        ),
        "unknown participant": (
            ParticipantNotFound,
            lambda: ledger.complete_follow_up(
                participant_id=uuid4(), method="survey", occurred_on=ENROLLED_ON, actor=STAFF
            ),
        ),
        "programme id taken": (
            AlreadyExists,
            lambda: ledger.define_programme(
                programme_id="voices-together",
                name="Again",
                session_count=12,
                attendance_threshold=9,
                actor=STAFF,
            ),
        ),
        "cohort of an unknown programme": (
            ProgrammeNotFound,
            lambda: ledger.schedule_cohort(
                cohort_id="orphan",
                programme_id="no-such-programme",
                location="Nowhere",
                session_dates=[ENROLLED_ON],
                trainers=["trainer-ana"],
                actor=STAFF,
            ),
        ),
    }
    stream = _stream(ledger, pid)
    position = ledger.recorder.max_notification_id()

    for name, (error, command) in refused.items():
        with pytest.raises(error):
            command()
        assert ledger.recorder.max_notification_id() == position, name
        assert _stream(ledger, pid) == stream, name

    # And the store still takes the next valid command at the next version.
    receipt = ledger.complete_follow_up(
        participant_id=pid, method="survey", occurred_on=ENROLLED_ON, actor=STAFF
    )
    assert receipt.version == stream[-1][0] + 1
