"""Request bodies of the staff-training API (pydantic v2), in the style of :mod:`api.schemas`:
strict, bounded, unknown fields refused; the events of a trainer and of a staff training
session are each one discriminated union on ``type``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from api.schemas import Body, Id, IsoDate, Name, Reason, Text

__all__ = [
    "StaffSessionEventIn",
    "StaffSessionIn",
    "TrainerEventIn",
    "TrainerIn",
    "WorkforceSizeIn",
]

Pence = Annotated[int, Field(ge=1, le=1_000_000, strict=True, description="Whole pence.")]
Rating = Annotated[int, Field(ge=1, le=5, strict=True)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Answer = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


class TrainerIn(Body):
    """Recruit a trainer against a role description."""

    trainer_id: Id
    role_description: Text
    recruited_on: IsoDate
    pilot: bool = Field(
        default=False, description="A pilot trainer delivers without Train the Trainer."
    )
    participant_id: Annotated[str, StringConstraints(max_length=36)] | None = Field(
        default=None, description="The person's journey, when a former participant."
    )
    name: Name | None = None


class _Dated(Body):
    occurred_on: IsoDate | None = Field(
        default=None, description="When it happened; default today."
    )


class TrainTheTrainerCompletedIn(_Dated):
    type: Literal["TrainTheTrainerCompleted"]
    programme_id: Id
    cohort_id: Id | None = None


class SupportRecordedIn(_Dated):
    type: Literal["SupportRecorded"]
    kind: Literal["one_to_one", "supervision"]
    notes: Answer | None = None


class ExpenseClaimedIn(_Dated):
    type: Literal["ExpenseClaimed"]
    claim_id: Id
    category: Literal["travel", "subsistence", "care", "other"]
    amount_pence: Pence
    session_id: Id | None = None


class ExpenseApprovedIn(_Dated):
    type: Literal["ExpenseApproved"]
    claim_id: Id


class ExpenseRejectedIn(_Dated):
    type: Literal["ExpenseRejected"]
    claim_id: Id
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class ExpenseReimbursedIn(_Dated):
    type: Literal["ExpenseReimbursed"]
    claim_id: Id


TrainerEventIn = Annotated[
    TrainTheTrainerCompletedIn
    | SupportRecordedIn
    | ExpenseClaimedIn
    | ExpenseApprovedIn
    | ExpenseRejectedIn
    | ExpenseReimbursedIn,
    Field(discriminator="type"),
]


class StaffSessionIn(Body):
    """Plan a staff training session."""

    session_id: Id
    session_date: IsoDate
    region: Short
    venue: Name
    trainers: Annotated[list[Id], Field(min_length=1, max_length=10)]
    learning_outcomes: Annotated[
        list[
            Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
        ],
        Field(min_length=1, max_length=20),
    ]


class DeliveredIn(Body):
    type: Literal["Delivered"]
    occurred_on: IsoDate | None = Field(default=None, description="Default: the session's date.")
    trainers: Annotated[list[Id], Field(min_length=1, max_length=10)] | None = Field(
        default=None, description="Who delivered it; default: the planned trainers."
    )


class LearnerAttendedIn(Body):
    type: Literal["LearnerAttended"]
    learner_id: Id
    role: Literal["staff", "service_user"]
    region: Short | None = Field(default=None, description="Default: the session's region.")
    team: Short | None = None
    name: Name | None = None


class EvaluationSubmittedIn(_Dated):
    type: Literal["EvaluationSubmitted"]
    learner_id: Id
    rating: Rating
    outcome_ratings: Annotated[list[Rating], Field(max_length=20)] = Field(
        default=[], description="One per learning outcome, in the session's order (or none)."
    )
    more_of: Answer | None = None
    less_of: Answer | None = None
    stop_doing: Answer | None = None


class ActionPlanAgreedIn(_Dated):
    type: Literal["ActionPlanAgreed"]
    plan_id: Id
    team: Short
    project: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class ActionAddedIn(_Dated):
    type: Literal["ActionAdded"]
    plan_id: Id
    action_id: Id
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)
    ]


class ActionProgressedIn(_Dated):
    type: Literal["ActionProgressed"]
    plan_id: Id
    action_id: Id
    status: Literal["in_progress", "done", "dropped"]
    forum: Literal["team_meeting", "supervision"]
    note: Reason | None = None


class ActionPlanClosedIn(_Dated):
    type: Literal["ActionPlanClosed"]
    plan_id: Id


class CostRecordedIn(_Dated):
    type: Literal["CostRecorded"]
    cost_id: Id
    category: Literal["room_hire", "refreshments", "other"]
    amount_pence: Pence


StaffSessionEventIn = Annotated[
    DeliveredIn
    | LearnerAttendedIn
    | EvaluationSubmittedIn
    | ActionPlanAgreedIn
    | ActionAddedIn
    | ActionProgressedIn
    | ActionPlanClosedIn
    | CostRecordedIn,
    Field(discriminator="type"),
]


class WorkforceSizeIn(Body):
    """The size of a region's workforce, counted from a date."""

    region: Short
    size: Annotated[int, Field(ge=1, le=1_000_000, strict=True)]
    counts_from: IsoDate
