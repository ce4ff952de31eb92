"""Random VALID histories, written through :class:`JourneyLedger`'s public commands.

A :class:`HistoryWalk` issues one command per :meth:`HistoryWalk.step`, drawing every choice
from a :class:`Chooser`: a seeded :class:`random.Random` (:class:`SeededChooser`, for fixed
histories) or hypothesis's ``data`` (:class:`DataChooser`, so that a failing history shrinks).
Most commands are the natural next step of some enrolment (the next training day, the
accreditation decision, the next component, mark or moderation, a certificate), so that deep
states (referrals, second attempts, passes, credits) are reached in a hundred or so steps; a
few break a rule on purpose. A command the domain refuses with a :class:`DomainError` is
skipped (and must have written nothing: :meth:`HistoryWalk.step` checks the log's head).

The catalogue's two accredited programmes are used, plus a small custom programme without
accreditation; up to four cohorts across three calendar years; two markers, an internal and
an external moderator, and an interviewer who trained no cohort.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from hypothesis import strategies as st
from staff_walk import StaffWalk

from journey.application import JourneyLedger
from journey.catalogue import install_catalogue
from journey.corrections import AMENDABLE, fields_of
from journey.errors import DomainError
from journey.scales import WELLBEING_SCALES
from journey.state import Attempt, Enrolment, PersonalDetails
from journey.values import (
    ESSAY_FORMATS,
    FOLLOW_UP_METHODS,
    OUTCOME_CATEGORIES,
    OUTCOME_SOURCES,
    RESULTS,
    WELLBEING_TIMEPOINTS,
    Accreditation,
)
from journey.views import ParticipantView

__all__ = [
    "COHORTS",
    "CUSTOM_PROGRAMME",
    "PROGRAMMES",
    "TODAY",
    "Chooser",
    "CohortSpec",
    "DataChooser",
    "HistoryWalk",
    "SeededChooser",
]

TODAY = date(2024, 6, 1)
STAFF = "staff-cara"
MARKERS = {"first": "marker-mia", "second": "marker-noor"}
INTERNAL_MODERATOR = "moderator-pat"
EXTERNAL_MODERATOR = "examiner-quinn"
INTERVIEWER = "interviewer-rae"
CUSTOM_PROGRAMME = "drop-in-circle"
PROGRAMMES = ("voices-together", "peer-support", CUSTOM_PROGRAMME)

_T = TypeVar("_T")


def _weekly(first: date, count: int) -> tuple[date, ...]:
    return tuple(first + timedelta(weeks=n) for n in range(count))


@dataclass(frozen=True)
class CohortSpec:
    cohort_id: str
    programme_id: str
    location: str
    session_dates: tuple[date, ...]
    trainers: tuple[str, ...]


# The first two are always scheduled; a walk may schedule the others later on.
COHORTS = (
    CohortSpec(
        "vt-2021-grays",
        "voices-together",
        "Grays, Essex",
        _weekly(date(2021, 3, 3), 12),
        ("trainer-ana", "trainer-ben"),
    ),
    CohortSpec(
        "dc-2024-hull", CUSTOM_PROGRAMME, "Hull", _weekly(date(2024, 3, 6), 4), ("trainer-dee",)
    ),
    CohortSpec(
        "ps-2023-leeds",
        "peer-support",
        "Leeds",
        _weekly(date(2023, 9, 6), 12),
        ("trainer-cy", "trainer-ana"),
    ),
    CohortSpec(
        "vt-2023-basildon",
        "voices-together",
        "Basildon, Essex",
        _weekly(date(2023, 1, 11), 12),
        ("trainer-ben", "trainer-eve"),
    ),
)


class Chooser(Protocol):
    def integer(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high`` inclusive."""


class SeededChooser:
    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._rng = random.Random(seed)

    def fork(self) -> SeededChooser:
        """A second, independent generator (for the follower's choices), drawn from nothing:
        so the commands of a seeded history do not depend on the follower's choices, which
        depend on how many projections there are."""
        return SeededChooser(self._seed * 1_000_003 + 17)

    def integer(self, low: int, high: int) -> int:
        return self._rng.randint(low, high)


class DataChooser:
    """Choices drawn from hypothesis's ``st.data()``: they shrink towards 0."""

    def __init__(self, data: Any) -> None:
        self._data = data

    def integer(self, low: int, high: int) -> int:
        return int(self._data.draw(st.integers(low, high)))


def pick(chooser: Chooser, items: Sequence[_T]) -> _T:
    return items[chooser.integer(0, len(items) - 1)]


def chance(chooser: Chooser, percent: int) -> bool:
    return chooser.integer(0, 99) < percent


def weighted(chooser: Chooser, choices: Sequence[tuple[int, _T]]) -> _T:
    roll = chooser.integer(0, sum(weight for weight, _ in choices) - 1)
    for weight, choice in choices:
        if roll < weight:
            return choice
        roll -= weight
    raise AssertionError("unreachable")


@dataclass
class HistoryWalk:
    """Drives ``ledger`` with random valid commands (see the module docstring)."""

    ledger: JourneyLedger
    chooser: Chooser
    max_participants: int = 10
    namespace: str = "projection-tests"
    participants: list[UUID] = field(default_factory=list)
    scheduled: list[CohortSpec] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    accepted: int = 0
    rejected: int = 0
    # The percentage of steps that are staff-training commands (:mod:`staff_walk`); with 0,
    # the walk draws exactly what it drew before staff training existed.
    staff_share: int = 0

    def __post_init__(self) -> None:
        self._cohorts = {c.cohort_id: c for c in COHORTS}
        self._accreditations: dict[str, Accreditation | None] = {}
        self.staff = StaffWalk(self.ledger, self.chooser, TODAY) if self.staff_share else None

    # -- set-up -------------------------------------------------------------------------

    def set_up(self, cohorts: int = 2) -> None:
        """Define the programmes and schedule the first ``cohorts`` cohorts."""
        install_catalogue(self.ledger, actor=STAFF)
        self.ledger.define_programme(
            programme_id=CUSTOM_PROGRAMME,
            name="Drop-in peer circle",
            session_count=4,
            attendance_threshold=3,
            themes=("peer support",),
            accreditation=None,
            actor=STAFF,
        )
        self.log.append("catalogue and custom programme defined")
        if self.staff is not None:
            self.staff.set_up()
            self.log.append("trainers recruited, Train the Trainer defined")
        for _ in range(cohorts):
            self._schedule()

    @property
    def cohort_ids(self) -> list[str]:
        return [c.cohort_id for c in self.scheduled]

    @property
    def programme_ids(self) -> list[str]:
        return list(PROGRAMMES)

    # -- one command ----------------------------------------------------------------------

    def run(self, steps: int) -> None:
        for _ in range(steps):
            self.step()

    def step(self) -> bool:
        """Issue one command; True if the ledger accepted it."""
        ops: list[tuple[int, Callable[[], tuple[str, Callable[[], Any]] | None]]] = [
            (10, self._advance),
            (4, self._session),
            (2, self._enrol),
            (1, self._enrol_again),
            (1, self._schedule_next),
            (1, self._certificate),
            (1, self._withdraw),
            (2, self._outcome),
            (1, self._follow_up),
            (1, self._feedback),
            (1, self._wellbeing),
            (2, self._correct),
        ]
        if self.staff is not None and chance(self.chooser, self.staff_share):
            planned = self.staff.step()
        else:
            op = weighted(self.chooser, ops)
            planned = op() if self.participants or op == self._schedule_next else self._enrol()
        if planned is None:
            return False
        description, command = planned
        head = self.ledger.recorder.max_notification_id() or 0
        try:
            command()
        except DomainError as exc:
            self.rejected += 1
            after = self.ledger.recorder.max_notification_id() or 0
            assert after == head, f"a refused command wrote events: {description}"
            self.log.append(f"refused ({exc.code}): {description}")
            return False
        self.accepted += 1
        self.log.append(description)
        return True

    # -- choices --------------------------------------------------------------------------

    def _participant(self) -> tuple[UUID, ParticipantView]:
        """Some participant with an enrolment (a retraction may have taken someone's only
        one; if nobody has one, someone is enrolled again first)."""
        views = {pid: self.ledger.get_participant(pid) for pid in self.participants}
        enrolled = [pid for pid, view in views.items() if view.enrolments]
        if not enrolled:
            pid = self.participants[0]
            self.ledger.enrol_again(
                participant_id=pid,
                cohort_id=self.scheduled[0].cohort_id,
                enrolled_on=self._enrolled_on(self.scheduled[0]),
                actor=STAFF,
            )
            return pid, self.ledger.get_participant(pid)
        pid = pick(self.chooser, enrolled)
        return pid, views[pid]

    def _enrolment(self) -> tuple[UUID, Enrolment]:
        """Some enrolment, most often one not withdrawn from (a few tries)."""
        for _ in range(3):
            pid, view = self._participant()
            enrolment = pick(self.chooser, view.enrolments)
            if enrolment.withdrawn_on is None or chance(self.chooser, 10):
                break
        return pid, enrolment

    def _next_date(self, after: date, spread: int = 45) -> date:
        return min(TODAY, after + timedelta(days=self.chooser.integer(0, spread)))

    def _any_date(self, view: ParticipantView) -> date:
        first = min(e.enrolled_on for e in view.enrolments)
        return first + timedelta(days=self.chooser.integer(0, (TODAY - first).days))

    def _accreditation(self, programme_id: str) -> Accreditation | None:
        if programme_id not in self._accreditations:
            programme = self.ledger.get_programme(programme_id)
            self._accreditations[programme_id] = programme.accreditation
        return self._accreditations[programme_id]

    def _short(self, pid: UUID) -> str:
        return f"p{self.participants.index(pid)}"

    # -- operations (each returns a description and the command, or None) ---------------------

    def _schedule(self) -> None:
        spec = COHORTS[len(self.scheduled)]
        self.ledger.schedule_cohort(
            cohort_id=spec.cohort_id,
            programme_id=spec.programme_id,
            location=spec.location,
            session_dates=spec.session_dates,
            trainers=spec.trainers,
            actor=STAFF,
        )
        self.scheduled.append(spec)
        self.log.append(f"schedule {spec.cohort_id}")

    def _schedule_next(self) -> tuple[str, Callable[[], Any]] | None:
        if len(self.scheduled) == len(COHORTS):
            return None
        spec = COHORTS[len(self.scheduled)]

        def command() -> None:
            self.ledger.schedule_cohort(
                cohort_id=spec.cohort_id,
                programme_id=spec.programme_id,
                location=spec.location,
                session_dates=spec.session_dates,
                trainers=spec.trainers,
                actor=STAFF,
            )
            self.scheduled.append(spec)

        return f"schedule {spec.cohort_id}", command

    def _enrolled_on(self, spec: CohortSpec) -> date:
        return spec.session_dates[0] - timedelta(days=self.chooser.integer(0, 21))

    def _enrol(self) -> tuple[str, Callable[[], Any]] | None:
        if len(self.participants) >= self.max_participants:
            return self._session() if self.participants else None
        spec = pick(self.chooser, self.scheduled)
        number = len(self.participants)
        pid = uuid5(NAMESPACE_URL, f"{self.namespace}:participant-{number}")
        on = self._enrolled_on(spec)

        def command() -> None:
            self.ledger.enrol(
                cohort_id=spec.cohort_id,
                enrolled_on=on,
                details=PersonalDetails(name=f"Person {number}"),
                actor=STAFF,
                participant_id=pid,
            )
            self.participants.append(pid)

        return f"enrol p{number} on {spec.cohort_id} on {on}", command

    def _enrol_again(self) -> tuple[str, Callable[[], Any]] | None:
        pid, _ = self._participant()
        spec = pick(self.chooser, self.scheduled)
        on = self._enrolled_on(spec)
        return (
            f"enrol {self._short(pid)} again on {spec.cohort_id} on {on}",
            lambda: self.ledger.enrol_again(
                participant_id=pid, cohort_id=spec.cohort_id, enrolled_on=on, actor=STAFF
            ),
        )

    def _session(
        self, chosen: tuple[UUID, Enrolment] | None = None
    ) -> tuple[str, Callable[[], Any]] | None:
        pid, enrolment = chosen or self._enrolment()
        count = len(self._cohorts[enrolment.cohort_id].session_dates)
        recorded = {s.session for s in enrolment.sessions}
        open_days = [n for n in range(1, count + 1) if n not in recorded]
        if open_days and chance(self.chooser, 80):
            session = open_days[0]
        else:
            session = self.chooser.integer(1, count)
        status = "attended" if chance(self.chooser, 80) else "missed"
        reason = "unwell" if status == "missed" and chance(self.chooser, 50) else None
        return (
            f"{self._short(pid)} {status} day {session} of {enrolment.cohort_id}",
            lambda: self.ledger.record_session(
                participant_id=pid,
                cohort_id=enrolment.cohort_id,
                session=session,
                status=status,
                reason=reason,
                actor=self._cohorts[enrolment.cohort_id].trainers[0],
            ),
        )

    def _advance(self) -> tuple[str, Callable[[], Any]] | None:
        """The next step of some enrolment's accreditation path (one that offers it, most
        often: a few tries)."""
        for _ in range(3):
            pid, e = self._enrolment()
            if self._accreditation(e.programme_id) is not None:
                break
        who = f"{self._short(pid)} on {e.cohort_id}"
        common = {"participant_id": pid, "cohort_id": e.cohort_id}
        on = self._next_date(e.last_recorded_on)
        accreditation = self._accreditation(e.programme_id)
        if accreditation is None and chance(self.chooser, 80):
            return self._session((pid, e))
        if e.accreditation == "declined" and chance(self.chooser, 80):
            return self._session((pid, e))  # most who decline keep to their decision
        if accreditation is None or e.accreditation != "chosen":
            # a declined one changes their mind; an undecided one chooses or declines
            choose = e.accreditation == "declined" or chance(self.chooser, 75)
            return (
                f"{who}: {'choose' if choose else 'decline'} accreditation on {on}",
                lambda: self.ledger.decide_accreditation(
                    **common, choose=choose, occurred_on=on, actor=STAFF
                ),
            )
        latest = e.attempts[-1] if e.attempts else None
        if latest is None or latest.final_result == "refer":
            number = 1 if latest is None else latest.number + 1
            return self._submit(who, common, number, Attempt(number), accreditation, on)
        if latest.final_result == "pass":
            if "accredited" in e.certificates:
                return self._session((pid, e))
            return f"{who}: accredited certificate on {on}", lambda: self.ledger.issue_certificate(
                **common, kind="accredited", occurred_on=on, actor=STAFF
            )
        if len(latest.submitted) < len(accreditation.components):
            return self._submit(who, common, latest.number, latest, accreditation, on)
        missing = [s for s in ("first", "second") if latest.mark(s) is None]
        if missing:
            stage = pick(self.chooser, missing)
            marker = (
                MARKERS[stage]
                if chance(self.chooser, 90)
                else pick(self.chooser, list(MARKERS.values()))
            )
            result = "pass" if chance(self.chooser, 70) else "refer"
            return (
                f"{who}: {stage} mark {result} by {marker} on {on}",
                lambda: self.ledger.record_mark(
                    **common,
                    attempt=latest.number,
                    stage=stage,
                    result=result,
                    feedback=f"{stage} mark: thoughtful reflection",
                    occurred_on=on,
                    actor=marker,
                ),
            )
        stage = "internal" if latest.moderation("internal") is None else "external"
        moderator = INTERNAL_MODERATOR if stage == "internal" else EXTERNAL_MODERATOR
        if chance(self.chooser, 5):
            moderator = MARKERS["first"]  # a marker cannot moderate: refused
        result = "pass" if chance(self.chooser, 60) else "refer"
        return (
            f"{who}: {stage} moderation {result} by {moderator} on {on}",
            lambda: self.ledger.record_moderation(
                **common,
                attempt=latest.number,
                stage=stage,
                result=result,
                occurred_on=on,
                actor=moderator,
            ),
        )

    def _submit(
        self,
        who: str,
        common: dict[str, Any],
        number: int,
        attempt: Attempt,
        accreditation: Accreditation,
        on: date,
    ) -> tuple[str, Callable[[], Any]]:
        missing = [c for c in accreditation.components if not attempt.has_component(c)]
        component = pick(self.chooser, missing or list(accreditation.components))
        if component == "log":
            return f"{who}: log of attempt {number} on {on}", lambda: self.ledger.submit_log(
                **common, attempt=number, occurred_on=on, actor=STAFF
            )
        essay_format = pick(self.chooser, ESSAY_FORMATS)
        return (
            f"{who}: {essay_format} essay of attempt {number} on {on}",
            lambda: self.ledger.submit_essay(
                **common, attempt=number, essay_format=essay_format, occurred_on=on, actor=STAFF
            ),
        )

    def _certificate(self) -> tuple[str, Callable[[], Any]] | None:
        pid, e = self._enrolment()
        kind = "accredited" if e.passed and chance(self.chooser, 50) else "attendance"
        on = self._next_date(e.last_recorded_on)
        return (
            f"{self._short(pid)}: {kind} certificate on {e.cohort_id} on {on}",
            lambda: self.ledger.issue_certificate(
                participant_id=pid,
                cohort_id=e.cohort_id,
                kind=kind,
                occurred_on=on,
                actor=STAFF,
            ),
        )

    def _withdraw(self) -> tuple[str, Callable[[], Any]] | None:
        pid, e = self._enrolment()
        if chance(self.chooser, 60):
            return self._session((pid, e))
        on = self._next_date(e.last_recorded_on, spread=20)
        return (
            f"{self._short(pid)} withdraws from {e.cohort_id} on {on}",
            lambda: self.ledger.withdraw(
                participant_id=pid,
                cohort_id=e.cohort_id,
                occurred_on=on,
                reason="moved away",
                actor=STAFF,
            ),
        )

    def _outcome(self) -> tuple[str, Callable[[], Any]] | None:
        pid, view = self._participant()
        on = self._any_date(view)
        category = pick(self.chooser, OUTCOME_CATEGORIES)
        source = pick(self.chooser, OUTCOME_SOURCES)
        ended = (
            on + timedelta(days=self.chooser.integer(0, 400)) if chance(self.chooser, 40) else None
        )
        return (
            f"{self._short(pid)}: outcome {category} on {on} (ended {ended})",
            lambda: self.ledger.report_outcome(
                participant_id=pid,
                category=category,
                detail=f"{category} role",
                source=source,
                occurred_on=on,
                ended_on=ended,
                actor=STAFF,
            ),
        )

    def _follow_up(self) -> tuple[str, Callable[[], Any]] | None:
        pid, view = self._participant()
        on = self._any_date(view)
        method = pick(self.chooser, FOLLOW_UP_METHODS)
        return (
            f"{self._short(pid)}: follow-up by {method} on {on}",
            lambda: self.ledger.complete_follow_up(
                participant_id=pid, method=method, occurred_on=on, actor=STAFF
            ),
        )

    def _feedback(self) -> tuple[str, Callable[[], Any]] | None:
        pid, view = self._participant()
        on = self._any_date(view)
        cohort_id = (
            pick(self.chooser, view.enrolments).cohort_id if chance(self.chooser, 50) else None
        )
        interviewer = INTERVIEWER
        if chance(self.chooser, 10):  # a trainer of the course: refused
            interviewer = self._cohorts[view.enrolments[0].cohort_id].trainers[0]
        return (
            f"{self._short(pid)}: feedback to {interviewer} on {on}",
            lambda: self.ledger.record_feedback(
                participant_id=pid,
                quote="It gave me my voice back.",
                occurred_on=on,
                cohort_id=cohort_id,
                actor=interviewer,
            ),
        )

    def _wellbeing(self) -> tuple[str, Callable[[], Any]] | None:
        pid, view = self._participant()
        on = self._any_date(view)
        scale = pick(self.chooser, sorted(WELLBEING_SCALES))
        limits = WELLBEING_SCALES[scale]
        score = self.chooser.integer(limits.minimum, limits.maximum)
        timepoint = pick(self.chooser, WELLBEING_TIMEPOINTS)
        return (
            f"{self._short(pid)}: {scale} {score} at {timepoint} on {on}",
            lambda: self.ledger.measure_wellbeing(
                participant_id=pid,
                scale=scale,
                score=score,
                timepoint=timepoint,
                occurred_on=on,
                actor=STAFF,
            ),
        )

    def _correct(self) -> tuple[str, Callable[[], Any]] | None:
        """Retract or amend some event that stands (corrections the rules refuse included:
        a registration, a mark by someone else, a step with later steps on it)."""
        pid, _ = self._participant()
        standing = self.ledger.effective_events(pid)
        target = pick(self.chooser, standing)
        kind = type(target).__name__
        author = {"Marked": "marker", "Moderated": "moderator"}.get(kind)
        actor = getattr(target, author) if author and chance(self.chooser, 90) else STAFF
        version = target.originator_version
        amendable = sorted(AMENDABLE.get(kind, ()))
        if not amendable or chance(self.chooser, 40):
            return (
                f"{self._short(pid)}: retract v{version} ({kind}) as {actor}",
                lambda: self.ledger.retract_event(
                    participant_id=pid, corrects=version, reason="recorded in error", actor=actor
                ),
            )
        name = pick(self.chooser, amendable)
        changes = {name: self._amended_value(name, fields_of(target))}
        return (
            f"{self._short(pid)}: amend v{version} ({kind}) {changes} as {actor}",
            lambda: self.ledger.amend_event(
                participant_id=pid,
                corrects=version,
                changes=changes,
                reason="corrected from the paper form",
                actor=actor,
            ),
        )

    def _amended_value(self, name: str, original: dict[str, Any]) -> Any:
        value = original.get(name)
        if name in ("occurred_on", "ended_on") and isinstance(value, date):
            return value - timedelta(days=self.chooser.integer(0, 10))
        choices = {
            "result": RESULTS,
            "format": ESSAY_FORMATS,
            "category": OUTCOME_CATEGORIES,
            "source": OUTCOME_SOURCES,
            "method": FOLLOW_UP_METHODS,
            "timepoint": WELLBEING_TIMEPOINTS,
        }.get(name)
        if choices is not None:
            return pick(self.chooser, choices)
        if name == "score":
            return int(value) + pick(self.chooser, (-1, 1))
        if name == "ended_on":
            return None
        return f"{value or name} (corrected)"
