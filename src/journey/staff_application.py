"""The staff-training commands of the ledger application: staff training sessions and the
workforce size per region (the NICE shared-learning document), on top of the trainer
commands of :mod:`journey.trainer_commands`.

The same shape as the participant commands: ids and values, keyword-only, the ``actor`` who
records, an optional ``expected_version`` (412 on another) and ``request`` ticket (a retried
write gets the first answer); each returns a :class:`~journey.views.Recorded` receipt. A
delivery is saved on the session's stream and on each delivering trainer's, in one
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from journey.errors import InvalidValue
from journey.requests import RequestTicket
from journey.staff_session import StaffSession
from journey.staff_values import (
    ActionForum,
    ActionStatus,
    CostCategory,
    Evaluation,
    Learner,
)
from journey.staff_views import StaffSessionView
from journey.trainer import Trainer
from journey.trainer_commands import TrainerCommands
from journey.views import Recorded
from journey.workforce import RegionWorkforce

__all__ = ["StaffTrainingCommands"]


class StaffTrainingCommands(TrainerCommands):
    """Trainers, staff training sessions and workforce sizes (see the module docstring)."""

    # -- staff training sessions -----------------------------------------------------------

    def plan_staff_session(
        self,
        *,
        session_id: str,
        session_date: date,
        region: str,
        venue: str,
        trainers: Sequence[str],
        learning_outcomes: Sequence[str],
        actor: str,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Plan a session; every trainer named must have been recruited."""
        for trainer_id in trainers:
            self._trainer(trainer_id)
        session = StaffSession.plan(
            session_id=session_id,
            session_date=session_date,
            region=region,
            venue=venue,
            trainers=trainers,
            learning_outcomes=learning_outcomes,
            recorded_by=actor,
        )
        return self._save_new(
            session, f"A staff training session with id {session_id!r} already exists.", request
        )

    def deliver_staff_session(
        self,
        *,
        session_id: str,
        occurred_on: date | None = None,
        trainers: Sequence[str] | None = None,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Record the session delivered (on its date, by its planned trainers unless others
        are named). Each trainer must be qualified: Train the Trainer completed by then, or a
        pilot trainer."""

        def decide(session: StaffSession, today: date) -> list[Trainer]:
            on = occurred_on or session.session_date
            names = session.deliver(
                trainers=session.trainers if trainers is None else trainers,
                occurred_on=on,
                today=today,
                recorded_by=actor,
            )
            delivering = [self._trainer(name) for name in names]
            for trainer in delivering:
                trainer.deliver(session_id=session.session_id, occurred_on=on, recorded_by=actor)
            return delivering

        return self._change(
            lambda: self._session(session_id),
            f"Session {session_id!r}",
            expected_version,
            request,
            decide,
        )

    def record_learners(
        self,
        *,
        session_id: str,
        learners: Sequence[Learner],
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Record who attended a delivered session (one or a whole register at once)."""
        if not learners:
            raise InvalidValue("learners", "name at least one learner")
        return self._session_change(
            session_id,
            expected_version,
            request,
            lambda s, today: s.attend(learners=learners, recorded_by=actor),
        )

    def submit_evaluations(
        self,
        *,
        session_id: str,
        evaluations: Sequence[Evaluation],
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Record evaluation forms: one per learner, only from learners who attended."""
        if not evaluations:
            raise InvalidValue("evaluations", "give at least one evaluation")
        return self._session_change(
            session_id,
            expected_version,
            request,
            lambda s, today: s.evaluate(
                evaluations=evaluations, occurred_on=occurred_on, today=today, recorded_by=actor
            ),
        )

    def agree_action_plan(
        self,
        *,
        session_id: str,
        plan_id: str,
        team: str,
        project: str,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        return self._session_change(
            session_id,
            expected_version,
            request,
            lambda s, today: s.agree_action_plan(
                plan_id=plan_id,
                team=team,
                project=project,
                occurred_on=occurred_on,
                today=today,
                recorded_by=actor,
            ),
        )

    def add_action(
        self,
        *,
        session_id: str,
        plan_id: str,
        action_id: str,
        description: str,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        return self._session_change(
            session_id,
            expected_version,
            request,
            lambda s, today: s.add_action(
                plan_id=plan_id,
                action_id=action_id,
                description=description,
                occurred_on=occurred_on,
                today=today,
                recorded_by=actor,
            ),
        )

    def update_action(
        self,
        *,
        session_id: str,
        plan_id: str,
        action_id: str,
        status: ActionStatus,
        forum: ActionForum,
        note: str | None = None,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Record an action's progress (in a team meeting or supervision); only while its
        plan is open, until it is done or dropped."""
        return self._session_change(
            session_id,
            expected_version,
            request,
            lambda s, today: s.update_action(
                plan_id=plan_id,
                action_id=action_id,
                status=status,
                forum=forum,
                note=note,
                occurred_on=occurred_on,
                today=today,
                recorded_by=actor,
            ),
        )

    def close_action_plan(
        self,
        *,
        session_id: str,
        plan_id: str,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        return self._session_change(
            session_id,
            expected_version,
            request,
            lambda s, today: s.close_action_plan(
                plan_id=plan_id, occurred_on=occurred_on, today=today, recorded_by=actor
            ),
        )

    def record_session_cost(
        self,
        *,
        session_id: str,
        cost_id: str,
        category: CostCategory,
        amount_pence: int,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Room hire, refreshments or another cost of the session (trainers' expenses are
        their claims naming the session)."""
        return self._session_change(
            session_id,
            expected_version,
            request,
            lambda s, today: s.record_cost(
                cost_id=cost_id,
                category=category,
                amount_pence=amount_pence,
                occurred_on=occurred_on,
                today=today,
                recorded_by=actor,
            ),
        )

    def get_staff_session(self, session_id: str) -> StaffSessionView:
        s = self._session(session_id)
        return StaffSessionView(
            session_id=s.session_id,
            version=s.version,
            session_date=s.session_date,
            region=s.region,
            venue=s.venue,
            trainers=s.trainers,
            learning_outcomes=s.learning_outcomes,
            delivered_on=s.delivered_on,
            delivered_by=s.delivered_by,
            learners=tuple(s.learners.values()),
            evaluations=len(s.evaluated),
            plans=tuple(s.plans.values()),
            costs=s.costs,
        )

    # -- workforce ----------------------------------------------------------------------------

    def record_workforce_size(
        self,
        *,
        region: str,
        size: int,
        occurred_on: date,
        actor: str,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Record the size of a region's workforce from ``occurred_on`` on (the region's
        stream starts with its first size)."""
        region_id = RegionWorkforce.id_for(region) if region.strip() else None
        if region_id is None:
            raise InvalidValue("region", "must not be empty")
        try:
            workforce = self._load(RegionWorkforce, region_id, LookupError(region))
        except LookupError:
            workforce = RegionWorkforce.register(region=region, recorded_by=actor)
        workforce.record_size(
            size=size, occurred_on=occurred_on, today=self._clock(), recorded_by=actor
        )
        return self._change(
            lambda: workforce, f"The workforce of {region!r}", None, request, lambda w, t: []
        )

    # -- internals ------------------------------------------------------------------------

    def _session_change(
        self,
        session_id: str,
        expected_version: int | None,
        request: RequestTicket | None,
        decide: Callable[[StaffSession, date], None],
    ) -> Recorded:
        def run(session: StaffSession, today: date) -> list[StaffSession]:
            decide(session, today)
            return []

        return self._change(
            lambda: self._session(session_id),
            f"Session {session_id!r}",
            expected_version,
            request,
            run,
        )
