"""The trainer commands of the ledger application (the NICE shared-learning document):
recruitment against a role description, Train the Trainer, support, and expense claims that
end reimbursed (once, after approval) or rejected with a reason.

The same shape as the participant commands: ids and values, keyword-only, the ``actor`` who
records, an optional ``expected_version`` (412 on another) and ``request`` ticket (a retried
write gets the first answer); each returns a :class:`~journey.views.Recorded` receipt.
"""

from __future__ import annotations

from collections.abc import Callable
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
from journey.staff_values import ExpenseCategory, SupportKind
from journey.staff_views import TrainerView
from journey.trainer import Trainer
from journey.views import Recorded

__all__ = ["TrainerCommands"]


class TrainerCommands(LedgerBase):
    """Trainers' records, and loading trainers and sessions by their natural ids."""

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
