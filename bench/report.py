"""Writes a benchmark's figures into its own section of docs/benchmarks.md.

Each section sits between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` and is replaced
whole by the next run, with the machine, the date and the command that produced it.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Every figure here was produced by a script in `bench/`, with the raw database's own figure for
the same work measured in the same run beside it, so that the ratio holds on a noisy machine.
Regenerate a section with the command shown under it, or all of them with `scripts/bench`.
"""


# Where a target is missed: what profiling found bounds the figure (issue 9 asks for it),
# written under the figures each time the section is regenerated.
BOUNDS = {
    "api-load": (
        "What bounds it (profiled with py-spy, 2026-11-24): one worker is CPU-bound on one core"
        " (1.1-1.2 cores used at 16 clients, the GIL held most of the time). A write is about "
        "1.7 ms at one client against 0.5 ms for the naive endpoint, and the event loop's share "
        "(HTTP parsing, routing, dependency resolution, two hand-offs to the thread pool: the "
        "bearer-token lookup and the endpoint) is larger than the endpoint's own (the access-log "
        "entry with its own commit, the idempotency lookup, the command on the participant kept "
        "warm, the rules, sealing and encryption, the commit). 1.0x the naive endpoint at 16 "
        "clients would be about 2,100 writes a second: under 1 ms of CPU a write on two cores. "
        "With several workers the writers of the one SQLite file take turns through a write "
        "gate (no busy-handler sleeps), so the CPU part runs in parallel. In a closed loop the "
        "latency is at least clients / throughput: at 64 clients a p99 within 1.5x the trivial "
        "endpoint's (about 70 ms) would need over 900 writes a second with no spread at all."
    ),
    "append-single": (
        "What bounds it (timed per phase, 2026-12-08): a save took about 410 µs where the raw "
        "insert and commit took about 175 µs: its commit about 220 µs (a raw transaction "
        "writing the same event and seal rows commits as fast as the raw one-row insert: the "
        "second table costs nothing measurable), the two inserts and the seal about 80 µs, "
        "mapping and personal-field encryption about 50 µs, the library's event store, the "
        "group commit, the gate and the snapshot check the rest. The events are committed on "
        "one connection kept out of the pool (+7 %). 0.65 would leave about 45 µs for all that "
        "is not the commit; the library as it comes, with no seals and no encryption, already "
        "spends over 100 µs. A command adds the rules and, when the participant is not kept "
        "warm, loading the journey."
    ),
    "import-sqlite": (
        "What bounds it (profiled, 2026-11-24): every row is validated as an API request body and"
        " run through its domain command and rules (about 40 % of the time), then mapped, its "
        "personal fields encrypted and sealed (about 35 %); the inserts and commits are the "
        "rest. That is about 45 µs of Python an event, where the raw base writes prepared rows "
        "at about 4 µs."
    ),
    "import-postgres": (
        "What bounds it (profiled, 2026-11-24): the same Python work as on SQLite (validation, "
        "rules, mapping, encryption, sealing), plus the library's insert, which sends a batch "
        "as an array of composite values that psycopg builds in Python (about a fifth of the "
        "time), the seals' executemany, and a key lookup per new participant. COPY is not "
        "available in the pipeline the library's insert runs in."
    ),
    "rebuild-sqlite": (
        "What bounds it (profiled, 2026-11-24): reading and decoding through the library (JSON,"
        " event objects, personal fields decrypted) is about a third of the time, the ten views'"
        " own Python per event (row updates in memory) and SQLite's inserts of their rows (about"
        " 110,000 rows for 80,000 events) the rest; the cyclic garbage collector, a quarter of "
        "the time before, is paused. 0.2 of SQLite's raw read would be under 3 µs an event for "
        "decoding and all ten views. A faster JSON parser is no lever here (measured "
        "2026-12-08 on these stored events): orjson plus the walk that restores the library's "
        "typed values (dates, timestamps, ids) took 2.54 µs an event against the library's "
        "2.58 µs; nor is caching the ids' text across the ten views (no measurable change)."
    ),
    "rebuild-postgres": (
        "What bounds it (profiled, 2026-11-24): as on SQLite, decoding through the library and "
        "the ten views' own Python per event, plus the views' upserts over the network; the "
        "cyclic garbage collector is paused."
    ),
}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}"
    )


def write_section(name: str, title: str, body: str) -> None:
    command = "python " + " ".join([os.path.relpath(sys.argv[0]), *sys.argv[1:]])
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if name in BOUNDS:
        body = body.rstrip() + "\n\n" + BOUNDS[name]
    section = (
        f"<!-- bench:{name} -->\n## {title}\n\n{body.rstrip()}\n\n"
        f"Machine: {machine()}. Run: {stamp}. Command: `{command}`\n<!-- /bench:{name} -->"
    )
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text() if DOC.exists() else HEADER
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S
    )
    text = (
        pattern.sub(lambda _: section, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + section + "\n"
    )
    DOC.write_text(text)
    print(f"wrote section {name!r} of {DOC}")
