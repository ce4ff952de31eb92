"""Corrections through HTTP: who may correct what, what the views say after, and as_of."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from api_support import Api, Course


def moderated(api: Api, pid: str) -> int:
    """Submit, double-mark and moderate attempt 1 (a pass); the first mark's version."""
    api.submitted(pid)
    first = api.ok_event(pid, api.mark("first"), "marker")
    api.ok_event(pid, api.mark("second"), "marker2")
    api.ok_event(pid, api.moderation("internal"), "moderator")
    api.ok_event(pid, api.moderation("external"), "moderator2")
    return first


def attempt_of(api: Api, pid: str, **params: Any) -> dict[str, Any]:
    response = api.get(f"/participants/{pid}", "staff", **params)
    assert response.status_code == 200, response.text
    enrolment: dict[str, Any] = response.json()["enrolments"][0]
    return {**enrolment["attempts"][0], "credits_awarded": enrolment["credits_awarded"]}


def amend(
    version: int, reason: str = "misread the marking sheet", **changes: Any
) -> dict[str, Any]:
    return {"type": "EventAmended", "corrects": version, "changes": changes, "reason": reason}


def queued(api: Api, pid: str) -> bool:
    response = api.get("/reports/moderation-queue", "staff")
    assert response.status_code == 200, response.text
    return any(item["participant_id"] == pid for item in response.json())


def test_a_marker_corrects_their_mark_and_the_attempt_goes_back_to_moderation(
    api: Api, course: Course
) -> None:
    pid = course.participant_id
    first = moderated(api, pid)
    assert attempt_of(api, pid)["final_result"] == "pass"
    assert not queued(api, pid)
    before = datetime.now(UTC)
    time.sleep(0.01)

    version = api.ok_event(pid, amend(first, result="refer"), "marker")

    now = attempt_of(api, pid)
    assert now["final_result"] is None
    assert now["moderations"] == []
    assert now["credits_awarded"] == 0
    assert [m["result"] for m in now["marks"]] == ["refer", "pass"]
    assert queued(api, pid)
    # Before the correction, the record said what it said then.
    then = attempt_of(api, pid, as_of=before.isoformat())
    assert (then["final_result"], then["credits_awarded"]) == ("pass", 30)
    assert attempt_of(api, pid, version=version - 1)["final_result"] == "pass"
    # The history keeps the mark as recorded, and the correction beside it.
    history = api.get(f"/participants/{pid}/history", "auditor").json()
    assert history[first - 1]["fields"]["result"] == "pass"
    assert history[-1]["type"] == "EventAmended"
    assert history[-1]["fields"]["changes"] == {"result": "refer"}
    assert history[-1]["fields"]["original"]["result"] == "pass"
    assert history[-1]["recorded_by"] == "marker-1"


def test_who_may_correct_follows_the_corrected_event(api: Api, course: Course) -> None:
    pid = course.participant_id
    first = moderated(api, pid)

    by_staff = api.event(pid, amend(first, result="refer"), "staff")
    assert by_staff.status_code == 403
    assert "marker" in by_staff.json()["message"]
    by_other_marker = api.event(pid, amend(first, result="refer"), "marker2")
    assert by_other_marker.status_code == 409
    assert by_other_marker.json()["code"] == "correction-not-by-author"
    enrolment = {"type": "EventRetracted", "corrects": 2, "reason": "not on this cohort"}
    assert api.event(pid, enrolment, "marker").status_code == 403
    refused = api.event(pid, enrolment, "staff")
    assert refused.status_code == 409
    assert refused.json()["code"] == "correction-has-dependants"


def test_bad_corrections_are_answered_with_the_field_and_the_reason(
    api: Api, course: Course
) -> None:
    pid = course.participant_id
    api.ok_event(pid, {"type": "SessionAttended", "cohort_id": "c1", "session": 1})
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"type": "EventRetracted", "corrects": 99, "reason": "x"}, 422, "corrects"),
        ({"type": "EventRetracted", "corrects": 0, "reason": "x"}, 422, "corrects"),
        ({"type": "EventRetracted", "corrects": 2}, 422, "reason"),
        (amend(3, occurred_on="2024-01-04"), 422, "changes"),  # a day: retract, not amend
        (amend(1, nickname="Annie"), 422, "changes.nickname"),
        (amend(1, email=["a@example.org"]), 422, "changes.email"),
        ({"type": "EventAmended", "corrects": 1, "changes": {}, "reason": "x"}, 422, "changes"),
    ]
    for body, status, field in cases:
        response = api.event(pid, body, "staff")
        assert response.status_code == status, (body, response.text)
        fields = [e["field"] for e in response.json()["errors"]]
        assert any(field in f for f in fields), (body, response.json())
    retracted = {"type": "EventRetracted", "corrects": 3, "reason": "recorded on the wrong day"}
    assert api.event(pid, retracted, "staff").status_code == 201
    again = api.event(pid, retracted, "staff")
    assert again.status_code == 409
    assert again.json()["code"] == "already-retracted"


def test_a_retracted_day_leaves_the_register_and_as_of_keeps_it(api: Api, course: Course) -> None:
    pid = course.participant_id
    api.ok_event(pid, {"type": "SessionAttended", "cohort_id": "c1", "session": 1})
    api.ok_event(pid, {"type": "SessionAttended", "cohort_id": "c1", "session": 2})
    before = datetime.now(UTC)
    time.sleep(0.01)
    retracted = {"type": "EventRetracted", "corrects": 3, "reason": "was not there"}
    api.ok_event(pid, retracted, "staff")

    def row(**params: Any) -> dict[str, Any]:
        response = api.get("/cohorts/c1/register", "staff", **params)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = next(
            r for r in response.json()["rows"] if r["participant_id"] == pid
        )
        return found

    assert row()["attended"] == 1
    assert row(as_of=before.isoformat())["attended"] == 2


def test_a_marker_does_not_see_the_other_mark_through_its_correction(
    api: Api, course: Course
) -> None:
    pid = course.participant_id
    api.submitted(pid)
    first = api.ok_event(pid, api.mark("first", feedback="Secret first opinion."), "marker")
    api.ok_event(pid, amend(first, feedback="Corrected first opinion."), "marker")

    seen = api.get(f"/participants/{pid}/history", "marker2").json()
    assert "opinion" not in str(seen)
    own = api.get(f"/participants/{pid}/history", "marker").json()
    assert "Corrected first opinion." in str(own)
