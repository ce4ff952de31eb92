"""Idempotency-Key and If-Match: a retried write returns the first answer and records nothing
twice; keys are per subject; racing writers get exactly one success."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from api_support import Api, Course

ENROL = {"cohort_id": "c1", "enrolled_on": "2024-01-01", "name": "Dee"}
OUTCOME = {
    "type": "OutcomeReported",
    "category": "speaking",
    "detail": "Spoke at a GP forum.",
    "source": "interview",
}


def history(api: Api, pid: str) -> list[dict[str, Any]]:
    response = api.get(f"/participants/{pid}/history", "auditor")
    assert response.status_code == 200
    entries: list[dict[str, Any]] = response.json()
    return entries


def register_rows(api: Api) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = api.get("/cohorts/c1/register", "staff").json()["rows"]
    return rows


def test_a_retried_enrolment_returns_the_first_answer_and_enrols_once(
    api: Api, course: Course
) -> None:
    answers = [
        api.post("/participants", ENROL, "staff", **{"Idempotency-Key": "enrol-dee"})
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert len({a.headers["location"] for a in answers}) == 1
    assert "idempotent-replayed" not in answers[0].headers
    assert [a.headers["idempotent-replayed"] for a in answers[1:]] == ["true", "true"]
    pid = answers[0].json()["participant_id"]
    assert len(history(api, pid)) == 2
    assert len(register_rows(api)) == 2  # the course's participant and Dee, once


def test_a_retried_event_returns_the_first_answer_and_records_once(
    api: Api, course: Course
) -> None:
    pid = course.participant_id
    answers = [api.event(pid, OUTCOME, **{"Idempotency-Key": "outcome-1"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert answers[0].json() == {"participant_id": pid, "version": 3}
    assert all(a.json() == answers[0].json() for a in answers)
    assert "idempotent-replayed" not in answers[0].headers
    assert [a.headers["idempotent-replayed"] for a in answers[1:]] == ["true", "true"]
    assert len(history(api, pid)) == 3


def test_a_replay_is_answered_even_after_later_writes(api: Api, course: Course) -> None:
    pid = course.participant_id
    first = api.event(pid, OUTCOME, **{"Idempotency-Key": "k"})
    api.ok_event(pid, {**OUTCOME, "detail": "Later."})
    again = api.event(pid, OUTCOME, **{"Idempotency-Key": "k"})
    assert again.json() == first.json() == {"participant_id": pid, "version": 3}
    assert len(history(api, pid)) == 4


@pytest.mark.parametrize(
    "change",
    [
        lambda pid: ("/participants", {**ENROL, "name": "Someone Else"}),
        lambda pid: (f"/participants/{pid}/events", OUTCOME),
    ],
    ids=["other-body", "other-path"],
)
def test_the_same_key_for_a_different_request_is_refused(
    api: Api, course: Course, change: Callable[[str], tuple[str, dict[str, Any]]]
) -> None:
    first = api.post("/participants", ENROL, "staff", **{"Idempotency-Key": "once"})
    assert first.status_code == 201
    path, body = change(course.participant_id)
    response = api.post(path, body, "staff", **{"Idempotency-Key": "once"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency-key-reused"
    assert len(register_rows(api)) == 2
    assert len(history(api, course.participant_id)) == 2


def test_a_different_event_body_with_the_same_key_is_refused(api: Api, course: Course) -> None:
    pid = course.participant_id
    assert api.event(pid, OUTCOME, **{"Idempotency-Key": "k2"}).status_code == 201
    response = api.event(pid, {**OUTCOME, "detail": "Changed."}, **{"Idempotency-Key": "k2"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency-key-reused"
    assert len(history(api, pid)) == 3


def test_keys_are_scoped_to_the_subject(api: Api, course: Course) -> None:
    mine = api.post("/participants", ENROL, "staff", **{"Idempotency-Key": "shared"})
    theirs = api.post("/participants", ENROL, "staff2", **{"Idempotency-Key": "shared"})
    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["participant_id"] != theirs.json()["participant_id"]
    assert len(register_rows(api)) == 3
    # The same subject with another token shares its keys.
    api.add_token("staff-again", "staff", "staff-1")
    again = api.post("/participants", ENROL, "staff-again", **{"Idempotency-Key": "shared"})
    assert again.json() == mine.json()
    assert again.headers["idempotent-replayed"] == "true"


def test_a_refused_write_does_not_use_up_its_key(api: Api, course: Course) -> None:
    pid = course.participant_id
    future = {**OUTCOME, "occurred_on": "2024-06-02"}
    assert api.event(pid, future, **{"Idempotency-Key": "k3"}).status_code == 409
    assert api.event(pid, future, **{"Idempotency-Key": "k3"}).status_code == 409
    assert len(history(api, pid)) == 2


# -- races --------------------------------------------------------------------------------


def race(n: int, call: Callable[[int], Any]) -> list[Any]:
    """Run ``call(i)`` in ``n`` threads released together; their answers, in thread order."""
    barrier = threading.Barrier(n)
    answers: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        answers[i] = call(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_two_writers_with_the_same_if_match_one_wins_one_gets_412(api: Api, course: Course) -> None:
    for trial in range(8):
        pid = api.enrol()
        answers = race(
            2,
            lambda i, pid=pid: api.event(  # type: ignore[misc]
                pid, {**OUTCOME, "detail": f"writer {i}"}, **{"If-Match": '"2"'}
            ),
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [201, 412], (trial, [a.json() for a in answers])
        loser = next(a for a in answers if a.status_code != 201)
        assert loser.json()["code"] == "version-mismatch"
        assert len(history(api, pid)) == 3


def test_two_writers_without_if_match_are_both_recorded(api: Api, course: Course) -> None:
    pid = course.participant_id
    answers = race(2, lambda i: api.event(pid, {**OUTCOME, "detail": f"writer {i}"}))
    assert [a.status_code for a in answers] == [201, 201], [a.json() for a in answers]
    assert sorted(a.json()["version"] for a in answers) == [3, 4]
    assert len(history(api, pid)) == 4


def test_concurrent_retries_with_one_key_record_once(api: Api, course: Course) -> None:
    pid = course.participant_id
    answers = race(3, lambda i: api.event(pid, OUTCOME, **{"Idempotency-Key": "same"}))
    assert [a.status_code for a in answers] == [201, 201, 201], [a.json() for a in answers]
    assert len({str(a.json()) for a in answers}) == 1
    assert len(history(api, pid)) == 3


def test_concurrent_enrolments_with_one_key_enrol_once(api: Api, course: Course) -> None:
    answers = race(
        3, lambda i: api.post("/participants", ENROL, "staff", **{"Idempotency-Key": "dee"})
    )
    assert [a.status_code for a in answers] == [201, 201, 201], [a.json() for a in answers]
    assert len({a.json()["participant_id"] for a in answers}) == 1
    assert len(register_rows(api)) == 2
