"""Every rule guard, broken through the application: the named error, its stable code, a
sentence that names the rule, and a stream left exactly as it was.

Each scenario arranges a participant, then returns the one command that breaks the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from journey.errors import (
    AccreditationDecisionError,
    AlreadyEnrolledError,
    AlreadyWithdrawnError,
    AttemptSequenceError,
    CertificateError,
    ComponentAlreadySubmittedError,
    DomainError,
    EssayFormatNotAllowedError,
    FeedbackInterviewerError,
    InvalidValue,
    MarkingError,
    ModerationError,
    NotEnrolledError,
    OccurredInFutureError,
    ResultAlreadyFinalError,
    RuleViolation,
    SessionError,
    SubmissionWithoutAccreditationError,
    WellbeingOutOfRangeError,
    WithdrawnError,
)

from .support import (
    EXTERNAL_MODERATOR,
    FIRST_MARKER,
    INTERNAL_MODERATOR,
    SECOND_MARKER,
    SPRING,
    SUMMER,
    SUMMER_DAYS,
    TODAY,
    TRAINERS,
    Journey,
    accreditation,
    short_programme,
)

Act = Callable[[], Any]
Arrange = Callable[[Journey], Act]

# The stable codes of the rules (the contract clients match on).
RULE_CODES = frozenset(
    {
        "not-enrolled",
        "already-enrolled",
        "withdrawn",
        "already-withdrawn",
        "occurred-in-future",
        "before-enrolment",
        "session-not-in-cohort",
        "session-already-recorded",
        "session-in-future",
        "session-before-enrolment",
        "no-accreditation-offered",
        "decision-closed",
        "decision-unchanged",
        "submission-without-accreditation",
        "component-not-assessed",
        "essay-format-not-allowed",
        "attempt-sequence",
        "attempts-exhausted",
        "component-already-submitted",
        "attempt-not-found",
        "marking-before-submission",
        "mark-already-recorded",
        "second-marker-differs",
        "result-final",
        "moderation-before-marking",
        "moderation-already-recorded",
        "external-before-internal",
        "moderator-marked",
        "moderator-independent",
        "certificate-already-issued",
        "attendance-below-threshold",
        "not-passed",
        "interviewer-is-trainer",
        "wellbeing-out-of-range",
        "invalid-value",
    }
)


@dataclass(frozen=True)
class Rejection:
    code: str
    error: type[DomainError]
    arrange: Arrange
    phrase: str | None = None  # a rule violation's sentence contains it
    field: str | None = None  # an invalid value names it


CASES: list[Any] = []


def rule(code: str, error: type[RuleViolation], phrase: str) -> Callable[[Arrange], Arrange]:
    def register(arrange: Arrange) -> Arrange:
        rejection = Rejection(code, error, arrange, phrase=phrase)
        CASES.append(pytest.param(rejection, id=f"{code}:{arrange.__name__}"))
        return arrange

    return register


def invalid(field: str) -> Callable[[Arrange], Arrange]:
    def register(arrange: Arrange) -> Arrange:
        rejection = Rejection("invalid-value", InvalidValue, arrange, field=field)
        CASES.append(pytest.param(rejection, id=f"invalid-value:{arrange.__name__}"))
        return arrange

    return register


def submitted(j: Journey) -> None:
    j.enrol()
    j.decide()
    j.submit()


def marked(j: Journey) -> None:
    submitted(j)
    j.mark_both()


# -- rule 1: enrolment, withdrawal and dates --------------------------------------------------


@rule("not-enrolled", NotEnrolledError, "is not enrolled on cohort 'vt-2024-summer'")
def session_on_another_cohort(j: Journey) -> Act:
    j.schedule(SUMMER, days=SUMMER_DAYS)
    j.enrol()
    return lambda: j.session(1, cohort_id=SUMMER)


@rule("not-enrolled", NotEnrolledError, "is not enrolled on cohort 'vt-2024-summer'")
def feedback_naming_another_cohort(j: Journey) -> Act:
    j.schedule(SUMMER, days=SUMMER_DAYS)
    j.enrol()
    return lambda: j.feedback(cohort_id=SUMMER)


@rule("already-enrolled", AlreadyEnrolledError, "already enrolled on cohort 'vt-2024-spring'")
def enrol_again_on_the_same_cohort(j: Journey) -> Act:
    j.enrol()
    return lambda: j.enrol_again(SPRING, on=date(2024, 2, 1))


@rule("withdrawn", WithdrawnError, "withdrew from cohort 'vt-2024-spring'")
def session_after_withdrawal(j: Journey) -> Act:
    j.enrol()
    j.withdraw()
    return lambda: j.session(1)


@rule("withdrawn", WithdrawnError, "withdrew from cohort 'vt-2024-spring'")
def certificate_after_withdrawal(j: Journey) -> Act:
    j.enrol()
    j.attend(*range(1, 10))
    j.withdraw(on=date(2024, 5, 1))
    return lambda: j.certify("attendance")


@rule("already-withdrawn", AlreadyWithdrawnError, "already withdrew")
def withdraw_twice(j: Journey) -> Act:
    j.enrol()
    j.withdraw()
    return lambda: j.withdraw(on=date(2024, 4, 1))


@rule("occurred-in-future", OccurredInFutureError, "after today (2024-06-01)")
def decision_dated_tomorrow(j: Journey) -> Act:
    j.enrol()
    return lambda: j.decide(on=date(2024, 6, 2))


@rule("occurred-in-future", OccurredInFutureError, "after today (2024-06-01)")
def withdrawal_dated_tomorrow(j: Journey) -> Act:
    j.enrol()
    return lambda: j.withdraw(on=date(2024, 6, 2))


@rule("occurred-in-future", OccurredInFutureError, "after today (2024-06-01)")
def outcome_dated_tomorrow(j: Journey) -> Act:
    j.enrol()
    return lambda: j.outcome(on=date(2024, 6, 2))


@rule("occurred-in-future", OccurredInFutureError, "after today (2024-06-01)")
def re_enrolment_dated_tomorrow(j: Journey) -> Act:
    j.schedule(SUMMER, days=SUMMER_DAYS)
    j.enrol()
    return lambda: j.enrol_again(SUMMER, on=date(2024, 6, 2))


@rule("before-enrolment", RuleViolation, "before the enrolment on 2024-01-15")
def decision_dated_before_enrolment(j: Journey) -> Act:
    j.enrol()
    return lambda: j.decide(on=date(2024, 1, 14))


@rule("before-enrolment", RuleViolation, "before the enrolment on 2024-01-15")
def withdrawal_dated_before_enrolment(j: Journey) -> Act:
    j.enrol()
    return lambda: j.withdraw(on=date(2024, 1, 14))


@rule("before-enrolment", RuleViolation, "before the participant's first enrolment")
def outcome_dated_before_first_enrolment(j: Journey) -> Act:
    j.enrol()
    return lambda: j.outcome(on=date(2023, 12, 31))


# -- rule 2: training days --------------------------------------------------------------------


@rule("session-not-in-cohort", SessionError, "there is no day 13")
def session_thirteen_of_twelve(j: Journey) -> Act:
    j.enrol()
    return lambda: j.session(13)


@rule("session-not-in-cohort", SessionError, "there is no day 0")
def session_zero(j: Journey) -> Act:
    j.enrol()
    return lambda: j.session(0)


@rule("session-already-recorded", SessionError, "already recorded as attended")
def session_recorded_twice(j: Journey) -> Act:
    j.enrol()
    j.session(1)
    return lambda: j.session(1, status="missed", reason="Ill")


@rule("session-in-future", SessionError, "it cannot be recorded yet")
def session_on_a_day_still_to_come(j: Journey) -> Act:
    j.schedule(SUMMER, days=SUMMER_DAYS)
    j.enrol(SUMMER, on=date(2024, 5, 1))
    return lambda: j.session(5, cohort_id=SUMMER, occurred_on=TODAY)


@rule("session-before-enrolment", SessionError, "before the enrolment on 2024-02-10")
def session_on_a_day_before_enrolment(j: Journey) -> Act:
    j.enrol(on=date(2024, 2, 10))
    return lambda: j.session(1, occurred_on=date(2024, 2, 10))


# -- rule 3: the accreditation decision -------------------------------------------------------


def unaccredited(j: Journey) -> None:
    short_programme(j.ledger, "taster", accreditation=None, cohort_id="taster-1")
    j.enrol("taster-1")


@rule("no-accreditation-offered", AccreditationDecisionError, "offers no accreditation")
def choose_on_an_unaccredited_programme(j: Journey) -> Act:
    unaccredited(j)
    return lambda: j.decide(cohort_id="taster-1")


@rule("no-accreditation-offered", AccreditationDecisionError, "offers no accreditation")
def submit_on_an_unaccredited_programme(j: Journey) -> Act:
    unaccredited(j)
    return lambda: j.submit_log(cohort_id="taster-1")


@rule("decision-closed", AccreditationDecisionError, "cannot change after the first submission")
def decline_after_submitting(j: Journey) -> Act:
    j.enrol()
    j.decide()
    j.submit_log()
    return lambda: j.decide(choose=False)


@rule("decision-unchanged", AccreditationDecisionError, "already chosen")
def choose_twice(j: Journey) -> Act:
    j.enrol()
    j.decide()
    return lambda: j.decide()


@rule("decision-unchanged", AccreditationDecisionError, "already declined")
def decline_twice(j: Journey) -> Act:
    j.enrol()
    j.decide(choose=False)
    return lambda: j.decide(choose=False)


# -- rule 4: submissions ----------------------------------------------------------------------


@rule("submission-without-accreditation", SubmissionWithoutAccreditationError, "not chosen")
def submit_while_undecided(j: Journey) -> Act:
    j.enrol()
    return lambda: j.submit_log()


@rule("submission-without-accreditation", SubmissionWithoutAccreditationError, "is declined")
def submit_after_declining(j: Journey) -> Act:
    j.enrol()
    j.decide(choose=False)
    return lambda: j.submit_essay()


@rule("component-not-assessed", SubmissionWithoutAccreditationError, "does not assess")
def essay_for_a_log_only_accreditation(j: Journey) -> Act:
    terms = accreditation(components=("log",), essay_formats=())
    short_programme(j.ledger, "log-only", accreditation=terms, cohort_id="log-only-1")
    j.enrol("log-only-1")
    j.decide(cohort_id="log-only-1")
    return lambda: j.submit_essay(cohort_id="log-only-1")


@rule("essay-format-not-allowed", EssayFormatNotAllowedError, "not as poster")
def poster_where_only_written_essays_count(j: Journey) -> Act:
    terms = accreditation(essay_formats=("written",))
    short_programme(j.ledger, "written-only", accreditation=terms, cohort_id="written-only-1")
    j.enrol("written-only-1")
    j.decide(cohort_id="written-only-1")
    return lambda: j.submit_essay(essay_format="poster", cohort_id="written-only-1")


@rule("attempt-sequence", AttemptSequenceError, "only after attempt 1 was referred")
def second_attempt_before_the_first(j: Journey) -> Act:
    j.enrol()
    j.decide()
    return lambda: j.submit_log(2)


@rule("attempt-sequence", AttemptSequenceError, "only after attempt 1 was referred")
def second_attempt_before_external_moderation(j: Journey) -> Act:
    marked(j)
    j.moderate("internal", by=INTERNAL_MODERATOR, result="refer")
    return lambda: j.submit_log(2)


@rule("attempt-sequence", AttemptSequenceError, "outside 1 to 2")
def attempt_zero(j: Journey) -> Act:
    j.enrol()
    j.decide()
    return lambda: j.submit_log(0)


@rule("attempts-exhausted", AttemptSequenceError, "maximum number of attempts")
def third_attempt_of_two(j: Journey) -> Act:
    j.enrol()
    j.decide()
    j.assess(1, internal="refer", external="refer")
    j.assess(2, internal="refer", external="refer")
    return lambda: j.submit_log(3)


@rule("component-already-submitted", ComponentAlreadySubmittedError, "already submitted")
def log_submitted_twice(j: Journey) -> Act:
    j.enrol()
    j.decide()
    j.submit_log()
    return lambda: j.submit_log()


# -- rule 5: marking --------------------------------------------------------------------------


@rule("attempt-not-found", MarkingError, "There is no attempt 1")
def mark_with_nothing_submitted(j: Journey) -> Act:
    j.enrol()
    j.decide()
    return lambda: j.mark("first", by=FIRST_MARKER)


@rule("marking-before-submission", MarkingError, "(missing: essay)")
def mark_with_only_the_log_in(j: Journey) -> Act:
    j.enrol()
    j.decide()
    j.submit_log()
    return lambda: j.mark("first", by=FIRST_MARKER)


@rule("mark-already-recorded", MarkingError, "already has its first mark")
def first_mark_twice(j: Journey) -> Act:
    submitted(j)
    j.mark("first", by=FIRST_MARKER)
    return lambda: j.mark("first", by=SECOND_MARKER)


@rule("second-marker-differs", MarkingError, "must be by two different people")
def second_mark_by_the_first_marker(j: Journey) -> Act:
    submitted(j)
    j.mark("first", by=FIRST_MARKER)
    return lambda: j.mark("second", by=FIRST_MARKER)


@rule("second-marker-differs", MarkingError, "must be by two different people")
def second_mark_by_the_first_marker_padded(j: Journey) -> Act:
    submitted(j)
    j.mark("first", by=FIRST_MARKER)
    return lambda: j.mark("second", by=f"  {FIRST_MARKER} ")


# -- rule 6: moderation and the final result --------------------------------------------------


@rule("result-final", ResultAlreadyFinalError, "already has its final result (pass)")
def mark_after_the_final_result(j: Journey) -> Act:
    j.enrol()
    j.decide()
    j.assess()
    return lambda: j.mark("first", by="Marker Max")


@rule("result-final", ResultAlreadyFinalError, "already has its final result (refer)")
def mark_a_referred_attempt(j: Journey) -> Act:
    j.enrol()
    j.decide()
    j.assess(internal="refer", external="refer")
    return lambda: j.mark("second", by="Marker Max")


@rule("result-final", ResultAlreadyFinalError, "a pass is final")
def submit_after_passing(j: Journey) -> Act:
    j.enrol()
    j.decide()
    j.assess()
    return lambda: j.submit_log(2)


@rule("moderation-before-marking", ModerationError, "before both marks are in")
def moderate_with_one_mark(j: Journey) -> Act:
    submitted(j)
    j.mark("first", by=FIRST_MARKER)
    return lambda: j.moderate("internal", by=INTERNAL_MODERATOR)


@rule("moderation-already-recorded", ModerationError, "already internally moderated")
def internal_moderation_twice(j: Journey) -> Act:
    marked(j)
    j.moderate("internal", by=INTERNAL_MODERATOR)
    return lambda: j.moderate("internal", by="Moderator Quinn")


@rule("moderation-already-recorded", ModerationError, "already externally moderated")
def external_moderation_twice(j: Journey) -> Act:
    j.enrol()
    j.decide()
    j.assess()
    return lambda: j.moderate("external", by="Moderator Quinn")


@rule("external-before-internal", ModerationError, "needs internal moderation before external")
def external_moderation_first(j: Journey) -> Act:
    marked(j)
    return lambda: j.moderate("external", by=EXTERNAL_MODERATOR)


@rule("moderator-marked", ModerationError, "marked attempt 1 and so cannot moderate it")
def first_marker_moderates_internally(j: Journey) -> Act:
    marked(j)
    return lambda: j.moderate("internal", by=FIRST_MARKER)


@rule("moderator-marked", ModerationError, "marked attempt 1 and so cannot moderate it")
def second_marker_moderates_externally(j: Journey) -> Act:
    marked(j)
    j.moderate("internal", by=INTERNAL_MODERATOR)
    return lambda: j.moderate("external", by=SECOND_MARKER)


@rule("moderator-independent", ModerationError, "someone other than the internal moderator")
def internal_moderator_moderates_externally(j: Journey) -> Act:
    marked(j)
    j.moderate("internal", by=INTERNAL_MODERATOR)
    return lambda: j.moderate("external", by=INTERNAL_MODERATOR)


# -- rule 7: certificates ---------------------------------------------------------------------


@rule("certificate-already-issued", CertificateError, "at most one of each kind")
def attendance_certificate_twice(j: Journey) -> Act:
    j.enrol()
    j.attend(*range(1, 10))
    j.certify("attendance")
    return lambda: j.certify("attendance")


@rule("attendance-below-threshold", CertificateError, "needs 9 training days attended; 8 are")
def attendance_certificate_after_eight_days(j: Journey) -> Act:
    j.enrol()
    j.attend(*range(1, 9))
    j.session(9, status="missed", reason="Hospital appointment")
    return lambda: j.certify("attendance")


@rule("not-passed", CertificateError, "needs a final pass")
def accredited_certificate_with_no_result(j: Journey) -> Act:
    j.enrol()
    j.decide()
    return lambda: j.certify("accredited")


@rule("not-passed", CertificateError, "needs a final pass")
def accredited_certificate_after_internal_pass_only(j: Journey) -> Act:
    marked(j)
    j.moderate("internal", by=INTERNAL_MODERATOR)
    return lambda: j.certify("accredited")


# -- rule 8: review feedback ------------------------------------------------------------------


@rule("interviewer-is-trainer", FeedbackInterviewerError, "is a trainer of cohort")
def trainer_interviews_without_naming_a_cohort(j: Journey) -> Act:
    j.enrol()
    return lambda: j.feedback(by=TRAINERS[0])


@rule("interviewer-is-trainer", FeedbackInterviewerError, "is a trainer of cohort")
def trainer_interviews_about_their_cohort(j: Journey) -> Act:
    j.enrol()
    return lambda: j.feedback(by=TRAINERS[1], cohort_id=SPRING)


@rule("interviewer-is-trainer", FeedbackInterviewerError, "is a trainer of cohort")
def trainer_of_the_participants_other_cohort(j: Journey) -> Act:
    j.schedule(SUMMER, days=SUMMER_DAYS, trainers=("Trainer Uma",))
    j.enrol()
    j.enrol_again(SUMMER, on=date(2024, 5, 1))
    return lambda: j.feedback(by="Trainer Uma")


# -- rule 9: wellbeing ------------------------------------------------------------------------


@rule("wellbeing-out-of-range", WellbeingOutOfRangeError, "between 14 and 70; 71 is outside")
def wemwbs_above_its_range(j: Journey) -> Act:
    j.enrol()
    return lambda: j.wellbeing(71)


# -- invalid values ---------------------------------------------------------------------------


@invalid("format")
def essay_as_a_video(j: Journey) -> Act:
    j.enrol()
    j.decide()
    return lambda: j.submit_essay(essay_format="video")


@invalid("status")
def session_status_late(j: Journey) -> Act:
    j.enrol()
    return lambda: j.session(1, status="late")


@invalid("result")
def mark_result_distinction(j: Journey) -> Act:
    submitted(j)
    return lambda: j.mark("first", by=FIRST_MARKER, result="distinction")


@invalid("stage")
def mark_stage_third(j: Journey) -> Act:
    submitted(j)
    return lambda: j.mark("third", by=FIRST_MARKER)


@invalid("feedback")
def mark_with_blank_feedback(j: Journey) -> Act:
    submitted(j)
    return lambda: j.mark("first", by=FIRST_MARKER, feedback="   ")


@invalid("stage")
def moderation_stage_final(j: Journey) -> Act:
    marked(j)
    return lambda: j.moderate("final", by=INTERNAL_MODERATOR)


@invalid("kind")
def certificate_of_kind_gold(j: Journey) -> Act:
    j.enrol()
    return lambda: j.certify("gold")


@invalid("ended_on")
def outcome_ending_before_it_began(j: Journey) -> Act:
    j.enrol()
    return lambda: j.outcome(on=date(2024, 5, 1), ended_on=date(2024, 4, 30))


@invalid("category")
def outcome_of_unknown_category(j: Journey) -> Act:
    j.enrol()
    return lambda: j.ledger.report_outcome(
        participant_id=j.pid,
        category="astronaut",  # type: ignore[arg-type]
        detail="Went to space.",
        source="interview",
        occurred_on=TODAY,
        actor="Interviewer Ivy",
    )


@invalid("method")
def follow_up_by_carrier_pigeon(j: Journey) -> Act:
    j.enrol()
    return lambda: j.ledger.complete_follow_up(
        participant_id=j.pid,
        method="pigeon",  # type: ignore[arg-type]
        occurred_on=TODAY,
        actor="Clerk Carl",
    )


@invalid("quote")
def feedback_with_a_blank_quote(j: Journey) -> Act:
    j.enrol()
    return lambda: j.ledger.record_feedback(
        participant_id=j.pid, quote=" ", occurred_on=TODAY, actor="Interviewer Ivy"
    )


@invalid("scale")
def wellbeing_on_an_unknown_scale(j: Journey) -> Act:
    j.enrol()
    return lambda: j.wellbeing(40, scale="PHQ-9")


@invalid("timepoint")
def wellbeing_at_an_unknown_timepoint(j: Journey) -> Act:
    j.enrol()
    return lambda: j.ledger.measure_wellbeing(
        participant_id=j.pid,
        scale="WEMWBS",
        score=40,
        timepoint="midway",  # type: ignore[arg-type]
        occurred_on=TODAY,
        actor="Clerk Carl",
    )


# -- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_a_broken_rule_is_refused_and_records_nothing(journey: Journey, case: Rejection) -> None:
    act = case.arrange(journey)
    before = journey.snapshot()

    with pytest.raises(case.error) as caught:
        act()

    error = caught.value
    assert type(error) is case.error
    assert error.code == case.code
    assert str(error) == error.message
    if case.field is not None:
        assert isinstance(error, InvalidValue)
        assert error.field == case.field
        assert error.message.startswith(f"{case.field}: ")
    else:
        assert case.phrase is not None
        assert case.phrase in error.message
        assert error.message[0].isupper(), error.message
        assert error.message.endswith("."), error.message
    after = journey.snapshot()
    assert after.view.version == before.view.version
    assert after.history == before.history
    assert after.view == before.view


def test_every_rule_code_has_a_scenario() -> None:
    covered = {param.values[0].code for param in CASES}
    assert covered == RULE_CODES


@pytest.mark.parametrize(
    ("score", "scale"),
    [(13, "WEMWBS"), (71, "WEMWBS"), (6, "SWEMWBS"), (36, "SWEMWBS")],
)
def test_wellbeing_just_outside_a_scale_is_refused(
    journey: Journey, score: int, scale: str
) -> None:
    journey.enrol()
    before = journey.snapshot()

    with pytest.raises(WellbeingOutOfRangeError) as caught:
        journey.wellbeing(score, scale=scale)

    assert caught.value.code == "wellbeing-out-of-range"
    assert f"{score} is outside that range" in caught.value.message
    assert journey.snapshot() == before


def test_max_attempts_of_one_leaves_no_second_attempt(journey: Journey) -> None:
    terms = accreditation(max_attempts=1)
    short_programme(journey.ledger, "one-shot", accreditation=terms, cohort_id="one-shot-1")
    journey.enrol("one-shot-1")
    journey.decide(cohort_id="one-shot-1")

    with pytest.raises(AttemptSequenceError) as caught:
        journey.submit_log(2, cohort_id="one-shot-1")

    assert caught.value.code == "attempts-exhausted"
