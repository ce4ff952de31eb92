"""The staff pages over HTTP (no browser): signing in and out, the session cookie, CSRF, who
may reach which page (against the API's role table), the access log, and the forms' rules:
errors next to their fields with the input kept, clashes shown, nothing recorded twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import Api, Course, running_api
from fastapi.routing import APIRoute
from pages_support import PageClient, hidden, sentences

from api.auth import ROLES
from api.pages import ROUTERS
from api.permissions import DEFAULT_EVENT_ROLES, EVENT_ROLES, OPERATION_ROLES


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Course]]:
    with running_api(tmp_path_factory.mktemp("pages")) as api:
        yield api, api.course()


def _records(role: str, event_type: str) -> bool:
    return role in OPERATION_ROLES["record_event"] and role in EVENT_ROLES.get(
        event_type, DEFAULT_EVENT_ROLES
    )


def _may(role: str, operation: str) -> bool:
    return role in OPERATION_ROLES[operation]


DASHBOARD_PARTS = ("read_pass_rates", "read_register", "read_moderation_queue", "read_outcomes")

# Every page route -> who may use it (by role), from the same table the API uses.
PAGES: dict[tuple[str, str], Any] = {
    ("GET", "/ui/sign-in"): None,  # anyone, signed in or not
    ("POST", "/ui/sign-in"): None,
    ("POST", "/ui/sign-out"): lambda role: True,
    ("GET", "/ui"): lambda role: True,
    ("GET", "/ui/cohorts/{cohort_id}"): lambda role: any(_may(role, p) for p in DASHBOARD_PARTS),
    ("GET", "/ui/cohorts/{cohort_id}/register"): lambda role: _may(role, "read_register"),
    ("GET", "/ui/cohorts/{cohort_id}/outcome-curves.png"): lambda role: _may(
        role, "plot_outcome_curves"
    ),
    ("POST", "/ui/cohorts/{cohort_id}/register"): lambda role: (
        _may(role, "read_register") and _records(role, "SessionAttended")
    ),
    ("GET", "/ui/cohorts/{cohort_id}/enrol"): lambda role: _may(role, "enrol"),
    ("POST", "/ui/cohorts/{cohort_id}/enrol"): lambda role: _may(role, "enrol"),
    ("GET", "/ui/participants/{participant_id}"): lambda role: _may(role, "read_participant"),
    ("POST", "/ui/participants/{participant_id}/events"): lambda role: _records(
        role, "OutcomeReported"
    ),
}


def test_every_page_route_is_in_the_table() -> None:
    routes = {
        (method, route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    assert routes == set(PAGES)


def _form_body(kind: str, course: Course) -> dict[str, str]:
    if "register" in kind:
        return {"day": "1", f"status-{course.participant_id}": "attended"}
    if "enrol" in kind:
        return {"name": "Role Test", "enrolled_on": "2024-01-01"}
    return {
        "form": "outcome",
        "type": "OutcomeReported",
        "category": "speaking",
        "detail": "Spoke at the AGM.",
        "source": "interview",
        "occurred_on": "2024-05-01",
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "route", sorted(k for k, v in PAGES.items() if v is not None and "sign" not in k[1])
)
def test_who_may_reach_each_page(
    world: tuple[Api, Course], role: str, route: tuple[str, str]
) -> None:
    api, course = world
    browser = PageClient(api, role)
    method, template = route
    path = template.format(cohort_id=course.cohort_id, participant_id=course.participant_id)
    if method == "GET":
        response = browser.get(path)
    else:
        csrf = hidden(browser.get("/ui").text, "csrf")
        fields = {"csrf": csrf, "form_token": f"{role}-{template}", **_form_body(path, course)}
        response = browser.post(path, fields)
    allowed = PAGES[route](role)
    if allowed:
        assert response.status_code in (200, 303, 409), response.text
    else:
        assert response.status_code == 403, response.text
        assert "Not for your role" in response.text
        assert f"with the role {role}" in response.text
        assert "<form" not in response.text.split("<main", 1)[1]  # no form to fill in


def test_a_page_without_a_session_sends_the_browser_to_sign_in_and_back(
    world: tuple[Api, Course],
) -> None:
    api, course = world
    browser = PageClient(api)
    path = f"/ui/cohorts/{course.cohort_id}/register"
    response = browser.get(path, day="2")
    assert response.status_code == 303
    assert (
        response.headers["location"] == "/ui/sign-in?next=%2Fui%2Fcohorts%2Fc1%2Fregister%3Fday%3D2"
    )
    signed = browser.sign_in(api.token("staff"), next=f"{path}?day=2")
    assert signed.status_code == 303
    assert signed.headers["location"] == f"{path}?day=2"


def test_sign_in_never_sends_the_browser_to_another_site(world: tuple[Api, Course]) -> None:
    api, _ = world
    for target in ("https://evil.example/", "//evil.example/ui", "/audit/access"):
        response = PageClient(api).sign_in(api.token("staff"), next=target)
        assert response.headers["location"] == "/ui", target


def test_the_session_cookie_is_http_only_strict_and_secure_over_https(
    world: tuple[Api, Course],
) -> None:
    api, _ = world
    plain = PageClient(api).sign_in(api.token("staff"))
    cookie = plain.headers["set-cookie"].split(",")[0]
    assert cookie.startswith("journey_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie  # over plain http on loopback a Secure cookie is never sent
    secure = PageClient(api, https=True).sign_in(api.token("staff"))
    assert "Secure" in secure.headers["set-cookie"].split(",")[0]
    assert api.token("staff") not in plain.headers["set-cookie"]


def test_an_unknown_token_is_refused_with_a_sentence_and_no_session(
    world: tuple[Api, Course],
) -> None:
    api, _ = world
    browser = PageClient(api)
    response = browser.sign_in("jl_not-a-token")
    assert response.status_code == 401
    assert "That token is not known here" in response.text
    assert "journey_session" not in response.headers.get("set-cookie", "")


def test_sign_in_without_its_own_form_is_refused(world: tuple[Api, Course]) -> None:
    api, _ = world
    browser = PageClient(api)
    response = browser.post("/ui/sign-in", {"token": api.token("staff"), "check": "forged"})
    assert response.status_code == 403


def test_signing_out_or_revoking_the_token_ends_the_session(world: tuple[Api, Course]) -> None:
    api, _ = world
    browser = PageClient(api, "staff")
    csrf = hidden(browser.get("/ui").text, "csrf")
    assert browser.post("/ui/sign-out", {"csrf": csrf}).status_code == 303
    assert browser.get("/ui").status_code == 303  # to sign-in
    token = api.add_token("short-lived", "staff", "short-lived")
    browser = PageClient(api)
    assert browser.sign_in(token).status_code == 303
    assert browser.get("/ui").status_code == 200
    api.store.revoke(token)
    assert browser.get("/ui").status_code == 303


def test_a_form_without_the_sessions_csrf_secret_records_nothing(
    world: tuple[Api, Course],
) -> None:
    api, course = world
    browser = PageClient(api, "staff")
    before = len(api.get(f"/participants/{course.participant_id}/history", "staff").json())
    for csrf in ("", "forged", hidden(PageClient(api, "staff").get("/ui").text, "csrf")):
        fields = {"csrf": csrf, "form_token": "t", **_form_body("event", course)}
        response = browser.post(f"/ui/participants/{course.participant_id}/events", fields)
        assert response.status_code == 403
        assert "Form refused" in response.text
    after = len(api.get(f"/participants/{course.participant_id}/history", "staff").json())
    assert after == before


def test_pages_are_not_cached_framed_or_scripted_from_elsewhere(
    world: tuple[Api, Course],
) -> None:
    api, course = world
    response = PageClient(api, "staff").get(f"/ui/participants/{course.participant_id}")
    assert response.headers["cache-control"] == "no-store"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy


def test_reading_a_journey_page_is_in_the_access_log(world: tuple[Api, Course]) -> None:
    api, course = world
    PageClient(api, "auditor").get(f"/ui/participants/{course.participant_id}")
    entries = api.client.app.state.access_log.read(target=course.participant_id)  # type: ignore[attr-defined]
    assert any(
        e.operation == "read_participant" and e.role == "auditor" and e.allowed for e in entries
    )


def test_unknown_records_answer_a_page_not_json(world: tuple[Api, Course]) -> None:
    api, _ = world
    browser = PageClient(api, "staff")
    for path in ("/ui/cohorts/nope", "/ui/participants/not-a-uuid"):
        response = browser.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "No " in response.text


def test_the_pages_are_not_part_of_the_api_document(world: tuple[Api, Course]) -> None:
    api, _ = world
    paths = api.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    assert not [p for p in paths if p.startswith("/ui") or p == "/"]


def test_sign_in_path_is_served(tmp_path: Path) -> None:
    with running_api(tmp_path / "data") as api:
        assert api.client.get("/", follow_redirects=False).headers["location"] == "/ui"
        page = api.client.get("/ui/sign-in")
        assert page.status_code == 200
        assert '<label for="token">Access token</label>' in page.text
        assert sentences(page.text) == []


SECTIONS = {
    "read_pass_rates": 'id="funnel"',
    "read_register": 'id="attendance"',
    "read_moderation_queue": 'id="queue"',
    "read_outcomes": 'id="outcomes"',
}


@pytest.mark.parametrize("role", ROLES)
def test_the_dashboard_shows_each_role_the_parts_it_may_read(
    world: tuple[Api, Course], role: str
) -> None:
    api, course = world
    response = PageClient(api, role).get(f"/ui/cohorts/{course.cohort_id}")
    if not any(_may(role, operation) for operation in SECTIONS):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    for operation, marker in SECTIONS.items():
        assert (marker in response.text) == _may(role, operation), operation
    names_shown = "Ann Example" in response.text
    assert names_shown == (_may(role, "read_participant") and _may(role, "read_register"))


def test_the_dashboard_shows_the_outcome_plot_drawn_for_the_page(
    world: tuple[Api, Course],
) -> None:
    api, course = world
    browser = PageClient(api, "staff")
    page = browser.get(f"/ui/cohorts/{course.cohort_id}").text
    src = f"/ui/cohorts/{course.cohort_id}/outcome-curves.png"
    assert f'<img src="{src}"' in page
    assert "have at least one outcome recorded" in page  # the exact figures stay beside it
    image = browser.get(src)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"Ann Example" not in image.content
    assert image.headers["cache-control"] == "no-store"
