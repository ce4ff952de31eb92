"""Forgetting a participant through HTTP takes two admins; the record reads erased after."""

from __future__ import annotations

from api_support import Api, Course


def test_one_admin_asks_another_approves_and_the_record_reads_erased(
    api: Api, course: Course
) -> None:
    pid = course.participant_id
    api.ok_event(pid, {"type": "SessionAttended", "cohort_id": "c1", "session": 1})
    path = f"/participants/{pid}/erasure-requests"

    assert api.post(path, {"reason": "SAR 17"}, "staff").status_code == 403
    asked = api.post(path, {"reason": "SAR 17"}, "admin")
    assert asked.status_code == 201, asked.text
    request = asked.json()["version"]
    approval = f"{path}/{request}/approval"

    self_approved = api.post(approval, {}, "admin")
    assert self_approved.status_code == 409
    assert self_approved.json()["code"] == "erasure-needs-second-admin"
    api.add_token("admin2", "admin", "admin-2")
    approved = api.post(approval, {}, "admin2")
    assert approved.status_code == 201, approved.text

    record = api.get(f"/participants/{pid}", "staff").json()
    assert record["forgotten"] is True
    assert record["personal"]["name"] == "[erased]"
    assert record["enrolments"][0]["sessions"] == {"1": "attended"}  # the facts stay
    register = api.get("/cohorts/c1/register", "staff").json()
    assert any(row["participant_id"] == pid for row in register["rows"])
    refused = api.event(pid, {"type": "SessionAttended", "cohort_id": "c1", "session": 2})
    assert refused.status_code == 409
    assert refused.json()["code"] == "participant-forgotten"
    assert "Ann Example" not in api.get(f"/participants/{pid}/history", "auditor").text
