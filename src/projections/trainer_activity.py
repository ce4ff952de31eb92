"""Trainer activity and expenses outstanding.

Activity: per trainer, sessions delivered and co-facilitated, support received, whether a
pilot trainer or a former participant; overall, the sessions delivered and how many were
co-facilitated by a former participant. Expenses: every claim not yet reimbursed or rejected,
with its age, so that nobody is left out of pocket unnoticed.

Reads: Trainer.Recruited, TrainTheTrainerCompleted, SessionDelivered, SupportRecorded,
ExpenseClaimed, ExpenseApproved, ExpenseRejected, ExpenseReimbursed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import Boolean, Column, Date, Engine, Integer, MetaData, String, Table, select

from journey.trainer import Trainer
from projections.projection import Projection
from projections.rows import Rows

__all__ = [
    "ExpensesOutstanding",
    "OpenClaim",
    "TrainerActivity",
    "TrainerActivityProjection",
    "TrainerRow",
    "expenses_outstanding",
    "trainer_activity",
]

metadata = MetaData()
trainer_table = Table(
    "activity_trainer",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("trainer_id", String(100), nullable=False, unique=True),
    Column("pilot", Boolean, nullable=False),
    Column("former_participant", Boolean, nullable=False),
    Column("recruited_on", Date, nullable=False),
    Column("trained_on", Date, nullable=True),
    Column("support", Integer, nullable=False),
)
delivery_table = Table(
    "activity_delivery",
    metadata,
    Column("session_id", String(100), primary_key=True),
    Column("trainer_id", String(100), primary_key=True),
    Column("delivered_on", Date, nullable=False),
)
claim_table = Table(
    "activity_claim",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("claim_id", String(100), primary_key=True),
    Column("trainer_id", String(100), nullable=False),
    Column("category", String(20), nullable=False),
    Column("amount_pence", Integer, nullable=False),
    Column("session_id", String(100), nullable=True),
    Column("claimed_on", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("decided_on", Date, nullable=True),
    Column("reimbursed_on", Date, nullable=True),
)


class TrainerActivityProjection(Projection):
    name = "trainer_activity"
    metadata: ClassVar[MetaData] = metadata
    event_classes = (
        Trainer.Recruited,
        Trainer.TrainTheTrainerCompleted,
        Trainer.SessionDelivered,
        Trainer.SupportRecorded,
        Trainer.ExpenseClaimed,
        Trainer.ExpenseApproved,
        Trainer.ExpenseRejected,
        Trainer.ExpenseReimbursed,
    )

    def apply(self, event: Any, position: int, rows: Rows) -> None:
        stream = str(event.originator_id)
        if isinstance(event, Trainer.Recruited):
            rows.put(
                trainer_table,
                {
                    "stream_id": stream,
                    "trainer_id": event.trainer_id,
                    "pilot": event.pilot,
                    "former_participant": event.participant_id is not None,
                    "recruited_on": event.occurred_on,
                    "trained_on": None,
                    "support": 0,
                },
            )
            return
        trainer = rows.require(trainer_table, stream, position=position)
        if isinstance(event, Trainer.TrainTheTrainerCompleted):
            rows.put(trainer_table, {**trainer, "trained_on": event.occurred_on})
        elif isinstance(event, Trainer.SupportRecorded):
            rows.put(trainer_table, {**trainer, "support": trainer["support"] + 1})
        elif isinstance(event, Trainer.SessionDelivered):
            rows.put(
                delivery_table,
                {
                    "session_id": event.session_id,
                    "trainer_id": trainer["trainer_id"],
                    "delivered_on": event.occurred_on,
                },
            )
        elif isinstance(event, Trainer.ExpenseClaimed):
            rows.put(
                claim_table,
                {
                    "stream_id": stream,
                    "claim_id": event.claim_id,
                    "trainer_id": trainer["trainer_id"],
                    "category": event.category,
                    "amount_pence": event.amount_pence,
                    "session_id": event.session_id,
                    "claimed_on": event.occurred_on,
                    "status": "claimed",
                    "decided_on": None,
                    "reimbursed_on": None,
                },
            )
        else:
            claim = dict(rows.require(claim_table, stream, event.claim_id, position=position))
            if isinstance(event, Trainer.ExpenseReimbursed):
                claim.update(status="reimbursed", reimbursed_on=event.occurred_on)
            else:
                approved = isinstance(event, Trainer.ExpenseApproved)
                claim.update(
                    status="approved" if approved else "rejected", decided_on=event.occurred_on
                )
            rows.put(claim_table, claim)


@dataclass(frozen=True)
class TrainerRow:
    trainer_id: str
    pilot: bool
    former_participant: bool
    recruited_on: date
    trained_on: date | None
    sessions_delivered: int
    co_facilitated: int  # sessions delivered with at least one other trainer
    support: int  # one-to-one support and supervision sessions recorded


@dataclass(frozen=True)
class TrainerActivity:
    trainers: tuple[TrainerRow, ...]
    sessions_delivered: int
    sessions_with_former_participant: int  # co-facilitation by former participants
    former_participant_trainers: int


def trainer_activity(engine: Engine) -> TrainerActivity:
    with engine.connect() as conn:
        trainers = (
            conn.execute(select(trainer_table).order_by(trainer_table.c.trainer_id))
            .mappings()
            .all()
        )
        deliveries = conn.execute(select(delivery_table)).mappings().all()
    by_session: dict[str, set[str]] = defaultdict(set)
    for d in deliveries:
        by_session[d["session_id"]].add(d["trainer_id"])
    former = {t["trainer_id"] for t in trainers if t["former_participant"]}
    rows = tuple(
        TrainerRow(
            trainer_id=t["trainer_id"],
            pilot=bool(t["pilot"]),
            former_participant=bool(t["former_participant"]),
            recruited_on=t["recruited_on"],
            trained_on=t["trained_on"],
            sessions_delivered=sum(t["trainer_id"] in who for who in by_session.values()),
            co_facilitated=sum(
                t["trainer_id"] in who and len(who) > 1 for who in by_session.values()
            ),
            support=int(t["support"]),
        )
        for t in trainers
    )
    return TrainerActivity(
        trainers=rows,
        sessions_delivered=len(by_session),
        sessions_with_former_participant=sum(bool(who & former) for who in by_session.values()),
        former_participant_trainers=len(former),
    )


@dataclass(frozen=True)
class OpenClaim:
    trainer_id: str
    claim_id: str
    status: str  # claimed (awaiting a decision) or approved (awaiting payment)
    category: str
    amount_pence: int
    session_id: str | None
    claimed_on: date
    age_days: int


@dataclass(frozen=True)
class ExpensesOutstanding:
    """Claims not yet reimbursed or rejected (oldest first), and every claim's end."""

    today: date
    open_claims: tuple[OpenClaim, ...]
    open_pence: int
    oldest_days: int | None
    claims_by_status: dict[str, int]
    reimbursed_pence: int


def expenses_outstanding(engine: Engine, *, today: date) -> ExpensesOutstanding:
    with engine.connect() as conn:
        claims = conn.execute(select(claim_table)).mappings().all()
    open_claims = sorted(
        (
            OpenClaim(
                trainer_id=c["trainer_id"],
                claim_id=c["claim_id"],
                status=c["status"],
                category=c["category"],
                amount_pence=int(c["amount_pence"]),
                session_id=c["session_id"],
                claimed_on=c["claimed_on"],
                age_days=(today - c["claimed_on"]).days,
            )
            for c in claims
            if c["status"] in ("claimed", "approved")
        ),
        key=lambda c: (-c.age_days, c.trainer_id, c.claim_id),
    )
    statuses = ("claimed", "approved", "reimbursed", "rejected")
    return ExpensesOutstanding(
        today=today,
        open_claims=tuple(open_claims),
        open_pence=sum(c.amount_pence for c in open_claims),
        oldest_days=open_claims[0].age_days if open_claims else None,
        claims_by_status={s: sum(c["status"] == s for c in claims) for s in statuses},
        reimbursed_pence=sum(int(c["amount_pence"]) for c in claims if c["status"] == "reimbursed"),
    )
