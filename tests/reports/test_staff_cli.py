"""``journey demo`` loads the staff-training scenario too, and ``journey report`` prints its
views: run as the user runs them (the console script, configured by JOURNEY_DATA_DIR)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

JOURNEY = Path(sys.executable).with_name("journey")
REPORTS = (
    "workforce-reach",
    "evaluations",
    "action-plans",
    "trainer-activity",
    "expenses-outstanding",
    "cost-per-learner",
)


def journey(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEY")}
    env.update(JOURNEY_DATA_DIR=str(data), COLUMNS="100", NO_COLOR="1")
    return subprocess.run(
        [str(JOURNEY), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_demo_and_the_staff_training_reports_from_the_command_line(tmp_path: Path) -> None:
    loaded = journey(tmp_path, "demo", "--today", "2024-06-01")
    assert loaded.returncode == 0, loaded.stderr
    assert "359 staff and 243 service users" in loaded.stderr

    reach = journey(tmp_path, "report", "workforce-reach", "--on", "2024-06-01")
    assert reach.returncode == 0, reach.stderr
    figures = json.loads(reach.stdout)
    assert (figures["learners"], figures["staff"], figures["service_users"]) == (602, 359, 243)
    assert figures["workforce"] == 740

    claims = journey(tmp_path, "report", "expenses-outstanding", "--today", "2024-06-01")
    assert json.loads(claims.stdout)["open_claims"], claims.stderr

    again = journey(tmp_path, "demo", "--today", "2024-06-01")
    assert "The staff-training demo is already loaded." in again.stderr

    listed = journey(tmp_path, "report", "--help")
    for command in REPORTS:  # each listed with its help line
        assert command in listed.stdout
