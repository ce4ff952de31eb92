"""The access log: every read of a named record and every write, allowed or denied; auditors
only; append-only; a read whose entry cannot be written fails."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import TokenStore
from api.settings import Settings

TODAY = date(2024, 6, 1)
ROLES = {"admin": "admin", "staff": "staff", "auditor": "auditor", "researcher": "researcher"}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], str]]:
    app = create_app(Settings(data_dir=tmp_path), clock=lambda: TODAY, follow=False)
    with TestClient(app) as client:
        store = TokenStore(app.state.services.engine)
        headers = {
            name: {"Authorization": f"Bearer {store.create(role=role, subject=name).token}"}  # type: ignore[arg-type]
            for name, role in ROLES.items()
        }
        client.post(
            "/programmes",
            headers=headers["admin"],
            json={
                "programme_id": "vt",
                "name": "VT",
                "session_count": 2,
                "attendance_threshold": 1,
            },
        )
        client.post(
            "/cohorts",
            headers=headers["admin"],
            json={
                "cohort_id": "c1",
                "programme_id": "vt",
                "location": "Grays",
                "session_dates": ["2024-01-03", "2024-01-10"],
                "trainers": ["t1"],
            },
        )
        pid = client.post(
            "/participants",
            headers=headers["staff"],
            json={"cohort_id": "c1", "enrolled_on": "2024-01-01", "name": "Ann"},
        ).json()["participant_id"]
        yield client, headers, pid


def _log(client: TestClient, headers: dict[str, dict[str, str]], pid: str) -> list[dict[str, Any]]:
    answer = client.get(f"/audit/access?target={pid}", headers=headers["auditor"])
    assert answer.status_code == 200
    return list(reversed(answer.json()))


def test_reads_and_writes_of_a_record_are_logged_allowed_or_denied(world: Any) -> None:
    client, headers, pid = world
    client.post(
        f"/participants/{pid}/events",
        headers=headers["staff"],
        json={"type": "SessionAttended", "cohort_id": "c1", "session": 1},
    )
    client.get(f"/participants/{pid}", headers=headers["staff"])
    client.get(f"/participants/{pid}/history", headers=headers["auditor"])
    assert client.get(f"/participants/{pid}", headers=headers["researcher"]).status_code == 403
    entries = [
        (e["subject"], e["operation"], e["detail"], e["allowed"])
        for e in _log(client, headers, pid)
    ]
    assert entries == [
        ("staff", "record_event", "SessionAttended", True),
        ("staff", "read_participant", None, True),
        ("auditor", "read_history", None, True),
        ("researcher", "read_participant", None, False),
    ]


def test_only_auditors_read_the_access_log(world: Any) -> None:
    client, headers, _ = world
    for name in ("staff", "researcher", "admin"):
        assert client.get("/audit/access", headers=headers[name]).status_code == 403


def test_the_access_log_is_append_only(world: Any) -> None:
    client, _, _ = world
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    for statement in (
        "UPDATE journey_access_log SET allowed = 0",
        "DELETE FROM journey_access_log",
    ):
        with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"), engine.begin() as c:
            c.execute(sqlalchemy.text(statement))


def test_a_read_whose_entry_cannot_be_written_fails(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, headers, pid = world
    log = client.app.state.access_log  # type: ignore[attr-defined]

    def broken(**_: Any) -> None:
        raise sqlalchemy.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(log, "record", broken)
    answer = client.get(f"/participants/{pid}", headers=headers["staff"])
    assert answer.status_code == 503
    assert "Ann" not in answer.text
