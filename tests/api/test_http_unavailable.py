"""503 with Retry-After when the ledger's database is unavailable or full: real failures where
they can be had (a SQLite file locked by another connection, a PostgreSQL schema gone), a faked
"disk full" from the library's recorder where they cannot."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from api_support import TODAY, Api, RecordingClient, settings_for
from eventsourcing.persistence import OperationalError

from api.app import create_app
from api.auth import TokenStore
from api.compose import Services
from api.settings import Settings
from journey.application import JourneyLedger
from journey.persistence import store_env
from projections.database import views_engine
from projections.runner import ProjectionRunner

SESSION_1 = {"type": "SessionAttended", "cohort_id": "c1", "session": 1}


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"].isdigit()
    assert response.json()["code"] == "store-unavailable"
    assert "Traceback" not in response.text


@pytest.fixture
def impatient_api(tmp_path: Path) -> Iterator[Api]:
    """An app whose SQLite ledger waits at most 1 s for a lock (the default is 10 s)."""
    settings = settings_for(tmp_path)
    settings.prepare()
    env = store_env(settings.store_url, prefix="JOURNEYLEDGER")
    ledger = JourneyLedger({**env, "JOURNEYLEDGER_SQLITE_LOCK_TIMEOUT": "1"}, clock=lambda: TODAY)
    engine = views_engine(settings.read_models_url)
    runner = ProjectionRunner(ledger, engine)
    runner.setup()
    services = Services(settings, ledger, engine, runner, clock=lambda: TODAY)
    try:
        app = create_app(services=services, follow=False)
        with RecordingClient(app) as client:
            yield Api(client, TokenStore(engine))
    finally:
        services.close()


def test_a_write_while_another_connection_holds_the_sqlite_lock_is_503(
    impatient_api: Api, tmp_path: Path
) -> None:
    api = impatient_api
    pid = api.course().participant_id
    holder = sqlite3.connect(tmp_path / "journey.db", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer, mid-transaction
        assert_unavailable(api.event(pid, SESSION_1))
        # Reads of the views still work under WAL while the writer waits...
        assert api.get("/reports/moderation-queue", "staff").status_code == 200
        # ...but a read of a named record must first write its access-log entry: it fails.
        assert_unavailable(api.get(f"/participants/{pid}", "staff"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert api.event(pid, SESSION_1).status_code == 201
    history = api.get(f"/participants/{pid}/history", "staff").json()
    assert [e["type"] for e in history].count("SessionAttended") == 1


def test_a_full_disk_is_503_and_records_nothing(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    pid = api.course().participant_id
    recorder = api.client.app.state.services.ledger.recorder  # type: ignore[attr-defined]

    def full(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database or disk is full")

    with monkeypatch.context() as patch:
        patch.setattr(recorder, "insert_events", full)
        assert_unavailable(api.event(pid, SESSION_1))
        enrol = {"cohort_id": "c1", "enrolled_on": "2024-01-01", "name": "Bo"}
        assert_unavailable(api.post("/participants", enrol, "staff"))
    assert len(api.get(f"/participants/{pid}/history", "staff").json()) == 2


def test_a_vanished_postgresql_store_is_503(postgres_url: str, tmp_path: Path) -> None:
    import psycopg

    settings = Settings(
        data_dir=tmp_path,
        database_url=postgres_url,
        views_url=settings_for(tmp_path).read_models_url,  # tokens and views stay on SQLite
    )
    app = create_app(settings, clock=lambda: TODAY, follow=False)
    with RecordingClient(app) as client:
        api = Api(client, TokenStore(app.state.services.engine))
        pid = api.course().participant_id
        schema = parse_qs(urlsplit(postgres_url).query)["schema"][0]
        server = postgres_url.split("?")[0]
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        assert_unavailable(api.event(pid, SESSION_1))
        assert_unavailable(api.get(f"/participants/{pid}", "staff"))
        assert_unavailable(api.get(f"/participants/{pid}/history", "auditor"))
