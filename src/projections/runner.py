"""Runs the projections: catch up from each one's position, rebuild, follow, report status.

One pass over the log serves every projection: each page of notifications is decoded once,
applied to each projection still behind it, and committed in ONE transaction with every
projection's new tracking position. A crash loses at most the uncommitted page, which is read
again on restart; nothing is counted twice. SQLite cannot push new events, so following is a
short polling loop (the same on PostgreSQL, for one code path).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Notification, Tracking
from sqlalchemy import Engine

from journey.application import JourneyLedger
from journey.gc_pause import gc_paused
from projections.action_plans import ActionPlansProjection
from projections.database import views_engine, write_gate
from projections.funnel import FunnelProjection
from projections.moderation import ModerationProjection
from projections.outcomes import OutcomesProjection
from projections.projection import CORRECTIONS, Projection
from projections.register import RegisterProjection
from projections.research import ResearchProjection
from projections.rows import Rows
from projections.staff_costs import StaffCostsProjection
from projections.staff_evaluations import StaffEvaluationsProjection
from projections.staff_reach import StaffReachProjection
from projections.tracking import ViewTracking
from projections.trainer_activity import TrainerActivityProjection

__all__ = ["ALL_PROJECTIONS", "ProjectionRunner", "ProjectionStatus", "UnknownProjectionError"]

log = logging.getLogger(__name__)

ALL_PROJECTIONS: tuple[type[Projection], ...] = (
    RegisterProjection,
    FunnelProjection,
    OutcomesProjection,
    ModerationProjection,
    ResearchProjection,
    StaffReachProjection,
    StaffEvaluationsProjection,
    ActionPlansProjection,
    TrainerActivityProjection,
    StaffCostsProjection,
)

Progress = Callable[[int, int], None]  # (position reached, head)

AS_OF_CACHE = 4
REBUILD_PAGE_SIZE = 5_000
REBUILD_COMMIT_EVERY = 50_000


class UnknownProjectionError(ValueError):
    def __init__(self, name: str, known: Iterable[str]) -> None:
        super().__init__(f"No projection named {name!r}; known: {', '.join(known)}")


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    head: int

    @property
    def behind(self) -> int:
        """How many log positions the projection still has to read (an upper bound)."""
        return max(0, self.head - self.position)


class ProjectionRunner:
    """Keeps the read models of ``ledger`` in the database behind ``engine``."""

    def __init__(
        self,
        ledger: JourneyLedger,
        engine: Engine,
        *,
        projections: Sequence[type[Projection]] = ALL_PROJECTIONS,
        page_size: int = 1000,
    ) -> None:
        self.ledger = ledger
        self.engine = engine
        self.page_size = page_size
        self.projections = {cls.name: cls() for cls in projections}
        self.tracking = {name: ViewTracking(engine, name) for name in self.projections}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._as_of: dict[int, Engine] = {}
        self._gate = write_gate(engine)

    # -- set-up and status ------------------------------------------------------------------

    def setup(self) -> None:
        """Create the tracking and view tables that do not exist yet."""
        next(iter(self.tracking.values())).create_table()
        for projection in self.projections.values():
            projection.create_tables(self.engine)

    def names(self) -> list[str]:
        return list(self.projections)

    def status(self) -> list[ProjectionStatus]:
        head = self._head()
        return [ProjectionStatus(name, self._position(name), head) for name in self.projections]

    # -- processing ---------------------------------------------------------------------------

    def catch_up(
        self, names: Iterable[str] | None = None, *, progress: Progress | None = None
    ) -> int:
        """Apply every event recorded so far; return how many notifications were read."""
        with self._lock:
            return self._catch_up(self._select(names), progress=progress, fresh=False)

    def rebuild(
        self, names: Iterable[str] | None = None, *, progress: Progress | None = None
    ) -> int:
        """Drop the named views (default: all) and build them again from the whole log."""
        with self._lock:
            selected = self._select(names)
            with self.engine.begin() as conn:
                for name in selected:
                    self.projections[name].drop_tables(conn)
                    self.tracking[name].forget(conn)
            with gc_paused():
                return self._catch_up(selected, progress=progress, fresh=True)

    def views_as_of(self, position: int) -> Engine:
        """A private in-memory database holding every view as it stood at log ``position``:
        what a report said on a given day. The last few are kept, keyed by position."""
        cached = self._as_of.get(position)
        if cached is not None:
            return cached
        engine = views_engine("memory://")
        past = ProjectionRunner(
            self.ledger, engine, projections=[type(p) for p in self.projections.values()]
        )
        past.setup()
        with past._lock:
            past._catch_up(past.names(), progress=None, fresh=True, head=position)
        if len(self._as_of) >= AS_OF_CACHE:
            oldest = next(iter(self._as_of))
            self._as_of.pop(oldest).dispose()
        self._as_of[position] = engine
        return engine

    def forget_past_views(self) -> None:
        """Drop the cached past views (after an erasure they may hold what was erased)."""
        while self._as_of:
            self._as_of.popitem()[1].dispose()

    def wait(self, position: int | None, timeout: float = 5.0) -> None:
        """Block until every projection has processed log ``position`` (read-your-writes)."""
        for name in self.projections:
            self.tracking[name].wait(self.ledger.name, position, timeout=timeout)

    # -- following ----------------------------------------------------------------------------

    def run_forever(self, *, interval: float = 0.2, stop: threading.Event | None = None) -> None:
        """Follow new events until ``stop`` is set. Errors are logged and retried."""
        stop = stop or self._stop
        backoff = interval
        while not stop.is_set():
            try:
                self.catch_up()
                backoff = interval
            except Exception as exc:  # keep following; the page was rolled back
                log.warning("projection catch-up failed (%s); retrying", type(exc).__name__)
                backoff = min(backoff * 2, 5.0)
            stop.wait(backoff)

    def start(self, *, interval: float = 0.2) -> None:
        """Follow in a background thread (the API's in-process mode)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self.run_forever, kwargs={"interval": interval}, name="projections", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # -- internals ------------------------------------------------------------------------

    def _select(self, names: Iterable[str] | None) -> list[str]:
        if names is None:
            return list(self.projections)
        selected = list(names)
        for name in selected:
            if name not in self.projections:
                raise UnknownProjectionError(name, self.projections)
        return selected

    def _head(self) -> int:
        return int(self.ledger.recorder.max_notification_id() or 0)

    def _position(self, name: str) -> int:
        return self.tracking[name].max_tracking_id(self.ledger.name) or 0

    def _catch_up(
        self,
        selected: list[str],
        *,
        progress: Progress | None,
        fresh: bool,
        head: int | None = None,
    ) -> int:
        """Read the log from the furthest-behind projection to the head.

        Following (``fresh`` false): each page is one transaction that reads the rows it
        changes, writes them, and moves every projection's position. Rebuilding (``fresh``:
        the tables were just emptied): rows stay in memory and are written, with the
        positions, every ``rebuild_commit_every`` events, so a row changed on many pages is
        written once per commit rather than once per page.
        """
        if not selected:
            return 0
        head = self._head() if head is None else head
        positions = {name: self._position(name) for name in selected}
        topics = {name: set(self.projections[name].topics()) for name in selected}
        all_topics = sorted(set().union(*topics.values()))
        kept = {name: Rows(tables_start_empty=True) for name in selected} if fresh else {}
        page_size = max(self.page_size, REBUILD_PAGE_SIZE) if fresh else self.page_size
        start = min(positions.values())
        committed = dict(positions)  # what the database holds, for the rebuild's commits
        read = uncommitted = 0
        while start < head:
            page = self.ledger.recorder.select_notifications(
                start=start,
                limit=page_size,
                stop=head,
                topics=all_topics,
                inclusive_of_start=False,
            )
            last = page[-1].id if page else head
            decoded: dict[int, Any] = {}
            if fresh:
                for name in selected:
                    self._apply_page(name, page, positions[name], topics[name], kept[name], decoded)
                uncommitted += len(page)
                if uncommitted >= REBUILD_COMMIT_EVERY or last >= head:
                    self._commit(selected, kept, last, committed)
                    committed = dict.fromkeys(selected, last)
                    uncommitted = 0
            else:
                # The log is read before the view transaction opens, so that the transaction
                # holds the write gate only for the views' own reads and writes.
                self._decode(page, set().union(*topics.values()), decoded)
                with self._gate.turn(), self.engine.begin() as conn:
                    for name in selected:
                        if positions[name] >= last:
                            continue
                        rows = Rows()
                        rows.bind(conn)
                        self._apply_page(name, page, positions[name], topics[name], rows, decoded)
                        rows.flush(conn)
                        self.tracking[name].record(
                            conn, Tracking(self.ledger.name, last), expected=positions[name]
                        )
            for name in selected:
                positions[name] = max(positions[name], last)
            read += len(page)
            start = last
            if progress is not None:
                progress(start, head)
        return read

    def _commit(
        self, selected: list[str], kept: dict[str, Rows], position: int, committed: dict[str, int]
    ) -> None:
        with self._gate.turn(), self.engine.begin() as conn:
            for name in selected:
                kept[name].flush(conn)
                self.tracking[name].record(
                    conn, Tracking(self.ledger.name, position), expected=committed[name]
                )

    def _decode(
        self, page: Sequence[Notification], topics: set[str], decoded: dict[int, Any]
    ) -> None:
        """Decode the page's events of ``topics`` into ``decoded`` (by position), with what
        stands of a participant's stream after each correction (by minus its position)."""
        mapper = self.ledger.mapper
        for notification in page:
            if notification.topic not in topics or notification.id in decoded:
                continue
            event = decoded[notification.id] = mapper.to_domain_event(notification)
            if isinstance(event, CORRECTIONS):
                decoded[-notification.id] = self.ledger.effective_events(
                    event.originator_id, version=event.originator_version
                )

    def _apply_page(
        self,
        name: str,
        page: Sequence[Notification],
        position: int,
        topics: set[str],
        rows: Rows,
        decoded: dict[int, Any],
    ) -> None:
        projection = self.projections[name]
        mapper = self.ledger.mapper
        for notification in page:
            if notification.id <= position or notification.topic not in topics:
                continue
            event = decoded.get(notification.id)
            if event is None:
                event = decoded[notification.id] = mapper.to_domain_event(notification)
            if isinstance(event, CORRECTIONS):
                # What stands of the participant's stream after the correction: read once
                # per page for every projection, like the page's decoded events.
                standing = decoded.get(-notification.id)
                if standing is None:
                    standing = decoded[-notification.id] = self.ledger.effective_events(
                        event.originator_id, version=event.originator_version
                    )
                projection.correct(notification.id, rows, str(event.originator_id), standing)
            else:
                projection.apply(event, notification.id, rows)
