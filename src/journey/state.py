"""The state of a participant's journey: small frozen records, replaced (never mutated) by
the participant's events.

Being frozen, the same objects serve as the immutable views the application returns.
Collections are tuples; the persistence layer restores tuples when it reads a snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from journey.values import (
    CertificateKind,
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
    WellbeingTimepoint,
)

__all__ = [
    "Attempt",
    "Enrolment",
    "ErasureRequest",
    "Feedback",
    "FollowUp",
    "Mark",
    "Moderation",
    "Outcome",
    "PersonalDetails",
    "SessionRecord",
    "WellbeingScore",
]


@dataclass(frozen=True)
class ErasureRequest:
    """An admin's request to forget a participant, waiting for a second admin's approval."""

    version: int
    requested_by: str
    reason: str


@dataclass(frozen=True)
class PersonalDetails:
    """Who the participant is. Every field here is personal data (erasable)."""

    name: str
    email: str | None = None
    phone: str | None = None
    ethnicity: str | None = None
    gender: str | None = None
    age_band: str | None = None
    disability: str | None = None


@dataclass(frozen=True)
class Mark:
    stage: MarkStage
    marker: str
    result: Result
    feedback: str
    marked_on: date


@dataclass(frozen=True)
class Moderation:
    stage: ModerationStage
    moderator: str
    result: Result
    moderated_on: date


@dataclass(frozen=True)
class Attempt:
    """One attempt at the accredited assessment: its components, marks and moderation."""

    number: int
    submitted: tuple[Component, ...] = ()
    submitted_on: tuple[date, ...] = ()
    essay_format: EssayFormat | None = None
    marks: tuple[Mark, ...] = ()
    moderations: tuple[Moderation, ...] = ()

    def has_component(self, component: Component) -> bool:
        return component in self.submitted

    def mark(self, stage: MarkStage) -> Mark | None:
        return next((m for m in self.marks if m.stage == stage), None)

    def moderation(self, stage: ModerationStage) -> Moderation | None:
        return next((m for m in self.moderations if m.stage == stage), None)

    @property
    def final_result(self) -> Result | None:
        """The result once externally moderated (final); None until then."""
        external = self.moderation("external")
        return external.result if external else None

    @property
    def last_step_on(self) -> date:
        """The date of the attempt's latest submission, mark or moderation."""
        dates = [*self.submitted_on, *(m.marked_on for m in self.marks)]
        dates += [m.moderated_on for m in self.moderations]
        return max(dates)

    @property
    def markers(self) -> tuple[str, ...]:
        return tuple(m.marker for m in self.marks)

    @property
    def moderators(self) -> tuple[str, ...]:
        return tuple(m.moderator for m in self.moderations)

    def with_component(
        self, component: Component, on: date, essay_format: EssayFormat | None
    ) -> Attempt:
        return replace(
            self,
            submitted=(*self.submitted, component),
            submitted_on=(*self.submitted_on, on),
            essay_format=essay_format if component == "essay" else self.essay_format,
        )


@dataclass(frozen=True)
class SessionRecord:
    session: int
    status: SessionStatus
    occurred_on: date
    reason: str | None = None


@dataclass(frozen=True)
class Enrolment:
    """A participant's place on one cohort, and everything recorded about it."""

    cohort_id: str
    programme_id: str
    enrolled_on: date
    sessions: tuple[SessionRecord, ...] = ()
    accreditation: str | None = None  # "chosen", "declined" or None (undecided)
    # The versions of the decisions recorded, in order (each one changed the decision, so
    # they alternate): what a correction of one needs to know.
    decided_in: tuple[int, ...] = ()
    attempts: tuple[Attempt, ...] = ()
    certificates: tuple[CertificateKind, ...] = ()
    withdrawn_on: date | None = None
    credits_awarded: int = 0

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_on is not None

    def session(self, number: int) -> SessionRecord | None:
        return next((s for s in self.sessions if s.session == number), None)

    @property
    def attended(self) -> int:
        return sum(1 for s in self.sessions if s.status == "attended")

    def attempt(self, number: int) -> Attempt | None:
        return next((a for a in self.attempts if a.number == number), None)

    @property
    def latest_attempt(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def has_submitted(self) -> bool:
        return any(a.submitted for a in self.attempts)

    @property
    def passed(self) -> bool:
        return any(a.final_result == "pass" for a in self.attempts)

    @property
    def last_recorded_on(self) -> date:
        """The date of the latest thing recorded on this enrolment."""
        dates = [self.enrolled_on, *(s.occurred_on for s in self.sessions)]
        dates += [a.last_step_on for a in self.attempts]
        return max(dates)

    def with_attempt(self, attempt: Attempt) -> Enrolment:
        others = tuple(a for a in self.attempts if a.number != attempt.number)
        attempts = tuple(sorted((*others, attempt), key=lambda a: a.number))
        return replace(self, attempts=attempts)


@dataclass(frozen=True)
class Outcome:
    category: OutcomeCategory
    detail: str
    source: OutcomeSource
    occurred_on: date
    ended_on: date | None
    recorded_by: str
    version: int = 0  # the stream version of the event that recorded it (corrections name it)


@dataclass(frozen=True)
class FollowUp:
    method: FollowUpMethod
    occurred_on: date
    recorded_by: str
    version: int = 0


@dataclass(frozen=True)
class Feedback:
    quote: str
    interviewer: str
    occurred_on: date
    cohort_id: str | None
    category: FeedbackCategory | None = None
    version: int = 0


@dataclass(frozen=True)
class WellbeingScore:
    scale: str
    score: int
    timepoint: WellbeingTimepoint
    occurred_on: date
    version: int = 0
