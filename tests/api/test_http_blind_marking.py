"""Double marking is blind: a marker sees only their own mark on an attempt until both marks
are in, in the journey's state and in its history; others (auditors among them) see all."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Api, Course


def attempt_seen_by(api: Api, pid: str, who: str) -> dict[str, Any]:
    response = api.get(f"/participants/{pid}", who)
    assert response.status_code == 200
    attempt: dict[str, Any] = response.json()["enrolments"][0]["attempts"][0]
    return attempt


def marks_in_history(api: Api, pid: str, who: str) -> list[dict[str, Any]]:
    response = api.get(f"/participants/{pid}/history", who)
    assert response.status_code == 200
    return [e for e in response.json() if e["type"] == "Marked"]


@pytest.fixture
def first_marked(api: Api, course: Course) -> str:
    """Attempt 1 submitted and first-marked (refer) by marker-1."""
    pid = course.participant_id
    api.submitted(pid)
    api.ok_event(pid, Api.mark("first", "refer", "Needs more reflection."), "marker")
    return pid


def test_the_second_marker_cannot_see_the_first_mark(api: Api, first_marked: str) -> None:
    attempt = attempt_seen_by(api, first_marked, "marker2")
    assert attempt["marks"] == []
    assert attempt["marks_hidden"] == 1
    assert marks_in_history(api, first_marked, "marker2") == []
    text = api.get(f"/participants/{first_marked}/history", "marker2").text
    assert "Needs more reflection." not in text
    assert "refer" not in text


def test_the_first_marker_sees_their_own_mark(api: Api, first_marked: str) -> None:
    attempt = attempt_seen_by(api, first_marked, "marker")
    assert [(m["marker"], m["result"]) for m in attempt["marks"]] == [("marker-1", "refer")]
    assert attempt["marks_hidden"] == 0
    (entry,) = marks_in_history(api, first_marked, "marker")
    assert entry["fields"]["feedback"] == "Needs more reflection."


def test_each_marker_sees_only_their_own_until_both_are_in(api: Api, first_marked: str) -> None:
    """With both marks in, both markers see both (the blind phase is over)."""
    pid = first_marked
    api.ok_event(pid, Api.mark("second", "pass", "Meets the outcomes."), "marker2")
    for who in ("marker", "marker2"):
        attempt = attempt_seen_by(api, pid, who)
        assert sorted((m["marker"], m["result"]) for m in attempt["marks"]) == [
            ("marker-1", "refer"),
            ("marker-2", "pass"),
        ]
        assert attempt["marks_hidden"] == 0
        assert len(marks_in_history(api, pid, who)) == 2


@pytest.mark.parametrize("who", ["auditor", "staff", "moderator"])
def test_everyone_else_sees_every_mark(api: Api, first_marked: str, who: str) -> None:
    attempt = attempt_seen_by(api, first_marked, who)
    assert [(m["marker"], m["result"], m["feedback"]) for m in attempt["marks"]] == [
        ("marker-1", "refer", "Needs more reflection.")
    ]
    assert attempt["marks_hidden"] == 0
    (entry,) = marks_in_history(api, first_marked, who)
    assert entry["recorded_by"] == "marker-1"
    assert entry["fields"]["result"] == "refer"


def test_a_third_marker_is_blind_too_and_the_version_view_hides_the_same(
    api: Api, first_marked: str
) -> None:
    api.add_token("marker3", "marker", "marker-3")
    assert attempt_seen_by(api, first_marked, "marker3")["marks_hidden"] == 1
    response = api.get(f"/participants/{first_marked}", "marker3", version=8)
    attempt = response.json()["enrolments"][0]["attempts"][0]
    assert (attempt["marks"], attempt["marks_hidden"]) == ([], 1)


def test_blindness_is_per_attempt(api: Api, first_marked: str) -> None:
    """A hidden first mark on attempt 1 does not hide marks elsewhere, and after attempt 1 is
    settled its marks are visible while a new attempt's first mark is hidden again."""
    pid = first_marked
    api.ok_event(pid, Api.mark("second", "refer", "Not yet."), "marker2")
    api.ok_event(pid, Api.moderation("internal", "refer"), "moderator")
    api.ok_event(
        pid, {**Api.moderation("external", "refer"), "occurred_on": "2024-03-06"}, "moderator2"
    )
    for component in ({"type": "LogSubmitted"}, {"type": "EssaySubmitted", "format": "oral"}):
        api.ok_event(
            pid, {**component, "cohort_id": "c1", "attempt": 2, "occurred_on": "2024-04-01"}
        )
    api.ok_event(
        pid,
        {**Api.mark("first", "pass", "Much better."), "attempt": 2, "occurred_on": "2024-04-02"},
        "marker2",
    )
    attempts = api.get(f"/participants/{pid}", "marker")
    one, two = attempts.json()["enrolments"][0]["attempts"]
    assert (len(one["marks"]), one["marks_hidden"]) == (2, 0)
    assert (two["marks"], two["marks_hidden"]) == ([], 1)
    seen = {
        (e["fields"]["attempt"], e["recorded_by"]) for e in marks_in_history(api, pid, "marker")
    }
    assert seen == {(1, "marker-1"), (1, "marker-2")}
