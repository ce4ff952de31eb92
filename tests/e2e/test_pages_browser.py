"""The staff pages in a real browser (Debian's Chromium) against a real ``journey serve``:
sign in, take a register, record an accreditation choice and an outcome, and see the
dashboard's figures change; a role that may not take the register cannot reach its form; a
form sent twice records once; a clash with another save is shown, not lost; every page
passes axe-core with no serious or critical violation, also on a phone-sized screen."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_support import AXE, Server

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    # bypass_csp: the pages allow no inline script; the test injects axe-core into them.
    made = browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="en-GB")
    made.set_default_timeout(10_000)
    yield made
    made.close()


def sign_in(page: Any, server: Server, who: str, then: str = "/ui") -> None:
    page.goto(server.url + then)
    assert "/ui/sign-in" in page.url
    page.get_by_label("Access token").fill(server.tokens[who])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(server.url + then) + r"$"))


def check_accessibility(page: Any, shots: Path | None = None, name: str = "") -> None:
    """Run axe-core in the page; fail on a serious or critical violation. The rest (minor,
    moderate) are written next to the page's screenshot, to be read."""
    page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {
              runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']
           })).violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                     nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))"""
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    if shots is not None:
        (shots / f"{name}.axe.json").write_text(json.dumps(violations, indent=2))


def look(page: Any, shots: Path, name: str) -> None:
    """Check the page with axe-core and take its screenshot (the whole page)."""
    check_accessibility(page, shots, name)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def figure(page: Any, selector: str, column: int) -> int:
    """The number in ``column`` (0: the row header) of the table row at ``selector``."""
    cells = page.locator(f"{selector} > *")
    return int(cells.nth(column).inner_text().strip())


def test_staff_take_a_register_record_a_choice_and_an_outcome_and_the_dashboard_follows(
    server: Server, context: Any, shots: Path
) -> None:
    page = context.new_page()
    page.goto(server.url + "/ui/sign-in")
    look(page, shots, "00-sign-in")
    sign_in(page, server, "staff")
    look(page, shots, "01-cohorts")

    dashboard = f"{server.url}/ui/cohorts/{server.cohort_id}"
    page.goto(dashboard)
    assert figure(page, "#attendance tr[data-day='1']", 1) == 0
    assert figure(page, "#funnel tr[data-stage='Chose accreditation']", 1) == 0
    assert "0 of 3 participants have at least one outcome" in page.inner_text("#outcomes")
    assert page.locator("figure.plot img").count() == 1  # the outcome curves, drawn for the page

    # The register for day 1: Ann attended, Ben missed (with a reason), Cal left open.
    page.get_by_role("link", name="Take the register").first.click()
    page.get_by_label("Training day").select_option("1")
    page.get_by_role("button", name="Show this day").click()
    page.get_by_role("group", name="Ann Archer on day 1").get_by_label(
        "Attended", exact=True
    ).check()
    ben = page.get_by_role("group", name="Ben Baker on day 1")
    ben.get_by_label("Missed", exact=True).check()
    ben.get_by_label("Reason if missed").fill("Hospital appointment")
    page.get_by_role("button", name="Save the register for day 1").click()
    assert "Saved: 2 entries for day 1." in page.get_by_role("status").inner_text()
    assert "Recorded: missed (Hospital appointment)" in page.inner_text("tbody")
    look(page, shots, "02-register-saved")

    # Ann's journey: choose accreditation, then report an outcome.
    page.get_by_role("link", name="Ann Archer").click()
    page.get_by_role("button", name="Chose accreditation").click()
    assert "Saved: Chose to work towards accreditation" in page.get_by_role("status").inner_text()
    page.get_by_label("What kind of outcome").select_option("chair")
    page.get_by_label("What happened").fill("Chairs the service-user forum in Thurrock")
    page.get_by_label("How we know").select_option("interview")
    page.get_by_role("button", name="Report the outcome").click()
    timeline = page.locator(".timeline").inner_text()
    assert "Chose to work towards accreditation" in timeline
    assert "Chairs the service-user forum in Thurrock" in timeline
    assert "Attended training day 1" in timeline

    # A broken rule comes back next to its field, with what was typed kept.
    page.get_by_label("Reflective essay").check()
    page.get_by_label("Essay format").select_option("oral")
    page.get_by_label("Attempt", exact=True).fill("2")
    page.get_by_role("button", name="Record the submission").click()
    attempt = page.get_by_label("Attempt", exact=True)
    assert attempt.get_attribute("aria-invalid") == "true"
    error = page.locator("#submission-grays-e2e-attempt-error").inner_text()
    assert "attempt" in error.lower(), error
    assert attempt.input_value() == "2"
    assert page.get_by_label("Reflective essay").is_checked()
    assert page.get_by_label("Essay format").input_value() == "oral"
    look(page, shots, "03-journey-with-rule-error")
    assert [e["type"] for e in server.history("Ann Archer")].count("EssaySubmitted") == 0

    page.goto(dashboard)
    page.get_by_role("link", name="Enrol someone").click()
    page.get_by_label("Name").fill("Dee Dawson")
    page.get_by_role("button", name="Enrol").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dee Dawson"
    page.go_back()
    page.get_by_label("Name").fill("   ")  # the browser's own check passes; the server's not
    page.get_by_label("Email").fill("dee@example.org")
    page.get_by_role("button", name="Enrol").click()
    assert page.get_by_label("Email").input_value() == "dee@example.org"
    assert page.get_by_label("Name").get_attribute("aria-invalid") == "true"
    look(page, shots, "05-enrol-with-error")

    page.goto(dashboard)
    assert figure(page, "#attendance tr[data-day='1']", 1) == 1
    assert figure(page, "#attendance tr[data-day='1']", 2) == 1
    assert figure(page, "#funnel tr[data-stage='Chose accreditation']", 1) == 1
    assert "1 of 4 participants have at least one outcome" in page.inner_text("#outcomes")
    assert figure(page, "#outcomes tr[data-category='chair']", 6) == 1
    plot = page.locator("figure.plot img")
    plot.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=plot.element_handle())
    assert plot.evaluate("img => img.naturalWidth") > 300  # the outcome curves were drawn
    look(page, shots, "04-dashboard")


def test_a_role_that_may_not_take_the_register_cannot_reach_its_form(
    server: Server, context: Any, shots: Path
) -> None:
    page = context.new_page()
    register = f"/ui/cohorts/{server.cohort_id}/register"
    page.goto(server.url + register)
    # Keyboard only: the skip link comes first, then the token field; Enter signs in.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the main content"
    page.get_by_label("Access token").focus()
    page.keyboard.type(server.tokens["researcher"])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(register)))
    assert page.get_by_role("heading", level=1).inner_text() == "Not for your role"
    assert "needs the role staff or auditor" in page.inner_text("main")
    assert page.locator("form.register").count() == 0
    look(page, shots, "06-forbidden")

    # An auditor reads the register but gets no form, and a post made by hand is refused.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server, "auditor", then=register)
    assert page.get_by_role("button", name=re.compile("Save the register")).count() == 0
    assert "can read the register but not take it" in page.inner_text("main")
    status = page.evaluate(
        """async ([url, csrf]) => (await fetch(url, {method: 'POST', body: new URLSearchParams(
              {csrf: csrf, day: '3', form_token: 't'})})).status""",
        [server.url + register, page.locator("input[name=csrf]").first.input_value()],
    )
    assert status == 403


def test_a_register_sent_twice_records_once_and_a_clash_is_shown_not_lost(
    server: Server, browser: Any, context: Any, shots: Path
) -> None:
    page = context.new_page()
    register = f"/ui/cohorts/{server.cohort_id}/register?day=2"
    sign_in(page, server, "staff", then=register)
    page.get_by_role("group", name="Cal Carter on day 2").get_by_label(
        "Attended", exact=True
    ).check()
    # The same form sent twice at once (a double tap with scripts off, or a flaky network).
    statuses = page.evaluate(
        """async () => {
             const form = document.querySelector('form.register');
             const send = () => fetch(form.action, {method: 'POST',
                 body: new URLSearchParams(new FormData(form)), redirect: 'manual'});
             return (await Promise.all([send(), send()])).map(r => r.type);
           }"""
    )
    assert statuses == ["opaqueredirect", "opaqueredirect"]  # both answered "saved"
    days = [
        e["fields"]["session"]
        for e in server.history("Cal Carter")
        if e["type"] == "SessionAttended"
    ]
    assert days == [2]

    # Two staff members take the same day; the second one's choice clashes with the first's.
    other = browser.new_context(viewport=PHONE, bypass_csp=True, locale="en-GB")
    try:
        second = other.new_page()
        sign_in(second, server, "staff2", then=register)
        page.reload()
        page.get_by_role("group", name="Ann Archer on day 2").get_by_label(
            "Attended", exact=True
        ).check()
        second.get_by_role("group", name="Ann Archer on day 2").get_by_label(
            "Missed", exact=True
        ).check()
        page.get_by_role("button", name="Save the register for day 2").click()
        second.get_by_role("button", name="Save the register for day 2").click()
        alert = second.get_by_role("alert").inner_text()
        assert "1 row was not saved" in alert
        row = second.locator("tr.has-error").inner_text()
        assert "staff-e2e has already recorded Ann Archer as attended" in row
        kept = second.get_by_role("group", name="Ann Archer on day 2").get_by_label(
            "Missed", exact=True
        )
        assert kept.is_checked()
        look(second, shots, "07-register-clash-phone")
    finally:
        other.close()
    statuses_of_ann = [
        e["type"] for e in server.history("Ann Archer") if e["fields"].get("session") == 2
    ]
    assert statuses_of_ann == ["SessionAttended"]
