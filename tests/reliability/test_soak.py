"""A soak at a steady rate (issue 9): writes and reads against a real `journey serve` for
JOURNEY_SOAK_SECONDS (CI: 60 s). No 5xx, every write acknowledged and recorded once, and the
server's memory flat: its resident set at the end within 10 % + 10 MiB of the resident set
after a warm-up of a sixth of the run (caches fill during the warm-up; a leak of even a few
hundred bytes a request grows well past that over 10 minutes at this rate).

The documented full run (docs/operations.md), ten minutes:

    JOURNEY_SOAK_SECONDS=600 .venv/bin/pytest tests/reliability/test_soak.py -s
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import httpx
from reliability_support import (
    SOAK_SECONDS,
    Load,
    Server,
    check_nothing_lost_or_doubled,
    prepare,
    seed,
)

WRITES_PER_SECOND = 40
READS_PER_SECOND = 40


def test_a_steady_soak_has_no_5xx_and_flat_memory(tmp_path: Path) -> None:
    seconds = SOAK_SECONDS
    ledger = prepare(tmp_path / "data")
    server = Server(ledger.env, tmp_path / "serve.log")
    server.start()
    reads: list[int] = []
    stop = threading.Event()

    def read() -> None:
        rng = random.Random(7)
        next_at = time.monotonic()
        with httpx.Client(base_url=server.url, timeout=10) as http:
            while not stop.is_set():
                participant = rng.choice(ledger.participants)
                path = rng.choice(("", "/history", "/timeline"))
                answer = http.get(
                    f"/participants/{participant}{path}", headers=ledger.headers(ledger.staff)
                )
                reads.append(answer.status_code)
                next_at += 1 / READS_PER_SECOND
                stop.wait(max(0.0, next_at - time.monotonic()))

    try:
        seed(server, ledger, people=16)
        load = Load(server.url, ledger, rate=WRITES_PER_SECOND, threads=2)
        reader = threading.Thread(target=read, daemon=True)
        load.start("soak")
        reader.start()
        time.sleep(seconds / 6)
        warm = server.rss_kib()
        samples = [warm]
        end = time.monotonic() + seconds * 5 / 6
        while time.monotonic() < end:
            time.sleep(min(5.0, max(0.0, end - time.monotonic())))
            samples.append(server.rss_kib())
        load.stop()
        stop.set()
        reader.join(timeout=30)
        final = server.rss_kib()
        totals = check_nothing_lost_or_doubled(server.url, ledger, load)
    finally:
        server.stop()
    statuses = {op.status for op in load.operations}
    print(
        f"soak {seconds:.0f} s: {totals['requests']} writes, {len(reads)} reads; RSS "
        f"{warm / 1024:.1f} MiB after warm-up, {final / 1024:.1f} MiB at the end, "
        f"peak {max(samples) / 1024:.1f} MiB"
    )
    assert statuses == {201}, statuses
    assert set(reads) == {200}, set(reads)
    assert totals["requests"] >= WRITES_PER_SECOND * seconds * 0.8  # the rate was held
    assert final <= warm * 1.10 + 10 * 1024, (warm, final, samples)
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
