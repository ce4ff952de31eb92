"""The staff-training demo: the NICE document's figures, loaded through the commands.

:func:`load_staff_demo` records, relative to ``today``: the workforce of five regions (740
people), two pilot trainers and a pilot session, a Train the Trainer programme with two
cohorts, eight more trainers (three of them former Voices Together participants when the
participant demo is loaded: see :func:`journey.demo.load_demo`), and thirty sessions rolled
out regionally and then nationally to 602 learners (359 staff and 243 service users, so 359
of 740, about half the workforce, trained). Evaluations, action plans followed up for months,
room hire, refreshments and trainers' travel claims fill in the rest; the newest claims are
still open, and one duplicate was rejected with its reason. The same ``(today, seed)`` always
records the same events.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from journey.application import JourneyLedger
from journey.demo import demo_participant_id
from journey.errors import AlreadyExists
from journey.staff_values import ActionStatus, Evaluation, Learner
from journey.trainer import Trainer

__all__ = ["STAFF_DEMO", "StaffDemoSummary", "load_staff_demo"]

COORDINATOR = "angela.newton"  # the Service User Involvement Directorate records sessions
ADMIN = "workforce.admin"
TTT_PROGRAMME = "train-the-trainer"
ROLE = "Service user trainer: develop, deliver and evaluate service user led training"
STAFF_LEARNERS = 359
SERVICE_USER_LEARNERS = 243
SESSIONS = 30

# Region -> (workforce size, venue, staff teams).
_REGIONS: dict[str, tuple[int, str, tuple[str, ...]]] = {
    "North West": (
        210,
        "Together Manchester hub",
        ("Manchester community team", "Salford recovery team", "Bolton housing support"),
    ),
    "London": (
        190,
        "Together London office",
        ("Camden day services", "Lambeth floating support", "Hackney crisis house"),
    ),
    "South East": (150, "Maidstone community centre", ("Kent peer support", "Medway advocacy")),
    "Yorkshire": (110, "Leeds Civic Hall room 2", ("Leeds criminal justice team",)),
    "South West": (80, "Bristol resource centre", ("Bristol supported housing",)),
}
_OUTCOMES = (
    "Understand the principles of service user involvement",
    "Recognise the practical issues involvement entails",
    "Use service users' skills, talents and experience to improve services",
    "Plan involvement in the team's day-to-day practice",
)
_PILOT_TRAINERS = ("kay.brook", "marcus.dyer")
# Trained in the first Train the Trainer cohort, then the second.
_FIRST_POOL = ("ruth.ellery", "tunde.adeyemi", "sam.fairley", "priya.lal")
_SECOND_POOL = ("gill.norton", "owen.pryce", "dee.okonjo", "ivy.marsh")
# Trainers who are former participants of the Voices Together demo (participant index).
_FORMER_PARTICIPANTS = {"sam.fairley": 2, "dee.okonjo": 7, "ivy.marsh": 15}
_MORE_OF = (
    "Ask people what works for them",
    "Involve service users in interviews",
    "Listen before suggesting solutions",
    "Share information openly",
)
_LESS_OF = ("Talking over people", "Using jargon", "Deciding for people", "Rushing reviews")
_STOP = (
    "Holding meetings about people without them",
    "Assuming what people want",
    "Cancelling appointments at short notice",
)
_PROJECTS = (
    "Service users on the team's interview panels",
    "A service user led welcome pack",
    "Co-produced house meetings",
    "Peer feedback at every review",
)
_ACTIONS = (
    "Agree the role description with the steering group",
    "Pay involvement expenses",
    "Run a co-produced team meeting",
    "Add involvement to supervision",
    "Report back to the regional steering group",
)

STAFF_DEMO = "staff-demo"


@dataclass(frozen=True)
class StaffDemoSummary:
    """What :func:`load_staff_demo` recorded."""

    sessions: tuple[str, ...]
    trainers: tuple[str, ...]
    staff_learners: int  # 359
    service_user_learners: int  # 243
    workforce: int  # 740 across the five regions
    commands: int


def load_staff_demo(ledger: JourneyLedger, *, today: date, seed: int = 2012) -> StaffDemoSummary:
    """Load the staff-training scenario into a ledger whose clock reads ``today``. Raises
    :class:`~journey.errors.AlreadyExists` if it is already loaded."""
    if list(ledger.events.get(Trainer.id_for(_PILOT_TRAINERS[0]), limit=1)):
        raise AlreadyExists("The staff-training demo is already loaded.")
    return _Scenario(ledger, random.Random(seed), today).load()


def _tuesday(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 1) % 7)


class _Scenario:
    def __init__(self, ledger: JourneyLedger, rng: random.Random, today: date) -> None:
        self.ledger, self.rng, self.today = ledger, rng, today
        self.start = today - timedelta(weeks=160)
        self.commands = 0
        self.trained: dict[str, date] = {}  # trainer -> date they may deliver from

    def load(self) -> StaffDemoSummary:
        self._workforce()
        self._trainers()
        sessions = self._sessions()
        return StaffDemoSummary(
            sessions=tuple(sessions),
            trainers=(*_PILOT_TRAINERS, *_FIRST_POOL, *_SECOND_POOL),
            staff_learners=STAFF_LEARNERS,
            service_user_learners=SERVICE_USER_LEARNERS,
            workforce=sum(size for size, _, _ in _REGIONS.values()),
            commands=self.commands,
        )

    def _count(self) -> None:
        self.commands += 1

    def _workforce(self) -> None:
        for region, (size, _, _) in _REGIONS.items():
            # Sizes were counted at the start, and recounted (the same or grown) a year on.
            earlier = size - self.rng.randrange(0, 12)
            self.ledger.record_workforce_size(
                region=region, size=earlier, occurred_on=self.start, actor=ADMIN
            )
            self.ledger.record_workforce_size(
                region=region, size=size, occurred_on=self.start + timedelta(weeks=52), actor=ADMIN
            )
            self.commands += 2

    def _trainers(self) -> None:
        ledger = self.ledger
        for trainer_id in _PILOT_TRAINERS:
            ledger.recruit_trainer(
                trainer_id=trainer_id,
                role_description=ROLE,
                recruited_on=self.start,
                pilot=True,
                actor=COORDINATOR,
            )
            self.trained[trainer_id] = self.start
            self._count()
        ledger.define_programme(
            programme_id=TTT_PROGRAMME,
            name="Train the Trainer",
            session_count=4,
            attendance_threshold=4,
            themes=(
                "Sharing lived experience safely",
                "Delivering each learning outcome",
                "Facilitating challenging discussions",
            ),
            actor=ADMIN,
        )
        self._count()
        for number, (pool, weeks) in enumerate(((_FIRST_POOL, 20), (_SECOND_POOL, 70)), 1):
            first = _tuesday(self.start + timedelta(weeks=weeks))
            days = [first + timedelta(weeks=n) for n in range(4)]
            cohort_id = f"ttt-{number}-{first.year}"
            ledger.schedule_cohort(
                cohort_id=cohort_id,
                programme_id=TTT_PROGRAMME,
                location="Together Manchester hub",
                session_dates=days,
                trainers=_PILOT_TRAINERS,
                actor=ADMIN,
            )
            self._count()
            for trainer_id in pool:
                index = _FORMER_PARTICIPANTS.get(trainer_id)
                participant = None if index is None else demo_participant_id(index)
                if participant is not None and not ledger.participant_exists(participant):
                    participant = None  # the participant demo is not loaded
                ledger.recruit_trainer(
                    trainer_id=trainer_id,
                    role_description=ROLE,
                    recruited_on=first - timedelta(weeks=3),
                    participant_id=participant,
                    actor=COORDINATOR,
                )
                ledger.record_trainer_support(
                    trainer_id=trainer_id,
                    kind="one_to_one",
                    occurred_on=first - timedelta(weeks=1),
                    notes="Talked through what to share of their own experience",
                    actor=COORDINATOR,
                )
                ledger.complete_train_the_trainer(
                    trainer_id=trainer_id,
                    programme_id=TTT_PROGRAMME,
                    cohort_id=cohort_id,
                    occurred_on=days[-1],
                    actor=COORDINATOR,
                )
                self.trained[trainer_id] = days[-1]
                self.commands += 3

    def _sessions(self) -> list[str]:
        rng = self.rng
        # 359 staff and 243 service users over 30 sessions: 11 or 12 staff, 8 or 9 service users.
        staff = [STAFF_LEARNERS // SESSIONS] * SESSIONS
        for index in rng.sample(range(SESSIONS), STAFF_LEARNERS % SESSIONS):
            staff[index] += 1
        users = [SERVICE_USER_LEARNERS // SESSIONS] * SESSIONS
        for index in rng.sample(range(SESSIONS), SERVICE_USER_LEARNERS % SESSIONS):
            users[index] += 1
        regions = list(_REGIONS)
        ids = []
        for number in range(SESSIONS):
            # The pilot in the North West, a regional roll-out there and in London, then national.
            if number == 0:
                region = "North West"
            elif number < 10:
                region = regions[number % 2]
            else:
                region = regions[number % len(regions)]
            day = _tuesday(self.start + timedelta(weeks=4 + round(number * 154 / (SESSIONS - 1))))
            ids.append(self._session(number, region, day, staff[number], users[number]))
        return ids

    def _session(self, number: int, region: str, day: date, staff: int, users: int) -> str:
        ledger, rng = self.ledger, self.rng
        _, venue, teams = _REGIONS[region]
        qualified = sorted(t for t, since in self.trained.items() if since <= day)
        pair = [_PILOT_TRAINERS[0], _PILOT_TRAINERS[1]] if number == 0 else rng.sample(qualified, 2)
        session_id = f"sut-{day.isoformat()}-{region.lower().replace(' ', '-')}"
        ledger.plan_staff_session(
            session_id=session_id,
            session_date=day,
            region=region,
            venue=venue,
            trainers=pair,
            learning_outcomes=_OUTCOMES,
            actor=COORDINATOR,
        )
        ledger.deliver_staff_session(session_id=session_id, actor=COORDINATOR)
        learners = [
            Learner(f"L{n:02d}", "staff", region, team=rng.choice(teams)) for n in range(staff)
        ] + [Learner(f"L{staff + n:02d}", "service_user", region) for n in range(users)]
        ledger.record_learners(session_id=session_id, learners=learners, actor=COORDINATOR)
        forms = [
            Evaluation(
                learner.learner_id,
                rating=rng.choices((3, 4, 5), weights=(1, 4, 6))[0],
                outcome_ratings=tuple(
                    rng.choices((2, 3, 4, 5), weights=(1, 2, 5, 6))[0] for _ in _OUTCOMES
                ),
                more_of=rng.choice(_MORE_OF),
                less_of=rng.choice(_LESS_OF),
                stop_doing=rng.choice(_STOP) if rng.random() < 0.7 else None,
            )
            for learner in learners
            if rng.random() < 0.85
        ]
        ledger.submit_evaluations(
            session_id=session_id, evaluations=forms, occurred_on=day, actor=COORDINATOR
        )
        self.commands += 4
        self._action_plan(session_id, day, rng.choice(teams))
        self._costs(session_id, day, number)
        for index, trainer_id in enumerate(pair):
            self._claim(trainer_id, session_id, day, duplicate=number == 12 and index == 0)
        return session_id

    def _action_plan(self, session_id: str, day: date, team: str) -> None:
        ledger, rng = self.ledger, self.rng
        plan_id = "plan-1"
        ledger.agree_action_plan(
            session_id=session_id,
            plan_id=plan_id,
            team=team,
            project=rng.choice(_PROJECTS),
            occurred_on=day,
            actor=COORDINATOR,
        )
        actions = rng.sample(_ACTIONS, rng.randint(2, 3))
        finished = True
        last = day
        for number, description in enumerate(actions, 1):
            action_id = f"a{number}"
            ledger.add_action(
                session_id=session_id,
                plan_id=plan_id,
                action_id=action_id,
                description=description,
                occurred_on=day,
                actor=COORDINATOR,
            )
            self._count()
            on = day
            # Followed up about monthly, in team meetings and supervision, until done or dropped.
            for _ in range(rng.randint(1, 5)):
                on += timedelta(days=rng.randint(21, 40))
                if on > self.today:
                    finished = False
                    break
                end = rng.random()
                status: ActionStatus = (
                    "done" if end < 0.35 else "dropped" if end < 0.42 else "in_progress"
                )
                ledger.update_action(
                    session_id=session_id,
                    plan_id=plan_id,
                    action_id=action_id,
                    status=status,
                    forum=rng.choice(("team_meeting", "supervision")),
                    occurred_on=on,
                    note="Progress reported by the team lead",
                    actor=COORDINATOR,
                )
                self._count()
                last = max(last, on)
                if status != "in_progress":
                    break
            else:
                finished = False
        if finished and last + timedelta(days=14) <= self.today:
            ledger.close_action_plan(
                session_id=session_id,
                plan_id=plan_id,
                occurred_on=last + timedelta(days=14),
                actor=COORDINATOR,
            )
            self._count()
        self._count()

    def _costs(self, session_id: str, day: date, number: int) -> None:
        ledger = self.ledger
        ledger.record_session_cost(
            session_id=session_id,
            cost_id="refreshments",
            category="refreshments",
            amount_pence=4000 + 150 * (number % 7),
            occurred_on=day,
            actor=COORDINATOR,
        )
        self._count()
        if number % 3 == 0:  # room hire "on occasions"
            ledger.record_session_cost(
                session_id=session_id,
                cost_id="room",
                category="room_hire",
                amount_pence=12000,
                occurred_on=day,
                actor=COORDINATOR,
            )
            self._count()

    def _claim(self, trainer_id: str, session_id: str, day: date, *, duplicate: bool) -> None:
        ledger, rng = self.ledger, self.rng
        claim_id = f"travel-{session_id}"
        ledger.claim_expense(
            trainer_id=trainer_id,
            claim_id=claim_id,
            category="travel",
            amount_pence=rng.randrange(600, 4800, 5),
            session_id=session_id,
            occurred_on=day,
            actor=COORDINATOR,
        )
        self._count()
        approved = day + timedelta(days=rng.randint(2, 6))
        recent = (self.today - day).days < 21  # the newest claims are still being processed
        if approved <= self.today and not (recent and rng.random() < 0.5):
            ledger.approve_expense(
                trainer_id=trainer_id, claim_id=claim_id, occurred_on=approved, actor=COORDINATOR
            )
            self._count()
            paid = approved + timedelta(days=rng.randint(3, 10))
            if paid <= self.today and not recent:
                ledger.reimburse_expense(
                    trainer_id=trainer_id, claim_id=claim_id, occurred_on=paid, actor=COORDINATOR
                )
                self._count()
        if duplicate:
            # The same journey claimed twice by mistake: the second is rejected with its reason.
            again = f"{claim_id}-again"
            ledger.claim_expense(
                trainer_id=trainer_id,
                claim_id=again,
                category="travel",
                amount_pence=1500,
                session_id=session_id,
                occurred_on=day,
                actor=COORDINATOR,
            )
            ledger.reject_expense(
                trainer_id=trainer_id,
                claim_id=again,
                reason="Duplicate of the travel claim for the same session, already paid",
                occurred_on=day + timedelta(days=2),
                actor=COORDINATOR,
            )
            self.commands += 2
