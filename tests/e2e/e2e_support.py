"""What the browser tests share: where Chromium and axe-core are, whether to skip, and the
``journey serve`` they talk to (see conftest.py for the fixtures)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
# Read once, before the autouse fixture of tests/conftest.py cleans JOURNEY_* for each test.
CHROMIUM = os.environ.get("JOURNEY_TEST_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("JOURNEY_REQUIRE_BROWSER", "") not in ("", "0", "false", "no")
SHOTS = os.environ.get("JOURNEY_E2E_SCREENSHOTS")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",  # this machine's network is closed: ask nothing
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing() -> str | None:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (run scripts/setup-browser as root)"
    if not AXE.is_file():
        return f"no axe-core at {AXE.relative_to(ROOT)} (run scripts/setup-browser)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


def require_browser() -> None:
    reason = _missing()
    if reason is None:
        return
    if REQUIRE_BROWSER:
        pytest.fail(f"browser tests required (JOURNEY_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    """``journey serve`` on loopback, with a token per role and a cohort of three past days."""

    url: str
    tokens: dict[str, str]
    cohort_id: str
    participants: dict[str, str]  # name -> id

    def api(self, method: str, path: str, who: str = "staff", **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return httpx.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def history(self, name: str) -> list[dict[str, Any]]:
        response = self.api("GET", f"/participants/{self.participants[name]}/history")
        assert response.status_code == 200, response.text
        events: list[dict[str, Any]] = response.json()
        return events


def journey(env: dict[str, str], *args: str) -> str:
    journey = shutil.which("journey", path=str(Path(sys.executable).parent)) or "journey"
    done = subprocess.run(
        [journey, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def course(server: Server) -> Server:
    """An accredited programme, a cohort whose three days are past, and three enrolled."""
    today = date.today()
    days = [(today - timedelta(days=n)).isoformat() for n in (21, 14, 7)]
    programme = {
        "programme_id": "vt-e2e",
        "name": "Voices Together",
        "session_count": 3,
        "attendance_threshold": 2,
        "accreditation": {"awarding_body": "Middlesex University", "credits": 30, "level": 4},
    }
    cohort = {
        "cohort_id": server.cohort_id,
        "programme_id": "vt-e2e",
        "location": "Grays",
        "session_dates": days,
        "trainers": ["trainer-e2e"],
    }
    for path, body in (("/programmes", programme), ("/cohorts", cohort)):
        response = server.api("POST", path, "admin", json=body)
        assert response.status_code == 201, response.text
    enrolled_on = (today - timedelta(days=30)).isoformat()
    for name in ("Ann Archer", "Ben Baker", "Cal Carter"):
        body = {"cohort_id": server.cohort_id, "enrolled_on": enrolled_on, "name": name}
        response = server.api("POST", "/participants", json=body)
        assert response.status_code == 201, response.text
        server.participants[name] = response.json()["participant_id"]
    return server
