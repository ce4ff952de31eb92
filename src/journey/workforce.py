"""The size of the workforce in a region, as recorded by an administrator, dated.

The share of the workforce trained is counted against it: a region's stream holds every size
recorded, each with the date it counts from, so a report for a date uses the size in force
then. The stream's id derives from the region's name.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from journey import rules
from journey.aggregate import LedgerAggregate
from journey.errors import InvalidValue
from journey.values import require_text

__all__ = ["MAX_WORKFORCE", "RegionWorkforce"]

MAX_WORKFORCE = 1_000_000


class RegionWorkforce(LedgerAggregate):
    """A region and the workforce sizes recorded for it."""

    class Registered(LedgerAggregate.Created):
        region: str

        def apply(self, aggregate: Any) -> None:
            aggregate.region = self.region
            aggregate.sizes = {}

    class SizeRecorded(LedgerAggregate.Event):
        size: int
        occurred_on: date  # the date the size counts from

        def apply(self, aggregate: Any) -> None:
            aggregate.sizes[self.occurred_on] = self.size

    region: str
    sizes: dict[date, int]

    def __init__(self) -> None:
        """State is set by :class:`Registered`."""

    @staticmethod
    def id_for(region: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"journey-ledger:workforce:{region.strip().casefold()}")

    @classmethod
    def register(cls, *, region: str, recorded_by: str) -> RegionWorkforce:
        region = require_text("region", region, max_length=100)
        return cls._create(
            cls.Registered, id=cls.id_for(region), recorded_by=recorded_by, region=region
        )

    def record_size(self, *, size: int, occurred_on: date, today: date, recorded_by: str) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_WORKFORCE:
            raise InvalidValue("size", f"must be a whole number from 1 to {MAX_WORKFORCE}")
        rules.not_in_future(occurred_on, today)
        self.trigger_event(
            self.SizeRecorded, recorded_by=recorded_by, size=size, occurred_on=occurred_on
        )
