"""The privacy commands as an operator runs them: keys generate, forget, retention apply."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from api.compose import build_services
from api.settings import Settings
from journey.catalogue import install_catalogue
from journey.data_keys import generate_key
from journey.state import PersonalDetails

BIN = Path(sys.executable).parent
SRC = Path(__file__).resolve().parents[2] / "src"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "journey"), *args], env=env, capture_output=True, text=True, timeout=60
    )


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    base = {"JOURNEY_DATA_DIR": str(data_dir), "PYTHONPATH": str(SRC), "COLUMNS": "300"}
    return {**env, **base, **extra}


def test_keys_generate_prints_a_fresh_32_byte_key(tmp_path: Path) -> None:
    first = run(environment(tmp_path), "keys", "generate")
    second = run(environment(tmp_path), "keys", "generate")
    assert first.returncode == 0, first.stderr
    assert len(base64.b64decode(first.stdout.strip())) == 32
    assert first.stdout != second.stdout


def test_the_production_profile_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    done = run(environment(tmp_path, JOURNEY_PROFILE="production"), "init")
    assert done.returncode == 2
    assert "JOURNEY_ENCRYPTION_KEY" in done.stderr
    assert "Traceback" not in done.stderr


def test_forget_and_retention_from_the_command_line(tmp_path: Path) -> None:
    key = generate_key()
    settings = Settings(data_dir=tmp_path, encryption_key=key)  # type: ignore[arg-type]
    services = build_services(settings)
    try:
        install_catalogue(services.ledger, actor="admin")
        first = date(2024, 1, 8)
        services.ledger.schedule_cohort(
            cohort_id="c1",
            programme_id="voices-together",
            location="Grays",
            session_dates=[first + timedelta(weeks=i) for i in range(12)],
            trainers=["trainer-1"],
            actor="admin",
        )
        pid = services.ledger.enrol(
            cohort_id="c1",
            enrolled_on=date(2024, 1, 2),
            details=PersonalDetails(name="Zelda Canaryperson"),
            actor="staff-1",
        ).aggregate_id
    finally:
        services.close()
    env = environment(tmp_path, JOURNEY_ENCRYPTION_KEY=key)

    dry = run(env, "retention", "apply", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "0 of 1 participants are due" in dry.stdout
    assert run(env, "forget", "--help").returncode == 0
    forgot = run(env, "forget", str(pid), "--reason", "SAR 1")
    assert forgot.returncode == 0, forgot.stderr
    replayed = run(env, "replay", str(pid))
    assert "[erased]" in replayed.stdout
    assert "Canaryperson" not in replayed.stdout
    again = run(env, "forget", str(pid), "--reason", "SAR 1")
    assert again.returncode == 2
    assert "forgotten" in again.stderr
    wrong_key = run(
        environment(tmp_path, JOURNEY_ENCRYPTION_KEY=generate_key()), "replay", str(pid)
    )
    assert wrong_key.returncode != 0
