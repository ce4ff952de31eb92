"""Fixtures of the persistence tests (the stores themselves come from tests/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from integration_support import TODAY, prepare

from journey.application import JourneyLedger
from journey.persistence import store_env

# eventsourcing keys that tests/conftest.py's _clean_environment does not remove, but that the
# library still reads from os.environ (Application.construct_env merges it under env=): a
# stray IS_SNAPSHOTTING_ENABLED=n in the shell, for one, switches snapshots off and fails the
# snapshot tests. Belongs in tests/conftest.py's _ENV_PREFIXES; kept here until it moves.
_LIBRARY_KEYS = (
    "IS_SNAPSHOTTING_ENABLED",
    "AGGREGATE_CACHE_",
    "DEEPCOPY_FROM_AGGREGATE_CACHE",
    "CREATE_TABLE",
    "TRANSCODER_TOPIC",
    "MAPPER_TOPIC",
    "ORIGINATOR_ID_TYPE",
    "SINGLE_ROW_TRACKING",
    "APPLICATION_RECORDER_TOPIC",
    "TRACKING_RECORDER_TOPIC",
    "PROCESS_RECORDER_TOPIC",
    "INFRASTRUCTURE_FACTORY",
    "FACTORY_TOPIC",
)


@pytest.fixture(autouse=True)
def _clean_library_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith(_LIBRARY_KEYS):
            monkeypatch.delenv(key, raising=False)


@pytest.fixture
def open_ledger() -> Iterator[Callable[..., JourneyLedger]]:
    """Open a JourneyLedger on a store URL, with the test cohorts in place; closes it after.

    Like tests/conftest.py's ``make_ledger``, but the clock can be any callable (the
    concurrency tests use one that waits at a barrier), and ``cls`` may be a subclass on the
    same tables (``LedgerWithoutSnapshots``). Request it after ``store_url`` so that the
    ledgers close before a PostgreSQL schema is dropped."""
    opened: list[JourneyLedger] = []

    def open_(
        url: str,
        *,
        clock: Callable[[], date] = lambda: TODAY,
        cls: type[JourneyLedger] = JourneyLedger,
        prepared: bool = True,
    ) -> JourneyLedger:
        ledger = cls(store_env(url, prefix=cls.name.upper()), clock=clock)
        opened.append(ledger)
        return prepare(ledger) if prepared else ledger

    yield open_
    for ledger in opened:
        ledger.close()
