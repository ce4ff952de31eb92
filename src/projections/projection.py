"""The base of the read-model projections.

A projection names the event classes it reads (``topics``, filtered in the database), owns
its tables, and turns each event into row changes through :class:`~projections.rows.Rows`.
It never writes SQL itself and never replays aggregates: the runner reads the log, calls
:meth:`Projection.apply` for each event of a page, and commits the page's rows together with
the projection's tracking position.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Engine, MetaData, Table

from projections.rows import Rows

__all__ = ["Projection"]


class Projection(ABC):
    """One read model: its name, the events it reads, its tables."""

    name: ClassVar[str]
    """Stable name: used for tracking and on the command line (``projections rebuild NAME``)."""
    metadata: ClassVar[MetaData]
    event_classes: ClassVar[tuple[type[Any], ...]]

    @classmethod
    def topics(cls) -> list[str]:
        return [get_topic(c) for c in cls.event_classes]

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
