"""Every error class through HTTP: 422, 409, 404, 412, 413, 401 and no traceback on a 500;
and every domain error class has its status in the one table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_support import COHORT, PROGRAMME, Api, Course, RecordingClient, running_api

import journey.errors as domain
from api.app import MAX_BODY_BYTES
from api.errors import STATUS_BY_ERROR, status_for

SESSION_1 = {"type": "SessionAttended", "cohort_id": "c1", "session": 1}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Course]]:
    """One app and course for the tests whose requests are all refused (they change nothing;
    the tests that check that nothing was recorded have their own app)."""
    with running_api(tmp_path_factory.mktemp("refused")) as api:
        yield api, api.course()


def fields_of(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


def assert_invalid(response: Any, field: str) -> dict[str, Any]:
    """422, a stable code, and ``field`` named (as the last part of a dotted path)."""
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    assert body["code"].startswith("invalid") or body["code"] == "idempotency-key-reused"
    named = fields_of(body)
    assert any(f == field or f.endswith("." + field) for f in named), (field, body)
    assert all(e["reason"] for e in body["errors"])
    return body


# -- 422 ------------------------------------------------------------------------------------


def test_malformed_json_names_the_body(shared: tuple[Api, Course]) -> None:
    api, course = shared
    response = api.client.post(
        f"/participants/{course.participant_id}/events",
        content=b'{"type": "SessionAttended", ',
        headers=api.auth("staff", **{"Content-Type": "application/json"}),
    )
    assert_invalid(response, "body")


def test_a_body_that_is_not_an_object(shared: tuple[Api, Course]) -> None:
    api, course = shared
    response = api.client.post(
        f"/participants/{course.participant_id}/events",
        content=b"[1, 2]",
        headers=api.auth("staff", **{"Content-Type": "application/json"}),
    )
    assert_invalid(response, "body")


@pytest.mark.parametrize(
    ("path", "who", "body", "field"),
    [
        ("/programmes", "admin", {**PROGRAMME, "colour": "red"}, "colour"),
        ("/cohorts", "admin", {**COHORT, "room": 4}, "room"),
        (
            "/participants",
            "staff",
            {"cohort_id": "c1", "enrolled_on": "2024-01-01", "name": "Ann", "nhs_number": "1"},
            "nhs_number",
        ),
        ("events", "staff", {**SESSION_1, "marker": "someone-else"}, "marker"),
    ],
)
def test_unknown_fields_are_refused(
    shared: tuple[Api, Course], path: str, who: str, body: dict[str, Any], field: str
) -> None:
    api, course = shared
    url = f"/participants/{course.participant_id}/events" if path == "events" else path
    assert_invalid(api.post(url, body, who), field)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**SESSION_1, "session": "1"}, "session"),  # strict: no string for a number
        ({**SESSION_1, "session": 1.5}, "session"),
        ({**SESSION_1, "cohort_id": 7}, "cohort_id"),
        ({**SESSION_1, "occurred_on": "last tuesday"}, "occurred_on"),
        (
            {
                "type": "Marked",
                "cohort_id": "c1",
                "attempt": 1,
                "stage": "third",
                "result": "pass",
                "feedback": "x",
            },
            "stage",
        ),
        (
            {
                "type": "WellbeingMeasured",
                "scale": "WEMWBS",
                "score": True,
                "timepoint": "baseline",
            },
            "score",
        ),
    ],
)
def test_wrong_types_are_refused(
    shared: tuple[Api, Course], body: dict[str, Any], field: str
) -> None:
    api, course = shared
    assert_invalid(api.event(course.participant_id, body), field)


def test_over_long_strings_are_refused(shared: tuple[Api, Course]) -> None:
    api, course = shared
    enrol = {"cohort_id": "c1", "enrolled_on": "2024-01-01", "name": "A" * 201}
    assert_invalid(api.post("/participants", enrol, "staff"), "name")
    marked = {**Api.mark("first"), "feedback": "x" * 4001}
    assert_invalid(api.event(course.participant_id, marked, "marker"), "feedback")
    cohort = {**COHORT, "cohort_id": "c" * 101}
    assert_invalid(api.post("/cohorts", cohort, "admin"), "cohort_id")


def test_too_long_lists_are_refused(shared: tuple[Api, Course]) -> None:
    api, _ = shared
    trainers = [f"t{i}" for i in range(51)]
    assert_invalid(api.post("/cohorts", {**COHORT, "trainers": trainers}, "admin"), "trainers")
    days = ["2024-01-01"] * 101
    assert_invalid(
        api.post("/cohorts", {**COHORT, "session_dates": days}, "admin"), "session_dates"
    )
    themes = ["theme"] * 51
    assert_invalid(api.post("/programmes", {**PROGRAMME, "themes": themes}, "admin"), "themes")


@pytest.mark.parametrize(
    "body", [{"type": "Bogus", "cohort_id": "c1"}, {"cohort_id": "c1"}, {"type": 3}]
)
def test_a_bad_type_tag_names_type(shared: tuple[Api, Course], body: dict[str, Any]) -> None:
    api, course = shared
    assert_invalid(api.event(course.participant_id, body), "type")


@pytest.mark.parametrize("value", ["abc", "-1", "3, 4", "1" * 41])
def test_a_bad_if_match_names_the_header(shared: tuple[Api, Course], value: str) -> None:
    api, course = shared
    response = api.event(course.participant_id, SESSION_1, **{"If-Match": value})
    assert_invalid(response, "If-Match")


@pytest.mark.parametrize("value", [" ", "k" * 201])
def test_a_bad_idempotency_key_names_the_header(shared: tuple[Api, Course], value: str) -> None:
    api, course = shared
    response = api.event(course.participant_id, SESSION_1, **{"Idempotency-Key": value})
    assert_invalid(response, "Idempotency-Key")


def test_a_bad_query_parameter_names_it(shared: tuple[Api, Course]) -> None:
    api, course = shared
    assert_invalid(api.get("/reports/pass-rates", "staff", year="soon"), "year")
    assert_invalid(api.get(f"/participants/{course.participant_id}", "staff", version=0), "version")


def test_nothing_is_recorded_by_a_refused_body(api: Api, course: Course) -> None:
    api.event(course.participant_id, {**SESSION_1, "session": "1"})
    history = api.get(f"/participants/{course.participant_id}/history", "staff").json()
    assert len(history) == 2


# -- 409: a domain rule ---------------------------------------------------------------------


def assert_rule(response: Any, code: str) -> None:
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == code
    assert body["message"].endswith(".")
    assert len(body["message"].split()) > 4  # a sentence, not a token


def test_second_marker_must_differ(api: Api, course: Course) -> None:
    api.submitted(course.participant_id)
    api.ok_event(course.participant_id, Api.mark("first"), "marker")
    response = api.event(course.participant_id, Api.mark("second"), "marker")
    assert_rule(response, "second-marker-differs")
    assert "marker-1" in response.json()["message"]


def test_the_accreditation_decision_closes_at_the_first_submission(
    api: Api, course: Course
) -> None:
    api.submitted(course.participant_id)
    declined = {"type": "AccreditationDeclined", "cohort_id": "c1", "occurred_on": "2024-02-02"}
    assert_rule(api.event(course.participant_id, declined), "decision-closed")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**SESSION_1, "session": 9}, "session-not-in-cohort"),
        ({**SESSION_1, "occurred_on": "2024-01-04"}, "session-date-mismatch"),
        (
            {
                "type": "OutcomeReported",
                "category": "chair",
                "detail": "d",
                "source": "interview",
                "occurred_on": "2024-06-02",
            },
            "occurred-in-future",
        ),
        (
            {"type": "LogSubmitted", "cohort_id": "c1", "attempt": 1},
            "submission-without-accreditation",
        ),
        (
            {"type": "CertificateIssued", "cohort_id": "c1", "kind": "attendance"},
            "attendance-below-threshold",
        ),
        (
            {"type": "WellbeingMeasured", "scale": "WEMWBS", "score": 99, "timepoint": "baseline"},
            "wellbeing-out-of-range",
        ),
        ({"type": "Enrolled", "cohort_id": "c1"}, "already-enrolled"),
    ],
)
def test_rule_violations_answer_409_with_their_code(
    shared: tuple[Api, Course], body: dict[str, Any], code: str
) -> None:
    api, course = shared
    assert_rule(api.event(course.participant_id, body), code)


def test_an_interviewer_who_trained_the_cohort_is_refused(api: Api, course: Course) -> None:
    api.add_token("trainer", "staff", "trainer-1")
    body = {"type": "FeedbackRecorded", "quote": "Great course."}
    assert_rule(api.event(course.participant_id, body, "trainer"), "interviewer-is-trainer")


def test_an_existing_programme_or_cohort_id_is_409(api: Api, course: Course) -> None:
    assert_rule(api.post("/programmes", PROGRAMME, "admin"), "already-exists")
    assert_rule(api.post("/cohorts", COHORT, "admin"), "already-exists")


# -- 404 ------------------------------------------------------------------------------------

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def test_unknown_or_malformed_participant_is_404(api: Api) -> None:
    for pid in (UNKNOWN, "not-a-uuid", "1234", "%20"):
        for suffix in ("", "/history", "/timeline"):
            response = api.get(f"/participants/{pid}{suffix}", "auditor")
            assert response.status_code == 404, (pid, suffix)
            assert response.json()["code"] == "participant-not-found"


@pytest.mark.parametrize("pid", [UNKNOWN, "not-a-uuid"])
def test_recording_for_an_unknown_participant_is_404(shared: tuple[Api, Course], pid: str) -> None:
    api, _ = shared
    response = api.event(pid, SESSION_1)
    assert response.status_code == 404
    assert response.json()["code"] == "participant-not-found"


def test_a_cohort_id_is_not_a_participant(shared: tuple[Api, Course]) -> None:
    api, _ = shared
    from journey.programme import Cohort

    response = api.get(f"/participants/{Cohort.id_for('c1')}", "staff")
    assert response.status_code == 404


def test_a_version_the_participant_never_had_is_404(shared: tuple[Api, Course]) -> None:
    api, course = shared
    response = api.get(f"/participants/{course.participant_id}", "staff", version=99)
    assert response.status_code == 404


def test_unknown_cohort_is_404(shared: tuple[Api, Course]) -> None:
    api, course = shared
    for response in (
        api.get("/cohorts/nope/register", "staff"),
        api.get("/cohorts/nope", "staff"),
        api.get("/reports/pass-rates", "staff", cohort_id="nope"),
        api.get("/reports/outcomes", "staff", cohort_id="nope"),
        api.get("/reports/moderation-queue", "staff", cohort_id="nope"),
        api.post(
            "/participants",
            {"cohort_id": "nope", "enrolled_on": "2024-01-01", "name": "Ann"},
            "staff",
        ),
        api.event(course.participant_id, {**SESSION_1, "cohort_id": "nope"}),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "cohort-not-found"


def test_unknown_programme_is_404(api: Api) -> None:
    for response in (
        api.get("/programmes/nope", "staff"),
        api.get("/reports/pass-rates", "staff", programme_id="nope"),
        api.get("/reports/outcomes", "staff", programme_id="nope"),
        api.post("/cohorts", {**COHORT, "programme_id": "nope"}, "admin"),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "programme-not-found"


# -- 412 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("if_match", ['"2"', "2", 'W/"2"'])
def test_if_match_makes_a_write_conditional(api: Api, course: Course, if_match: str) -> None:
    pid = course.participant_id
    etag = api.get(f"/participants/{pid}", "staff").headers["etag"]
    assert etag == '"2"'
    response = api.event(pid, SESSION_1, **{"If-Match": if_match})
    assert response.status_code == 201
    stale = api.event(pid, {**SESSION_1, "session": 2}, **{"If-Match": if_match})
    assert stale.status_code == 412
    assert stale.json()["code"] == "version-mismatch"
    assert len(api.get(f"/participants/{pid}/history", "staff").json()) == 3


# -- 413 ------------------------------------------------------------------------------------


def big_body() -> bytes:
    padding = "x" * (MAX_BODY_BYTES + 1)
    return b'{"type": "FeedbackRecorded", "quote": "' + padding.encode() + b'"}'


def chunks(data: bytes, size: int = 8192) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("path", ["events", "/participants", "/programmes", "/cohorts"])
def test_a_declared_body_over_the_limit_is_413(shared: tuple[Api, Course], path: str) -> None:
    api, course = shared
    url = f"/participants/{course.participant_id}/events" if path == "events" else path
    response = api.client.post(
        url, content=big_body(), headers=api.auth("staff", **{"Content-Type": "application/json"})
    )
    assert response.status_code == 413
    assert response.json()["code"] == "body-too-large"


@pytest.mark.parametrize("path", ["events", "/participants", "/programmes"])
def test_a_streamed_body_over_the_limit_is_413(shared: tuple[Api, Course], path: str) -> None:
    api, course = shared
    url = f"/participants/{course.participant_id}/events" if path == "events" else path
    response = api.client.post(
        url,
        content=chunks(big_body()),  # no Content-Length: sent chunked
        headers=api.auth("admin", **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "body-too-large"


def test_a_streamed_body_under_the_limit_is_read(api: Api, course: Course) -> None:
    response = api.client.post(
        f"/participants/{course.participant_id}/events",
        content=chunks(b'{"type": "SessionAttended", "cohort_id": "c1", "session": 1}', 10),
        headers=api.auth("staff", **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 201


def test_nothing_is_recorded_from_an_oversized_body(api: Api, course: Course) -> None:
    api.client.post(
        f"/participants/{course.participant_id}/events",
        content=chunks(big_body()),
        headers=api.auth("staff", **{"Content-Type": "application/json"}),
    )
    assert len(api.get(f"/participants/{course.participant_id}/history", "staff").json()) == 2


# -- 401 ------------------------------------------------------------------------------------

PROTECTED = [
    ("get", "/participants/{pid}"),
    ("get", "/participants/{pid}/history"),
    ("get", "/participants/{pid}/timeline"),
    ("post", "/participants/{pid}/events"),
    ("post", "/participants"),
    ("post", "/programmes"),
    ("post", "/cohorts"),
    ("get", "/programmes/vt"),
    ("get", "/cohorts/c1"),
    ("get", "/cohorts/c1/register"),
    ("get", "/reports/pass-rates"),
    ("get", "/reports/outcomes"),
    ("get", "/reports/moderation-queue"),
]


def _call(client: RecordingClient, method: str, url: str, headers: dict[str, str]) -> Any:
    if method == "get":
        return client.get(url, headers=headers)
    return client.post(url, json={}, headers=headers)


def test_every_endpoint_but_health_needs_a_token(api: Api, course: Course) -> None:
    revoked = api.add_token("gone", "auditor", "gone-1")
    assert api.store.revoke(revoked)
    admin = api.token("admin")
    for method, path in PROTECTED:
        url = path.format(pid=course.participant_id)
        for headers in (
            {},
            {"Authorization": "Bearer jl_unknown"},
            {"Authorization": f"Bearer {revoked}"},
            {"Authorization": f"Basic {admin}"},
            {"Authorization": admin},
        ):
            response = _call(api.client, method, url, headers)  # type: ignore[arg-type]
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.json()["code"] == "unauthenticated"


def test_revoking_by_id_stops_a_token_at_once(api: Api, course: Course) -> None:
    token = api.add_token("soon-gone", "staff", "staff-9")
    assert api.get(f"/participants/{course.participant_id}", "soon-gone").status_code == 200
    token_id = next(row[0] for row in api.store.list() if row[1] == "staff-9")
    assert api.store.revoke(token_id)
    response = api.client.get(
        f"/participants/{course.participant_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    assert response.json()["message"] == "The token is unknown or revoked."


# -- no traceback ----------------------------------------------------------------------------


def test_an_unexpected_error_is_a_plain_500_without_a_traceback(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_api(tmp_path, raise_server_exceptions=False) as api:
        course = api.course()
        services = api.client.app.state.services  # type: ignore[attr-defined]

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise ValueError("secret detail /srv/data/journey.db")

        monkeypatch.setattr(services.ledger.recorder, "select_events", broken)
        response = api.get(f"/participants/{course.participant_id}", "staff")
    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"code", "message"}
    assert body["code"] == "internal-error"
    assert "Traceback" not in response.text
    assert "secret" not in response.text


# -- the one table ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", domain.__all__)
def test_every_domain_error_class_has_a_4xx_status(name: str) -> None:
    cls = getattr(domain, name)
    assert issubclass(cls, domain.DomainError)
    assert any(issubclass(cls, row) for row, _ in STATUS_BY_ERROR)
    error = cls.__new__(cls)  # status_for looks only at the class
    assert 400 <= status_for(error) < 500


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (domain.InvalidValue, 422),
        (domain.ParticipantNotFound, 404),
        (domain.CohortNotFound, 404),
        (domain.ProgrammeNotFound, 404),
        (domain.VersionMismatch, 412),
        (domain.AlreadyExists, 409),
        (domain.ConcurrencyConflict, 409),
        (domain.MarkingError, 409),
        (domain.RuleViolation, 409),
        (domain.WellbeingOutOfRangeError, 409),
    ],
)
def test_the_status_of_each_kind_of_error(cls: type[domain.DomainError], status: int) -> None:
    assert status_for(cls.__new__(cls)) == status


def test_every_domain_error_is_in_all() -> None:
    classes = {
        name
        for name, value in vars(domain).items()
        if isinstance(value, type) and issubclass(value, domain.DomainError)
    }
    assert classes == set(domain.__all__)
