"""Who may do what: every operation (and, for recording, every event type) for every role,
through HTTP, against ``api.permissions``; and that table against what the issue says."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import count
from typing import Any, get_args

import pytest
from api_support import EVENT_BODIES, Api, Course, running_api

from api.auth import ROLES
from api.permissions import DEFAULT_EVENT_ROLES, EVENT_ROLES, OPERATION_ROLES
from api.schemas import EventIn

_serial = count()


def _programme() -> dict[str, Any]:
    return {
        "programme_id": f"p{next(_serial)}",
        "name": "P",
        "session_count": 1,
        "attendance_threshold": 1,
    }


def _cohort() -> dict[str, Any]:
    return {
        "cohort_id": f"k{next(_serial)}",
        "programme_id": "vt",
        "location": "Grays",
        "session_dates": ["2024-01-03"],
        "trainers": ["trainer-1"],
    }


def _enrolment() -> dict[str, Any]:
    return {"cohort_id": "c1", "enrolled_on": "2024-01-01", "name": "Cal"}


def _trainer() -> dict[str, Any]:
    return {
        "trainer_id": f"t{next(_serial)}",
        "role_description": "Service user trainer",
        "recruited_on": "2024-01-01",
    }


def _support() -> dict[str, Any]:
    return {"type": "SupportRecorded", "kind": "supervision", "occurred_on": "2024-02-01"}


def _staff_session() -> dict[str, Any]:
    return {
        "session_id": f"s{next(_serial)}",
        "session_date": "2024-03-05",
        "region": "London",
        "venue": "Hall",
        "trainers": [STAFF_TRAINER],
        "learning_outcomes": ["Involvement"],
    }


def _cost() -> dict[str, Any]:
    return {
        "type": "CostRecorded",
        "cost_id": f"cost{next(_serial)}",
        "category": "refreshments",
        "amount_pence": 4000,
        "occurred_on": "2024-03-05",
    }


def _workforce() -> dict[str, Any]:
    return {"region": "London", "size": 190, "counts_from": "2024-01-01"}


# The trainer and session the staff-training operations use (see the world fixture).
STAFF_TRAINER = "trainer-rowan"
STAFF_SESSION = "sut-2024-03-05"


# operation -> (method, route template, a fresh body for a POST).
OPERATIONS: dict[str, tuple[str, str, Callable[[], dict[str, Any]] | None]] = {
    "define_programme": ("POST", "/programmes", _programme),
    "schedule_cohort": ("POST", "/cohorts", _cohort),
    "read_programme": ("GET", "/programmes/{programme_id}", None),
    "read_cohort": ("GET", "/cohorts/{cohort_id}", None),
    "enrol": ("POST", "/participants", _enrolment),
    "record_event": ("POST", "/participants/{participant_id}/events", None),
    "read_participant": ("GET", "/participants/{participant_id}", None),
    "read_history": ("GET", "/participants/{participant_id}/history", None),
    "read_timeline": ("GET", "/participants/{participant_id}/timeline", None),
    "read_register": ("GET", "/cohorts/{cohort_id}/register", None),
    "read_pass_rates": ("GET", "/reports/pass-rates", None),
    "read_outcomes": ("GET", "/reports/outcomes", None),
    "read_moderation_queue": ("GET", "/reports/moderation-queue", None),
    "read_moderation_pack": ("GET", "/cohorts/{cohort_id}/moderation-pack", None),
    "read_research_participants": ("GET", "/research/participants", None),
    "read_research_timeline": ("GET", "/research/timeline", None),
    "read_research_dictionary": ("GET", "/research/dictionary", None),
    "read_outcome_curves": ("GET", "/research/outcome-curves", None),
    "read_first_outcome": ("GET", "/research/first-outcome", None),
    "read_funnel_by_group": ("GET", "/research/funnel-by-group", None),
    "read_wellbeing_change": ("GET", "/research/wellbeing", None),
    "plot_funnel": ("GET", "/reports/plots/funnel", None),
    "plot_outcome_curves": ("GET", "/reports/plots/outcome-curves", None),
    "plot_outcome_timeline": ("GET", "/reports/cohorts/{cohort_id}/outcome-timeline", None),
    "recruit_trainer": ("POST", "/trainers", _trainer),
    "record_trainer_event": ("POST", "/trainers/{trainer_id}/events", _support),
    "read_trainer": ("GET", "/trainers/{trainer_id}", None),
    "plan_staff_session": ("POST", "/staff-sessions", _staff_session),
    "record_session_event": ("POST", "/staff-sessions/{session_id}/events", _cost),
    "read_staff_session": ("GET", "/staff-sessions/{session_id}", None),
    "record_workforce_size": ("POST", "/workforce", _workforce),
    "read_workforce_reach": ("GET", "/reports/workforce-reach", None),
    "read_evaluations": ("GET", "/reports/evaluations", None),
    "read_action_plans": ("GET", "/reports/action-plans", None),
    "read_trainer_activity": ("GET", "/reports/trainer-activity", None),
    "read_expenses_outstanding": ("GET", "/reports/expenses-outstanding", None),
    "read_cost_per_learner": ("GET", "/reports/cost-per-learner", None),
    "audit_digest": ("GET", "/audit/digest", None),
    "audit_verify": ("POST", "/audit/verify", dict),
    "audit_access": ("GET", "/audit/access", None),
    "request_erasure": (
        "POST",
        "/participants/{participant_id}/erasure-requests",
        lambda: {"reason": "ticket 1"},
    ),
    "approve_erasure": (
        "POST",
        "/participants/{participant_id}/erasure-requests/{request}/approval",
        None,
    ),
}
WRITES = {
    "define_programme",
    "schedule_cohort",
    "enrol",
    "record_event",
    "request_erasure",
    "approve_erasure",
}
STAFF_TRAINING_WRITES = {
    "recruit_trainer",
    "record_trainer_event",
    "plan_staff_session",
    "record_session_event",
    "record_workforce_size",
}
WRITES |= STAFF_TRAINING_WRITES
READS = set(OPERATIONS) - WRITES
REPORTS = {
    "read_pass_rates",
    "read_outcomes",
    "read_moderation_queue",
    "read_workforce_reach",
    "read_evaluations",
    "read_action_plans",
    "read_trainer_activity",
    "read_expenses_outstanding",
    "read_cost_per_learner",
}
RESEARCH = {
    "read_research_participants",
    "read_research_timeline",
    "read_research_dictionary",
    "read_outcome_curves",
    "read_first_outcome",
    "read_funnel_by_group",
    "read_wellbeing_change",
    "plot_funnel",
    "plot_outcome_curves",
    "plot_outcome_timeline",
}
# The tags of the discriminated union EventIn = Annotated[A | B | ..., Field(...)].
EVENT_TYPES = [
    get_args(model.model_fields["type"].annotation)[0] for model in get_args(get_args(EventIn)[0])
]


def event_roles(event_type: str) -> set[str]:
    """The roles that may record ``event_type``: allowed the operation AND the type."""
    by_type = EVENT_ROLES.get(event_type, DEFAULT_EVENT_ROLES)
    return set(OPERATION_ROLES["record_event"]) & set(by_type)


def allowed(role: str) -> tuple[set[str], set[str]]:
    """(operations, event types) ``role`` may use."""
    operations = {op for op, roles in OPERATION_ROLES.items() if role in roles}
    events = {t for t in EVENT_TYPES if role in event_roles(t)}
    return operations, events


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Course]]:
    """One app for the whole matrix (each cell is one request)."""
    with running_api(tmp_path_factory.mktemp("roles")) as api:
        course = api.course()
        trainer = {**_trainer(), "trainer_id": STAFF_TRAINER, "pilot": True}
        assert api.post("/trainers", trainer, "staff").status_code == 201
        session = {**_staff_session(), "session_id": STAFF_SESSION}
        assert api.post("/staff-sessions", session, "staff").status_code == 201
        yield api, course


def request(api: Api, course: Course, who: str, operation: str, body: Any = None) -> Any:
    method, template, make_body = OPERATIONS[operation]
    url = template.format(
        programme_id=course.programme_id,
        cohort_id=course.cohort_id,
        participant_id=course.participant_id,
        request=1,  # the registration: not a pending request, refused (409) even for admin
        trainer_id=STAFF_TRAINER,
        session_id=STAFF_SESSION,
    )
    if method == "GET":
        return api.client.get(url, headers=api.auth(who))
    payload = body if body is not None else make_body() if make_body else {}
    return api.client.post(url, json=payload, headers=api.auth(who))


def needed_roles(message: str) -> set[str]:
    """The roles a 403 says are needed (the part before "; your token has the role ...")."""
    need = message.split(";")[0]
    return {role for role in ROLES if re.search(rf"\b{role}\b", need)}


def assert_cell(response: Any, who: str, expected_roles: set[str]) -> None:
    if who in expected_roles:
        assert response.status_code not in (401, 403), response.text
        assert response.status_code < 500, response.text
        if response.request.method == "GET":
            assert response.status_code == 200, response.text
    else:
        assert response.status_code == 403, response.text
        body = response.json()
        assert body["code"] == "forbidden"
        assert expected_roles <= needed_roles(body["message"]), body["message"]
        assert f"your token has the role {who}" in body["message"]


# -- the table covers the API ------------------------------------------------------------


def test_every_route_is_an_operation_of_the_table(world: tuple[Api, Course]) -> None:
    api, _ = world
    paths = api.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    routes = {
        (method.upper(), path)
        for path, operations in paths.items()
        if path != "/health"
        for method in operations
    }
    assert routes == {(m, t) for m, t, _ in OPERATIONS.values()}
    assert set(OPERATIONS) == set(OPERATION_ROLES)


def test_every_event_type_has_a_body_here_and_known_roles() -> None:
    assert len(EVENT_TYPES) == 17
    assert set(EVENT_TYPES) == set(EVENT_BODIES)
    assert set(EVENT_ROLES) <= set(EVENT_TYPES)
    for event_type in EVENT_TYPES:
        assert event_roles(event_type), f"nobody may record {event_type}"


# -- every cell, through HTTP -------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("operation", sorted(set(OPERATIONS) - {"record_event"}))
def test_operation_by_role(world: tuple[Api, Course], operation: str, who: str) -> None:
    api, course = world
    response = request(api, course, who, operation)
    assert_cell(response, who, set(OPERATION_ROLES[operation]))


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_recording_each_event_type_by_role(
    world: tuple[Api, Course], event_type: str, who: str
) -> None:
    api, course = world
    response = request(api, course, who, "record_event", EVENT_BODIES[event_type])
    assert_cell(response, who, event_roles(event_type))


def test_a_refused_event_names_only_the_roles_that_may_record_it(
    world: tuple[Api, Course],
) -> None:
    """An admin recording a mark is told it needs a marker, not "staff or marker or moderator"
    (a staff token would be refused too)."""
    api, course = world
    for who, event_type in (
        ("admin", "Marked"),
        ("auditor", "SessionAttended"),
        ("researcher", "Moderated"),
        ("marker", "SessionAttended"),
    ):
        response = request(api, course, who, "record_event", EVENT_BODIES[event_type])
        assert response.status_code == 403
        assert needed_roles(response.json()["message"]) == event_roles(event_type), (
            who,
            event_type,
            response.json()["message"],
        )


# -- the table says what the issue says ----------------------------------------------------

STAFF_RECORDS = {
    "Enrolled",
    "SessionAttended",
    "SessionMissed",
    "AccreditationChosen",
    "AccreditationDeclined",
    "LogSubmitted",
    "EssaySubmitted",
    "OutcomeReported",
    "FeedbackRecorded",
    "FollowUpCompleted",
    "WellbeingMeasured",
    "CertificateIssued",
    "Withdrawn",
    # Corrections of staff-recorded events; a mark or a moderation is corrected by its marker
    # or moderator (the roles follow the corrected event's type: test_corrections_http.py).
    "EventRetracted",
    "EventAmended",
}


def test_staff_enrol_and_record_everything_but_marks_and_moderation() -> None:
    operations, events = allowed("staff")
    assert "enrol" in operations
    assert events == STAFF_RECORDS
    assert not {"define_programme", "schedule_cohort"} & operations


def test_markers_record_only_marks() -> None:
    operations, events = allowed("marker")
    assert events == {"Marked"}
    assert operations & WRITES == {"record_event"}


def test_moderators_record_only_moderation() -> None:
    operations, events = allowed("moderator")
    assert events == {"Moderated"}
    assert operations & WRITES == {"record_event"}


def test_auditors_read_everything_and_write_nothing() -> None:
    operations, events = allowed("auditor")
    assert operations == READS
    assert events == set()


def test_researchers_read_only_research_views_never_a_participant() -> None:
    """Every table a researcher reads goes through disclosure control (issue 6), so the
    exact pass-rate and outcome reports are for internal roles; researchers read the same
    figures under /research, suppressed, with a receipt."""
    operations, events = allowed("researcher")
    assert events == set()
    assert not operations & {"read_participant", "read_history", "read_timeline"}
    assert operations == RESEARCH, f"researcher may also {sorted(operations - RESEARCH)}"


def test_admins_define_programmes_and_cohorts_and_touch_no_journey() -> None:
    operations, events = allowed("admin")
    assert {"define_programme", "schedule_cohort"} <= operations
    assert events == set()
    assert not operations & {
        "enrol",
        "record_event",
        "read_participant",
        "read_history",
        "read_timeline",
        "read_register",
    }


def test_staff_record_staff_training_and_admins_the_workforce() -> None:
    operations, _ = allowed("staff")
    assert STAFF_TRAINING_WRITES - {"record_workforce_size"} <= operations
    assert "record_workforce_size" not in operations
    admin, _ = allowed("admin")
    assert admin & STAFF_TRAINING_WRITES == {"record_workforce_size"}


def test_researchers_read_no_staff_training_table() -> None:
    """Exact counts by region, team and session would reach them without disclosure control
    (issue 6), and two of the reports name trainers."""
    operations, _ = allowed("researcher")
    assert not operations & {
        "read_trainer",
        "read_staff_session",
        "read_workforce_reach",
        "read_evaluations",
        "read_action_plans",
        "read_cost_per_learner",
        "read_trainer_activity",
        "read_expenses_outstanding",
    }
