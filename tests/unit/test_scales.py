"""Wellbeing scales are data: the shipped example, a licensee's file, and what is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journey.application import JourneyLedger
from journey.catalogue import install_catalogue
from journey.errors import InvalidValue, WellbeingOutOfRangeError
from journey.persistence import store_env
from journey.scales import WELLBEING_SCALES, load_scales, parse_scales, scale_ranges

from .support import ADMIN, TODAY, Journey


def test_the_shipped_example_keeps_the_recorded_ranges() -> None:
    shipped = load_scales()
    assert (shipped["WEMWBS"].minimum, shipped["WEMWBS"].maximum) == (14, 70)
    assert (shipped["SWEMWBS"].minimum, shipped["SWEMWBS"].maximum) == (7, 35)
    assert shipped["WEMWBS"].metric(47) == 47.0  # plain sum scoring
    assert shipped["WEMWBS"].meaningful_change == 3
    assert not shipped["SWEMWBS"].converted  # its conversion table comes with the licence
    assert dict(WELLBEING_SCALES) == scale_ranges(shipped)


def _toy_converted(**extra: object) -> dict[str, object]:
    # A made-up conversion (not SWEMWBS's real table): raw totals 3..9 to metric scores.
    return {
        "name": "TOY",
        "items": 3,
        "item_minimum": 1,
        "item_maximum": 3,
        "conversion": {str(raw): round(raw * 1.5 + 0.25, 2) for raw in range(3, 10)},
        "meaningful_change": 1.0,
        **extra,
    }


def test_a_licensee_file_with_a_conversion_table(tmp_path: Path) -> None:
    path = tmp_path / "scales.json"
    path.write_text(json.dumps({"scales": [_toy_converted()]}))
    toy = load_scales(path)["TOY"]
    assert toy.converted
    assert toy.metric(3) == 4.75
    assert toy.metric(9) == 13.75


@pytest.mark.parametrize(
    ("document", "field_says"),
    [
        ({}, "non-empty list"),
        ({"scales": [{"name": "X", "items": 2}]}, "item_minimum"),
        ({"scales": [_toy_converted(conversion={"3": 1})]}, "every raw total"),
        ({"scales": [_toy_converted(meaningful_change=-1)]}, "above 0"),
        ({"scales": [_toy_converted(scoring="mean")]}, "sum"),
        ({"scales": [_toy_converted(), _toy_converted()]}, "twice"),
    ],
)
def test_a_bad_scale_file_says_what_is_wrong(document: dict[str, object], field_says: str) -> None:
    with pytest.raises(InvalidValue, match=field_says):
        parse_scales(document)


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidValue, match="cannot read"):
        load_scales(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(InvalidValue, match="not JSON"):
        load_scales(bad)


def test_the_ledger_checks_scores_against_the_licensees_scales() -> None:
    scales = scale_ranges(parse_scales({"scales": [_toy_converted()]}))
    ledger = JourneyLedger(
        store_env("memory://", prefix="JOURNEYLEDGER"), clock=lambda: TODAY, scales=scales
    )
    install_catalogue(ledger, actor=ADMIN)
    journey = Journey(ledger)
    journey.schedule()
    journey.enrol()
    journey.wellbeing(9, scale="TOY")
    with pytest.raises(WellbeingOutOfRangeError):
        journey.wellbeing(10, scale="TOY")
    with pytest.raises(InvalidValue, match="TOY"):
        journey.wellbeing(40, scale="WEMWBS")


def test_feedback_recorded_before_categories_reads_back_with_none(
    journey: Journey, ledger: JourneyLedger
) -> None:
    """Version 1 of FeedbackRecorded had no category: an old stored record still reads."""
    journey.enrol()
    journey.feedback()
    (record,) = [
        r
        for r in ledger.recorder.select_events(journey.pid)
        if r.topic.endswith("FeedbackRecorded")
    ]
    state = json.loads(record.state)
    assert state.pop("class_version") == 2
    state.pop("category")
    old = type(record)(
        originator_id=record.originator_id,
        originator_version=record.originator_version,
        topic=record.topic,
        state=json.dumps(state).encode(),
    )
    event = ledger.mapper.to_domain_event(old)
    assert event.category is None
    assert event.quote == ledger.mapper.to_domain_event(record).quote  # stored sealed, read back
