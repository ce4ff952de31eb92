"""The real thing: ``journey serve`` in its own process on loopback, spoken to over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from api_support import COHORT, PROGRAMME

BIN = Path(sys.executable).parent
SRC = Path(__file__).resolve().parents[2] / "src"
PROGRAMME_ID = "vt-serve"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(data_dir: Path) -> dict[str, str]:
    """Only what a process needs, plus the data directory: nothing leaks in from the shell.
    PYTHONPATH names this checkout's sources, whichever checkout the venv was installed from."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    return {**env, "JOURNEY_DATA_DIR": str(data_dir), "PYTHONPATH": str(SRC)}


def journey(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "journey"), *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@dataclass(frozen=True)
class Server:
    url: str
    admin: str
    staff: str
    process: subprocess.Popen[str]
    env: dict[str, str]

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("serve") / "data"
    env = clean_env(data_dir)
    admin = journey(env, "tokens", "create", "--role", "admin", "--subject", "a").strip()
    staff = journey(env, "tokens", "create", "--role", "staff", "--subject", "s").strip()
    assert admin.startswith("jl_")
    assert staff.startswith("jl_")
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "journey"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"journey serve exited: {process.communicate()[1]}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("journey serve did not answer /health within 30 s")
            time.sleep(0.05)
        yield Server(url, admin, staff, process, env)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_journey_over_real_http(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        assert http.get("/health").json() == {"status": "ok"}
        programme = {**PROGRAMME, "programme_id": PROGRAMME_ID}
        response = http.post("/programmes", json=programme, headers=server.auth(server.admin))
        assert response.status_code == 201, response.text
        cohort = {**COHORT, "cohort_id": "c-serve", "programme_id": PROGRAMME_ID}
        response = http.post("/cohorts", json=cohort, headers=server.auth(server.admin))
        assert response.status_code == 201, response.text

        enrol = {"cohort_id": "c-serve", "enrolled_on": "2024-01-01", "name": "Eve"}
        headers = {**server.auth(server.staff), "Idempotency-Key": "eve"}
        first = http.post("/participants", json=enrol, headers=headers)
        again = http.post("/participants", json=enrol, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        location = first.headers["location"]

        event = {"type": "SessionAttended", "cohort_id": "c-serve", "session": 1}
        response = http.post(
            f"{location}/events",
            json=event,
            headers={**server.auth(server.staff), "If-Match": '"2"'},
        )
        assert response.status_code == 201
        assert response.json()["version"] == 3

        state = http.get(location, headers=server.auth(server.staff))
        assert state.status_code == 200
        assert state.headers["etag"] == '"3"'
        assert state.json()["enrolments"][0]["sessions"] == {"1": "attended"}
        history = http.get(f"{location}/history", headers=server.auth(server.staff)).json()
        assert [e["recorded_by"] for e in history] == ["s", "s", "s"]

        register = http.get("/cohorts/c-serve/register", headers=server.auth(server.staff))
        assert register.json()["rows"][0]["attended"] == 1

        denied = http.get(location, headers=server.auth(server.admin))
        assert denied.status_code == 403
        unauthenticated = http.get(location)
        assert unauthenticated.status_code == 401
        assert unauthenticated.headers["www-authenticate"] == "Bearer"


def test_oversized_bodies_over_real_http(server: Server) -> None:
    body = b'{"type": "FeedbackRecorded", "quote": "' + b"x" * 70_000 + b'"}'
    headers = {**server.auth(server.staff), "Content-Type": "application/json"}
    url = f"{server.url}/participants/00000000-0000-4000-8000-000000000000/events"
    with httpx.Client(timeout=10) as http:
        declared = http.post(url, content=body, headers=headers)
        assert declared.status_code == 413
        streamed = http.post(url, content=iter([body[:40_000], body[40_000:]]), headers=headers)
        assert streamed.status_code == 413, streamed.text


def test_sixteen_writers_on_one_participant_over_real_http(server: Server) -> None:
    """16 threads append to one journey at once, each naming the version it read: every
    answer is 201, 409 or 412 (never 5xx), every 201 is in the history exactly once, and the
    versions are contiguous."""
    with httpx.Client(base_url=server.url, timeout=30) as http:
        programme = {**PROGRAMME, "programme_id": "vt-race"}
        assert (
            http.post("/programmes", json=programme, headers=server.auth(server.admin)).status_code
            == 201
        )
        cohort = {**COHORT, "cohort_id": "c-race", "programme_id": "vt-race"}
        assert (
            http.post("/cohorts", json=cohort, headers=server.auth(server.admin)).status_code == 201
        )
        enrol = {"cohort_id": "c-race", "enrolled_on": "2024-01-01", "name": "Rae"}
        pid = http.post("/participants", json=enrol, headers=server.auth(server.staff)).json()[
            "participant_id"
        ]

    statuses: list[int] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for i in range(4):
                read = http.get(f"/participants/{pid}", headers=server.auth(server.staff))
                version = read.json()["version"]
                body = {
                    "type": "OutcomeReported",
                    "category": "chair",
                    "detail": f"writer {n} round {i}",
                    "source": "interview",
                    "occurred_on": "2024-05-01",
                }
                headers = {**server.auth(server.staff), "If-Match": f'"{version}"'}
                answer = http.post(f"/participants/{pid}/events", json=body, headers=headers)
                with lock:
                    statuses.append(answer.status_code)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(statuses) == 64
    assert set(statuses) <= {201, 409, 412}, sorted(set(statuses))
    with httpx.Client(base_url=server.url, timeout=30) as http:
        history = http.get(f"/participants/{pid}/history", headers=server.auth(server.staff))
    versions = [e["version"] for e in history.json()]
    assert versions == list(range(1, len(versions) + 1))
    outcomes = [e for e in history.json() if e["type"] == "OutcomeReported"]
    assert len(outcomes) == statuses.count(201) >= 4
    assert len({e["fields"]["detail"] for e in outcomes}) == len(outcomes)


def test_it_stops_cleanly_on_sigterm_and_keeps_what_it_recorded(server: Server) -> None:
    """Runs last in this module: it stops the server."""
    with httpx.Client(base_url=server.url, timeout=10) as http:
        admin, staff = server.auth(server.admin), server.auth(server.staff)
        programme = {**PROGRAMME, "programme_id": "vt-stop"}
        assert http.post("/programmes", json=programme, headers=admin).status_code == 201
        cohort = {**COHORT, "cohort_id": "c-stop", "programme_id": "vt-stop"}
        assert http.post("/cohorts", json=cohort, headers=admin).status_code == 201
        enrol = {"cohort_id": "c-stop", "enrolled_on": "2024-01-01", "name": "Fay"}
        location = http.post("/participants", json=enrol, headers=staff).headers["location"]
        event = {"type": "SessionAttended", "cohort_id": "c-stop", "session": 1}
        assert http.post(f"{location}/events", json=event, headers=staff).status_code == 201

    server.process.send_signal(signal.SIGTERM)
    _, stderr = server.process.communicate(timeout=15)
    # uvicorn shuts down gracefully, then re-raises the signal it caught: killed by SIGTERM
    # (as a service manager expects), or 0.
    assert server.process.returncode in (0, -signal.SIGTERM), stderr
    assert "Traceback" not in stderr
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.url}/health", timeout=1)
    rows = json.loads(journey(server.env, "report", "register", "c-stop"))["rows"]
    assert [row["attended"] for row in rows] == [1]
