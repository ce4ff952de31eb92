"""Where each projection records how far it has read the ledger's log.

:class:`ViewTracking` implements the ``eventsourcing`` library's ``TrackingRecorder`` on a
SQLAlchemy engine, so a projection writes its view rows and its position in ONE transaction
(:meth:`record`): after a crash it resumes from the last committed position, and nothing is
counted twice. A position can only move forward; recording one that is not ahead of the stored
position raises the library's ``IntegrityError`` and rolls the whole page back.
"""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder
from sqlalchemy import BigInteger, Column, Connection, Engine, MetaData, String, Table, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError as SQLAlchemyIntegrityError

__all__ = ["ViewTracking", "tracking_table"]

metadata = MetaData()

tracking_table = Table(
    "journey_view_tracking",
    metadata,
    Column("projection", String(100), primary_key=True),
    Column("application_name", String(100), primary_key=True),
    Column("notification_id", BigInteger, nullable=False),
)


class ViewTracking(TrackingRecorder):
    """The position of one named projection, per upstream application."""

    def __init__(self, engine: Engine, projection: str) -> None:
        self.engine = engine
        self.projection = projection

    def create_table(self) -> None:
        metadata.create_all(self.engine)

    def insert_tracking(self, tracking: Tracking) -> None:
        with self.engine.begin() as conn:
            self.record(conn, tracking)

    def record(self, conn: Connection, tracking: Tracking, *, expected: int | None = None) -> None:
        """Move the position forward inside the caller's transaction. With ``expected`` (the
        position the page was read from), refuse unless the stored position is still exactly
        that: another runner that moved it meanwhile has already counted part of this page."""
        t = tracking_table
        current = self._position(conn, tracking.application_name)
        if expected is not None and (current or 0) != expected:
            msg = (
                f"Projection {self.projection!r} moved from {expected} to {current or 0} while "
                "this page was processed; refusing to count it twice"
            )
            raise IntegrityError(msg)
        if current is None:
            try:
                conn.execute(
                    t.insert().values(
                        projection=self.projection,
                        application_name=tracking.application_name,
                        notification_id=tracking.notification_id,
                    )
                )
            except SQLAlchemyIntegrityError:
                raise IntegrityError(
                    f"Projection {self.projection!r} was started concurrently"
                ) from None
            return
        if tracking.notification_id <= current:
            msg = (
                f"Projection {self.projection!r} is already at position {current} of "
                f"{tracking.application_name}; refusing to record {tracking.notification_id}"
            )
            raise IntegrityError(msg)
        result = conn.execute(
            sql_update(t)
            .where(
                t.c.projection == self.projection,
                t.c.application_name == tracking.application_name,
                t.c.notification_id == current,
            )
            .values(notification_id=tracking.notification_id)
        )
        if result.rowcount != 1:  # another process moved it between our read and write
            raise IntegrityError(f"Projection {self.projection!r} was advanced concurrently")

    def max_tracking_id(self, application_name: str) -> int | None:
        with self.engine.connect() as conn:
            return self._position(conn, application_name)

    def forget(self, conn: Connection) -> None:
        """Drop this projection's position (a rebuild starts from the beginning)."""
        conn.execute(tracking_table.delete().where(tracking_table.c.projection == self.projection))

    def _position(self, conn: Connection, application_name: str) -> int | None:
        t = tracking_table
        value = conn.execute(
            select(t.c.notification_id).where(
                t.c.projection == self.projection, t.c.application_name == application_name
            )
        ).scalar_one_or_none()
        return None if value is None else int(value)
