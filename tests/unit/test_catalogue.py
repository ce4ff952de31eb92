"""The programmes shipped with the ledger, and installing them."""

from __future__ import annotations

from collections.abc import Callable

from journey.application import JourneyLedger
from journey.catalogue import install_catalogue, shipped_programmes
from journey.programme import Programme

from .support import ADMIN, TODAY


def test_voices_together_as_shipped() -> None:
    voices = {p.programme_id: p for p in shipped_programmes()}["voices-together"]

    assert voices.session_count == 12
    assert voices.attendance_threshold == 9
    terms = voices.accreditation
    assert terms is not None
    assert terms.awarding_body == "Middlesex University"
    assert (terms.credits, terms.level, terms.max_attempts) == (30, 4, 2)
    assert terms.components == ("log", "essay")
    assert terms.essay_formats == ("written", "oral", "poster")


def test_the_catalogue_ships_two_distinct_programmes() -> None:
    ids = [p.programme_id for p in shipped_programmes()]

    assert ids == ["voices-together", "peer-support"]


def test_installing_defines_each_programme_as_shipped(
    make_ledger: Callable[..., JourneyLedger],
) -> None:
    ledger = make_ledger(today=TODAY)

    installed = install_catalogue(ledger, actor=ADMIN)

    assert installed == ["voices-together", "peer-support"]
    for shipped in shipped_programmes():
        view = ledger.get_programme(shipped.programme_id)
        assert (view.name, view.session_count, view.attendance_threshold) == (
            shipped.name,
            shipped.session_count,
            shipped.attendance_threshold,
        )
        assert view.themes == shipped.themes
        assert view.accreditation == shipped.accreditation


def test_installing_twice_installs_nothing_the_second_time(
    make_ledger: Callable[..., JourneyLedger],
) -> None:
    ledger = make_ledger(today=TODAY)
    install_catalogue(ledger, actor=ADMIN)

    assert install_catalogue(ledger, actor="Someone Else") == []

    events = list(ledger.events.get(Programme.id_for("voices-together")))
    assert [(type(e).__name__, e.recorded_by) for e in events] == [("Defined", ADMIN)]
