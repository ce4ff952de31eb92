"""The immutable views and receipts the application returns (never an aggregate)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from journey.state import (
    Enrolment,
    Feedback,
    FollowUp,
    Outcome,
    PersonalDetails,
    WellbeingScore,
)
from journey.values import Accreditation

__all__ = [
    "CohortView",
    "HistoryEntry",
    "ParticipantView",
    "ProgrammeView",
    "Recorded",
]


@dataclass(frozen=True)
class Recorded:
    """What a successful command wrote: the stream, its new version, and the position of its
    last event in the application's log (for read-your-writes on projections)."""

    aggregate_id: UUID
    version: int
    position: int | None


@dataclass(frozen=True)
class ParticipantView:
    participant_id: UUID
    version: int
    registered_at: datetime
    modified_at: datetime
    details: PersonalDetails
    enrolments: tuple[Enrolment, ...]
    outcomes: tuple[Outcome, ...]
    follow_ups: tuple[FollowUp, ...]
    feedback: tuple[Feedback, ...]
    wellbeing: tuple[WellbeingScore, ...]
    forgotten: bool = False  # personal fields read as erased: the participant was forgotten

    def enrolment(self, cohort_id: str) -> Enrolment | None:
        return next((e for e in self.enrolments if e.cohort_id == cohort_id), None)


@dataclass(frozen=True)
class RetentionDue:
    """A participant whose personal fields have been kept as long as their programmes say."""

    participant_id: UUID
    last_recorded_at: datetime
    keep_months: int
    due_on: date


@dataclass(frozen=True)
class HistoryEntry:
    """One stored event as history shows it: what, when it happened, when and by whom it
    was recorded, and its own fields."""

    type: str
    version: int
    occurred_on: date | None
    recorded_at: datetime
    recorded_by: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class ProgrammeView:
    programme_id: str
    name: str
    session_count: int
    attendance_threshold: int
    themes: tuple[str, ...]
    accreditation: Accreditation | None
    retention_months: int | None = None


@dataclass(frozen=True)
class CohortView:
    cohort_id: str
    programme_id: str
    location: str
    session_dates: tuple[date, ...]
    trainers: tuple[str, ...]
