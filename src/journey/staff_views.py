"""The immutable views of a trainer and of a staff training session (never an aggregate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from journey.staff_state import ActionPlan, Claim, SessionCost, Support
from journey.staff_values import Learner

__all__ = ["StaffSessionView", "TrainerView"]


@dataclass(frozen=True)
class TrainerView:
    trainer_id: str
    version: int
    name: str | None
    role_description: str
    participant_id: UUID | None
    pilot: bool
    recruited_on: date
    trained_on: date | None
    train_the_trainer_programme: str | None
    train_the_trainer_cohort: str | None
    sessions: tuple[str, ...]
    support: tuple[Support, ...]
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class StaffSessionView:
    session_id: str
    version: int
    session_date: date
    region: str
    venue: str
    trainers: tuple[str, ...]
    learning_outcomes: tuple[str, ...]
    delivered_on: date | None
    delivered_by: tuple[str, ...]
    learners: tuple[Learner, ...]
    evaluations: int
    plans: tuple[ActionPlan, ...]
    costs: tuple[SessionCost, ...]
