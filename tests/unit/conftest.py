"""Unit-test fixtures: a ledger on the in-memory store with the shipped catalogue, and a
participant driver (:class:`~.support.Journey`) on it with the spring cohort scheduled."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from journey.application import JourneyLedger
from journey.catalogue import install_catalogue

from .support import ADMIN, TODAY, Journey


@pytest.fixture
def ledger(make_ledger: Callable[..., JourneyLedger]) -> JourneyLedger:
    made = make_ledger(today=TODAY)
    install_catalogue(made, actor=ADMIN)
    return made


@pytest.fixture
def journey(ledger: JourneyLedger) -> Journey:
    driver = Journey(ledger)
    driver.schedule()
    return driver
