"""`journey serve --workers 2`: two worker processes answer, Nagle is off (one client is not
held ~40 ms a request by delayed ACKs), and the read models are followed by their own process."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import time
from pathlib import Path

import httpx
from test_http_serve import BIN, clean_env, free_port, journey

SESSION_DATES = [f"2024-0{1 + n // 4}-{1 + 7 * (n % 4):02d}" for n in range(12)]


def test_two_workers_answer_promptly_and_the_read_models_follow(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "data")
    admin = journey(env, "tokens", "create", "--role", "admin", "--subject", "a").strip()
    staff = journey(env, "tokens", "create", "--role", "staff", "--subject", "s").strip()
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "journey"), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "no answer from journey serve --workers 2"
            time.sleep(0.1)
        with httpx.Client(base_url=url, timeout=10) as http:
            cohort = {
                "cohort_id": "w-1",
                "programme_id": "voices-together",
                "location": "Loopback",
                "session_dates": SESSION_DATES,
                "trainers": ["t"],
            }
            made = http.post("/cohorts", json=cohort, headers={"Authorization": f"Bearer {admin}"})
            assert made.status_code == 201, made.text
            auth = {"Authorization": f"Bearer {staff}"}
            took = []
            for n in range(20):
                body = {"cohort_id": "w-1", "enrolled_on": "2024-01-01", "name": f"W {n}"}
                started = time.perf_counter()
                assert http.post("/participants", json=body, headers=auth).status_code == 201
                took.append(time.perf_counter() - started)
            # With Nagle on, every one waited for a delayed ACK: 40 ms or more.
            assert statistics.median(took) < 0.030, f"{statistics.median(took) * 1000:.0f} ms"

            def listed() -> int:
                register = http.get("/cohorts/w-1/register", headers=auth)
                assert register.status_code == 200, register.text
                return len(register.json()["rows"])

            deadline = time.monotonic() + 20
            while listed() < 20:
                assert time.monotonic() < deadline, "the read models did not follow"
                time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output = process.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0]
    assert "Traceback" not in output


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _wait_healthy(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, process.communicate()[0]
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "no answer from journey serve --workers"
        time.sleep(0.1)


def test_a_killed_worker_is_replaced_and_each_worker_has_its_own_socket(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "data")
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "journey"), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        workers = [
            pid
            for pid in _children(process.pid)
            if "journey-worker" in Path(f"/proc/{pid}/cmdline").read_text()
            or "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()
        ]
        assert len(workers) == 2, workers
        # Each worker listens on a socket of its own (SO_REUSEPORT), so the kernel spreads
        # connections over them instead of the first to wake taking a whole burst.
        listening = {pid: _listening_sockets(pid) for pid in workers}
        assert all(listening.values()), listening
        assert not set.intersection(*listening.values())
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while True:
            now = [p for p in _children(process.pid) if p != workers[0] and p in _alive()]
            replaced = [p for p in now if p not in workers and _listening_sockets(p)]
            if replaced:
                break
            assert time.monotonic() < deadline, "the killed worker was not replaced"
            time.sleep(0.2)
        _wait_healthy(url, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output = process.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0]
    assert process.returncode == 0, output
    assert "Traceback" not in output


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "data")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(BIN / "journey"), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert "Cannot listen on" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def _alive() -> set[int]:
    return {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()}


def _listening_sockets(pid: int) -> set[str]:
    """The inodes of the listening TCP sockets the process holds open."""
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                listening.add(fields[9])
    held = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:["):
                held.add(target[8:-1])
    except (FileNotFoundError, ProcessLookupError):
        return set()
    return held & listening
