"""Random staff-training commands for :class:`history_walk.HistoryWalk` (when it is given a
share of staff steps): trainers, sessions, learners, evaluations, action plans, costs,
expense claims and workforce sizes, mostly the natural next step of something recorded, and
now and then one the rules refuse. Choices come from the walk's chooser, so histories shrink
and replay like the participant ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar

from journey.application import JourneyLedger
from journey.errors import StaffSessionNotFound
from journey.staff_values import ACTION_STATUSES, EXPENSE_CATEGORIES, Evaluation, Learner

__all__ = ["REGIONS", "SESSIONS", "StaffWalk"]

_T = TypeVar("_T")
Planned = tuple[str, Callable[[], Any]] | None

STAFF = "staff-cara"
TRAINERS = ("st-pilot", "st-amy", "st-bea", "st-cal")
REGIONS = ("North West", "London")
TEAMS = ("Team A", "Team B", None)
# Session id -> its date (all on or before the walks' TODAY, 2024-06-01).
SESSIONS = {
    "sut-1": date(2023, 3, 7),
    "sut-2": date(2023, 9, 12),
    "sut-3": date(2024, 1, 16),
    "sut-4": date(2024, 5, 21),
}
OUTCOMES = ("Principles of involvement", "Practical issues", "Planning involvement")


class Chooser(Protocol):
    def integer(self, low: int, high: int) -> int: ...


class StaffWalk:
    def __init__(self, ledger: JourneyLedger, chooser: Chooser, today: date) -> None:
        self.ledger, self.chooser, self.today = ledger, chooser, today
        self.planned: list[str] = []
        self.claims: dict[str, int] = dict.fromkeys(TRAINERS, 0)

    def _pick(self, items: Sequence[_T]) -> _T:
        return items[self.chooser.integer(0, len(items) - 1)]

    def _chance(self, percent: int) -> bool:
        return self.chooser.integer(0, 99) < percent

    def set_up(self) -> None:
        """Recruit the trainers (one a pilot trainer) and define Train the Trainer."""
        self.ledger.define_programme(
            programme_id="ttt",
            name="Train the Trainer",
            session_count=2,
            attendance_threshold=2,
            actor=STAFF,
        )
        for trainer_id in TRAINERS:
            self.ledger.recruit_trainer(
                trainer_id=trainer_id,
                role_description="Service user trainer",
                recruited_on=date(2022, 9, 1),
                pilot=trainer_id == TRAINERS[0],
                actor=STAFF,
            )

    def step(self) -> Planned:
        ops: list[tuple[int, Callable[[], Planned]]] = [
            (2, self._plan),
            (2, self._train),
            (3, self._deliver),
            (4, self._attend),
            (3, self._evaluate),
            (4, self._action_plan),
            (1, self._cost),
            (4, self._claim),
            (1, self._workforce),
        ]
        roll = self.chooser.integer(0, sum(w for w, _ in ops) - 1)
        for weight, op in ops:
            if roll < weight:
                return op()
            roll -= weight
        raise AssertionError("unreachable")

    # -- operations -----------------------------------------------------------------------

    def _session(self) -> str:
        return self._pick(self.planned) if self.planned else self._pick(sorted(SESSIONS))

    def _plan(self) -> Planned:
        open_ids = [s for s in sorted(SESSIONS) if s not in self.planned]
        session_id = open_ids[0] if open_ids else self._pick(sorted(SESSIONS))
        team = [self._pick(TRAINERS)]
        other = self._pick(TRAINERS)
        if other not in team and self._chance(60):
            team.append(other)
        region = self._pick(REGIONS)

        def command() -> None:
            self.ledger.plan_staff_session(
                session_id=session_id,
                session_date=SESSIONS[session_id],
                region=region,
                venue="Hall",
                trainers=team,
                learning_outcomes=OUTCOMES,
                actor=STAFF,
            )
            self.planned.append(session_id)

        return f"plan {session_id} in {region} with {team}", command

    def _train(self) -> Planned:
        trainer_id = self._pick(TRAINERS)
        on = date(2022, 10, 1) + timedelta(days=self.chooser.integer(0, 600))
        return (
            f"{trainer_id} completes Train the Trainer on {on}",
            lambda: self.ledger.complete_train_the_trainer(
                trainer_id=trainer_id, programme_id="ttt", occurred_on=on, actor=STAFF
            ),
        )

    def _deliver(self) -> Planned:
        session_id = self._session()
        return f"deliver {session_id}", lambda: self.ledger.deliver_staff_session(
            session_id=session_id, actor=STAFF
        )

    def _attend(self) -> Planned:
        session_id = self._session()
        start = self.chooser.integer(0, 6)
        count = self.chooser.integer(1, 3)
        learners = [
            Learner(
                f"L{n}",
                "staff" if self._chance(60) else "service_user",
                self._pick(REGIONS),
                team=self._pick(TEAMS),
            )
            for n in range(start, start + count)
        ]
        return (
            f"{len(learners)} learners from L{start} attend {session_id}",
            lambda: self.ledger.record_learners(
                session_id=session_id, learners=learners, actor=STAFF
            ),
        )

    def _evaluate(self) -> Planned:
        session_id = self._session()
        learner = f"L{self.chooser.integer(0, 8)}"
        rating = self.chooser.integer(1, 5)
        per_outcome = (
            tuple(self.chooser.integer(1, 5) for _ in OUTCOMES) if self._chance(70) else ()
        )
        form = Evaluation(learner, rating, per_outcome, more_of="Listen", stop_doing="Rushing")
        on = min(self.today, SESSIONS[session_id] + timedelta(days=self.chooser.integer(0, 3)))
        return (
            f"{learner} evaluates {session_id} {rating} {per_outcome}",
            lambda: self.ledger.submit_evaluations(
                session_id=session_id, evaluations=[form], occurred_on=on, actor=STAFF
            ),
        )

    def _action_plan(self) -> Planned:
        session_id = self._session()
        plan_id = self._pick(("plan-1", "plan-2"))
        try:
            view = self.ledger.get_staff_session(session_id)
        except StaffSessionNotFound:  # not planned yet: the command is refused
            view = None
        plan = next((p for p in view.plans if p.plan_id == plan_id), None) if view else None
        base = SESSIONS[session_id]
        if plan is None:
            team = self._pick(("Team A", "Team B"))
            return (
                f"{session_id}: agree {plan_id} for {team}",
                lambda: self.ledger.agree_action_plan(
                    session_id=session_id,
                    plan_id=plan_id,
                    team=team,
                    project="Panels",
                    occurred_on=base,
                    actor=STAFF,
                ),
            )
        last = plan.last_recorded_on
        on = min(self.today, last + timedelta(days=self.chooser.integer(0, 60)))
        unfinished = [a for a in plan.actions if not a.finished]
        if not plan.actions or (len(plan.actions) < 3 and self._chance(30)):
            action_id = f"a{len(plan.actions) + 1}"
            return (
                f"{session_id}/{plan_id}: add {action_id} on {on}",
                lambda: self.ledger.add_action(
                    session_id=session_id,
                    plan_id=plan_id,
                    action_id=action_id,
                    description="Involve people",
                    occurred_on=on,
                    actor=STAFF,
                ),
            )
        if unfinished or self._chance(10):
            action = self._pick(unfinished or list(plan.actions))
            status = self._pick(ACTION_STATUSES)
            return (
                f"{session_id}/{plan_id}: {action.action_id} {status} on {on}",
                lambda: self.ledger.update_action(
                    session_id=session_id,
                    plan_id=plan_id,
                    action_id=action.action_id,
                    status=status,
                    forum="team_meeting",
                    note="Reported",
                    occurred_on=on,
                    actor=STAFF,
                ),
            )
        return f"{session_id}/{plan_id}: close on {on}", lambda: self.ledger.close_action_plan(
            session_id=session_id, plan_id=plan_id, occurred_on=on, actor=STAFF
        )

    def _cost(self) -> Planned:
        session_id = self._session()
        cost_id = self._pick(("room", "refreshments"))
        pence = self.chooser.integer(1, 20_000)
        return f"{session_id}: {cost_id} {pence}p", lambda: self.ledger.record_session_cost(
            session_id=session_id,
            cost_id=cost_id,
            category="room_hire" if cost_id == "room" else "refreshments",
            amount_pence=pence,
            occurred_on=SESSIONS[session_id],
            actor=STAFF,
        )

    def _claim(self) -> Planned:
        trainer_id = self._pick(TRAINERS)
        made = self.claims[trainer_id]
        if made == 0 or self._chance(30):
            claim_id = f"c{made + 1}"
            session_id = self._session() if self._chance(80) else None
            on = SESSIONS[session_id] if session_id else date(2024, 2, 1)
            pence = self.chooser.integer(100, 5000)
            category = self._pick(EXPENSE_CATEGORIES)

            def claim() -> None:
                self.ledger.claim_expense(
                    trainer_id=trainer_id,
                    claim_id=claim_id,
                    category=category,
                    amount_pence=pence,
                    session_id=session_id,
                    occurred_on=on,
                    actor=STAFF,
                )
                self.claims[trainer_id] += 1

            return f"{trainer_id} claims {claim_id} {pence}p for {session_id}", claim
        claim_id = f"c{self.chooser.integer(1, made)}"
        on = min(self.today, date(2024, 2, 1) + timedelta(days=self.chooser.integer(0, 100)))
        step = self.chooser.integer(0, 9)
        if step < 4:
            return f"{trainer_id} {claim_id} approved", lambda: self.ledger.approve_expense(
                trainer_id=trainer_id, claim_id=claim_id, occurred_on=on, actor=STAFF
            )
        if step < 5:
            return f"{trainer_id} {claim_id} rejected", lambda: self.ledger.reject_expense(
                trainer_id=trainer_id,
                claim_id=claim_id,
                reason="No receipt",
                occurred_on=on,
                actor=STAFF,
            )
        return f"{trainer_id} {claim_id} reimbursed", lambda: self.ledger.reimburse_expense(
            trainer_id=trainer_id, claim_id=claim_id, occurred_on=on, actor=STAFF
        )

    def _workforce(self) -> Planned:
        region = self._pick(REGIONS)
        size = self.chooser.integer(5, 400)
        on = date(2023, 1, 1) + timedelta(days=self.chooser.integer(0, 500))
        return f"workforce of {region} {size} from {on}", lambda: self.ledger.record_workforce_size(
            region=region, size=size, occurred_on=on, actor=STAFF
        )
