"""Cost per learner: each staff training session's own costs (room hire, refreshments,
other) and its trainers' expenses (claims naming the session: approved or reimbursed count,
claims awaiting a decision are shown apart, rejected ones not at all), over its learners.

Reads: StaffSession.Planned, LearnerAttended, CostRecorded; Trainer.ExpenseClaimed,
ExpenseApproved, ExpenseRejected (a reimbursement changes no total: it was counted when
approved).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import Column, Date, Engine, Integer, MetaData, String, Table, select

from journey.staff_session import StaffSession
from journey.trainer import Trainer
from projections.projection import Projection
from projections.rows import Rows

__all__ = ["CostReport", "SessionCostRow", "StaffCostsProjection", "cost_per_learner"]

metadata = MetaData()
session_table = Table(
    "cost_session",
    metadata,
    Column("session_id", String(100), primary_key=True),
    Column("stream_id", String(36), nullable=False, unique=True),
    Column("session_date", Date, nullable=False),
    Column("region", String(100), nullable=False),
    Column("learners", Integer, nullable=False),
    Column("session_pence", Integer, nullable=False),
    Column("expenses_pence", Integer, nullable=False),
    Column("pending_pence", Integer, nullable=False),
)
stream_table = Table(
    "cost_stream",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("session_id", String(100), nullable=False),
)
claim_table = Table(
    "cost_claim",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("claim_id", String(100), primary_key=True),
    Column("session_id", String(100), nullable=False),
    Column("amount_pence", Integer, nullable=False),
)


class StaffCostsProjection(Projection):
    name = "staff_costs"
    metadata: ClassVar[MetaData] = metadata
    event_classes = (
        StaffSession.Planned,
        StaffSession.LearnerAttended,
        StaffSession.CostRecorded,
        Trainer.ExpenseClaimed,
        Trainer.ExpenseApproved,
        Trainer.ExpenseRejected,
    )

    def apply(self, event: Any, position: int, rows: Rows) -> None:
        stream = str(event.originator_id)
        if isinstance(event, StaffSession.Planned):
            rows.put(stream_table, {"stream_id": stream, "session_id": event.session_id})
            rows.put(
                session_table,
                {
                    "session_id": event.session_id,
                    "stream_id": stream,
                    "session_date": event.session_date,
                    "region": event.region,
                    "learners": 0,
                    "session_pence": 0,
                    "expenses_pence": 0,
                    "pending_pence": 0,
                },
            )
        elif isinstance(event, StaffSession.LearnerAttended | StaffSession.CostRecorded):
            session_id = rows.require(stream_table, stream, position=position)["session_id"]
            session = dict(rows.require(session_table, session_id, position=position))
            if isinstance(event, StaffSession.LearnerAttended):
                session["learners"] += 1
            else:
                session["session_pence"] += event.amount_pence
            rows.put(session_table, session)
        elif isinstance(event, Trainer.ExpenseClaimed):
            if event.session_id is None:
                return  # not a cost of a session
            rows.put(
                claim_table,
                {
                    "stream_id": stream,
                    "claim_id": event.claim_id,
                    "session_id": event.session_id,
                    "amount_pence": event.amount_pence,
                },
            )
            session = dict(rows.require(session_table, event.session_id, position=position))
            session["pending_pence"] += event.amount_pence
            rows.put(session_table, session)
        else:
            claim = rows.get(claim_table, stream, event.claim_id)
            if claim is None:
                return  # a claim naming no session
            session = dict(rows.require(session_table, claim["session_id"], position=position))
            session["pending_pence"] -= claim["amount_pence"]
            if isinstance(event, Trainer.ExpenseApproved):
                session["expenses_pence"] += claim["amount_pence"]
            rows.put(session_table, session)


@dataclass(frozen=True)
class SessionCostRow:
    session_id: str
    session_date: date
    region: str
    learners: int
    session_pence: int  # room hire, refreshments, other
    trainer_expenses_pence: int  # approved or reimbursed claims naming the session
    pending_expenses_pence: int  # claims awaiting a decision (not in the total)
    total_pence: int
    per_learner_pence: int | None  # total / learners, rounded; None without learners


@dataclass(frozen=True)
class CostReport:
    sessions: tuple[SessionCostRow, ...]
    learners: int
    total_pence: int
    per_learner_pence: int | None


def cost_per_learner(engine: Engine) -> CostReport:
    with engine.connect() as conn:
        sessions = (
            conn.execute(
                select(session_table).order_by(
                    session_table.c.session_date, session_table.c.session_id
                )
            )
            .mappings()
            .all()
        )
    rows = []
    for s in sessions:
        total = int(s["session_pence"]) + int(s["expenses_pence"])
        learners = int(s["learners"])
        rows.append(
            SessionCostRow(
                session_id=s["session_id"],
                session_date=s["session_date"],
                region=s["region"],
                learners=learners,
                session_pence=int(s["session_pence"]),
                trainer_expenses_pence=int(s["expenses_pence"]),
                pending_expenses_pence=int(s["pending_pence"]),
                total_pence=total,
                per_learner_pence=round(total / learners) if learners else None,
            )
        )
    learners = sum(r.learners for r in rows)
    total = sum(r.total_pence for r in rows)
    return CostReport(
        sessions=tuple(rows),
        learners=learners,
        total_pence=total,
        per_learner_pence=round(total / learners) if learners else None,
    )
