"""Browser tests: Debian's Chromium, driven by Playwright, against a real ``journey serve``.

The browser is /usr/bin/chromium (Debian's package; ``scripts/setup-browser`` installs it and
axe-core). Without it the tests skip and say why, unless JOURNEY_REQUIRE_BROWSER=1 (set by
.ci/run), when they fail. Screenshots go to JOURNEY_E2E_SCREENSHOTS if set, else to a
temporary directory of the test session.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    SHOTS,
    Server,
    course,
    free_port,
    journey,
    require_browser,
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(SHOTS) if SHOTS else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_browser()
    data_dir = tmp_path_factory.mktemp("e2e") / "data"
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    # This checkout's sources, whichever checkout the venv was installed from.
    env |= {"JOURNEY_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT / "src")}
    roles = {
        "admin": "admin",
        "staff": "staff",
        "staff2": "staff",
        "auditor": "auditor",
        "researcher": "researcher",
    }
    tokens = {
        who: journey(env, "tokens", "create", "--role", role, "--subject", f"{who}-e2e")
        for who, role in roles.items()
    }
    port = free_port()
    binary = shutil.which("journey", path=str(Path(sys.executable).parent)) or "journey"
    process = subprocess.Popen(
        [binary, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"journey serve exited: {process.communicate()[1]}")
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("journey serve did not answer within 30 s")
            time.sleep(0.1)
        served = Server(url=url, tokens=tokens, cohort_id="grays-e2e", participants={})
        yield course(served)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
