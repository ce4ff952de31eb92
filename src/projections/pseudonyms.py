"""Pseudonyms and date protection for one study.

A :class:`Study` holds the study's secret. A person's pseudonym is a keyed hash (HMAC-SHA256
of their ledger id under the secret): the same in every export of one study, unrelated
across studies (a different secret), and not reversible without the secret. Cohorts get keyed
codes the same way, because a cohort id names a place and a year.

Dates are either shifted by the person's own offset (a whole number of days from
``-max_shift_days`` to ``+max_shift_days``, never 0, also derived from the secret: every date
of one person moves by the same amount, so every interval between them is exact) or
coarsened to the month (``YYYY-MM``).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

__all__ = ["DateMode", "Study"]

DateMode = Literal["shift", "month"]


@dataclass(frozen=True)
class Study:
    name: str
    secret: bytes
    dates: DateMode = "shift"
    max_shift_days: int = 182

    def __post_init__(self) -> None:
        if len(self.secret) < 16:
            raise ValueError("the study secret must be at least 16 bytes")
        if self.max_shift_days < 1:
            raise ValueError("max_shift_days must be at least 1")

    def _digest(self, purpose: str, value: str) -> bytes:
        return hmac.new(self.secret, f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()

    def pseudonym(self, participant_id: str) -> str:
        return "P-" + self._digest("participant", participant_id).hex()[:16]

    def cohort_code(self, cohort_id: str) -> str:
        return "K-" + self._digest("cohort", cohort_id).hex()[:10]

    def offset_days(self, participant_id: str) -> int:
        """The person's date offset: never 0, at most ``max_shift_days`` either way."""
        n = int.from_bytes(self._digest("date-offset", participant_id)[:8], "big")
        magnitude = 1 + n % self.max_shift_days
        return magnitude if (n >> 32) % 2 else -magnitude

    def shown_date(self, participant_id: str, day: date | None) -> date | str | None:
        """``day`` as an export shows it: shifted (a date) or its month (``YYYY-MM``)."""
        if day is None:
            return None
        if self.dates == "month":
            return f"{day.year:04d}-{day.month:02d}"
        return day + timedelta(days=self.offset_days(participant_id))
