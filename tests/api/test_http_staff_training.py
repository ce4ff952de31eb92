"""The staff-training API through HTTP: trainers, sessions and the workforce recorded with
discriminated event bodies, the rules answered as 409 with their codes, If-Match and
Idempotency-Key as for participants, and the reports reading what was recorded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_support import Api, running_api

S = "/staff-sessions/sut-1/events"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with running_api(tmp_path_factory.mktemp("staff-training")) as api:
        api.post(
            "/programmes",
            {
                "programme_id": "ttt",
                "name": "Train the Trainer",
                "session_count": 1,
                "attendance_threshold": 1,
            },
            "admin",
        )
        for trainer_id, pilot in (("t-pilot", True), ("t-new", False)):
            body = {
                "trainer_id": trainer_id,
                "role_description": "Service user trainer",
                "recruited_on": "2024-01-02",
                "pilot": pilot,
            }
            response = api.post("/trainers", body, "staff")
            assert response.status_code == 201, response.text
            assert response.headers["Location"] == f"/trainers/{trainer_id}"
        session = {
            "session_id": "sut-1",
            "session_date": "2024-03-05",
            "region": "London",
            "venue": "Hall",
            "trainers": ["t-pilot", "t-new"],
            "learning_outcomes": ["Principles", "Practice"],
        }
        assert api.post("/staff-sessions", session, "staff").status_code == 201
        yield api


def refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code, response.text


def test_a_session_goes_from_plan_to_closed_action_plan(api: Api) -> None:
    # Delivery waits for the new trainer's Train the Trainer (the pilot needs none).
    refused(api.post(S, {"type": "Delivered"}, "staff"), 409, "trainer-not-qualified")
    done = {"type": "TrainTheTrainerCompleted", "programme_id": "ttt", "occurred_on": "2024-02-01"}
    assert api.post("/trainers/t-new/events", done, "staff").status_code == 201
    assert api.post(S, {"type": "Delivered"}, "staff").status_code == 201
    refused(api.post(S, {"type": "Delivered"}, "staff"), 409, "session-already-delivered")

    learner = {"type": "LearnerAttended", "learner_id": "L1", "role": "staff", "team": "Team A"}
    assert api.post(S, learner, "staff").status_code == 201
    form = {
        "type": "EvaluationSubmitted",
        "learner_id": "L2",
        "rating": 5,
        "outcome_ratings": [4, 5],
        "more_of": "Listening",
    }
    refused(api.post(S, form, "staff"), 409, "evaluation-without-attendance")
    assert api.post(S, {**form, "learner_id": "L1"}, "staff").status_code == 201
    refused(api.post(S, {**form, "learner_id": "L1"}, "staff"), 409, "evaluation-already-submitted")

    for body in (
        {
            "type": "ActionPlanAgreed",
            "plan_id": "p1",
            "team": "Team A",
            "project": "Panels",
            "occurred_on": "2024-03-05",
        },
        {
            "type": "ActionAdded",
            "plan_id": "p1",
            "action_id": "a1",
            "description": "Pay expenses",
            "occurred_on": "2024-03-05",
        },
        {
            "type": "ActionProgressed",
            "plan_id": "p1",
            "action_id": "a1",
            "status": "done",
            "forum": "supervision",
            "occurred_on": "2024-04-02",
        },
        {"type": "ActionPlanClosed", "plan_id": "p1", "occurred_on": "2024-04-09"},
        {
            "type": "CostRecorded",
            "cost_id": "room",
            "category": "room_hire",
            "amount_pence": 12000,
            "occurred_on": "2024-03-05",
        },
    ):
        response = api.post(S, body, "staff")
        assert response.status_code == 201, (body, response.text)
    late = {"type": "ActionAdded", "plan_id": "p1", "action_id": "a2", "description": "More"}
    refused(api.post(S, late, "staff"), 409, "action-plan-closed")

    record = api.get("/staff-sessions/sut-1", "auditor").json()
    assert record["delivered_on"] == "2024-03-05"
    assert [x["learner_id"] for x in record["learners"]] == ["L1"]
    assert record["learners"][0]["region"] == "London"  # the session's, by default
    assert record["plans"][0]["closed_on"] == "2024-04-09"

    assert api.get("/reports/workforce-reach", "researcher").status_code == 403
    reach = api.get("/reports/workforce-reach", "auditor").json()
    assert (reach["staff"], reach["service_users"]) == (1, 0)
    evaluations = api.get("/reports/evaluations", "auditor").json()
    assert evaluations["sessions"][0]["mean_rating"] == 5.0
    assert [o["mean_rating"] for o in evaluations["sessions"][0]["outcomes"]] == [4.0, 5.0]
    plans = api.get("/reports/action-plans", "staff", status="closed").json()
    assert [(p["plan_id"], p["age_days"], p["done"]) for p in plans] == [("p1", 35, 1)]
    activity = api.get("/reports/trainer-activity", "auditor").json()
    assert activity["sessions_delivered"] == 1
    assert api.get("/trainers/t-new", "staff").json()["sessions"] == ["sut-1"]


def test_a_claim_is_reimbursed_once_and_only_after_approval(api: Api) -> None:
    path = "/trainers/t-pilot/events"
    claim = {
        "type": "ExpenseClaimed",
        "claim_id": "c1",
        "category": "travel",
        "amount_pence": 1850,
        "session_id": "sut-1",
        "occurred_on": "2024-03-05",
    }
    assert api.post(path, claim, "staff").status_code == 201
    pay = {"type": "ExpenseReimbursed", "claim_id": "c1", "occurred_on": "2024-03-10"}
    refused(api.post(path, pay, "staff"), 409, "claim-not-approved")
    outstanding = api.get("/reports/expenses-outstanding", "staff").json()
    assert [(c["claim_id"], c["age_days"]) for c in outstanding["open_claims"]] == [("c1", 88)]
    approve = {"type": "ExpenseApproved", "claim_id": "c1", "occurred_on": "2024-03-07"}
    assert api.post(path, approve, "staff").status_code == 201
    assert api.post(path, pay, "staff").status_code == 201
    refused(api.post(path, pay, "staff"), 409, "claim-already-reimbursed")
    assert api.get("/reports/expenses-outstanding", "staff").json()["open_claims"] == []
    costs = api.get("/reports/cost-per-learner", "auditor").json()
    assert costs["sessions"][0]["trainer_expenses_pence"] == 1850
    reject = {"type": "ExpenseRejected", "claim_id": "c1", "reason": "No receipt"}
    refused(api.post(path, reject, "staff"), 409, "claim-already-decided")


def test_idempotency_if_match_and_unknown_records(api: Api) -> None:
    body = {"type": "SupportRecorded", "kind": "one_to_one", "notes": "First session nerves"}
    first = api.post("/trainers/t-new/events", body, "staff", **{"Idempotency-Key": "sup-1"})
    again = api.post("/trainers/t-new/events", body, "staff", **{"Idempotency-Key": "sup-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(api.get("/trainers/t-new", "staff").json()["support"]) == 1
    stale = api.post("/trainers/t-new/events", body, "staff", **{"If-Match": '"1"'})
    refused(stale, 412, "version-mismatch")
    refused(api.post("/trainers/nobody/events", body, "staff"), 404, "trainer-not-found")
    refused(api.get("/staff-sessions/none", "staff"), 404, "staff-session-not-found")
    wrong = api.post(S, {"type": "Marked", "learner_id": "L1"}, "staff")
    assert wrong.status_code == 422


def test_admins_record_the_workforce_and_reach_counts_against_it(api: Api) -> None:
    body = {"region": "London", "size": 100, "counts_from": "2024-01-01"}
    assert api.post("/workforce", body, "admin").status_code == 201
    refused(api.post("/workforce", body, "staff"), 403, "forbidden")
    reach = api.get("/reports/workforce-reach", "admin", on="2024-06-01").json()
    (london,) = reach["regions"]
    assert (london["workforce"], london["staff"]) == (100, 1)
    assert london["share_trained"] == 0.01
