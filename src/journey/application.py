"""The ledger application: the only way to change a journey, and the queries that read one.

Command methods take ids and values (keyword-only), load what the rules need (the cohort's
plan, the programme's terms), let the aggregate decide, and save. They return a
:class:`~journey.views.Recorded` receipt. Queries return frozen views. Library errors become
:mod:`journey.errors` here and nowhere else.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any, ClassVar, Protocol
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.persistence import IntegrityError, Mapper

from journey import rules
from journey.aggregate import replay
from journey.corrections import CORRECTION_TYPES, effective_events
from journey.data_keys import KeyTable, ParticipantKeys
from journey.errors import (
    CohortNotFound,
    ConcurrencyConflict,
    CorrectionError,
    InvalidValue,
    ParticipantNotFound,
    ProgrammeNotFound,
    VersionMismatch,
)
from journey.ledger_base import receipt
from journey.participant import Participant
from journey.personal_fields import PersonalDataMapper
from journey.programme import Cohort, Programme
from journey.requests import RequestTicket
from journey.scales import WELLBEING_SCALES
from journey.seals import SealIndex, stream_key
from journey.staff_application import StaffTrainingCommands
from journey.state import PersonalDetails
from journey.values import (
    Accreditation,
    CertificateKind,
    CohortPlan,
    EssayFormat,
    FeedbackCategory,
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
    RetentionDue,
)
from journey.warm_cache import WarmCache

__all__ = ["JourneyLedger", "utc_today"]

# Fields every event has; history lists them apart from the event's own fields.
_ENVELOPE = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "recorded_by"}
)


class ErasableStore(Protocol):
    def after_erasure(self, participant_id: str) -> None:
        """Reclaim the space that held what an erasure removed (see the stores)."""


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
        master_key: bytes | None = None,
    ) -> None:
        # Per-participant data keys, wrapped by ``master_key`` (see journey.data_keys); the
        # mapper uses them before the recorder (their table) exists, hence bound after.
        self._keys = ParticipantKeys(master_key=master_key)
        super().__init__(env, clock=clock)
        table: KeyTable = self.recorder  # type: ignore[assignment]
        self._keys.bind(table)
        # The recorder stores new keys in the transaction of their participant's events.
        self.recorder.data_keys = self._keys  # type: ignore[attr-defined]
        self._scales = dict(scales)
        # Programmes and cohorts never change once recorded, so their plans can be cached.
        self._plans: dict[str, CohortPlan] = {}
        # Participants just saved, lent to the next command on them (journey.warm_cache).
        self._warm: WarmCache[Participant] = WarmCache()

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Snapshot a just-saved aggregate from memory when the interval falls on its last
        event (the library reloads it from the store first: a read of up to 49 events per
        snapshot, about a third of a single save's time here); otherwise as the library does."""
        if self.snapshots is None:
            return
        for event in processing_event.events:
            aggregate = processing_event.aggregates.get(event.originator_id)
            if aggregate is None:
                continue
            interval = self.snapshotting_intervals.get(type(aggregate))
            if interval is None or event.originator_version % interval:
                continue
            snapshot_class = getattr(type(aggregate), "Snapshot", None)
            if aggregate.version == event.originator_version and snapshot_class is not None:
                self.snapshots.put([snapshot_class.take(aggregate)])
            else:
                self.take_snapshot(event.originator_id, version=event.originator_version)

    def construct_mapper(self) -> Mapper[UUID]:
        """The library's mapper (transcoder, compressor, at-rest cipher as configured), with
        each participant's personal fields encrypted under their own data key."""
        plain = super().construct_mapper()
        return PersonalDataMapper(
            plain.transcoder,
            plain.compressor,
            plain.cipher,
            keys=self._keys,
            personal_aggregates=(Participant,),
        )

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
        retention_months: int | None = None,
        actor: str,
    ) -> Recorded:
        programme = Programme.define(
            programme_id=programme_id,
            name=name,
            session_count=session_count,
            attendance_threshold=attendance_threshold,
            themes=themes,
            accreditation=accreditation,
            retention_months=retention_months,
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
            p.retention_months,
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
        category: FeedbackCategory | None = None,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Record a review-interview quote (and, optionally, what it is about). The
        interviewer is the actor, and must not be a trainer of the named cohort (or, if none
        is named, of any of the participant's)."""

        def decide(p: Participant, today: date) -> None:
            cohort_ids = [cohort_id] if cohort_id is not None else list(p.cohort_ids)
            plans = [self.cohort_plan(c) for c in cohort_ids if c in p.enrolments]
            p.record_feedback(
                plans=plans,
                cohort_id=cohort_id,
                quote=quote,
                category=category,
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

    # -- participants: corrections ------------------------------------------------------

    def retract_event(
        self,
        *,
        participant_id: UUID,
        corrects: int,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Retract the participant's event at version ``corrects`` (see
        :meth:`Participant.retract`); the event stays in the history."""

        def decide(p: Participant, today: date) -> None:
            standing, target = self._correction_target(p, corrects)
            p.retract(
                target=target,
                standing=standing,
                reason=reason,
                plan_of=self.cohort_plan,
                today=today,
                recorded_by=actor,
            )

        return self._update(participant_id, expected_version, request, decide)

    def amend_event(
        self,
        *,
        participant_id: UUID,
        corrects: int,
        changes: Mapping[str, Any],
        reason: str,
        actor: str,
        expected_version: int | None = None,
        request: RequestTicket | None = None,
    ) -> Recorded:
        """Amend the participant's event at version ``corrects`` with ``changes`` (see
        :meth:`Participant.amend`); the event stays in the history as it was recorded."""

        def decide(p: Participant, today: date) -> None:
            standing, target = self._correction_target(p, corrects)
            p.amend(
                target=target,
                standing=standing,
                changes=dict(changes),
                reason=reason,
                plan_of=self.cohort_plan,
                today=today,
                recorded_by=actor,
            )

        return self._update(participant_id, expected_version, request, decide)

    def event_type_at(self, participant_id: UUID, version: int) -> str:
        """The type of the participant's event at ``version`` (who may correct it depends on
        it); :class:`InvalidValue` on ``corrects`` if the stream has no such version."""
        if version < 1:
            raise InvalidValue("corrects", "must be a version number, 1 or more")
        found = list(self.events.get(participant_id, gt=version - 1, lte=version))
        if not found:
            if not self.participant_exists(participant_id):
                raise ParticipantNotFound(participant_id)
            raise InvalidValue("corrects", f"the participant has no event at version {version}")
        return type(found[0]).__name__

    def effective_events(self, participant_id: UUID, *, version: int | None = None) -> list[Any]:
        """The participant's events that stand once corrections up to ``version`` (default:
        all) are applied: what every view of the participant is a fold of."""
        return effective_events(self.events.get(participant_id, lte=version))

    def _correction_target(self, participant: Participant, version: int) -> tuple[list[Any], Any]:
        """What stands of the participant's stream, and the event at ``version`` in it."""
        if version < 1 or version > participant.version:
            raise InvalidValue("corrects", f"the participant has no event at version {version}")
        standing = effective_events(self.events.get(participant.id, lte=participant.version))
        target = next((e for e in standing if e.originator_version == version), None)
        if target is None:
            found = next(iter(self.events.get(participant.id, gt=version - 1, lte=version)))
            if type(found).__name__ in CORRECTION_TYPES:
                rules.correctable(found, retracting=False)
            raise CorrectionError(
                f"Version {version} was retracted (or made stale) already; there is nothing "
                "left to correct.",
                code="already-retracted",
            )
        return standing, target

    # -- participants: erasure ----------------------------------------------------------

    def request_erasure(self, *, participant_id: UUID, reason: str, actor: str) -> Recorded:
        """Ask for the participant to be forgotten (a second admin approves)."""
        return self._update(
            participant_id,
            None,
            None,
            lambda p, today: p.request_erasure(reason=reason, recorded_by=actor),
        )

    def approve_erasure(self, *, participant_id: UUID, request: int, actor: str) -> Recorded:
        """Approve the erasure requested at version ``request``: forget the participant."""
        recorded = self._update(
            participant_id,
            None,
            None,
            lambda p, today: p.approve_erasure(request=request, recorded_by=actor),
        )
        self._erased(participant_id)
        return recorded

    def forget(self, *, participant_id: UUID, reason: str, actor: str) -> Recorded:
        """Forget the participant now: their data key is destroyed with the event that says
        so, and their snapshots with it; their personal fields read as erased from now on."""
        recorded = self._update(
            participant_id,
            None,
            None,
            lambda p, today: p.forget(reason=reason, recorded_by=actor),
        )
        self._erased(participant_id)
        return recorded

    def retention_due(
        self, participant_ids: Iterable[UUID], *, today: date | None = None
    ) -> list[RetentionDue]:
        """Of ``participant_ids``, those to forget under their programmes' retention: every
        programme they enrolled on sets a period, and the longest has passed since their last
        recorded event (a programme without one keeps personal fields without limit)."""
        today = today or self._clock()
        due = []
        for pid in participant_ids:
            p = self._participant(pid)
            if p.forgotten or not p.enrolments:
                continue
            months = [
                self._programme(e.programme_id).retention_months for e in p.enrolments.values()
            ]
            if any(m is None for m in months):
                continue
            keep = max(m for m in months if m is not None)
            last = p.modified_on
            until = _add_months(last.date(), keep)
            if until <= today:
                due.append(RetentionDue(pid, last, keep, until))
        return due

    def _erased(self, participant_id: UUID) -> None:
        self._warm.drop(participant_id)
        self._keys.forget(str(participant_id))
        store: ErasableStore = self.recorder  # type: ignore[assignment]
        store.after_erasure(str(participant_id))

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
            forgotten=p.forgotten,
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
        staging = self._staging()
        held = staging.held(participant_id) if staging is not None and version is None else None
        if isinstance(held, Participant):
            return held
        try:
            participant: object = self.repository.get(
                participant_id, version=version, projector_func=replay
            )
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
        participant = self._lend(participant_id)
        rules.not_forgotten(participant)
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
        if self._staging() is None and not participant.forgotten:
            self._warm.give_back(participant.id, participant)
        return receipt(participant.id, participant.version, recordings)

    def _lend(self, participant_id: UUID) -> Participant:
        """The participant for a command: the one kept warm since the last command on them,
        brought up to date with whatever was recorded since, or else loaded from the store."""
        warm = self._warm.take(participant_id) if self._staging() is None else None
        if warm is None:
            return self._participant(participant_id)
        newer = self.events.get(participant_id, gt=warm.version)
        caught_up: Participant = replay(warm, newer)
        return caught_up


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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
