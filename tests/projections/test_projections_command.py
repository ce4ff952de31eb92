"""The ``journey projections`` and ``journey report`` commands, run as the user runs them: the
installed console script in a subprocess, configured by JOURNEY_DATABASE_URL or
JOURNEY_DATA_DIR only, on a ledger that a seeded history was written to.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from history_walk import TODAY, HistoryWalk, SeededChooser
from projection_support import clean_env, ledger_on, rebuilt_elsewhere, scratch, views_on
from view_snapshots import Scope, assert_same, snapshot

from projections.funnel import FunnelProjection
from projections.funnel_report import funnel_report
from projections.runner import ALL_PROJECTIONS

JOURNEY = Path(sys.executable).with_name("journey")
NAMES = [p.name for p in ALL_PROJECTIONS]


@pytest.fixture
def store() -> Iterator[tuple[Path, Scope, int]]:
    """A data directory whose default ledger (journey.db) holds a seeded history and no
    views yet; with the history's scope and the log's head."""
    with scratch() as tmp:
        with ledger_on(f"sqlite:///{Path(tmp) / 'journey.db'}") as ledger:
            walk = HistoryWalk(ledger, SeededChooser(11))
            walk.set_up(cohorts=3)
            walk.run(120)
            head = ledger.recorder.max_notification_id()
        yield Path(tmp), Scope.of(walk, TODAY), head


def url_of(directory: Path) -> str:
    return f"sqlite:///{directory / 'journey.db'}"


def journey(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(JOURNEY), *args],
        env=clean_env(COLUMNS="80", NO_COLOR="1", **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def status_rows(output: str) -> dict[str, tuple[int, int, int]]:
    """The status table as {projection: (position, head, behind)}."""
    rows = {}
    for line in output.splitlines():
        cells = [c.strip() for c in re.split(r"[│|]", line) if c.strip()]
        if len(cells) == 4 and cells[0] in NAMES:
            rows[cells[0]] = (int(cells[1]), int(cells[2]), int(cells[3]))
    return rows


def topic_events(url: str, topics: list[str], head: int) -> int:
    with ledger_on(url) as ledger:
        return len(ledger.recorder.select_notifications(start=None, limit=head + 1, topics=topics))


def test_status_then_rebuild_all_then_rebuild_one(store: tuple[Path, Scope, int]) -> None:
    directory, scope, head = store
    url = url_of(directory)

    before = journey("projections", "status", JOURNEY_DATA_DIR=str(directory))
    assert before.returncode == 0, before.stderr
    assert status_rows(before.stdout) == dict.fromkeys(NAMES, (0, head, head))

    rebuilt = journey("projections", "rebuild", JOURNEY_DATABASE_URL=url)
    assert rebuilt.returncode == 0, rebuilt.stderr
    every_topic = sorted({t for p in ALL_PROJECTIONS for t in p.topics()})
    read = topic_events(url, every_topic, head)
    assert rebuilt.stdout.strip() == f"Rebuilt all projections from {read} events."
    after = journey("projections", "status", JOURNEY_DATABASE_URL=url)
    assert status_rows(after.stdout) == dict.fromkeys(NAMES, (head, head, 0))

    with ledger_on(url) as ledger, views_on(url) as engine:
        expected = rebuilt_elsewhere(ledger, f"sqlite:///{directory / 'fresh.db'}", scope)
        assert_same(snapshot(engine, scope), expected, context="after `projections rebuild`")

        one = journey("projections", "rebuild", "funnel", JOURNEY_DATABASE_URL=url)
        assert one.returncode == 0, one.stderr
        funnel_read = topic_events(url, FunnelProjection.topics(), head)
        assert one.stdout.strip() == f"Rebuilt funnel from {funnel_read} events."
        assert_same(snapshot(engine, scope), expected, context="after `rebuild funnel`")


def test_rebuilding_an_unknown_projection_is_a_one_line_error(
    store: tuple[Path, Scope, int],
) -> None:
    directory, _, _ = store
    result = journey("projections", "rebuild", "nope", JOURNEY_DATA_DIR=str(directory))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: No projection named 'nope'; known: {', '.join(NAMES)}"
    )


def test_a_longer_unknown_projection_name_is_still_a_one_line_error(
    store: tuple[Path, Scope, int],
) -> None:
    directory, _, _ = store
    result = journey("projections", "rebuild", "registers", JOURNEY_DATA_DIR=str(directory))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: No projection named 'registers'; known: {', '.join(NAMES)}"
    ]


def test_pass_rates_grouped_by_cohort_is_json_with_what_the_funnel_says(
    store: tuple[Path, Scope, int],
) -> None:
    directory, scope, _ = store
    url = url_of(directory)
    result = journey("report", "pass-rates", "--group-by", "cohort", JOURNEY_DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    reports = json.loads(result.stdout)
    with views_on(url) as engine:
        expected = [
            {**dataclasses.asdict(r), "rates": [dataclasses.asdict(x) for x in r.rates()]}
            for r in funnel_report(engine, group_by="cohort")
        ]
    assert reports == json.loads(json.dumps(expected, default=_iso))
    assert [r["cohort_id"] for r in reports] == sorted(scope.cohorts)
    assert sum(r["enrolled"] for r in reports) > 0
    for report in reports:
        (default, *_) = report["rates"]
        assert default["numerator"] == report["passed"]
        assert default["denominator"] == report["passed"] + report["referred"]


def _iso(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value))
