"""Request bodies of the HTTP API (pydantic v2): strict, bounded, unknown fields refused.

The body of ``POST /participants/{id}/events`` is one discriminated union on ``type``, so the
OpenAPI document shows every event with its own fields. Response models are in
:mod:`api.responses`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

__all__ = [
    "AccreditationIn",
    "CohortIn",
    "EnrolIn",
    "EventIn",
    "IsoDate",
    "Moment",
    "ProgrammeIn",
]

# Ids travel in paths and Location headers: letters, digits and . _ ~ : @ - only.
Id = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._~:@-]*$",
    ),
]


def _iso_date(value: object) -> object:
    """Only YYYY-MM-DD text is a date here (no Unix times, no date-times)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError("must be a date as YYYY-MM-DD")


def _rfc3339(value: object) -> object:
    """Only an RFC 3339 date-time with its offset (e.g. 2024-06-01T17:00:00Z)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str) and re.fullmatch(
        r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", value
    ):
        return value
    raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2024-06-01T17:00:00Z")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Moment = Annotated[datetime, BeforeValidator(_rfc3339)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
Attempt = Annotated[int, Field(ge=1, le=10, strict=True)]
Session = Annotated[int, Field(ge=1, le=100, strict=True)]
EssayFormat = Literal["written", "oral", "poster"]
ResultValue = Literal["pass", "refer"]
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


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccreditationIn(Body):
    awarding_body: Name
    credits: Annotated[int, Field(ge=1, le=360, strict=True)]
    level: Annotated[int, Field(ge=1, le=8, strict=True)]
    essay_formats: Annotated[list[EssayFormat], Field(min_length=1, max_length=3)] = [
        "written",
        "oral",
        "poster",
    ]
    max_attempts: Annotated[int, Field(ge=1, le=10, strict=True)] = 2
    components: Annotated[list[Literal["log", "essay"]], Field(min_length=1, max_length=2)] = [
        "log",
        "essay",
    ]


class ProgrammeIn(Body):
    programme_id: Id
    name: Name
    session_count: Annotated[int, Field(ge=1, le=100, strict=True)]
    attendance_threshold: Annotated[int, Field(ge=0, le=100, strict=True)]
    themes: Annotated[list[Name], Field(max_length=50)] = []
    accreditation: AccreditationIn | None = None
    retention_months: Annotated[
        int | None,
        Field(
            ge=1,
            le=1200,
            strict=True,
            description="Months personal fields are kept after a participant's last event.",
        ),
    ] = None


class CohortIn(Body):
    cohort_id: Id
    programme_id: Id
    location: Name
    session_dates: Annotated[list[IsoDate], Field(min_length=1, max_length=100)]
    trainers: Annotated[list[Id], Field(min_length=1, max_length=50)]


class EnrolIn(Body):
    cohort_id: Id
    enrolled_on: IsoDate
    name: Name
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=320)] | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    ethnicity: Short | None = None
    gender: Short | None = None
    age_band: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    disability: Short | None = None


class _Event(Body):
    occurred_on: IsoDate | None = Field(
        default=None, description="When it happened; default: the training day, or today."
    )


class EnrolledIn(_Event):
    """Enrol an existing participant on another cohort."""

    type: Literal["Enrolled"]
    cohort_id: Id


class SessionAttendedIn(_Event):
    type: Literal["SessionAttended"]
    cohort_id: Id
    session: Session


class SessionMissedIn(_Event):
    type: Literal["SessionMissed"]
    cohort_id: Id
    session: Session
    reason: Reason | None = None


class AccreditationChosenIn(_Event):
    type: Literal["AccreditationChosen"]
    cohort_id: Id


class AccreditationDeclinedIn(_Event):
    type: Literal["AccreditationDeclined"]
    cohort_id: Id


class LogSubmittedIn(_Event):
    type: Literal["LogSubmitted"]
    cohort_id: Id
    attempt: Attempt


class EssaySubmittedIn(_Event):
    type: Literal["EssaySubmitted"]
    cohort_id: Id
    attempt: Attempt
    format: EssayFormat


class MarkedIn(_Event):
    """Recorded by the marker themself: the marker is the authenticated subject."""

    type: Literal["Marked"]
    cohort_id: Id
    attempt: Attempt
    stage: Literal["first", "second"]
    result: ResultValue
    feedback: Text


class ModeratedIn(_Event):
    """Recorded by the moderator themself: the moderator is the authenticated subject."""

    type: Literal["Moderated"]
    cohort_id: Id
    attempt: Attempt
    stage: Literal["internal", "external"]
    result: ResultValue


class CertificateIssuedIn(_Event):
    type: Literal["CertificateIssued"]
    cohort_id: Id
    kind: Literal["attendance", "accredited"]


class WithdrawnIn(_Event):
    type: Literal["Withdrawn"]
    cohort_id: Id
    reason: Reason | None = None


class OutcomeReportedIn(_Event):
    type: Literal["OutcomeReported"]
    category: OutcomeCategory
    detail: Text
    source: Literal["interview", "self_report", "staff_observation"]
    ended_on: IsoDate | None = None


class FollowUpCompletedIn(_Event):
    type: Literal["FollowUpCompleted"]
    method: Literal["telephone_interview", "survey", "face_to_face", "email"]


class FeedbackRecordedIn(_Event):
    """Recorded by the interviewer themself: the interviewer is the authenticated subject."""

    type: Literal["FeedbackRecorded"]
    quote: Text
    cohort_id: Id | None = None
    category: FeedbackCategory | None = Field(
        default=None, description="What the quote is about, from a closed list (not free text)."
    )


class WellbeingMeasuredIn(_Event):
    type: Literal["WellbeingMeasured"]
    scale: Literal["WEMWBS", "SWEMWBS"]
    score: Annotated[int, Field(ge=0, le=1000, strict=True)]
    timepoint: Literal["baseline", "end", "follow_up"]


class EventRetractedIn(Body):
    """Retract the participant's event at version ``corrects``: it was recorded in error.
    The event stays in the history; state and every view go on without it. Who may do it
    is who records events of its type (a mark: its marker; a moderation: its moderator)."""

    type: Literal["EventRetracted"]
    corrects: Annotated[int, Field(ge=1, strict=True, description="The version to retract.")]
    reason: Text


class EventAmendedIn(Body):
    """Amend the participant's event at version ``corrects``: from now on it counts as if it
    had said ``changes`` (its other fields as they were). Only some fields of each event type
    can be amended (dates, results, free text, categories; never what the event is about)."""

    type: Literal["EventAmended"]
    corrects: Annotated[int, Field(ge=1, strict=True, description="The version to amend.")]
    changes: Annotated[
        dict[str, Any],
        Field(min_length=1, max_length=10, description="Field name -> corrected value."),
    ]
    reason: Text


EventIn = Annotated[
    EnrolledIn
    | SessionAttendedIn
    | SessionMissedIn
    | AccreditationChosenIn
    | AccreditationDeclinedIn
    | LogSubmittedIn
    | EssaySubmittedIn
    | MarkedIn
    | ModeratedIn
    | CertificateIssuedIn
    | WithdrawnIn
    | OutcomeReportedIn
    | FollowUpCompletedIn
    | FeedbackRecordedIn
    | WellbeingMeasuredIn
    | EventRetractedIn
    | EventAmendedIn,
    Field(discriminator="type"),
]
