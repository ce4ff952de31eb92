"""The moderation pack: every submission with marks, moderation and an independence check,
as JSON and as a CSV that a spreadsheet opens cleanly."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import TokenStore
from api.settings import Settings
from journey.moderation_pack import PackRow, pack_csv, pack_rows
from journey.state import Attempt, Mark, Moderation

TODAY = date(2024, 6, 1)


def _client(tmp_path: Path) -> tuple[TestClient, dict[str, str]]:
    app = create_app(Settings(data_dir=tmp_path), clock=lambda: TODAY, follow=False)
    client = TestClient(app)
    client.__enter__()
    store = TokenStore(app.state.services.engine)
    names = {
        "admin": "admin",
        "staff": "staff",
        "m1": "marker",
        "m2": "marker",
        "i1": "moderator",
        "x1": "moderator",
        "auditor": "auditor",
        "r": "researcher",
    }
    tokens = {n: store.create(role=role, subject=n).token for n, role in names.items()}  # type: ignore[arg-type]
    return client, tokens


def test_the_pack_lists_each_submission_with_both_marks_and_moderation(tmp_path: Path) -> None:
    client, t = _client(tmp_path)

    def as_(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {t[name]}"}

    client.post(
        "/programmes",
        headers=as_("admin"),
        json={
            "programme_id": "vt",
            "name": "VT",
            "session_count": 2,
            "attendance_threshold": 1,
            "accreditation": {"awarding_body": "Mdx", "credits": 30, "level": 4},
        },
    )
    client.post(
        "/cohorts",
        headers=as_("admin"),
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
        headers=as_("staff"),
        json={"cohort_id": "c1", "enrolled_on": "2024-01-01", "name": "Ann"},
    ).json()["participant_id"]
    events = [
        ("staff", {"type": "AccreditationChosen", "cohort_id": "c1", "occurred_on": "2024-01-05"}),
        (
            "staff",
            {"type": "LogSubmitted", "cohort_id": "c1", "attempt": 1, "occurred_on": "2024-02-01"},
        ),
        (
            "staff",
            {
                "type": "EssaySubmitted",
                "cohort_id": "c1",
                "attempt": 1,
                "format": "poster",
                "occurred_on": "2024-02-02",
            },
        ),
        (
            "m1",
            {
                "type": "Marked",
                "cohort_id": "c1",
                "attempt": 1,
                "stage": "first",
                "result": "pass",
                "feedback": "=SUM(A1)",
                "occurred_on": "2024-03-01",
            },
        ),
        (
            "m2",
            {
                "type": "Marked",
                "cohort_id": "c1",
                "attempt": 1,
                "stage": "second",
                "result": "pass",
                "feedback": "Good",
                "occurred_on": "2024-03-02",
            },
        ),
        (
            "i1",
            {
                "type": "Moderated",
                "cohort_id": "c1",
                "attempt": 1,
                "stage": "internal",
                "result": "pass",
                "occurred_on": "2024-03-10",
            },
        ),
        (
            "x1",
            {
                "type": "Moderated",
                "cohort_id": "c1",
                "attempt": 1,
                "stage": "external",
                "result": "pass",
                "occurred_on": "2024-04-10",
            },
        ),
    ]
    for who, body in events:
        assert (
            client.post(f"/participants/{pid}/events", headers=as_(who), json=body).status_code
            == 201
        )

    (row,) = client.get("/cohorts/c1/moderation-pack", headers=as_("auditor")).json()
    assert row["components"] == "log + essay"
    assert row["essay_format"] == "poster"
    assert row["submitted_on"] == "2024-02-02"
    assert (row["first_marker"], row["second_marker"]) == ("m1", "m2")
    assert (row["internal_moderator"], row["external_moderator"]) == ("i1", "x1")
    assert row["final_result"] == "pass"
    assert row["people_independent"] is True
    assert row["independence_note"] == "4 different people"

    answer = client.get("/cohorts/c1/moderation-pack?format=csv", headers=as_("auditor"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["first_marked_on"] == "2024-03-01"
    assert rows[0]["final_result"] == "pass"
    assert client.get("/cohorts/c1/moderation-pack", headers=as_("r")).status_code == 403
    assert client.get("/cohorts/nope/moderation-pack", headers=as_("auditor")).status_code == 404
    client.__exit__(None, None, None)


def test_the_independence_check_names_a_person_who_acted_twice() -> None:
    on = date(2024, 3, 1)
    attempt = Attempt(
        number=1,
        submitted=("log", "essay"),
        submitted_on=(on, on),
        essay_format="written",
        marks=(Mark("first", "ann", "pass", "ok", on), Mark("second", "bob", "pass", "ok", on)),
        moderations=(Moderation("internal", "ann", "pass", on),),
    )

    class View:
        participant_id = "p1"

        def enrolment(self, cohort_id: str) -> object:
            class E:
                attempts = (attempt,)

            return E()

    (row,) = pack_rows("c1", [View()])  # type: ignore[list-item]
    assert row.people_independent is False
    assert "ann" in row.independence_note


def test_csv_cells_never_start_a_formula() -> None:
    row = PackRow(*(["=1+1"] * 2), 1, "@x", "+y", None, *([None] * 13), True, "-z")  # type: ignore[arg-type]
    line = pack_csv([row]).splitlines()[1]
    assert line.startswith("'=1+1,'=1+1,1,'@x,'+y")
    assert line.endswith("True,'-z")
