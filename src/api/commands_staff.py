"""Staff-training event bodies -> application commands: one entry per event type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from api import schemas_staff as s
from journey.application import JourneyLedger
from journey.requests import RequestTicket
from journey.staff_values import Evaluation, Learner
from journey.views import Recorded

__all__ = ["record_session_event", "record_trainer_event"]

Command = Callable[[JourneyLedger, str, Any, dict[str, Any], date], Recorded]


def _on(body: Any, today: date) -> date:
    return body.occurred_on if body.occurred_on is not None else today


_TRAINER_COMMANDS: dict[type[Any], Command] = {
    s.TrainTheTrainerCompletedIn: lambda ledger, tid, b, kw, t: ledger.complete_train_the_trainer(
        trainer_id=tid,
        programme_id=b.programme_id,
        cohort_id=b.cohort_id,
        occurred_on=_on(b, t),
        **kw,
    ),
    s.SupportRecordedIn: lambda ledger, tid, b, kw, t: ledger.record_trainer_support(
        trainer_id=tid, kind=b.kind, notes=b.notes, occurred_on=_on(b, t), **kw
    ),
    s.ExpenseClaimedIn: lambda ledger, tid, b, kw, t: ledger.claim_expense(
        trainer_id=tid,
        claim_id=b.claim_id,
        category=b.category,
        amount_pence=b.amount_pence,
        session_id=b.session_id,
        occurred_on=_on(b, t),
        **kw,
    ),
    s.ExpenseApprovedIn: lambda ledger, tid, b, kw, t: ledger.approve_expense(
        trainer_id=tid, claim_id=b.claim_id, occurred_on=_on(b, t), **kw
    ),
    s.ExpenseRejectedIn: lambda ledger, tid, b, kw, t: ledger.reject_expense(
        trainer_id=tid, claim_id=b.claim_id, reason=b.reason, occurred_on=_on(b, t), **kw
    ),
    s.ExpenseReimbursedIn: lambda ledger, tid, b, kw, t: ledger.reimburse_expense(
        trainer_id=tid, claim_id=b.claim_id, occurred_on=_on(b, t), **kw
    ),
}


def _learner(ledger: JourneyLedger, sid: str, b: Any, kw: dict[str, Any], t: date) -> Recorded:
    region = b.region if b.region is not None else ledger.get_staff_session(sid).region
    learner = Learner(b.learner_id, b.role, region, team=b.team, name=b.name)
    return ledger.record_learners(session_id=sid, learners=[learner], **kw)


_SESSION_COMMANDS: dict[type[Any], Command] = {
    s.DeliveredIn: lambda ledger, sid, b, kw, t: ledger.deliver_staff_session(
        session_id=sid, occurred_on=b.occurred_on, trainers=b.trainers, **kw
    ),
    s.LearnerAttendedIn: _learner,
    s.EvaluationSubmittedIn: lambda ledger, sid, b, kw, t: ledger.submit_evaluations(
        session_id=sid,
        evaluations=[
            Evaluation(
                b.learner_id,
                b.rating,
                tuple(b.outcome_ratings),
                more_of=b.more_of,
                less_of=b.less_of,
                stop_doing=b.stop_doing,
            )
        ],
        occurred_on=_on(b, t),
        **kw,
    ),
    s.ActionPlanAgreedIn: lambda ledger, sid, b, kw, t: ledger.agree_action_plan(
        session_id=sid,
        plan_id=b.plan_id,
        team=b.team,
        project=b.project,
        occurred_on=_on(b, t),
        **kw,
    ),
    s.ActionAddedIn: lambda ledger, sid, b, kw, t: ledger.add_action(
        session_id=sid,
        plan_id=b.plan_id,
        action_id=b.action_id,
        description=b.description,
        occurred_on=_on(b, t),
        **kw,
    ),
    s.ActionProgressedIn: lambda ledger, sid, b, kw, t: ledger.update_action(
        session_id=sid,
        plan_id=b.plan_id,
        action_id=b.action_id,
        status=b.status,
        forum=b.forum,
        note=b.note,
        occurred_on=_on(b, t),
        **kw,
    ),
    s.ActionPlanClosedIn: lambda ledger, sid, b, kw, t: ledger.close_action_plan(
        session_id=sid, plan_id=b.plan_id, occurred_on=_on(b, t), **kw
    ),
    s.CostRecordedIn: lambda ledger, sid, b, kw, t: ledger.record_session_cost(
        session_id=sid,
        cost_id=b.cost_id,
        category=b.category,
        amount_pence=b.amount_pence,
        occurred_on=_on(b, t),
        **kw,
    ),
}


def _run(
    commands: dict[type[Any], Command],
    ledger: JourneyLedger,
    key: str,
    body: Any,
    actor: str,
    today: date,
    expected_version: int | None,
    request: RequestTicket | None,
) -> Recorded:
    options = {"actor": actor, "expected_version": expected_version, "request": request}
    return commands[type(body)](ledger, key, body, options, today)


def record_trainer_event(
    ledger: JourneyLedger,
    trainer_id: str,
    body: Any,
    *,
    actor: str,
    today: date,
    expected_version: int | None,
    request: RequestTicket | None,
) -> Recorded:
    """Run the command for ``body``'s trainer event type as ``actor``."""
    return _run(
        _TRAINER_COMMANDS, ledger, trainer_id, body, actor, today, expected_version, request
    )


def record_session_event(
    ledger: JourneyLedger,
    session_id: str,
    body: Any,
    *,
    actor: str,
    today: date,
    expected_version: int | None,
    request: RequestTicket | None,
) -> Recorded:
    """Run the command for ``body``'s session event type as ``actor``."""
    return _run(
        _SESSION_COMMANDS, ledger, session_id, body, actor, today, expected_version, request
    )
