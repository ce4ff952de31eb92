"""The pages' forms over HTTP: what is wrong comes back next to its field with the input kept;
a form sent twice records once; a clash with someone else's save is said, and nothing of it
is lost or overwritten."""

from __future__ import annotations

import re
from typing import Any

from api_support import Api, Course
from pages_support import PageClient, hidden, sentences


def _types(api: Api, pid: str) -> list[str]:
    return [e["type"] for e in api.get(f"/participants/{pid}/history", "staff").json()]


def _event(browser: PageClient, pid: str, **fields: str) -> Any:
    form = browser.form_of(f"/ui/participants/{pid}")
    version = hidden(browser.get(f"/ui/participants/{pid}").text, "version")
    return browser.post(f"/ui/participants/{pid}/events", {**form, "version": version, **fields})


OUTCOME = {
    "form": "outcome",
    "type": "OutcomeReported",
    "category": "speaking",
    "detail": "Spoke at the council meeting.",
    "source": "self_report",
    "occurred_on": "2024-05-01",
}


def test_a_missing_field_is_said_next_to_it_and_the_rest_is_kept(api: Api, course: Course) -> None:
    browser = PageClient(api, "staff")
    response = _event(browser, course.participant_id, **{**OUTCOME, "detail": "  "})
    assert response.status_code == 422
    assert sentences(response.text) == ["Please fill this in."]
    assert 'id="outcome-detail-error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert '<option value="speaking" selected>' in response.text
    assert '<option value="self_report" selected>' in response.text
    assert "OutcomeReported" not in _types(api, course.participant_id)


def test_a_broken_rule_is_a_sentence_next_to_its_field(api: Api, course: Course) -> None:
    browser = PageClient(api, "staff")
    response = _event(browser, course.participant_id, **{**OUTCOME, "occurred_on": "2030-01-01"})
    assert response.status_code == 409
    [sentence] = sentences(response.text)
    assert "after today" in sentence
    assert 'id="outcome-occurred_on-error"' in response.text
    assert 'value="2030-01-01"' in response.text  # what was typed, kept


def test_a_form_sent_twice_records_once(api: Api, course: Course) -> None:
    browser = PageClient(api, "staff")
    pid = course.participant_id
    form = browser.form_of(f"/ui/participants/{pid}")
    version = hidden(browser.get(f"/ui/participants/{pid}").text, "version")
    fields = {**form, "version": version, **OUTCOME}
    first = browser.post(f"/ui/participants/{pid}/events", fields)
    again = browser.post(f"/ui/participants/{pid}/events", fields)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert _types(api, pid).count("OutcomeReported") == 1
    changed = browser.post(f"/ui/participants/{pid}/events", {**fields, "detail": "Other."})
    assert changed.status_code == 409
    assert "already sent with other values" in changed.text
    assert _types(api, pid).count("OutcomeReported") == 1


def test_a_journey_changed_since_the_page_was_shown_is_a_clash_not_an_overwrite(
    api: Api, course: Course
) -> None:
    browser = PageClient(api, "staff")
    pid = course.participant_id
    page = browser.get(f"/ui/participants/{pid}")
    shown = {"csrf": hidden(page.text, "csrf"), "form_token": hidden(page.text, "form_token")}
    version = hidden(page.text, "version")
    api.ok_event(pid, {"type": "FollowUpCompleted", "method": "survey"}, "staff2")
    response = browser.post(
        f"/ui/participants/{pid}/events", {**shown, "version": version, **OUTCOME}
    )
    assert response.status_code == 409
    assert "someone else recorded something on this journey" in response.text
    assert "Spoke at the council meeting." in response.text  # the input, kept
    assert "Follow-up completed (survey)" in response.text  # the timeline shows the change
    assert f'name="version" value="{int(version) + 1}"' in response.text
    assert "OutcomeReported" not in _types(api, pid)


def test_choosing_accreditation_from_the_journey_page(api: Api, course: Course) -> None:
    browser = PageClient(api, "staff")
    pid = course.participant_id
    page = browser.get(f"/ui/participants/{pid}")
    assert "Accreditation decision" in page.text
    assert "Record a submission" not in page.text
    response = _event(
        browser,
        pid,
        form="decision-c1",
        type="AccreditationChosen",
        cohort_id="c1",
        occurred_on="2024-01-20",
    )
    assert response.status_code == 303
    after = browser.get(response.headers["location"])
    assert "Saved: Chose to work towards accreditation" in after.text
    assert "Accreditation decision" not in after.text
    assert "Record a submission" in after.text


def test_a_marker_sees_a_journey_without_forms_and_without_the_other_marker(
    api: Api, course: Course
) -> None:
    pid = course.participant_id
    api.submitted(pid)
    api.ok_event(pid, api.mark("first"), "marker")
    mine = PageClient(api, "marker2").get(f"/ui/participants/{pid}")
    assert mine.status_code == 200
    assert "First mark" not in mine.text  # blind marking: not before both marks are in
    assert "Report an outcome" not in mine.text


def test_enrolling_twice_with_one_form_enrols_one_person(api: Api, course: Course) -> None:
    browser = PageClient(api, "staff")
    path = f"/ui/cohorts/{course.cohort_id}/enrol"
    form = browser.form_of(path)
    fields = {**form, "name": "Dee Dawson", "enrolled_on": "2024-01-02", "email": ""}
    first = browser.post(path, fields)
    again = browser.post(path, fields)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    register = api.get(f"/cohorts/{course.cohort_id}/register", "staff").json()
    assert len(register["rows"]) == 2  # Ann (the course's) and Dee, once


def test_an_enrolment_without_a_name_keeps_what_was_typed(api: Api, course: Course) -> None:
    browser = PageClient(api, "staff")
    path = f"/ui/cohorts/{course.cohort_id}/enrol"
    fields = {**browser.form_of(path), "name": "", "email": "dee@example.org"}
    response = browser.post(path, {**fields, "enrolled_on": "2024-01-02"})
    assert response.status_code == 422
    assert sentences(response.text) == ["Please fill this in."]
    assert 'value="dee@example.org"' in response.text
    future = browser.post(path, {**fields, "name": "Dee", "enrolled_on": "2031-01-01"})
    assert future.status_code == 409
    assert 'id="enrol-enrolled_on-error"' in future.text


def _register(browser: PageClient, course: Course, day: int) -> dict[str, str]:
    return {
        **browser.form_of(f"/ui/cohorts/{course.cohort_id}/register?day={day}"),
        "day": str(day),
    }


def test_a_register_saved_twice_records_once(api: Api, course: Course) -> None:
    browser = PageClient(api, "staff")
    pid = course.participant_id
    fields = {**_register(browser, course, 2), f"status-{pid}": "missed", f"reason-{pid}": "ill"}
    path = f"/ui/cohorts/{course.cohort_id}/register"
    for _ in range(2):
        response = browser.post(path, fields)
        assert response.status_code == 303
        assert response.headers["location"] == f"{path}?day=2&saved=1"
    assert _types(api, pid).count("SessionMissed") == 1
    page = browser.get(path, day="2", saved="1")
    assert "Saved: 1 entry for day 2." in page.text
    assert "Recorded: missed (ill)" in page.text


def test_a_register_clash_names_who_recorded_what_and_keeps_the_choice(
    api: Api, course: Course
) -> None:
    pid = course.participant_id
    mine, theirs = PageClient(api, "staff"), PageClient(api, "staff2")
    path = f"/ui/cohorts/{course.cohort_id}/register"
    shown = _register(mine, course, 1)
    theirs.post(path, {**_register(theirs, course, 1), f"status-{pid}": "attended"})
    response = mine.post(path, {**shown, f"status-{pid}": "missed", f"reason-{pid}": "bus"})
    assert response.status_code == 409
    [problem] = re.findall(
        r'id="problem-[^"]+">(?:<span[^>]*>Error: </span>)?([^<]+)', response.text
    )
    assert "staff-2 has already recorded Ann Example as attended for day 1" in problem
    assert f'name="status-{pid}" value="missed" checked' in response.text
    assert 'value="bus"' in response.text
    assert _types(api, pid).count("SessionAttended") == 1
    assert "SessionMissed" not in _types(api, pid)


def test_a_withdrawn_participant_has_no_choice_on_the_register(api: Api, course: Course) -> None:
    api.ok_event(course.participant_id, {"type": "Withdrawn", "cohort_id": "c1"})
    page = PageClient(api, "staff").get(f"/ui/cohorts/{course.cohort_id}/register")
    assert "Withdrawn" in page.text
    assert f"status-{course.participant_id}" not in page.text


def test_someone_enrolled_after_a_day_has_no_choice_for_it(api: Api, course: Course) -> None:
    late = api.enrol(enrolled_on="2024-01-15", name="Lee Late")  # after days 1 and 2
    browser = PageClient(api, "staff")
    day_one = browser.get(f"/ui/cohorts/{course.cohort_id}/register", day="1").text
    assert "Enrolled after this day" in day_one
    assert f"status-{late}" not in day_one
    assert f"status-{late}" in browser.get(f"/ui/cohorts/{course.cohort_id}/register", day="3").text


def test_a_register_that_does_not_say_its_day_records_nothing(api: Api, course: Course) -> None:
    browser = PageClient(api, "staff")
    pid = course.participant_id
    form = _register(browser, course, 1)
    for day in ("", "0", "4", "x"):
        fields = {**form, "day": day, f"status-{pid}": "attended"}
        response = browser.post(f"/ui/cohorts/{course.cohort_id}/register", fields)
        assert response.status_code == 422
    assert "SessionAttended" not in _types(api, pid)
