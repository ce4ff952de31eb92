"""The staff-training commands of the ledger application: trainers, staff training sessions
and the workforce size per region (the NICE shared-learning document).

The same shape as the participant commands: ids and values, keyword-only, the ``actor`` who
records, an optional ``expected_version`` (412 on another) and ``request`` ticket (a retried
write gets the first answer); each returns a :class:`~journey.views.Recorded` receipt. A
delivery is saved on the session's stream and on each delivering trainer's, in one
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from uuid import UUID

from journey.errors import (
    CohortNotFound,
    InvalidValue,
    ParticipantNotFound,
    ProgrammeNotFound,
    StaffSessionNotFound,
    TrainerNotFound,
)
from journey.ledger_base import LedgerBase
from journey.participant import Participant
from journey.programme import Cohort, Programme
from journey.requests import RequestTicket
from journey.staff_session import StaffSession
from journey.staff_values import (
    ActionForum,
    ActionStatus,
    CostCategory,
    Evaluation,
    ExpenseCategory,
    Learner,
    SupportKind,
)
from journey.staff_views import StaffSessionView, TrainerView
from journey.trainer import Trainer
from journey.views import Recorded
from journey.workforce import RegionWorkforce

__all__ = ["StaffTrainingCommands"]


class StaffTrainingCommands(LedgerBase):
    """Trainers, staff training sessions and workforce sizes (see the module docstring)."""

    # -- trainers -----------------------------------------------------------------------------

    def recruit_trainer(
        self,
        *,
        trainer_id: str,
        role_description: str,
        recruited_on: date,
        pilot: bool = False,
        participant_id: UUID | None = None,
        name: str | None = None,
        actor: str,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Recruit a trainer against a role description; ``participant_id`` links the
        person's journey when they are a former participant; ``pilot`` marks a pilot trainer
        (who may deliver without Train the Trainer)."""
        if participant_id is not None:
            first = list(self.events.get(participant_id, limit=1))
            if not first or not isinstance(first[0], Participant.Registered):
                raise ParticipantNotFound(participant_id)
        trainer = Trainer.recruit(
            trainer_id=trainer_id,
            role_description=role_description,
            recruited_on=recruited_on,
            today=self._clock(),
            pilot=pilot,
            participant_id=participant_id,
            name=name,
            recorded_by=actor,
        )
        return self._save_new(trainer, f"A trainer with id {trainer_id!r} already exists.", request)

    def complete_train_the_trainer(
        self,
        *,
        trainer_id: str,
        programme_id: str,
        cohort_id: str | None = None,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Train the Trainer is a programme like any other: name it (and the cohort run)."""
        self._load(Programme, Programme.id_for(programme_id), ProgrammeNotFound(programme_id))
        if cohort_id is not None:
            cohort = self._load(Cohort, Cohort.id_for(cohort_id), CohortNotFound(cohort_id))
            if cohort.programme_id != programme_id:
                raise InvalidValue(
                    "cohort_id", f"cohort {cohort_id!r} is a run of {cohort.programme_id!r}"
                )
        return self._trainer_change(
            trainer_id,
            expected_version,
            request,
            lambda t, today: t.complete_train_the_trainer(
                programme_id=programme_id,
                cohort_id=cohort_id,
                occurred_on=occurred_on,
                today=today,
                recorded_by=actor,
            ),
        )

    def record_trainer_support(
        self,
        *,
        trainer_id: str,
        kind: SupportKind,
        notes: str | None = None,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        return self._trainer_change(
            trainer_id,
            expected_version,
            request,
            lambda t, today: t.record_support(
                kind=kind, notes=notes, occurred_on=occurred_on, today=today, recorded_by=actor
            ),
        )

    def claim_expense(
        self,
        *,
        trainer_id: str,
        claim_id: str,
        category: ExpenseCategory,
        amount_pence: int,
        session_id: str | None = None,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        if session_id is not None:
            self._session(session_id)
        return self._trainer_change(
            trainer_id,
            expected_version,
            request,
            lambda t, today: t.claim_expense(
                claim_id=claim_id,
                category=category,
                amount_pence=amount_pence,
                session_id=session_id,
                occurred_on=occurred_on,
                today=today,
                recorded_by=actor,
            ),
        )

    def approve_expense(
        self,
        *,
        trainer_id: str,
        claim_id: str,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        return self._trainer_change(
            trainer_id,
            expected_version,
            request,
            lambda t, today: t.approve_expense(
                claim_id=claim_id, occurred_on=occurred_on, today=today, recorded_by=actor
            ),
        )

    def reject_expense(
        self,
        *,
        trainer_id: str,
        claim_id: str,
        reason: str,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        return self._trainer_change(
            trainer_id,
            expected_version,
            request,
            lambda t, today: t.reject_expense(
                claim_id=claim_id,
                reason=reason,
                occurred_on=occurred_on,
                today=today,
                recorded_by=actor,
            ),
        )

    def reimburse_expense(
        self,
        *,
        trainer_id: str,
        claim_id: str,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        return self._trainer_change(
            trainer_id,
            expected_version,
            request,
            lambda t, today: t.reimburse_expense(
                claim_id=claim_id, occurred_on=occurred_on, today=today, recorded_by=actor
            ),
        )

    def get_trainer(self, trainer_id: str) -> TrainerView:
        t = self._trainer(trainer_id)
        programme, cohort = t.train_the_trainer or (None, None)
        return TrainerView(
            trainer_id=t.trainer_id,
            version=t.version,
            name=t.name,
            role_description=t.role_description,
            participant_id=t.participant_id,
            pilot=t.pilot,
            recruited_on=t.recruited_on,
            trained_on=t.trained_on,
            train_the_trainer_programme=programme,
            train_the_trainer_cohort=cohort,
            sessions=t.sessions,
            support=t.support,
            claims=tuple(t.claims.values()),
        )

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

    def _trainer(self, trainer_id: str) -> Trainer:
        return self._load(Trainer, Trainer.id_for(trainer_id), TrainerNotFound(trainer_id))

    def _session(self, session_id: str) -> StaffSession:
        return self._load(
            StaffSession, StaffSession.id_for(session_id), StaffSessionNotFound(session_id)
        )

    def _trainer_change(
        self,
        trainer_id: str,
        expected_version: int | None,
        request: RequestTicket | None,
        decide: Callable[[Trainer, date], None],
    ) -> Recorded:
        def run(trainer: Trainer, today: date) -> list[Trainer]:
            decide(trainer, today)
            return []

        return self._change(
            lambda: self._trainer(trainer_id),
            f"Trainer {trainer_id!r}",
            expected_version,
            request,
            run,
        )

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
