"""Disk full (issue 9): `journey serve` under an `ulimit -f` that the database reaches while
writing. Clients get 503 with Retry-After (never a 500, never a traceback), nothing
acknowledged is lost, and writes resume when space returns (the limit is lifted from outside,
as when an operator frees space), with the retried requests recorded once."""

from __future__ import annotations

import resource
import time
from pathlib import Path

from reliability_support import (
    Load,
    Server,
    check_nothing_lost_or_doubled,
    journey,
    prepare,
    retry_unanswered,
    run_until,
    seed,
    sqlite_integrity,
)


def test_a_full_disk_answers_503_with_retry_after_and_loses_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ledger = prepare(data)
    server = Server(ledger.env, tmp_path / "serve.log")
    server.start()
    try:
        seed(server, ledger, people=8)
        files = [p for p in data.iterdir() if p.name.startswith("journey.db")]
        # Room for a few hundred more events, then the disk is "full".
        server.set_file_limit(max(p.stat().st_size for p in files) + 64 * 1024)
        load = Load(server.url, ledger, rate=100)
        load.start("full")
        refused = run_until(lambda: sum(op.status == 503 for op in load.operations) >= 20, 30)
        load.stop()
        assert refused, "the limit was never reached"
        statuses = {op.status for op in load.operations}
        assert statuses <= {201, 503}, statuses  # no 500, no other failure
        for op in load.operations:
            if op.status == 503:
                assert op.headers.get("retry-after"), "503 without Retry-After"
                assert "Traceback" not in op.body
                assert '"store-unavailable"' in op.body
        acknowledged = sum(op.acknowledged for op in load.operations)
        assert acknowledged > 0

        server.set_file_limit(resource.RLIM_INFINITY)  # space returns
        time.sleep(0.5)
        retry_unanswered(server.url, ledger, load)
        load.start("after")
        time.sleep(1.0)
        load.stop()
        assert all(op.acknowledged for op in load.operations if op.key.startswith("after"))
        check_nothing_lost_or_doubled(server.url, ledger, load)
    finally:
        server.stop()
    assert sqlite_integrity(data / "journey.db") == "ok"
    assert "Verified" in journey(ledger.env, "verify").stdout
    log = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in log
    assert "store unavailable" in log  # logged: the error's class only, no personal data
    assert "Rel " not in log  # no participant's name
