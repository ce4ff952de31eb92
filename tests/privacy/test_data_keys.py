"""Data keys are written with their participant's first events, in the same transaction."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from uuid import uuid4

import pytest

from journey.application import JourneyLedger
from journey.catalogue import install_catalogue
from journey.errors import AlreadyExists
from journey.persistence import store_env
from journey.state import PersonalDetails

TODAY = date(2024, 6, 1)
DAYS = [date(2024, 1, 8 + i) for i in range(12)]


def ledger_on(url: str, master: bytes) -> JourneyLedger:
    return JourneyLedger(
        store_env(url, prefix="JOURNEYLEDGER"), clock=lambda: TODAY, master_key=master
    )


@pytest.fixture
def two(store_url: str) -> Callable[[], tuple[JourneyLedger, JourneyLedger]]:
    master = os.urandom(32)
    made: list[JourneyLedger] = []

    def make() -> tuple[JourneyLedger, JourneyLedger]:
        made.extend([ledger_on(store_url, master), ledger_on(store_url, master)])
        return made[0], made[1]

    yield make
    for ledger in made:
        ledger.close()


def test_the_writer_that_loses_a_race_reads_with_the_winners_key(
    two: Callable[[], tuple[JourneyLedger, JourneyLedger]],
) -> None:
    first, second = two()
    install_catalogue(first, actor="admin")
    first.schedule_cohort(
        cohort_id="c1",
        programme_id="voices-together",
        location="Grays",
        session_dates=DAYS,
        trainers=["t"],
        actor="admin",
    )
    pid = uuid4()
    # The second writer makes its own key for the person first (it is about to enrol them)...
    assert second._keys.cipher_for(str(pid), create=True) is not None
    # ...but the first writer's enrolment commits first, with the first writer's key.
    details = PersonalDetails(name="Ann Example")
    first.enrol(cohort_id="c1", enrolled_on=DAYS[0], details=details, actor="s", participant_id=pid)
    with pytest.raises(AlreadyExists):
        second.enrol(
            cohort_id="c1", enrolled_on=DAYS[0], details=details, actor="s", participant_id=pid
        )
    # Both read the record: the loser's cached key does not open it, so it reads the table.
    assert first.get_participant(pid).details.name == "Ann Example"
    assert second.get_participant(pid).details.name == "Ann Example"


def test_a_participant_without_personal_data_written_yet_has_no_key(
    make_ledger: Callable[..., JourneyLedger],
) -> None:
    ledger = make_ledger()
    assert ledger._keys.cipher_for(str(uuid4()), create=False) is None
