"""An independent oracle for the participant rules, read off a stored history.

Written from the domain's rule list, not from :mod:`journey.rules`: it walks a participant's
stored events in order, keeps its own small bookkeeping, and raises :class:`RuleBroken` at the
first event that the rules say could not have been recorded. "Before" and "after" in the nine
rules mean the order in which events were recorded. Dates are checked against "today", the
enrolment, and the two date rules added with them: a training day is recorded on its own
date; a mark, a moderation, a certificate or a withdrawal is not dated before the steps it
follows (the attempt's submissions for a mark; its submissions, marks and moderations for a
moderation; everything dated on the enrolment except decisions and certificates for the last
two).

The programmes and cohorts are described here by plain specs, so that the oracle depends on
nothing in the code under test but the stored events' names and fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = [
    "SCALE_RANGES",
    "AccreditationSpec",
    "CohortSpec",
    "ProgrammeSpec",
    "RuleBroken",
    "check_history",
]

# Rule 9: the valid range of each wellbeing scale's total score.
SCALE_RANGES: Mapping[str, tuple[int, int]] = {"WEMWBS": (14, 70), "SWEMWBS": (7, 35)}


@dataclass(frozen=True)
class AccreditationSpec:
    credits: int
    max_attempts: int
    components: tuple[str, ...]
    essay_formats: tuple[str, ...]


@dataclass(frozen=True)
class ProgrammeSpec:
    programme_id: str
    session_count: int
    attendance_threshold: int
    accreditation: AccreditationSpec | None


@dataclass(frozen=True)
class CohortSpec:
    cohort_id: str
    programme: ProgrammeSpec
    session_dates: tuple[date, ...]
    trainers: tuple[str, ...]


class RuleBroken(AssertionError):
    """A stored history contains an event that the rules forbid."""


def _require(condition: bool, rule: str, message: str) -> None:
    if not condition:
        raise RuleBroken(f"rule {rule}: {message}")


@dataclass
class _Attempt:
    components: set[str] = field(default_factory=set)
    markers: dict[str, str] = field(default_factory=dict)  # mark stage -> marker
    moderators: dict[str, str] = field(default_factory=dict)  # moderation stage -> moderator
    final: str | None = None  # the external moderation's result
    submitted_on: list[date] = field(default_factory=list)
    steps_on: list[date] = field(default_factory=list)  # submissions, marks and moderations


@dataclass
class _Enrolment:
    cohort: CohortSpec
    enrolled_on: date
    withdrawn: bool = False
    sessions: dict[int, str] = field(default_factory=dict)  # day number -> attended/missed
    dated: list[date] = field(default_factory=list)  # enrolment, sessions and attempts' steps
    decision: str | None = None
    attempts: dict[int, _Attempt] = field(default_factory=dict)
    certificates: set[str] = field(default_factory=set)

    @property
    def submitted(self) -> bool:
        return any(a.components for a in self.attempts.values())

    @property
    def passed(self) -> bool:
        return any(a.final == "pass" for a in self.attempts.values())

    def accreditation(self) -> AccreditationSpec:
        """The programme's accreditation; recording anything about one it lacks breaks rule 3."""
        offered = self.cohort.programme.accreditation
        _require(offered is not None, "3", f"{self.cohort.cohort_id} offers no accreditation")
        assert offered is not None
        return offered

    def follows(self, occurred_on: date, earlier: Iterable[date], what: str) -> None:
        """The added date rule: a step is not dated before the steps it follows."""
        latest = max(earlier, default=occurred_on)
        _require(occurred_on >= latest, "dates", f"dated {occurred_on}, before {what} ({latest})")

    def step(self, attempt: _Attempt, occurred_on: date) -> None:
        attempt.steps_on.append(occurred_on)
        self.dated.append(occurred_on)

    def attempt(self, number: int) -> _Attempt:
        found = self.attempts.get(number)
        _require(found is not None, "5", f"attempt {number} was never submitted")
        assert found is not None
        return found


class _Journey:
    """One participant's history, replayed event by event against the rules."""

    def __init__(self, cohorts: Mapping[str, CohortSpec], today: date) -> None:
        self.cohorts = cohorts
        self.today = today
        self.registered = False
        self.enrolments: dict[str, _Enrolment] = {}
        self.handlers: dict[str, Callable[[Any], None]] = {
            "Registered": self._registered,
            "Enrolled": self._enrolled,
            "SessionAttended": self._session,
            "SessionMissed": self._session,
            "AccreditationChosen": self._decision,
            "AccreditationDeclined": self._decision,
            "LogSubmitted": self._submission,
            "EssaySubmitted": self._submission,
            "Marked": self._marked,
            "Moderated": self._moderated,
            "CertificateIssued": self._certificate,
            "Withdrawn": self._withdrawn,
            "OutcomeReported": self._outcome,
            "FollowUpCompleted": self._after_enrolment,
            "FeedbackRecorded": self._feedback,
            "WellbeingMeasured": self._wellbeing,
        }

    def apply(self, event: Any) -> None:
        kind = type(event).__name__
        handler = self.handlers.get(kind)
        _require(handler is not None, "-", f"the checker does not know event type {kind}")
        assert handler is not None
        occurred_on: date | None = getattr(event, "occurred_on", None)
        if occurred_on is not None:
            _require(occurred_on <= self.today, "dates", f"dated {occurred_on}, after today")
        handler(event)

    # -- rule 1: the participant and their enrolments -------------------------------------

    def _registered(self, event: Any) -> None:
        _require(not self.registered, "1", "the participant is registered twice")
        self.registered = True

    def _enrolled(self, event: Any) -> None:
        cohort = self.cohorts.get(event.cohort_id)
        _require(cohort is not None, "1", f"unknown cohort {event.cohort_id}")
        assert cohort is not None
        _require(event.cohort_id not in self.enrolments, "1", "enrolled twice on one cohort")
        _require(
            event.programme_id == cohort.programme.programme_id,
            "1",
            f"enrolment names programme {event.programme_id}, not the cohort's",
        )
        self.enrolments[event.cohort_id] = _Enrolment(cohort, event.occurred_on)
        self.enrolments[event.cohort_id].dated.append(event.occurred_on)

    def _course(self, event: Any) -> _Enrolment:
        """Rule 1 and the enrolment date, for every event that belongs to one enrolment."""
        enrolment = self.enrolments.get(event.cohort_id)
        _require(enrolment is not None, "1", f"not enrolled on {event.cohort_id}")
        assert enrolment is not None
        _require(not enrolment.withdrawn, "1", f"recorded after withdrawal from {event.cohort_id}")
        _require(
            event.occurred_on >= enrolment.enrolled_on,
            "dates",
            f"dated {event.occurred_on}, before the enrolment on {enrolment.enrolled_on}",
        )
        return enrolment

    def _withdrawn(self, event: Any) -> None:
        enrolment = self._course(event)
        enrolment.follows(event.occurred_on, enrolment.dated, "the last course event")
        enrolment.withdrawn = True

    def _after_enrolment(self, event: Any) -> None:
        """Outcomes, follow-ups, feedback and wellbeing: any time after the first enrolment."""
        _require(bool(self.enrolments), "1", "recorded for a participant never enrolled")
        first = min(e.enrolled_on for e in self.enrolments.values())
        _require(event.occurred_on >= first, "1", f"dated before the first enrolment ({first})")

    # -- rule 2: training days --------------------------------------------------------------

    def _session(self, event: Any) -> None:
        enrolment = self._course(event)
        days = enrolment.cohort.session_dates
        _require(1 <= event.session <= len(days), "2", f"no training day {event.session}")
        day = days[event.session - 1]
        _require(day <= self.today, "2", f"day {event.session} ({day}) is after today")
        _require(day >= enrolment.enrolled_on, "2", f"day {event.session} precedes the enrolment")
        _require(event.session not in enrolment.sessions, "2", f"day {event.session} twice")
        _require(event.occurred_on == day, "2", f"day {event.session} recorded as on another day")
        enrolment.sessions[event.session] = type(event).__name__
        enrolment.dated.append(event.occurred_on)

    # -- rule 3: the accreditation decision ---------------------------------------------------

    def _decision(self, event: Any) -> None:
        enrolment = self._course(event)
        enrolment.accreditation()
        decision = "chosen" if type(event).__name__ == "AccreditationChosen" else "declined"
        _require(not enrolment.submitted, "3", "the decision changed after a submission")
        _require(enrolment.decision != decision, "3", f"already {decision}: not a change")
        enrolment.decision = decision

    # -- rule 4: submissions ------------------------------------------------------------------

    def _submission(self, event: Any) -> None:
        enrolment = self._course(event)
        accreditation = enrolment.accreditation()
        component = "log" if type(event).__name__ == "LogSubmitted" else "essay"
        number: int = event.attempt
        _require(enrolment.decision == "chosen", "4", "submitted without choosing accreditation")
        _require(component in accreditation.components, "4", f"a {component} is not assessed")
        _require(not enrolment.passed, "6", "submitted after a final pass")
        _require(1 <= number <= accreditation.max_attempts, "4", f"attempt {number} of none")
        if number not in enrolment.attempts:
            previous = enrolment.attempts.get(number - 1)
            _require(
                number == 1 or (previous is not None and previous.final == "refer"),
                "4",
                f"attempt {number} starts without attempt {number - 1} referred",
            )
        attempt = enrolment.attempts.setdefault(number, _Attempt())
        _require(component not in attempt.components, "4", f"{component} {number} twice")
        if component == "essay":
            _require(event.format in accreditation.essay_formats, "4", f"format {event.format}")
        attempt.components.add(component)
        attempt.submitted_on.append(event.occurred_on)
        enrolment.step(attempt, event.occurred_on)

    # -- rule 5: marking ------------------------------------------------------------------------

    def _marked(self, event: Any) -> None:
        enrolment = self._course(event)
        accreditation = enrolment.accreditation()
        attempt = enrolment.attempt(event.attempt)
        missing = set(accreditation.components) - attempt.components
        _require(not missing, "5", f"marked with {sorted(missing)} not submitted")
        _require(not enrolment.passed, "6", "marked after a final pass")
        _require(attempt.final is None, "6", "marked after the final result")
        _require(event.stage not in attempt.markers, "5", f"a second {event.stage} mark")
        _require(event.marker not in attempt.markers.values(), "5", "one person marked twice")
        enrolment.follows(event.occurred_on, attempt.submitted_on, "the last submission")
        attempt.markers[event.stage] = event.marker
        enrolment.step(attempt, event.occurred_on)

    # -- rule 6: moderation, the final result and credits ------------------------------------

    def _moderated(self, event: Any) -> None:
        enrolment = self._course(event)
        accreditation = enrolment.accreditation()
        attempt = enrolment.attempt(event.attempt)
        _require(len(attempt.markers) == 2, "6", "moderated before both marks")
        _require(event.stage not in attempt.moderators, "6", f"moderated {event.stage} twice")
        _require(event.moderator not in attempt.markers.values(), "6", "a marker moderated")
        if event.stage == "external":
            internal = attempt.moderators.get("internal")
            _require(internal is not None, "6", "external moderation before internal")
            _require(event.moderator != internal, "6", "the internal moderator moderated again")
            attempt.final = event.result
        final_pass = event.stage == "external" and event.result == "pass"
        expected = accreditation.credits if final_pass else 0
        _require(event.credits == expected, "6", f"{event.credits} credits, not {expected}")
        enrolment.follows(event.occurred_on, attempt.steps_on, "the attempt's previous step")
        attempt.moderators[event.stage] = event.moderator
        enrolment.step(attempt, event.occurred_on)

    # -- rule 7: certificates ----------------------------------------------------------------

    def _certificate(self, event: Any) -> None:
        enrolment = self._course(event)
        _require(event.kind not in enrolment.certificates, "7", f"a second {event.kind}")
        if event.kind == "attendance":
            attended = sum(1 for s in enrolment.sessions.values() if s == "SessionAttended")
            threshold = enrolment.cohort.programme.attendance_threshold
            _require(attended >= threshold, "7", f"{attended} days attended of {threshold}")
        else:
            _require(enrolment.passed, "7", "an accredited certificate without a final pass")
        enrolment.follows(event.occurred_on, enrolment.dated, "the last course event")
        enrolment.certificates.add(event.kind)

    # -- after the course: outcomes, feedback (rule 8), wellbeing (rule 9) --------------------

    def _outcome(self, event: Any) -> None:
        self._after_enrolment(event)
        ended_on: date | None = event.ended_on
        _require(ended_on is None or ended_on >= event.occurred_on, "-", "ended before it began")

    def _feedback(self, event: Any) -> None:
        self._after_enrolment(event)
        if event.cohort_id is None:
            cohorts: Iterable[_Enrolment] = self.enrolments.values()
        else:
            named = self.enrolments.get(event.cohort_id)
            _require(named is not None, "1", f"feedback on {event.cohort_id}, not enrolled")
            assert named is not None
            cohorts = (named,)
        trained = {t for e in cohorts for t in e.cohort.trainers}
        _require(event.interviewer not in trained, "8", f"{event.interviewer} trained them")

    def _wellbeing(self, event: Any) -> None:
        self._after_enrolment(event)
        limits = SCALE_RANGES.get(event.scale)
        _require(limits is not None, "9", f"unknown scale {event.scale}")
        assert limits is not None
        low, high = limits
        _require(low <= event.score <= high, "9", f"{event.scale} score {event.score}")
        _require((event.minimum, event.maximum) == limits, "9", "the scale's range is wrong")


def check_history(events: Iterable[Any], cohorts: Mapping[str, CohortSpec], today: date) -> None:
    """Raise :class:`RuleBroken` if any event in a participant's stored history (in recorded
    order) breaks a rule; the message names the event's position and type."""
    journey = _Journey(cohorts, today)
    for position, event in enumerate(events, start=1):
        try:
            journey.apply(event)
        except RuleBroken as broken:
            raise RuleBroken(f"event {position} ({type(event).__name__}): {broken}") from None
