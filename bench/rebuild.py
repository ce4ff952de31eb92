"""Rebuild every projection from N participants x 40 events, next to a raw read of the log.

    python bench/rebuild.py [--participants 10000] [--store sqlite|postgres]

Measured in the same run: (1) a raw sequential read of the event table with the database
driver (every column of every row, in pages of 1,000 by position); (2) the library's read and
decode of the whole log (select_notifications + mapper); (3) `ProjectionRunner.rebuild()` of
every view. Prints the figures and writes them to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section
from bench.workload import load
from journey.application import JourneyLedger
from journey.persistence import sqlite_path, store_env
from projections.database import views_engine
from projections.runner import ProjectionRunner

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def raw_read(url: str, schema: str | None) -> tuple[int, float]:
    """Read every stored event row, in pages of 1,000 by position; (rows, seconds)."""
    t0 = time.perf_counter()
    rows = 0
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        assert path
        conn = sqlite3.connect(path)
        last = 0
        while True:
            page = conn.execute(
                "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events"
                " WHERE rowid > ? ORDER BY rowid LIMIT 1000",
                (last,),
            ).fetchall()
            if not page:
                break
            rows += len(page)
            last = page[-1][0]
        conn.close()
    else:
        import psycopg

        with psycopg.connect(PG_URL) as conn:
            last = 0
            while True:
                page = conn.execute(
                    f'SELECT * FROM "{schema}".journeyledger_events WHERE notification_id > %s'
                    " ORDER BY notification_id LIMIT 1000",
                    (last,),
                ).fetchall()
                if not page:
                    break
                rows += len(page)
                last = page[-1][-1] if isinstance(page[-1][-1], int) else max(r[-1] for r in page)
    return rows, time.perf_counter() - t0


def library_decode(ledger: JourneyLedger) -> tuple[int, float]:
    t0 = time.perf_counter()
    start, count = 0, 0
    while True:
        page = ledger.recorder.select_notifications(
            start=start, limit=1000, inclusive_of_start=False
        )
        if not page:
            break
        for n in page:
            ledger.mapper.to_domain_event(n)
        count += len(page)
        start = page[-1].id
    return count, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--no-write", action="store_true", help="print only; leave the docs alone")
    args = parser.parse_args()

    schema: str | None = None
    cleanup: Any = None
    if args.store == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    else:
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_URL, autocommit=True) as c:
            c.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{PG_URL}?schema={schema}"

        def cleanup() -> None:
            with psycopg.connect(PG_URL, autocommit=True) as c:
                c.execute(f'DROP SCHEMA "{schema}" CASCADE')

    ledger = JourneyLedger(store_env(url, prefix="JOURNEYLEDGER"))
    try:
        t0 = time.perf_counter()
        events = load(ledger, args.participants)
        load_s = time.perf_counter() - t0
        print(f"loaded {events:,} events in {load_s:.1f} s ({events / load_s:,.0f} ev/s)")
        engine = views_engine(url)
        runner = ProjectionRunner(ledger, engine)
        runner.setup()
        raw_rows, raw_s = raw_read(url, schema)
        dec_rows, dec_s = library_decode(ledger)
        t0 = time.perf_counter()
        rebuilt = runner.rebuild()
        rebuild_s = time.perf_counter() - t0
        total = int(ledger.recorder.max_notification_id() or 0)
        raw_rate, dec_rate, rebuild_rate = raw_rows / raw_s, dec_rows / dec_s, total / rebuild_s
        body = (
            f"Store: {args.store}. Log: {total:,} events ({args.participants:,} participants x 40,"
            f" plus programmes and cohorts). The projections read {rebuilt:,} of them (the"
            " others are of no interest to any view and are skipped in the database).\n\n"
            "| what | seconds | events per second | ratio to raw read |\n|---|---|---|---|\n"
            f"| raw sequential read of the event table (driver, pages of 1,000) | {raw_s:.2f} |"
            f" {raw_rate:,.0f} | 1.00 |\n"
            f"| library read + decode of every event | {dec_s:.2f} | {dec_rate:,.0f} |"
            f" {dec_rate / raw_rate:.2f} |\n"
            f"| rebuild of every view ({len(runner.names())} projections:"
            f" {', '.join(runner.names())}) |"
            f" {rebuild_s:.2f}"
            f" | {rebuild_rate:,.0f} | {rebuild_rate / raw_rate:.2f} |\n"
        )
        print(body)
        if not args.no_write:
            write_section(f"rebuild-{args.store}", f"Projection rebuild ({args.store})", body)
        engine.dispose()
    finally:
        ledger.close()
        if cleanup:
            cleanup()


if __name__ == "__main__":
    main()
