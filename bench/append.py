"""Single durable appends on SQLite: the ledger against raw one-row inserts, in one run.

Three ways to append one event per transaction, alternating, each on a fresh file in WAL mode
with ``synchronous=FULL``:

- raw: ``BEGIN; INSERT`` one row of the same size into a table with the same key and index as
  the library's ``stored_events``; ``COMMIT`` (sqlite3, no library);
- save: the application saving an aggregate kept in memory with one new event (what the
  library's own figure measures: 0.60 of raw as it comes), round 50 participants;
- command: a full command through ``JourneyLedger`` (load the participant, check the rules,
  save; seals, the request log and personal-field encryption included), round 50
  participants so that journeys stay of a realistic length (about 40 events).

Target (issue 9): save >= 0.65 of raw.

    python bench/append.py [--events 2000] [--rounds 3] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import write_section

from journey.application import JourneyLedger
from journey.catalogue import install_catalogue
from journey.persistence import store_env
from journey.state import PersonalDetails

TODAY = date(2024, 6, 1)
DETAIL = "Spoke at the trust board about their experience of services"


def raw(events: int, size: int) -> float:
    path = Path(tempfile.mkdtemp()) / "raw.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, "
        "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
    )
    state = os.urandom(size)
    t0 = time.perf_counter()
    for version in range(1, events + 1):
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO stored_events VALUES (?, ?, ?, ?)",
            ("a" * 32, version, "journey.participant:Participant.OutcomeReported", state),
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return events / elapsed


def _ledger(people: int = 1) -> tuple[JourneyLedger, list[object]]:
    url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    ledger = JourneyLedger(store_env(url, prefix="JOURNEYLEDGER"), clock=lambda: TODAY)
    install_catalogue(ledger, actor="bench")
    days = [date(2024, 1, 8) + timedelta(weeks=i) for i in range(12)]
    ledger.schedule_cohort(
        cohort_id="c1",
        programme_id="voices-together",
        location="Grays",
        session_dates=days,
        trainers=["t"],
        actor="bench",
    )
    pids: list[object] = [
        ledger.enrol(
            cohort_id="c1",
            enrolled_on=date(2024, 1, 2),
            details=PersonalDetails(name=f"Bench Person {n}"),
            actor="bench",
        ).aggregate_id
        for n in range(people)
    ]
    return ledger, pids


def save(events: int) -> tuple[float, int]:
    # Saves go round 50 participants held in memory, so that journeys stay of a realistic
    # length (about 40 events by the end of a 2,000-event run) and the snapshot taken every
    # 50 events is of a realistic state, as in the command run below.
    ledger, pids = _ledger(people=50)
    try:
        participants = [ledger._participant(pid) for pid in pids]  # type: ignore[arg-type]
        t0 = time.perf_counter()
        for i in range(events):
            participant = participants[i % len(participants)]
            participant.report_outcome(
                category="speaking",
                detail=f"{DETAIL} {i}",
                source="interview",
                ended_on=None,
                occurred_on=date(2024, 5, 1),
                today=TODAY,
                recorded_by="bench",
            )
            ledger.save(participant)
        elapsed = time.perf_counter() - t0
        with ledger.recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            c.execute("SELECT AVG(LENGTH(state)) AS size FROM stored_events")
            size = int(c.fetchone()["size"])
    finally:
        ledger.close()
    return events / elapsed, size


def command(events: int) -> float:
    # Journeys of a realistic length: the commands go round 50 participants (about 40 events
    # each by the end of a 2,000-event run).
    ledger, pids = _ledger(people=50)
    try:
        t0 = time.perf_counter()
        for i in range(events):
            ledger.report_outcome(
                participant_id=pids[i % len(pids)],  # type: ignore[arg-type]
                category="speaking",
                detail=f"{DETAIL} {i}",
                source="interview",
                occurred_on=date(2024, 5, 1),
                actor="bench",
            )
        elapsed = time.perf_counter() - t0
    finally:
        ledger.close()
    return events / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only; leave the docs alone")
    args = parser.parse_args()

    raws, saves, commands, ratios, command_ratios = [], [], [], [], []
    for round_ in range(args.rounds):
        saved, size = save(args.events)
        base = raw(args.events, size)
        commanded = command(args.events)
        raws.append(base)
        saves.append(saved)
        commands.append(commanded)
        ratios.append(saved / base)
        command_ratios.append(commanded / base)
        print(
            f"round {round_ + 1}: raw {base:,.0f}/s, save {saved:,.0f}/s ({saved / base:.2f}),"
            f" command {commanded:,.0f}/s ({commanded / base:.2f}); {size} bytes per event"
        )
    med = statistics.median
    body = (
        f"SQLite, WAL, synchronous=FULL, one event per transaction, {args.events:,} events per"
        f" run, {args.rounds} alternating rounds (medians; ratios paired within a round).\n\n"
        "| what | events per second | ratio to raw |\n|---|---|---|\n"
        f"| raw one-row insert + commit (sqlite3) | {med(raws):,.0f} | 1.00 |\n"
        f"| application save, aggregate in memory (round 50 participants) | {med(saves):,.0f} |"
        f" {med(ratios):.2f} |\n"
        f"| full command (load, rules, save) | {med(commands):,.0f} |"
        f" {med(command_ratios):.2f} |\n\n"
        "Target: the save at least 0.65 of raw (the library as it comes: 0.60).\n"
    )
    print(body)
    if not args.no_write:
        write_section("append-single", "Single durable appends (SQLite)", body)


if __name__ == "__main__":
    main()
