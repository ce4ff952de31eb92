"""A projection worker PROCESS killed with SIGKILL in the middle of a catch-up, then restarted,
ends with views equal to a rebuild into a fresh database: nothing counted twice, nothing
missed.

The ledger (a SQLite file) is loaded with a few thousand events through the application; the
worker follows it in pages. The test polls the tracking positions and kills the worker once
it has processed some pages but not all, at a different moment each round, with events added
between rounds (and, in one round, while it runs).
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from history_walk import COHORTS, PROGRAMMES, STAFF, TODAY, HistoryWalk, SeededChooser
from projection_support import (
    clean_env,
    ledger_on,
    rebuilt_elsewhere,
    scratch,
    sqlite_url,
    views_on,
)
from view_snapshots import Scope, assert_same, snapshot

from journey.application import JourneyLedger
from journey.state import PersonalDetails
from projections.runner import ProjectionRunner

WORKER = Path(__file__).with_name("projection_worker.py")
JOURNEY = Path(sys.executable).with_name("journey")


def load(ledger: JourneyLedger, start: int, count: int, rng: random.Random) -> list[UUID]:
    """``count`` participants through the application: enrolment, every training day,
    accreditation and assessment for some, outcomes, follow-ups and wellbeing."""
    ids = []
    for n in range(start, start + count):
        spec = COHORTS[n % len(COHORTS)]
        pid = uuid5(NAMESPACE_URL, f"crash-test:{n}")
        ids.append(pid)
        first, last = spec.session_dates[0], spec.session_dates[-1]
        ledger.enrol(
            cohort_id=spec.cohort_id,
            enrolled_on=first - timedelta(days=7),
            details=PersonalDetails(name=f"Participant {n}"),
            actor=STAFF,
            participant_id=pid,
        )
        common = {"participant_id": pid, "cohort_id": spec.cohort_id}
        for session in range(1, len(spec.session_dates) + 1):
            status = "attended" if rng.random() < 0.85 else "missed"
            ledger.record_session(**common, session=session, status=status, actor=STAFF)
        if spec.programme_id != "drop-in-circle" and n % 3:
            _assess(ledger, common, last, rng)
        after = min(TODAY, last + timedelta(days=rng.randint(1, 900)))
        ledger.report_outcome(
            participant_id=pid,
            category=rng.choice(("chair", "employment", "volunteering", "speaking")),
            detail="said so at follow-up",
            source="interview",
            occurred_on=after,
            actor=STAFF,
        )
        ledger.complete_follow_up(
            participant_id=pid, method="survey", occurred_on=after, actor=STAFF
        )
        ledger.measure_wellbeing(
            participant_id=pid,
            scale="WEMWBS",
            score=rng.randint(14, 70),
            timepoint="end",
            occurred_on=last,
            actor=STAFF,
        )
    return ids


def _assess(ledger: JourneyLedger, common: dict[str, Any], last: date, rng: random.Random) -> None:
    on = last + timedelta(days=10)
    ledger.decide_accreditation(**common, choose=True, occurred_on=on, actor=STAFF)
    if rng.random() < 0.3:
        return
    ledger.submit_log(**common, attempt=1, occurred_on=on, actor=STAFF)
    ledger.submit_essay(**common, attempt=1, essay_format="oral", occurred_on=on, actor=STAFF)
    stages = rng.randint(0, 4)
    for stage, actor in (("first", "marker-mia"), ("second", "marker-noor"))[:stages]:
        ledger.record_mark(
            **common,
            attempt=1,
            stage=stage,
            result="pass",
            feedback="ok",
            occurred_on=on,
            actor=actor,
        )
    for stage, actor in (("internal", "moderator-pat"), ("external", "examiner-quinn"))[
        : max(0, stages - 2)
    ]:
        result = "pass" if rng.random() < 0.7 else "refer"
        ledger.record_moderation(
            **common, attempt=1, stage=stage, result=result, occurred_on=on, actor=actor
        )


@contextmanager
def worker(command: list[str], url: str) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        command,
        env=clean_env(JOURNEY_DATABASE_URL=url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        _, err = process.communicate(timeout=10)
        noise = "Following the ledger; Ctrl-C to stop."
        if err.replace(noise, "").strip():
            print(f"worker stderr:\n{err}")  # shown with the test's output if it fails


def positions(runner: ProjectionRunner) -> tuple[int, int]:
    """(the lowest projection position, the log's head)."""
    status = runner.status()
    return min(s.position for s in status), status[0].head


def kill_when_past(
    process: subprocess.Popen[str], runner: ProjectionRunner, fraction: float, timeout: float = 20
) -> tuple[int, int]:
    """SIGKILL the worker once it is ``fraction`` of the way from where it started to the
    head; return (position, head) after the kill. Fails if it finished before the kill."""
    start, head = positions(runner)
    target = start + max(1, int((head - start) * fraction))
    deadline = time.monotonic() + timeout
    while positions(runner)[0] < target:
        assert process.poll() is None, "the worker exited by itself"
        assert time.monotonic() < deadline, f"the worker did not reach {target} of {head}"
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    return positions(runner)


def wait_caught_up(
    process: subprocess.Popen[str], runner: ProjectionRunner, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        position, head = positions(runner)
        if position == head and {s.position for s in runner.status()} == {head}:
            return
        assert process.poll() is None, "the worker exited by itself"
        assert time.monotonic() < deadline, f"the worker is stuck at {position} of {head}"
        time.sleep(0.01)


def test_a_worker_killed_three_times_mid_catch_up_ends_equal_to_a_rebuild() -> None:
    rng = random.Random(4242)
    with scratch() as tmp:
        url = sqlite_url(tmp, "journey.db")
        with ledger_on(url) as ledger, views_on(url) as engine:
            HistoryWalk(ledger, SeededChooser(0)).set_up(cohorts=len(COHORTS))
            participants = load(ledger, 0, 180, rng)
            observer = ProjectionRunner(ledger, engine)
            observer.setup()
            kills = []
            for round_, (page_size, fraction) in enumerate(((7, 0.15), (13, 0.45), (5, 0.8))):
                command = [sys.executable, str(WORKER), url, str(page_size)]
                with worker(command, url) as process:
                    if round_ == 1:  # events written while the worker is catching up
                        participants += load(ledger, 1000, 15, rng)
                    position, head = kill_when_past(process, observer, fraction)
                kills.append((position, head))
                assert 0 < position < head, f"round {round_}: killed at {position} of {head}"
                participants += load(ledger, 2000 + 100 * round_, 5, rng)  # while it is down
            with worker([sys.executable, str(WORKER), url, "11"], url) as process:
                wait_caught_up(process, observer)
            scope = Scope(
                tuple(c.cohort_id for c in COHORTS), PROGRAMMES, tuple(participants), TODAY
            )
            after_crashes = snapshot(engine, scope)
            rebuilt = rebuilt_elsewhere(ledger, sqlite_url(tmp, "rebuilt.db"), scope)
            assert_same(after_crashes, rebuilt, context=f"killed at (position, head) {kills}")
    print(f"killed at (position, head): {kills}")
    positions_at_kill = [p for p, _ in kills]
    assert positions_at_kill == sorted(positions_at_kill), kills


def test_the_journey_command_killed_mid_catch_up_ends_equal_to_a_rebuild() -> None:
    """The same with the real ``journey projections run`` (pages of 1,000 events): killed
    after its first page, restarted, followed to the head."""
    with scratch() as tmp:
        url = sqlite_url(tmp, "journey.db")
        with ledger_on(url) as ledger, views_on(url) as engine:
            HistoryWalk(ledger, SeededChooser(0)).set_up(cohorts=len(COHORTS))
            participants = load(ledger, 0, 220, random.Random(99))
            observer = ProjectionRunner(ledger, engine)
            observer.setup()
            command = [str(JOURNEY), "projections", "run", "--interval", "0.05"]
            with worker(command, url) as process:
                position, head = kill_when_past(process, observer, 0.01)
            assert 0 < position < head, f"killed at {position} of {head}"
            with worker(command, url) as process:
                wait_caught_up(process, observer)
            scope = Scope(
                tuple(c.cohort_id for c in COHORTS), PROGRAMMES, tuple(participants), TODAY
            )
            rebuilt = rebuilt_elsewhere(ledger, sqlite_url(tmp, "rebuilt.db"), scope)
            assert_same(snapshot(engine, scope), rebuilt, context=f"killed at {position} of {head}")
