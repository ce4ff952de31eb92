"""``/reports`` of staff training: workforce reach, evaluations, action plans, trainer
activity, expenses outstanding and cost per learner."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.auth import Principal
from api.deps import Svc, require, views_at
from api.permissions import OPERATION_ROLES
from api.responses_staff import EvaluationsOut
from api.routes_reports import READ_ERRORS
from api.schemas import Id, IsoDate
from projections.action_plans import ActionPlanRow, read_action_plans
from projections.staff_costs import CostReport, cost_per_learner
from projections.staff_evaluations import evaluation_summary, outcome_summary
from projections.staff_reach import Reach, workforce_reach
from projections.trainer_activity import (
    ExpensesOutstanding,
    TrainerActivity,
    expenses_outstanding,
    trainer_activity,
)

__all__ = ["router"]

router = APIRouter(prefix="/reports", tags=["staff training reports"])


def _allowed(operation: str) -> object:
    return Depends(require(*OPERATION_ROLES[operation]))


@router.get(
    "/workforce-reach",
    response_model=Reach,
    responses=READ_ERRORS,
    summary="Learners by role, region and team, and the share of the workforce trained",
    description=(
        "Counts learners of staff training sessions up to `on` (default: all) and the share "
        "of each region's workforce trained (staff learners over the size recorded for the "
        "region in force on `on`; default: the latest)."
    ),
)
def read_workforce_reach(
    services: Svc,
    _: Annotated[Principal, _allowed("read_workforce_reach")],
    on: Annotated[IsoDate | None, Query()] = None,
) -> Reach:
    return workforce_reach(views_at(services, None), on=on)


@router.get(
    "/evaluations",
    response_model=EvaluationsOut,
    responses=READ_ERRORS,
    summary="Evaluation summary per session and per learning outcome",
)
def read_evaluations(
    services: Svc,
    _: Annotated[Principal, _allowed("read_evaluations")],
    session_id: Annotated[Id | None, Query()] = None,
) -> EvaluationsOut:
    engine = views_at(services, None)
    return EvaluationsOut(
        sessions=evaluation_summary(engine, session_id=session_id),
        outcomes=outcome_summary(engine),
    )


@router.get(
    "/action-plans",
    response_model=list[ActionPlanRow],
    responses=READ_ERRORS,
    summary="Action plans by status and age, open ones first, oldest first",
)
def read_plans(
    services: Svc,
    _: Annotated[Principal, _allowed("read_action_plans")],
    status: Annotated[Literal["open", "closed"] | None, Query()] = None,
) -> list[ActionPlanRow]:
    return read_action_plans(views_at(services, None), today=services.clock(), status=status)


@router.get(
    "/trainer-activity",
    response_model=TrainerActivity,
    responses=READ_ERRORS,
    summary="Sessions delivered per trainer, and co-facilitation by former participants",
)
def read_trainer_activity(
    services: Svc,
    _: Annotated[Principal, _allowed("read_trainer_activity")],
) -> TrainerActivity:
    return trainer_activity(views_at(services, None))


@router.get(
    "/expenses-outstanding",
    response_model=ExpensesOutstanding,
    responses=READ_ERRORS,
    summary="Expense claims not yet reimbursed or rejected, with their age",
)
def read_expenses_outstanding(
    services: Svc,
    _: Annotated[Principal, _allowed("read_expenses_outstanding")],
) -> ExpensesOutstanding:
    return expenses_outstanding(views_at(services, None), today=services.clock())


@router.get(
    "/cost-per-learner",
    response_model=CostReport,
    responses=READ_ERRORS,
    summary="Each session's costs (room hire, refreshments, trainers' expenses) per learner",
)
def read_cost_per_learner(
    services: Svc,
    _: Annotated[Principal, _allowed("read_cost_per_learner")],
) -> CostReport:
    return cost_per_learner(views_at(services, None))
