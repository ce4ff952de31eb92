"""Guided journeys: steps by the book for one enrolment, with detours along the way.

Random commands alone seldom take an enrolment through a decision, submissions, two marks and
two moderations, so the machine's ``attend`` and ``assess`` rules walk one enrolment along in
legs (:class:`Leg`): a few steps *by the book* (the next step, with choices the rules allow,
dated today), then perhaps one *detour*: a command that departs from the book in one way that
fits the stage reached (the first marker marking again, external moderation first, a
certificate before a pass, a day recorded twice...). The guide only proposes commands: whether
one is refused is for the ledger to say, and whether what was recorded is lawful is for the
checker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from history_checker import AccreditationSpec
from hypothesis import strategies as st
from journey_world import ASSESSORS, COHORTS, TODAY, Place, results, statuses

from journey.state import Attempt, Enrolment
from journey.values import (
    COMPONENTS,
    ESSAY_FORMATS,
    MARK_STAGES,
    MODERATION_STAGES,
    CertificateKind,
    Component,
    EssayFormat,
    MarkStage,
    ModerationStage,
    Result,
    SessionStatus,
)

__all__ = ["Commands", "EnrolmentGuide", "Leg", "journeys"]

DAY = timedelta(days=1)


class Commands(Protocol):
    """The machine's command rules that moves issue."""

    def record_session(
        self, place: Place, session: int, status: SessionStatus, on: date | None
    ) -> None: ...
    def decide_accreditation(self, place: Place, choose: bool, on: date) -> None: ...
    def submit_log(self, place: Place, attempt: int, on: date) -> None: ...
    def submit_essay(
        self, place: Place, attempt: int, essay_format: EssayFormat, on: date
    ) -> None: ...
    def record_mark(
        self, place: Place, attempt: int, stage: MarkStage, marker: str, result: Result, on: date
    ) -> None: ...
    def record_moderation(
        self,
        place: Place,
        attempt: int,
        stage: ModerationStage,
        moderator: str,
        result: Result,
        on: date,
    ) -> None: ...
    def issue_certificate(self, place: Place, kind: CertificateKind, on: date) -> None: ...
    def withdraw(self, place: Place, on: date) -> None: ...


@dataclass(frozen=True)
class Leg:
    """A step or two by the book, then a few detours: for each number in ``detours``, the
    detour at that index (modulo their number) among those that fit the stage reached.
    ``result`` is every mark's and moderation's result in the leg; ``status`` every day's."""

    steps: int
    result: Result
    status: SessionStatus
    detours: list[int]


# Several legs in a row put detours all along an enrolment's way, not only at its end.
journeys = st.lists(
    st.builds(
        Leg,
        steps=st.integers(0, 1),
        result=results,
        status=statuses,
        detours=st.lists(st.integers(0, 419), max_size=3),
    ),
    min_size=1,
    max_size=8,
)

Step = Callable[[], None]


class EnrolmentGuide:
    """Where one enrolment stands, the step by the book from there, and the detours."""

    def __init__(self, commands: Commands, place: Place, enrolment: Enrolment) -> None:
        self.commands = commands
        self.place = place
        self.enrolment = enrolment
        self.cohort = COHORTS[place.cohort_id]
        self.latest: Attempt | None = enrolment.latest_attempt
        self.number = self.latest.number if self.latest is not None else 1
        offered = self.cohort.programme.accreditation
        # What the programme assesses and allows, in the ledger's vocabulary (empty: nothing).
        self.components = tuple(c for c in COMPONENTS if offered and c in offered.components)
        self.formats = tuple(f for f in ESSAY_FORMATS if offered and f in offered.essay_formats)
        self.first: Component = self.components[0] if self.components else "essay"

    # -- where the enrolment stands ---------------------------------------------------------

    @property
    def accreditation(self) -> AccreditationSpec | None:
        return self.cohort.programme.accreditation

    def stage(self) -> str:
        latest, accreditation = self.latest, self.accreditation
        if accreditation is None:
            return "unaccredited"
        if self.enrolment.accreditation != "chosen" and not self.enrolment.has_submitted:
            return "undecided"
        if latest is None or self.due(latest):
            return "submitting"
        if len(latest.marks) < 2:
            return "marking"
        if len(latest.moderations) < 2:
            return "moderating"
        return "passed" if latest.final_result == "pass" else "referred"

    def due(self, attempt: Attempt | None) -> list[Component]:
        submitted = attempt.submitted if attempt is not None else ()
        return [c for c in self.components if c not in submitted]

    def fresh(self) -> str:
        """Someone who has not marked or moderated the latest attempt."""
        involved = self.involved()
        return next((p for p in ASSESSORS if p not in involved), ASSESSORS[-1])

    def involved(self) -> list[str]:
        latest = self.latest
        return [*latest.markers, *latest.moderators] if latest is not None else []

    def open_days(self) -> list[int]:
        dates = enumerate(self.cohort.session_dates, start=1)
        since = self.enrolment.enrolled_on
        return [
            n for n, day in dates if self.enrolment.session(n) is None and since <= day <= TODAY
        ]

    # -- by the book ----------------------------------------------------------------------

    def assessment_step(self, result: Result, on: date = TODAY) -> None:
        """The next step of the assessment, if there is one (on an accredited programme)."""
        c, p, n, latest = self.commands, self.place, self.number, self.latest
        stage = self.stage()
        if stage == "undecided":
            c.decide_accreditation(p, choose=True, on=on)
        elif stage == "submitting":
            self.submit(n, self.due(latest)[0], on=on)
        elif stage == "marking" and latest is not None:
            open_stage = next(s for s in MARK_STAGES if latest.mark(s) is None)
            c.record_mark(p, n, open_stage, self.fresh(), result, on)
        elif stage == "moderating" and latest is not None:
            level = next(s for s in MODERATION_STAGES if latest.moderation(s) is None)
            c.record_moderation(p, n, level, self.fresh(), result, on)
        elif stage == "passed" and "accredited" not in self.enrolment.certificates:
            c.issue_certificate(p, kind="accredited", on=on)
        elif stage == "referred" and self.accreditation and n < self.accreditation.max_attempts:
            self.submit(n + 1, self.first, on=on)

    def attendance_step(self, status: SessionStatus) -> None:
        """Record the first day that can be recorded, or once none is left, the certificate."""
        open_days = self.open_days()
        if open_days:
            self.commands.record_session(self.place, open_days[0], status, on=None)
        elif "attendance" not in self.enrolment.certificates:
            self.commands.issue_certificate(self.place, kind="attendance", on=TODAY)

    def submit(
        self,
        attempt: int,
        component: Component,
        *,
        on: date = TODAY,
        essay_format: EssayFormat | None = None,
    ) -> None:
        """Submit ``component``; an essay in ``essay_format`` or else in an allowed one."""
        if component == "log":
            self.commands.submit_log(self.place, attempt=attempt, on=on)
            return
        chosen = essay_format or (self.formats[0] if self.formats else "written")
        self.commands.submit_essay(self.place, attempt, chosen, on=on)

    # -- detours ---------------------------------------------------------------------------

    def assessment_detours(self, result: Result) -> list[Step]:
        """Departures from the book that fit the stage of the assessment, and one that fits
        any stage: the next step dated on the enrolment day (before steps dated today)."""
        c, p, n, fresh = self.commands, self.place, self.number, self.fresh()
        latest = self.latest or Attempt(n)
        markers, moderators = latest.markers, latest.moderators
        first = self.first

        def mark(stage: MarkStage, marker: str) -> Step:
            return lambda: c.record_mark(p, n, stage, marker, result, TODAY)

        def moderate(level: ModerationStage, moderator: str) -> Step:
            return lambda: c.record_moderation(p, n, level, moderator, result, TODAY)

        def submit(
            attempt: int, component: Component, essay_format: EssayFormat | None = None
        ) -> Step:
            return lambda: self.submit(attempt, component, essay_format=essay_format)

        def decide(choose: bool) -> Step:
            return lambda: c.decide_accreditation(p, choose=choose, on=TODAY)

        def certify() -> None:
            c.issue_certificate(p, kind="accredited", on=TODAY)

        def hurried() -> None:
            """Mark as soon as the first component is in (too soon if there are two)."""
            submit(n, first)()
            mark("first", fresh)()

        stage = self.stage()
        if stage == "unaccredited":
            options = [decide(True), decide(False), submit(1, "log"), submit(1, "essay")]
        elif stage == "undecided":
            options = [decide(False), submit(1, first), certify]
        elif stage == "submitting":  # chosen; a component of the attempt is due
            options = [submit(n, self.not_due()), mark("first", fresh), mark("second", fresh)]
            if self.latest is None:
                options = [decide(True), submit(n, self.not_due()), submit(n + 1, first)]
                if len(self.components) > 1:
                    options.append(hurried)
            if len(self.formats) < len(ESSAY_FORMATS):
                options.append(submit(n, "essay", essay_format=self.disallowed_format()))
        elif stage == "marking":
            taken: MarkStage = next((s for s in MARK_STAGES if latest.mark(s)), "first")
            options = [
                mark(taken, fresh),
                mark("second", markers[0]) if markers else mark("first", fresh),
                moderate("internal", fresh),
                decide(False),
            ]
        elif stage == "moderating":
            options = [
                moderate("internal" if moderators else "external", fresh),
                moderate("external" if moderators else "internal", markers[-1]),
                moderate("external", moderators[0] if moderators else fresh),
                mark("first", fresh),
                submit(n + 1, first),
            ]
        elif stage == "passed":
            options = [
                certify,
                mark("second", fresh),
                moderate("external", fresh),
                submit(n + 1, first),
                lambda: c.withdraw(p, on=TODAY),  # done: later steps find the enrolment closed
            ]
        else:  # referred
            options = [
                certify,
                submit(n + 2, first),
                mark("first", fresh),
                moderate("external", fresh),
            ]
        on_enrolment_day = self.enrolment.enrolled_on
        backdated: Step = lambda: self.assessment_step(result, on=on_enrolment_day)  # noqa: E731
        return [*options, backdated]

    def not_due(self) -> Component:
        """A component not due on the latest attempt: submitted already, or not assessed."""
        due = self.due(self.latest)
        return next((c for c in COMPONENTS if c not in due), "essay")

    def disallowed_format(self) -> EssayFormat:
        return next((f for f in ESSAY_FORMATS if f not in self.formats), "poster")

    def attendance_detours(self) -> list[Step]:
        """Departures from the book for attendance: a day twice, a day after today or before
        the enrolment, a day that is not one, a day on another date, an early certificate."""
        c, p = self.commands, self.place
        days = self.cohort.session_dates
        recorded = [s.session for s in self.enrolment.sessions]
        later = [n for n, day in enumerate(days, 1) if day > TODAY]
        earlier = [n for n, day in enumerate(days, 1) if day < self.enrolment.enrolled_on]
        open_days = self.open_days()
        elsewhen = TODAY if open_days and days[open_days[0] - 1] != TODAY else TODAY - DAY

        def record(session: int, on: date | None = None) -> Step:
            return lambda: c.record_session(p, session, "attended", on)

        return [
            record(recorded[0] if recorded else 1),
            record(later[0] if later else len(days) + 1),
            record(earlier[0] if earlier else 0),
            record(len(days) + 1),
            record(open_days[0] if open_days else 1, on=elsewhen),
            lambda: c.issue_certificate(p, kind="attendance", on=TODAY),
        ]
