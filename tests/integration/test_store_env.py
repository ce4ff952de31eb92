"""store_env: one URL in, the library's environment keys out (no database needed).

Kept beside the persistence tests it configures; it is a pure function, so it could equally
live in tests/unit/.
"""

from __future__ import annotations

import sys

import pytest
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.popo import POPOFactory
from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory
from eventsourcing.utils import resolve_topic

from journey.errors import InvalidValue
from journey.persistence import sqlite_path, store_env


def _names(env: dict[str, str], prefix: str, kind: type[InfrastructureFactory]) -> bool:
    """Whether the env's PERSISTENCE_MODULE names ``kind``: the library's module, or a
    factory class that is (a subclass of) it. Where the ledger's own factories live is its
    business; what kind of store they are is the contract."""
    named = resolve_topic(env.pop(f"{prefix}_PERSISTENCE_MODULE"))
    if named is sys.modules[kind.__module__]:
        return True
    return isinstance(named, type) and issubclass(named, kind)


def test_a_relative_sqlite_path():
    env = store_env("sqlite:///data/journey.db", prefix="JOURNEYLEDGER")
    assert _names(env, "JOURNEYLEDGER", SQLiteFactory)
    assert env == {
        "JOURNEYLEDGER_SQLITE_DBNAME": "data/journey.db",
        "JOURNEYLEDGER_SQLITE_LOCK_TIMEOUT": "10",
    }


def test_an_absolute_sqlite_path():
    env = store_env("sqlite:////var/lib/journey/journey.db", prefix="JOURNEYLEDGER")
    assert env["JOURNEYLEDGER_SQLITE_DBNAME"] == "/var/lib/journey/journey.db"
    assert _names(env, "JOURNEYLEDGER", SQLiteFactory)


def test_a_percent_encoded_sqlite_path_is_decoded():
    env = store_env("sqlite:///my%20data/journey.db", prefix="X")
    assert env["X_SQLITE_DBNAME"] == "my data/journey.db"


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///journey.db", "journey.db"),
        ("sqlite:////tmp/journey.db", "/tmp/journey.db"),
        ("postgresql://h/db", None),
        ("memory://", None),
    ],
)
def test_sqlite_path(url, path):
    assert sqlite_path(url) == path


def test_a_postgresql_url_with_password_port_and_schema():
    url = "postgresql://ledger:s%40cret%2Fx@db.example.org:6543/journeys?schema=ledger"
    env = store_env(url, prefix="JOURNEYLEDGER")
    assert _names(env, "JOURNEYLEDGER", PostgresFactory)
    assert env == {
        "JOURNEYLEDGER_POSTGRES_DBNAME": "journeys",
        "JOURNEYLEDGER_POSTGRES_HOST": "db.example.org",
        "JOURNEYLEDGER_POSTGRES_PORT": "6543",
        "JOURNEYLEDGER_POSTGRES_USER": "ledger",
        "JOURNEYLEDGER_POSTGRES_PASSWORD": "s@cret/x",
        "JOURNEYLEDGER_POSTGRES_SCHEMA": "ledger",
        "JOURNEYLEDGER_POSTGRES_CONNECT_TIMEOUT": "5",
        "JOURNEYLEDGER_POSTGRES_LOCK_TIMEOUT": "5",
    }


def test_a_postgresql_url_with_only_host_and_database_takes_the_defaults():
    env = store_env("postgresql://db.example.org/journeys", prefix="X")
    assert (env["X_POSTGRES_USER"], env["X_POSTGRES_PASSWORD"]) == ("postgres", "")
    assert (env["X_POSTGRES_PORT"], env["X_POSTGRES_SCHEMA"]) == ("5432", "public")


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_the_postgresql_scheme_spellings(scheme):
    assert _names(store_env(f"{scheme}://u@h/db", prefix="X"), "X", PostgresFactory)


def test_memory():
    env = store_env("memory://", prefix="JOURNEYLEDGER")
    assert _names(env, "JOURNEYLEDGER", POPOFactory)
    assert env == {}


@pytest.mark.parametrize("url", ["sqlite:///j.db", "postgresql://u:p@h:1/db?schema=s", "memory://"])
def test_every_key_carries_the_prefix(url):
    # An unprefixed key would lose to a stray one in the shell (see the eventsourcing notes).
    assert all(key.startswith("APP_") for key in store_env(url, prefix="APP"))


def _invalid(url: str) -> InvalidValue:
    with pytest.raises(InvalidValue) as caught:
        store_env(url, prefix="X")
    error = caught.value
    assert (error.field, error.code) == ("database_url", "invalid-value")
    return error


@pytest.mark.parametrize(
    "url", ["mysql://u@h/db", "file:///tmp/journey.db", "journey.db", "", "http://h/x"]
)
def test_an_unsupported_scheme_is_refused_with_the_supported_ones_named(url):
    message = str(_invalid(url))
    assert "unsupported store" in message
    assert all(s in message for s in ("sqlite:///", "postgresql://", "memory://"))


@pytest.mark.parametrize(
    "url", ["postgresql://db.example.org", "postgresql://db.example.org/", "postgresql:///db"]
)
def test_a_postgresql_url_without_host_or_database_name_is_refused(url):
    assert "needs a host and a database name" in str(_invalid(url))


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///"])
def test_a_sqlite_url_without_a_path_is_refused(url):
    assert "needs a file path" in str(_invalid(url))


# -- found while writing these tests (see the report); strict, so a fix turns them red ------


def test_a_sqlite_url_with_a_host_part_is_refused():
    _invalid("sqlite://data/journey.db")


def test_a_postgresql_url_with_a_bad_port_is_refused():
    _invalid("postgresql://u@h:notaport/db")
