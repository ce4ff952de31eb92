"""The state of trainers and staff training sessions: small frozen records, replaced (never
mutated) by the events of :mod:`journey.trainer` and :mod:`journey.staff_session`.

Being frozen, the same records serve in the views the application returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from journey.staff_values import ActionForum, ActionStatus, ExpenseCategory, SupportKind

__all__ = ["Action", "ActionPlan", "Claim", "ClaimStatus", "SessionCost", "Support"]

ClaimStatus = str  # "claimed", "approved", "rejected" or "reimbursed"


@dataclass(frozen=True)
class Claim:
    """An expense claim and where it is: claimed, approved, rejected (with a reason) or
    reimbursed. Rejected and reimbursed are the two ends; nobody is left out of pocket."""

    claim_id: str
    category: ExpenseCategory
    amount_pence: int
    session_id: str | None
    claimed_on: date
    status: ClaimStatus = "claimed"
    decided_on: date | None = None
    reimbursed_on: date | None = None
    reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in ("claimed", "approved")


@dataclass(frozen=True)
class Support:
    """One-to-one support or supervision given to a trainer (the notes are personal)."""

    kind: SupportKind
    occurred_on: date
    notes: str | None


@dataclass(frozen=True)
class Action:
    action_id: str
    description: str
    added_on: date
    status: ActionStatus | None = None  # None: not updated yet
    forum: ActionForum | None = None
    updated_on: date | None = None
    updates: int = 0

    @property
    def finished(self) -> bool:
        return self.status in ("done", "dropped")


@dataclass(frozen=True)
class ActionPlan:
    """A project-based action plan owned by a staff team; open until closed."""

    plan_id: str
    team: str
    project: str
    agreed_on: date
    actions: tuple[Action, ...] = ()
    closed_on: date | None = None

    def action(self, action_id: str) -> Action | None:
        return next((a for a in self.actions if a.action_id == action_id), None)

    def with_action(self, action: Action) -> ActionPlan:
        others = tuple(a for a in self.actions if a.action_id != action.action_id)
        if len(others) == len(self.actions):
            return ActionPlan(
                self.plan_id,
                self.team,
                self.project,
                self.agreed_on,
                (*self.actions, action),
                self.closed_on,
            )
        kept = tuple(action if a.action_id == action.action_id else a for a in self.actions)
        return ActionPlan(
            self.plan_id, self.team, self.project, self.agreed_on, kept, self.closed_on
        )

    @property
    def last_recorded_on(self) -> date:
        dates = [self.agreed_on, *(a.added_on for a in self.actions)]
        dates += [a.updated_on for a in self.actions if a.updated_on is not None]
        return max(dates)


@dataclass(frozen=True)
class SessionCost:
    cost_id: str
    category: str
    amount_pence: int
    occurred_on: date
