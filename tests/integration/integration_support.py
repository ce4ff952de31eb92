"""What the persistence tests share: one scheduled cohort, a full journey, and checks on views.

Imported by name (``from integration_support import ...``): pytest puts this folder on
``sys.path`` for its test modules. The name is long so that it cannot clash with a helper
module of another test folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
from datetime import date, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from journey.application import JourneyLedger
from journey.catalogue import install_catalogue
from journey.errors import AlreadyExists
from journey.state import PersonalDetails

TODAY = date(2024, 6, 1)  # the fixed clock of tests/conftest.py's make_ledger
STAFF = "staff-cara"
PROGRAMME_ID = "voices-together"  # shipped in the catalogue; accredited, 12 days, 9 to pass
COHORT_ID = "vt-2024-01"
SESSION_DATES = tuple(date(2024, 1, 8) + timedelta(weeks=n) for n in range(12))
TRAINERS = ("trainer-ana", "trainer-ben")
SECOND_PROGRAMME_ID = "peer-support"
SECOND_COHORT_ID = "ps-2024-02"
SECOND_SESSION_DATES = tuple(date(2024, 2, 5) + timedelta(days=n) for n in range(12))
ENROLLED_ON = date(2024, 1, 2)


class LedgerWithoutSnapshots(JourneyLedger):
    """The same application on the same tables (same name, so same env prefix and, on
    PostgreSQL, the same table names), but never reading or writing snapshots: every load
    replays the whole stream."""

    name = "JourneyLedger"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {}


def prepare(ledger: JourneyLedger) -> JourneyLedger:
    """Install the shipped programmes and schedule the two test cohorts (idempotent, so a
    second ledger on the same store can call it too)."""
    install_catalogue(ledger, actor=STAFF)
    for cohort_id, programme_id, dates in (
        (COHORT_ID, PROGRAMME_ID, SESSION_DATES),
        (SECOND_COHORT_ID, SECOND_PROGRAMME_ID, SECOND_SESSION_DATES),
    ):
        with contextlib.suppress(AlreadyExists):
            ledger.schedule_cohort(
                cohort_id=cohort_id,
                programme_id=programme_id,
                location="Hackney Community Centre",
                session_dates=dates,
                trainers=TRAINERS,
                actor=STAFF,
            )
    return ledger


def enrol(ledger: JourneyLedger, name: str, *, participant_id: UUID | None = None) -> UUID:
    """Register and enrol one person on COHORT_ID; return their id."""
    return ledger.enrol(
        cohort_id=COHORT_ID,
        enrolled_on=ENROLLED_ON,
        details=PersonalDetails(name=name, email=f"{name.lower()}@example.org"),
        actor=STAFF,
        participant_id=participant_id,
    ).aggregate_id


def report_outcome(ledger: JourneyLedger, pid: UUID, detail: str) -> int:
    """Record one outcome for ``pid`` (a command any participant can take at any time);
    return the participant's version after it."""
    return ledger.report_outcome(
        participant_id=pid,
        category="speaking",
        detail=detail,
        source="interview",
        occurred_on=date(2024, 5, 1),
        actor=STAFF,
    ).version


def lose_a_race(loser: JourneyLedger, winner: JourneyLedger, pid: UUID) -> int:
    """``loser`` reads ``pid``, ``winner`` then records an outcome, and ``loser`` saves one
    on its stale copy: the save must be refused (the version is taken). Returns that version."""
    stale = loser.repository.get(pid)
    report_outcome(winner, pid, "wins")
    stale.report_outcome(
        category="speaking",
        detail="loses",
        source="interview",
        ended_on=None,
        occurred_on=date(2024, 5, 1),
        today=TODAY,
        recorded_by=STAFF,
    )
    with pytest.raises(IntegrityError):
        loser.save(stale)
    version: int = stale.version
    return version


def record_full_journey(ledger: JourneyLedger) -> UUID:
    """One person's whole journey on COHORT_ID, every kind of course event included:
    sessions attended and missed, accreditation, a referred first attempt and a passed
    second one (two markers and two moderators each), certificates, outcomes with and
    without an end date, follow-up, wellbeing and feedback. Returns the participant's id."""
    pid = ledger.enrol(
        cohort_id=COHORT_ID,
        enrolled_on=ENROLLED_ON,
        details=PersonalDetails(
            name="Ada Okafor",
            email="ada@example.org",
            phone="07700 900123",
            ethnicity="Black British",
            gender="female",
            age_band="35-44",
            disability=None,
        ),
        actor=STAFF,
    ).aggregate_id
    common = {"participant_id": pid, "cohort_id": COHORT_ID}
    for number, day in enumerate(SESSION_DATES, start=1):
        if number == 4:
            ledger.record_session(
                **common,
                session=number,
                status="missed",
                reason="hospital appointment",
                actor="trainer-ana",
            )
        else:
            ledger.record_session(
                **common, session=number, status="attended", occurred_on=day, actor="trainer-ben"
            )
    ledger.decide_accreditation(**common, choose=True, occurred_on=date(2024, 1, 15), actor=STAFF)
    for attempt, first_day, result in (
        (1, date(2024, 4, 1), "refer"),
        (2, date(2024, 5, 1), "pass"),
    ):
        ledger.submit_log(**common, attempt=attempt, occurred_on=first_day, actor=STAFF)
        ledger.submit_essay(
            **common,
            attempt=attempt,
            essay_format="oral" if attempt == 1 else "poster",
            occurred_on=first_day + timedelta(days=1),
            actor=STAFF,
        )
        for stage, marker, offset in (("first", "marker-dee", 3), ("second", "marker-eli", 5)):
            ledger.record_mark(
                **common,
                attempt=attempt,
                stage=stage,
                result=result,
                feedback=f"{stage} mark of attempt {attempt}: clear reflection on practice",
                occurred_on=first_day + timedelta(days=offset),
                actor=marker,
            )
        for stage, moderator, offset in (("internal", "mod-fay", 7), ("external", "mod-gus", 9)):
            ledger.record_moderation(
                **common,
                attempt=attempt,
                stage=stage,
                result=result,
                occurred_on=first_day + timedelta(days=offset),
                actor=moderator,
            )
    for kind in ("attendance", "accredited"):
        ledger.issue_certificate(**common, kind=kind, occurred_on=date(2024, 5, 15), actor=STAFF)
    ledger.report_outcome(
        participant_id=pid,
        category="chair",
        detail="Chaired the service user forum",
        source="interview",
        occurred_on=date(2024, 3, 1),
        ended_on=date(2024, 5, 20),
        actor="staff-dan",
    )
    ledger.report_outcome(
        participant_id=pid,
        category="co_facilitating",
        detail="Co-facilitates the next cohort",
        source="self_report",
        occurred_on=date(2024, 5, 28),
        actor=STAFF,
    )
    ledger.complete_follow_up(
        participant_id=pid,
        method="telephone_interview",
        occurred_on=date(2024, 5, 30),
        actor="staff-dan",
    )
    for timepoint, score, day in (
        ("baseline", 41, SESSION_DATES[0]),
        ("end", 55, SESSION_DATES[-1]),
    ):
        ledger.measure_wellbeing(
            participant_id=pid,
            scale="WEMWBS",
            score=score,
            timepoint=timepoint,
            occurred_on=day,
            actor="trainer-ana",
        )
    ledger.record_feedback(
        participant_id=pid,
        quote="I found my voice in those meetings.",
        occurred_on=date(2024, 5, 31),
        cohort_id=COHORT_ID,
        actor="interviewer-hal",
    )
    # A second enrolment, on another programme, declined and then withdrawn from.
    ledger.enrol_again(
        participant_id=pid, cohort_id=SECOND_COHORT_ID, enrolled_on=date(2024, 2, 1), actor=STAFF
    )
    second = {"participant_id": pid, "cohort_id": SECOND_COHORT_ID}
    ledger.decide_accreditation(**second, choose=False, occurred_on=date(2024, 2, 5), actor=STAFF)
    ledger.record_session(**second, session=1, status="attended", actor="trainer-ana")
    ledger.withdraw(**second, occurred_on=date(2024, 2, 9), reason="moved away", actor=STAFF)
    return pid


def postgres_schema(url: str) -> str:
    """The schema named in a postgresql store URL (``public`` without one)."""
    return parse_qs(urlsplit(url).query).get("schema", ["public"])[0]


def postgres_conninfo(url: str) -> str:
    """A store URL as psycopg takes it: without the ``schema`` parameter, which is ours."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def assert_no_lists_and_dates_typed(value: Any, where: str = "view") -> None:
    """Walk a view: every collection is a tuple (never a list read back from JSON) and every
    ``*_on`` field is a ``date`` (never an ISO string)."""
    if isinstance(value, list):
        raise AssertionError(f"{where} is a list: {value!r}")
    if isinstance(value, tuple):
        for n, item in enumerate(value):
            assert_no_lists_and_dates_typed(item, f"{where}[{n}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            path = f"{where}.{f.name}"
            if f.name.endswith("_on"):
                dates = item if isinstance(item, tuple) else (item,)
                assert all(d is None or type(d) is date for d in dates), f"{path} = {item!r}"
            assert_no_lists_and_dates_typed(item, path)
