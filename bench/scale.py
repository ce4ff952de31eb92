"""Scale: the same work at 10k, 100k and 1M events; the cost per event must stay flat (issue 9).

One log is grown through each size in turn (participants of 40 events, written 1,000 events
per transaction as bench/workload.py does), and at each size, on SQLite or PostgreSQL:

- bulk append: the cost per event of the increment that brought the log to this size, next
  to raw inserts of rows of the same size into a raw table grown to the same size
  (same key and indexes, 1,000 rows per transaction, in the same run);
- single commands on the grown log: 300 `report_outcome` commands (load, rules, save), one
  per transaction, on participants spread over the whole log, each loaded afresh (none
  kept warm), next to 300 raw one-row
  commits appending to streams spread over the raw table (the same index grown as deep);
- loading a participant (40 events; median of 200);
- rebuild of every projection from the whole log, next to a raw sequential read of it;
- `journey verify` of the whole log;
- the store's size per event.

The last column of each table is the cost per event (or per command) relative to the 10k row:
flat means close to 1.00.

    python bench/scale.py [--store sqlite|postgres] [--sizes 10000,100000,1000000] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.rebuild import PG_URL, raw_read
from bench.report import write_section
from bench.workload import EVENTS_PER_PARTICIPANT, load
from journey.application import JourneyLedger
from journey.persistence import sqlite_path, store_env
from journey.verification import verify
from projections.database import views_engine
from projections.runner import ProjectionRunner

TODAY = date(2024, 6, 1)


@dataclass
class Row:
    events: int
    append_us: float
    raw_append_us: float
    command_ms: float
    raw_commit_ms: float
    load_ms: float
    rebuild_us: float
    raw_read_us: float
    verify_us: float
    bytes_per_event: float


class RawTable:
    """A raw table like the store's event table, grown in step with the ledger's log."""

    def __init__(self, store: str, schema: str | None, size: int) -> None:
        self.store = store
        self.state = os.urandom(size)
        self.rows = 0
        self.streams: list[Any] = []
        self.extra: dict[int, int] = {}  # stream index -> last version appended by commits()
        if store == "sqlite":
            self.path = Path(tempfile.mkdtemp()) / "raw.db"
            self.conn: Any = sqlite3.connect(self.path, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute(
                "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, "
                "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
            )
        else:
            import psycopg

            self.conn = psycopg.connect(PG_URL, autocommit=True)
            self.table = f'"{schema}".raw_events'
            self.conn.execute(
                f"CREATE TABLE {self.table} (originator_id uuid NOT NULL, originator_version "
                "bigint NOT NULL, topic text, state bytea, notification_id bigserial, "
                "PRIMARY KEY (originator_id, originator_version))"
            )
            self.conn.execute(f"CREATE UNIQUE INDEX ON {self.table} (notification_id)")

    def grow(self, rows: int) -> float:
        """Insert ``rows`` rows, 1,000 per transaction; the seconds it took."""
        topic = "journey.participant:Participant.SessionAttended"
        data = []
        for i in range(self.rows, self.rows + rows):
            if i % EVENTS_PER_PARTICIPANT == 0:
                self.streams.append(uuid.uuid4())
            stream = self.streams[i // EVENTS_PER_PARTICIPANT]
            key = stream.hex if self.store == "sqlite" else stream
            data.append((key, i % EVENTS_PER_PARTICIPANT + 1, topic, self.state))
        self.rows += rows
        t0 = time.perf_counter()
        for start in range(0, rows, 1000):
            chunk = data[start : start + 1000]
            if self.store == "sqlite":
                self.conn.execute("BEGIN")
                self.conn.executemany("INSERT INTO stored_events VALUES (?, ?, ?, ?)", chunk)
                self.conn.execute("COMMIT")
            else:
                with self.conn.transaction(), self.conn.cursor() as cur:
                    cur.executemany(
                        f"INSERT INTO {self.table} (originator_id, originator_version, topic, "
                        "state) VALUES (%s, %s, %s, %s)",
                        chunk,
                    )
        return time.perf_counter() - t0

    def commits(self, count: int = 300) -> float:
        """Milliseconds per raw one-row commit, each appending to a stream spread over the
        table (the base of a command: the same index to insert into, one fsync each)."""
        rng = random.Random(count)
        topic = "journey.participant:Participant.OutcomeReported"
        rows = []
        for _ in range(count):
            n = rng.randrange(len(self.streams))
            self.extra[n] = self.extra.get(n, EVENTS_PER_PARTICIPANT) + 1
            stream = self.streams[n]
            rows.append((stream.hex if self.store == "sqlite" else stream, self.extra[n]))
        t0 = time.perf_counter()
        for key, version in rows:
            if self.store == "sqlite":
                self.conn.execute("BEGIN")
                self.conn.execute(
                    "INSERT INTO stored_events VALUES (?, ?, ?, ?)",
                    (key, version, topic, self.state),
                )
                self.conn.execute("COMMIT")
            else:
                self.conn.execute(
                    f"INSERT INTO {self.table} (originator_id, originator_version, topic, state)"
                    " VALUES (%s, %s, %s, %s)",
                    (key, version, topic, self.state),
                )
        return (time.perf_counter() - t0) / count * 1000

    def close(self) -> None:
        self.conn.close()


def _size_per_event(ledger: JourneyLedger, url: str, schema: str | None, events: int) -> float:
    if url.startswith("sqlite"):
        path = Path(sqlite_path(url) or "")
        files = [path, path.with_name(path.name + "-wal")]
        return sum(p.stat().st_size for p in files if p.exists()) / events
    import psycopg

    with psycopg.connect(PG_URL) as conn:
        row = conn.execute(
            "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON "
            "n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
            (schema,),
        ).fetchone()
    return float(row[0] if row else 0) / events


def _average_state(ledger: JourneyLedger) -> int:
    recorder: Any = ledger.recorder
    schema = getattr(recorder.datastore, "schema", None)  # PostgreSQL: tables in a schema
    table = f'"{schema}".{recorder.events_table_name}' if schema else recorder.events_table_name
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(f"SELECT AVG(LENGTH(state)) AS size FROM {table}")
        return round(float(c.fetchone()["size"]))


def commands(ledger: JourneyLedger, participants: int, count: int = 300) -> float:
    """Milliseconds per full command on participants spread over the whole log."""
    from uuid import NAMESPACE_URL, uuid5

    rng = random.Random(count)
    ids = [uuid5(NAMESPACE_URL, f"bench-participant-{rng.randrange(participants)}")]
    ids += [
        uuid5(NAMESPACE_URL, f"bench-participant-{rng.randrange(participants)}")
        for _ in range(count - 1)
    ]
    t0 = time.perf_counter()
    for pid in ids:
        # Cold: a participant kept warm by an earlier command would skip the load, and more
        # of the few participants of a small log are warm; this column measures the load too.
        ledger._warm.drop(pid)
        ledger.report_outcome(
            participant_id=pid,
            category="speaking",
            detail="Scale benchmark outcome",
            source="interview",
            occurred_on=TODAY,
            actor="bench",
        )
    return (time.perf_counter() - t0) / count * 1000


def loads(ledger: JourneyLedger, participants: int, count: int = 200) -> float:
    from uuid import NAMESPACE_URL, uuid5

    rng = random.Random(count)
    times = []
    for _ in range(count):
        pid = uuid5(NAMESPACE_URL, f"bench-participant-{rng.randrange(participants)}")
        t0 = time.perf_counter()
        ledger.get_participant(pid)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--no-write", action="store_true", help="print only; leave the docs alone")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    schema: str | None = None
    if args.store == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/scale.db"
    else:
        import psycopg

        schema = f"scale_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_URL, autocommit=True) as c:
            c.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{PG_URL}?schema={schema}"
    ledger = JourneyLedger(store_env(url, prefix="JOURNEYLEDGER"), clock=lambda: TODAY)
    raw: RawTable | None = None
    rows: list[Row] = []
    participants = 0
    try:
        for size in sizes:
            grow = (size // EVENTS_PER_PARTICIPANT - participants) // 25 * 25
            t0 = time.perf_counter()
            added = load(ledger, grow, start=participants)
            append_s = time.perf_counter() - t0
            participants += grow
            if raw is None:
                raw = RawTable(args.store, schema, _average_state(ledger))
            raw_s = raw.grow(added)
            command_ms = commands(ledger, participants)
            raw_commit_ms = raw.commits()
            load_ms = loads(ledger, participants)
            total = int(ledger.recorder.max_notification_id() or 0)
            engine = views_engine(url)
            runner = ProjectionRunner(ledger, engine)
            runner.setup()
            t0 = time.perf_counter()
            runner.rebuild()
            rebuild_s = time.perf_counter() - t0
            engine.dispose()
            read_rows, read_s = raw_read(url, schema)
            t0 = time.perf_counter()
            result = verify(ledger.recorder)  # type: ignore[arg-type]
            verify_s = time.perf_counter() - t0
            assert result.ok
            row = Row(
                events=total,
                append_us=append_s / added * 1e6,
                raw_append_us=raw_s / added * 1e6,
                command_ms=command_ms,
                raw_commit_ms=raw_commit_ms,
                load_ms=load_ms,
                rebuild_us=rebuild_s / total * 1e6,
                raw_read_us=read_s / read_rows * 1e6,
                verify_us=verify_s / total * 1e6,
                bytes_per_event=_size_per_event(ledger, url, schema, total),
            )
            rows.append(row)
            print(row, flush=True)
    finally:
        ledger.close()
        if raw is not None:
            raw.close()
        if schema:
            import psycopg

            with psycopg.connect(PG_URL, autocommit=True) as c:
                c.execute(f'DROP SCHEMA "{schema}" CASCADE')

    base = rows[0]

    def rel(value: float, first: float) -> str:
        return f"{value / first:.2f}"

    lines = [
        "| events in the log | bulk append (µs/event) | raw insert (µs/row) | ratio | "
        "relative to first | command (ms) | raw commit (ms) | relative (command) | "
        "relative (raw commit) | load (ms) | rebuild (µs/event) | raw read (µs/row) | "
        "relative (rebuild) | verify (µs/event) | bytes/event |",
        "|---" * 15 + "|",
    ]
    for r in rows:
        lines.append(
            f"| {r.events:,} | {r.append_us:.1f} | {r.raw_append_us:.1f} | "
            f"{r.raw_append_us / r.append_us:.2f} | {rel(r.append_us, base.append_us)} | "
            f"{r.command_ms:.2f} | {r.raw_commit_ms:.2f} | {rel(r.command_ms, base.command_ms)} | "
            f"{rel(r.raw_commit_ms, base.raw_commit_ms)} | {r.load_ms:.2f} | "
            f"{r.rebuild_us:.1f} | {r.raw_read_us:.2f} | {rel(r.rebuild_us, base.rebuild_us)} | "
            f"{r.verify_us:.1f} | {r.bytes_per_event:.0f} |"
        )
    body = (
        f"Store: {args.store}. One log grown through each size; at each size the increment's "
        "bulk append (1,000 events per transaction) next to raw inserts into a raw table grown "
        "in step (ratio = raw time / ledger time), 300 full commands on participants spread "
        "over the log next to 300 raw one-row commits on streams spread over the raw table, "
        "200 participant loads, a rebuild of every projection and `journey "
        "verify` over the whole log, next to a raw sequential read. 'Relative' is the cost "
        "per event against the first row: flat is 1.00.\n\n" + "\n".join(lines) + "\n"
    )
    print(body)
    if not args.no_write:
        write_section(f"scale-{args.store}", f"Scale ({args.store})", body)


if __name__ == "__main__":
    main()
