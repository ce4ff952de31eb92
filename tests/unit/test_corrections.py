"""Corrections: retract or amend an earlier event by its version, never edit it.

Every scenario also checks the participant's state against an independent fold of the
stream's effective events (:func:`journey.corrections.effective_events`), which is what the
read models rebuild a corrected participant from.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from journey.application import JourneyLedger
from journey.corrections import effective_events
from journey.errors import CorrectionError, InvalidValue, WellbeingOutOfRangeError
from journey.state import Enrolment

from .support import (
    CLERK,
    EXTERNAL_MODERATOR,
    FIRST_MARKER,
    INTERNAL_MODERATOR,
    INTERVIEWER,
    SECOND_MARKER,
    SPRING,
    Journey,
)


def fold(ledger: JourneyLedger, journey: Journey) -> Any:
    """The participant rebuilt from the effective events alone."""
    aggregate: Any = None
    for event in effective_events(ledger.events.get(journey.pid)):
        if aggregate is None:
            aggregate = event.mutate(None)
        else:
            event.apply(aggregate)
    return aggregate


def assert_matches_fold(ledger: JourneyLedger, journey: Journey) -> None:
    view = ledger.get_participant(journey.pid)
    folded = fold(ledger, journey)
    assert view.details == folded.details
    assert view.enrolments == tuple(folded.enrolments.values())
    assert view.outcomes == tuple(folded.outcomes)
    assert view.follow_ups == tuple(folded.follow_ups)
    assert view.feedback == tuple(folded.feedback)
    assert view.wellbeing == tuple(folded.wellbeing)


def version_of(ledger: JourneyLedger, journey: Journey, kind: str, **fields: Any) -> int:
    """The version of the first event of ``kind`` whose fields include ``fields``."""
    for entry in ledger.history(journey.pid):
        if entry.type == kind and all(entry.fields.get(k) == v for k, v in fields.items()):
            return entry.version
    raise AssertionError(f"no {kind} {fields}")


def spring(ledger: JourneyLedger, journey: Journey) -> Enrolment:
    return next(e for e in ledger.get_participant(journey.pid).enrolments if e.cohort_id == SPRING)


def retract(ledger: JourneyLedger, journey: Journey, version: int, *, by: str = CLERK) -> None:
    ledger.retract_event(
        participant_id=journey.pid, corrects=version, reason="Recorded in error", actor=by
    )


def amend(
    ledger: JourneyLedger, journey: Journey, version: int, *, by: str = CLERK, **changes: Any
) -> None:
    ledger.amend_event(
        participant_id=journey.pid,
        corrects=version,
        changes=changes,
        reason="Corrected from the paper form",
        actor=by,
    )


@pytest.fixture
def moderated(ledger: JourneyLedger, journey: Journey) -> Journey:
    """A participant whose first attempt passed and was moderated twice (30 credits)."""
    journey.enrol()
    journey.attend(1, 2, 3)
    journey.decide()
    journey.assess()
    assert spring(ledger, journey).credits_awarded == 30
    return journey


def test_a_retracted_session_no_longer_counts_but_stays_in_the_history(
    ledger: JourneyLedger, journey: Journey
) -> None:
    journey.enrol()
    journey.attend(1, 2, 3)
    before = ledger.get_participant(journey.pid).version
    target = version_of(ledger, journey, "SessionAttended", session=2)

    retract(ledger, journey, target)

    enrolment = spring(ledger, journey)
    assert enrolment.attended == 2
    assert [s.session for s in enrolment.sessions] == [1, 3]
    history = ledger.history(journey.pid)
    assert [e.type for e in history][-1] == "EventRetracted"
    assert history[target - 1].type == "SessionAttended"  # the original is still there
    assert history[-1].fields["corrects"] == target
    assert history[-1].fields["original"]["session"] == 2
    # The journey as it was before the correction is unchanged.
    earlier = ledger.get_participant(journey.pid, version=before)
    assert next(iter(earlier.enrolments)).attended == 3
    # The day can be recorded again, correctly this time.
    journey.session(2, status="missed", reason="Unwell")
    assert spring(ledger, journey).attended == 2
    assert_matches_fold(ledger, journey)


def test_a_mark_amended_after_moderation_makes_the_moderation_stale(
    ledger: JourneyLedger, moderated: Journey
) -> None:
    first = version_of(ledger, moderated, "Marked", stage="first")

    amend(ledger, moderated, first, by=FIRST_MARKER, result="refer")

    enrolment = spring(ledger, moderated)
    attempt = enrolment.attempts[0]
    first_mark = attempt.mark("first")
    assert first_mark is not None
    assert first_mark.result == "refer"
    assert attempt.moderations == ()
    assert attempt.final_result is None
    assert enrolment.credits_awarded == 0
    assert_matches_fold(ledger, moderated)

    # Moderated again, the result is final again and the credits come back.
    moderated.moderate("internal", by=INTERNAL_MODERATOR)
    moderated.moderate("external", by=EXTERNAL_MODERATOR)
    enrolment = spring(ledger, moderated)
    assert enrolment.attempts[0].final_result == "pass"
    assert enrolment.credits_awarded == 30
    assert_matches_fold(ledger, moderated)


def test_a_submission_amended_after_moderation_makes_the_moderation_stale(
    ledger: JourneyLedger, moderated: Journey
) -> None:
    essay = version_of(ledger, moderated, "EssaySubmitted")

    amend(ledger, moderated, essay, format="oral", occurred_on="2024-04-30")

    attempt = spring(ledger, moderated).attempts[0]
    assert attempt.essay_format == "oral"
    assert attempt.submitted_on[attempt.submitted.index("essay")] == date(2024, 4, 30)
    assert attempt.moderations == ()
    assert spring(ledger, moderated).credits_awarded == 0
    assert_matches_fold(ledger, moderated)


def test_amending_the_internal_moderation_makes_the_external_one_stale(
    ledger: JourneyLedger, moderated: Journey
) -> None:
    internal = version_of(ledger, moderated, "Moderated", stage="internal")

    amend(ledger, moderated, internal, by=INTERNAL_MODERATOR, result="refer")

    attempt = spring(ledger, moderated).attempts[0]
    assert [(m.stage, m.result) for m in attempt.moderations] == [("internal", "refer")]
    assert spring(ledger, moderated).credits_awarded == 0
    assert_matches_fold(ledger, moderated)


def test_amending_the_external_result_recomputes_the_credits(
    ledger: JourneyLedger, moderated: Journey
) -> None:
    external = version_of(ledger, moderated, "Moderated", stage="external")

    amend(ledger, moderated, external, by=EXTERNAL_MODERATOR, result="refer")
    assert spring(ledger, moderated).attempts[0].final_result == "refer"
    assert spring(ledger, moderated).credits_awarded == 0
    assert ledger.history(moderated.pid)[-1].fields["changes"] == {"result": "refer", "credits": 0}

    amend(ledger, moderated, external, by=EXTERNAL_MODERATOR, result="pass")
    assert spring(ledger, moderated).credits_awarded == 30
    assert_matches_fold(ledger, moderated)


def test_retracting_the_external_moderation_withdraws_the_credits(
    ledger: JourneyLedger, moderated: Journey
) -> None:
    external = version_of(ledger, moderated, "Moderated", stage="external")
    retract(ledger, moderated, external, by=EXTERNAL_MODERATOR)
    enrolment = spring(ledger, moderated)
    assert enrolment.credits_awarded == 0
    assert enrolment.attempts[0].final_result is None
    assert_matches_fold(ledger, moderated)


def test_only_the_marker_or_moderator_of_record_corrects_a_mark_or_moderation(
    ledger: JourneyLedger, moderated: Journey
) -> None:
    first = version_of(ledger, moderated, "Marked", stage="first")
    external = version_of(ledger, moderated, "Moderated", stage="external")
    with pytest.raises(CorrectionError) as caught:
        amend(ledger, moderated, first, by=SECOND_MARKER, result="refer")
    assert caught.value.code == "correction-not-by-author"
    with pytest.raises(CorrectionError):
        retract(ledger, moderated, external, by=INTERNAL_MODERATOR)


def test_a_correction_is_not_corrected_and_nothing_is_retracted_twice(
    ledger: JourneyLedger, journey: Journey
) -> None:
    journey.enrol()
    journey.attend(1)
    session = version_of(ledger, journey, "SessionAttended")
    retract(ledger, journey, session)
    correction = ledger.get_participant(journey.pid).version

    with pytest.raises(CorrectionError) as caught:
        retract(ledger, journey, correction)
    assert caught.value.code == "correction-of-correction"
    with pytest.raises(CorrectionError) as caught:
        retract(ledger, journey, session)
    assert caught.value.code == "already-retracted"
    with pytest.raises(InvalidValue) as invalid:
        retract(ledger, journey, correction + 5)
    assert invalid.value.field == "corrects"


def test_personal_details_are_amended_and_a_registration_is_never_retracted(
    ledger: JourneyLedger, journey: Journey
) -> None:
    journey.enrol()
    amend(ledger, journey, 1, name="Anne Example", email=None)
    details = ledger.get_participant(journey.pid).details
    assert (details.name, details.email) == ("Anne Example", None)
    with pytest.raises(CorrectionError) as caught:
        retract(ledger, journey, 1)
    assert caught.value.code == "registration-not-retractable"
    assert_matches_fold(ledger, journey)


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        ("choice with submissions", "correction-has-dependants"),
        ("marked submission", "correction-has-dependants"),
        ("first mark before second", "correction-has-dependants"),
        ("enrolment with records", "correction-has-dependants"),
        ("attempt with a later attempt", "correction-has-dependants"),
        ("pass with a certificate", "correction-has-dependants"),
    ],
)
def test_a_retraction_that_would_leave_a_dependant_standing_is_refused(
    ledger: JourneyLedger, journey: Journey, what: str, expected: str
) -> None:
    journey.enrol()
    journey.attend(1, 2, 3)
    journey.decide()
    if what == "attempt with a later attempt":
        journey.assess(internal="refer", external="refer")
        journey.submit(2)
    else:
        journey.assess()
    if what == "pass with a certificate":
        journey.certify("accredited")
    target = {
        "choice with submissions": ("AccreditationChosen", {}),
        "marked submission": ("LogSubmitted", {}),
        "first mark before second": ("Marked", {"stage": "first"}),
        "enrolment with records": ("Enrolled", {}),
        "attempt with a later attempt": ("Moderated", {"stage": "external"}),
        "pass with a certificate": ("Moderated", {"stage": "external"}),
    }[what]
    version = version_of(ledger, journey, target[0], **target[1])
    author = {"Marked": FIRST_MARKER, "Moderated": EXTERNAL_MODERATOR}.get(target[0], CLERK)
    before = ledger.history(journey.pid)

    with pytest.raises(CorrectionError) as caught:
        retract(ledger, journey, version, by=author)

    assert caught.value.code == expected
    assert ledger.history(journey.pid) == before


def test_an_amendment_is_checked_like_the_command_it_corrects(
    ledger: JourneyLedger, journey: Journey
) -> None:
    journey.enrol()
    journey.outcome()
    ledger.measure_wellbeing(
        participant_id=journey.pid,
        scale="SWEMWBS",
        score=20,
        timepoint="baseline",
        occurred_on=date(2024, 2, 1),
        actor=INTERVIEWER,
    )
    outcome = version_of(ledger, journey, "OutcomeReported")
    wellbeing = version_of(ledger, journey, "WellbeingMeasured")
    with pytest.raises(InvalidValue) as caught:
        amend(ledger, journey, outcome, recorded_by="someone else")
    assert caught.value.field == "changes.recorded_by"
    with pytest.raises(InvalidValue) as caught:
        amend(ledger, journey, outcome, category="astronaut")
    assert caught.value.field == "changes.category"
    with pytest.raises(InvalidValue) as caught:
        amend(ledger, journey, outcome, occurred_on="1 June")
    assert caught.value.field == "changes.occurred_on"
    with pytest.raises(InvalidValue) as caught:
        amend(ledger, journey, outcome, category="board_member")
    assert caught.value.field == "changes"  # nothing would change
    with pytest.raises(WellbeingOutOfRangeError):
        amend(ledger, journey, wellbeing, score=99)
    with pytest.raises(InvalidValue) as caught:
        amend(ledger, journey, outcome, ended_on="2024-01-01")
    assert caught.value.field == "changes.ended_on"

    amend(ledger, journey, outcome, category="employment", ended_on="2024-06-01")
    amend(ledger, journey, wellbeing, score=25)
    view = ledger.get_participant(journey.pid)
    assert (view.outcomes[0].category, view.outcomes[0].ended_on) == (
        "employment",
        date(2024, 6, 1),
    )
    assert view.outcomes[0].recorded_by == INTERVIEWER
    assert view.wellbeing[0].score == 25
    retract(ledger, journey, outcome)
    assert ledger.get_participant(journey.pid).outcomes == ()
    assert_matches_fold(ledger, journey)


def test_a_withdrawal_recorded_in_error_is_retracted_and_the_course_goes_on(
    ledger: JourneyLedger, journey: Journey
) -> None:
    journey.enrol()
    journey.attend(1)
    journey.withdraw()
    retract(ledger, journey, version_of(ledger, journey, "Withdrawn"))
    journey.attend(2)
    enrolment = spring(ledger, journey)
    assert not enrolment.withdrawn
    assert enrolment.attended == 2
    assert_matches_fold(ledger, journey)


def test_a_day_under_an_attendance_certificate_is_not_retracted(
    ledger: JourneyLedger, journey: Journey
) -> None:
    journey.enrol()
    journey.attend(*range(1, 10))
    journey.certify("attendance")
    with pytest.raises(CorrectionError) as caught:
        retract(ledger, journey, version_of(ledger, journey, "SessionAttended", session=4))
    assert caught.value.code == "correction-has-dependants"
    assert "certificate" in str(caught.value)


def test_an_enrolment_is_not_amended_to_after_its_records(
    ledger: JourneyLedger, journey: Journey
) -> None:
    journey.enrol()
    journey.attend(1)
    enrolled = version_of(ledger, journey, "Enrolled")
    with pytest.raises(CorrectionError) as caught:
        amend(ledger, journey, enrolled, occurred_on=date(2024, 2, 20))
    assert caught.value.code == "correction-out-of-order"
    amend(ledger, journey, enrolled, occurred_on=date(2024, 1, 20))
    assert spring(ledger, journey).enrolled_on == date(2024, 1, 20)
    assert_matches_fold(ledger, journey)
