"""Vocabularies and small records of the staff-training side of the ledger (the NICE
shared-learning document): learners, evaluations, expense claims and action plans.

Vocabularies are ``Literal`` string types with a tuple of their members, as in
:mod:`journey.values`. Money is whole pence (``int``), never a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "ACTION_FORUMS",
    "ACTION_STATUSES",
    "COST_CATEGORIES",
    "EXPENSE_CATEGORIES",
    "LEARNER_ROLES",
    "MAX_AMOUNT_PENCE",
    "RATINGS",
    "SUPPORT_KINDS",
    "ActionForum",
    "ActionStatus",
    "CostCategory",
    "Evaluation",
    "ExpenseCategory",
    "Learner",
    "LearnerRole",
    "SupportKind",
]

LearnerRole = Literal["staff", "service_user"]
SupportKind = Literal["one_to_one", "supervision"]
ExpenseCategory = Literal["travel", "subsistence", "care", "other"]
# A session's own costs; trainers' expenses come from their claims naming the session.
CostCategory = Literal["room_hire", "refreshments", "other"]
# An action's progress: recorded as it is updated; done and dropped are final.
ActionStatus = Literal["in_progress", "done", "dropped"]
ActionForum = Literal["team_meeting", "supervision"]

LEARNER_ROLES: tuple[LearnerRole, ...] = get_args(LearnerRole)
SUPPORT_KINDS: tuple[SupportKind, ...] = get_args(SupportKind)
EXPENSE_CATEGORIES: tuple[ExpenseCategory, ...] = get_args(ExpenseCategory)
COST_CATEGORIES: tuple[CostCategory, ...] = get_args(CostCategory)
ACTION_STATUSES: tuple[ActionStatus, ...] = get_args(ActionStatus)
ACTION_FORUMS: tuple[ActionForum, ...] = get_args(ActionForum)
RATINGS = range(1, 6)  # the evaluation form's scale: 1 (poor) to 5 (excellent)
MAX_AMOUNT_PENCE = 1_000_000  # ten thousand pounds: more is a typing mistake


@dataclass(frozen=True)
class Learner:
    """Someone who attended a staff training session: only what the views need (role,
    team, region) and an optional name (personal)."""

    learner_id: str
    role: LearnerRole
    region: str
    team: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Evaluation:
    """One learner's evaluation form: an overall rating, optionally one rating per learning
    outcome (in the session's order), and what they will do more of, less of, no longer do
    (free text, personal)."""

    learner_id: str
    rating: int
    outcome_ratings: tuple[int, ...] = ()
    more_of: str | None = None
    less_of: str | None = None
    stop_doing: str | None = None
