"""A hypothesis state machine for the staff-training rules, against a model kept beside it.

It drives the real :class:`JourneyLedger` (in memory) with random commands on three trainers
(one a pilot trainer) and three planned sessions, with small domains of learners, plans,
actions and claims, so that random choices are about as often wrong as right. A plain model
(:class:`Model`, dictionaries and sets, written from the issue's sentences, not from the
domain code) predicts for each command whether a rule forbids it and which code it must
fail with; the machine checks that prediction, that a refused command wrote nothing, and,
after every step, that the ledger's views of every trainer and session equal the model.

The rules proved: an action is added or updated only while its plan is open (and until it is
done or dropped); an evaluation only from a learner who attended, one each; a claim is
reimbursed at most once and only after approval, approved or rejected once; a trainer
delivers only after completing Train the Trainer (by the session's date) unless recorded as a
pilot trainer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from journey.application import JourneyLedger
from journey.errors import DomainError
from journey.persistence import store_env
from journey.staff_values import ActionStatus, Evaluation, Learner

__all__ = ["StaffMachine"]

TODAY = date(2024, 6, 1)
RECRUITED = date(2024, 1, 1)
STAFF = "staff-ula"
PILOT = "trainer-pilot"
TRAINERS = (PILOT, "trainer-ann", "trainer-bo")
SESSION_DATES = {"s1": date(2024, 2, 1), "s2": date(2024, 3, 1), "s3": date(2024, 5, 1)}
TTT_DATES = (date(2023, 12, 1), date(2024, 2, 1), date(2024, 4, 1))  # the first: too early
LEARNERS = ("l1", "l2", "l3")
PLANS = ("p1", "p2")
ACTIONS = ("a1", "a2")
CLAIMS = ("c1", "c2", "c3")
STATUSES: tuple[ActionStatus, ...] = ("in_progress", "done", "dropped")

trainers = st.sampled_from(TRAINERS)
sessions = st.sampled_from(sorted(SESSION_DATES))
learners = st.sampled_from(LEARNERS)
plans = st.sampled_from(PLANS)
actions = st.sampled_from(ACTIONS)
claims = st.sampled_from(CLAIMS)


@dataclass
class SessionModel:
    day: date
    trainers: tuple[str, ...]
    delivered: bool = False
    attended: set[str] = field(default_factory=set)
    evaluated: set[str] = field(default_factory=set)
    plans: dict[str, dict[str, str]] = field(default_factory=dict)  # plan -> action -> status
    closed: set[str] = field(default_factory=set)


@dataclass
class Model:
    trained: dict[str, date] = field(default_factory=dict)
    claims: dict[tuple[str, str], str] = field(default_factory=dict)  # -> status
    sessions: dict[str, SessionModel] = field(default_factory=dict)


class StaffMachine(RuleBasedStateMachine):
    tally: ClassVar[Counter[str] | None] = None

    def __init__(self) -> None:
        super().__init__()
        self.ledger = JourneyLedger(
            store_env("memory://", prefix="JOURNEYLEDGER"), clock=lambda: TODAY
        )
        self.ledger.define_programme(
            programme_id="ttt",
            name="Train the Trainer",
            session_count=1,
            attendance_threshold=1,
            actor=STAFF,
        )
        for trainer_id in TRAINERS:
            self.ledger.recruit_trainer(
                trainer_id=trainer_id,
                role_description="Service user trainer",
                recruited_on=RECRUITED,
                pilot=trainer_id == PILOT,
                actor=STAFF,
            )
        self.model = Model()

    def teardown(self) -> None:
        self.ledger.close()

    @classmethod
    def tallying(cls, tally: Counter[str]) -> type[StaffMachine]:
        return type("TallyingStaffMachine", (cls,), {"tally": tally})

    def _run(self, label: str, refusal: str | None, command: Callable[[], Any]) -> bool:
        """Run ``command``; ``refusal`` is the code the model says it must fail with (None:
        it must be accepted)."""
        head = self.ledger.recorder.max_notification_id()
        refused: DomainError | None = None
        try:
            command()
        except DomainError as error:
            refused = error
        if refused is not None:
            assert refusal is not None, f"{label} refused ({refused.code}: {refused}) but allowed"
            assert refused.code == refusal, f"{label} refused with {refused.code}, not {refusal}"
            assert self.ledger.recorder.max_notification_id() == head, f"refused {label} wrote"
        else:
            assert refusal is None, f"{label} accepted, but the model refuses it ({refusal})"
        accepted = refused is None
        if self.tally is not None:
            self.tally[f"{label}:{'accepted' if accepted else 'rejected'}"] += 1
        return accepted

    # -- set-up ---------------------------------------------------------------------------

    @initialize(
        teams=st.lists(
            st.lists(trainers, min_size=1, max_size=3, unique=True), min_size=3, max_size=3
        )
    )
    def plan_sessions(self, teams: list[list[str]]) -> None:
        for (session_id, day), team in zip(sorted(SESSION_DATES.items()), teams, strict=True):
            self.ledger.plan_staff_session(
                session_id=session_id,
                session_date=day,
                region="London",
                venue="Hall",
                trainers=team,
                learning_outcomes=["Involvement"],
                actor=STAFF,
            )
            self.model.sessions[session_id] = SessionModel(day, tuple(team))

    # -- trainers -------------------------------------------------------------------------

    @rule(trainer=trainers, on=st.sampled_from(TTT_DATES))
    def complete_train_the_trainer(self, trainer: str, on: date) -> None:
        refusal = (
            "invalid-value"
            if on < RECRUITED
            else "train-the-trainer-already-completed"
            if trainer in self.model.trained
            else None
        )
        if self._run(
            "complete_train_the_trainer",
            refusal,
            lambda: self.ledger.complete_train_the_trainer(
                trainer_id=trainer, programme_id="ttt", occurred_on=on, actor=STAFF
            ),
        ):
            self.model.trained[trainer] = on

    @rule(session=sessions)
    def deliver(self, session: str) -> None:
        s = self.model.sessions[session]
        qualified = all(
            t == PILOT or (t in self.model.trained and self.model.trained[t] <= s.day)
            for t in s.trainers
        )
        refusal = (
            "session-already-delivered"
            if s.delivered
            else None
            if qualified
            else "trainer-not-qualified"
        )
        if self._run(
            "deliver",
            refusal,
            lambda: self.ledger.deliver_staff_session(session_id=session, actor=STAFF),
        ):
            s.delivered = True

    # -- learners and evaluations ---------------------------------------------------------

    @rule(session=sessions, learner=learners, staff=st.booleans())
    def attend(self, session: str, learner: str, staff: bool) -> None:
        s = self.model.sessions[session]
        refusal = (
            "session-not-delivered"
            if not s.delivered
            else "learner-already-recorded"
            if learner in s.attended
            else None
        )
        record = Learner(learner, "staff" if staff else "service_user", "London", "Team A")
        if self._run(
            "attend",
            refusal,
            lambda: self.ledger.record_learners(session_id=session, learners=[record], actor=STAFF),
        ):
            s.attended.add(learner)

    @rule(session=sessions, learner=learners, rating=st.integers(1, 5))
    def evaluate(self, session: str, learner: str, rating: int) -> None:
        s = self.model.sessions[session]
        refusal = (
            "session-not-delivered"
            if not s.delivered
            else "evaluation-without-attendance"
            if learner not in s.attended
            else "evaluation-already-submitted"
            if learner in s.evaluated
            else None
        )
        form = Evaluation(learner, rating, (rating,), more_of="Listen")
        if self._run(
            "evaluate",
            refusal,
            lambda: self.ledger.submit_evaluations(
                session_id=session, evaluations=[form], occurred_on=s.day, actor=STAFF
            ),
        ):
            s.evaluated.add(learner)

    # -- action plans ---------------------------------------------------------------------

    def _open_plan(self, s: SessionModel, plan: str) -> str | None:
        if plan not in s.plans:
            return "action-plan-not-found"
        return "action-plan-closed" if plan in s.closed else None

    @rule(session=sessions, plan=plans)
    def agree_plan(self, session: str, plan: str) -> None:
        s = self.model.sessions[session]
        refusal = (
            "session-not-delivered"
            if not s.delivered
            else "action-plan-already-agreed"
            if plan in s.plans
            else None
        )
        if self._run(
            "agree_plan",
            refusal,
            lambda: self.ledger.agree_action_plan(
                session_id=session,
                plan_id=plan,
                team="Team A",
                project="Interview panels",
                occurred_on=s.day,
                actor=STAFF,
            ),
        ):
            s.plans[plan] = {}

    @rule(session=sessions, plan=plans, action=actions)
    def add_action(self, session: str, plan: str, action: str) -> None:
        s = self.model.sessions[session]
        refusal = self._open_plan(s, plan) or (
            "action-already-added" if action in s.plans[plan] else None
        )
        if self._run(
            "add_action",
            refusal,
            lambda: self.ledger.add_action(
                session_id=session,
                plan_id=plan,
                action_id=action,
                description="Do it",
                occurred_on=s.day,
                actor=STAFF,
            ),
        ):
            s.plans[plan][action] = "not_started"

    @rule(session=sessions, plan=plans, action=actions, status=st.sampled_from(STATUSES))
    def update_action(self, session: str, plan: str, action: str, status: ActionStatus) -> None:
        s = self.model.sessions[session]
        refusal = self._open_plan(s, plan) or (
            "action-not-found"
            if action not in s.plans[plan]
            else "action-finished"
            if s.plans[plan][action] in ("done", "dropped")
            else None
        )
        if self._run(
            "update_action",
            refusal,
            lambda: self.ledger.update_action(
                session_id=session,
                plan_id=plan,
                action_id=action,
                status=status,
                forum="supervision",
                occurred_on=s.day,
                actor=STAFF,
            ),
        ):
            s.plans[plan][action] = status

    @rule(session=sessions, plan=plans)
    def close_plan(self, session: str, plan: str) -> None:
        s = self.model.sessions[session]
        finished = (
            plan in s.plans
            and bool(s.plans[plan])
            and all(status in ("done", "dropped") for status in s.plans[plan].values())
        )
        refusal = self._open_plan(s, plan) or (None if finished else "action-plan-unfinished")
        if self._run(
            "close_plan",
            refusal,
            lambda: self.ledger.close_action_plan(
                session_id=session, plan_id=plan, occurred_on=s.day, actor=STAFF
            ),
        ):
            s.closed.add(plan)

    # -- expense claims -------------------------------------------------------------------

    def _claim_step(
        self,
        label: str,
        trainer: str,
        claim: str,
        allowed_from: str,
        command: Callable[[], Any],
        then: str,
    ) -> None:
        status = self.model.claims.get((trainer, claim))
        if status is None:
            refusal: str | None = "claim-not-found"
        elif status == allowed_from:
            refusal = None
        elif label == "reimburse":
            refusal = "claim-already-reimbursed" if status == "reimbursed" else "claim-not-approved"
        else:
            refusal = "claim-already-decided"
        if self._run(label, refusal, command):
            self.model.claims[(trainer, claim)] = then

    @rule(trainer=trainers, claim=claims, pence=st.integers(1, 5000))
    def claim(self, trainer: str, claim: str, pence: int) -> None:
        refusal = "claim-already-made" if (trainer, claim) in self.model.claims else None
        if self._run(
            "claim",
            refusal,
            lambda: self.ledger.claim_expense(
                trainer_id=trainer,
                claim_id=claim,
                category="travel",
                amount_pence=pence,
                occurred_on=date(2024, 3, 1),
                actor=STAFF,
            ),
        ):
            self.model.claims[(trainer, claim)] = "claimed"

    @rule(trainer=trainers, claim=claims)
    def approve(self, trainer: str, claim: str) -> None:
        self._claim_step(
            "approve",
            trainer,
            claim,
            "claimed",
            lambda: self.ledger.approve_expense(
                trainer_id=trainer, claim_id=claim, occurred_on=date(2024, 3, 2), actor=STAFF
            ),
            "approved",
        )

    @rule(trainer=trainers, claim=claims)
    def reject(self, trainer: str, claim: str) -> None:
        self._claim_step(
            "reject",
            trainer,
            claim,
            "claimed",
            lambda: self.ledger.reject_expense(
                trainer_id=trainer,
                claim_id=claim,
                reason="No receipt",
                occurred_on=date(2024, 3, 2),
                actor=STAFF,
            ),
            "rejected",
        )

    @rule(trainer=trainers, claim=claims)
    def reimburse(self, trainer: str, claim: str) -> None:
        self._claim_step(
            "reimburse",
            trainer,
            claim,
            "approved",
            lambda: self.ledger.reimburse_expense(
                trainer_id=trainer, claim_id=claim, occurred_on=date(2024, 3, 3), actor=STAFF
            ),
            "reimbursed",
        )

    # -- a guided step, so that short runs reach deep states --------------------------------

    @rule(session=sessions, choice=st.integers(0, 9))
    def advance(self, session: str, choice: int) -> None:
        """The natural next step of a session, through the rules above (so it is checked and
        counted like any other): train its trainers and deliver it, register a learner, or
        evaluate (now and then again, for a learner who already did)."""
        s = self.model.sessions[session]
        if not s.delivered:
            for trainer in s.trainers:
                if trainer != PILOT and trainer not in self.model.trained:
                    self.complete_train_the_trainer(trainer, TTT_DATES[1])
            self.deliver(session)
        elif len(s.attended) < len(LEARNERS) and choice < 5:
            self.attend(session, next(n for n in LEARNERS if n not in s.attended), choice < 3)
        elif s.attended:
            pool = sorted(s.attended if choice == 9 else (s.attended - s.evaluated) or s.attended)
            self.evaluate(session, pool[choice % len(pool)], 1 + choice % 5)

    @rule(session=sessions, choice=st.integers(0, 9))
    def follow_plan(self, session: str, choice: int) -> None:
        """The natural next step of a session's action plan: agree it, add an action, update
        an action, close the plan; and now and then try to go on with a closed plan."""
        s = self.model.sessions[session]
        if not s.delivered:
            self.advance(session, choice)
            return
        open_plans = [p for p in PLANS if p in s.plans and p not in s.closed]
        if not open_plans or (s.closed and choice >= 8):
            if s.closed and choice >= 7:
                plan = sorted(s.closed)[0]
                if choice == 7:
                    self.add_action(session, plan, ACTIONS[-1])
                else:
                    self.update_action(session, plan, sorted(s.plans[plan])[0], "in_progress")
            else:
                unused = [p for p in PLANS if p not in s.plans]
                self.agree_plan(session, unused[0] if unused else PLANS[choice % len(PLANS)])
            return
        plan = open_plans[0]
        steps = s.plans[plan]
        unfinished = [a for a, status in steps.items() if status not in ("done", "dropped")]
        if not steps or (len(steps) < len(ACTIONS) and choice < 3):
            self.add_action(session, plan, ACTIONS[len(steps)])
        elif unfinished:
            self.update_action(session, plan, unfinished[0], STATUSES[choice % 3])
        else:
            self.close_plan(session, plan)
            if choice % 2:  # and at once try to go on with it
                self.update_action(session, plan, sorted(steps)[0], "in_progress")
                self.add_action(session, plan, ACTIONS[-1])

    @rule(trainer=trainers, choice=st.integers(0, 9))
    def settle(self, trainer: str, choice: int) -> None:
        """The natural next step of one of a trainer's claims (claim, approve or reject,
        reimburse), and now and then a step again on a claim that has ended."""
        mine = sorted(c for t, c in self.model.claims if t == trainer)
        if not mine or (choice == 0 and len(mine) < len(CLAIMS)):
            self.claim(trainer, CLAIMS[len(mine)], 100 * (choice + 1))
            return
        claim = mine[choice % len(mine)]
        status = self.model.claims[(trainer, claim)]
        if status == "claimed":
            (self.reject if choice == 1 else self.approve)(trainer, claim)
            if choice >= 5:  # paid at once, and sometimes (by mistake) paid again
                self.reimburse(trainer, claim)
                if choice >= 8:
                    self.reimburse(trainer, claim)
        elif status == "approved" or choice % 2:
            self.reimburse(trainer, claim)
        else:
            self.approve(trainer, claim)

    # -- the ledger says what the model says ------------------------------------------------

    @invariant()
    def ledger_matches_the_model(self) -> None:
        for trainer_id in TRAINERS:
            view = self.ledger.get_trainer(trainer_id)
            assert view.trained_on == self.model.trained.get(trainer_id)
            assert {c.claim_id: c.status for c in view.claims} == {
                c: status for (t, c), status in self.model.claims.items() if t == trainer_id
            }
            reimbursed = [c for c in view.claims if c.status == "reimbursed"]
            assert all(c.decided_on is not None for c in reimbursed)  # approved first
        for session_id, s in self.model.sessions.items():
            view = self.ledger.get_staff_session(session_id)
            assert (view.delivered_on is not None) == s.delivered
            assert {learner.learner_id for learner in view.learners} == s.attended
            assert view.evaluations == len(s.evaluated)
            assert s.evaluated <= s.attended
            assert {
                p.plan_id: {a.action_id: a.status or "not_started" for a in p.actions}
                for p in view.plans
            } == s.plans
            assert {p.plan_id for p in view.plans if p.closed_on is not None} == s.closed
