"""Builds the benchmark's own data: participants with 40 events each, through the domain.

Each participant goes through the rules like any other (registered, enrolled, 12 training
days, accreditation, log and essay, two marks, two moderations, certificates, outcomes,
follow-ups, wellbeing, feedback): exactly 40 events. Aggregates are built in memory and saved
``batch`` at a time (one transaction per save), which is how a bulk load writes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from uuid import NAMESPACE_URL, uuid5

from journey.application import JourneyLedger
from journey.catalogue import install_catalogue
from journey.participant import Participant
from journey.scales import WELLBEING_SCALES
from journey.state import PersonalDetails
from journey.values import CohortPlan

EVENTS_PER_PARTICIPANT = 40
TODAY = date(2024, 6, 1)
COHORT_SIZE = 25


def _cohort(ledger: JourneyLedger, index: int) -> CohortPlan:
    cohort_id = f"bench-{index:05d}"
    first = date(2015, 1, 5) + timedelta(days=(index % 300) * 7)
    days = [first + timedelta(days=7 * i) for i in range(12)]
    ledger.schedule_cohort(
        cohort_id=cohort_id,
        programme_id="voices-together",
        location="Bench town",
        session_dates=days,
        trainers=["trainer-a", "trainer-b"],
        actor="bench",
    )
    return ledger.cohort_plan(cohort_id)


def _journey(plan: CohortPlan, index: int, rng: random.Random) -> Participant:
    p = Participant.register(
        participant_id=uuid5(NAMESPACE_URL, f"bench-participant-{index}"),
        details=PersonalDetails(name=f"Bench person {index}", email=f"p{index}@example.org"),
        recorded_by="staff",
    )
    start = plan.session_dates[0]
    kw = {"today": TODAY, "recorded_by": "staff"}
    p.enrol(plan=plan, enrolled_on=start - timedelta(days=14), **kw)
    for session in range(1, 13):
        p.record_session(
            plan=plan,
            session=session,
            occurred_on=None,
            status="attended" if rng.random() < 0.85 else "missed",
            **kw,
        )
    end = plan.session_dates[-1]
    p.decide_accreditation(plan=plan, choose=True, occurred_on=start, **kw)
    p.submit(plan=plan, component="log", attempt=1, occurred_on=end + timedelta(days=20), **kw)
    p.submit(
        plan=plan,
        component="essay",
        attempt=1,
        essay_format="oral",
        occurred_on=end + timedelta(days=21),
        **kw,
    )
    marked = end + timedelta(days=40)
    for stage, marker in (("first", "marker-1"), ("second", "marker-2")):
        p.mark(
            plan=plan,
            attempt=1,
            stage=stage,
            marker=marker,
            result="pass",  # type: ignore[arg-type]
            feedback="Clear reflection on the course themes.",
            occurred_on=marked,
            **kw,
        )
    p.moderate(
        plan=plan,
        attempt=1,
        stage="internal",
        moderator="moderator-i",
        result="pass",
        occurred_on=marked + timedelta(days=10),
        **kw,
    )
    p.moderate(
        plan=plan,
        attempt=1,
        stage="external",
        moderator="moderator-x",
        result="pass",
        occurred_on=marked + timedelta(days=40),
        **kw,
    )
    p.issue_certificate(plan=plan, kind="accredited", occurred_on=marked + timedelta(days=45), **kw)
    categories = ("speaking", "volunteering", "co_facilitating", "employment", "chair")
    for k in range(10):
        p.report_outcome(
            category=categories[k % 5],
            detail="Benchmark outcome",
            source="interview",
            ended_on=None,
            occurred_on=end + timedelta(days=60 + 30 * k),
            **kw,
        )
    for k in range(3):
        p.complete_follow_up(method="survey", occurred_on=end + timedelta(days=90 + 90 * k), **kw)
    scale = WELLBEING_SCALES["WEMWBS"]
    for k, timepoint in enumerate(("baseline", "end", "follow_up")):
        p.measure_wellbeing(
            scale=scale,
            score=40 + 3 * k,
            timepoint=timepoint,  # type: ignore[arg-type]
            occurred_on=start + timedelta(days=100 * k),
            **kw,
        )
    for k in range(2):
        p.record_feedback(
            plans=[plan],
            cohort_id=plan.cohort_id,
            quote="It gave me confidence.",
            interviewer="interviewer",
            occurred_on=end + timedelta(days=200 + k),
            **kw,
        )
    assert len(p.pending_events) == EVENTS_PER_PARTICIPANT, len(p.pending_events)
    return p


def load(
    ledger: JourneyLedger,
    participants: int,
    *,
    batch: int = 25,
    progress: Callable[[int, int], None] | None = None,
    start: int = 0,
) -> int:
    """Write ``participants`` x 40 events; return the number of events written. ``start``
    (a multiple of 25) numbers them after those of an earlier call, to grow a log."""
    install_catalogue(ledger, actor="bench")
    rng = random.Random(400_000 + start)
    written = 0
    plan: CohortPlan | None = None
    pending: list[Participant] = []
    for index in range(start, start + participants):
        if index % COHORT_SIZE == 0 or plan is None:
            plan = _cohort(ledger, index // COHORT_SIZE)
        assert plan is not None
        pending.append(_journey(plan, index, rng))
        if len(pending) == batch or index == start + participants - 1:
            ledger.save(*pending)
            written += EVENTS_PER_PARTICIPANT * len(pending)
            pending.clear()
            if progress:
                progress(index + 1 - start, participants)
    return written
