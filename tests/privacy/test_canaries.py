"""Erasure, shown on the bytes: after a participant is forgotten, none of their canaries is on
disk (SQLite: the database file and its WAL; PostgreSQL: every table of the schema) in plain
text, nor readable with the keys that remain; the others' are still readable; verification
passes; registers, funnels, outcome counts and the research dataset say the same as before.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from api.compose import Services, build_services
from api.settings import Settings
from journey.catalogue import install_catalogue
from journey.data_keys import generate_key
from journey.persistence import sqlite_path
from journey.personal_fields import ERASED
from journey.state import PersonalDetails
from journey.verification import verify
from projections.database import reclaim
from projections.funnel_report import funnel_report
from projections.outcome_report import outcome_counts
from projections.pseudonyms import Study
from projections.register import read_register
from projections.research_dataset import read_dataset
from projections.suppression import rule_set

TODAY = date(2024, 6, 1)
COHORT = "vt-canary"
DAYS = [date(2024, 1, 8) + timedelta(weeks=i) for i in range(12)]


def canaries(n: int) -> dict[str, str]:
    return {
        "name": f"Canaryname{n}xq",
        "email": f"canary{n}@example.org",
        "phone": f"0770090{n}123",
        "detail": f"Canarydetail{n} chaired the forum",
        "quote": f"Canaryquote{n} it gave me my voice",
        "reason": f"Canaryreason{n} hospital",
        "feedback": f"Canaryfeedback{n} reflective",
    }


def record_journey(s: Services, n: int, *, outcomes: int) -> UUID:
    c = canaries(n)
    ledger = s.ledger
    pid = ledger.enrol(
        cohort_id=COHORT,
        enrolled_on=date(2024, 1, 2),
        details=PersonalDetails(name=c["name"], email=c["email"], phone=c["phone"]),
        actor="staff-1",
    ).aggregate_id
    for day in range(1, 12):
        ledger.record_session(
            participant_id=pid, cohort_id=COHORT, session=day, status="attended", actor="staff-1"
        )
    ledger.record_session(
        participant_id=pid,
        cohort_id=COHORT,
        session=12,
        status="missed",
        reason=c["reason"],
        actor="staff-1",
    )
    ledger.decide_accreditation(
        participant_id=pid, cohort_id=COHORT, choose=True, occurred_on=DAYS[2], actor="staff-1"
    )
    for component in ("log", "essay"):
        submit = ledger.submit_log if component == "log" else ledger.submit_essay
        extra: dict[str, Any] = {} if component == "log" else {"essay_format": "written"}
        submit(
            participant_id=pid,
            cohort_id=COHORT,
            attempt=1,
            occurred_on=DAYS[-1],
            actor="staff-1",
            **extra,
        )
    for stage, marker in (("first", "marker-1"), ("second", "marker-2")):
        ledger.record_mark(
            participant_id=pid,
            cohort_id=COHORT,
            attempt=1,
            stage=stage,  # type: ignore[arg-type]
            result="pass",
            feedback=c["feedback"],
            occurred_on=date(2024, 5, 1),
            actor=marker,
        )
    for i in range(outcomes):
        ledger.report_outcome(
            participant_id=pid,
            category="chair",
            detail=f"{c['detail']} {i}",
            source="interview",
            occurred_on=date(2024, 5, 2),
            actor="staff-1",
        )
    ledger.record_feedback(
        participant_id=pid, quote=c["quote"], occurred_on=date(2024, 5, 3), actor="interviewer-1"
    )
    # A correction quoting a personal field: its quote is sealed with the same key.
    version = ledger.get_participant(pid).version
    ledger.amend_event(
        participant_id=pid,
        corrects=version,
        changes={"quote": c["quote"] + " (corrected)"},
        reason="typo",
        actor="interviewer-1",
    )
    return pid


def figures(s: Services) -> dict[str, Any]:
    s.runner.catch_up()
    study = Study(name="s", secret=b"0123456789abcdef0123")
    dataset = read_dataset(s.engine, study, rule=rule_set("exact"), scales=s.scales)
    return {
        "register": asdict(read_register(s.engine, COHORT)),
        "funnel": [asdict(r) for r in funnel_report(s.engine, cohort_id=COHORT)],
        "outcomes": asdict(outcome_counts(s.engine, cohort_id=COHORT)),
        "research": (dataset.participants, dataset.timeline),
    }


def stored_bytes(url: str) -> bytes:
    """Every byte the store keeps: the SQLite file and its WAL, or every row of every table
    in the PostgreSQL schema as text (bytea as hex)."""
    path = sqlite_path(url)
    if path is not None:
        files = [Path(path), Path(path + "-wal"), Path(path + "-shm")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    import psycopg

    schema = url.rsplit("schema=", 1)[1]
    chunks = []
    with psycopg.connect(url.split("?")[0]) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
        assert len(tables) >= 8, tables
        for (table,) in tables:
            for (row,) in conn.execute(f'SELECT t::text FROM "{schema}"."{table}" t'):
                chunks.append(row.encode())
    return b"\n".join(chunks)


def found(haystack: bytes, words: dict[str, str]) -> list[str]:
    hits = []
    for word in words.values():
        raw = word.encode()
        if raw in haystack or raw.hex().encode() in haystack:
            hits.append(word)
    return hits


@pytest.fixture
def services(store_url: str, tmp_path: Path) -> Any:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=store_url,
        encryption_key=generate_key(),  # type: ignore[arg-type]
    )
    made: list[Services] = []

    def build() -> Services:
        built = build_services(settings, clock=lambda: TODAY)
        made.append(built)
        return built

    yield build
    for s in made:
        s.close()


def test_a_forgotten_participant_leaves_no_canary_and_the_figures_stay(
    services: Any, store_url: str
) -> None:
    s: Services = services()
    install_catalogue(s.ledger, actor="admin")
    s.ledger.schedule_cohort(
        cohort_id=COHORT,
        programme_id="voices-together",
        location="Grays",
        session_dates=DAYS,
        trainers=["trainer-1"],
        actor="admin",
    )
    forgotten = record_journey(s, 1, outcomes=40)  # past 50 events: a snapshot exists
    kept = record_journey(s, 2, outcomes=2)
    before = figures(s)
    # Before: only the views keep free text in the clear (as staff see it); the events never.
    visible = {canaries(1)["detail"], canaries(1)["quote"]}
    assert set(found(stored_bytes(store_url), canaries(1))) <= visible
    with s.engine.connect() as conn:  # the views hold the detail, as staff see it
        details = conn.execute(text("SELECT detail FROM outcomes_entry")).scalars().all()
    assert any(canaries(1)["detail"] in (d or "") for d in details)

    s.ledger.forget(participant_id=forgotten, reason="ticket 7", actor="admin-1")
    after = figures(s)
    reclaim(s.engine)
    s.close()

    assert found(stored_bytes(store_url), canaries(1)) == []
    assert after == before  # registers, funnels, outcome counts, research: unchanged

    # With every key that remains, nothing of the forgotten person can be read back.
    again: Services = services()
    view = again.ledger.get_participant(forgotten)
    assert view.forgotten
    assert (view.details.name, view.details.email, view.details.phone) == (ERASED,) * 3
    assert {o.detail for o in view.outcomes} == {ERASED}
    everything = repr(
        [
            again.ledger.mapper.to_domain_event(n)
            for n in again.ledger.recorder.select_notifications(start=1, limit=100_000)
        ]
    )
    assert found(everything.encode(), canaries(1)) == []
    # The other participant's record reads as it was recorded.
    other = again.ledger.get_participant(kept)
    assert other.details.name == canaries(2)["name"]
    assert other.feedback[0].quote == canaries(2)["quote"] + " (corrected)"
    assert canaries(2)["name"].encode() in everything.encode()
    # The log verifies: what is hashed is what is stored, and erasure changed none of it.
    result = verify(again.ledger.recorder)  # type: ignore[arg-type]
    assert result.ok, result.problem
    # Nothing more is recorded about a forgotten person.
    with pytest.raises(Exception, match="forgotten"):
        again.ledger.report_outcome(
            participant_id=forgotten,
            category="chair",
            detail="x",
            source="interview",
            occurred_on=TODAY,
            actor="staff-1",
        )


def test_stored_events_are_encrypted_at_rest(services: Any, store_url: str) -> None:
    s: Services = services()
    install_catalogue(s.ledger, actor="admin")
    s.ledger.schedule_cohort(
        cohort_id=COHORT,
        programme_id="voices-together",
        location="Grays",
        session_dates=DAYS,
        trainers=["trainer-1"],
        actor="admin",
    )
    with s.ledger.recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
        if sqlite_path(store_url):
            cursor.execute("SELECT state FROM stored_events")
        else:
            schema = store_url.rsplit("schema=", 1)[1]
            cursor.execute(f'SELECT state FROM "{schema}".journeyledger_events')
        states = [bytes(row["state"]) for row in cursor.fetchall()]
    assert states
    assert not any(b"Grays" in state or b"voices-together" in state for state in states)
    assert s.ledger.get_cohort(COHORT).location == "Grays"
