"""A hypothesis state machine that drives the real :class:`JourneyLedger` with random commands.

Each command rule calls one application command with arguments drawn from the small domains of
:mod:`journey_world`, aimed at a place that was enrolled or at any participant and cohort. A
:class:`~journey.errors.DomainError` is an allowed answer (the command was refused); any other
exception fails the run. The ``attend`` and ``assess`` rules issue a few of those commands in a
row for one enrolment (see :mod:`journey_moves`), so that runs of a few dozen steps reach
passes, referrals, second attempts and certificates.

Checked on every command: a refused command wrote nothing (the stream is the same, event for
event, and nothing else was written to the store); an accepted one appended exactly its events
and left a history the independent checker (:mod:`history_checker`) accepts. Checked after
every step (invariants): every stored history passes the checker; the state loaded through the
application, which starts from a snapshot when there is one (``take_snapshot`` makes them),
equals a replay of the stored events from scratch; the accreditation funnel never runs
backwards, and credits are awarded exactly on a final pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import reduce
from typing import Any, ClassVar, NamedTuple
from uuid import UUID

from history_checker import check_history
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)
from journey_moves import EnrolmentGuide, Leg, journeys
from journey_world import (
    ACCREDITED_COHORTS,
    COHORTS,
    PARTICIPANTS,
    STAFF,
    TODAY,
    UNACCREDITED_COHORT,
    Place,
    assessors,
    attempts,
    build_ledger,
    cohort_ids,
    dates,
    essay_formats,
    interviewers,
    mark_stages,
    moderation_stages,
    participants,
    results,
    scales,
    scores,
    sessions,
    starts,
    statuses,
)

from journey.errors import DomainError
from journey.participant import Participant
from journey.state import PersonalDetails
from journey.values import CertificateKind, EssayFormat, MarkStage, ModerationStage, Result
from journey.values import SessionStatus as Status
from journey.views import ParticipantView

__all__ = ["JourneyMachine"]


class JourneyMachine(RuleBasedStateMachine):
    """Random journeys of three participants over three cohorts (see the module docstring)."""

    # Counts "command:accepted" and "command:rejected" when a test asks (see tallying()).
    tally: ClassVar[Counter[str] | None] = None

    enrolments = Bundle("enrolments")  # the places of accepted enrolments
    # A course command's place: half the time one that was enrolled (perhaps withdrawn since),
    # else any participant and cohort (perhaps not registered, perhaps not enrolled).
    places = st.one_of(enrolments, st.builds(Place, participants, cohort_ids))
    # An after-course command's participant: likewise, half the time one who was enrolled.
    people = st.one_of(enrolments.map(lambda place: place.participant), participants)

    def __init__(self) -> None:
        super().__init__()
        self.ledger = build_ledger()
        self.snapshotted: dict[UUID, int] = {}  # the version each journey was last snapshotted
        self._read: tuple[int | None, list[Journey]] | None = None  # see _journeys()
        self._views: dict[UUID, tuple[int | None, ParticipantView]] = {}  # see _guide()

    def teardown(self) -> None:
        self.ledger.close()

    @classmethod
    def tallying(cls, tally: Counter[str]) -> type[JourneyMachine]:
        """A subclass that counts each command's accepted and refused calls in ``tally``."""
        return type("TallyingJourneyMachine", (cls,), {"tally": tally})

    # -- running a command ------------------------------------------------------------------

    def _stream(self, participant: UUID) -> list[Any]:
        return list(self.ledger.events.get(participant))

    def _existing(self) -> list[UUID]:
        return [p for p in PARTICIPANTS if self.ledger.participant_exists(p)]

    def _run(
        self, label: str, participant: UUID, command: Callable[[], object], *, appends: int = 1
    ) -> bool:
        """Run ``command``: True if accepted (it appended ``appends`` events to the journey, and
        the history is still lawful), False if refused with a DomainError (it wrote nothing)."""
        before = self._stream(participant)
        position = self.ledger.recorder.max_notification_id()
        try:
            command()
        except DomainError:
            accepted = False
            assert self._stream(participant) == before, f"refused {label} changed the stream"
            last = self.ledger.recorder.max_notification_id()
            assert last == position, f"refused {label} wrote to the store"
        else:
            accepted = True
            after = self._stream(participant)
            assert after[: len(before)] == before, f"{label} changed recorded events"
            assert len(after) == len(before) + appends, f"{label} appended {after[len(before) :]}"
            check_history(after, COHORTS, TODAY)  # judged at once: the guides read the state
        if self.tally is not None:
            self.tally[f"{label}:{'accepted' if accepted else 'rejected'}"] += 1
        return accepted

    # -- enrolment and withdrawal -----------------------------------------------------------

    @initialize(target=enrolments, on=st.lists(starts, min_size=3, max_size=3))
    def first_enrolments(self, on: list[date]) -> MultipleResults[Place]:
        """Start with participant 0 enrolled on both accredited cohorts, where most of the
        rules apply (on dates not after today), so that ``places`` always has a place to draw
        and the assessment rules always have both kinds of accreditation to work on; and
        participant 1 on a cohort that offers none, so that the rules refusing accreditation
        work there are tried from the start (left to chance, a mutant without that guard went
        unnoticed for 250 examples under one version of hypothesis)."""
        first, second = ACCREDITED_COHORTS
        enrolled = self.enrol(PARTICIPANTS[0], first, on[0])
        again = self.enrol_again(PARTICIPANTS[0], second, on[1])
        unaccredited = self.enrol(PARTICIPANTS[1], UNACCREDITED_COHORT, on[2])
        return multiple(*enrolled.values, *again.values, *unaccredited.values)

    @rule(target=enrolments, participant=participants, cohort_id=cohort_ids, on=dates)
    def enrol(self, participant: UUID, cohort_id: str, on: date) -> MultipleResults[Place]:
        details = PersonalDetails(name=f"Participant {PARTICIPANTS.index(participant)}")
        enrolled = self._run(
            "enrol",
            participant,
            lambda: self.ledger.enrol(
                participant_id=participant,
                cohort_id=cohort_id,
                enrolled_on=on,
                details=details,
                actor=STAFF,
            ),
            appends=2,
        )
        return multiple(Place(participant, cohort_id)) if enrolled else multiple()

    @rule(target=enrolments, participant=participants, cohort_id=cohort_ids, on=dates)
    def enrol_again(self, participant: UUID, cohort_id: str, on: date) -> MultipleResults[Place]:
        enrolled = self._run(
            "enrol_again",
            participant,
            lambda: self.ledger.enrol_again(
                participant_id=participant, cohort_id=cohort_id, enrolled_on=on, actor=STAFF
            ),
        )
        return multiple(Place(participant, cohort_id)) if enrolled else multiple()

    @rule(place=places, on=dates)
    def withdraw(self, place: Place, on: date) -> None:
        self._run(
            "withdraw",
            place.participant,
            lambda: self.ledger.withdraw(**place.ids(), occurred_on=on, actor=STAFF),
        )

    # -- the course -------------------------------------------------------------------------

    @rule(place=places, session=sessions, status=statuses, on=st.none() | dates)
    def record_session(self, place: Place, session: int, status: Status, on: date | None) -> None:
        self._run(
            f"record_session:{status}",
            place.participant,
            lambda: self.ledger.record_session(
                **place.ids(),
                session=session,
                status=status,
                occurred_on=on,
                reason="unwell" if status == "missed" else None,
                actor=STAFF,
            ),
        )

    @rule(place=places, choose=st.booleans(), on=dates)
    def decide_accreditation(self, place: Place, choose: bool, on: date) -> None:
        self._run(
            f"decide_accreditation:{'choose' if choose else 'decline'}",
            place.participant,
            lambda: self.ledger.decide_accreditation(
                **place.ids(), choose=choose, occurred_on=on, actor=STAFF
            ),
        )

    @rule(place=places, attempt=attempts, on=dates)
    def submit_log(self, place: Place, attempt: int, on: date) -> None:
        self._run(
            "submit_log",
            place.participant,
            lambda: self.ledger.submit_log(
                **place.ids(), attempt=attempt, occurred_on=on, actor=STAFF
            ),
        )

    @rule(place=places, attempt=attempts, essay_format=essay_formats, on=dates)
    def submit_essay(self, place: Place, attempt: int, essay_format: EssayFormat, on: date) -> None:
        self._run(
            "submit_essay",
            place.participant,
            lambda: self.ledger.submit_essay(
                **place.ids(),
                attempt=attempt,
                essay_format=essay_format,
                occurred_on=on,
                actor=STAFF,
            ),
        )

    @rule(
        place=places,
        attempt=attempts,
        stage=mark_stages,
        marker=assessors,
        result=results,
        on=dates,
    )
    def record_mark(
        self, place: Place, attempt: int, stage: MarkStage, marker: str, result: Result, on: date
    ) -> None:
        self._run(
            "record_mark",
            place.participant,
            lambda: self.ledger.record_mark(
                **place.ids(),
                attempt=attempt,
                stage=stage,
                result=result,
                feedback="Reflective and well evidenced.",
                occurred_on=on,
                actor=marker,
            ),
        )

    @rule(
        place=places,
        attempt=attempts,
        stage=moderation_stages,
        moderator=assessors,
        result=results,
        on=dates,
    )
    def record_moderation(
        self,
        place: Place,
        attempt: int,
        stage: ModerationStage,
        moderator: str,
        result: Result,
        on: date,
    ) -> None:
        self._run(
            "record_moderation",
            place.participant,
            lambda: self.ledger.record_moderation(
                **place.ids(),
                attempt=attempt,
                stage=stage,
                result=result,
                occurred_on=on,
                actor=moderator,
            ),
        )

    @rule(place=places, kind=st.sampled_from(("attendance", "accredited")), on=dates)
    def issue_certificate(self, place: Place, kind: CertificateKind, on: date) -> None:
        self._run(
            f"issue_certificate:{kind}",
            place.participant,
            lambda: self.ledger.issue_certificate(
                **place.ids(), kind=kind, occurred_on=on, actor=STAFF
            ),
        )

    @rule(place=enrolments, legs=journeys)
    def attend(self, place: Place, legs: list[Leg]) -> None:
        """Walk one enrolment's attendance along, with detours (see journey_moves)."""
        for leg in legs:
            for _ in range(leg.steps):
                self._guide(place).attendance_step(leg.status)
            for pick in leg.detours:
                options = self._guide(place).attendance_detours()
                options[pick % len(options)]()

    @rule(place=enrolments, legs=journeys)
    def assess(self, place: Place, legs: list[Leg]) -> None:
        """Walk one enrolment's assessment along, with detours (see journey_moves)."""
        for leg in legs:
            for _ in range(leg.steps):
                self._guide(place).assessment_step(leg.result)
            for pick in leg.detours:
                options = self._guide(place).assessment_detours(leg.result)
                options[pick % len(options)]()

    def _guide(self, place: Place) -> EnrolmentGuide:
        """A guide for the enrolment as it stands. The guide only proposes commands, so it
        may read a view loaded earlier if nothing has been written to the store since."""
        position = self.ledger.recorder.max_notification_id()
        cached = self._views.get(place.participant)
        if cached is None or cached[0] != position:
            cached = (position, self.ledger.get_participant(place.participant))
            self._views[place.participant] = cached
        enrolment = cached[1].enrolment(place.cohort_id)
        assert enrolment is not None, f"{place} was enrolled"
        return EnrolmentGuide(self, place, enrolment)

    # -- after the course -------------------------------------------------------------------

    @rule(participant=people, on=dates, ended_on=st.none() | dates)
    def report_outcome(self, participant: UUID, on: date, ended_on: date | None) -> None:
        self._run(
            "report_outcome",
            participant,
            lambda: self.ledger.report_outcome(
                participant_id=participant,
                category="volunteering",
                detail="Joined the service-user panel.",
                source="self_report",
                occurred_on=on,
                ended_on=ended_on,
                actor=STAFF,
            ),
        )

    @rule(participant=people, on=dates)
    def complete_follow_up(self, participant: UUID, on: date) -> None:
        self._run(
            "complete_follow_up",
            participant,
            lambda: self.ledger.complete_follow_up(
                participant_id=participant, method="survey", occurred_on=on, actor=STAFF
            ),
        )

    @rule(
        participant=people,
        cohort_id=st.none() | cohort_ids,
        interviewer=interviewers,
        on=dates,
    )
    def record_feedback(
        self, participant: UUID, cohort_id: str | None, interviewer: str, on: date
    ) -> None:
        self._run(
            "record_feedback",
            participant,
            lambda: self.ledger.record_feedback(
                participant_id=participant,
                cohort_id=cohort_id,
                quote="It gave me my voice back.",
                occurred_on=on,
                actor=interviewer,
            ),
        )

    @rule(participant=people, scale=scales, score=scores, on=dates)
    def measure_wellbeing(self, participant: UUID, scale: str, score: int, on: date) -> None:
        self._run(
            "measure_wellbeing",
            participant,
            lambda: self.ledger.measure_wellbeing(
                participant_id=participant,
                scale=scale,
                score=score,
                timepoint="baseline",
                occurred_on=on,
                actor=STAFF,
            ),
        )

    @rule(participant=participants)
    def take_snapshot(self, participant: UUID) -> None:
        """Snapshot a journey at its current version, so that later loads start from it (the
        snapshot store refuses a second snapshot of one version)."""
        version = len(self._stream(participant))
        if version and self.snapshotted.get(participant) != version:
            self.ledger.take_snapshot(participant)
            self.snapshotted[participant] = version
            self._read = None  # load again, from the new snapshot

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def every_history_obeys_the_rules(self) -> None:
        for journey in self._journeys():
            check_history(journey.events, COHORTS, TODAY)

    @invariant()
    def loaded_state_equals_a_replay_from_scratch(self) -> None:
        for journey in self._journeys():
            replayed = reduce(
                lambda aggregate, event: event.mutate(aggregate), journey.events, None
            )
            assert replayed == journey.loaded, "loaded and replayed states differ"

    @invariant()
    def a_participant_kept_warm_equals_a_replay(self) -> None:
        """The aggregate a command leaves for the next (journey.warm_cache) is what loading
        the participant from the store gives."""
        for participant, warm in self.ledger._warm.kept():
            assert warm == self.ledger.repository.get(participant), "warm and stored differ"
            assert warm.version == len(self._stream(participant))

    @invariant()
    def accreditation_funnel_never_runs_backwards(self) -> None:
        enrolments = [e for j in self._journeys() for e in j.loaded.enrolments.values()]
        chose = sum(1 for e in enrolments if e.accreditation == "chosen")
        submitted = sum(1 for e in enrolments if e.has_submitted)
        passed = sum(1 for e in enrolments if e.passed)
        assert len(enrolments) >= chose >= submitted >= passed, (
            f"funnel: {len(enrolments)} enrolled, {chose} chose accreditation, "
            f"{submitted} submitted, {passed} passed"
        )
        for e in enrolments:
            offered = COHORTS[e.cohort_id].programme.accreditation
            expected = offered.credits if e.passed and offered is not None else 0
            assert e.credits_awarded == expected, (
                f"{e.cohort_id}: {e.credits_awarded} credits awarded, not {expected}"
            )

    def _journeys(self) -> list[Journey]:
        """Every journey's stored events and its state loaded through the application (from
        its latest snapshot, if any), read once for all the invariants after a step."""
        position = self.ledger.recorder.max_notification_id()
        if self._read is None or self._read[0] != position:
            journeys = [
                Journey(self._stream(p), self.ledger.repository.get(p)) for p in self._existing()
            ]
            self._read = (position, journeys)
        return self._read[1]


class Journey(NamedTuple):
    events: list[Any]
    loaded: Participant
