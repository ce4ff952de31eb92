"""`journey serve --workers 2`: two worker processes answer, Nagle is off (one client is not
held ~40 ms a request by delayed ACKs), and the read models are followed by their own process."""

from __future__ import annotations

import signal
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
