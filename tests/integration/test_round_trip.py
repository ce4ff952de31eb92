"""A whole journey written by one ledger reads back the same from a new ledger on the store."""

from __future__ import annotations

from datetime import date, datetime

from integration_support import (
    COHORT_ID,
    ENROLLED_ON,
    PROGRAMME_ID,
    SECOND_COHORT_ID,
    SECOND_PROGRAMME_ID,
    SESSION_DATES,
    STAFF,
    LedgerWithoutSnapshots,
    assert_no_lists_and_dates_typed,
    record_full_journey,
)

from journey.catalogue import shipped_programmes
from journey.state import Mark, Moderation, Outcome, PersonalDetails, SessionRecord


def test_a_full_journey_reads_back_equal_from_a_new_ledger(store_url, open_ledger):
    first = open_ledger(store_url)
    pid = record_full_journey(first)
    # Enough more events to pass version 50, so that the new ledger loads from a snapshot
    # (which stores the state's records, not the events) as well as from events.
    for n in range(15):
        first.measure_wellbeing(
            participant_id=pid,
            scale="SWEMWBS",
            score=20 + n,
            timepoint="follow_up",
            occurred_on=date(2024, 5, 1 + n),
            actor="staff-dan",
        )
    view = first.get_participant(pid)
    assert view.version > 50
    versions = range(1, view.version + 1)
    as_of = [first.get_participant(pid, version=v) for v in versions]
    history = first.history(pid)
    programmes = {d.programme_id: first.get_programme(d.programme_id) for d in shipped_programmes()}
    cohorts = {c: first.get_cohort(c) for c in (COHORT_ID, SECOND_COHORT_ID)}
    first.close()

    second = open_ledger(store_url, prepared=False)
    assert second.get_participant(pid) == view
    assert [second.get_participant(pid, version=v) for v in versions] == as_of
    assert second.history(pid) == history
    assert {p: second.get_programme(p) for p in programmes} == programmes
    assert {c: second.get_cohort(c) for c in cohorts} == cohorts
    # The same state again, replayed from every event without the snapshot.
    assert second.snapshots is not None
    assert [s.originator_version for s in second.snapshots.get(pid)] == [50]
    replayed = open_ledger(store_url, cls=LedgerWithoutSnapshots, prepared=False)
    assert replayed.snapshots is None
    assert replayed.get_participant(pid) == view

    # Equal is not enough if both sides were wrong in the same way: check the shapes.
    assert_no_lists_and_dates_typed(view)
    assert isinstance(view.registered_at, datetime)
    assert view.registered_at.tzinfo is not None
    assert view.details == PersonalDetails(
        name="Ada Okafor",
        email="ada@example.org",
        phone="07700 900123",
        ethnicity="Black British",
        gender="female",
        age_band="35-44",
        disability=None,
    )
    main = view.enrolment(COHORT_ID)
    assert main is not None
    assert (main.programme_id, main.enrolled_on) == (PROGRAMME_ID, ENROLLED_ON)
    assert main.sessions[3] == SessionRecord(4, "missed", SESSION_DATES[3], "hospital appointment")
    assert main.sessions[4] == SessionRecord(5, "attended", SESSION_DATES[4])
    assert (main.attended, main.accreditation, main.credits_awarded) == (11, "chosen", 30)
    assert main.certificates == ("attendance", "accredited")
    referred, passed = main.attempts
    assert (referred.final_result, passed.final_result) == ("refer", "pass")
    assert passed.submitted == ("log", "essay")
    assert passed.submitted_on == (date(2024, 5, 1), date(2024, 5, 2))
    assert passed.essay_format == "poster"
    assert passed.marks[1] == Mark(
        "second",
        "marker-eli",
        "pass",
        "second mark of attempt 2: clear reflection on practice",
        date(2024, 5, 6),
    )
    assert passed.moderations == (
        Moderation("internal", "mod-fay", "pass", date(2024, 5, 8)),
        Moderation("external", "mod-gus", "pass", date(2024, 5, 10)),
    )
    other = view.enrolment(SECOND_COHORT_ID)
    assert other is not None
    assert (other.programme_id, other.accreditation) == (SECOND_PROGRAMME_ID, "declined")
    assert other.withdrawn_on == date(2024, 2, 9)
    assert view.outcomes[0] == Outcome(
        "chair",
        "Chaired the service user forum",
        "interview",
        date(2024, 3, 1),
        date(2024, 5, 20),
        "staff-dan",
        view.outcomes[0].version,
    )
    assert view.outcomes[0].version > 1
    assert view.outcomes[1].ended_on is None
    assert view.follow_ups[0].recorded_by == "staff-dan"
    assert view.feedback[0].interviewer == "interviewer-hal"
    assert len(view.wellbeing) == 17
    assert programmes[PROGRAMME_ID].accreditation is not None
    assert programmes[PROGRAMME_ID].accreditation.components == ("log", "essay")
    assert cohorts[COHORT_ID].session_dates == SESSION_DATES

    # History: every event in order, dated, and attributed to whoever recorded it.
    assert [h.version for h in history] == list(versions)
    assert all(h.occurred_on is None or type(h.occurred_on) is date for h in history)
    assert all(h.recorded_at.tzinfo is not None for h in history)
    marks = [h for h in history if h.type == "Marked"]
    assert [h.recorded_by for h in marks] == ["marker-dee", "marker-eli"] * 2
    assert all(h.fields["marker"] == h.recorded_by for h in marks)
    moderations = [h.recorded_by for h in history if h.type == "Moderated"]
    assert moderations == ["mod-fay", "mod-gus"] * 2
    assert [h.fields["credits"] for h in history if h.type == "Moderated"] == [0, 0, 0, 30]
    chair = next(h for h in history if h.type == "OutcomeReported")
    assert (chair.recorded_by, chair.fields["ended_on"]) == ("staff-dan", date(2024, 5, 20))
    assert (history[0].type, history[0].recorded_by, history[0].occurred_on) == (
        "Registered",
        STAFF,
        None,
    )
    assert (history[1].type, history[1].occurred_on) == ("Enrolled", ENROLLED_ON)
    missed = next(h for h in history if h.type == "SessionMissed")
    assert (missed.recorded_by, missed.fields["reason"]) == ("trainer-ana", "hospital appointment")
