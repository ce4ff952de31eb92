"""Erasure in the ledger: what a forgotten participant's record says, the two-admin rule,
retention, and the settings that switch encryption on."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from api.settings import Settings
from journey.application import JourneyLedger
from journey.catalogue import install_catalogue
from journey.data_keys import generate_key
from journey.errors import CorrectionError, ErasureError, InvalidValue
from journey.personal_fields import ERASED
from journey.state import PersonalDetails

TODAY = date(2024, 6, 1)
DAYS = [date(2023, 1, 9) + timedelta(weeks=i) for i in range(12)]


def journey(ledger: JourneyLedger, *, cohort: str = "c1", name: str = "Ann Example") -> Any:
    pid = ledger.enrol(
        cohort_id=cohort,
        enrolled_on=date(2023, 1, 2),
        details=PersonalDetails(name=name, email="ann@example.org"),
        actor="staff-1",
    ).aggregate_id
    ledger.record_session(
        participant_id=pid,
        cohort_id=cohort,
        session=1,
        status="missed",
        reason="hospital appointment",
        actor="staff-1",
    )
    ledger.report_outcome(
        participant_id=pid,
        category="employment",
        detail="Started at the bakery on the high street",
        source="interview",
        occurred_on=date(2023, 6, 1),
        actor="staff-1",
    )
    return pid


@pytest.fixture
def ledger(make_ledger: Callable[..., JourneyLedger]) -> JourneyLedger:
    made = make_ledger(today=TODAY)
    install_catalogue(made, actor="admin")
    made.define_programme(
        programme_id="short-keep",
        name="Kept two years",
        session_count=12,
        attendance_threshold=9,
        retention_months=24,
        actor="admin",
    )
    for cohort, programme in (("c1", "voices-together"), ("c2", "short-keep")):
        made.schedule_cohort(
            cohort_id=cohort,
            programme_id=programme,
            location="Grays",
            session_dates=DAYS,
            trainers=["trainer-1"],
            actor="admin",
        )
    return made


def test_a_forgotten_record_keeps_its_facts_and_loses_its_personal_fields(
    ledger: JourneyLedger,
) -> None:
    pid = journey(ledger)
    before = ledger.get_participant(pid)

    ledger.forget(participant_id=pid, reason="subject access ticket 12", actor="admin-1")

    after = ledger.get_participant(pid)
    assert after.forgotten
    assert (after.details.name, after.details.email) == (ERASED, ERASED)
    assert after.enrolments[0].sessions[0].reason == ERASED
    assert after.outcomes[0].detail == ERASED
    # The facts stay: dates, attendance, categories, who recorded them.
    assert (
        after.enrolments[0].sessions[0].occurred_on == before.enrolments[0].sessions[0].occurred_on
    )
    assert after.outcomes[0].category == "employment"
    assert after.outcomes[0].occurred_on == date(2023, 6, 1)
    last = ledger.history(pid)[-1]
    assert last.type == "ParticipantForgotten"
    assert dict(last.fields) == {
        "reason": "subject access ticket 12",
        "requested_by": "admin-1",
        "approved_by": "admin-1",
    }


def test_nothing_is_recorded_or_corrected_after_forgetting(ledger: JourneyLedger) -> None:
    pid = journey(ledger)
    ledger.forget(participant_id=pid, reason="ticket 1", actor="admin-1")
    with pytest.raises(ErasureError) as caught:
        ledger.complete_follow_up(
            participant_id=pid, method="email", occurred_on=TODAY, actor="staff-1"
        )
    assert caught.value.code == "participant-forgotten"
    with pytest.raises(ErasureError):
        ledger.retract_event(participant_id=pid, corrects=3, reason="x", actor="staff-1")
    with pytest.raises(ErasureError):
        ledger.forget(participant_id=pid, reason="again", actor="admin-1")


def test_an_erasure_through_the_api_takes_a_second_admin(ledger: JourneyLedger) -> None:
    pid = journey(ledger)
    request = ledger.request_erasure(participant_id=pid, reason="ticket 9", actor="admin-1")
    with pytest.raises(ErasureError) as caught:
        ledger.request_erasure(participant_id=pid, reason="ticket 9", actor="admin-2")
    assert caught.value.code == "erasure-already-requested"
    with pytest.raises(ErasureError) as caught:
        ledger.approve_erasure(participant_id=pid, request=request.version, actor="admin-1")
    assert caught.value.code == "erasure-needs-second-admin"
    with pytest.raises(ErasureError) as caught:
        ledger.approve_erasure(participant_id=pid, request=2, actor="admin-2")
    assert caught.value.code == "erasure-not-requested"
    assert not ledger.get_participant(pid).forgotten

    ledger.approve_erasure(participant_id=pid, request=request.version, actor="admin-2")

    assert ledger.get_participant(pid).details.name == ERASED
    last = ledger.history(pid)[-1]
    assert (last.fields["requested_by"], last.fields["approved_by"]) == ("admin-1", "admin-2")


def test_erasure_requests_and_erasures_are_not_corrected(ledger: JourneyLedger) -> None:
    pid = journey(ledger)
    request = ledger.request_erasure(participant_id=pid, reason="ticket 3", actor="admin-1")
    with pytest.raises(CorrectionError) as caught:
        ledger.retract_event(
            participant_id=pid, corrects=request.version, reason="x", actor="staff-1"
        )
    assert caught.value.code == "not-correctable"
    # Other corrections go on while a request waits (the rules replay the request too).
    ledger.amend_event(
        participant_id=pid,
        corrects=request.version - 1,
        changes={"category": "volunteering"},
        reason="misheard",
        actor="staff-1",
    )
    assert ledger.get_participant(pid).outcomes[0].category == "volunteering"


def test_retention_forgets_only_those_every_programme_lets_go(ledger: JourneyLedger) -> None:
    kept_forever = journey(ledger, cohort="c1")  # voices-together: no retention set
    due = journey(ledger, cohort="c2")  # short-keep: 24 months after the last event
    both = journey(ledger, cohort="c2")
    ledger.enrol_again(
        participant_id=both, cohort_id="c1", enrolled_on=date(2023, 1, 3), actor="staff-1"
    )
    everyone = [kept_forever, due, both]

    recorded = ledger.get_participant(due).modified_at.date()  # counted from recorded time
    assert ledger.retention_due(everyone, today=recorded) == []  # not yet
    last_day = calendar.monthrange(recorded.year + 2, recorded.month)[1]
    in_two_years = date(recorded.year + 2, recorded.month, min(recorded.day, last_day))
    found = ledger.retention_due(everyone, today=in_two_years)
    assert [d.participant_id for d in found] == [due]
    assert found[0].keep_months == 24
    assert ledger.retention_due(everyone, today=in_two_years - timedelta(days=1)) == []


def test_a_programme_retention_is_a_number_of_months(ledger: JourneyLedger) -> None:
    with pytest.raises(InvalidValue) as caught:
        ledger.define_programme(
            programme_id="bad",
            name="Bad",
            session_count=1,
            attendance_threshold=1,
            retention_months=0,
            actor="admin",
        )
    assert caught.value.field == "retention_months"
    assert ledger.get_programme("short-keep").retention_months == 24


def test_the_production_profile_needs_an_encryption_key(tmp_path: Path) -> None:
    with pytest.raises(InvalidValue) as caught:
        Settings(data_dir=tmp_path, profile="production").keys()
    assert caught.value.field == "encryption_key"
    with pytest.raises(InvalidValue):
        Settings(data_dir=tmp_path, encryption_key="not a key").keys()  # type: ignore[arg-type]
    at_rest, master = Settings(data_dir=tmp_path, encryption_key=generate_key()).keys()  # type: ignore[arg-type]
    assert at_rest is not None
    assert master is not None
    assert len(master) == 32
    assert Settings(data_dir=tmp_path).keys() == (None, None)
