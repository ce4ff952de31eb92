"""Pseudonyms are stable within a study and unlinkable across studies; shifted dates keep
every interval of a person exact; the export is refused without a study secret."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from api.compose import Services
from projections.pseudonyms import Study
from projections.research import entry_table
from projections.research_dataset import Dataset, read_dataset
from projections.suppression import RULE_SETS

from .research_support import END, person

SRC = Path(__file__).resolve().parents[2] / "src"


def export(services: Services, study: Study) -> Dataset:
    return read_dataset(services.engine, study, rule=RULE_SETS["standard"], scales=services.scales)


def test_one_study_gives_the_same_pseudonyms_another_study_different_ones(
    seeded: Services,
) -> None:
    first = export(seeded, Study("s1", b"one study's secret, 32 bytes ..."))
    again = export(seeded, Study("s1", b"one study's secret, 32 bytes ..."))
    other = export(seeded, Study("s2", b"another study's secret, 32 bytes"))

    names = [r["pseudonym"] for r in first.participants]
    assert names == [r["pseudonym"] for r in again.participants]
    assert first.participants == again.participants  # the whole export is reproducible
    assert len(set(names)) == 12
    assert not set(names) & {r["pseudonym"] for r in other.participants}
    assert {r["cohort"] for r in first.participants} != {r["cohort"] for r in other.participants}
    study = Study("s1", b"one study's secret, 32 bytes ...")
    assert study.pseudonym(str(person(3))) in names


def test_shifting_keeps_every_interval_of_a_person_exact(seeded: Services) -> None:
    study = Study("s1", b"one study's secret, 32 bytes ...", max_shift_days=182)
    dataset = export(seeded, study)
    with seeded.engine.connect() as conn:
        real = conn.execute(select(entry_table.c.participant_id, entry_table.c.occurred_on)).all()
    offsets = set()
    for i in range(12):
        pid = str(person(i))
        pseudonym = study.pseudonym(pid)
        (row,) = [r for r in dataset.participants if r["pseudonym"] == pseudonym]
        offset = row["enrolled_on"] - date(2021, 12, 1)
        assert offset != timedelta(0)
        assert abs(offset.days) <= 182
        assert row["course_ended_on"] - END == offset
        shown = [r["occurred_on"] - offset for r in dataset.timeline if r["pseudonym"] == pseudonym]
        assert Counter(shown) == Counter(d for p, d in real if p == pid)
        offsets.add(offset)
    assert len(offsets) > 6  # each person has their own offset


def test_month_mode_coarsens_every_date(seeded: Services) -> None:
    dataset = export(seeded, Study("s1", b"one study's secret, 32 bytes ...", dates="month"))
    enrolled = {r["enrolled_on"] for r in dataset.participants}
    assert enrolled == {"2021-12"}
    assert {r["course_ended_on"] for r in dataset.participants} == {"2022-03"}
    for row in dataset.timeline:
        assert isinstance(row["occurred_on"], str)
        assert len(row["occurred_on"]) == 7


@given(
    secret=st.binary(min_size=16, max_size=64),
    pid=st.uuids().map(str),
    first=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)),
    gap=st.integers(-5000, 5000),
)
def test_any_two_dates_of_a_person_keep_their_interval(
    secret: bytes, pid: str, first: date, gap: int
) -> None:
    study = Study("s", secret)
    second = first + timedelta(days=gap)
    a, b = study.shown_date(pid, first), study.shown_date(pid, second)
    assert isinstance(a, date)
    assert isinstance(b, date)
    assert b - a == timedelta(days=gap)
    assert a != first


def test_the_export_is_refused_without_a_study_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JOURNEY", "PERSISTENCE"))}
    env.update(PYTHONPATH=str(SRC), JOURNEY_DATA_DIR=str(tmp_path / "data"), COLUMNS="200")
    command = [sys.executable, "-c", "from api.cli import main; main()"]
    refused = subprocess.run(
        [*command, "export", "research", "--out", str(tmp_path / "out")],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert refused.returncode == 2
    assert "JOURNEY_RESEARCH_SECRET" in refused.stderr
    assert not (tmp_path / "out").exists()
    env["JOURNEY_RESEARCH_SECRET"] = "a secret for this test only"
    loaded = subprocess.run(
        [*command, "demo", "--today", "2024-06-01"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    done = subprocess.run(
        [*command, "export", "research", "--out", str(tmp_path / "out")],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "README.md", "participants.csv", "participants.parquet", "timeline.csv",
        "timeline.parquet",
    ]  # fmt: skip

    assert len((tmp_path / "out" / "participants.csv").read_text().splitlines()) == 1 + 75
    plotted = subprocess.run(
        [*command, "report", "plots", "vt-grays-2021", "--out", str(tmp_path / "plots")],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert plotted.returncode == 0, plotted.stderr
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == sorted(
        f"{name}.{fmt}" for name in ("funnel", "outcome-curves", "outcome-timeline")
        for fmt in ("png", "svg")
    )  # fmt: skip
