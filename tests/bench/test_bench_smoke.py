"""The benchmark scripts still run (bench/, at tiny sizes, writing nothing): a benchmark that
breaks silently is found at the next `scripts/bench`, an hour too late. The figures are not
checked here; benchmarks are not timed tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS = [
    ["append.py", "--events", "50", "--rounds", "1", "--journeys", "3"],
    ["import_bench.py", "--participants", "25"],
    ["rebuild.py", "--participants", "25"],
    ["verify.py", "--participants", "25"],
    ["scale.py", "--sizes", "1000,2000"],
]


@pytest.mark.parametrize("command", RUNS, ids=[run[0] for run in RUNS])
def test_a_benchmark_runs_at_a_tiny_size(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / command[0]), *command[1:], "--no-write"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "|" in done.stdout  # it printed its table


@pytest.mark.skipif(shutil.which("wrk") is None, reason="bench/api_load.py needs wrk")
def test_the_api_benchmark_runs_briefly() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "api_load.py"),
            "--clients",
            "1",
            "--seconds",
            "1",
            "--no-write",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "ledger: record an event" in done.stdout
