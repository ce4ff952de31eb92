"""A staff training session: planned (date, region, venue, trainers, learning outcomes),
delivered, attended by learners (staff or service users), evaluated once per learner, followed
by project-based action plans owned by staff teams, and costed.

The stream's id derives from ``session_id``. Action plans live on the session's stream: their
actions are updated over the following months (in team meetings and supervision) until done
or dropped, and only while the plan is open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from journey import rules, staff_rules
from journey.aggregate import LedgerAggregate
from journey.errors import InvalidValue
from journey.staff_state import Action, ActionPlan, SessionCost
from journey.staff_values import (
    ACTION_FORUMS,
    ACTION_STATUSES,
    COST_CATEGORIES,
    LEARNER_ROLES,
    ActionForum,
    ActionStatus,
    CostCategory,
    Evaluation,
    Learner,
    LearnerRole,
)
from journey.trainer import optional_text
from journey.values import MAX_ID, require_member, require_text

__all__ = ["StaffSession"]


def _ids(field: str, values: Sequence[str]) -> tuple[str, ...]:
    ids = tuple(require_text(field, v, max_length=MAX_ID) for v in values)
    if not ids:
        raise InvalidValue(field, "must name at least one")
    if len(set(ids)) != len(ids):
        raise InvalidValue(field, "must not repeat")
    return ids


class StaffSession(LedgerAggregate):
    """One staff training session (see the module docstring)."""

    class Planned(LedgerAggregate.Created):
        session_id: str
        session_date: date
        region: str
        venue: str
        trainers: tuple[str, ...]
        learning_outcomes: tuple[str, ...]

        def apply(self, aggregate: Any) -> None:
            aggregate.session_id = self.session_id
            aggregate.session_date = self.session_date
            aggregate.region = self.region
            aggregate.venue = self.venue
            aggregate.trainers = tuple(self.trainers)
            aggregate.learning_outcomes = tuple(self.learning_outcomes)
            aggregate.delivered_on = None
            aggregate.delivered_by = ()
            aggregate.learners = {}
            aggregate.evaluated = set()
            aggregate.plans = {}
            aggregate.costs = ()

    class Delivered(LedgerAggregate.Event):
        trainers: tuple[str, ...]
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.delivered_on = self.occurred_on
            aggregate.delivered_by = tuple(self.trainers)

    class LearnerAttended(LedgerAggregate.Event):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"name"})
        learner_id: str
        role: LearnerRole
        team: str | None
        region: str
        name: str | None
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.learners[self.learner_id] = Learner(
                self.learner_id, self.role, self.region, self.team, self.name
            )

    class EvaluationSubmitted(LedgerAggregate.Event):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"more_of", "less_of", "stop_doing"})
        learner_id: str
        rating: int
        outcome_ratings: tuple[int, ...]
        more_of: str | None
        less_of: str | None
        stop_doing: str | None
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.evaluated.add(self.learner_id)

    class ActionPlanAgreed(LedgerAggregate.Event):
        plan_id: str
        team: str
        project: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.plans[self.plan_id] = ActionPlan(
                self.plan_id, self.team, self.project, self.occurred_on
            )

    class ActionAdded(LedgerAggregate.Event):
        plan_id: str
        action_id: str
        description: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            plan = aggregate.plans[self.plan_id]
            action = Action(self.action_id, self.description, self.occurred_on)
            aggregate.plans[self.plan_id] = plan.with_action(action)

    class ActionProgressed(LedgerAggregate.Event):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"note"})
        plan_id: str
        action_id: str
        status: ActionStatus
        forum: ActionForum
        note: str | None
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            plan = aggregate.plans[self.plan_id]
            action = plan.action(self.action_id)
            updated = replace(
                action,
                status=self.status,
                forum=self.forum,
                updated_on=self.occurred_on,
                updates=action.updates + 1,
            )
            aggregate.plans[self.plan_id] = plan.with_action(updated)

    class ActionPlanClosed(LedgerAggregate.Event):
        plan_id: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            plan = aggregate.plans[self.plan_id]
            aggregate.plans[self.plan_id] = replace(plan, closed_on=self.occurred_on)

    class CostRecorded(LedgerAggregate.Event):
        cost_id: str
        category: CostCategory
        amount_pence: int
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            cost = SessionCost(self.cost_id, self.category, self.amount_pence, self.occurred_on)
            aggregate.costs = (*aggregate.costs, cost)

    session_id: str
    session_date: date
    region: str
    venue: str
    trainers: tuple[str, ...]
    learning_outcomes: tuple[str, ...]
    delivered_on: date | None
    delivered_by: tuple[str, ...]
    learners: dict[str, Learner]
    evaluated: set[str]
    plans: dict[str, ActionPlan]
    costs: tuple[SessionCost, ...]

    def __init__(self) -> None:
        """State is set by :class:`Planned`."""

    @staticmethod
    def id_for(session_id: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"journey-ledger:staff-session:{session_id}")

    # -- decisions -----------------------------------------------------------------------

    @classmethod
    def plan(
        cls,
        *,
        session_id: str,
        session_date: date,
        region: str,
        venue: str,
        trainers: Sequence[str],
        learning_outcomes: Sequence[str],
        recorded_by: str,
    ) -> StaffSession:
        session_id = require_text("session_id", session_id, max_length=MAX_ID)
        outcomes = tuple(
            require_text("learning_outcomes", o, max_length=500) for o in learning_outcomes
        )
        if not outcomes:
            raise InvalidValue("learning_outcomes", "a session needs at least one learning outcome")
        if len(outcomes) > 20:
            raise InvalidValue("learning_outcomes", "at most 20")
        return cls._create(
            cls.Planned,
            id=cls.id_for(session_id),
            recorded_by=recorded_by,
            session_id=session_id,
            session_date=session_date,
            region=require_text("region", region, max_length=100),
            venue=require_text("venue", venue, max_length=200),
            trainers=_ids("trainers", trainers),
            learning_outcomes=outcomes,
        )

    def deliver(
        self, *, trainers: Sequence[str], occurred_on: date, today: date, recorded_by: str
    ) -> tuple[str, ...]:
        """Record the delivery by ``trainers``; return them (each trainer's own stream records
        it too, after checking they may deliver)."""
        rules.not_in_future(occurred_on, today)
        staff_rules.not_delivered(self.session_id, self.delivered_on)
        staff_rules.on_session_date(self.session_id, self.session_date, occurred_on)
        names = _ids("trainers", trainers)
        self.trigger_event(
            self.Delivered, recorded_by=recorded_by, trainers=names, occurred_on=occurred_on
        )
        return names

    def attend(self, *, learners: Sequence[Learner], recorded_by: str) -> None:
        on = staff_rules.delivered(self.session_id, self.delivered_on)
        seen: dict[str, object] = dict(self.learners)
        checked: list[Learner] = []
        for learner in learners:
            learner_id = require_text("learner_id", learner.learner_id, max_length=MAX_ID)
            require_member("role", learner.role, LEARNER_ROLES)
            staff_rules.learner_not_recorded(self.session_id, seen, learner_id)
            seen[learner_id] = learner
            checked.append(
                Learner(
                    learner_id,
                    learner.role,
                    require_text("region", learner.region, max_length=100),
                    optional_text("team", learner.team, 100),
                    optional_text("name", learner.name, 200),
                )
            )
        for learner in checked:
            self.trigger_event(
                self.LearnerAttended,
                recorded_by=recorded_by,
                learner_id=learner.learner_id,
                role=learner.role,
                team=learner.team,
                region=learner.region,
                name=learner.name,
                occurred_on=on,
            )

    def evaluate(
        self,
        *,
        evaluations: Sequence[Evaluation],
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        on = staff_rules.delivered(self.session_id, self.delivered_on)
        rules.not_in_future(occurred_on, today)
        staff_rules.not_before(occurred_on, on, "the session")
        evaluated = set(self.evaluated)
        for form in evaluations:
            staff_rules.attended(self.session_id, self.learners, form.learner_id)
            staff_rules.not_evaluated(evaluated, form.learner_id)
            staff_rules.ratings(
                form.rating, tuple(form.outcome_ratings), len(self.learning_outcomes)
            )
            evaluated.add(form.learner_id)
        for form in evaluations:
            self.trigger_event(
                self.EvaluationSubmitted,
                recorded_by=recorded_by,
                learner_id=form.learner_id,
                rating=form.rating,
                outcome_ratings=tuple(form.outcome_ratings),
                more_of=optional_text("more_of", form.more_of),
                less_of=optional_text("less_of", form.less_of),
                stop_doing=optional_text("stop_doing", form.stop_doing),
                occurred_on=occurred_on,
            )

    def agree_action_plan(
        self,
        *,
        plan_id: str,
        team: str,
        project: str,
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        on = staff_rules.delivered(self.session_id, self.delivered_on)
        plan_id = require_text("plan_id", plan_id, max_length=MAX_ID)
        rules.not_in_future(occurred_on, today)
        staff_rules.not_before(occurred_on, on, "the session")
        staff_rules.new_plan(self.plans, plan_id)
        self.trigger_event(
            self.ActionPlanAgreed,
            recorded_by=recorded_by,
            plan_id=plan_id,
            team=require_text("team", team, max_length=100),
            project=require_text("project", project, max_length=1000),
            occurred_on=occurred_on,
        )

    def add_action(
        self,
        *,
        plan_id: str,
        action_id: str,
        description: str,
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        plan = staff_rules.open_plan(self.plans, plan_id)
        action_id = require_text("action_id", action_id, max_length=MAX_ID)
        rules.not_in_future(occurred_on, today)
        staff_rules.not_before(occurred_on, plan.agreed_on, "the plan was agreed")
        staff_rules.new_action(plan, action_id)
        self.trigger_event(
            self.ActionAdded,
            recorded_by=recorded_by,
            plan_id=plan_id,
            action_id=action_id,
            description=require_text("description", description, max_length=1000),
            occurred_on=occurred_on,
        )

    def update_action(
        self,
        *,
        plan_id: str,
        action_id: str,
        status: ActionStatus,
        forum: ActionForum,
        note: str | None,
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        plan = staff_rules.open_plan(self.plans, plan_id)
        action = staff_rules.unfinished_action(plan, action_id)
        require_member("status", status, ACTION_STATUSES)
        require_member("forum", forum, ACTION_FORUMS)
        rules.not_in_future(occurred_on, today)
        staff_rules.not_before(occurred_on, action.updated_on or action.added_on, "its last update")
        self.trigger_event(
            self.ActionProgressed,
            recorded_by=recorded_by,
            plan_id=plan_id,
            action_id=action_id,
            status=status,
            forum=forum,
            note=optional_text("note", note),
            occurred_on=occurred_on,
        )

    def close_action_plan(
        self, *, plan_id: str, occurred_on: date, today: date, recorded_by: str
    ) -> None:
        plan = staff_rules.open_plan(self.plans, plan_id)
        staff_rules.every_action_finished(plan)
        rules.not_in_future(occurred_on, today)
        staff_rules.not_before(occurred_on, plan.last_recorded_on, "the plan's last update")
        self.trigger_event(
            self.ActionPlanClosed, recorded_by=recorded_by, plan_id=plan_id, occurred_on=occurred_on
        )

    def record_cost(
        self,
        *,
        cost_id: str,
        category: CostCategory,
        amount_pence: int,
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        cost_id = require_text("cost_id", cost_id, max_length=MAX_ID)
        require_member("category", category, COST_CATEGORIES)
        staff_rules.amount(amount_pence)
        rules.not_in_future(occurred_on, today)
        if any(c.cost_id == cost_id for c in self.costs):
            raise InvalidValue("cost_id", f"cost {cost_id!r} is already recorded")
        self.trigger_event(
            self.CostRecorded,
            recorded_by=recorded_by,
            cost_id=cost_id,
            category=category,
            amount_pence=amount_pence,
            occurred_on=occurred_on,
        )
