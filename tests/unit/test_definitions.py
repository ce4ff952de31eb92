"""Programme, cohort and accreditation definitions; ids that are taken or unknown; and
conditional writes."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from journey.application import JourneyLedger
from journey.errors import (
    AlreadyExists,
    CohortNotFound,
    InvalidValue,
    ParticipantNotFound,
    ProgrammeNotFound,
    VersionMismatch,
)
from journey.programme import Cohort, Programme
from journey.state import PersonalDetails
from journey.values import Accreditation

from .support import ADMIN, CLERK, ENROLLED_ON, SPRING, SPRING_DAYS, TRAINERS, Journey

# -- programmes -------------------------------------------------------------------------------


def define(ledger: JourneyLedger, **changes: Any) -> None:
    terms: dict[str, Any] = {
        "programme_id": "taster",
        "name": "Taster day",
        "session_count": 3,
        "attendance_threshold": 2,
        "actor": ADMIN,
    }
    ledger.define_programme(**{**terms, **changes})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"session_count": 0}, "session_count"),
        ({"session_count": 101}, "session_count"),
        ({"attendance_threshold": 4}, "attendance_threshold"),
        ({"attendance_threshold": -1}, "attendance_threshold"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"programme_id": ""}, "programme_id"),
        ({"programme_id": "x" * 101}, "programme_id"),
        ({"themes": ["recovery", " "]}, "themes"),
    ],
)
def test_an_invalid_programme_is_refused_naming_the_field(
    ledger: JourneyLedger, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        define(ledger, **changes)

    assert caught.value.field == field
    assert caught.value.code == "invalid-value"
    with pytest.raises(ProgrammeNotFound):
        ledger.get_programme(changes.get("programme_id") or "taster")


@pytest.mark.parametrize(
    ("session_count", "attendance_threshold"), [(1, 0), (1, 1), (100, 100), (100, 0)]
)
def test_programme_bounds_are_inclusive(
    ledger: JourneyLedger, session_count: int, attendance_threshold: int
) -> None:
    define(ledger, session_count=session_count, attendance_threshold=attendance_threshold)

    programme = ledger.get_programme("taster")
    assert (programme.session_count, programme.attendance_threshold) == (
        session_count,
        attendance_threshold,
    )


def test_a_programme_is_stored_with_its_text_trimmed(ledger: JourneyLedger) -> None:
    define(ledger, programme_id=" taster ", name="  Taster day ", themes=(" recovery ",))

    programme = ledger.get_programme("taster")
    assert (programme.name, programme.themes, programme.accreditation) == (
        "Taster day",
        ("recovery",),
        None,
    )


def test_defining_a_programme_twice_is_refused(ledger: JourneyLedger) -> None:
    define(ledger)

    with pytest.raises(AlreadyExists) as caught:
        define(ledger, name="Another taster")

    assert caught.value.code == "already-exists"
    assert "'taster'" in caught.value.message
    assert ledger.get_programme("taster").name == "Taster day"


# -- cohorts ----------------------------------------------------------------------------------


def schedule(ledger: JourneyLedger, **changes: Any) -> None:
    terms: dict[str, Any] = {
        "cohort_id": SPRING,
        "programme_id": "voices-together",
        "location": "Islington",
        "session_dates": SPRING_DAYS,
        "trainers": TRAINERS,
        "actor": ADMIN,
    }
    ledger.schedule_cohort(**{**terms, **changes})


SWAPPED = (SPRING_DAYS[1], SPRING_DAYS[0], *SPRING_DAYS[2:])
REPEATED = (SPRING_DAYS[0], *SPRING_DAYS[:11])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"session_dates": SPRING_DAYS[:11]}, "session_dates"),
        ({"session_dates": (*SPRING_DAYS, date(2024, 5, 1))}, "session_dates"),
        ({"session_dates": SWAPPED}, "session_dates"),
        ({"session_dates": REPEATED}, "session_dates"),
        ({"trainers": ()}, "trainers"),
        ({"trainers": ("Trainer Tess", "Trainer Tess")}, "trainers"),
        ({"trainers": ("Trainer Tess", " Trainer Tess ")}, "trainers"),
        ({"trainers": ("Trainer Tess", "")}, "trainers"),
        ({"location": " "}, "location"),
        ({"cohort_id": ""}, "cohort_id"),
    ],
)
def test_an_invalid_cohort_is_refused_naming_the_field(
    ledger: JourneyLedger, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        schedule(ledger, **changes)

    assert caught.value.field == field
    with pytest.raises(CohortNotFound):
        ledger.get_cohort(SPRING)


def test_a_wrong_number_of_dates_names_the_programme_and_both_counts(
    ledger: JourneyLedger,
) -> None:
    with pytest.raises(InvalidValue, match="'voices-together' has 12 training days; 11 dates"):
        schedule(ledger, session_dates=SPRING_DAYS[:11])


def test_a_scheduled_cohort_reads_back(ledger: JourneyLedger) -> None:
    schedule(ledger)

    cohort = ledger.get_cohort(SPRING)
    assert cohort.programme_id == "voices-together"
    assert cohort.session_dates == SPRING_DAYS
    assert cohort.trainers == TRAINERS
    assert cohort.location == "Islington"


def test_scheduling_a_cohort_twice_is_refused(ledger: JourneyLedger) -> None:
    schedule(ledger)

    with pytest.raises(AlreadyExists) as caught:
        schedule(ledger, location="Hackney")

    assert caught.value.code == "already-exists"
    assert ledger.get_cohort(SPRING).location == "Islington"


def test_a_cohort_of_an_unknown_programme_is_refused(ledger: JourneyLedger) -> None:
    with pytest.raises(ProgrammeNotFound) as caught:
        schedule(ledger, programme_id="juggling")

    assert caught.value.programme_id == "juggling"
    assert caught.value.code == "programme-not-found"


# -- accreditation ----------------------------------------------------------------------------


def accreditation(**changes: Any) -> Accreditation:
    terms: dict[str, Any] = {"awarding_body": "Middlesex University", "credits": 30, "level": 4}
    return Accreditation(**{**terms, **changes})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"awarding_body": " "}, "accreditation.awarding_body"),
        ({"credits": 0}, "accreditation.credits"),
        ({"credits": 361}, "accreditation.credits"),
        ({"level": 0}, "accreditation.level"),
        ({"level": 9}, "accreditation.level"),
        ({"max_attempts": 0}, "accreditation.max_attempts"),
        ({"max_attempts": 11}, "accreditation.max_attempts"),
        ({"components": ()}, "accreditation.components"),
        ({"components": ("log", "log")}, "accreditation.components"),
        ({"components": ("log", "portfolio")}, "accreditation.components"),
        ({"essay_formats": ()}, "accreditation.essay_formats"),
        ({"essay_formats": ("written", "video")}, "accreditation.essay_formats"),
    ],
)
def test_invalid_accreditation_terms_are_refused(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        accreditation(**changes)

    assert caught.value.field == field


@pytest.mark.parametrize(
    "changes",
    [
        {"credits": 1, "level": 1, "max_attempts": 1},
        {"credits": 360, "level": 8, "max_attempts": 10},
        {"components": ("log",), "essay_formats": ()},
        {"components": ("essay",), "essay_formats": ("poster",)},
    ],
)
def test_accreditation_bounds_are_inclusive(changes: dict[str, Any]) -> None:
    terms = accreditation(**changes)

    for name, value in changes.items():
        assert getattr(terms, name) == value


def test_a_programme_keeps_its_accreditation(ledger: JourneyLedger) -> None:
    terms = accreditation(components=("essay",), essay_formats=("oral",), max_attempts=3)

    define(ledger, accreditation=terms)

    assert ledger.get_programme("taster").accreditation == terms


# -- unknown ids, taken ids, conditional writes -----------------------------------------------


def test_enrolling_on_an_unknown_cohort_is_refused(ledger: JourneyLedger) -> None:
    with pytest.raises(CohortNotFound) as caught:
        ledger.enrol(
            cohort_id="nowhere",
            enrolled_on=ENROLLED_ON,
            details=PersonalDetails(name="Ann Example"),
            actor=CLERK,
        )

    assert caught.value.cohort_id == "nowhere"
    assert caught.value.code == "cohort-not-found"


def test_an_unknown_participant_is_not_found(journey: Journey) -> None:
    stranger = uuid4()
    ledger = journey.ledger

    with pytest.raises(ParticipantNotFound) as caught:
        ledger.get_participant(stranger)
    assert caught.value.code == "participant-not-found"
    assert str(stranger) in caught.value.message
    with pytest.raises(ParticipantNotFound):
        ledger.history(stranger)
    with pytest.raises(ParticipantNotFound):
        ledger.record_session(
            participant_id=stranger, cohort_id=SPRING, session=1, status="attended", actor=CLERK
        )
    with pytest.raises(ParticipantNotFound):
        ledger.complete_follow_up(
            participant_id=stranger, method="email", occurred_on=ENROLLED_ON, actor=CLERK
        )
    assert not ledger.participant_exists(stranger)


def test_a_programme_or_cohort_id_is_not_a_participant(journey: Journey) -> None:
    for not_a_participant in (Programme.id_for("voices-together"), Cohort.id_for(SPRING)):
        with pytest.raises(ParticipantNotFound):
            journey.ledger.get_participant(not_a_participant)
        with pytest.raises(ParticipantNotFound):
            journey.ledger.complete_follow_up(
                participant_id=not_a_participant,
                method="email",
                occurred_on=ENROLLED_ON,
                actor=CLERK,
            )


def test_enrolling_with_a_participant_id_that_is_taken_is_refused(journey: Journey) -> None:
    pid = journey.enrol()
    before = journey.snapshot()

    with pytest.raises(AlreadyExists):
        journey.ledger.enrol(
            cohort_id=SPRING,
            enrolled_on=ENROLLED_ON,
            details=PersonalDetails(name="Someone Else"),
            actor=CLERK,
            participant_id=pid,
        )

    assert journey.snapshot() == before


def test_a_refused_enrolment_stores_no_participant(journey: Journey) -> None:
    pid = uuid4()

    with pytest.raises(InvalidValue) as caught:
        journey.ledger.enrol(
            cohort_id=SPRING,
            enrolled_on=ENROLLED_ON,
            details=PersonalDetails(name="  "),
            actor=CLERK,
            participant_id=pid,
        )

    assert caught.value.field == "name"
    assert not journey.ledger.participant_exists(pid)


@pytest.mark.parametrize("expected", [1, 3, 0])
def test_a_conditional_write_at_another_version_is_refused(journey: Journey, expected: int) -> None:
    journey.enrol()
    before = journey.snapshot()
    assert before.view.version == 2

    with pytest.raises(VersionMismatch) as caught:
        journey.ledger.record_session(
            participant_id=journey.pid,
            cohort_id=SPRING,
            session=1,
            status="attended",
            actor=CLERK,
            expected_version=expected,
        )

    assert (caught.value.expected, caught.value.actual) == (expected, 2)
    assert caught.value.code == "version-mismatch"
    assert journey.snapshot() == before


def test_a_conditional_write_at_the_current_version_is_recorded(journey: Journey) -> None:
    journey.enrol()

    recorded = journey.ledger.record_session(
        participant_id=journey.pid,
        cohort_id=SPRING,
        session=1,
        status="attended",
        actor=CLERK,
        expected_version=2,
    )

    assert (recorded.aggregate_id, recorded.version) == (journey.pid, 3)
    assert journey.view.version == 3
