"""The cost of encryption: appends and a projection rebuild, encrypted and not, in one process.

Unencrypted is the library's own mapper (nothing encrypted at all). Encrypted means
everything issue 8 adds, with ``JOURNEY_ENCRYPTION_KEY`` set: each
participant's personal fields under their own data key (stored in the key table with their
first events), and the library's AES-GCM cipher over every stored event. The same work runs on
a fresh SQLite file for each mode, the modes alternating, best of ``--rounds``:

- bulk append: ``--participants`` x 40 events through the domain, 25 participants per
  transaction (bench/workload.py);
- single appends: one outcome (with its free-text detail) per command and transaction, through
  the application, ``--singles`` of them;
- rebuild: every projection rebuilt from the log.

Target (issue 8): encrypted no more than 1.3 times the unencrypted time.

    python bench/encryption.py [--participants 2500] [--singles 2000] [--rounds 2] [--no-write]
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import Application
from eventsourcing.persistence import Mapper

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import write_section
from workload import TODAY, load

from journey.application import JourneyLedger
from journey.data_keys import derive_key
from journey.persistence import store_env
from projections.database import views_engine
from projections.runner import ProjectionRunner


class UnencryptedLedger(JourneyLedger):
    """The baseline: the library's own mapper, nothing encrypted (not even personal fields
    under per-participant keys, which the ledger otherwise always does)."""

    name = JourneyLedger.name  # the same store settings (they are keyed by the name)

    def construct_mapper(self) -> Mapper[UUID]:
        return Application.construct_mapper(self)


def run(encrypted: bool, participants: int, singles: int) -> dict[str, float]:
    url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    cipher_key = master_key = None
    if encrypted:
        key = os.urandom(32)
        cipher_key = base64.b64encode(derive_key(key, "events at rest")).decode()
        master_key = derive_key(key, "participant data keys")
    cls = JourneyLedger if encrypted else UnencryptedLedger
    ledger = cls(
        store_env(url, prefix="JOURNEYLEDGER", cipher_key=cipher_key),
        clock=lambda: TODAY,
        master_key=master_key,
    )
    try:
        t0 = time.perf_counter()
        events = load(ledger, participants)
        bulk = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(singles):
            ledger.report_outcome(
                participant_id=uuid5(NAMESPACE_URL, f"bench-participant-{i % participants}"),
                category="speaking",
                detail=f"Spoke at the trust board about their experience, {i}",
                source="interview",
                occurred_on=date(2024, 5, 1),
                actor="bench",
            )
        single = time.perf_counter() - t0
        engine = views_engine(url)
        runner = ProjectionRunner(ledger, engine)
        runner.setup()
        t0 = time.perf_counter()
        runner.rebuild()
        rebuild = time.perf_counter() - t0
        total = int(ledger.recorder.max_notification_id() or 0)
        engine.dispose()
    finally:
        ledger.close()
    return {
        "bulk": events / bulk,
        "single": singles / single,
        "rebuild": total / rebuild,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=2500)
    parser.add_argument("--singles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="print only; leave the docs alone")
    args = parser.parse_args()

    best: dict[bool, dict[str, float]] = {False: {}, True: {}}
    for round_ in range(args.rounds):
        for encrypted in (False, True):
            figures = run(encrypted, args.participants, args.singles)
            print(f"round {round_ + 1}, {'encrypted' if encrypted else 'plain'}: {figures}")
            for name, rate in figures.items():
                best[encrypted][name] = max(best[encrypted].get(name, 0.0), rate)

    rows = {
        "bulk": f"bulk append, {args.participants:,} participants x 40 events, 25 per transaction",
        "single": f"single appends through the application, {args.singles:,} commands",
        "rebuild": "rebuild of every projection from the log",
    }
    table = "| what | plain (per second) | encrypted (per second) | cost (time ratio) |\n"
    table += "|---|---|---|---|\n"
    for name, label in rows.items():
        plain, enc = best[False][name], best[True][name]
        table += f"| {label} | {plain:,.0f} | {enc:,.0f} | {plain / enc:.2f}x |\n"
    body = (
        "Store: SQLite (synchronous=FULL), a fresh file per run; plain and encrypted runs "
        f"alternate, best of {args.rounds}. Encrypted: personal fields under per-participant "
        "keys and the library's AES-GCM cipher over every stored event. Target: a cost of at "
        "most 1.3x.\n\n" + table
    )
    print(body)
    if not args.no_write:
        write_section("encryption", "The cost of encryption", body)


if __name__ == "__main__":
    main()
