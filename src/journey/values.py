"""Value objects and vocabularies shared by the aggregates.

Vocabularies are ``Literal`` string types (stored as plain strings, so a stored event is
readable JSON and mypy checks every use) with a tuple of their members for validation.
Value objects are frozen dataclasses; collections in them are tuples.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

from journey.errors import InvalidValue

__all__ = [
    "COMPONENTS",
    "ESSAY_FORMATS",
    "FEEDBACK_CATEGORIES",
    "FOLLOW_UP_METHODS",
    "MARK_STAGES",
    "MODERATION_STAGES",
    "OUTCOME_CATEGORIES",
    "OUTCOME_SOURCES",
    "RESULTS",
    "WELLBEING_TIMEPOINTS",
    "Accreditation",
    "CertificateKind",
    "CohortPlan",
    "Component",
    "EssayFormat",
    "FeedbackCategory",
    "FollowUpMethod",
    "MarkStage",
    "ModerationStage",
    "OutcomeCategory",
    "OutcomeSource",
    "ProgrammeTerms",
    "Result",
    "SessionStatus",
    "WellbeingScale",
    "WellbeingTimepoint",
    "require_text",
]

Component = Literal["log", "essay"]
EssayFormat = Literal["written", "oral", "poster"]
MarkStage = Literal["first", "second"]
ModerationStage = Literal["internal", "external"]
Result = Literal["pass", "refer"]
CertificateKind = Literal["attendance", "accredited"]
SessionStatus = Literal["attended", "missed"]
OutcomeCategory = Literal[
    "chair",
    "treasurer",
    "board_member",
    "employment",
    "co_facilitating",
    "speaking",
    "leadership_role",
    "further_training",
    "volunteering",
    "campaigning",
]
OutcomeSource = Literal["interview", "self_report", "staff_observation"]
FollowUpMethod = Literal["telephone_interview", "survey", "face_to_face", "email"]
WellbeingTimepoint = Literal["baseline", "end", "follow_up"]
# What a review-interview quote is about, chosen by the interviewer from a closed list: the
# quote itself is free text in the person's own words (personal data), the category is not.
FeedbackCategory = Literal[
    "confidence",
    "peer_support",
    "speaking_up",
    "involvement",
    "learning",
    "employment",
    "challenge",
    "other",
]

COMPONENTS: tuple[Component, ...] = get_args(Component)
ESSAY_FORMATS: tuple[EssayFormat, ...] = get_args(EssayFormat)
MARK_STAGES: tuple[MarkStage, ...] = get_args(MarkStage)
MODERATION_STAGES: tuple[ModerationStage, ...] = get_args(ModerationStage)
RESULTS: tuple[Result, ...] = get_args(Result)
OUTCOME_CATEGORIES: tuple[OutcomeCategory, ...] = get_args(OutcomeCategory)
OUTCOME_SOURCES: tuple[OutcomeSource, ...] = get_args(OutcomeSource)
FOLLOW_UP_METHODS: tuple[FollowUpMethod, ...] = get_args(FollowUpMethod)
WELLBEING_TIMEPOINTS: tuple[WellbeingTimepoint, ...] = get_args(WellbeingTimepoint)
FEEDBACK_CATEGORIES: tuple[FeedbackCategory, ...] = get_args(FeedbackCategory)

MAX_TEXT = 4000
MAX_ID = 100


def require_text(field: str, value: str, *, max_length: int = MAX_TEXT) -> str:
    """Return ``value`` stripped, or raise :class:`InvalidValue` if empty or too long."""
    if not isinstance(value, str):
        raise InvalidValue(field, "must be text")
    stripped = value.strip()
    if not stripped:
        raise InvalidValue(field, "must not be empty")
    if len(stripped) > max_length:
        raise InvalidValue(field, f"must be at most {max_length} characters")
    return stripped


def require_member(field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidValue(field, f"must be one of {', '.join(allowed)}; got {value!r}")


@dataclass(frozen=True)
class Accreditation:
    """What a programme's optional accreditation awards and how it is assessed.

    Assessment follows the domain's fixed procedure: every component of an attempt is
    submitted, then double-marked (a first and a second marker, two different people), then
    moderated internally and externally; the external moderation's result is final.
    """

    awarding_body: str
    credits: int
    level: int
    essay_formats: tuple[EssayFormat, ...] = ESSAY_FORMATS
    max_attempts: int = 2
    components: tuple[Component, ...] = COMPONENTS

    def __post_init__(self) -> None:
        require_text("accreditation.awarding_body", self.awarding_body, max_length=200)
        if not 1 <= self.credits <= 360:
            raise InvalidValue("accreditation.credits", "must be between 1 and 360")
        if not 1 <= self.level <= 8:
            raise InvalidValue("accreditation.level", "must be between 1 and 8")
        if not 1 <= self.max_attempts <= 10:
            raise InvalidValue("accreditation.max_attempts", "must be between 1 and 10")
        if not self.components or len(set(self.components)) != len(self.components):
            raise InvalidValue("accreditation.components", "must list distinct components")
        for component in self.components:
            require_member("accreditation.components", component, COMPONENTS)
        if "essay" in self.components and not self.essay_formats:
            raise InvalidValue("accreditation.essay_formats", "must allow at least one format")
        if len(set(self.essay_formats)) != len(self.essay_formats):
            raise InvalidValue("accreditation.essay_formats", "must not repeat a format")
        for essay_format in self.essay_formats:
            require_member("accreditation.essay_formats", essay_format, ESSAY_FORMATS)


@dataclass(frozen=True)
class ProgrammeTerms:
    """The parts of a programme definition that the participant rules depend on."""

    programme_id: str
    session_count: int
    attendance_threshold: int
    accreditation: Accreditation | None


@dataclass(frozen=True)
class CohortPlan:
    """A cohort as the participant rules see it: its programme, days and trainers."""

    cohort_id: str
    programme: ProgrammeTerms
    session_dates: tuple[date, ...]
    trainers: tuple[str, ...]

    def session_date(self, session: int) -> date | None:
        """The date of training day ``session`` (1 = the first), or None if there is none."""
        if 1 <= session <= len(self.session_dates):
            return self.session_dates[session - 1]
        return None

    @property
    def last_day(self) -> date:
        return self.session_dates[-1]


@dataclass(frozen=True)
class WellbeingScale:
    """A validated wellbeing scale as an event records it: its name and the valid range of
    its raw total. The full definitions are data: :mod:`journey.scales`."""

    name: str
    minimum: int
    maximum: int

    def contains(self, score: int) -> bool:
        return self.minimum <= score <= self.maximum
