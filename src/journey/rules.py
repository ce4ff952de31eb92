"""The participant rules, one guard each.

Each guard checks one rule against the journey's state and the facts the command brings, and
raises the named :mod:`journey.errors` class with a stable code and a sentence. The
:class:`~journey.participant.Participant` aggregate calls them before it records anything, so a
broken rule leaves no pending event. The numbers refer to the rule list in the README.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from journey.errors import (
    AccreditationDecisionError,
    AlreadyEnrolledError,
    AlreadyWithdrawnError,
    AttemptSequenceError,
    CertificateError,
    ComponentAlreadySubmittedError,
    CorrectionError,
    ErasureError,
    EssayFormatNotAllowedError,
    FeedbackInterviewerError,
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
from journey.state import Attempt, Enrolment
from journey.values import (
    Accreditation,
    CertificateKind,
    CohortPlan,
    Component,
    EssayFormat,
    MarkStage,
    ModerationStage,
    WellbeingScale,
)

# -- dates (every rule) ---------------------------------------------------------------------


def not_in_future(occurred_on: date, today: date) -> None:
    if occurred_on > today:
        raise OccurredInFutureError(
            f"Nothing can be recorded as having happened on {occurred_on.isoformat()}: "
            f"that is after today ({today.isoformat()})."
        )


def not_before_enrolment(enrolment: Enrolment, occurred_on: date) -> None:
    if occurred_on < enrolment.enrolled_on:
        raise RuleViolation(
            f"Nothing on cohort {enrolment.cohort_id!r} can have happened on "
            f"{occurred_on.isoformat()}, before the enrolment on "
            f"{enrolment.enrolled_on.isoformat()}.",
            code="before-enrolment",
        )


def not_before(occurred_on: date, earlier: date, what: str) -> None:
    """A step cannot be dated before the step it follows."""
    if occurred_on < earlier:
        raise RuleViolation(
            f"This cannot be dated {occurred_on.isoformat()}: that is before {what} "
            f"({earlier.isoformat()}), and steps are recorded in the order they happened.",
            code="out-of-order",
        )


# -- rule 1: enrolment and withdrawal ------------------------------------------------------


def not_already_enrolled(enrolments: dict[str, Enrolment], cohort_id: str) -> None:
    if cohort_id in enrolments:
        raise AlreadyEnrolledError(f"The participant is already enrolled on cohort {cohort_id!r}.")


def enrolled(enrolments: dict[str, Enrolment], cohort_id: str) -> Enrolment:
    enrolment = enrolments.get(cohort_id)
    if enrolment is None:
        raise NotEnrolledError(
            f"The participant is not enrolled on cohort {cohort_id!r}: nothing can be "
            "recorded for a cohort they are not enrolled on."
        )
    return enrolment


def not_withdrawn(enrolment: Enrolment) -> None:
    if enrolment.withdrawn_on is not None:
        raise WithdrawnError(
            f"The participant withdrew from cohort {enrolment.cohort_id!r} on "
            f"{enrolment.withdrawn_on.isoformat()}: after withdrawal only outcomes, "
            "follow-ups, feedback and wellbeing can be recorded."
        )


def not_yet_withdrawn(enrolment: Enrolment) -> None:
    if enrolment.withdrawn_on is not None:
        raise AlreadyWithdrawnError(
            f"The participant already withdrew from cohort {enrolment.cohort_id!r}."
        )


# -- rule 2: training days ----------------------------------------------------------------


def session_is_cohort_day(plan: CohortPlan, session: int) -> date:
    day = plan.session_date(session)
    if day is None:
        raise SessionError(
            f"Cohort {plan.cohort_id!r} has training days 1 to {len(plan.session_dates)}; "
            f"there is no day {session}.",
            code="session-not-in-cohort",
        )
    return day


def session_not_recorded(enrolment: Enrolment, session: int) -> None:
    existing = enrolment.session(session)
    if existing is not None:
        raise SessionError(
            f"Training day {session} of cohort {enrolment.cohort_id!r} is already recorded "
            f"as {existing.status}; a day is attended or missed at most once.",
            code="session-already-recorded",
        )


def session_not_in_future(session: int, day: date, today: date) -> None:
    if day > today:
        raise SessionError(
            f"Training day {session} is on {day.isoformat()}, after today "
            f"({today.isoformat()}): it cannot be recorded yet.",
            code="session-in-future",
        )


def session_not_before_enrolment(enrolment: Enrolment, session: int, day: date) -> None:
    if day < enrolment.enrolled_on:
        raise SessionError(
            f"Training day {session} ({day.isoformat()}) was before the enrolment on "
            f"{enrolment.enrolled_on.isoformat()}.",
            code="session-before-enrolment",
        )


def session_on_its_day(session: int, day: date, occurred_on: date) -> None:
    if occurred_on != day:
        raise SessionError(
            f"Training day {session} took place on {day.isoformat()}; it cannot be recorded "
            f"as happening on {occurred_on.isoformat()}.",
            code="session-date-mismatch",
        )


# -- rule 3: the accreditation decision -----------------------------------------------------


def offers_accreditation(plan: CohortPlan) -> Accreditation:
    accreditation = plan.programme.accreditation
    if accreditation is None:
        raise AccreditationDecisionError(
            f"Programme {plan.programme.programme_id!r} offers no accreditation.",
            code="no-accreditation-offered",
        )
    return accreditation


def decision_still_open(enrolment: Enrolment) -> None:
    if enrolment.has_submitted:
        raise AccreditationDecisionError(
            "The accreditation decision cannot change after the first submission.",
            code="decision-closed",
        )


def decision_changes(enrolment: Enrolment, decision: str) -> None:
    if enrolment.accreditation == decision:
        raise AccreditationDecisionError(
            f"Accreditation is already {decision} on cohort {enrolment.cohort_id!r}.",
            code="decision-unchanged",
        )


# -- rule 4: submissions --------------------------------------------------------------------


def accreditation_chosen(enrolment: Enrolment) -> None:
    if enrolment.accreditation != "chosen":
        state = "declined" if enrolment.accreditation == "declined" else "not chosen"
        raise SubmissionWithoutAccreditationError(
            f"Accreditation is {state} on cohort {enrolment.cohort_id!r}: submissions are "
            "accepted only once accreditation has been chosen."
        )


def component_assessed(accreditation: Accreditation, component: Component) -> None:
    if component not in accreditation.components:
        raise SubmissionWithoutAccreditationError(
            f"The programme's accreditation does not assess the {component}.",
            code="component-not-assessed",
        )


def essay_format_allowed(accreditation: Accreditation, essay_format: EssayFormat) -> None:
    if essay_format not in accreditation.essay_formats:
        allowed = ", ".join(accreditation.essay_formats)
        raise EssayFormatNotAllowedError(
            f"The programme allows essays as {allowed}; not as {essay_format}."
        )


def not_passed(enrolment: Enrolment) -> None:
    if enrolment.passed:
        raise ResultAlreadyFinalError(
            f"The participant has passed on cohort {enrolment.cohort_id!r}: a pass is final, "
            "so there are no further attempts or marks."
        )


def attempt_in_sequence(enrolment: Enrolment, accreditation: Accreditation, attempt: int) -> None:
    if attempt < 1 or attempt > accreditation.max_attempts:
        raise AttemptSequenceError(
            f"Attempt {attempt} is outside 1 to {accreditation.max_attempts}, the programme's "
            "maximum number of attempts.",
            code="attempts-exhausted" if attempt > 1 else "attempt-sequence",
        )
    if enrolment.attempt(attempt) is not None or attempt == 1:
        return
    previous = enrolment.attempt(attempt - 1)
    if previous is None or previous.final_result != "refer":
        raise AttemptSequenceError(
            f"Attempt {attempt} can start only after attempt {attempt - 1} was referred "
            "(its final result, after external moderation)."
        )


def component_not_submitted(attempt: Attempt | None, component: Component) -> None:
    if attempt is not None and attempt.has_component(component):
        raise ComponentAlreadySubmittedError(
            f"The {component} of attempt {attempt.number} is already submitted."
        )


# -- rule 5: marking ------------------------------------------------------------------------


def attempt_exists(enrolment: Enrolment, number: int) -> Attempt:
    attempt = enrolment.attempt(number)
    if attempt is None:
        raise MarkingError(
            f"There is no attempt {number} on cohort {enrolment.cohort_id!r}.",
            code="attempt-not-found",
        )
    return attempt


def attempt_complete(accreditation: Accreditation, attempt: Attempt) -> None:
    missing = [c for c in accreditation.components if not attempt.has_component(c)]
    if missing:
        raise MarkingError(
            f"Attempt {attempt.number} cannot be marked until every component is submitted "
            f"(missing: {', '.join(missing)}).",
            code="marking-before-submission",
        )


def result_not_final(attempt: Attempt) -> None:
    if attempt.final_result is not None:
        raise ResultAlreadyFinalError(
            f"Attempt {attempt.number} already has its final result ({attempt.final_result})."
        )


def mark_stage_open(attempt: Attempt, stage: MarkStage) -> None:
    existing = attempt.mark(stage)
    if existing is not None:
        raise MarkingError(
            f"Attempt {attempt.number} already has its {stage} mark; each attempt has exactly "
            "one first and one second mark.",
            code="mark-already-recorded",
        )


def markers_differ(attempt: Attempt, marker: str) -> None:
    if marker in attempt.markers:
        raise MarkingError(
            f"{marker} already marked attempt {attempt.number}: the first and second marks "
            "must be by two different people.",
            code="second-marker-differs",
        )


# -- rule 6: moderation ---------------------------------------------------------------------


def marks_complete(attempt: Attempt) -> None:
    if attempt.mark("first") is None or attempt.mark("second") is None:
        raise ModerationError(
            f"Attempt {attempt.number} cannot be moderated before both marks are in.",
            code="moderation-before-marking",
        )


def moderation_stage_open(attempt: Attempt, stage: ModerationStage) -> None:
    if attempt.moderation(stage) is not None:
        raise ModerationError(
            f"Attempt {attempt.number} is already {stage}ly moderated.",
            code="moderation-already-recorded",
        )


def internal_before_external(attempt: Attempt) -> None:
    if attempt.moderation("internal") is None:
        raise ModerationError(
            f"Attempt {attempt.number} needs internal moderation before external moderation.",
            code="external-before-internal",
        )


def moderator_did_not_mark(attempt: Attempt, moderator: str) -> None:
    if moderator in attempt.markers:
        raise ModerationError(
            f"{moderator} marked attempt {attempt.number} and so cannot moderate it.",
            code="moderator-marked",
        )


def moderators_differ(attempt: Attempt, moderator: str) -> None:
    if moderator in attempt.moderators:
        raise ModerationError(
            f"{moderator} already moderated attempt {attempt.number}: external moderation "
            "is by someone other than the internal moderator.",
            code="moderator-independent",
        )


# -- rule 7: certificates -------------------------------------------------------------------


def certificate_not_issued(enrolment: Enrolment, kind: CertificateKind) -> None:
    if kind in enrolment.certificates:
        raise CertificateError(
            f"A certificate of kind {kind} was already issued for cohort "
            f"{enrolment.cohort_id!r}; at most one of each kind per enrolment.",
            code="certificate-already-issued",
        )


def attendance_meets_threshold(enrolment: Enrolment, plan: CohortPlan) -> None:
    threshold = plan.programme.attendance_threshold
    if enrolment.attended < threshold:
        raise CertificateError(
            f"A certificate of attendance needs {threshold} training days attended; "
            f"{enrolment.attended} are recorded.",
            code="attendance-below-threshold",
        )


def has_passed(enrolment: Enrolment) -> None:
    if not enrolment.passed:
        raise CertificateError(
            "An accredited certificate needs a final pass (after external moderation).",
            code="not-passed",
        )


# -- rule 8: review feedback ----------------------------------------------------------------


def interviewer_not_trainer(plans: Iterable[CohortPlan], interviewer: str) -> None:
    for plan in plans:
        if interviewer in plan.trainers:
            raise FeedbackInterviewerError(
                f"{interviewer} is a trainer of cohort {plan.cohort_id!r}: review feedback "
                "is recorded only by an interviewer who did not deliver the course."
            )


# -- rule 9: wellbeing ------------------------------------------------------------------


def score_in_range(scale: WellbeingScale, score: int) -> None:
    if not scale.contains(score):
        raise WellbeingOutOfRangeError(
            f"A {scale.name} score is between {scale.minimum} and {scale.maximum}; "
            f"{score} is outside that range."
        )


# -- corrections ------------------------------------------------------------------------------


def not_forgotten(participant: Any) -> None:
    """Nothing more is recorded about a participant who was forgotten."""
    if getattr(participant, "forgotten", False):
        raise ErasureError(
            "This participant was forgotten: their record is closed.",
            code="participant-forgotten",
        )


def correctable(target: Any, *, retracting: bool) -> str:
    """The corrected event's type, if it is one that may be corrected this way."""
    kind = type(target).__name__
    if kind in ("ErasureRequested", "ParticipantForgotten"):
        raise CorrectionError(f"A {kind} event is not corrected.", code="not-correctable")
    if kind in ("EventRetracted", "EventAmended"):
        raise CorrectionError(
            f"Version {target.originator_version} is itself a correction; correct the event "
            f"it corrected (version {target.corrects}) instead.",
            code="correction-of-correction",
        )
    if retracting and kind == "Registered":
        raise CorrectionError(
            "A registration cannot be retracted: amend the personal details, or erase them "
            "(forget the participant).",
            code="registration-not-retractable",
        )
    return kind


def corrected_by_author(target: Any, actor: str) -> None:
    """A mark is corrected only by its marker, a moderation only by its moderator: anyone
    else changing it would undo the independence of double marking and moderation."""
    kind = type(target).__name__
    author = {"Marked": "marker", "Moderated": "moderator"}.get(kind)
    if author is not None and getattr(target, author) != actor:
        raise CorrectionError(
            f"Only {getattr(target, author)}, who recorded this {kind.lower()} event as its "
            f"{author}, can correct it.",
            code="correction-not-by-author",
        )


def enrolment_has_no_records(
    enrolments: Mapping[str, Enrolment], other_records: int, target: Any
) -> None:
    enrolment = enrolments[target.cohort_id]
    if (
        enrolment.sessions
        or enrolment.accreditation
        or enrolment.attempts
        or enrolment.certificates
        or enrolment.withdrawn
    ):
        raise CorrectionError(
            f"The enrolment on cohort {target.cohort_id!r} has records of its own; retract "
            "them first.",
            code="correction-has-dependants",
        )
    if len(enrolments) == 1 and other_records:
        raise CorrectionError(
            "This is the participant's only enrolment and outcomes or contacts are recorded "
            "after it; retract them first.",
            code="correction-has-dependants",
        )


def no_attempt_depends(enrolment: Enrolment) -> None:
    if enrolment.attempts:
        raise CorrectionError(
            f"Submissions on cohort {enrolment.cohort_id!r} depend on the choice of "
            "accreditation; retract them first.",
            code="correction-has-dependants",
        )


def attendance_certificate_holds(
    enrolment: Enrolment, plan: CohortPlan | None, *, removed: int
) -> None:
    if plan is None or "attendance" not in enrolment.certificates:
        return
    threshold = plan.programme.attendance_threshold
    if enrolment.attended - removed < threshold:
        raise CorrectionError(
            f"The certificate of attendance needs {threshold} days attended; without this "
            "one it would stand on fewer. Retract the certificate first.",
            code="correction-has-dependants",
        )


def submission_not_marked(enrolment: Enrolment, number: int) -> None:
    attempt = enrolment.attempt(number)
    if attempt is not None and attempt.marks:
        raise CorrectionError(
            f"Attempt {number} has been marked; a submission that was marked can be amended "
            "but not retracted (retract the marks first).",
            code="correction-has-dependants",
        )


def first_mark_not_seconded(enrolment: Enrolment, number: int) -> None:
    attempt = enrolment.attempt(number)
    if attempt is not None and attempt.mark("second") is not None:
        raise CorrectionError(
            f"Attempt {number} has a second mark; retract it before the first.",
            code="correction-has-dependants",
        )


def no_later_attempt(enrolment: Enrolment, number: int) -> None:
    if any(a.number > number for a in enrolment.attempts):
        raise CorrectionError(
            f"Attempt {number + 1} was started on attempt {number}'s result; correct that "
            "attempt's records first.",
            code="correction-has-dependants",
        )


def no_accredited_certificate(enrolment: Enrolment) -> None:
    if "accredited" in enrolment.certificates:
        raise CorrectionError(
            f"An accredited certificate was issued on cohort {enrolment.cohort_id!r} on this "
            "result; retract the certificate first.",
            code="correction-has-dependants",
        )


def enrolment_before_its_records(enrolment: Enrolment, enrolled_on: date) -> None:
    dates = [s.occurred_on for s in enrolment.sessions]
    for attempt in enrolment.attempts:
        dates += [*attempt.submitted_on, *(m.marked_on for m in attempt.marks)]
        dates += [m.moderated_on for m in attempt.moderations]
    if enrolment.withdrawn_on is not None:
        dates.append(enrolment.withdrawn_on)
    if dates and enrolled_on > min(dates):
        raise CorrectionError(
            f"Records on cohort {enrolment.cohort_id!r} are dated from "
            f"{min(dates).isoformat()}; the enrolment cannot be after them.",
            code="correction-out-of-order",
        )
