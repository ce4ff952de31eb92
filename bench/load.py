"""Loading one participant with 10, 1,000 and 10,000 events, with and without snapshots.

Each participant is enrolled, then records follow-up contacts and wellbeing scores (small
facts that pile up over years) up to the size, saved 500 events per transaction. Loading is
``JourneyLedger.get_participant`` (read, decrypt the personal fields, fold), median of
``--repeat`` runs; "without snapshots" replays every event from the start. Beside each, a raw
read of the same stream's rows (sqlite3, no decoding) on the same file.

Target (issue 9): a 10,000-event participant loads in under 20 ms with snapshots.

    python bench/load.py [--repeat 7] [--no-write]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import write_section

from journey.application import JourneyLedger
from journey.catalogue import install_catalogue
from journey.persistence import store_env
from journey.scales import WELLBEING_SCALES
from journey.state import PersonalDetails

TODAY = date(2024, 6, 1)
SIZES = (10, 1_000, 10_000)


def build(ledger: JourneyLedger, size: int, n: int) -> UUID:
    pid = ledger.enrol(
        cohort_id="c1",
        enrolled_on=date(2024, 1, 2),
        details=PersonalDetails(name=f"Load Person {n}", email=f"p{n}@example.org"),
        actor="bench",
    ).aggregate_id
    participant = ledger._participant(pid)
    scale = WELLBEING_SCALES["WEMWBS"]
    for i in range(size - participant.version):
        if i % 2:
            participant.complete_follow_up(
                method="email", occurred_on=date(2024, 5, 1), today=TODAY, recorded_by="bench"
            )
        else:
            participant.measure_wellbeing(
                scale=scale,
                score=40 + i % 20,
                timepoint="follow_up",
                occurred_on=date(2024, 5, 1),
                today=TODAY,
                recorded_by="bench",
            )
        if len(participant.pending_events) == 500:
            ledger.save(participant)
    ledger.save(participant)
    return pid


def timed(repeat: int, work: object) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="print only; leave the docs alone")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp())
    rows = []
    for snapshots in (True, False):
        url = f"sqlite:///{folder / f'load-{snapshots}.db'}"

        class Ledger(JourneyLedger):
            name = JourneyLedger.name
            snapshotting_intervals = JourneyLedger.snapshotting_intervals if snapshots else {}

        ledger = Ledger(store_env(url, prefix="JOURNEYLEDGER"), clock=lambda: TODAY)
        install_catalogue(ledger, actor="bench")
        ledger.schedule_cohort(
            cohort_id="c1",
            programme_id="voices-together",
            location="Grays",
            session_dates=[date(2024, 1, 8) + timedelta(weeks=i) for i in range(12)],
            trainers=["t"],
            actor="bench",
        )
        raw = sqlite3.connect(folder / f"load-{snapshots}.db")
        for n, size in enumerate(SIZES):
            pid = build(ledger, size, n)
            ms = timed(args.repeat, lambda pid=pid, ledger=ledger: ledger.get_participant(pid))
            raw_ms = timed(
                args.repeat,
                lambda pid=pid, raw=raw: raw.execute(
                    "SELECT * FROM stored_events WHERE originator_id = ?", (pid.hex,)
                ).fetchall(),
            )
            version = ledger.get_participant(pid).version
            rows.append((size, version, snapshots, ms, raw_ms))
            print(f"{version} events, snapshots {'on' if snapshots else 'off'}: {ms:.2f} ms")
        raw.close()
        ledger.close()
    table = "| events | snapshots | load (ms, median) | raw read of the stream (ms) |\n"
    table += "|---|---|---|---|\n"
    for _size, version, snapshots, ms, raw_ms in rows:
        table += (
            f"| {version:,} | {'every 50' if snapshots else 'off'} | {ms:.2f} | {raw_ms:.2f} |\n"
        )
    body = (
        f"SQLite. `JourneyLedger.get_participant`, median of {args.repeat}; the raw column reads"
        " every stored row of the stream with sqlite3 and decodes nothing. Target: 10,000 events"
        " in under 20 ms with snapshots.\n\n" + table
    )
    print(body)
    if not args.no_write:
        write_section("load-participant", "Loading a participant", body)


if __name__ == "__main__":
    main()
