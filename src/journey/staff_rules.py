"""The staff-training rules, one guard each (the style of :mod:`journey.rules`).

The :class:`~journey.trainer.Trainer` and :class:`~journey.staff_session.StaffSession`
aggregates call them before they record anything, so a broken rule leaves no pending event.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from journey.errors import (
    ActionPlanError,
    EvaluationError,
    ExpenseClaimError,
    InvalidValue,
    StaffSessionError,
    TrainerNotQualifiedError,
)
from journey.staff_state import Action, ActionPlan, Claim
from journey.staff_values import MAX_AMOUNT_PENCE, RATINGS

# -- trainers -------------------------------------------------------------------------------


def qualified_to_deliver(
    trainer_id: str, *, pilot: bool, recruited_on: date, trained_on: date | None, on: date
) -> None:
    """A trainer delivers only after completing Train the Trainer, unless recorded as a
    pilot trainer (the first group, who developed and piloted the session)."""
    if on < recruited_on:
        raise TrainerNotQualifiedError(
            f"Trainer {trainer_id!r} was recruited on {recruited_on.isoformat()}: they cannot "
            f"have delivered a session on {on.isoformat()}.",
            code="trainer-not-yet-recruited",
        )
    if pilot:
        return
    if trained_on is None or trained_on > on:
        when = "has not completed" if trained_on is None else "had not yet completed"
        raise TrainerNotQualifiedError(
            f"Trainer {trainer_id!r} {when} Train the Trainer on {on.isoformat()}: only "
            "trainers who completed it (or pilot trainers) deliver sessions."
        )


def not_trained_already(trainer_id: str, trained_on: date | None) -> None:
    if trained_on is not None:
        raise TrainerNotQualifiedError(
            f"Trainer {trainer_id!r} already completed Train the Trainer on "
            f"{trained_on.isoformat()}.",
            code="train-the-trainer-already-completed",
        )


def amount(amount_pence: int) -> int:
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int):
        raise InvalidValue("amount_pence", "must be a whole number of pence")
    if not 1 <= amount_pence <= MAX_AMOUNT_PENCE:
        raise InvalidValue("amount_pence", f"must be between 1 and {MAX_AMOUNT_PENCE}")
    return amount_pence


# -- expense claims ---------------------------------------------------------------------------


def new_claim(claims: Mapping[str, Claim], claim_id: str) -> None:
    if claim_id in claims:
        raise ExpenseClaimError(
            f"Claim {claim_id!r} is already recorded; a claim is made once.",
            code="claim-already-made",
        )


def claim(claims: Mapping[str, Claim], claim_id: str) -> Claim:
    found = claims.get(claim_id)
    if found is None:
        raise ExpenseClaimError(f"There is no claim {claim_id!r}.", code="claim-not-found")
    return found


def undecided(found: Claim) -> None:
    if found.status != "claimed":
        raise ExpenseClaimError(
            f"Claim {found.claim_id!r} is already {found.status}: a claim is approved or "
            "rejected once.",
            code="claim-already-decided",
        )


def reimbursable(found: Claim) -> None:
    """Reimbursed at most once, and only after approval."""
    if found.status == "reimbursed":
        raise ExpenseClaimError(
            f"Claim {found.claim_id!r} was already reimbursed; it is paid at most once.",
            code="claim-already-reimbursed",
        )
    if found.status != "approved":
        raise ExpenseClaimError(
            f"Claim {found.claim_id!r} is {found.status}: only an approved claim is reimbursed.",
            code="claim-not-approved",
        )


def not_before(occurred_on: date, earlier: date, what: str) -> None:
    if occurred_on < earlier:
        raise InvalidValue(
            "occurred_on", f"{occurred_on.isoformat()} is before {what} ({earlier.isoformat()})"
        )


# -- sessions, learners, evaluations ----------------------------------------------------------


def delivered(session_id: str, delivered_on: date | None) -> date:
    if delivered_on is None:
        raise StaffSessionError(
            f"Session {session_id!r} has not been delivered: learners, evaluations and action "
            "plans come after delivery.",
            code="session-not-delivered",
        )
    return delivered_on


def not_delivered(session_id: str, delivered_on: date | None) -> None:
    if delivered_on is not None:
        raise StaffSessionError(
            f"Session {session_id!r} was already delivered on {delivered_on.isoformat()}.",
            code="session-already-delivered",
        )


def on_session_date(session_id: str, session_date: date, occurred_on: date) -> None:
    if occurred_on != session_date:
        raise StaffSessionError(
            f"Session {session_id!r} is planned for {session_date.isoformat()}; it cannot be "
            f"recorded as delivered on {occurred_on.isoformat()}.",
            code="session-date-mismatch",
        )


def learner_not_recorded(session_id: str, learners: Mapping[str, object], learner_id: str) -> None:
    if learner_id in learners:
        raise StaffSessionError(
            f"Learner {learner_id!r} is already recorded as attending session {session_id!r}.",
            code="learner-already-recorded",
        )


def attended(session_id: str, learners: Mapping[str, object], learner_id: str) -> None:
    """An evaluation only from a learner who attended."""
    if learner_id not in learners:
        raise EvaluationError(
            f"Learner {learner_id!r} did not attend session {session_id!r}: only learners "
            "who attended evaluate it.",
            code="evaluation-without-attendance",
        )


def not_evaluated(evaluated: set[str], learner_id: str) -> None:
    if learner_id in evaluated:
        raise EvaluationError(
            f"Learner {learner_id!r} already evaluated this session; one evaluation each.",
            code="evaluation-already-submitted",
        )


def ratings(rating: int, outcome_ratings: tuple[int, ...], outcomes: int) -> None:
    for field, value in (("rating", rating), *(("outcome_ratings", r) for r in outcome_ratings)):
        if isinstance(value, bool) or not isinstance(value, int) or value not in RATINGS:
            raise InvalidValue(field, f"must be a whole number from 1 to 5; got {value!r}")
    if outcome_ratings and len(outcome_ratings) != outcomes:
        raise InvalidValue(
            "outcome_ratings",
            f"the session has {outcomes} learning outcomes; {len(outcome_ratings)} ratings given",
        )


# -- action plans ---------------------------------------------------------------------------


def new_plan(plans: Mapping[str, ActionPlan], plan_id: str) -> None:
    if plan_id in plans:
        raise ActionPlanError(
            f"Action plan {plan_id!r} already exists.", code="action-plan-already-agreed"
        )


def open_plan(plans: Mapping[str, ActionPlan], plan_id: str) -> ActionPlan:
    """Actions are added and updated only while their plan is open."""
    plan = plans.get(plan_id)
    if plan is None:
        raise ActionPlanError(f"There is no action plan {plan_id!r}.", code="action-plan-not-found")
    if plan.closed_on is not None:
        raise ActionPlanError(
            f"Action plan {plan_id!r} was closed on {plan.closed_on.isoformat()}: its actions "
            "are no longer updated.",
            code="action-plan-closed",
        )
    return plan


def new_action(plan: ActionPlan, action_id: str) -> None:
    if plan.action(action_id) is not None:
        raise ActionPlanError(
            f"Action {action_id!r} is already in plan {plan.plan_id!r}.",
            code="action-already-added",
        )


def unfinished_action(plan: ActionPlan, action_id: str) -> Action:
    action = plan.action(action_id)
    if action is None:
        raise ActionPlanError(
            f"Plan {plan.plan_id!r} has no action {action_id!r}.", code="action-not-found"
        )
    if action.finished:
        raise ActionPlanError(
            f"Action {action_id!r} is already {action.status}: done and dropped are final.",
            code="action-finished",
        )
    return action


def every_action_finished(plan: ActionPlan) -> None:
    if not plan.actions or not all(a.finished for a in plan.actions):
        raise ActionPlanError(
            f"Action plan {plan.plan_id!r} closes only when it has actions and every one is "
            "done or dropped.",
            code="action-plan-unfinished",
        )
