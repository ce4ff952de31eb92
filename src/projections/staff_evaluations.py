"""Evaluation summary: per staff training session (learners, evaluations returned, mean
rating) and per learning outcome (the ratings learners gave it, across sessions).

Reads: StaffSession.Planned, LearnerAttended, EvaluationSubmitted. Free-text answers are
personal and never reach this view: only ratings are counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import Column, Date, Engine, Integer, MetaData, String, Table, select

from journey.staff_session import StaffSession
from projections.projection import Projection
from projections.rows import Rows

__all__ = [
    "OutcomeRating",
    "SessionEvaluation",
    "StaffEvaluationsProjection",
    "evaluation_summary",
    "outcome_summary",
]

metadata = MetaData()
session_table = Table(
    "evaluation_session",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("session_id", String(100), nullable=False, unique=True),
    Column("session_date", Date, nullable=False),
    Column("region", String(100), nullable=False),
    Column("learners", Integer, nullable=False),
    Column("evaluations", Integer, nullable=False),
    Column("rating_sum", Integer, nullable=False),
)
outcome_table = Table(
    "evaluation_outcome",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("outcome", String(500), nullable=False),
    Column("ratings", Integer, nullable=False),
    Column("rating_sum", Integer, nullable=False),
)


class StaffEvaluationsProjection(Projection):
    name = "staff_evaluations"
    metadata: ClassVar[MetaData] = metadata
    event_classes = (
        StaffSession.Planned,
        StaffSession.LearnerAttended,
        StaffSession.EvaluationSubmitted,
    )

    def apply(self, event: Any, position: int, rows: Rows) -> None:
        stream = str(event.originator_id)
        if isinstance(event, StaffSession.Planned):
            rows.put(
                session_table,
                {
                    "stream_id": stream,
                    "session_id": event.session_id,
                    "session_date": event.session_date,
                    "region": event.region,
                    "learners": 0,
                    "evaluations": 0,
                    "rating_sum": 0,
                },
            )
            for number, text in enumerate(event.learning_outcomes, 1):
                rows.put(
                    outcome_table,
                    {
                        "stream_id": stream,
                        "number": number,
                        "outcome": text,
                        "ratings": 0,
                        "rating_sum": 0,
                    },
                )
            return
        session = rows.require(session_table, stream, position=position)
        if isinstance(event, StaffSession.LearnerAttended):
            rows.put(session_table, {**session, "learners": session["learners"] + 1})
            return
        rows.put(
            session_table,
            {
                **session,
                "evaluations": session["evaluations"] + 1,
                "rating_sum": session["rating_sum"] + event.rating,
            },
        )
        for number, rating in enumerate(event.outcome_ratings, 1):
            outcome = rows.require(outcome_table, stream, number, position=position)
            rows.put(
                outcome_table,
                {
                    **outcome,
                    "ratings": outcome["ratings"] + 1,
                    "rating_sum": outcome["rating_sum"] + rating,
                },
            )


@dataclass(frozen=True)
class OutcomeRating:
    outcome: str
    sessions: int
    ratings: int
    mean_rating: float | None  # 1 to 5, two decimals; None without ratings


@dataclass(frozen=True)
class SessionEvaluation:
    session_id: str
    session_date: date
    region: str
    learners: int
    evaluations: int
    response_rate: float | None  # evaluations / learners
    mean_rating: float | None
    outcomes: tuple[OutcomeRating, ...]


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def evaluation_summary(engine: Engine, *, session_id: str | None = None) -> list[SessionEvaluation]:
    """Every session (or the one named), by date then id."""
    query = select(session_table).order_by(session_table.c.session_date, session_table.c.session_id)
    if session_id is not None:
        query = query.where(session_table.c.session_id == session_id)
    with engine.connect() as conn:
        sessions = conn.execute(query).mappings().all()
        outcomes: dict[str, list[Any]] = {}
        for row in conn.execute(
            select(outcome_table).order_by(outcome_table.c.stream_id, outcome_table.c.number)
        ).mappings():
            outcomes.setdefault(row["stream_id"], []).append(row)
    return [
        SessionEvaluation(
            session_id=s["session_id"],
            session_date=s["session_date"],
            region=s["region"],
            learners=int(s["learners"]),
            evaluations=int(s["evaluations"]),
            response_rate=round(s["evaluations"] / s["learners"], 4) if s["learners"] else None,
            mean_rating=_mean(int(s["rating_sum"]), int(s["evaluations"])),
            outcomes=tuple(
                OutcomeRating(
                    o["outcome"],
                    1,
                    int(o["ratings"]),
                    _mean(int(o["rating_sum"]), int(o["ratings"])),
                )
                for o in outcomes.get(s["stream_id"], [])
            ),
        )
        for s in sessions
    ]


def outcome_summary(engine: Engine) -> list[OutcomeRating]:
    """Each learning outcome (by its text) across the sessions that named it."""
    totals: dict[str, list[int]] = {}
    with engine.connect() as conn:
        for row in conn.execute(select(outcome_table)).mappings():
            sessions, ratings, total = totals.setdefault(row["outcome"], [0, 0, 0])
            totals[row["outcome"]] = [
                sessions + 1,
                ratings + int(row["ratings"]),
                total + int(row["rating_sum"]),
            ]
    return [
        OutcomeRating(outcome, sessions, ratings, _mean(total, ratings))
        for outcome, (sessions, ratings, total) in sorted(totals.items())
    ]
