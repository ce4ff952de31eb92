"""The base of the ledger's aggregates and events.

Every event records who recorded it (``recorded_by``, the actor's subject) and, through the
library, when it was recorded (``timestamp``, the recorded time used for "as of" replay). Events
that users date themselves add ``occurred_on``. ``PERSONAL_FIELDS`` declares, once per event
class, which fields hold personal data (for encryption and erasure).
"""

from __future__ import annotations

from typing import ClassVar

from eventsourcing.domain import Aggregate

__all__ = ["LedgerAggregate"]


class LedgerAggregate(Aggregate):
    """An aggregate whose every event says who recorded it."""

    class Event(Aggregate.Event):
        PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset()

        recorded_by: str

    class Created(Event, Aggregate.Created):
        pass
