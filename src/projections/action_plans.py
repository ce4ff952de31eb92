"""Action plans by status and age: each project-based plan a staff team agreed after a
session, its actions (not started, in progress, done, dropped), open or closed, and how long
it has been open and since it was last updated.

Reads: StaffSession.Planned, ActionPlanAgreed, ActionAdded, ActionProgressed, ActionPlanClosed.
Progress notes are personal and never reach this view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Literal

from sqlalchemy import Column, Date, Engine, Integer, MetaData, String, Table, select

from journey.staff_session import StaffSession
from projections.projection import Projection
from projections.rows import Rows

__all__ = ["ActionPlanRow", "ActionPlansProjection", "PlanStatus", "read_action_plans"]

PlanStatus = Literal["open", "closed"]

metadata = MetaData()
session_table = Table(
    "plans_session",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("session_id", String(100), nullable=False),
)
plan_table = Table(
    "plans_plan",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("plan_id", String(100), primary_key=True),
    Column("session_id", String(100), nullable=False),
    Column("team", String(100), nullable=False),
    Column("project", String(1000), nullable=False),
    Column("agreed_on", Date, nullable=False),
    Column("closed_on", Date, nullable=True),
    Column("last_update_on", Date, nullable=False),
    Column("not_started", Integer, nullable=False),
    Column("in_progress", Integer, nullable=False),
    Column("done", Integer, nullable=False),
    Column("dropped", Integer, nullable=False),
)
action_table = Table(
    "plans_action",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("plan_id", String(100), primary_key=True),
    Column("action_id", String(100), primary_key=True),
    Column("status", String(20), nullable=False),
)


class ActionPlansProjection(Projection):
    name = "action_plans"
    metadata: ClassVar[MetaData] = metadata
    event_classes = (
        StaffSession.Planned,
        StaffSession.ActionPlanAgreed,
        StaffSession.ActionAdded,
        StaffSession.ActionProgressed,
        StaffSession.ActionPlanClosed,
    )

    def apply(self, event: Any, position: int, rows: Rows) -> None:
        stream = str(event.originator_id)
        if isinstance(event, StaffSession.Planned):
            rows.put(session_table, {"stream_id": stream, "session_id": event.session_id})
            return
        if isinstance(event, StaffSession.ActionPlanAgreed):
            session = rows.require(session_table, stream, position=position)
            rows.put(
                plan_table,
                {
                    "stream_id": stream,
                    "plan_id": event.plan_id,
                    "session_id": session["session_id"],
                    "team": event.team,
                    "project": event.project,
                    "agreed_on": event.occurred_on,
                    "closed_on": None,
                    "last_update_on": event.occurred_on,
                    "not_started": 0,
                    "in_progress": 0,
                    "done": 0,
                    "dropped": 0,
                },
            )
            return
        plan = dict(rows.require(plan_table, stream, event.plan_id, position=position))
        plan["last_update_on"] = max(plan["last_update_on"], event.occurred_on)
        if isinstance(event, StaffSession.ActionPlanClosed):
            plan["closed_on"] = event.occurred_on
        elif isinstance(event, StaffSession.ActionAdded):
            plan["not_started"] += 1
            rows.put(
                action_table,
                {
                    "stream_id": stream,
                    "plan_id": event.plan_id,
                    "action_id": event.action_id,
                    "status": "not_started",
                },
            )
        else:
            key = (stream, event.plan_id, event.action_id)
            action = rows.require(action_table, *key, position=position)
            plan[action["status"]] -= 1
            plan[event.status] += 1
            rows.put(action_table, {**action, "status": event.status})
        rows.put(plan_table, plan)


@dataclass(frozen=True)
class ActionPlanRow:
    session_id: str
    plan_id: str
    team: str
    project: str
    status: PlanStatus
    agreed_on: date
    closed_on: date | None
    age_days: int  # from agreement to closing, or to the report's date while open
    days_since_update: int
    actions: int
    not_started: int
    in_progress: int
    done: int
    dropped: int


def read_action_plans(
    engine: Engine, *, today: date, status: PlanStatus | None = None
) -> list[ActionPlanRow]:
    """Every plan (or those with ``status``): open ones first, oldest first."""
    with engine.connect() as conn:
        plans = conn.execute(select(plan_table)).mappings().all()
    out = []
    for p in plans:
        state: PlanStatus = "open" if p["closed_on"] is None else "closed"
        if status is not None and state != status:
            continue
        end = p["closed_on"] or today
        counts = [int(p[k]) for k in ("not_started", "in_progress", "done", "dropped")]
        out.append(
            ActionPlanRow(
                session_id=p["session_id"],
                plan_id=p["plan_id"],
                team=p["team"],
                project=p["project"],
                status=state,
                agreed_on=p["agreed_on"],
                closed_on=p["closed_on"],
                age_days=(end - p["agreed_on"]).days,
                days_since_update=(end - p["last_update_on"]).days,
                actions=sum(counts),
                not_started=counts[0],
                in_progress=counts[1],
                done=counts[2],
                dropped=counts[3],
            )
        )
    out.sort(key=lambda r: (r.status != "open", -r.age_days, r.session_id, r.plan_id))
    return out
