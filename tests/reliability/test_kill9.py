"""kill -9 of `journey serve` at random moments under a write load of about 100 requests a
second (issue 9): after each restart every acknowledged event is present, none twice, the
SQLite integrity check passes, retries of the unanswered requests with their idempotency keys
create no duplicates, and `journey verify` passes.

CI runs 3 kills. The full run, 20 kills (documented in docs/operations.md):

    JOURNEY_RELIABILITY_FULL=1 .venv/bin/pytest tests/reliability/test_kill9.py -s
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from reliability_support import (
    Load,
    Server,
    check_nothing_lost_or_doubled,
    full_size,
    journey,
    prepare,
    retry_unanswered,
    seed,
    sqlite_integrity,
)

RATE = 100  # requests per second, as the issue asks


def test_kill_9_under_load_loses_nothing_acknowledged_and_doubles_nothing(tmp_path: Path) -> None:
    kills = 20 if full_size() else 3
    seed_value = random.randrange(2**32)
    print(f"kill -9 x {kills}, seed {seed_value}")  # the moments can be replayed
    rng = random.Random(seed_value)
    data = tmp_path / "data"
    ledger = prepare(data)
    server = Server(ledger.env, tmp_path / "serve.log")
    server.start()
    try:
        seed(server, ledger, people=16)
        load = Load(server.url, ledger, rate=RATE)
        unanswered_total = replayed = 0
        for kill in range(kills):
            load.start(f"k{kill}")
            time.sleep(rng.uniform(0.3, 1.5))  # a random moment in the load
            server.kill()
            load.stop()
            unanswered_total += len(load.unanswered())
            assert sqlite_integrity(data / "journey.db") == "ok"
            server.start()
            replayed += retry_unanswered(server.url, ledger, load)
        totals = check_nothing_lost_or_doubled(server.url, ledger, load)
    finally:
        server.stop()
    assert sqlite_integrity(data / "journey.db") == "ok"
    verified = journey(ledger.env, "verify")
    assert "Verified" in verified.stdout
    log = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in log
    print(
        f"{kills} kills: {totals['requests']} requests, {totals['events']} events, each once; "
        f"{unanswered_total} unanswered at a kill and retried with their keys, {replayed} of "
        "them recorded before the kill (their stored answer replayed, no second event)"
    )
    assert totals["requests"] >= kills * 20  # the load really ran between the kills
