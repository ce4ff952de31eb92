"""What readers get back: frozen views, views as of a version, the full history and receipts."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from journey.errors import ParticipantNotFound
from journey.programme import Programme
from journey.views import HistoryEntry, ParticipantView

from .support import (
    ADMIN,
    CLERK,
    DECIDED_ON,
    ENROLLED_ON,
    EXTERNAL_MODERATOR,
    FIRST_MARKER,
    INTERNAL_MODERATOR,
    INTERVIEWER,
    SECOND_MARKER,
    SPRING,
    SPRING_DAYS,
    SUBMITTED_ON,
    Journey,
)


def test_a_participant_view_is_frozen(journey: Journey) -> None:
    journey.enrol()
    journey.attend(1)
    view = journey.view

    assert isinstance(view, ParticipantView)
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.version = 99  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.details.name = "Someone Else"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.enrolments[0].withdrawn_on = ENROLLED_ON  # type: ignore[misc]
    for collection in (view.enrolments, view.outcomes, view.follow_ups, view.feedback):
        assert isinstance(collection, tuple)
    assert isinstance(view.enrolments[0].sessions, tuple)


def test_a_view_says_who_the_participant_is(journey: Journey) -> None:
    pid = journey.enrol()

    view = journey.view

    assert view.participant_id == pid
    assert view.version == 2
    assert view.details.name == "Ann Example"
    assert view.details.email == "ann@example.org"
    assert isinstance(view.registered_at, datetime)
    assert view.modified_at >= view.registered_at
    assert view.enrolment(SPRING) == view.enrolments[0]
    assert view.enrolment("elsewhere") is None


def test_a_version_query_gives_the_state_as_of_that_version(journey: Journey) -> None:
    journey.enrol()
    journey.attend(1, 2)
    journey.decide()

    v1 = journey.ledger.get_participant(journey.pid, version=1)
    v2 = journey.ledger.get_participant(journey.pid, version=2)
    v3 = journey.ledger.get_participant(journey.pid, version=3)
    v5 = journey.ledger.get_participant(journey.pid, version=5)

    assert (v1.version, v1.enrolments) == (1, ())
    assert v1.details == v5.details
    assert v2.version == 2
    assert v2.enrolments[0].sessions == ()
    assert [s.session for s in v3.enrolments[0].sessions] == [1]
    assert v3.enrolments[0].accreditation is None
    assert v5.enrolments[0].accreditation == "chosen"
    assert v5 == journey.view


def test_history_lists_every_event_in_order(journey: Journey) -> None:
    journey.enrol()
    journey.session(1)
    journey.session(2, status="missed", reason="Migraine")
    journey.decide()
    journey.ledger.submit_essay(
        participant_id=journey.pid,
        cohort_id=SPRING,
        attempt=1,
        essay_format="poster",
        occurred_on=SUBMITTED_ON,
        actor="Tutor Tara",
    )

    history = journey.ledger.history(journey.pid)

    assert all(isinstance(entry, HistoryEntry) for entry in history)
    assert [(e.version, e.type) for e in history] == [
        (1, "Registered"),
        (2, "Enrolled"),
        (3, "SessionAttended"),
        (4, "SessionMissed"),
        (5, "AccreditationChosen"),
        (6, "EssaySubmitted"),
    ]
    assert [e.occurred_on for e in history] == [
        None,
        ENROLLED_ON,
        SPRING_DAYS[0],
        SPRING_DAYS[1],
        DECIDED_ON,
        SUBMITTED_ON,
    ]
    assert [e.recorded_by for e in history] == [CLERK] * 5 + ["Tutor Tara"]
    recorded_at = [e.recorded_at for e in history]
    assert all(isinstance(t, datetime) and t.tzinfo is not None for t in recorded_at)
    assert recorded_at == sorted(recorded_at)
    assert history[-1].recorded_at == journey.view.modified_at


def test_history_fields_include_personal_data(journey: Journey) -> None:
    journey.enrol()
    journey.session(2, status="missed", reason="Migraine")
    journey.outcome()
    journey.feedback()

    registered, _, missed, outcome, feedback = journey.ledger.history(journey.pid)

    assert registered.fields == {
        "name": "Ann Example",
        "email": "ann@example.org",
        "phone": None,
        "ethnicity": None,
        "gender": None,
        "age_band": None,
        "disability": None,
    }
    assert missed.fields == {"cohort_id": SPRING, "session": 2, "reason": "Migraine"}
    assert outcome.fields["detail"] == "Joined the trust's service user board."
    assert feedback.fields["quote"] == "It gave me my voice back."
    for entry in (registered, missed, outcome, feedback):
        assert not {"originator_id", "originator_version", "timestamp", "recorded_by"} & set(
            entry.fields
        )


def test_history_entries_cannot_be_changed(journey: Journey) -> None:
    journey.enrol()
    entry = journey.ledger.history(journey.pid)[0]

    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.recorded_by = "Someone Else"  # type: ignore[misc]
    with pytest.raises(TypeError):
        entry.fields["name"] = "Someone Else"  # type: ignore[index]


def test_the_actor_is_the_marker_the_moderator_and_the_interviewer(journey: Journey) -> None:
    journey.enrol()
    journey.decide()
    journey.assess()
    journey.feedback(by=INTERVIEWER)

    by_type: dict[str, list[HistoryEntry]] = {}
    for entry in journey.ledger.history(journey.pid):
        by_type.setdefault(entry.type, []).append(entry)

    marks = by_type["Marked"]
    assert [(m.fields["stage"], m.fields["marker"], m.recorded_by) for m in marks] == [
        ("first", FIRST_MARKER, FIRST_MARKER),
        ("second", SECOND_MARKER, SECOND_MARKER),
    ]
    moderations = by_type["Moderated"]
    assert [(m.fields["stage"], m.fields["moderator"], m.recorded_by) for m in moderations] == [
        ("internal", INTERNAL_MODERATOR, INTERNAL_MODERATOR),
        ("external", EXTERNAL_MODERATOR, EXTERNAL_MODERATOR),
    ]
    (feedback,) = by_type["FeedbackRecorded"]
    assert (feedback.fields["interviewer"], feedback.recorded_by) == (INTERVIEWER, INTERVIEWER)
    attempt = journey.spring.attempts[0]
    assert [m.marker for m in attempt.marks] == [FIRST_MARKER, SECOND_MARKER]
    assert journey.view.feedback[0].interviewer == INTERVIEWER


def test_receipts_name_the_stream_its_version_and_a_growing_position(journey: Journey) -> None:
    pid = journey.enrol()

    first = journey.ledger.complete_follow_up(
        participant_id=pid, method="email", occurred_on=ENROLLED_ON, actor=CLERK
    )
    second = journey.ledger.complete_follow_up(
        participant_id=pid, method="survey", occurred_on=ENROLLED_ON, actor=CLERK
    )

    assert (first.aggregate_id, first.version) == (pid, 3)
    assert (second.aggregate_id, second.version) == (pid, 4)
    assert first.position is not None
    assert second.position == first.position + 1


def test_programme_and_cohort_views(journey: Journey) -> None:
    programme = journey.ledger.get_programme("voices-together")
    cohort = journey.ledger.get_cohort(SPRING)

    assert programme.session_count == len(cohort.session_dates) == 12
    assert cohort.trainers == ("Trainer Tess", "Trainer Theo")
    with pytest.raises(dataclasses.FrozenInstanceError):
        programme.name = "Renamed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cohort.location = "Elsewhere"  # type: ignore[misc]


def test_history_of_a_programme_id_is_not_a_participants(journey: Journey) -> None:
    with pytest.raises(ParticipantNotFound):
        journey.ledger.history(Programme.id_for("voices-together"))


def test_a_long_stream_reads_back_the_same_through_a_snapshot(journey: Journey) -> None:
    # Participants are snapshotted every 50 events; the state must survive the round trip.
    journey.enrol()
    journey.attend(1, 2, 3)
    journey.decide()
    journey.assess()
    for day in range(50):
        journey.ledger.complete_follow_up(
            participant_id=journey.pid,
            method="email",
            occurred_on=date(2024, 5, 1 + day % 28),
            actor=ADMIN,
        )
    as_of_before_snapshot = journey.ledger.get_participant(journey.pid, version=11)

    view = journey.view

    assert journey.ledger.snapshots is not None
    assert [s.originator_version for s in journey.ledger.snapshots.get(journey.pid)] == [50]
    assert view.version == 62
    assert len(view.follow_ups) == 50
    enrolment = view.enrolments[0]
    assert enrolment.attended == 3
    assert enrolment.credits_awarded == 30
    assert enrolment.attempts[0].submitted == ("log", "essay")
    assert isinstance(enrolment.attempts[0].marks, tuple)
    assert enrolment.attempts[0].final_result == "pass"
    assert as_of_before_snapshot.enrolments[0].attempts[0].final_result is None
    assert journey.ledger.get_participant(journey.pid, version=62) == view
