"""Tampering with stored records directly in the database is found by verification, which
names the record and what changed; an untouched ledger verifies."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import psycopg
import pytest

from journey.application import JourneyLedger
from journey.catalogue import install_catalogue
from journey.persistence import sqlite_path
from journey.state import PersonalDetails
from journey.verification import verify

TODAY = date(2024, 6, 1)
DAYS = [date(2024, 1, 3) + timedelta(weeks=i) for i in range(12)]


def _history(ledger: JourneyLedger) -> list[UUID]:
    install_catalogue(ledger, actor="admin")
    ledger.schedule_cohort(
        cohort_id="c1",
        programme_id="voices-together",
        location="Grays",
        session_dates=DAYS,
        trainers=["t1"],
        actor="admin",
    )
    people = []
    for n in range(3):
        pid = ledger.enrol(
            cohort_id="c1",
            enrolled_on=date(2024, 1, 2),
            details=PersonalDetails(name=f"Person {n}"),
            actor="s",
        ).aggregate_id
        for session in range(1, 6):
            ledger.record_session(
                participant_id=pid, cohort_id="c1", session=session, status="attended", actor="s"
            )
        people.append(pid)
    return people


@contextmanager
def raw(url: str) -> Iterator[tuple[Callable[..., list[Any]], str, str]]:
    """(execute, events table, position column) straight on the database."""
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        assert path
        conn = sqlite3.connect(path)

        def run(sql: str, *args: Any) -> list[Any]:
            rows = conn.execute(sql.replace("%s", "?"), args).fetchall()
            conn.commit()
            return rows

        yield run, "stored_events", "rowid"
        conn.close()
    else:
        schema = parse_qs(urlsplit(url).query)["schema"][0]
        base = url.split("?")[0]
        with psycopg.connect(base, autocommit=True) as pg:

            def run(sql: str, *args: Any) -> list[Any]:
                cursor = pg.execute(sql, args)
                return cursor.fetchall() if cursor.description else []

            yield run, f'"{schema}".journeyledger_events', "notification_id"


def _key(url: str, pid: UUID) -> Any:
    return pid.hex if url.startswith("sqlite") else pid


@pytest.fixture
def ledger(store_url: str, make_ledger: Callable[..., JourneyLedger]) -> JourneyLedger:
    return make_ledger(store_url, today=TODAY)


def test_an_untouched_ledger_verifies(ledger: JourneyLedger) -> None:
    _history(ledger)
    result = verify(ledger.recorder)  # type: ignore[arg-type]
    assert result.ok, result.problem
    assert result.checked == ledger.recorder.max_notification_id()


def test_a_changed_byte_is_named_altered(store_url: str, ledger: JourneyLedger) -> None:
    people = _history(ledger)
    with raw(store_url) as (run, table, _):
        (state,) = run(
            f"SELECT state FROM {table} WHERE originator_id = %s AND originator_version = 4",
            _key(store_url, people[1]),
        )[0]
        changed = bytearray(state)
        changed[len(changed) // 2] ^= 0x01
        run(
            f"UPDATE {table} SET state = %s WHERE originator_id = %s AND originator_version = 4",
            bytes(changed),
            _key(store_url, people[1]),
        )
    problem = verify(ledger.recorder).problem  # type: ignore[arg-type]
    assert problem is not None
    assert (problem.kind, problem.stream, problem.version) == ("altered", str(people[1]), 4)


def test_a_deleted_record_is_named_removed(store_url: str, ledger: JourneyLedger) -> None:
    people = _history(ledger)
    with raw(store_url) as (run, table, _):
        run(
            f"DELETE FROM {table} WHERE originator_id = %s AND originator_version = 5",
            _key(store_url, people[0]),
        )
    problem = verify(ledger.recorder).problem  # type: ignore[arg-type]
    assert problem is not None
    assert (problem.kind, problem.stream, problem.version) == ("removed", str(people[0]), 5)


def test_two_swapped_records_are_named_reordered(store_url: str, ledger: JourneyLedger) -> None:
    people = _history(ledger)
    key = _key(store_url, people[2])
    with raw(store_url) as (run, table, _):
        rows = run(
            f"SELECT originator_version, topic, state FROM {table} WHERE originator_id = %s"
            " AND originator_version IN (3, 6) ORDER BY originator_version",
            key,
        )
        (_, topic3, state3), (_, topic6, state6) = rows
        run(
            f"UPDATE {table} SET topic = %s, state = %s WHERE originator_id = %s AND "
            "originator_version = 3",
            topic6,
            state6,
            key,
        )
        run(
            f"UPDATE {table} SET topic = %s, state = %s WHERE originator_id = %s AND "
            "originator_version = 6",
            topic3,
            state3,
            key,
        )
    problem = verify(ledger.recorder).problem  # type: ignore[arg-type]
    assert problem is not None
    assert (problem.kind, problem.stream, problem.version) == ("reordered", str(people[2]), 3)
    assert "version 6" in problem.detail


def test_a_forged_record_is_named_inserted(store_url: str, ledger: JourneyLedger) -> None:
    people = _history(ledger)
    key = _key(store_url, people[0])
    with raw(store_url) as (run, table, _):
        topic, state = run(
            f"SELECT topic, state FROM {table} WHERE originator_id = %s AND originator_version = 7",
            key,
        )[0]
        run(
            f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
            "VALUES (%s, %s, %s, %s)",
            key,
            8,
            topic,
            state,
        )
    problem = verify(ledger.recorder).problem  # type: ignore[arg-type]
    assert problem is not None
    assert (problem.kind, problem.stream, problem.version) == ("inserted", str(people[0]), 8)


def test_verification_runs_with_the_cyclic_collector_paused_and_restores_it(
    ledger: JourneyLedger,
) -> None:
    import gc

    _history(ledger)
    seen: list[bool] = []
    assert gc.isenabled()
    result = verify(ledger.recorder, page_size=1, progress=lambda _: seen.append(gc.isenabled()))  # type: ignore[arg-type]
    assert result.ok
    assert seen
    assert not any(seen)
    assert gc.isenabled()
