"""Workforce reach: learners of staff training sessions by role, region and team, and the
share of each region's workforce trained, against the size an administrator recorded for the
region in force on the report's date.

Reads: StaffSession.LearnerAttended, RegionWorkforce.Registered and SizeRecorded. A learner
is an attendance at a session (the ledger keeps no identity across sessions); the share
trained counts staff learners only (service users are not the workforce).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import Column, Date, Engine, Integer, MetaData, String, Table, select

from journey.staff_session import StaffSession
from journey.workforce import RegionWorkforce
from projections.projection import Projection
from projections.rows import Rows

__all__ = [
    "NO_TEAM",
    "Reach",
    "RegionReach",
    "StaffReachProjection",
    "TeamReach",
    "workforce_reach",
]

NO_TEAM = "(no team)"

metadata = MetaData()
learner_table = Table(
    "reach_learner",
    metadata,
    Column("session_stream", String(36), primary_key=True),
    Column("learner_id", String(100), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("team", String(100), nullable=False),
    Column("region", String(100), nullable=False),
    Column("attended_on", Date, nullable=False),
)
region_table = Table(
    "reach_region",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("region", String(100), nullable=False),
)
size_table = Table(
    "reach_workforce",
    metadata,
    Column("region", String(100), primary_key=True),
    Column("counts_from", Date, primary_key=True),
    Column("size", Integer, nullable=False),
)


class StaffReachProjection(Projection):
    name = "staff_reach"
    metadata: ClassVar[MetaData] = metadata
    event_classes = (
        StaffSession.LearnerAttended,
        RegionWorkforce.Registered,
        RegionWorkforce.SizeRecorded,
    )

    def apply(self, event: Any, position: int, rows: Rows) -> None:
        stream = str(event.originator_id)
        if isinstance(event, StaffSession.LearnerAttended):
            rows.append(
                learner_table,
                {
                    "session_stream": stream,
                    "learner_id": event.learner_id,
                    "role": event.role,
                    "team": event.team or NO_TEAM,
                    "region": event.region,
                    "attended_on": event.occurred_on,
                },
            )
        elif isinstance(event, RegionWorkforce.Registered):
            rows.put(region_table, {"stream_id": stream, "region": event.region})
        else:
            region = rows.require(region_table, stream, position=position)["region"]
            rows.put(
                size_table,
                {"region": region, "counts_from": event.occurred_on, "size": event.size},
            )


@dataclass(frozen=True)
class RegionReach:
    region: str
    staff: int
    service_users: int
    workforce: int | None  # the size in force on the report's date; None if never recorded
    share_trained: float | None  # staff / workforce, 0..1 (None without a size)


@dataclass(frozen=True)
class TeamReach:
    region: str
    team: str
    staff: int
    service_users: int


@dataclass(frozen=True)
class Reach:
    """Learners by role, region and team up to ``on``, and the share of the workforce trained
    (staff learners in regions with a recorded size, over the sum of those sizes)."""

    on: date | None
    learners: int
    staff: int
    service_users: int
    regions: tuple[RegionReach, ...]
    teams: tuple[TeamReach, ...]
    workforce: int
    staff_in_counted_regions: int
    share_trained: float | None


def workforce_reach(engine: Engine, *, on: date | None = None) -> Reach:
    """The reach of staff training up to ``on`` (default: everything recorded, against the
    latest size of each region)."""
    query = select(learner_table)
    if on is not None:
        query = query.where(learner_table.c.attended_on <= on)
    with engine.connect() as conn:
        learners = conn.execute(query).mappings().all()
        sizes = conn.execute(select(size_table).order_by(size_table.c.counts_from)).mappings()
        in_force: dict[str, int] = {}
        for row in sizes:
            if on is None or row["counts_from"] <= on:
                in_force[row["region"]] = int(row["size"])
    by_region: Counter[tuple[str, str]] = Counter()
    by_team: Counter[tuple[str, str, str]] = Counter()
    for learner in learners:
        by_region[(learner["region"], learner["role"])] += 1
        by_team[(learner["region"], learner["team"], learner["role"])] += 1
    region_names = sorted({r for r, _ in by_region} | set(in_force))
    regions = tuple(
        RegionReach(
            region=name,
            staff=by_region[(name, "staff")],
            service_users=by_region[(name, "service_user")],
            workforce=in_force.get(name),
            share_trained=_share(by_region[(name, "staff")], in_force.get(name)),
        )
        for name in region_names
    )
    teams = tuple(
        TeamReach(
            region=region,
            team=team,
            staff=by_team[(region, team, "staff")],
            service_users=by_team[(region, team, "service_user")],
        )
        for region, team in sorted({(r, t) for r, t, _ in by_team})
    )
    counted = sum(r.staff for r in regions if r.workforce is not None)
    workforce = sum(in_force.values())
    staff = sum(r.staff for r in regions)
    service_users = sum(r.service_users for r in regions)
    return Reach(
        on=on,
        learners=staff + service_users,
        staff=staff,
        service_users=service_users,
        regions=regions,
        teams=teams,
        workforce=workforce,
        staff_in_counted_regions=counted,
        share_trained=_share(counted, workforce or None),
    )


def _share(part: int, whole: int | None) -> float | None:
    return None if not whole else round(part / whole, 4)
