"""A realistic, reproducible demo: the Voices Together figures, loaded through the commands.

:func:`load_demo` fills an empty ledger with six cohorts of "voices-together" in Essex: four
completed ones, whose 43 participants reproduce the paper's funnel (15 submitted both
components, 9 passed after external moderation, 6 pending at every stage of the assessment),
and two running now with 32 participants. Attendance, certificates, outcomes over the years
after each course, follow-ups (some finding nothing), review-interview quotes and WEMWBS scores
fill in the rest (see :mod:`journey.demo_journey`). Every event goes through
:class:`~journey.application.JourneyLedger`'s public commands, so every rule holds; the same
``(today, seed)`` always records the same events, and participant ids never change.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID, uuid5

from journey import demo_text as text
from journey.application import JourneyLedger
from journey.catalogue import install_catalogue
from journey.demo_journey import ASSESSED, Journey, OutcomeDeck, Role
from journey.errors import AlreadyExists
from journey.state import PersonalDetails
from journey.values import CohortPlan

__all__ = ["DEMO_NAMESPACE", "DemoSummary", "demo_participant_id", "load_demo"]

DEMO_NAMESPACE = UUID("5d1c0a43-9f3e-5b8e-a7c2-2013f0c0de01")
PROGRAMME = "voices-together"


@dataclass(frozen=True)
class _CohortSpec:
    place: str
    location: str
    weeks_ago: int  # the first training day, about this many weeks before today
    trainers: tuple[str, str]
    roles: tuple[tuple[Role, int], ...]


_T = text.TRAINERS
# Four completed cohorts (43 people: 15 submit, 9 pass, 6 pending) and two running now (32).
_COHORTS = (
    _CohortSpec("grays", "Grays, Essex", 156, (_T[0], _T[1]), (
        ("pass", 3), ("refer_pass", 1), ("declined", 2), ("chose", 2), ("undecided", 2),
        ("withdrawn", 1))),
    _CohortSpec("southend", "Southend-on-Sea, Essex", 106, (_T[2], _T[3]), (
        ("pass", 3), ("declined", 3), ("chose", 1), ("undecided", 2), ("withdrawn", 1))),
    _CohortSpec("chelmsford", "Chelmsford, Essex", 58, (_T[0], _T[4]), (
        ("pass", 2), ("declined", 3), ("chose", 2), ("undecided", 2), ("withdrawn", 1))),
    _CohortSpec("basildon", "Basildon, Essex", 33, (_T[1], _T[5]), (
        ("await_first", 2), ("await_second", 1), ("await_internal", 2), ("await_external", 1),
        ("declined", 3), ("chose", 1), ("undecided", 1), ("withdrawn", 1))),
    _CohortSpec("colchester", "Colchester, Essex", 8, (_T[6], _T[2]), (
        ("chose", 6), ("declined", 3), ("undecided", 7))),
    _CohortSpec("harlow", "Harlow, Essex", 3, (_T[7], _T[3]), (
        ("chose", 2), ("declined", 1), ("undecided", 13))),
)  # fmt: skip


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`load_demo` recorded: the funnel it reproduces and where to find it."""

    programme_id: str
    completed_cohorts: tuple[str, ...]
    current_cohorts: tuple[str, ...]
    participant_ids: tuple[UUID, ...]
    enrolled_completed: int  # 43 on the completed cohorts
    submitted: int  # 15: both components of attempt 1
    passed: int  # 9: a final pass, credits awarded
    pending: int  # 6: submitted, no final result yet
    enrolled_current: int  # 32 on the cohorts running now
    events: int  # every event recorded, programmes and cohorts included


def demo_participant_id(index: int) -> UUID:
    """The stable id of the demo's ``index``-th participant (0-based)."""
    return uuid5(DEMO_NAMESPACE, f"participant-{index}")


def load_demo(
    ledger: JourneyLedger,
    *,
    today: date,
    seed: int = 2013,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Load the demo into an empty ledger whose clock reads ``today`` (every date recorded is
    on or before it). Calls ``progress(done, total)`` after each participant. Raises
    :class:`~journey.errors.AlreadyExists` if the demo is already loaded."""
    if ledger.participant_exists(demo_participant_id(0)):
        raise AlreadyExists("The demo is already loaded: load it into an empty ledger.")
    rng = random.Random(seed)
    events = len(install_catalogue(ledger, actor=text.COORDINATORS[0]))
    people: list[tuple[CohortPlan, Role]] = []
    completed: list[str] = []
    current: list[str] = []
    for number, spec in enumerate(_COHORTS):
        plan = _schedule(ledger, spec, today, text.COORDINATORS[number % 2])
        events += 1
        (current if plan.last_day > today else completed).append(plan.cohort_id)
        roles: list[Role] = [role for role, count in spec.roles for _ in range(count)]
        rng.shuffle(roles)
        people.extend((plan, role) for role in roles)
    formats = list(text.ESSAY_FORMAT_POOL)
    rng.shuffle(formats)
    names = rng.sample([(f, s) for f in text.FIRST_NAMES for s in text.LAST_NAMES], len(people))
    ids = tuple(demo_participant_id(i) for i in range(len(people)))
    deck = OutcomeDeck(rng)
    for done, ((plan, role), name, pid) in enumerate(zip(people, names, ids, strict=True), 1):
        assessed = role in ASSESSED and plan.last_day <= today
        journey = Journey(
            ledger,
            rng,
            plan,
            today=today,
            participant_id=pid,
            outcomes=deck,
            essay_format=formats.pop() if assessed else "written",
        )
        events += journey.load(_details(rng, *name), role)
        if progress is not None:
            progress(done, len(people))
    done_roles = [role for plan, role in people if plan.cohort_id in completed]
    return DemoSummary(
        programme_id=PROGRAMME,
        completed_cohorts=tuple(completed),
        current_cohorts=tuple(current),
        participant_ids=ids,
        enrolled_completed=len(done_roles),
        submitted=sum(role in ASSESSED for role in done_roles),
        passed=sum(ASSESSED.get(role) == 4 for role in done_roles),
        pending=sum(ASSESSED.get(role, 4) < 4 for role in done_roles),
        enrolled_current=len(people) - len(done_roles),
        events=events,
    )


def _schedule(ledger: JourneyLedger, spec: _CohortSpec, today: date, actor: str) -> CohortPlan:
    """Schedule a cohort's twelve weekly training days, on Wednesdays, not over Christmas."""
    start = today - timedelta(weeks=spec.weeks_ago)
    day = start - timedelta(days=(start.weekday() - 2) % 7)
    days: list[date] = []
    while len(days) < 12:
        if (1, 3) < (day.month, day.day) < (12, 20):
            days.append(day)
        day += timedelta(weeks=1)
    cohort_id = f"vt-{spec.place}-{days[0].year}"
    ledger.schedule_cohort(
        cohort_id=cohort_id,
        programme_id=PROGRAMME,
        location=spec.location,
        session_dates=days,
        trainers=spec.trainers,
        actor=actor,
    )
    return ledger.cohort_plan(cohort_id)


def _details(rng: random.Random, first: str, last: str) -> PersonalDetails:
    ethnicities = ("White British", "White other", "Black British", "Black African",
                   "Asian British", "Mixed heritage", "Prefer not to say")  # fmt: skip
    return PersonalDetails(
        name=f"{first} {last}",
        email=f"{first}.{last}@example.org".lower() if rng.random() < 0.6 else None,
        phone=f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.5 else None,
        ethnicity=rng.choices(ethnicities, weights=(50, 6, 8, 6, 8, 5, 4))[0],
        gender=rng.choices(("Female", "Male", "Non-binary", None), weights=(52, 42, 3, 3))[0],
        age_band=rng.choice(("18-24", "25-34", "35-44", "45-54", "55-64", "65+")),
        disability=rng.choice(("Yes", "No", None)),
    )
