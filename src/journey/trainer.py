"""A trainer: a service user recruited against a role description, trained by Train the
Trainer (or a pilot trainer), who delivers staff training sessions, is supported, and
claims expenses that must end reimbursed or rejected with a reason.

The stream's id derives from ``trainer_id`` (the same id cohorts name their trainers by), so
the store refuses a second recruitment of the same trainer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from journey import rules, staff_rules
from journey.aggregate import LedgerAggregate
from journey.staff_state import Claim, Support
from journey.staff_values import (
    EXPENSE_CATEGORIES,
    SUPPORT_KINDS,
    ExpenseCategory,
    SupportKind,
)
from journey.values import MAX_ID, require_member, require_text

__all__ = ["Trainer"]


def optional_text(field: str, value: str | None, max_length: int = 4000) -> str | None:
    if value is None or not value.strip():
        return None
    return require_text(field, value, max_length=max_length)


class Trainer(LedgerAggregate):
    """One trainer's record (see the module docstring)."""

    class Recruited(LedgerAggregate.Created):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"name"})
        trainer_id: str
        name: str | None
        role_description: str
        participant_id: UUID | None  # the person's journey, when a former participant
        pilot: bool
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.trainer_id = self.trainer_id
            aggregate.name = self.name
            aggregate.role_description = self.role_description
            aggregate.participant_id = self.participant_id
            aggregate.pilot = self.pilot
            aggregate.recruited_on = self.occurred_on
            aggregate.trained_on = None
            aggregate.train_the_trainer = None
            aggregate.sessions = ()
            aggregate.support = ()
            aggregate.claims = {}

    class TrainTheTrainerCompleted(LedgerAggregate.Event):
        programme_id: str
        cohort_id: str | None
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.trained_on = self.occurred_on
            aggregate.train_the_trainer = (self.programme_id, self.cohort_id)

    class SessionDelivered(LedgerAggregate.Event):
        session_id: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.sessions = (*aggregate.sessions, self.session_id)

    class SupportRecorded(LedgerAggregate.Event):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"notes"})
        kind: SupportKind
        notes: str | None
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.support = (
                *aggregate.support,
                Support(self.kind, self.occurred_on, self.notes),
            )

    class ExpenseClaimed(LedgerAggregate.Event):
        claim_id: str
        category: ExpenseCategory
        amount_pence: int
        session_id: str | None
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.claims[self.claim_id] = Claim(
                self.claim_id, self.category, self.amount_pence, self.session_id, self.occurred_on
            )

    class ExpenseApproved(LedgerAggregate.Event):
        claim_id: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            found = aggregate.claims[self.claim_id]
            aggregate.claims[self.claim_id] = replace(
                found, status="approved", decided_on=self.occurred_on
            )

    class ExpenseRejected(LedgerAggregate.Event):
        claim_id: str
        reason: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            found = aggregate.claims[self.claim_id]
            aggregate.claims[self.claim_id] = replace(
                found, status="rejected", decided_on=self.occurred_on, reason=self.reason
            )

    class ExpenseReimbursed(LedgerAggregate.Event):
        claim_id: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            found = aggregate.claims[self.claim_id]
            aggregate.claims[self.claim_id] = replace(
                found, status="reimbursed", reimbursed_on=self.occurred_on
            )

    trainer_id: str
    name: str | None
    role_description: str
    participant_id: UUID | None
    pilot: bool
    recruited_on: date
    trained_on: date | None
    train_the_trainer: tuple[str, str | None] | None
    sessions: tuple[str, ...]
    support: tuple[Support, ...]
    claims: dict[str, Claim]

    def __init__(self) -> None:
        """State is set by :class:`Recruited`."""

    @staticmethod
    def id_for(trainer_id: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"journey-ledger:trainer:{trainer_id}")

    # -- decisions -----------------------------------------------------------------------

    @classmethod
    def recruit(
        cls,
        *,
        trainer_id: str,
        role_description: str,
        recruited_on: date,
        today: date,
        pilot: bool = False,
        participant_id: UUID | None = None,
        name: str | None = None,
        recorded_by: str,
    ) -> Trainer:
        trainer_id = require_text("trainer_id", trainer_id, max_length=MAX_ID)
        role_description = require_text("role_description", role_description)
        rules.not_in_future(recruited_on, today)
        return cls._create(
            cls.Recruited,
            id=cls.id_for(trainer_id),
            recorded_by=recorded_by,
            trainer_id=trainer_id,
            name=optional_text("name", name, 200),
            role_description=role_description,
            participant_id=participant_id,
            pilot=bool(pilot),
            occurred_on=recruited_on,
        )

    def complete_train_the_trainer(
        self,
        *,
        programme_id: str,
        cohort_id: str | None,
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        rules.not_in_future(occurred_on, today)
        staff_rules.not_before(occurred_on, self.recruited_on, "the recruitment")
        staff_rules.not_trained_already(self.trainer_id, self.trained_on)
        self.trigger_event(
            self.TrainTheTrainerCompleted,
            recorded_by=recorded_by,
            programme_id=programme_id,
            cohort_id=cohort_id,
            occurred_on=occurred_on,
        )

    def deliver(self, *, session_id: str, occurred_on: date, recorded_by: str) -> None:
        """Record a delivered session (the session's own stream checks its date)."""
        staff_rules.qualified_to_deliver(
            self.trainer_id,
            pilot=self.pilot,
            recruited_on=self.recruited_on,
            trained_on=self.trained_on,
            on=occurred_on,
        )
        self.trigger_event(
            self.SessionDelivered,
            recorded_by=recorded_by,
            session_id=session_id,
            occurred_on=occurred_on,
        )

    def record_support(
        self,
        *,
        kind: SupportKind,
        notes: str | None,
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        require_member("kind", kind, SUPPORT_KINDS)
        rules.not_in_future(occurred_on, today)
        staff_rules.not_before(occurred_on, self.recruited_on, "the recruitment")
        self.trigger_event(
            self.SupportRecorded,
            recorded_by=recorded_by,
            kind=kind,
            notes=optional_text("notes", notes),
            occurred_on=occurred_on,
        )

    def claim_expense(
        self,
        *,
        claim_id: str,
        category: ExpenseCategory,
        amount_pence: int,
        session_id: str | None,
        occurred_on: date,
        today: date,
        recorded_by: str,
    ) -> None:
        claim_id = require_text("claim_id", claim_id, max_length=MAX_ID)
        require_member("category", category, EXPENSE_CATEGORIES)
        staff_rules.amount(amount_pence)
        rules.not_in_future(occurred_on, today)
        staff_rules.new_claim(self.claims, claim_id)
        self.trigger_event(
            self.ExpenseClaimed,
            recorded_by=recorded_by,
            claim_id=claim_id,
            category=category,
            amount_pence=amount_pence,
            session_id=session_id,
            occurred_on=occurred_on,
        )

    def approve_expense(
        self, *, claim_id: str, occurred_on: date, today: date, recorded_by: str
    ) -> None:
        found = staff_rules.claim(self.claims, claim_id)
        staff_rules.undecided(found)
        self._dated(found, occurred_on, today)
        self.trigger_event(
            self.ExpenseApproved,
            recorded_by=recorded_by,
            claim_id=claim_id,
            occurred_on=occurred_on,
        )

    def reject_expense(
        self, *, claim_id: str, reason: str, occurred_on: date, today: date, recorded_by: str
    ) -> None:
        found = staff_rules.claim(self.claims, claim_id)
        staff_rules.undecided(found)
        reason = require_text("reason", reason, max_length=1000)
        self._dated(found, occurred_on, today)
        self.trigger_event(
            self.ExpenseRejected,
            recorded_by=recorded_by,
            claim_id=claim_id,
            reason=reason,
            occurred_on=occurred_on,
        )

    def reimburse_expense(
        self, *, claim_id: str, occurred_on: date, today: date, recorded_by: str
    ) -> None:
        found = staff_rules.claim(self.claims, claim_id)
        staff_rules.reimbursable(found)
        self._dated(found, occurred_on, today)
        if found.decided_on is not None:
            staff_rules.not_before(occurred_on, found.decided_on, "the approval")
        self.trigger_event(
            self.ExpenseReimbursed,
            recorded_by=recorded_by,
            claim_id=claim_id,
            occurred_on=occurred_on,
        )

    @staticmethod
    def _dated(found: Claim, occurred_on: date, today: date) -> None:
        rules.not_in_future(occurred_on, today)
        staff_rules.not_before(occurred_on, found.claimed_on, "the claim")
