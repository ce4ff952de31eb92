"""The participant: one append-only stream per person, from registration to outcomes years on.

Public methods decide (check the rules in :mod:`journey.rules`, compute what the event says);
each event's ``apply`` only records, because it runs again on every replay. Course events name
the cohort they belong to: a person may enrol on several cohorts over the years.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.utils import get_topic

from journey import corrections, rules
from journey.aggregate import LedgerAggregate
from journey.errors import (
    CorrectionError,
    DomainError,
    ErasureError,
    InvalidValue,
    NotEnrolledError,
    RuleViolation,
    WellbeingOutOfRangeError,
)
from journey.state import (
    Attempt,
    Enrolment,
    ErasureRequest,
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

        def revise(self, aggregate: Any, replacement: Any) -> None:
            aggregate.details = replace(
                aggregate.details,
                **{f: getattr(replacement, f) for f in _PERSONAL_DETAIL_FIELDS},
            )

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

        def revise(self, aggregate: Any, replacement: Any) -> None:
            if replacement is None:
                del aggregate.enrolments[self.cohort_id]
            else:
                enrolment = aggregate.enrolments[self.cohort_id]
                aggregate.enrolments[self.cohort_id] = replace(
                    enrolment, enrolled_on=replacement.occurred_on
                )

    class _CourseEvent(LedgerAggregate.Event):
        """Base of the events that belong to one enrolment."""

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            raise NotImplementedError

        def rework(self, enrolment: Enrolment, replacement: Any) -> Enrolment:
            """The enrolment as if this event had said what ``replacement`` says (an
            amendment), or had never been recorded (``replacement`` None: a retraction)."""
            raise NotImplementedError

        def apply(self, aggregate: Any) -> None:
            cohort_id: str = getattr(self, "cohort_id")  # noqa: B009 (declared by subclasses)
            aggregate.enrolments[cohort_id] = self.update(
                aggregate, aggregate.enrolments[cohort_id]
            )

        def revise(self, aggregate: Any, replacement: Any) -> None:
            cohort_id: str = getattr(self, "cohort_id")  # noqa: B009 (declared by subclasses)
            aggregate.enrolments[cohort_id] = self.rework(
                aggregate.enrolments[cohort_id], replacement
            )

    class SessionAttended(_CourseEvent):
        cohort_id: str
        session: int
        occurred_on: date

        def record(self) -> SessionRecord:
            return SessionRecord(self.session, "attended", self.occurred_on)

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            return replace(enrolment, sessions=(*enrolment.sessions, self.record()))

        def rework(self, enrolment: Enrolment, replacement: Any) -> Enrolment:
            new = None if replacement is None else replacement.record()
            sessions = _swap(enrolment.sessions, lambda s: s.session == self.session, new)
            return replace(enrolment, sessions=sessions)

    class SessionMissed(_CourseEvent):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"reason"})
        cohort_id: str
        session: int
        reason: str | None
        occurred_on: date

        def record(self) -> SessionRecord:
            return SessionRecord(self.session, "missed", self.occurred_on, self.reason)

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            return replace(enrolment, sessions=(*enrolment.sessions, self.record()))

        def rework(self, enrolment: Enrolment, replacement: Any) -> Enrolment:
            new = None if replacement is None else replacement.record()
            sessions = _swap(enrolment.sessions, lambda s: s.session == self.session, new)
            return replace(enrolment, sessions=sessions)

    class AccreditationChosen(_CourseEvent):
        cohort_id: str
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            return _decided(enrolment, "chosen", self.originator_version)

        def rework(self, enrolment: Enrolment, replacement: Any) -> Enrolment:
            return _undecided(enrolment, self.originator_version, replacement)

    class AccreditationDeclined(_CourseEvent):
        cohort_id: str
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            return _decided(enrolment, "declined", self.originator_version)

        def rework(self, enrolment: Enrolment, replacement: Any) -> Enrolment:
            return _undecided(enrolment, self.originator_version, replacement)

    class LogSubmitted(_CourseEvent):
        cohort_id: str
        attempt: int
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            attempt = enrolment.attempt(self.attempt) or Attempt(self.attempt)
            return enrolment.with_attempt(attempt.with_component("log", self.occurred_on, None))

        def rework(self, enrolment: Enrolment, replacement: Any) -> Enrolment:
            return _rework_component(enrolment, self.attempt, "log", replacement)

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

        def rework(self, enrolment: Enrolment, replacement: Any) -> Enrolment:
            return _rework_component(enrolment, self.attempt, "essay", replacement)

    class Marked(_CourseEvent):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"feedback"})
        cohort_id: str
        attempt: int
        stage: MarkStage
        marker: str
        result: Result
        feedback: str
        occurred_on: date

        def record(self) -> Mark:
            return Mark(self.stage, self.marker, self.result, self.feedback, self.occurred_on)

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            attempt = enrolment.attempt(self.attempt)
            assert attempt is not None
            return enrolment.with_attempt(replace(attempt, marks=(*attempt.marks, self.record())))

        def rework(self, enrolment: Enrolment, replacement: Any) -> Enrolment:
            attempt = enrolment.attempt(self.attempt)
            assert attempt is not None
            new = None if replacement is None else replacement.record()
            marks = _swap(attempt.marks, lambda m: m.stage == self.stage, new)
            return enrolment.with_attempt(replace(attempt, marks=marks))

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
            moderation = self.record()
            updated = enrolment.with_attempt(
                replace(attempt, moderations=(*attempt.moderations, moderation))
            )
            if self.credits:
                updated = replace(updated, credits_awarded=self.credits)
            return updated

        def record(self) -> Moderation:
            return Moderation(self.stage, self.moderator, self.result, self.occurred_on)

        def rework(self, enrolment: Enrolment, replacement: Any) -> Enrolment:
            attempt = enrolment.attempt(self.attempt)
            assert attempt is not None
            new = None if replacement is None else replacement.record()
            moderations = _swap(attempt.moderations, lambda m: m.stage == self.stage, new)
            updated = enrolment.with_attempt(replace(attempt, moderations=moderations))
            credits = 0 if replacement is None else replacement.credits
            if self.credits or credits:
                updated = replace(updated, credits_awarded=credits)
            return updated

    class CertificateIssued(_CourseEvent):
        cohort_id: str
        kind: CertificateKind
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            return replace(enrolment, certificates=(*enrolment.certificates, self.kind))

        def rework(self, enrolment: Enrolment, replacement: Any) -> Enrolment:
            if replacement is not None:
                return enrolment
            certificates = _swap(enrolment.certificates, lambda k: k == self.kind, None)
            return replace(enrolment, certificates=certificates)

    class Withdrawn(_CourseEvent):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"reason"})
        cohort_id: str
        reason: str | None
        occurred_on: date

        def update(self, aggregate: Any, enrolment: Enrolment) -> Enrolment:
            return replace(enrolment, withdrawn_on=self.occurred_on)

        def rework(self, enrolment: Enrolment, replacement: Any) -> Enrolment:
            return replace(
                enrolment, withdrawn_on=None if replacement is None else replacement.occurred_on
            )

    class OutcomeReported(LedgerAggregate.Event):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"detail"})
        category: OutcomeCategory
        detail: str
        source: OutcomeSource
        ended_on: date | None
        occurred_on: date

        def record(self) -> Outcome:
            return Outcome(
                self.category,
                self.detail,
                self.source,
                self.occurred_on,
                self.ended_on,
                self.recorded_by,
                self.originator_version,
            )

        def apply(self, aggregate: Any) -> None:
            aggregate.outcomes.append(self.record())

        def revise(self, aggregate: Any, replacement: Any) -> None:
            aggregate.outcomes = _revise_item(aggregate.outcomes, self, replacement)

    class FollowUpCompleted(LedgerAggregate.Event):
        method: FollowUpMethod
        occurred_on: date

        def record(self) -> FollowUp:
            return FollowUp(
                self.method, self.occurred_on, self.recorded_by, self.originator_version
            )

        def apply(self, aggregate: Any) -> None:
            aggregate.follow_ups.append(self.record())

        def revise(self, aggregate: Any, replacement: Any) -> None:
            aggregate.follow_ups = _revise_item(aggregate.follow_ups, self, replacement)

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

        def record(self) -> Feedback:
            return Feedback(
                self.quote,
                self.interviewer,
                self.occurred_on,
                self.cohort_id,
                self.category,
                self.originator_version,
            )

        def apply(self, aggregate: Any) -> None:
            aggregate.feedback.append(self.record())

        def revise(self, aggregate: Any, replacement: Any) -> None:
            aggregate.feedback = _revise_item(aggregate.feedback, self, replacement)

    class WellbeingMeasured(LedgerAggregate.Event):
        scale: str
        score: int
        minimum: int
        maximum: int
        timepoint: WellbeingTimepoint
        occurred_on: date

        def record(self) -> WellbeingScore:
            return WellbeingScore(
                self.scale, self.score, self.timepoint, self.occurred_on, self.originator_version
            )

        def apply(self, aggregate: Any) -> None:
            aggregate.wellbeing.append(self.record())

        def revise(self, aggregate: Any, replacement: Any) -> None:
            aggregate.wellbeing = _revise_item(aggregate.wellbeing, self, replacement)

    class EventRetracted(LedgerAggregate.Event):
        """Version ``corrects`` should never have been recorded. ``original`` quotes what it
        said (as last amended), so the correction reads on its own in the history."""

        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"reason"})
        # Dicts whose keys are the corrected event's fields: personal where that event's are.
        QUOTED_FIELDS: ClassVar[frozenset[str]] = frozenset({"original"})
        corrects: int
        corrected_type: str
        original: dict[str, Any]
        reason: str

        def apply(self, aggregate: Any) -> None:
            target = _quoted(aggregate, self, self.original)
            target.revise(aggregate, None)
            _make_stale(aggregate, self.corrected_type, self.original)

    class EventAmended(LedgerAggregate.Event):
        """Version ``corrects`` should have said what ``changes`` says (the other fields as
        they were). ``original`` quotes what it said before this amendment."""

        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"reason"})
        QUOTED_FIELDS: ClassVar[frozenset[str]] = frozenset({"original", "changes"})
        corrects: int
        corrected_type: str
        original: dict[str, Any]
        changes: dict[str, Any]
        reason: str

        def apply(self, aggregate: Any) -> None:
            target = _quoted(aggregate, self, self.original)
            target.revise(aggregate, _quoted(aggregate, self, {**self.original, **self.changes}))
            _make_stale(aggregate, self.corrected_type, self.original)

    class ErasureRequested(LedgerAggregate.Event):
        """An admin asked for the participant to be forgotten; a second admin approves.
        ``reason`` is a reference (a ticket, a letter's date), never personal data."""

        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.erasure_request = ErasureRequest(
                self.originator_version, self.recorded_by, self.reason
            )

    class ParticipantForgotten(LedgerAggregate.Event):
        """The participant's data key was destroyed with this event: their personal fields
        read as erased from now on; the facts (dates, attendance, results, categories) stay.
        Holds no personal data."""

        reason: str
        requested_by: str
        approved_by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.erasure_request = None
            aggregate.forgotten = True

    # -- state ----------------------------------------------------------------------------

    details: PersonalDetails
    enrolments: dict[str, Enrolment]
    outcomes: list[Outcome]
    follow_ups: list[FollowUp]
    feedback: list[Feedback]
    wellbeing: list[WellbeingScore]

    # Set by the erasure events (absent from journeys recorded before they existed).
    erasure_request: ErasureRequest | None = None
    forgotten: bool = False

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

    # -- corrections ----------------------------------------------------------------------

    def retract(
        self,
        *,
        target: Any,
        standing: Sequence[Any],
        reason: str,
        plan_of: Callable[[str], CohortPlan],
        today: date,
        recorded_by: str,
    ) -> None:
        """Retract ``target`` (an event of this stream as it stands, amendments applied):
        state and views go on as if it had never been recorded; the history keeps both.
        ``standing`` is every event that stands now (see :mod:`journey.corrections`)."""
        kind = rules.correctable(target, retracting=True)
        plan = _plan_for(target, plan_of)
        rules.corrected_by_author(target, recorded_by)
        reason = require_text("reason", reason, max_length=1000)
        if kind == "Enrolled":
            rules.enrolment_has_no_records(self.enrolments, self.outcomes_and_contacts, target)
        elif kind == "AccreditationChosen":
            rules.no_attempt_depends(self.enrolments[target.cohort_id])
        elif kind == "SessionAttended":
            rules.attendance_certificate_holds(self.enrolments[target.cohort_id], plan, removed=1)
        elif kind in ("LogSubmitted", "EssaySubmitted"):
            rules.submission_not_marked(self.enrolments[target.cohort_id], target.attempt)
        elif kind == "Marked" and target.stage == "first":
            rules.first_mark_not_seconded(self.enrolments[target.cohort_id], target.attempt)
        if kind in _ATTEMPT_STEPS:
            self._attempt_step_correctable(target)
        after = corrections.after_correction(standing, target.originator_version, None)
        _history_keeps_rules(
            after, plan_of, today, f"retracting version {target.originator_version}"
        )
        self.trigger_event(
            self.EventRetracted,
            recorded_by=recorded_by,
            corrects=target.originator_version,
            corrected_type=kind,
            original=corrections.fields_of(target),
            reason=reason,
        )

    def amend(
        self,
        *,
        target: Any,
        standing: Sequence[Any],
        changes: dict[str, Any],
        reason: str,
        plan_of: Callable[[str], CohortPlan],
        today: date,
        recorded_by: str,
    ) -> None:
        """Amend ``target``: from now on it counts as if it had said ``changes`` (the other
        fields unchanged). The amended event must still keep every rule it kept, and so
        must every event that stands after it."""
        kind = rules.correctable(target, retracting=False)
        plan = _plan_for(target, plan_of)
        rules.corrected_by_author(target, recorded_by)
        reason = require_text("reason", reason, max_length=1000)
        read = corrections.read_changes(kind, changes)
        original = corrections.fields_of(target)
        read = {k: v for k, v in read.items() if original.get(k) != v}
        if not read:
            raise InvalidValue("changes", "every value given is what the event already says")
        amended = {**original, **read}
        self._amendment_keeps_rules(kind, target, amended, plan, today)
        if kind == "Moderated" and target.stage == "external" and plan is not None:
            accreditation = rules.offers_accreditation(plan)
            credits = accreditation.credits if amended["result"] == "pass" else 0
            if credits != target.credits:
                read["credits"] = credits
        if kind in _ATTEMPT_STEPS:
            self._attempt_step_correctable(target)
        after = corrections.after_correction(standing, target.originator_version, read)
        _history_keeps_rules(after, plan_of, today, f"amending version {target.originator_version}")
        self.trigger_event(
            self.EventAmended,
            recorded_by=recorded_by,
            corrects=target.originator_version,
            corrected_type=kind,
            original=original,
            changes=read,
            reason=reason,
        )

    def _attempt_step_correctable(self, target: Any) -> None:
        enrolment = self.enrolments[target.cohort_id]
        rules.no_later_attempt(enrolment, target.attempt)
        rules.no_accredited_certificate(enrolment)

    def _amendment_keeps_rules(
        self,
        kind: str,
        target: Any,
        amended: dict[str, Any],
        plan: CohortPlan | None,
        today: date,
    ) -> None:
        """The checks the original command made on the fields an amendment may change."""
        occurred_on: date | None = amended.get("occurred_on")
        if occurred_on is not None:
            rules.not_in_future(occurred_on, today)
        cohort_id: str | None = amended.get("cohort_id")
        if kind == "Enrolled":
            assert occurred_on is not None
            rules.enrolment_before_its_records(self.enrolments[target.cohort_id], occurred_on)
            return
        if kind == "Registered":
            require_text("changes.name", amended["name"], max_length=200)
            return
        if cohort_id is not None and kind != "FeedbackRecorded":
            enrolment = self.enrolments[cohort_id]
            if occurred_on is not None:
                rules.not_before_enrolment(enrolment, occurred_on)
            attempt = enrolment.attempt(target.attempt) if hasattr(target, "attempt") else None
            if kind == "Marked" and attempt is not None:
                assert occurred_on is not None
                rules.not_before(
                    occurred_on, max(attempt.submitted_on), "the attempt's last submission"
                )
            if kind == "EssaySubmitted" and plan is not None:
                rules.essay_format_allowed(rules.offers_accreditation(plan), amended["format"])
            if kind == "Withdrawn":
                assert occurred_on is not None
                rules.not_before(occurred_on, enrolment.last_recorded_on, "the last course event")
            return
        if occurred_on is not None:
            self._after_enrolment(occurred_on, today)
        ended_on: date | None = amended.get("ended_on")
        if kind == "OutcomeReported" and ended_on is not None and ended_on < amended["occurred_on"]:
            raise InvalidValue("changes.ended_on", "must not be before occurred_on")
        if kind == "WellbeingMeasured":
            score: int = amended["score"]
            if not target.minimum <= score <= target.maximum:
                raise WellbeingOutOfRangeError(
                    f"A {target.scale} score is between {target.minimum} and "
                    f"{target.maximum}; {score} is outside that range."
                )

    @property
    def outcomes_and_contacts(self) -> int:
        """How many outcomes, follow-ups, feedback quotes and wellbeing scores are recorded."""
        return len(self.outcomes) + len(self.follow_ups) + len(self.feedback) + len(self.wellbeing)

    # -- erasure ----------------------------------------------------------------------------

    def request_erasure(self, *, reason: str, recorded_by: str) -> None:
        rules.not_forgotten(self)
        if self.erasure_request is not None:
            raise ErasureError(
                f"An erasure was already requested (version {self.erasure_request.version}) "
                "and waits for approval.",
                code="erasure-already-requested",
            )
        self.trigger_event(
            self.ErasureRequested,
            recorded_by=recorded_by,
            reason=require_text("reason", reason, max_length=200),
        )

    def approve_erasure(self, *, request: int, recorded_by: str) -> None:
        """Forget the participant, as a second admin approving ``request`` (its version)."""
        rules.not_forgotten(self)
        pending = self.erasure_request
        if pending is None or pending.version != request:
            raise ErasureError(
                f"There is no erasure request at version {request} waiting for approval.",
                code="erasure-not-requested",
            )
        if pending.requested_by == recorded_by:
            raise ErasureError(
                "An erasure is approved by a second admin: the one who asked for it cannot.",
                code="erasure-needs-second-admin",
            )
        self._forget(pending.reason, pending.requested_by, recorded_by)

    def forget(self, *, reason: str, recorded_by: str) -> None:
        """Forget the participant at once (the operator's command line)."""
        rules.not_forgotten(self)
        self._forget(require_text("reason", reason, max_length=200), recorded_by, recorded_by)

    def _forget(self, reason: str, requested_by: str, approved_by: str) -> None:
        self.trigger_event(
            self.ParticipantForgotten,
            recorded_by=approved_by,
            reason=reason,
            requested_by=requested_by,
            approved_by=approved_by,
        )

    # -- queries --------------------------------------------------------------------------

    @property
    def cohort_ids(self) -> tuple[str, ...]:
        return tuple(self.enrolments)


# -- corrections: helpers the events use --------------------------------------------------------

# Steps of an attempt: a correction to one must not leave a later attempt or an accredited
# certificate standing on a result that is no longer final.
_ATTEMPT_STEPS = frozenset({"LogSubmitted", "EssaySubmitted", "Marked", "Moderated"})

_T = TypeVar("_T")


def _swap(items: tuple[_T, ...], match: Callable[[_T], bool], new: _T | None) -> tuple[_T, ...]:
    """``items`` with the first one that ``match`` es replaced by ``new`` (removed if None),
    in place, so the order stays the order things were recorded in."""
    for i, item in enumerate(items):
        if match(item):
            return (*items[:i], *(() if new is None else (new,)), *items[i + 1 :])
    return items


def _decided(enrolment: Enrolment, choice: str, version: int) -> Enrolment:
    return replace(enrolment, accreditation=choice, decided_in=(*enrolment.decided_in, version))


def _undecided(enrolment: Enrolment, version: int, replacement: Any) -> Enrolment:
    """A decision retracted: if it was the latest, the one before it stands again (decisions
    alternate, each a change), or none; an amendment changes only its date."""
    if replacement is not None:
        return enrolment
    remaining = tuple(v for v in enrolment.decided_in if v != version)
    decision = enrolment.accreditation
    if enrolment.decided_in[-1:] == (version,):
        decision = None if not remaining else ("declined" if decision == "chosen" else "chosen")
    return replace(enrolment, accreditation=decision, decided_in=remaining)


def _revise_item(items: list[Any], target: Any, replacement: Any) -> list[Any]:
    version = target.originator_version
    new = None if replacement is None else replacement.record()
    return list(_swap(tuple(items), lambda item: item.version == version, new))


def _rework_component(
    enrolment: Enrolment, number: int, component: Component, replacement: Any
) -> Enrolment:
    attempt = enrolment.attempt(number)
    assert attempt is not None
    i = attempt.submitted.index(component)
    if replacement is None:
        submitted = (*attempt.submitted[:i], *attempt.submitted[i + 1 :])
        if not submitted:
            return replace(enrolment, attempts=tuple(a for a in enrolment.attempts if a != attempt))
        revised = replace(
            attempt,
            submitted=submitted,
            submitted_on=(*attempt.submitted_on[:i], *attempt.submitted_on[i + 1 :]),
            essay_format=None if component == "essay" else attempt.essay_format,
        )
    else:
        revised = replace(
            attempt,
            submitted_on=(
                *attempt.submitted_on[:i],
                replacement.occurred_on,
                *attempt.submitted_on[i + 1 :],
            ),
            essay_format=replacement.format if component == "essay" else attempt.essay_format,
        )
    return enrolment.with_attempt(revised)


def _quoted(aggregate: Any, correction: Any, fields: dict[str, Any]) -> Any:
    """The corrected event rebuilt from the fields a correction quotes (same version), so
    that its own ``revise`` can take it out of the state or put its amended form in."""
    cls = getattr(Participant, correction.corrected_type)
    envelope: dict[str, Any] = {
        "originator_id": aggregate.id,
        "originator_version": correction.corrects,
        "timestamp": correction.timestamp,
    }
    if "originator_topic" in {f.name for f in dataclasses.fields(cls)}:
        envelope["originator_topic"] = get_topic(Participant)
    return cls(**envelope, **fields)


def _make_stale(aggregate: Any, corrected_type: str, original: dict[str, Any]) -> None:
    """Take out the moderations a correction made stale; credits awarded on a final pass
    that is no longer final are withdrawn until the attempt is moderated again."""
    stages = corrections.stale_stages(corrected_type, original)
    if not stages:
        return
    enrolment: Enrolment = aggregate.enrolments[original["cohort_id"]]
    attempt = enrolment.attempt(original["attempt"])
    if attempt is None:
        return
    stale = [m for m in attempt.moderations if m.stage in stages]
    if not stale:
        return
    kept = tuple(m for m in attempt.moderations if m.stage not in stages)
    updated = enrolment.with_attempt(replace(attempt, moderations=kept))
    if any(m.stage == "external" and m.result == "pass" for m in stale):
        updated = replace(updated, credits_awarded=0)
    aggregate.enrolments[original["cohort_id"]] = updated


def _plan_for(target: Any, plan_of: Callable[[str], CohortPlan]) -> CohortPlan | None:
    cohort_id: str | None = getattr(target, "cohort_id", None)
    return None if cohort_id is None else plan_of(cohort_id)


def _history_keeps_rules(
    events: Sequence[Any], plan_of: Callable[[str], CohortPlan], today: date, what: str
) -> None:
    """Issue again, on a fresh participant, the command behind each event that would stand:
    a correction is accepted only if every one of them is still accepted, so no correction
    can make the record say something the rules forbid."""
    participant: Participant | None = None
    for event in events:
        try:
            participant = _redo(participant, event, plan_of, today)
        except DomainError as broken:
            if not isinstance(broken, RuleViolation | InvalidValue):
                raise
            raise CorrectionError(
                f"Refused: after {what}, the {type(event).__name__} at version "
                f"{event.originator_version} would break a rule: {broken}",
                code="correction-breaks-rule",
            ) from None


def _redo(
    p: Participant | None, e: Any, plan_of: Callable[[str], CohortPlan], today: date
) -> Participant:
    """The command that records ``e``, issued on ``p`` (``e`` is a registration if None)."""
    who = e.recorded_by
    if p is None:
        assert isinstance(e, Participant.Registered)
        details = PersonalDetails(**{f: getattr(e, f) for f in _PERSONAL_DETAIL_FIELDS})
        return Participant.register(
            participant_id=e.originator_id, details=details, recorded_by=who
        )
    kind = type(e).__name__
    plan = _plan_for(e, plan_of)
    on = getattr(e, "occurred_on", None)
    course = {"today": today, "recorded_by": who}
    if kind == "Enrolled":
        assert plan is not None
        p.enrol(plan=plan, enrolled_on=e.occurred_on, **course)
    elif kind in ("SessionAttended", "SessionMissed"):
        assert plan is not None
        status: SessionStatus = "attended" if kind == "SessionAttended" else "missed"
        reason = getattr(e, "reason", None)
        p.record_session(
            plan=plan, session=e.session, status=status, occurred_on=on, reason=reason, **course
        )
    elif kind in ("AccreditationChosen", "AccreditationDeclined"):
        assert plan is not None
        choose = kind == "AccreditationChosen"
        p.decide_accreditation(plan=plan, choose=choose, occurred_on=on, **course)  # type: ignore[arg-type]
    elif kind in ("LogSubmitted", "EssaySubmitted"):
        assert plan is not None
        component: Component = "log" if kind == "LogSubmitted" else "essay"
        p.submit(
            plan=plan,
            component=component,
            attempt=e.attempt,
            essay_format=getattr(e, "format", None),
            occurred_on=on,  # type: ignore[arg-type]
            **course,
        )
    elif kind == "Marked":
        assert plan is not None
        p.mark(
            plan=plan,
            attempt=e.attempt,
            stage=e.stage,
            marker=e.marker,
            result=e.result,
            feedback=e.feedback,
            occurred_on=on,  # type: ignore[arg-type]
            **course,
        )
    elif kind == "Moderated":
        assert plan is not None
        p.moderate(
            plan=plan,
            attempt=e.attempt,
            stage=e.stage,
            moderator=e.moderator,
            result=e.result,
            occurred_on=on,  # type: ignore[arg-type]
            **course,
        )
    elif kind == "CertificateIssued":
        assert plan is not None
        p.issue_certificate(plan=plan, kind=e.kind, occurred_on=on, **course)  # type: ignore[arg-type]
    elif kind == "Withdrawn":
        assert plan is not None
        p.withdraw(plan=plan, reason=e.reason, occurred_on=on, **course)  # type: ignore[arg-type]
    elif kind == "OutcomeReported":
        p.report_outcome(
            category=e.category,
            detail=e.detail,
            source=e.source,
            ended_on=e.ended_on,
            occurred_on=on,  # type: ignore[arg-type]
            **course,
        )
    elif kind == "FollowUpCompleted":
        p.complete_follow_up(method=e.method, occurred_on=on, **course)  # type: ignore[arg-type]
    elif kind == "FeedbackRecorded":
        cohort_ids = [e.cohort_id] if e.cohort_id is not None else list(p.cohort_ids)
        p.record_feedback(
            plans=[plan_of(c) for c in cohort_ids if c in p.enrolments],
            cohort_id=e.cohort_id,
            quote=e.quote,
            interviewer=e.interviewer,
            category=e.category,
            occurred_on=on,  # type: ignore[arg-type]
            **course,
        )
    elif kind == "WellbeingMeasured":
        p.measure_wellbeing(
            scale=WellbeingScale(e.scale, e.minimum, e.maximum),
            score=e.score,
            timepoint=e.timepoint,
            occurred_on=on,  # type: ignore[arg-type]
            **course,
        )
    elif kind == "ErasureRequested":
        p.erasure_request = ErasureRequest(e.originator_version, who, e.reason)
    else:  # pragma: no cover - every event type that can stand is listed above
        raise AssertionError(f"no command records a {kind}")
    return p
