"""What the reliability tests share: a real `journey serve` in its own process, a paced write
load whose every request carries an idempotency key, and the checks that nothing acknowledged
was lost and nothing was recorded twice.

Imported by name (``from reliability_support import ...``); the name is long so that it cannot
clash with another test folder's helper module.
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent
SRC = Path(__file__).resolve().parents[2] / "src"
COHORT_ID = "rel-2024"
SESSION_DATES = [str(date(2024, 1, 8) + timedelta(weeks=n)) for n in range(12)]


# Read when the tests are collected: tests/conftest.py clears JOURNEY_* for each test.
_FULL = os.environ.get("JOURNEY_RELIABILITY_FULL", "") not in ("", "0", "no", "false")
SOAK_SECONDS = float(os.environ.get("JOURNEY_SOAK_SECONDS", "60"))


def full_size() -> bool:
    """The documented full runs (JOURNEY_RELIABILITY_FULL=1) instead of CI's reduced ones."""
    return _FULL


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    return {**env, "JOURNEY_DATA_DIR": str(data_dir), "PYTHONPATH": str(SRC), **extra}


def journey(
    env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(BIN / "journey"), *args], env=env, capture_output=True, text=True, timeout=120
    )
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


class Server:
    """``journey serve`` on a free loopback port; restartable, killable, with its output kept
    in a file (read by the tests: no traceback may appear)."""

    def __init__(self, env: dict[str, str], log: Path, *, file_limit: int | None = None) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.file_limit = file_limit
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        limit = self.file_limit

        def limits() -> None:
            if limit is not None:  # `ulimit -f`: no file of the server's may grow past it
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(BIN / "journey"), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=limits,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"journey serve exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("journey serve did not answer /health in time")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as a power cut or an OOM kill."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def set_file_limit(self, limit: int) -> None:
        """Change the running server's `ulimit -f` (space runs out, or returns)."""
        assert self.process is not None
        resource.prlimit(self.process.pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    def rss_kib(self) -> int:
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")


@dataclass
class Ledger:
    """A served ledger with a cohort and ``people`` participants, each written to by one
    load thread only (so no two writers race: every refusal is a fault, not a conflict)."""

    env: dict[str, str]
    admin: str
    staff: str
    participants: list[str] = field(default_factory=list)

    def headers(self, token: str, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers


def prepare(data_dir: Path, **extra_env: str) -> Ledger:
    env = clean_env(data_dir, **extra_env)
    admin = journey(env, "tokens", "create", "--role", "admin", "--subject", "rel-admin")
    staff = journey(env, "tokens", "create", "--role", "staff", "--subject", "rel-staff")
    return Ledger(env, admin.stdout.strip(), staff.stdout.strip())


def seed(server: Server, ledger: Ledger, people: int) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        cohort = {
            "cohort_id": COHORT_ID,
            "programme_id": "voices-together",
            "location": "Loopback",
            "session_dates": SESSION_DATES,
            "trainers": ["t-1"],
        }
        made = http.post("/cohorts", json=cohort, headers=ledger.headers(ledger.admin))
        assert made.status_code in (201, 409), made.text
        for n in range(people):
            body = {"cohort_id": COHORT_ID, "enrolled_on": "2024-01-02", "name": f"Rel {n}"}
            answer = http.post(
                "/participants", json=body, headers=ledger.headers(ledger.staff, f"enrol-{n}")
            )
            assert answer.status_code == 201, answer.text
            ledger.participants.append(answer.json()["participant_id"])


@dataclass
class Operation:
    key: str
    participant: str
    status: int | None = None  # None: no answer (connection refused, reset, timed out)
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    @property
    def acknowledged(self) -> bool:
        return self.status == 201

    def payload(self) -> dict[str, Any]:
        return {
            "type": "OutcomeReported",
            "category": "speaking",
            "detail": f"reliability {self.key}",
            "source": "staff_observation",
            "occurred_on": "2024-05-01",
        }


class Load:
    """Writes at about ``rate`` requests per second, spread over ``threads`` threads, each
    with its own participants, until stopped. Every request is an OutcomeReported whose detail
    names its own idempotency key, so each can be found in the history afterwards."""

    def __init__(self, url: str, ledger: Ledger, *, rate: float, threads: int = 4) -> None:
        self.url = url
        self.ledger = ledger
        self.rate = rate
        self.threads = threads
        self.operations: list[Operation] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        self._counter = 0

    def _next_key(self, prefix: str) -> str:
        with self._lock:
            self._counter += 1
            return f"{prefix}-{self._counter:06d}"

    def start(self, prefix: str) -> None:
        self._stop.clear()
        self._workers = [
            threading.Thread(target=self._run, args=(prefix, i), daemon=True)
            for i in range(self.threads)
        ]
        for worker in self._workers:
            worker.start()

    def stop(self) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)

    def _run(self, prefix: str, index: int) -> None:
        mine = self.ledger.participants[index :: self.threads]
        interval = self.threads / self.rate
        next_at = time.monotonic()
        with httpx.Client(base_url=self.url, timeout=5) as http:
            n = 0
            while not self._stop.is_set():
                participant = mine[n % len(mine)]
                n += 1
                op = Operation(self._next_key(prefix), participant)
                with self._lock:
                    self.operations.append(op)
                send(http, self.ledger, op)
                next_at += interval
                self._stop.wait(max(0.0, next_at - time.monotonic()))

    def unanswered(self) -> list[Operation]:
        return [op for op in self.operations if not op.acknowledged]


def send(http: httpx.Client, ledger: Ledger, op: Operation) -> None:
    try:
        answer = http.post(
            f"/participants/{op.participant}/events",
            json=op.payload(),
            headers=ledger.headers(ledger.staff, op.key),
        )
    except httpx.TransportError:
        op.status = None
        return
    op.status, op.headers, op.body = answer.status_code, dict(answer.headers), answer.text


def retry_unanswered(url: str, ledger: Ledger, load: Load, *, deadline: float = 60) -> int:
    """Send every request not acknowledged again, with its own key, until each is; return
    how many of them had been recorded before (their stored answer replayed)."""
    end = time.monotonic() + deadline
    replayed = 0
    with httpx.Client(base_url=url, timeout=10) as http:
        for op in load.unanswered():
            while True:
                send(http, ledger, op)
                if op.acknowledged:
                    replayed += op.headers.get("idempotent-replayed") == "true"
                    break
                assert op.status in (None, 503), (op.status, op.body)
                assert time.monotonic() < end, f"{op.key} still refused: {op.status} {op.body}"
                time.sleep(0.2)
    return replayed


def check_nothing_lost_or_doubled(url: str, ledger: Ledger, load: Load) -> dict[str, int]:
    """Every acknowledged request's event is in its participant's history exactly once, and
    no event is there that no request asked for; versions are contiguous from 1."""
    expected: dict[str, set[str]] = {}
    for op in load.operations:
        assert op.acknowledged, f"{op.key} was never acknowledged"
        expected.setdefault(op.participant, set()).add(f"reliability {op.key}")
    found_total = 0
    with httpx.Client(base_url=url, timeout=30) as http:
        for participant in ledger.participants:
            answer = http.get(
                f"/participants/{participant}/history", headers=ledger.headers(ledger.staff)
            )
            assert answer.status_code == 200, answer.text
            entries = answer.json()
            versions = [e["version"] for e in entries]
            assert versions == list(range(1, len(versions) + 1)), "versions not contiguous"
            details = [e["fields"]["detail"] for e in entries if e["type"] == "OutcomeReported"]
            assert len(details) == len(set(details)), "an event recorded twice"
            assert set(details) == expected.get(participant, set()), "lost or unasked-for events"
            found_total += len(details)
    return {"requests": len(load.operations), "events": found_total}


def sqlite_integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        row = conn.execute("PRAGMA integrity_check").fetchone()
    return str(row[0])


def run_until(condition: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(step)
    return condition()
