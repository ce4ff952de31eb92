"""The base of the read-model projections.

A projection names the event classes it reads (``topics``, filtered in the database), owns
its tables, and turns each event into row changes through :class:`~projections.rows.Rows`.
It never writes SQL itself and never replays aggregates: the runner reads the log, calls
:meth:`Projection.apply` for each event of a page, and commits the page's rows together with
the projection's tracking position. A correction is the one exception: for it the runner reads
the participant's stream up to the correction and :meth:`Projection.correct` records again the
events that stand.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Engine, MetaData, Table

from journey.participant import Participant
from projections.rows import Rows

# After these, what a participant's rows say is derived again from the events that stand:
# a correction changed which events stand; an erasure changed how they read (erased).
CORRECTIONS: tuple[type[Any], ...] = (
    Participant.EventRetracted,
    Participant.EventAmended,
    Participant.ParticipantForgotten,
)

__all__ = ["Projection"]


class Projection(ABC):
    """One read model: its name, the events it reads, its tables."""

    name: ClassVar[str]
    """Stable name: used for tracking and on the command line (``projections rebuild NAME``)."""
    metadata: ClassVar[MetaData]
    event_classes: ClassVar[tuple[type[Any], ...]]

    @classmethod
    def topics(cls) -> list[str]:
        """The stored topics this projection reads: its events, and the corrections of a
        participant's events if it reads any of those (see :meth:`correct`)."""
        topics = [get_topic(c) for c in cls.event_classes]
        if cls.reads_participants():
            topics += [get_topic(c) for c in CORRECTIONS]
        return topics

    @classmethod
    def reads_participants(cls) -> bool:
        return any(issubclass(c, Participant.Event) for c in cls.event_classes)

    @classmethod
    def tables(cls) -> list[Table]:
        return list(cls.metadata.sorted_tables)

    @classmethod
    def create_tables(cls, engine: Engine) -> None:
        cls.metadata.create_all(engine)

    @classmethod
    def drop_tables(cls, conn: Connection) -> None:
        cls.metadata.drop_all(conn)
        cls.metadata.create_all(conn)

    @abstractmethod
    def apply(self, event: Any, position: int, rows: Rows) -> None:
        """Record ``event`` (at log ``position``) in this projection's rows."""

    def correct(self, position: int, rows: Rows, participant_id: str, standing: list[Any]) -> None:
        """A correction (at log ``position``) changed what stands of a participant's
        stream: forget every row of that participant and record again the events that
        stand (``standing``, in stream order, as the ledger's ``effective_events`` gives
        them). Rows keyed by the participant are this projection's own; shared ones (the
        programmes and cohorts) are left alone."""
        for table in self.tables():
            if "participant_id" in table.c:
                rows.forget(table, "participant_id", participant_id)
        for event in standing:
            if isinstance(event, self.event_classes):
                self.apply(event, position, rows)
