"""The ledger application: the only way to change a journey, and the queries that read one.

Command methods take ids and values (keyword-only), load what the rules need (the cohort's
plan, the programme's terms), let the aggregate decide, and save. They return a
:class:`~journey.views.Recorded` receipt. Queries return frozen views. Library errors become
:mod:`journey.errors` here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from journey.errors import (
    CohortNotFound,
    ConcurrencyConflict,
    InvalidValue,
    ParticipantNotFound,
    ProgrammeNotFound,
    VersionMismatch,
)
from journey.ledger_base import receipt
from journey.participant import Participant
from journey.programme import Cohort, Programme
from journey.requests import RequestTicket
from journey.seals import SealIndex, stream_key
from journey.staff_application import StaffTrainingCommands
from journey.state import PersonalDetails
from journey.values import (
    WELLBEING_SCALES,
    Accreditation,
    CertificateKind,
    CohortPlan,
    EssayFormat,
    FollowUpMethod,
    MarkStage,
    ModerationStage,
    OutcomeCategory,
    OutcomeSource,
    Result,
    SessionStatus,
    WellbeingScale,
    WellbeingTimepoint,
)
from journey.views import (
    CohortView,
    HistoryEntry,
    ParticipantView,
    ProgrammeView,
    Recorded,
)

__all__ = ["JourneyLedger", "utc_today"]

# Fields every event has; history lists them apart from the event's own fields.
_ENVELOPE = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "recorded_by"}
)


def utc_today() -> date:
    return datetime.now(UTC).date()


class JourneyLedger(StaffTrainingCommands):
    """Programmes, cohorts and participant journeys, and the staff training of the NICE
    document (trainers, sessions, workforce: :mod:`journey.staff_application`), in one event
    store."""

    name = "JourneyLedger"
    # A snapshot every 50 events: loading a long journey replays at most 49 events.
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Participant: 50}

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        clock: Callable[[], date] = utc_today,
        scales: Mapping[str, WellbeingScale] = WELLBEING_SCALES,
    ) -> None:
        super().__init__(env, clock=clock)
        self._scales = dict(scales)
        # Programmes and cohorts never change once recorded, so their plans can be cached.
        self._plans: dict[str, CohortPlan] = {}

    # -- programmes and cohorts ---------------------------------------------------------------

    def define_programme(
        self,
        *,
        programme_id: str,
        name: str,
        session_count: int,
        attendance_threshold: int,
        themes: Sequence[str] = (),
        accreditation: Accreditation | None = None,
        actor: str,
    ) -> Recorded:
        programme = Programme.define(
            programme_id=programme_id,
            name=name,
            session_count=session_count,
            attendance_threshold=attendance_threshold,
            themes=themes,
            accreditation=accreditation,
            recorded_by=actor,
        )
        return self._save_new(programme, f"A programme with id {programme_id!r} already exists.")

    def schedule_cohort(
        self,
        *,
        cohort_id: str,
        programme_id: str,
        location: str,
        session_dates: Sequence[date],
        trainers: Sequence[str],
        actor: str,
    ) -> Recorded:
        programme = self._programme(programme_id)
        cohort = Cohort.schedule(
            cohort_id=cohort_id,
            programme=programme,
            location=location,
            session_dates=session_dates,
            trainers=trainers,
            recorded_by=actor,
        )
        return self._save_new(cohort, f"A cohort with id {cohort_id!r} already exists.")

    def get_programme(self, programme_id: str) -> ProgrammeView:
        p = self._programme(programme_id)
        return ProgrammeView(
            p.programme_id,
            p.name,
            p.session_count,
            p.attendance_threshold,
            p.themes,
            p.accreditation,
        )

    def get_cohort(self, cohort_id: str) -> CohortView:
        c = self._cohort(cohort_id)
        return CohortView(c.cohort_id, c.programme_id, c.location, c.session_dates, c.trainers)

    def cohort_plan(self, cohort_id: str) -> CohortPlan:
        plan = self._plans.get(cohort_id)
        if plan is None:
            cohort = self._cohort(cohort_id)
            plan = cohort.plan(self._programme(cohort.programme_id))
            self._plans[cohort_id] = plan
        return plan

    # -- participants: enrolment ---------------------------------------------------------------

    def enrol(
        self,
        *,
        cohort_id: str,
        enrolled_on: date,
        details: PersonalDetails,
        actor: str,
        participant_id: UUID | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Register a new participant and enrol them on a cohort, in one transaction."""
        plan = self.cohort_plan(cohort_id)
        participant = Participant.register(
            participant_id=participant_id or uuid4(), details=details, recorded_by=actor
        )
        participant.enrol(
            plan=plan, enrolled_on=enrolled_on, today=self._clock(), recorded_by=actor
        )
        return self._save_new(participant, f"Participant {participant.id} already exists.", request)

    def enrol_again(
        self,
        *,
        participant_id: UUID,
        cohort_id: str,
        enrolled_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Enrol an existing participant on another cohort."""
        plan = self.cohort_plan(cohort_id)
        return self._update(
            participant_id,
            expected_version,
            request,
            lambda p, today: p.enrol(
                plan=plan, enrolled_on=enrolled_on, today=today, recorded_by=actor
            ),
        )

    # -- participants: the course -------------------------------------------------------

    def record_session(
        self,
        *,
        participant_id: UUID,
        cohort_id: str,
        session: int,
        status: SessionStatus,
        occurred_on: date | None = None,
        reason: str | None = None,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        plan = self.cohort_plan(cohort_id)
        return self._update(
            participant_id,
            expected_version,
            request,
            lambda p, today: p.record_session(
                plan=plan,
                session=session,
                status=status,
                occurred_on=occurred_on,
                reason=reason,
                today=today,
                recorded_by=actor,
            ),
        )

    def decide_accreditation(
        self,
        *,
        participant_id: UUID,
        cohort_id: str,
        choose: bool,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        plan = self.cohort_plan(cohort_id)
        return self._update(
            participant_id,
            expected_version,
            request,
            lambda p, today: p.decide_accreditation(
                plan=plan, choose=choose, occurred_on=occurred_on, today=today, recorded_by=actor
            ),
        )

    def submit_log(
        self,
        *,
        participant_id: UUID,
        cohort_id: str,
        attempt: int,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        plan = self.cohort_plan(cohort_id)
        return self._update(
            participant_id,
            expected_version,
            request,
            lambda p, today: p.submit(
                plan=plan,
                component="log",
                attempt=attempt,
                occurred_on=occurred_on,
                today=today,
                recorded_by=actor,
            ),
        )

    def submit_essay(
        self,
        *,
        participant_id: UUID,
        cohort_id: str,
        attempt: int,
        essay_format: EssayFormat,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        plan = self.cohort_plan(cohort_id)
        return self._update(
            participant_id,
            expected_version,
            request,
            lambda p, today: p.submit(
                plan=plan,
                component="essay",
                attempt=attempt,
                essay_format=essay_format,
                occurred_on=occurred_on,
                today=today,
                recorded_by=actor,
            ),
        )

    def record_mark(
        self,
        *,
        participant_id: UUID,
        cohort_id: str,
        attempt: int,
        stage: MarkStage,
        result: Result,
        feedback: str,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Record a mark. The marker is the actor: marks are recorded by markers themselves."""
        plan = self.cohort_plan(cohort_id)
        return self._update(
            participant_id,
            expected_version,
            request,
            lambda p, today: p.mark(
                plan=plan,
                attempt=attempt,
                stage=stage,
                marker=actor,
                result=result,
                feedback=feedback,
                occurred_on=occurred_on,
                today=today,
                recorded_by=actor,
            ),
        )

    def record_moderation(
        self,
        *,
        participant_id: UUID,
        cohort_id: str,
        attempt: int,
        stage: ModerationStage,
        result: Result,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Record a moderation. The moderator is the actor."""
        plan = self.cohort_plan(cohort_id)
        return self._update(
            participant_id,
            expected_version,
            request,
            lambda p, today: p.moderate(
                plan=plan,
                attempt=attempt,
                stage=stage,
                moderator=actor,
                result=result,
                occurred_on=occurred_on,
                today=today,
                recorded_by=actor,
            ),
        )

    def issue_certificate(
        self,
        *,
        participant_id: UUID,
        cohort_id: str,
        kind: CertificateKind,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        plan = self.cohort_plan(cohort_id)
        return self._update(
            participant_id,
            expected_version,
            request,
            lambda p, today: p.issue_certificate(
                plan=plan, kind=kind, occurred_on=occurred_on, today=today, recorded_by=actor
            ),
        )

    def withdraw(
        self,
        *,
        participant_id: UUID,
        cohort_id: str,
        occurred_on: date,
        reason: str | None = None,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        plan = self.cohort_plan(cohort_id)
        return self._update(
            participant_id,
            expected_version,
            request,
            lambda p, today: p.withdraw(
                plan=plan, reason=reason, occurred_on=occurred_on, today=today, recorded_by=actor
            ),
        )

    # -- participants: after the course ---------------------------------------------------

    def report_outcome(
        self,
        *,
        participant_id: UUID,
        category: OutcomeCategory,
        detail: str,
        source: OutcomeSource,
        occurred_on: date,
        ended_on: date | None = None,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        return self._update(
            participant_id,
            expected_version,
            request,
            lambda p, today: p.report_outcome(
                category=category,
                detail=detail,
                source=source,
                ended_on=ended_on,
                occurred_on=occurred_on,
                today=today,
                recorded_by=actor,
            ),
        )

    def complete_follow_up(
        self,
        *,
        participant_id: UUID,
        method: FollowUpMethod,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        return self._update(
            participant_id,
            expected_version,
            request,
            lambda p, today: p.complete_follow_up(
                method=method, occurred_on=occurred_on, today=today, recorded_by=actor
            ),
        )

    def record_feedback(
        self,
        *,
        participant_id: UUID,
        quote: str,
        occurred_on: date,
        cohort_id: str | None = None,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Record a review-interview quote. The interviewer is the actor, and must not be a
        trainer of the named cohort (or, if none is named, of any of the participant's)."""

        def decide(p: Participant, today: date) -> None:
            cohort_ids = [cohort_id] if cohort_id is not None else list(p.cohort_ids)
            plans = [self.cohort_plan(c) for c in cohort_ids if c in p.enrolments]
            p.record_feedback(
                plans=plans,
                cohort_id=cohort_id,
                quote=quote,
                interviewer=actor,
                occurred_on=occurred_on,
                today=today,
                recorded_by=actor,
            )

        return self._update(participant_id, expected_version, request, decide)

    def measure_wellbeing(
        self,
        *,
        participant_id: UUID,
        scale: str,
        score: int,
        timepoint: WellbeingTimepoint,
        occurred_on: date,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        known = self._scales.get(scale)
        if known is None:
            raise InvalidValue("scale", f"must be one of {', '.join(sorted(self._scales))}")
        return self._update(
            participant_id,
            expected_version,
            request,
            lambda p, today: p.measure_wellbeing(
                scale=known,
                score=score,
                timepoint=timepoint,
                occurred_on=occurred_on,
                today=today,
                recorded_by=actor,
            ),
        )

    # -- queries --------------------------------------------------------------------------

    def get_participant(
        self,
        participant_id: UUID,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> ParticipantView:
        """The journey now, at ``version``, or as it had been recorded at ``as_of`` (recorded
        time, not the dates things happened)."""
        if as_of is not None:
            known = self.version_at(participant_id, as_of)
            version = known if version is None else min(version, known)
        p = self._participant(participant_id, version=version)
        return ParticipantView(
            participant_id=p.id,
            version=p.version,
            registered_at=p.created_on,
            modified_at=p.modified_on,
            details=p.details,
            enrolments=tuple(p.enrolments.values()),
            outcomes=tuple(p.outcomes),
            follow_ups=tuple(p.follow_ups),
            feedback=tuple(p.feedback),
            wellbeing=tuple(p.wellbeing),
        )

    def history(
        self, participant_id: UUID, *, as_of: datetime | None = None
    ) -> tuple[HistoryEntry, ...]:
        """Every event of the participant's stream, in order; with ``as_of``, only those
        recorded by then (:class:`ParticipantNotFound` if none was)."""
        events = list(self._stream(participant_id))
        if not events or not isinstance(events[0], Participant.Registered):
            raise ParticipantNotFound(participant_id)
        if as_of is not None:
            events = events[: self.version_at(participant_id, as_of)]
        return tuple(_history_entry(e) for e in events)

    def version_at(self, participant_id: UUID, moment: datetime) -> int:
        """The participant's version as recorded at ``moment`` (recorded time, from the
        store's seals); :class:`ParticipantNotFound` if nothing was recorded by then."""
        seals: SealIndex = self.recorder  # type: ignore[assignment]
        version = seals.version_at(stream_key(participant_id), moment)
        if version == 0:
            raise ParticipantNotFound(f"{participant_id} as of {moment.isoformat()}")
        return version

    def position_at(self, moment: datetime) -> int:
        """The last log position recorded at or before ``moment`` (0: nothing yet)."""
        seals: SealIndex = self.recorder  # type: ignore[assignment]
        return seals.last_position_at(moment)

    def participant_exists(self, participant_id: UUID) -> bool:
        first = list(self.events.get(participant_id, limit=1))
        return bool(first) and isinstance(first[0], Participant.Registered)

    # -- internals ------------------------------------------------------------------------

    def _stream(self, aggregate_id: UUID) -> Iterator[Any]:
        return iter(self.events.get(aggregate_id))

    def _participant(self, participant_id: UUID, *, version: int | None = None) -> Participant:
        try:
            participant: object = self.repository.get(participant_id, version=version)
        except AggregateNotFoundError:
            raise ParticipantNotFound(participant_id) from None
        if not isinstance(participant, Participant):
            raise ParticipantNotFound(participant_id)
        return participant

    def _programme(self, programme_id: str) -> Programme:
        return self._load(
            Programme, Programme.id_for(programme_id), ProgrammeNotFound(programme_id)
        )

    def _cohort(self, cohort_id: str) -> Cohort:
        return self._load(Cohort, Cohort.id_for(cohort_id), CohortNotFound(cohort_id))

    def _update(
        self,
        participant_id: UUID,
        expected_version: int | None,
        request: RequestTicket | None,
        decide: Callable[[Participant, date], None],
    ) -> Recorded:
        participant = self._participant(participant_id)
        if expected_version is not None and expected_version != participant.version:
            raise VersionMismatch(expected_version, participant.version)
        decide(participant, self._clock())
        try:
            recordings = self._save(participant, request)
        except IntegrityError:
            self._answered(request)
            if expected_version is not None:  # the version it expected is gone: 412, not 409
                raise VersionMismatch(
                    expected_version, self._participant(participant_id).version
                ) from None
            raise ConcurrencyConflict(
                f"Participant {participant_id} was changed by another writer at the same time; "
                "nothing was recorded. Read it again and retry."
            ) from None
        return receipt(participant.id, participant.version, recordings)


def _history_entry(event: Any) -> HistoryEntry:
    data = {k: v for k, v in vars(event).items() if k not in _ENVELOPE}
    occurred_on = data.pop("occurred_on", None)
    return HistoryEntry(
        type=type(event).__name__,
        version=event.originator_version,
        occurred_on=occurred_on,
        recorded_at=event.timestamp,
        recorded_by=event.recorded_by,
        fields=MappingProxyType(data),
    )
