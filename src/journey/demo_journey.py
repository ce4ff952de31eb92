"""One demo participant's journey (:mod:`journey.demo`), told through the ledger's commands.

A :class:`Journey` plans every command with the date it is recorded on, then runs them in that
order, so the stream reads as if the charity had kept the record as things happened. A
participant's :data:`Role` decides how far they go: the assessed roles submit both components
and stop at a given stage of the assessment; the others decline, choose and never submit, stay
undecided, or withdraw. Outcomes, follow-ups, quotes and wellbeing follow completed courses.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import partial
from typing import Literal
from uuid import UUID

from journey import demo_text as text
from journey.application import JourneyLedger
from journey.state import PersonalDetails
from journey.values import (
    CertificateKind,
    CohortPlan,
    EssayFormat,
    FollowUpMethod,
    OutcomeCategory,
    OutcomeSource,
    Result,
    SessionStatus,
    WellbeingTimepoint,
)
from journey.views import Recorded

__all__ = ["ASSESSED", "Journey", "OutcomeDeck", "Role"]

Role = Literal[
    "pass", "refer_pass", "await_first", "await_second", "await_internal", "await_external",
    "declined", "chose", "undecided", "withdrawn",
]  # fmt: skip
# The roles that submit, and how many stages of assessment (first and second mark, internal
# and external moderation) their last attempt has been through: 4 is a final pass.
ASSESSED: dict[Role, int] = {
    "pass": 4, "refer_pass": 4, "await_first": 0, "await_second": 1, "await_internal": 2,
    "await_external": 3,
}  # fmt: skip
_LASTING: frozenset[OutcomeCategory] = frozenset(
    {"chair", "treasurer", "board_member", "employment", "leadership_role", "volunteering"}
)


class OutcomeDeck:
    """Outcome categories dealt from a shuffled deck holding each as often as its weight, so
    that every category turns up across the demo and the common ones stay common."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._cards: list[OutcomeCategory] = []

    def deal(self) -> OutcomeCategory:
        if not self._cards:
            self._cards = [c for c, n in text.OUTCOME_WEIGHTS.items() for _ in range(n)]
            self._rng.shuffle(self._cards)
        return self._cards.pop()


class Journey:
    """One participant on one cohort: plan the commands, then :meth:`load` them."""

    def __init__(
        self,
        ledger: JourneyLedger,
        rng: random.Random,
        plan: CohortPlan,
        *,
        today: date,
        participant_id: UUID,
        outcomes: OutcomeDeck,
        essay_format: EssayFormat = "written",
    ) -> None:
        self.ledger, self.rng, self.plan, self.today = ledger, rng, plan, today
        self.pid, self.outcomes = participant_id, outcomes
        self.cohort_id = plan.cohort_id
        self.staff = rng.choice(text.COORDINATORS)
        self.essay_format = essay_format
        self._steps: list[tuple[date, int, date, partial[Recorded]]] = []

    def load(self, details: PersonalDetails, role: Role) -> int:
        """Enrol the participant, record their journey, and return the events written."""
        plan, rng = self.plan, self.rng
        self.ledger.enrol(
            cohort_id=self.cohort_id,
            enrolled_on=plan.session_dates[0] - timedelta(days=rng.randint(7, 35)),
            details=details,
            actor=self.staff,
            participant_id=self.pid,
        )
        finished = plan.last_day <= self.today
        score = round(rng.gauss(41, 7)) if rng.random() < 0.55 else None
        if score is not None:
            self._wellbeing(plan.session_dates[0], score, "baseline", self.staff)
        held, attended = self._attend(role, finished)
        self._decide(role, held)
        if role == "withdrawn":
            reason = rng.choice(text.WITHDRAWAL_REASONS)
            when = self._after(plan.session_dates[held[-1] - 1], 1, 6)
            self._at(
                when,
                partial(
                    self.ledger.withdraw, cohort_id=self.cohort_id, reason=reason, actor=self.staff
                ),
            )
        elif finished:
            if score is not None:
                score += round(rng.gauss(5, 4))
                self._wellbeing(plan.last_day, score, "end", self.staff)
            if attended >= plan.programme.attendance_threshold:
                self._certificate("attendance", self._after(plan.last_day, 7, 21))
            if role in ASSESSED:
                self._assess(role)
        if finished:
            self._follow_up(role, score)
        version = 1
        for _, _, occurred_on, command in sorted(self._steps, key=lambda s: (s[0], s[1])):
            version = command(participant_id=self.pid, occurred_on=occurred_on).version
        return version

    def _at(self, when: date, command: partial[Recorded], occurred_on: date | None = None) -> None:
        """Record ``command`` on ``when``; what it records happened on ``occurred_on``."""
        self._steps.append((when, len(self._steps), occurred_on or when, command))

    def _after(self, day: date, low: int, high: int) -> date:
        return min(day + timedelta(days=self.rng.randint(low, high)), self.today)

    def _attend(self, role: Role, finished: bool) -> tuple[list[int], int]:
        """Record the training days held so far; return them and the number attended."""
        rng, plan = self.rng, self.plan
        held = [n for n, day in enumerate(plan.session_dates, 1) if day <= self.today]
        if role == "withdrawn":
            held = held[: rng.randint(2, 6)]
        if finished:
            misses = (0, 0, 1, 1, 2) if role in ASSESSED else (0, 1, 1, 2, 2, 3, 4)
            missed = set(rng.sample(held, min(rng.choice(misses), len(held) - 1)))
        else:
            missed = {n for n in held if rng.random() < 0.1}
        for n in held:
            status: SessionStatus = "missed" if n in missed else "attended"
            reason = rng.choice(text.MISSED_REASONS) if n in missed else None
            # The trainers take the register.
            self._at(
                plan.session_dates[n - 1],
                partial(
                    self.ledger.record_session,
                    cohort_id=self.cohort_id,
                    session=n,
                    status=status,
                    reason=reason,
                    actor=rng.choice(plan.trainers),
                ),
            )
        return held, len(held) - len(missed)

    def _decide(self, role: Role, held: list[int]) -> None:
        rng, dates = self.rng, self.plan.session_dates
        decide = partial(self.ledger.decide_accreditation, cohort_id=self.cohort_id)
        if role == "undecided" or (role == "withdrawn" and rng.random() < 0.6):
            return
        if role == "declined" and len(held) >= 4 and rng.random() < 0.3:
            # Unsure at first: chose, then declined part-way through.
            self._at(dates[rng.randint(1, 2)], partial(decide, choose=True, actor=self.staff))
            later = dates[rng.randint(3, len(held) - 1)]
            self._at(later, partial(decide, choose=False, actor=self.staff))
            return
        day = dates[rng.choice(held[1:10] or held) - 1]
        self._at(day, partial(decide, choose=role != "declined", actor=self.staff))

    def _assess(self, role: Role) -> None:
        late = role == "await_first" and self.rng.random() < 0.8  # after an extension
        when = self._after(self.plan.last_day, *((60, 100) if late else (20, 50)))
        if role == "refer_pass":
            referred = self._attempt(1, when, "refer", 4)
            when = self._after(referred, 45, 90)
        final = self._attempt(2 if role == "refer_pass" else 1, when, "pass", ASSESSED[role])
        if ASSESSED[role] == 4:
            self._certificate("accredited", self._after(final, 10, 30))

    def _attempt(self, number: int, when: date, result: Result, stages: int) -> date:
        """Submit both components of an attempt and take it through ``stages`` stages of
        assessment; return the date of the last step."""
        rng, ledger, cohort, staff = self.rng, self.ledger, self.cohort_id, self.staff
        self._at(when, partial(ledger.submit_log, cohort_id=cohort, attempt=number, actor=staff))
        when = self._after(when, 0, 7)
        self._at(
            when,
            partial(
                ledger.submit_essay,
                cohort_id=cohort,
                attempt=number,
                essay_format=self.essay_format,
                actor=staff,
            ),
        )
        markers = rng.sample(text.MARKERS, 2)
        feedback = text.MARK_FEEDBACK if result == "pass" else text.REFER_FEEDBACK
        mark = partial(ledger.record_mark, cohort_id=cohort, attempt=number, result=result)
        moderate = partial(
            ledger.record_moderation, cohort_id=cohort, attempt=number, result=result
        )
        steps = (
            partial(mark, stage="first", actor=markers[0], feedback=rng.choice(feedback)),
            partial(mark, stage="second", actor=markers[1], feedback=rng.choice(feedback)),
            partial(moderate, stage="internal", actor=text.INTERNAL_MODERATOR),
            partial(moderate, stage="external", actor=text.EXTERNAL_MODERATOR),
        )
        gaps = ((14, 30), (7, 21), (14, 28), (30, 60))
        for step, gap in zip(steps[:stages], gaps, strict=False):
            when = self._after(when, *gap)
            self._at(when, step)
        return when

    def _certificate(self, kind: CertificateKind, when: date) -> None:
        self._at(
            when,
            partial(
                self.ledger.issue_certificate, cohort_id=self.cohort_id, kind=kind, actor=self.staff
            ),
        )

    def _wellbeing(self, when: date, score: int, point: WellbeingTimepoint, actor: str) -> None:
        self._at(
            when,
            partial(
                self.ledger.measure_wellbeing,
                scale="WEMWBS",
                score=max(14, min(70, score)),
                timepoint=point,
                actor=actor,
            ),
        )

    def _follow_up(self, role: Role, score: int | None) -> None:
        """Review contacts in the years after the course, what they found, what staff saw."""
        rng, last, ledger = self.rng, self.plan.last_day, self.ledger
        keen = role in ("pass", "refer_pass")
        for low, high, chance in ((150, 330, 0.75), (450, 800, 0.5)):
            when = last + timedelta(days=rng.randint(low, high))
            if when > self.today or rng.random() > chance * (0.5 if role == "withdrawn" else 1):
                continue
            phoned = rng.random() < 0.6
            actor = rng.choice(text.INTERVIEWERS) if phoned else self.staff
            method: FollowUpMethod = "telephone_interview" if phoned else "survey"
            self._at(when, partial(ledger.complete_follow_up, method=method, actor=actor))
            # Otherwise the contact found nothing to report: silence is not a "no".
            if rng.random() < (0.8 if keen else 0.55):
                source: OutcomeSource = "interview" if phoned else "self_report"
                for _ in range(rng.choice((1, 1, 2))):
                    start = last + timedelta(days=rng.randint(30, (when - last).days - 14))
                    self._outcome(when, start, source, actor, self.outcomes.deal())
            if phoned and rng.random() < 0.7:
                quote = rng.randrange(len(text.QUOTES))
                self._at(
                    when,
                    partial(
                        ledger.record_feedback,
                        quote=text.QUOTES[quote],
                        category=text.QUOTE_CATEGORIES[quote],
                        cohort_id=self.cohort_id,
                        actor=actor,
                    ),
                )
            if score is not None:
                self._wellbeing(when, score + round(rng.gauss(1, 4)), "follow_up", actor)
                score = None
        if rng.random() < (0.5 if keen else 0.2):
            when = last + timedelta(days=rng.randint(60, 900))
            seen: OutcomeCategory = rng.choice(("speaking", "co_facilitating"))
            if when <= self.today:
                self._outcome(when, when, "staff_observation", self.staff, seen)

    def _outcome(
        self, when: date, start: date, source: OutcomeSource, actor: str, kind: OutcomeCategory
    ) -> None:
        """Report on ``when`` an outcome that began on ``start`` (a role may have ended)."""
        rng, ended = self.rng, None
        if kind in _LASTING and (when - start).days > 120 and rng.random() < 0.5:
            ended = start + timedelta(days=rng.randint(90, (when - start).days))
        detail = rng.choice(text.OUTCOME_DETAILS[kind])
        self._at(
            when,
            partial(
                self.ledger.report_outcome,
                category=kind,
                detail=detail,
                source=source,
                ended_on=ended,
                actor=actor,
            ),
            occurred_on=start,
        )
