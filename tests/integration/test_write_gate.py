"""The write gate (journey.write_gate): one holder at a time across threads and processes,
released when its holder dies, and taken by the busy SQLite writers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from integration_support import enrol
from sqlalchemy import create_engine

from api.access_log import AccessLog
from journey.application import JourneyLedger
from journey.write_gate import gate_for
from projections.database import views_engine, write_gate

HOLD = """
import sys, time
from journey.write_gate import gate_for
with gate_for(sys.argv[1]).turn():
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(path: Path, seconds: float) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"
    return process


def test_one_gate_per_file_and_none_for_memory(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    assert gate_for(str(db)) is gate_for(str(tmp_path / "." / "ledger.db"))
    assert gate_for(str(db)) is not gate_for(str(tmp_path / "other.db"))
    assert gate_for(":memory:").path is None
    assert write_gate(views_engine("memory://")).path is None
    assert write_gate(create_engine(f"sqlite:///{db}")) is gate_for(str(db))


def test_threads_take_turns(tmp_path: Path) -> None:
    gate = gate_for(str(tmp_path / "ledger.db"))
    inside = 0
    most = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        for _ in range(50):
            with gate.turn():
                with lock:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0.0005)
                with lock:
                    inside -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1


def test_another_process_waits_for_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    holder = _holder(db, 0.6)
    started = time.monotonic()
    with gate_for(str(db)).turn():
        waited = time.monotonic() - started
    holder.wait(10)
    assert waited >= 0.3, "the gate was entered while another process held it"


def test_a_killed_holder_releases_the_gate(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    holder = _holder(db, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait(10)
    started = time.monotonic()
    with gate_for(str(db)).turn():
        pass
    assert time.monotonic() - started < 5


def test_event_writes_and_access_log_entries_wait_their_turn(
    tmp_path: Path, open_ledger: Callable[..., JourneyLedger]
) -> None:
    db = tmp_path / "ledger.db"
    ledger = open_ledger(f"sqlite:///{db}")
    access = AccessLog(views_engine(f"sqlite:///{db}"))
    access.setup()
    holder = _holder(db, 0.6)
    started = time.monotonic()
    enrol(ledger, "Gated")
    waited_for_event = time.monotonic() - started
    holder.wait(10)
    holder = _holder(db, 0.6)
    started = time.monotonic()
    access.record(subject="s", role="staff", operation="o", target=None, allowed=True)
    waited_for_entry = time.monotonic() - started
    holder.wait(10)
    assert waited_for_event >= 0.3
    assert waited_for_entry >= 0.3
    assert len(access.read()) == 1


def test_snapshot_writes_wait_their_turn(
    tmp_path: Path, open_ledger: Callable[..., JourneyLedger]
) -> None:
    db = tmp_path / "ledger.db"
    ledger = open_ledger(f"sqlite:///{db}")
    pid = enrol(ledger, "Snapshotted")
    holder = _holder(db, 0.6)
    started = time.monotonic()
    ledger.take_snapshot(pid)
    waited = time.monotonic() - started
    holder.wait(10)
    assert waited >= 0.3
    assert ledger.snapshots is not None
    assert list(ledger.snapshots.get(pid))  # written once the holder let go
