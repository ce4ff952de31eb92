"""The participant: one append-only stream per person, from registration to outcomes years on.

Public methods decide (check the rules in :mod:`journey.rules`, compute what the event says);
each event's ``apply`` only records, because it runs again on every replay. Course events name
the cohort they belong to: a person may enrol on several cohorts over the years.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from journey import rules
from journey.aggregate import LedgerAggregate
from journey.errors import InvalidValue, NotEnrolledError, RuleViolation
from journey.state import (
    Attempt,
    Enrolment,
    Feedback,
    FollowUp,
    Mark,
    Moderation,
    Outcome,
    PersonalDetails,
    SessionRecord,
    WellbeingScore,
)
from journey.values import (
    ESSAY_FORMATS,
    FEEDBACK_CATEGORIES,
    FOLLOW_UP_METHODS,
    MARK_STAGES,
    MAX_ID,
    MODERATION_STAGES,
    OUTCOME_CATEGORIES,
    OUTCOME_SOURCES,
    RESULTS,
    WELLBEING_TIMEPOINTS,
    CertificateKind,
    CohortPlan,
    Component,
    EssayFormat,
    FeedbackCategory,
    FollowUpMethod,
    MarkStage,
    ModerationStage,
    OutcomeCategory,
    OutcomeSource,
    Result,
    SessionStatus,
    WellbeingScale,
    WellbeingTimepoint,
    require_member,
    require_text,
)

__all__ = ["Participant"]

_PERSONAL_DETAIL_FIELDS = frozenset(
    {"name", "email", "phone", "ethnicity", "gender", "age_band", "disability"}
)


def _optional_text(field: str, value: str | None, max_length: int = 4000) -> str | None:
    if value is None or not value.strip():
        return None
    return require_text(field, value, max_length=max_length)


class Participant(LedgerAggregate):
    """A person's journey through one or more cohorts, and what followed."""

    # -- events ---------------------------------------------------------------------------

    class Registered(LedgerAggregate.Created):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = _PERSONAL_DETAIL_FIELDS
        name: str
        email: str | None
        phone: str | None
        ethnicity: str | None
        gender: str | None
        age_band: str | None
        disability: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.details = PersonalDetails(
                name=self.name,
                email=self.email,
                phone=self.phone,
                ethnicity=self.ethnicity,
                gender=self.gender,
                age_band=self.age_band,
                disability=self.disability,
            )
            aggregate.enrolments = {}
            aggregate.outcomes = []
            aggregate.follow_ups = []
            aggregate.feedback = []
            aggregate.wellbeing = []

    class Enrolled(LedgerAggregate.Event):
        cohort_id: str
        programme_id: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.enrolments[self.cohort_id] = Enrolment(
                cohort_id=self.cohort_id,
                programme_id=self.programme_id,
                enrolled_on=self.occurred_on,
            )

    class _CourseEvent(LedgerAggregate.Event):
        """Base of the events that belong to one enrolment."""

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            raise NotImplementedError

        def apply(self, aggregate: Any) -> None:
            cohort_id: str = getattr(self, "cohort_id")  # noqa: B009 (declared by subclasses)
            aggregate.enrolments[cohort_id] = self.update(
                aggregate, aggregate.enrolments[cohort_id]
            )

    class SessionAttended(_CourseEvent):
        cohort_id: str
        session: int
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            record = SessionRecord(self.session, "attended", self.occurred_on)
            return replace(enrolment, sessions=(*enrolment.sessions, record))

    class SessionMissed(_CourseEvent):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"reason"})
        cohort_id: str
        session: int
        reason: str | None
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            record = SessionRecord(self.session, "missed", self.occurred_on, self.reason)
            return replace(enrolment, sessions=(*enrolment.sessions, record))

    class AccreditationChosen(_CourseEvent):
        cohort_id: str
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            return replace(enrolment, accreditation="chosen")

    class AccreditationDeclined(_CourseEvent):
        cohort_id: str
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            return replace(enrolment, accreditation="declined")

    class LogSubmitted(_CourseEvent):
        cohort_id: str
        attempt: int
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            attempt = enrolment.attempt(self.attempt) or Attempt(self.attempt)
            return enrolment.with_attempt(attempt.with_component("log", self.occurred_on, None))

    class EssaySubmitted(_CourseEvent):
        cohort_id: str
        attempt: int
        format: EssayFormat
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            attempt = enrolment.attempt(self.attempt) or Attempt(self.attempt)
            return enrolment.with_attempt(
                attempt.with_component("essay", self.occurred_on, self.format)
            )

    class Marked(_CourseEvent):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"feedback"})
        cohort_id: str
        attempt: int
        stage: MarkStage
        marker: str
        result: Result
        feedback: str
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            attempt = enrolment.attempt(self.attempt)
            assert attempt is not None
            mark = Mark(self.stage, self.marker, self.result, self.feedback, self.occurred_on)
            return enrolment.with_attempt(replace(attempt, marks=(*attempt.marks, mark)))

    class Moderated(_CourseEvent):
        cohort_id: str
        attempt: int
        stage: ModerationStage
        moderator: str
        result: Result
        credits: int
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            attempt = enrolment.attempt(self.attempt)
            assert attempt is not None
            moderation = Moderation(self.stage, self.moderator, self.result, self.occurred_on)
            updated = enrolment.with_attempt(
                replace(attempt, moderations=(*attempt.moderations, moderation))
            )
            if self.credits:
                updated = replace(updated, credits_awarded=self.credits)
            return updated

    class CertificateIssued(_CourseEvent):
        cohort_id: str
        kind: CertificateKind
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            return replace(enrolment, certificates=(*enrolment.certificates, self.kind))

    class Withdrawn(_CourseEvent):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"reason"})
        cohort_id: str
        reason: str | None
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            return replace(enrolment, withdrawn_on=self.occurred_on)

    class OutcomeReported(LedgerAggregate.Event):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"detail"})
        category: OutcomeCategory
        detail: str
        source: OutcomeSource
        ended_on: date | None
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.outcomes.append(
                Outcome(
                    self.category,
                    self.detail,
                    self.source,
                    self.occurred_on,
                    self.ended_on,
                    self.recorded_by,
                )
            )

    class FollowUpCompleted(LedgerAggregate.Event):
        method: FollowUpMethod
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.follow_ups.append(FollowUp(self.method, self.occurred_on, self.recorded_by))

    class FeedbackRecorded(LedgerAggregate.Event):
        """Version 2 added ``category`` (what the quote is about, from a closed list);
        version 1 records read back with none."""

        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"quote"})
        class_version = 2
        quote: str
        interviewer: str
        cohort_id: str | None
        category: FeedbackCategory | None
        occurred_on: date

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["category"] = None

        def apply(self, aggregate: Any) -> None:
            aggregate.feedback.append(
                Feedback(
                    self.quote, self.interviewer, self.occurred_on, self.cohort_id, self.category
                )
            )

    class WellbeingMeasured(LedgerAggregate.Event):
        scale: str
        score: int
        minimum: int
        maximum: int
        timepoint: WellbeingTimepoint
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.wellbeing.append(
                WellbeingScore(self.scale, self.score, self.timepoint, self.occurred_on)
            )

    # -- state ----------------------------------------------------------------------------

    details: PersonalDetails
    enrolments: dict[str, Enrolment]
    outcomes: list[Outcome]
    follow_ups: list[FollowUp]
    feedback: list[Feedback]
    wellbeing: list[WellbeingScore]

    def __init__(self) -> None:
        """State is set by :class:`Registered`; see :meth:`register`."""

    # -- commands -------------------------------------------------------------------------

    @classmethod
    def register(
        cls, *, participant_id: UUID, details: PersonalDetails, recorded_by: str
    ) -> Participant:
        """Start a person's stream with their personal details (all erasable)."""
        return cls._create(
            cls.Registered,
            id=participant_id,
            recorded_by=recorded_by,
            name=require_text("name", details.name, max_length=200),
            email=_optional_text("email", details.email, 320),
            phone=_optional_text("phone", details.phone, 50),
            ethnicity=_optional_text("ethnicity", details.ethnicity, 100),
            gender=_optional_text("gender", details.gender, 100),
            age_band=_optional_text("age_band", details.age_band, 50),
            disability=_optional_text("disability", details.disability, 100),
        )

    def enrol(self, *, plan: CohortPlan, enrolled_on: date, today: date, recorded_by: str) -> None:
        rules.not_in_future(enrolled_on, today)
        rules.not_already_enrolled(self.enrolments, plan.cohort_id)
        self.trigger_event(
            self.Enrolled,
            recorded_by=recorded_by,
            cohort_id=plan.cohort_id,
            programme_id=plan.programme.programme_id,
            occurred_on=enrolled_on,
        )

    def _open_enrolment(self, plan: CohortPlan, occurred_on: date, today: date) -> Enrolment:
        """Rule 1 for every course event: enrolled, not withdrawn, dated sensibly."""
        enrolment = rules.enrolled(self.enrolments, plan.cohort_id)
        rules.not_withdrawn(enrolment)
        rules.not_in_future(occurred_on, today)
        rules.not_before_enrolment(enrolment, occurred_on)
        return enrolment

    def record_session(
        self,
        *,
        plan: CohortPlan,
        session: int,
        status: SessionStatus,
        occurred_on: date | None,
        reason: str | None = None,
        today: date,
        recorded_by: str,
    ) -> None:
        require_member("status", status, ("attended", "missed"))
        day = rules.session_is_cohort_day(plan, session)
        enrolment = rules.enrolled(self.enrolments, plan.cohort_id)
        rules.not_withdrawn(enrolment)
        rules.session_not_recorded(enrolment, session)
        rules.session_not_in_future(session, day, today)
        rules.session_not_before_enrolment(enrolment, session, day)
        when = occurred_on or day
        rules.session_on_its_day(session, day, when)
        if status == "attended":
            self.trigger_event(
                self.SessionAttended,
                recorded_by=recorded_by,
                cohort_id=plan.cohort_id,
                session=session,
                occurred_on=when,
            )
        else:
            self.trigger_event(
                self.SessionMissed,
                recorded_by=recorded_by,
                cohort_id=plan.cohort_id,
                session=session,
                reason=_optional_text("reason", reason, 1000),
                occurred_on=when,
            )

    def decide_accreditation(
        self, *, plan: CohortPlan, choose: bool, occurred_on: date, today: date, recorded_by: str
    ) -> None:
        enrolment = self._open_enrolment(plan, occurred_on, today)
        rules.offers_accreditation(plan)
        rules.decision_still_open(enrolment)
        rules.decision_changes(enrolment, "chosen" if choose else "declined")
        self.trigger_event(
            self.AccreditationChosen if choose else self.AccreditationDeclined,
            recorded_by=recorded_by,
            cohort_id=plan.cohort_id,
            occurred_on=occurred_on,
        )

    def submit(
        self,
        *,
        plan: CohortPlan,
        component: Component,
        attempt: int,
        essay_format: EssayFormat | None = None,
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        enrolment = self._open_enrolment(plan, occurred_on, today)
        accreditation = rules.offers_accreditation(plan)
        rules.accreditation_chosen(enrolment)
        rules.component_assessed(accreditation, component)
        rules.not_passed(enrolment)
        rules.attempt_in_sequence(enrolment, accreditation, attempt)
        rules.component_not_submitted(enrolment.attempt(attempt), component)
        if component == "log":
            self.trigger_event(
                self.LogSubmitted,
                recorded_by=recorded_by,
                cohort_id=plan.cohort_id,
                attempt=attempt,
                occurred_on=occurred_on,
            )
            return
        if essay_format is None:
            raise InvalidValue("format", "an essay needs a format")
        require_member("format", essay_format, ESSAY_FORMATS)
        rules.essay_format_allowed(accreditation, essay_format)
        self.trigger_event(
            self.EssaySubmitted,
            recorded_by=recorded_by,
            cohort_id=plan.cohort_id,
            attempt=attempt,
            format=essay_format,
            occurred_on=occurred_on,
        )

    def mark(
        self,
        *,
        plan: CohortPlan,
        attempt: int,
        stage: MarkStage,
        marker: str,
        result: Result,
        feedback: str,
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        require_member("stage", stage, MARK_STAGES)
        require_member("result", result, RESULTS)
        marker = require_text("marker", marker, max_length=MAX_ID)
        enrolment = self._open_enrolment(plan, occurred_on, today)
        accreditation = rules.offers_accreditation(plan)
        current = rules.attempt_exists(enrolment, attempt)
        rules.result_not_final(current)
        rules.attempt_complete(accreditation, current)
        rules.mark_stage_open(current, stage)
        rules.markers_differ(current, marker)
        rules.not_before(occurred_on, max(current.submitted_on), "the attempt's last submission")
        self.trigger_event(
            self.Marked,
            recorded_by=recorded_by,
            cohort_id=plan.cohort_id,
            attempt=attempt,
            stage=stage,
            marker=marker,
            result=result,
            feedback=require_text("feedback", feedback),
            occurred_on=occurred_on,
        )

    def moderate(
        self,
        *,
        plan: CohortPlan,
        attempt: int,
        stage: ModerationStage,
        moderator: str,
        result: Result,
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        require_member("stage", stage, MODERATION_STAGES)
        require_member("result", result, RESULTS)
        moderator = require_text("moderator", moderator, max_length=MAX_ID)
        enrolment = self._open_enrolment(plan, occurred_on, today)
        accreditation = rules.offers_accreditation(plan)
        current = rules.attempt_exists(enrolment, attempt)
        rules.marks_complete(current)
        rules.moderation_stage_open(current, stage)
        rules.moderator_did_not_mark(current, moderator)
        if stage == "external":
            rules.internal_before_external(current)
            rules.moderators_differ(current, moderator)
        rules.not_before(occurred_on, current.last_step_on, "the attempt's previous step")
        # Credits are awarded exactly when the final (external) result is a pass.
        credits = accreditation.credits if stage == "external" and result == "pass" else 0
        self.trigger_event(
            self.Moderated,
            recorded_by=recorded_by,
            cohort_id=plan.cohort_id,
            attempt=attempt,
            stage=stage,
            moderator=moderator,
            result=result,
            credits=credits,
            occurred_on=occurred_on,
        )

    def issue_certificate(
        self,
        *,
        plan: CohortPlan,
        kind: CertificateKind,
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        require_member("kind", kind, ("attendance", "accredited"))
        enrolment = self._open_enrolment(plan, occurred_on, today)
        rules.certificate_not_issued(enrolment, kind)
        if kind == "attendance":
            rules.attendance_meets_threshold(enrolment, plan)
        else:
            rules.has_passed(enrolment)
        rules.not_before(occurred_on, enrolment.last_recorded_on, "the last course event")
        self.trigger_event(
            self.CertificateIssued,
            recorded_by=recorded_by,
            cohort_id=plan.cohort_id,
            kind=kind,
            occurred_on=occurred_on,
        )

    def withdraw(
        self,
        *,
        plan: CohortPlan,
        reason: str | None,
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        enrolment = rules.enrolled(self.enrolments, plan.cohort_id)
        rules.not_yet_withdrawn(enrolment)
        rules.not_in_future(occurred_on, today)
        rules.not_before_enrolment(enrolment, occurred_on)
        rules.not_before(occurred_on, enrolment.last_recorded_on, "the last course event")
        self.trigger_event(
            self.Withdrawn,
            recorded_by=recorded_by,
            cohort_id=plan.cohort_id,
            reason=_optional_text("reason", reason, 1000),
            occurred_on=occurred_on,
        )

    def _first_enrolled_on(self) -> date:
        return min(e.enrolled_on for e in self.enrolments.values())

    def _after_enrolment(self, occurred_on: date, today: date) -> None:
        if not self.enrolments:
            raise NotEnrolledError("The participant is not enrolled on any cohort yet.")
        rules.not_in_future(occurred_on, today)
        first = self._first_enrolled_on()
        if occurred_on < first:
            raise RuleViolation(
                f"Nothing can be recorded as happening on {occurred_on.isoformat()}, before "
                f"the participant's first enrolment on {first.isoformat()}.",
                code="before-enrolment",
            )

    def report_outcome(
        self,
        *,
        category: OutcomeCategory,
        detail: str,
        source: OutcomeSource,
        ended_on: date | None,
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        require_member("category", category, OUTCOME_CATEGORIES)
        require_member("source", source, OUTCOME_SOURCES)
        if ended_on is not None and ended_on < occurred_on:
            raise InvalidValue("ended_on", "must not be before occurred_on")
        self._after_enrolment(occurred_on, today)
        self.trigger_event(
            self.OutcomeReported,
            recorded_by=recorded_by,
            category=category,
            detail=require_text("detail", detail),
            source=source,
            ended_on=ended_on,
            occurred_on=occurred_on,
        )

    def complete_follow_up(
        self, *, method: FollowUpMethod, occurred_on: date, today: date, recorded_by: str
    ) -> None:
        require_member("method", method, FOLLOW_UP_METHODS)
        self._after_enrolment(occurred_on, today)
        self.trigger_event(
            self.FollowUpCompleted, recorded_by=recorded_by, method=method, occurred_on=occurred_on
        )

    def record_feedback(
        self,
        *,
        plans: Iterable[CohortPlan],
        cohort_id: str | None,
        quote: str,
        interviewer: str,
        occurred_on: date,
        today: date,
        recorded_by: str,
        category: FeedbackCategory | None = None,
    ) -> None:
        """Record a review-interview quote. ``plans`` are the cohorts the interviewer must not
        have trained: the named cohort, or every cohort the participant enrolled on."""
        interviewer = require_text("interviewer", interviewer, max_length=MAX_ID)
        if category is not None:
            require_member("category", category, FEEDBACK_CATEGORIES)
        if cohort_id is not None:
            rules.enrolled(self.enrolments, cohort_id)
        self._after_enrolment(occurred_on, today)
        rules.interviewer_not_trainer(plans, interviewer)
        self.trigger_event(
            self.FeedbackRecorded,
            recorded_by=recorded_by,
            quote=require_text("quote", quote),
            interviewer=interviewer,
            cohort_id=cohort_id,
            category=category,
            occurred_on=occurred_on,
        )

    def measure_wellbeing(
        self,
        *,
        scale: WellbeingScale,
        score: int,
        timepoint: WellbeingTimepoint,
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        require_member("timepoint", timepoint, WELLBEING_TIMEPOINTS)
        if isinstance(score, bool) or not isinstance(score, int):
            raise InvalidValue("score", "must be a whole number")
        self._after_enrolment(occurred_on, today)
        rules.score_in_range(scale, score)
        self.trigger_event(
            self.WellbeingMeasured,
            recorded_by=recorded_by,
            scale=scale.name,
            score=score,
            minimum=scale.minimum,
            maximum=scale.maximum,
            timepoint=timepoint,
            occurred_on=occurred_on,
        )

    # -- queries --------------------------------------------------------------------------

    @property
    def cohort_ids(self) -> tuple[str, ...]:
        return tuple(self.enrolments)
