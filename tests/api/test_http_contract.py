"""Each row of the API contract, through HTTP, with the field names the issue gives."""

from __future__ import annotations

from api_support import COHORT, PROGRAMME, TODAY_ISO, Api, Course

FUNNEL_COUNTS = (
    "enrolled",
    "withdrawn",
    "accreditation_chosen",
    "accreditation_declined",
    "undecided",
    "submitted",
    "marked",
    "moderated_internal",
    "moderated_external",
    "passed",
    "referred",
    "pending",
    "credits_awarded",
)


def test_health_needs_no_token(api: Api) -> None:
    response = api.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_define_programme(api: Api) -> None:
    response = api.post("/programmes", PROGRAMME, "admin")
    assert response.status_code == 201
    body = response.json()
    assert body["programme_id"] == "vt"
    assert body["name"] == "Voices Together"
    assert body["session_count"] == 3
    assert body["attendance_threshold"] == 2
    accreditation = body["accreditation"]
    assert accreditation["awarding_body"] == "Middlesex University"
    assert (accreditation["credits"], accreditation["level"]) == (30, 4)
    assert accreditation["essay_formats"] == ["written", "oral"]
    assert accreditation["max_attempts"] == 2
    assert response.headers["location"] == "/programmes/vt"
    assert api.get("/programmes/vt", "staff").json() == body


def test_define_programme_without_accreditation(api: Api) -> None:
    body = {k: v for k, v in PROGRAMME.items() if k != "accreditation"}
    response = api.post("/programmes", {**body, "programme_id": "plain"}, "admin")
    assert response.status_code == 201
    assert response.json()["accreditation"] is None


def test_schedule_cohort(api: Api) -> None:
    api.post("/programmes", PROGRAMME, "admin")
    response = api.post("/cohorts", COHORT, "admin")
    assert response.status_code == 201
    assert response.json() == COHORT
    assert response.headers["location"] == "/cohorts/c1"
    assert api.get("/cohorts/c1", "staff").json() == COHORT


def test_enrol_answers_201_with_id_version_and_location(api: Api) -> None:
    api.post("/programmes", PROGRAMME, "admin")
    api.post("/cohorts", COHORT, "admin")
    personal = {
        "email": "ann@example.org",
        "phone": "01375 000000",
        "ethnicity": "White British",
        "gender": "Woman",
        "age_band": "35-44",
        "disability": "Yes",
    }
    body = {"cohort_id": "c1", "enrolled_on": "2024-01-01", "name": "Ann Example", **personal}
    response = api.post("/participants", body, "staff")
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"participant_id", "version"}
    assert created["version"] == 2  # registered, then enrolled
    location = response.headers["location"]
    assert location == f"/participants/{created['participant_id']}"

    state = api.client.get(location, headers=api.auth("staff"))
    assert state.status_code == 200
    assert state.json()["personal"] == {"name": "Ann Example", **personal}
    assert state.headers["etag"] == '"2"'


def test_record_event_answers_201_with_the_new_version(api: Api, course: Course) -> None:
    response = api.event(
        course.participant_id, {"type": "SessionAttended", "cohort_id": "c1", "session": 1}
    )
    assert response.status_code == 201
    assert response.json() == {"participant_id": course.participant_id, "version": 3}
    response = api.event(
        course.participant_id,
        {"type": "SessionMissed", "cohort_id": "c1", "session": 2, "reason": "ill"},
    )
    assert response.json()["version"] == 4


def test_participant_state(api: Api, course: Course) -> None:
    pid = course.participant_id
    api.submitted(pid)
    body = api.get(f"/participants/{pid}", "staff").json()
    assert body["participant_id"] == pid
    assert body["version"] == 7
    (enrolment,) = body["enrolments"]
    assert enrolment["cohort_id"] == "c1"
    assert enrolment["programme_id"] == "vt"
    assert enrolment["enrolled_on"] == "2024-01-01"
    assert enrolment["sessions"] == {"1": "attended", "2": "attended"}
    assert enrolment["attended"] == 2
    assert enrolment["accreditation"] == "chosen"
    (attempt,) = enrolment["attempts"]
    assert attempt["attempt"] == 1
    assert sorted(attempt["submitted"]) == ["essay", "log"]
    assert attempt["essay_format"] == "oral"
    assert attempt["marks"] == []
    assert attempt["final_result"] is None


def test_participant_state_at_a_version(api: Api, course: Course) -> None:
    pid = course.participant_id
    api.submitted(pid)
    response = api.get(f"/participants/{pid}", "staff", version=3)
    assert response.status_code == 200
    assert response.json()["version"] == 3
    assert response.json()["enrolments"][0]["sessions"] == {"1": "attended"}


def test_history_lists_every_event_in_order_with_who_and_when(api: Api, course: Course) -> None:
    pid = course.participant_id
    api.ok_event(pid, {"type": "SessionAttended", "cohort_id": "c1", "session": 1})
    api.ok_event(
        pid, {"type": "AccreditationChosen", "cohort_id": "c1", "occurred_on": "2024-01-20"}
    )
    history = api.get(f"/participants/{pid}/history", "auditor").json()
    assert [e["type"] for e in history] == [
        "Registered",
        "Enrolled",
        "SessionAttended",
        "AccreditationChosen",
    ]
    assert [e["version"] for e in history] == [1, 2, 3, 4]
    for entry in history:
        assert set(entry) == {
            "type",
            "version",
            "occurred_on",
            "recorded_at",
            "recorded_by",
            "fields",
        }
        assert entry["recorded_by"] == "staff-1"  # the token's subject
        assert entry["recorded_at"]
    assert history[2]["occurred_on"] == "2024-01-03"  # the training day
    assert history[2]["fields"]["session"] == 1
    assert history[2]["fields"]["cohort_id"] == "c1"
    assert history[3]["occurred_on"] == "2024-01-20"


def test_occurred_on_defaults_to_today(api: Api, course: Course) -> None:
    api.ok_event(
        course.participant_id,
        {
            "type": "OutcomeReported",
            "category": "speaking",
            "detail": "Spoke at a conference.",
            "source": "self_report",
        },
    )
    history = api.get(f"/participants/{course.participant_id}/history", "staff").json()
    assert history[-1]["occurred_on"] == TODAY_ISO


def test_timeline(api: Api, course: Course) -> None:
    pid = course.participant_id
    api.ok_event(
        pid,
        {
            "type": "WellbeingMeasured",
            "scale": "WEMWBS",
            "score": 41,
            "timepoint": "baseline",
            "occurred_on": "2024-01-03",
        },
    )
    api.ok_event(
        pid,
        {
            "type": "OutcomeReported",
            "category": "chair",
            "detail": "Forum chair.",
            "source": "interview",
            "occurred_on": "2024-05-02",
        },
    )
    api.ok_event(
        pid, {"type": "FollowUpCompleted", "method": "survey", "occurred_on": "2024-05-01"}
    )
    api.ok_event(
        pid,
        {"type": "FeedbackRecorded", "quote": "It changed things.", "occurred_on": "2024-05-03"},
    )
    response = api.get(f"/participants/{pid}/timeline", "staff")
    assert response.status_code == 200
    body = response.json()
    assert body["participant_id"] == pid
    dates = [e["occurred_on"] for e in body["entries"]]
    assert dates == sorted(dates)
    assert len(body["entries"]) == 4
    kinds = " ".join(e["kind"] for e in body["entries"]).lower()
    for word in ("wellbeing", "outcome", "follow", "feedback"):
        assert word in kinds
    outcome = next(e for e in body["entries"] if "outcome" in e["kind"].lower())
    assert outcome["fields"]["category"] == "chair"
    assert outcome["months_since_enrolment"] == 4


def test_register(api: Api, course: Course) -> None:
    pid = course.participant_id
    other = api.enrol()
    api.ok_event(pid, {"type": "SessionAttended", "cohort_id": "c1", "session": 1})
    api.ok_event(pid, {"type": "SessionAttended", "cohort_id": "c1", "session": 2})
    api.ok_event(other, {"type": "SessionMissed", "cohort_id": "c1", "session": 1})
    response = api.get("/cohorts/c1/register", "staff")
    assert response.status_code == 200
    body = response.json()
    assert body["cohort_id"] == "c1"
    rows = {row["participant_id"]: row for row in body["rows"]}
    assert set(rows) == {pid, other}
    assert rows[pid]["sessions"] == {"1": "attended", "2": "attended", "3": None}
    assert rows[pid]["attended"] == 2
    assert rows[pid]["certificate_eligible"] is True
    assert rows[other]["sessions"] == {"1": "missed", "2": None, "3": None}
    assert rows[other]["attended"] == 0
    assert rows[other]["certificate_eligible"] is False


def _passed(api: Api, pid: str) -> None:
    api.submitted(pid)
    api.ok_event(pid, api.mark("first"), "marker")
    api.ok_event(pid, api.mark("second"), "marker2")
    api.ok_event(pid, api.moderation("internal"), "moderator")
    api.ok_event(pid, {**api.moderation("external"), "occurred_on": "2024-03-06"}, "moderator2")


def test_pass_rates_funnel_per_scope(api: Api, course: Course) -> None:
    _passed(api, course.participant_id)
    declined = api.enrol()
    api.ok_event(declined, {"type": "AccreditationDeclined", "cohort_id": "c1"})
    api.enrol()  # undecided
    withdrawn = api.enrol()
    api.ok_event(withdrawn, {"type": "Withdrawn", "cohort_id": "c1"})

    response = api.get("/reports/pass-rates", "staff", programme_id="vt", cohort_id="c1", year=2024)
    assert response.status_code == 200
    funnels = response.json()
    assert [f["scope"] for f in funnels] == ["programme", "cohort", "year"]
    for funnel in funnels:
        for name in FUNNEL_COUNTS:
            assert isinstance(funnel[name], int), name
        assert funnel["enrolled"] == 4
        assert funnel["withdrawn"] == 1
        assert funnel["accreditation_chosen"] == 1
        assert funnel["accreditation_declined"] == 1
        assert funnel["submitted"] == 1
        assert funnel["marked"] == 1
        assert funnel["moderated_internal"] == 1
        assert funnel["moderated_external"] == 1
        assert funnel["passed"] == 1
        assert funnel["referred"] == 0
        assert funnel["pending"] == 0
        assert funnel["credits_awarded"] == 30
        rate = funnel["pass_rate"]
        assert set(rate) == {"numerator", "denominator", "value", "definition"}
        assert (rate["numerator"], rate["denominator"], rate["value"]) == (1, 1, 1.0)
        assert rate["definition"]


def test_pass_rates_without_a_scope_gives_one_object_per_programme(
    api: Api, course: Course
) -> None:
    funnels = api.get("/reports/pass-rates", "staff").json()
    ours = [f for f in funnels if f["programme_id"] == "vt"]
    assert len(ours) == 1
    assert ours[0]["enrolled"] == 1
    assert ours[0]["pass_rate"]["value"] is None  # nothing over nothing is not a rate


def test_outcomes_counts_per_category_and_period(api: Api, course: Course) -> None:
    pid = course.participant_id
    api.ok_event(
        pid,
        {
            "type": "OutcomeReported",
            "category": "chair",
            "detail": "Forum chair.",
            "source": "interview",
            "occurred_on": "2024-05-02",
        },
    )
    api.ok_event(
        pid, {"type": "FollowUpCompleted", "method": "survey", "occurred_on": "2024-05-01"}
    )
    response = api.get("/reports/outcomes", "staff", programme_id="vt", cohort_id="c1")
    assert response.status_code == 200
    reports = response.json()
    assert [r["scope"] for r in reports] == ["programme", "cohort"]
    for report in reports:
        assert report["participants"] == 1
        assert report["followed_up"] == 1
        assert report["with_outcome"] == 1
        assert report["by_category"] == {"chair": 1}
        # category -> period after the course ended (17 Jan) -> count
        assert report["by_period"] == {
            "chair": {"during": 0, "0-6": 1, "6-12": 0, "12-24": 0, "24+": 0}
        }


def test_moderation_queue(api: Api, course: Course) -> None:
    pid = course.participant_id
    api.submitted(pid)
    queue = api.get("/reports/moderation-queue", "staff").json()
    assert queue == [
        {
            "participant_id": pid,
            "cohort_id": "c1",
            "attempt": 1,
            "waiting_for": step,
            "since": "2024-02-01",
            "days_waiting": 121,  # to the fixed clock's 1 June
        }
        for step in ("first_mark", "second_mark")
    ]
    api.ok_event(pid, api.mark("first"), "marker")
    api.ok_event(pid, api.mark("second"), "marker2")
    queue = api.get("/reports/moderation-queue", "staff").json()
    assert [(i["waiting_for"], i["since"]) for i in queue] == [
        ("internal_moderation", "2024-03-01")
    ]
    api.ok_event(pid, api.moderation("internal"), "moderator")
    api.ok_event(pid, {**api.moderation("external"), "occurred_on": "2024-03-06"}, "moderator2")
    assert api.get("/reports/moderation-queue", "moderator").json() == []


def test_certificates_through_http(api: Api, course: Course) -> None:
    pid = course.participant_id
    _passed(api, pid)
    for kind in ("attendance", "accredited"):
        api.ok_event(pid, {"type": "CertificateIssued", "cohort_id": "c1", "kind": kind})
    enrolment = api.get(f"/participants/{pid}", "staff").json()["enrolments"][0]
    assert sorted(enrolment["certificates"]) == ["accredited", "attendance"]
    assert enrolment["credits_awarded"] == 30
    assert enrolment["attempts"][0]["final_result"] == "pass"
