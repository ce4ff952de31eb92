"""Journeys that the rules allow, told through the application from enrolment to outcomes."""

from __future__ import annotations

from datetime import date

import pytest

from journey.errors import (
    AccreditationDecisionError,
    AttemptSequenceError,
    CertificateError,
    InvalidValue,
    WithdrawnError,
)

from .support import (
    CERTIFIED_ON,
    EXTERNAL_MODERATOR,
    FIRST_MARKER,
    INTERNAL_MODERATOR,
    INTERVIEWER,
    SECOND_MARKER,
    SPRING,
    SPRING_DAYS,
    SUMMER,
    SUMMER_DAYS,
    TODAY,
    TRAINERS,
    Journey,
)


def test_a_full_voices_together_journey(journey: Journey) -> None:
    journey.enrol()
    journey.attend(*range(1, 12))
    journey.session(12, status="missed", reason="Caring for a relative")
    journey.decide()
    journey.submit_log()
    journey.submit_essay(essay_format="oral")
    journey.mark("first", by=FIRST_MARKER)
    journey.mark("second", by=SECOND_MARKER)
    journey.moderate("internal", by=INTERNAL_MODERATOR)
    journey.moderate("external", by=EXTERNAL_MODERATOR)
    journey.certify("accredited")
    journey.certify("attendance")

    enrolment = journey.spring
    assert enrolment.programme_id == "voices-together"
    assert enrolment.attended == 11
    assert enrolment.session(12) is not None
    assert enrolment.session(12).reason == "Caring for a relative"  # type: ignore[union-attr]
    assert enrolment.session(1).occurred_on == SPRING_DAYS[0]  # type: ignore[union-attr]
    assert enrolment.accreditation == "chosen"
    (attempt,) = enrolment.attempts
    assert attempt.submitted == ("log", "essay")
    assert attempt.essay_format == "oral"
    assert attempt.markers == (FIRST_MARKER, SECOND_MARKER)
    assert attempt.moderators == (INTERNAL_MODERATOR, EXTERNAL_MODERATOR)
    assert attempt.final_result == "pass"
    assert enrolment.passed
    assert enrolment.credits_awarded == 30
    assert enrolment.certificates == ("accredited", "attendance")
    assert enrolment.withdrawn_on is None
    assert journey.types() == [
        "Registered",
        "Enrolled",
        *["SessionAttended"] * 11,
        "SessionMissed",
        "AccreditationChosen",
        "LogSubmitted",
        "EssaySubmitted",
        "Marked",
        "Marked",
        "Moderated",
        "Moderated",
        "CertificateIssued",
        "CertificateIssued",
    ]


@pytest.mark.parametrize(
    ("internal", "external", "credits"),
    [("pass", "pass", 30), ("refer", "pass", 30), ("pass", "refer", 0), ("refer", "refer", 0)],
)
def test_credits_are_awarded_exactly_when_external_moderation_passes(
    journey: Journey, internal: str, external: str, credits: int
) -> None:
    journey.enrol()
    journey.decide()
    journey.submit()
    journey.mark_both(internal)
    journey.moderate("internal", by=INTERNAL_MODERATOR, result=internal)
    assert journey.spring.credits_awarded == 0

    journey.moderate("external", by=EXTERNAL_MODERATOR, result=external)

    assert journey.spring.credits_awarded == credits
    assert journey.spring.passed is (external == "pass")
    moderated = [e for e in journey.ledger.history(journey.pid) if e.type == "Moderated"]
    assert [e.fields["credits"] for e in moderated] == [0, credits]


def test_a_referral_then_a_second_attempt_that_passes(journey: Journey) -> None:
    journey.enrol()
    journey.attend(*range(1, 10))
    journey.decide()
    journey.assess(1, internal="refer", external="refer")
    assert journey.spring.credits_awarded == 0
    with pytest.raises(CertificateError):
        journey.certify("accredited")

    journey.assess(2)

    enrolment = journey.spring
    assert [a.number for a in enrolment.attempts] == [1, 2]
    assert [a.final_result for a in enrolment.attempts] == ["refer", "pass"]
    assert enrolment.passed
    assert enrolment.credits_awarded == 30
    journey.certify("accredited")
    assert journey.spring.certificates == ("accredited",)


def test_two_referrals_exhaust_the_attempts(journey: Journey) -> None:
    journey.enrol()
    journey.decide()
    journey.assess(1, internal="refer", external="refer")
    journey.assess(2, internal="pass", external="refer")

    with pytest.raises(AttemptSequenceError) as caught:
        journey.submit_log(3)

    assert caught.value.code == "attempts-exhausted"
    enrolment = journey.spring
    assert not enrolment.passed
    assert enrolment.credits_awarded == 0
    with pytest.raises(CertificateError, match="final pass"):
        journey.certify("accredited")


def test_the_decision_may_change_until_the_first_submission(journey: Journey) -> None:
    journey.enrol()
    journey.decide(choose=True)
    journey.decide(choose=False, on=date(2024, 3, 2))
    assert journey.spring.accreditation == "declined"
    journey.decide(choose=True, on=date(2024, 3, 3))
    journey.submit_log()

    with pytest.raises(AccreditationDecisionError) as caught:
        journey.decide(choose=False, on=date(2024, 5, 2))

    assert caught.value.code == "decision-closed"
    assert journey.spring.accreditation == "chosen"
    assert journey.types()[2:] == [
        "AccreditationChosen",
        "AccreditationDeclined",
        "AccreditationChosen",
        "LogSubmitted",
    ]


def test_the_same_person_enrols_again_on_a_second_cohort(journey: Journey) -> None:
    journey.schedule(SUMMER, days=SUMMER_DAYS, trainers=("Trainer Uma",))
    journey.enrol()
    journey.attend(1, 2)
    journey.enrol_again(SUMMER, on=date(2024, 5, 1))
    journey.attend(1, cohort_id=SUMMER)
    journey.session(2, status="missed", cohort_id=SUMMER)

    view = journey.view
    assert [e.cohort_id for e in view.enrolments] == [SPRING, SUMMER]
    spring, summer = view.enrolments
    assert spring.attended == 2
    assert summer.attended == 1
    assert summer.enrolled_on == date(2024, 5, 1)
    assert summer.session(1).occurred_on == SUMMER_DAYS[0]  # type: ignore[union-attr]
    course = journey.ledger.history(journey.pid)[1:]
    assert [(e.type, e.fields["cohort_id"]) for e in course] == [
        ("Enrolled", SPRING),
        ("SessionAttended", SPRING),
        ("SessionAttended", SPRING),
        ("Enrolled", SUMMER),
        ("SessionAttended", SUMMER),
        ("SessionMissed", SUMMER),
    ]


def test_after_withdrawal_outcomes_are_accepted_but_sessions_are_not(journey: Journey) -> None:
    journey.enrol()
    journey.attend(1, 2, 3)
    journey.withdraw(on=date(2024, 3, 1))

    journey.outcome(on=date(2024, 5, 1))
    journey.ledger.complete_follow_up(
        participant_id=journey.pid, method="survey", occurred_on=TODAY, actor=INTERVIEWER
    )
    journey.feedback(cohort_id=SPRING)
    journey.wellbeing(50)
    with pytest.raises(WithdrawnError):
        journey.session(4)

    view = journey.view
    assert view.enrolment(SPRING).withdrawn_on == date(2024, 3, 1)  # type: ignore[union-attr]
    assert view.enrolment(SPRING).attended == 3  # type: ignore[union-attr]
    assert len(view.outcomes) == len(view.follow_ups) == len(view.feedback) == 1
    assert [w.score for w in view.wellbeing] == [50]
    withdrawn = next(e for e in journey.ledger.history(journey.pid) if e.type == "Withdrawn")
    assert withdrawn.fields == {"cohort_id": SPRING, "reason": "Moved away"}


def test_a_withdrawn_participant_may_enrol_on_another_cohort(journey: Journey) -> None:
    journey.schedule(SUMMER, days=SUMMER_DAYS, trainers=("Trainer Uma",))
    journey.enrol()
    journey.withdraw()

    journey.enrol_again(SUMMER, on=date(2024, 5, 1))
    journey.attend(1, cohort_id=SUMMER)

    assert journey.view.enrolment(SUMMER).attended == 1  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("occurred_on", "ended_on"),
    [
        (date(2024, 2, 1), None),
        (date(2024, 2, 1), date(2024, 2, 1)),
        (date(2024, 2, 1), date(2024, 5, 31)),
    ],
)
def test_an_outcome_with_or_without_an_end(
    journey: Journey, occurred_on: date, ended_on: date | None
) -> None:
    journey.enrol()

    journey.outcome(on=occurred_on, ended_on=ended_on)

    (outcome,) = journey.view.outcomes
    assert outcome.category == "board_member"
    assert outcome.source == "interview"
    assert outcome.detail == "Joined the trust's service user board."
    assert outcome.occurred_on == occurred_on
    assert outcome.ended_on == ended_on
    assert outcome.recorded_by == INTERVIEWER


@pytest.mark.parametrize("method", ["telephone_interview", "survey", "face_to_face", "email"])
def test_follow_ups_record_their_method_and_who_did_them(journey: Journey, method: str) -> None:
    journey.enrol()

    journey.ledger.complete_follow_up(
        participant_id=journey.pid,
        method=method,  # type: ignore[arg-type]
        occurred_on=date(2024, 5, 20),
        actor=INTERVIEWER,
    )

    (follow_up,) = journey.view.follow_ups
    assert (follow_up.method, follow_up.occurred_on, follow_up.recorded_by) == (
        method,
        date(2024, 5, 20),
        INTERVIEWER,
    )


@pytest.mark.parametrize("cohort_id", [None, SPRING])
def test_feedback_by_someone_who_did_not_train_the_cohort(
    journey: Journey, cohort_id: str | None
) -> None:
    journey.enrol()

    journey.feedback(by=INTERVIEWER, cohort_id=cohort_id)

    (feedback,) = journey.view.feedback
    assert feedback.interviewer == INTERVIEWER
    assert feedback.cohort_id == cohort_id
    assert feedback.quote == "It gave me my voice back."


def test_a_trainer_of_a_cohort_the_participant_never_joined_may_interview(
    journey: Journey,
) -> None:
    journey.schedule(SUMMER, days=SUMMER_DAYS, trainers=("Trainer Uma",))
    journey.enrol()

    journey.feedback(by="Trainer Uma")

    assert journey.view.feedback[0].interviewer == "Trainer Uma"
    assert "Trainer Uma" not in TRAINERS


@pytest.mark.parametrize(
    ("scale", "score"), [("WEMWBS", 14), ("WEMWBS", 70), ("SWEMWBS", 7), ("SWEMWBS", 35)]
)
def test_wellbeing_at_the_limits_of_each_scale(journey: Journey, scale: str, score: int) -> None:
    journey.enrol()

    journey.wellbeing(score, scale=scale)

    (measured,) = journey.view.wellbeing
    assert (measured.scale, measured.score, measured.timepoint) == (scale, score, "baseline")
    event = journey.ledger.history(journey.pid)[-1]
    assert event.type == "WellbeingMeasured"
    limits = {"WEMWBS": (14, 70), "SWEMWBS": (7, 35)}[scale]
    assert (event.fields["minimum"], event.fields["maximum"]) == limits


def test_an_unknown_wellbeing_scale_is_refused(journey: Journey) -> None:
    journey.enrol()

    with pytest.raises(InvalidValue) as caught:
        journey.wellbeing(20, scale="GAD-7")

    assert caught.value.field == "scale"
    assert "SWEMWBS, WEMWBS" in caught.value.message
    assert journey.view.wellbeing == ()


@pytest.mark.parametrize("score", [20.5, True])
def test_a_wellbeing_score_must_be_a_whole_number(journey: Journey, score: object) -> None:
    journey.enrol()

    with pytest.raises(InvalidValue) as caught:
        journey.wellbeing(score)  # type: ignore[arg-type]

    assert caught.value.field == "score"


def test_an_attendance_certificate_at_exactly_the_threshold(journey: Journey) -> None:
    journey.enrol()
    journey.attend(*range(1, 10))
    journey.session(10, status="missed")

    journey.certify("attendance")

    enrolment = journey.spring
    assert enrolment.attended == 9
    assert enrolment.certificates == ("attendance",)
    last = journey.ledger.history(journey.pid)[-1]
    assert (last.type, last.occurred_on, last.fields["kind"]) == (
        "CertificateIssued",
        CERTIFIED_ON,
        "attendance",
    )
