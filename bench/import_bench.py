"""Bulk import of 400,000 events against raw batched inserts, in one run (issue 9).

Writes an events-layout CSV (docs/import.md) of N participants x 40 events (the same journeys
as bench/workload.py: enrolment, 12 training days, accreditation, log and essay, two marks,
two moderations, a certificate, outcomes, follow-ups, wellbeing, feedback) and a cohorts file,
then times `journey import`'s work in-process (read the file, build each request body, run
every rule, seal, encrypt personal fields, write about 1,000 events per transaction) on a
fresh store. Next to it, in the same run:

- SQLite: raw inserts of the same number of rows, of the imported rows' average size, into a
  table with the library's own `stored_events` definition (same key and indexes), 1,000 rows
  per transaction, WAL, synchronous=FULL (sqlite3, no library);
- PostgreSQL: raw `COPY ... FROM STDIN` of the same rows into a table like the library's
  `stored_events`, 1,000 rows per transaction (psycopg 3).

Targets: >= 0.5 of the raw SQLite figure; >= 0.25 of the raw COPY figure.

    python bench/import_bench.py [--store sqlite|postgres] [--participants 10000] [--no-write]
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import write_section

from api.import_rows import Layout, read_cohorts, read_rows, read_table
from api.importing import Importer
from journey.application import JourneyLedger
from journey.catalogue import install_catalogue
from journey.persistence import store_env

POSTGRES_URL = os.environ.get(
    "JOURNEY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
TODAY = date(2024, 6, 1)
COHORT_SIZE = 25
BATCH = 1000
COLUMNS = [
    *("participant_ref", "event", "occurred_on", "by", "cohort_id", "session", "reason"),
    *("attempt", "format", "stage", "result", "feedback", "category", "detail", "source"),
    *("method", "scale", "score", "timepoint", "kind", "quote", "name", "email"),
]


def write_files(folder: Path, participants: int) -> tuple[Path, Path]:
    """A cohorts file and an events file: ``participants`` x 40 events."""
    cohorts, events = folder / "cohorts.csv", folder / "events.csv"
    with cohorts.open("w", newline="") as c_out, events.open("w", newline="") as e_out:
        c = csv.writer(c_out)
        c.writerow(["cohort_id", "programme_id", "location", "session_dates", "trainers"])
        e = csv.DictWriter(e_out, fieldnames=COLUMNS)
        e.writeheader()
        for index in range(participants):
            cohort_index = index // COHORT_SIZE
            cohort = f"bench-{cohort_index:05d}"
            first = date(2015, 1, 5) + timedelta(days=(cohort_index % 300) * 7)
            days = [first + timedelta(days=7 * i) for i in range(12)]
            if index % COHORT_SIZE == 0:
                c.writerow(
                    [cohort, "voices-together", "Bench town", ";".join(map(str, days)), "t-a;t-b"]
                )
            for row in _journey(f"P{index:06d}", cohort, days, index):
                e.writerow(row)
    return cohorts, events


def _journey(ref: str, cohort: str, days: list[date], index: int) -> list[dict[str, object]]:
    end = days[-1]
    marked = end + timedelta(days=40)
    rows: list[dict[str, object]] = [
        {
            "event": "Enrolled",
            "occurred_on": days[0] - timedelta(days=14),
            "cohort_id": cohort,
            "name": f"Bench person {index}",
            "email": f"p{index}@example.org",
        }
    ]
    for session in range(1, 13):
        kind = "SessionMissed" if (index + session) % 7 == 0 else "SessionAttended"
        rows.append({"event": kind, "cohort_id": cohort, "session": session})
    rows += [
        {"event": "AccreditationChosen", "occurred_on": days[0], "cohort_id": cohort},
        {
            "event": "LogSubmitted",
            "occurred_on": end + timedelta(days=20),
            "cohort_id": cohort,
            "attempt": 1,
        },
        {
            "event": "EssaySubmitted",
            "occurred_on": end + timedelta(days=21),
            "cohort_id": cohort,
            "attempt": 1,
            "format": "oral",
        },
    ]
    for stage, marker in (("first", "marker-1"), ("second", "marker-2")):
        rows.append(
            {
                "event": "Marked",
                "occurred_on": marked,
                "by": marker,
                "cohort_id": cohort,
                "attempt": 1,
                "stage": stage,
                "result": "pass",
                "feedback": "Clear reflection on the course themes.",
            }
        )
    for k, (stage, who) in enumerate((("internal", "moderator-i"), ("external", "moderator-x"))):
        rows.append(
            {
                "event": "Moderated",
                "occurred_on": marked + timedelta(days=10 + 30 * k),
                "by": who,
                "cohort_id": cohort,
                "attempt": 1,
                "stage": stage,
                "result": "pass",
            }
        )
    rows.append(
        {
            "event": "CertificateIssued",
            "occurred_on": marked + timedelta(days=45),
            "cohort_id": cohort,
            "kind": "accredited",
        }
    )
    categories = ("speaking", "volunteering", "co_facilitating", "employment", "chair")
    for k in range(10):
        rows.append(
            {
                "event": "OutcomeReported",
                "occurred_on": end + timedelta(days=60 + 30 * k),
                "category": categories[k % 5],
                "detail": "Benchmark outcome",
                "source": "interview",
            }
        )
    for k in range(3):
        rows.append(
            {
                "event": "FollowUpCompleted",
                "occurred_on": end + timedelta(days=90 + 90 * k),
                "method": "survey",
            }
        )
    for k, timepoint in enumerate(("baseline", "end", "follow_up")):
        rows.append(
            {
                "event": "WellbeingMeasured",
                "occurred_on": days[0] + timedelta(days=100 * k),
                "scale": "WEMWBS",
                "score": 40 + 3 * k,
                "timepoint": timepoint,
            }
        )
    for k in range(2):
        rows.append(
            {
                "event": "FeedbackRecorded",
                "occurred_on": end + timedelta(days=200 + k),
                "by": "interviewer",
                "cohort_id": cohort,
                "quote": "It gave me confidence.",
            }
        )
    for row in rows:
        row["participant_ref"] = ref
    return rows  # 39 rows: 40 events with the registration


def run_import(url: str, cohorts: Path, events: Path) -> tuple[float, int, float]:
    """Seconds to import ``events`` (read, rules, write), the events written, and their
    average stored size in bytes."""
    ledger = JourneyLedger(store_env(url, prefix="JOURNEYLEDGER"), clock=lambda: TODAY)
    try:
        install_catalogue(ledger, actor="bench")
        rows, _ = read_cohorts(read_table(cohorts))
        Importer(ledger, organisation="bench", actor="bench", today=TODAY).run_cohorts(rows)
        before = ledger.recorder.max_notification_id() or 0
        t0 = time.perf_counter()
        table = read_table(events)
        event_rows, problems = read_rows(table, Layout.events)
        report = Importer(ledger, organisation="bench", actor="bench", today=TODAY).run(
            event_rows, problems
        )
        elapsed = time.perf_counter() - t0
        assert not problems, problems[:5]
        assert report.rejected == 0, report.problems[:5]
        written = (ledger.recorder.max_notification_id() or 0) - before
        assert written == report.events, (written, report.events)
        size = _average_size(ledger, url)
    finally:
        ledger.close()
    return elapsed, written, size


def _average_size(ledger: JourneyLedger, url: str) -> float:
    recorder: Any = ledger.recorder
    schema = getattr(recorder.datastore, "schema", None)  # PostgreSQL: tables in a schema
    table = f'"{schema}".{recorder.events_table_name}' if schema else recorder.events_table_name
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(f"SELECT AVG(LENGTH(state)) AS size FROM {table}")
        row = c.fetchone()
    return float(row["size"] if isinstance(row, dict) or hasattr(row, "keys") else row[0])


def raw_sqlite(rows: int, size: int) -> float:
    """Seconds for ``rows`` raw inserts of ``size``-byte states, 1,000 per transaction."""
    path = Path(tempfile.mkdtemp()) / "raw.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    # The library's SQLite stored_events (eventsourcing 9.5.6): the same key and index.
    conn.execute(
        "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, "
        "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
    )
    state = os.urandom(size)
    topic = "journey.participant:Participant.SessionAttended"
    streams = [uuid.uuid4().hex for _ in range(rows // 40 + 1)]
    data = [(streams[i // 40], i % 40 + 1, topic, state) for i in range(rows)]
    t0 = time.perf_counter()
    for start in range(0, rows, BATCH):
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO stored_events VALUES (?, ?, ?, ?)", data[start : start + BATCH]
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def raw_copy(rows: int, size: int) -> float:
    """Seconds for ``rows`` raw COPY rows of ``size``-byte states, 1,000 per transaction."""
    import psycopg

    schema = f"bench_raw_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        try:
            conn.execute(
                f"CREATE TABLE {schema}.stored_events (originator_id uuid NOT NULL, "
                "originator_version bigint NOT NULL, topic text, state bytea, "
                "notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
            )
            conn.execute(f"CREATE UNIQUE INDEX ON {schema}.stored_events (notification_id)")
            state = os.urandom(size)
            topic = "journey.participant:Participant.SessionAttended"
            streams = [uuid.uuid4() for _ in range(rows // 40 + 1)]
            t0 = time.perf_counter()
            for start in range(0, rows, BATCH):
                with (
                    conn.transaction(),
                    conn.cursor() as cur,
                    cur.copy(
                        f"COPY {schema}.stored_events "
                        "(originator_id, originator_version, topic, state) FROM STDIN"
                    ) as copy,
                ):
                    for i in range(start, min(start + BATCH, rows)):
                        copy.write_row((streams[i // 40], i % 40 + 1, topic, state))
            elapsed = time.perf_counter() - t0
        finally:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    return elapsed


def _postgres_store() -> tuple[str, str]:
    import psycopg

    schema = f"bench_import_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{POSTGRES_URL}?schema={schema}", schema


def _drop(schema: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--no-write", action="store_true", help="print only; leave the docs alone")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp())
    cohorts, events = write_files(folder, args.participants)
    print(f"files written: {args.participants:,} participants", flush=True)
    schema = None
    if args.store == "sqlite":
        url = f"sqlite:///{folder / 'journey.db'}"
    else:
        url, schema = _postgres_store()
    try:
        seconds, written, size = run_import(url, cohorts, events)
    finally:
        if schema:
            _drop(schema)
    rate = written / seconds
    print(f"import: {written:,} events in {seconds:.1f} s = {rate:,.0f}/s; {size:.0f} B/event")
    if args.store == "sqlite":
        base_name = "raw inserts, 1,000 rows per transaction (sqlite3, WAL, synchronous=FULL)"
        base_seconds = raw_sqlite(written, round(size))
        target = 0.5
    else:
        base_name = "raw `COPY ... FROM STDIN`, 1,000 rows per transaction (psycopg 3)"
        base_seconds = raw_copy(written, round(size))
        target = 0.25
    base = written / base_seconds
    ratio = rate / base
    print(f"raw: {base:,.0f}/s; ratio {ratio:.2f} (target {target})")
    body = (
        f"Store: {args.store}. {args.participants:,} participants x 40 events = {written:,} "
        f"events from an events-layout CSV (docs/import.md), average stored event {size:.0f} "
        "bytes; the raw rows have the same count and size, into a table with the library's "
        "key and indexes.\n\n"
        "| what | seconds | events per second | ratio to raw |\n|---|---|---|---|\n"
        f"| {base_name} | {base_seconds:.2f} | {base:,.0f} | 1.00 |\n"
        f"| `journey import` (read the CSV, request bodies, every rule, seals, personal-field "
        f"encryption, about 1,000 events per transaction) | {seconds:.2f} | {rate:,.0f} | "
        f"{ratio:.2f} |\n\n"
        f"Target: at least {target} of raw: {'met' if ratio >= target else 'not met'}.\n"
    )
    print(body)
    if not args.no_write:
        write_section(f"import-{args.store}", f"Bulk import ({args.store})", body)


if __name__ == "__main__":
    main()
