"""Response bodies of the HTTP API, separate from the request bodies and from the domain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "CohortOut",
    "EnrolledOut",
    "ErrorOut",
    "FieldError",
    "FunnelOut",
    "HealthOut",
    "HistoryEntryOut",
    "OutcomesOut",
    "ParticipantOut",
    "ProgrammeOut",
    "QueueItemOut",
    "ReceiptOut",
    "RecordedOut",
    "RegisterOut",
    "TableOut",
    "TimelineOut",
]


class FieldError(BaseModel):
    field: str
    reason: str


class ErrorOut(BaseModel):
    """Every error answer: a stable code, a sentence, and for bad input the fields."""

    code: str
    message: str
    errors: list[FieldError] | None = None


class HealthOut(BaseModel):
    status: str


class EnrolledOut(BaseModel):
    participant_id: str
    version: int


class RecordedOut(BaseModel):
    participant_id: str
    version: int


class AccreditationOut(BaseModel):
    awarding_body: str
    credits: int
    level: int
    essay_formats: list[str]
    max_attempts: int
    components: list[str]


class ProgrammeOut(BaseModel):
    programme_id: str
    name: str
    session_count: int
    attendance_threshold: int
    themes: list[str]
    accreditation: AccreditationOut | None
    retention_months: int | None = None


class CohortOut(BaseModel):
    cohort_id: str
    programme_id: str
    location: str
    session_dates: list[date]
    trainers: list[str]


class MarkOut(BaseModel):
    stage: str
    marker: str
    result: str
    feedback: str
    marked_on: date


class ModerationOut(BaseModel):
    stage: str
    moderator: str
    result: str
    moderated_on: date


class AttemptOut(BaseModel):
    attempt: int
    submitted: list[str]
    essay_format: str | None
    marks: list[MarkOut]
    marks_hidden: int  # blind double marking: marks by others not shown to this marker yet
    moderations: list[ModerationOut]
    final_result: str | None


class EnrolmentOut(BaseModel):
    cohort_id: str
    programme_id: str
    enrolled_on: date
    withdrawn_on: date | None
    sessions: dict[str, str]
    attended: int
    accreditation: str | None
    attempts: list[AttemptOut]
    certificates: list[str]
    credits_awarded: int


class PersonalOut(BaseModel):
    name: str
    email: str | None
    phone: str | None
    ethnicity: str | None
    gender: str | None
    age_band: str | None
    disability: str | None


class OutcomeOut(BaseModel):
    category: str
    detail: str
    source: str
    occurred_on: date
    ended_on: date | None
    version: int = Field(description="The version of the event that recorded it (to correct it).")


class FollowUpOut(BaseModel):
    method: str
    occurred_on: date
    version: int


class FeedbackOut(BaseModel):
    quote: str
    interviewer: str
    occurred_on: date
    cohort_id: str | None
    category: str | None = None
    version: int


class WellbeingOut(BaseModel):
    scale: str
    score: int
    timepoint: str
    occurred_on: date
    version: int


class ParticipantOut(BaseModel):
    participant_id: str
    version: int
    registered_at: datetime
    modified_at: datetime
    personal: PersonalOut
    enrolments: list[EnrolmentOut]
    outcomes: list[OutcomeOut]
    follow_ups: list[FollowUpOut]
    feedback: list[FeedbackOut]
    wellbeing: list[WellbeingOut]
    forgotten: bool = Field(
        default=False, description="Forgotten: personal fields read [erased], for good."
    )


class HistoryEntryOut(BaseModel):
    type: str
    version: int
    occurred_on: date | None
    recorded_at: datetime
    recorded_by: str
    fields: dict[str, Any]


class TimelineEntryOut(BaseModel):
    kind: str
    occurred_on: date
    cohort_id: str | None
    months_since_enrolment: int | None
    months_since_course_ended: int | None
    fields: dict[str, Any]


class TimelineOut(BaseModel):
    participant_id: str
    entries: list[TimelineEntryOut]


class RegisterRowOut(BaseModel):
    participant_id: str
    enrolled_on: date
    withdrawn_on: date | None
    sessions: dict[str, str | None]
    attended: int
    certificate_eligible: bool


class RegisterOut(BaseModel):
    cohort_id: str
    programme_id: str
    location: str
    session_count: int
    attendance_threshold: int
    rows: list[RegisterRowOut]


class PassRateOut(BaseModel):
    numerator: int
    denominator: int
    value: float | None
    definition: str


class FunnelOut(BaseModel):
    scope: str  # "programme", "cohort", "year" or "all"
    programme_id: str | None
    cohort_id: str | None
    year: int | None
    enrolled: int
    withdrawn: int
    accreditation_chosen: int
    accreditation_declined: int
    undecided: int
    submitted: int
    first_marked: int
    second_marked: int
    marked: int
    moderated_internal: int
    moderated_external: int
    passed: int
    referred: int
    pending: int
    credits_awarded: int
    pass_rate: PassRateOut
    other_rates: list[PassRateOut]


class OutcomesOut(BaseModel):
    scope: str
    programme_id: str | None
    cohort_id: str | None
    participants: int
    followed_up: int
    with_outcome: int
    by_category: dict[str, int]
    by_period: dict[str, dict[str, int]]


class QueueItemOut(BaseModel):
    participant_id: str
    cohort_id: str
    attempt: int
    waiting_for: str
    since: date
    days_waiting: int


class ReceiptOut(BaseModel):
    """The disclosure control a published table went through."""

    rule_set: str = Field(description="standard, threshold-10, or exact (internal roles)")
    rule: str
    cells: int
    suppressed_primary: int
    suppressed_secondary: int
    suppressed: int


class TableOut(BaseModel):
    """A published table: its columns, its rows (``*`` marks a hidden count) and its receipt."""

    name: str
    title: str
    columns: list[str]
    rows: list[dict[str, int | float | str | None]]
    receipt: ReceiptOut
    notes: list[str]
