"""Shared fixtures: a clean environment for every test, and the stores to run against.

PostgreSQL tests use the server at JOURNEY_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test), each in a fresh schema dropped afterwards. Without
a server they skip, unless JOURNEY_REQUIRE_POSTGRES=1 (set by .ci/run), when they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from journey.application import JourneyLedger
from journey.persistence import store_env

# Read once, before the autouse fixture below cleans the environment for each test.
POSTGRES_URL = os.environ.get(
    "JOURNEY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("JOURNEY_REQUIRE_POSTGRES", "") not in ("", "0", "false", "no")

_ENV_PREFIXES = (
    "JOURNEY",
    "PERSISTENCE_MODULE",
    "SQLITE_",
    "POSTGRES_",
    "CIPHER_",
    "COMPRESSOR_",
    "IS_SNAPSHOTTING_ENABLED",
    "AGGREGATE_CACHE_",
    "DEEPCOPY_FROM_AGGREGATE_CACHE",
    "CREATE_TABLE",
    "TRANSCODER_TOPIC",
    "MAPPER_TOPIC",
    "APPLICATION_RECORDER_TOPIC",
    "TRACKING_RECORDER_TOPIC",
    "ORIGINATOR_ID_TYPE",
    "SINGLE_ROW_TRACKING",
    "INFRASTRUCTURE_FACTORY",
    "FACTORY_TOPIC",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stray JOURNEY_* or eventsourcing variable in the shell must not change a test."""
    for key in list(os.environ):
        if key.startswith(_ENV_PREFIXES) or key.endswith("_PERSISTENCE_MODULE"):
            monkeypatch.delenv(key, raising=False)


def _postgres_available() -> str | None:
    """None if the server answers, else the reason it does not."""
    import psycopg

    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except Exception as exc:  # any failure to connect means "no server here"
        return f"{type(exc).__name__}: {exc}".strip()


_PG_REASON: list[str | None] = []


def require_postgres() -> None:
    """Skip (or, with JOURNEY_REQUIRE_POSTGRES=1, fail) when PostgreSQL is unreachable."""
    if not _PG_REASON:
        _PG_REASON.append(_postgres_available())
    reason = _PG_REASON[0]
    if reason is None:
        return
    message = f"PostgreSQL not reachable at {POSTGRES_URL}: {reason}"
    if REQUIRE_POSTGRES:
        pytest.fail(message + " (required: JOURNEY_REQUIRE_POSTGRES is set)", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL for a fresh, empty schema in the test database; dropped afterwards."""
    require_postgres()
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if urlsplit(POSTGRES_URL).query else "?"
    try:
        yield f"{POSTGRES_URL}{separator}schema={schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'journey.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'journey.db'}"
    return str(request.getfixturevalue("postgres_url"))


TODAY = date(2024, 6, 1)


@pytest.fixture
def make_ledger() -> Iterator[Callable[..., JourneyLedger]]:
    """Build ledgers on a store URL (default: in memory) with a fixed clock; closes them."""
    made: list[JourneyLedger] = []

    def make(url: str = "memory://", *, today: date = TODAY) -> JourneyLedger:
        ledger = JourneyLedger(store_env(url, prefix="JOURNEYLEDGER"), clock=lambda: today)
        made.append(ledger)
        return ledger

    yield make
    for ledger in made:
        ledger.close()
