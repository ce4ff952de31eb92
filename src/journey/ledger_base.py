"""What every command of the ledger application shares: how the store is configured, how an
aggregate is loaded by id (or a named error raised), and how a change is saved, with its
answered request in the same transaction, as a :class:`~journey.views.Recorded` receipt.

:class:`~journey.application.JourneyLedger` is built on it, with the staff-training commands
of :class:`~journey.staff_application.StaffTrainingCommands`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, JSONTranscoder
from eventsourcing.utils import Environment

from journey.aggregate import LedgerAggregate, replay
from journey.errors import AlreadyAnswered, AlreadyExists, ConcurrencyConflict, VersionMismatch
from journey.persistence import register_transcodings
from journey.requests import RequestLog, RequestRecord, RequestTicket
from journey.views import Recorded

__all__ = ["LedgerBase", "Staging", "receipt"]

_A = TypeVar("_A", bound=LedgerAggregate)


class Staging:
    """Changed aggregates held in memory instead of saved, to be written together later
    (:meth:`LedgerBase.staged`, :meth:`LedgerBase.write`): each command still runs every rule,
    and the aggregates it changed are kept here, their new events pending."""

    def __init__(self) -> None:
        self.aggregates: dict[UUID, LedgerAggregate] = {}

    def hold(self, *aggregates: LedgerAggregate) -> None:
        for aggregate in aggregates:
            self.aggregates[aggregate.id] = aggregate

    def held(self, aggregate_id: UUID) -> LedgerAggregate | None:
        return self.aggregates.get(aggregate_id)

    def discard(self, aggregate_id: UUID) -> None:
        self.aggregates.pop(aggregate_id, None)

    def pending_events(self) -> int:
        return sum(len(a.pending_events) for a in self.aggregates.values())


class LedgerBase(Application[UUID]):
    """The ledger's store and its save and load helpers (see the module docstring)."""

    def __init__(self, env: Mapping[str, str] | None, *, clock: Callable[[], date]) -> None:
        super().__init__(env)
        self._clock = clock
        # Per thread: the API's request threads never see an import's staged changes.
        self._local = threading.local()

    @contextmanager
    def staged(self, staging: Staging | None = None) -> Iterator[Staging]:
        """Within this block, commands on this thread change aggregates in ``staging`` and
        save nothing; loads see the staged aggregates first. Write them with :meth:`write`."""
        held = staging if staging is not None else Staging()
        previous = getattr(self._local, "staging", None)
        self._local.staging = held
        try:
            yield held
        finally:
            self._local.staging = previous

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """The library's save, collecting the ledger's own aggregates without its runtime
        Protocol checks (``isinstance`` against a Protocol walks the Protocol's attributes:
        about 30 microseconds a save, a tenth of a durable one); anything else is collected
        as the library does."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for obj in objs:
            if isinstance(obj, LedgerAggregate):
                processing_event.events.extend(obj.collect_events())
                processing_event.aggregates[obj.id] = obj
            else:
                processing_event.collect_events(obj)
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings

    def write(self, staging: Staging) -> Any:
        """Save every staged aggregate's pending events in ONE transaction (all or none)."""
        aggregates = [a for a in staging.aggregates.values() if a.pending_events]
        if not aggregates:
            return []
        return self.save(*aggregates)

    def _staging(self) -> Staging | None:
        staging: Staging | None = getattr(self._local, "staging", None)
        return staging

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Environment:
        """The configuration is exactly what the composition root passes in: unlike the
        library's default, nothing is read from ``os.environ``, so a stray variable in a
        shell (a compressor, a cipher, snapshots off) cannot change how events are stored."""
        settings = dict(type(self).env)
        if type(self).snapshotting_intervals:
            settings["IS_SNAPSHOTTING_ENABLED"] = "y"
        settings.update(env or {})
        return Environment(name, settings)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)

    def find_request(self, key: str) -> RequestRecord | None:
        """The answered request saved under ``key``, if any (see :mod:`journey.requests`)."""
        log: RequestLog = self.recorder  # type: ignore[assignment]
        return log.select_request(key)

    def _load(self, cls: type[_A], aggregate_id: UUID, not_found: Exception) -> _A:
        staging = self._staging()
        held = staging.held(aggregate_id) if staging is not None else None
        if isinstance(held, cls):
            return held
        try:
            aggregate: object = self.repository.get(aggregate_id, projector_func=replay)
        except AggregateNotFoundError:
            raise not_found from None
        if not isinstance(aggregate, cls):
            raise not_found
        return aggregate

    def _save(
        self, aggregate: LedgerAggregate, request: RequestTicket | None, *others: LedgerAggregate
    ) -> Any:
        """Save ``aggregate`` (and ``others``, in the same transaction); the request's answer
        names ``aggregate``. While :meth:`staged`, they are held instead."""
        staging = self._staging()
        if staging is not None:
            staging.hold(aggregate, *others)
            return []
        if request is None:
            return self.save(aggregate, *others)
        return self.save(
            aggregate, *others, request=request.record(aggregate.id, aggregate.version)
        )

    def _answered(self, request: RequestTicket | None) -> None:
        """After a refused write: if it was refused because its request was already
        answered (a retry racing the original), say so."""
        if request is not None:
            found = self.find_request(request.key)
            if found is not None:
                raise AlreadyAnswered(found)

    def _save_new(
        self,
        aggregate: LedgerAggregate,
        conflict: str,
        request: RequestTicket | None = None,
    ) -> Recorded:
        try:
            recordings = self._save(aggregate, request)
        except IntegrityError:
            self._answered(request)
            raise AlreadyExists(conflict) from None
        return receipt(aggregate.id, aggregate.version, recordings)

    def _change(
        self,
        load: Callable[[], _A],
        what: str,
        expected_version: int | None,
        request: RequestTicket | None,
        decide: Callable[[_A, date], Sequence[LedgerAggregate]],
    ) -> Recorded:
        """Load, check the expected version, let ``decide`` change the aggregate (it returns
        any other aggregates it changed, saved in the same transaction), and save."""
        aggregate = load()
        if expected_version is not None and expected_version != aggregate.version:
            raise VersionMismatch(expected_version, aggregate.version)
        others = decide(aggregate, self._clock())
        try:
            recordings = self._save(aggregate, request, *others)
        except IntegrityError:
            self._answered(request)
            if expected_version is not None:  # the version it expected is gone: 412, not 409
                raise VersionMismatch(expected_version, load().version) from None
            raise ConcurrencyConflict(
                f"{what} was changed by another writer at the same time; nothing was "
                "recorded. Read it again and retry."
            ) from None
        return receipt(aggregate.id, aggregate.version, recordings)


def receipt(aggregate_id: UUID, version: int, recordings: Sequence[Any]) -> Recorded:
    position = recordings[-1].notification.id if recordings else None
    return Recorded(aggregate_id=aggregate_id, version=version, position=position)
