"""`journey verify` over N participants x 40 events, next to a raw read of the log.

    python bench/verify.py [--participants 10000] [--store sqlite|postgres]

Target (issue 5): at least 100,000 events per second on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.rebuild import PG_URL, raw_read
from bench.report import write_section
from bench.workload import load
from journey.application import JourneyLedger
from journey.persistence import store_env
from journey.verification import verify


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    schema: str | None = None
    if args.store == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    else:
        import uuid

        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_URL, autocommit=True) as c:
            c.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{PG_URL}?schema={schema}"
    ledger = JourneyLedger(store_env(url, prefix="JOURNEYLEDGER"))
    try:
        events = load(ledger, args.participants)
        print(f"loaded {events:,} events")
        raw_rows, raw_s = raw_read(url, schema)
        t0 = time.perf_counter()
        log: Any = ledger.recorder
        result = verify(log)
        verify_s = time.perf_counter() - t0
        assert result.ok, result.problem
        rate, raw_rate = result.checked / verify_s, raw_rows / raw_s
        body = (
            f"Store: {args.store}. {result.checked:,} records verified (every seal recomputed, "
            "the log's chained digest computed) against their seals.\n\n"
            "| what | seconds | records per second | ratio to raw read |\n|---|---|---|---|\n"
            f"| raw sequential read of the event table | {raw_s:.2f} | {raw_rate:,.0f} | 1.00 |\n"
            f"| `journey verify` (records and seals read, every hash recomputed) | {verify_s:.2f}"
            f" | {rate:,.0f} | {rate / raw_rate:.2f} |\n\n"
            "Target: at least 100,000 records per second: "
            f"{'met' if rate >= 100_000 else 'MISSED'}.\n"
        )
        print(body)
        if not args.no_write:
            write_section(f"verify-{args.store}", f"Verification ({args.store})", body)
    finally:
        ledger.close()
        if schema is not None:
            import psycopg

            with psycopg.connect(PG_URL, autocommit=True) as c:
                c.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
