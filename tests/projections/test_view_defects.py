"""Defects once found in the read models, each pinned by the smallest history that had it.

Each test states what the view must say in a case that was once wrong (withdrawals in the
moderation queue, outcomes counted once per enrolment, the queue's clock from the latest
submission, the first tracking row recorded twice at once). The concurrency defects of the
tracking guard are in :mod:`test_exactly_once`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest
from eventsourcing.persistence import IntegrityError, Tracking
from history_walk import COHORTS, STAFF, TODAY, HistoryWalk, SeededChooser
from projection_support import ledger_on, scratch, sqlite_url, views_on
from sqlalchemy import Engine

from journey.application import JourneyLedger
from journey.errors import RuleViolation, WithdrawnError
from journey.state import PersonalDetails
from projections.moderation import read_queue
from projections.outcome_report import outcome_counts, read_timeline
from projections.runner import ProjectionRunner
from projections.tracking import ViewTracking

GRAYS, BASILDON = "vt-2021-grays", "vt-2023-basildon"  # both voices-together


@contextmanager
def scripted() -> Iterator[tuple[JourneyLedger, Engine, ProjectionRunner]]:
    """A ledger with the programmes and every test cohort, and its views, on SQLite."""
    with scratch() as tmp:
        url = sqlite_url(tmp, "journey.db")
        with ledger_on(url) as ledger, views_on(url) as engine:
            HistoryWalk(ledger, SeededChooser(0)).set_up(cohorts=len(COHORTS))
            runner = ProjectionRunner(ledger, engine, page_size=3)
            runner.setup()
            yield ledger, engine, runner


def enrol(ledger: JourneyLedger, cohort_id: str, on: date) -> UUID:
    pid = uuid5(NAMESPACE_URL, f"defect:{cohort_id}:{on}")
    ledger.enrol(
        cohort_id=cohort_id,
        enrolled_on=on,
        details=PersonalDetails(name="Sam Okoye"),
        actor=STAFF,
        participant_id=pid,
    )
    return pid


def submitted(ledger: JourneyLedger, log_on: date, essay_on: date) -> dict[str, Any]:
    pid = enrol(ledger, GRAYS, date(2021, 2, 24))
    common: dict[str, Any] = {"participant_id": pid, "cohort_id": GRAYS}
    ledger.decide_accreditation(**common, choose=True, occurred_on=date(2021, 3, 3), actor=STAFF)
    ledger.submit_log(**common, attempt=1, occurred_on=log_on, actor=STAFF)
    ledger.submit_essay(
        **common, attempt=1, essay_format="written", occurred_on=essay_on, actor=STAFF
    )
    return common


def test_the_attempt_of_a_participant_who_withdrew_leaves_the_moderation_queue() -> None:
    with scripted() as (ledger, engine, runner):
        common = submitted(ledger, date(2021, 6, 1), date(2021, 6, 2))
        ledger.withdraw(**common, occurred_on=date(2021, 6, 3), reason="moved away", actor=STAFF)
        with pytest.raises(WithdrawnError):
            ledger.record_mark(
                **common,
                attempt=1,
                stage="first",
                result="pass",
                feedback="clear",
                occurred_on=date(2021, 6, 10),
                actor="marker-mia",
            )
        runner.catch_up()
        assert read_queue(engine, today=TODAY) == []


def test_an_outcome_after_two_courses_of_a_programme_is_counted_once() -> None:
    with scripted() as (ledger, engine, runner):
        pid = enrol(ledger, GRAYS, date(2021, 2, 24))
        ledger.enrol_again(
            participant_id=pid, cohort_id=BASILDON, enrolled_on=date(2023, 1, 4), actor=STAFF
        )
        ledger.report_outcome(
            participant_id=pid,
            category="chair",
            detail="Chairs the service user forum",
            source="interview",
            occurred_on=date(2024, 1, 10),
            actor=STAFF,
        )
        runner.catch_up()
        (entry,) = read_timeline(engine, str(pid))
        assert entry.cohort_id == BASILDON
        for scope in ({}, {"programme_id": "voices-together"}):
            counts = outcome_counts(engine, **scope)
            assert counts.with_outcome == 1
            assert counts.by_category == {"chair": 1}, scope


def test_an_attempt_waits_for_its_marks_from_its_latest_submission() -> None:
    with scripted() as (ledger, engine, runner):
        common = submitted(ledger, log_on=date(2021, 6, 10), essay_on=date(2021, 6, 1))
        with pytest.raises(RuleViolation, match="before the attempt's last submission"):
            ledger.record_mark(
                **common,
                attempt=1,
                stage="first",
                result="pass",
                feedback="clear",
                occurred_on=date(2021, 6, 5),
                actor="marker-mia",
            )
        runner.catch_up()
        assert {item.since for item in read_queue(engine, today=TODAY)} == {date(2021, 6, 10)}


def test_the_first_position_recorded_twice_at_once_raises_the_library_error() -> None:
    with scratch() as tmp:
        url = sqlite_url(tmp, "views.db")
        with views_on(url) as first_engine, views_on(url) as second_engine:
            first = ViewTracking(first_engine, "register")
            first.create_table()
            second = ViewTracking(second_engine, "register")
            raised: list[BaseException] = []

            def record_second() -> None:
                try:
                    with second_engine.begin() as conn:
                        second.record(conn, Tracking("JourneyLedger", 7))
                except BaseException as exc:  # examined below
                    raised.append(exc)

            with first_engine.begin() as conn:
                first.record(conn, Tracking("JourneyLedger", 5))
                other = threading.Thread(target=record_second)
                other.start()
                time.sleep(0.5)  # it has read "no row" and waits to insert
            other.join(timeout=15)
            assert first.max_tracking_id("JourneyLedger") == 5
            assert len(raised) == 1
            assert isinstance(raised[0], IntegrityError), type(raised[0])
