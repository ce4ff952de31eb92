"""The demo scenario: the paper's funnel, computed from the participants' own views."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from statistics import mean
from typing import Any

import pytest

from journey.application import JourneyLedger
from journey.demo import DemoSummary, demo_participant_id, load_demo
from journey.errors import AlreadyExists
from journey.values import OUTCOME_CATEGORIES
from journey.views import ParticipantView

MakeLedger = Callable[..., JourneyLedger]
TODAY = date(2024, 6, 1)


def _load(
    make_ledger: MakeLedger, today: date = TODAY, seed: int = 2013
) -> tuple[JourneyLedger, DemoSummary, list[ParticipantView]]:
    ledger = make_ledger(today=today)
    summary = load_demo(ledger, today=today, seed=seed)
    views = [ledger.get_participant(pid) for pid in summary.participant_ids]
    return ledger, summary, views


def _funnel(summary: DemoSummary, views: list[ParticipantView]) -> dict[str, int]:
    """The figures the paper reports, counted over participants from their views."""
    done = [e for v in views for e in v.enrolments if e.cohort_id in summary.completed_cohorts]
    now = [e for v in views for e in v.enrolments if e.cohort_id in summary.current_cohorts]
    submitted = [e for e in done if (a := e.attempt(1)) and set(a.submitted) == {"log", "essay"}]
    pending = [e for e in submitted if not e.passed and e.attempts[-1].final_result is None]
    return {
        "enrolled": len(done),
        "chose": sum(e.accreditation == "chosen" for e in done),
        "submitted": len(submitted),
        "passed": sum(e.passed for e in done),
        "pending": len(pending),
        "referred": sum(bool(e.attempts) and e.attempts[-1].final_result == "refer" for e in done),
        "credits": sum(e.credits_awarded for e in done),
        "accredited_certificates": sum("accredited" in e.certificates for e in done),
        "current": len(now),
        "current_submitted": sum(e.has_submitted for e in now),
    }


def _histories(ledger: JourneyLedger, summary: DemoSummary) -> list[list[tuple[Any, ...]]]:
    return [
        [
            (h.type, h.version, h.occurred_on, h.recorded_by, dict(h.fields))
            for h in ledger.history(pid)
        ]
        for pid in summary.participant_ids
    ]


def test_the_demo_reproduces_the_papers_funnel(make_ledger: MakeLedger) -> None:
    _, summary, views = _load(make_ledger)

    funnel = _funnel(summary, views)
    assert funnel == {
        "enrolled": 43,
        "chose": funnel["chose"],
        "submitted": 15,
        "passed": 9,
        "pending": 6,
        "referred": 0,
        "credits": 9 * 30,
        "accredited_certificates": 9,
        "current": 32,
        "current_submitted": 0,
    }
    assert funnel["chose"] > 15  # some chose accreditation and never submitted
    assert (summary.enrolled_completed, summary.submitted, summary.passed) == (43, 15, 9)
    assert (summary.pending, summary.enrolled_current) == (6, 32)
    assert len(summary.completed_cohorts) == 4
    assert len(summary.current_cohorts) == 2
    assert summary.participant_ids == tuple(demo_participant_id(i) for i in range(75))
    assert all(e.programme_id == "voices-together" for v in views for e in v.enrolments)
    assert summary.events == sum(v.version for v in views) + 2 + 6


def test_pending_results_wait_at_every_stage_and_one_was_referred_first(
    make_ledger: MakeLedger,
) -> None:
    _, _, views = _load(make_ledger)
    enrolments = [e for v in views for e in v.enrolments]

    waiting = Counter(
        len(a.marks) + len(a.moderations)
        for e in enrolments
        if (a := e.latest_attempt) and a.final_result is None
    )
    assert waiting == Counter({0: 2, 1: 1, 2: 2, 3: 1})  # first, second, internal, external
    resubmitted = [e for e in enrolments if len(e.attempts) == 2]
    assert len(resubmitted) == 1
    assert resubmitted[0].attempts[0].final_result == "refer"
    assert resubmitted[0].passed


def test_every_marked_attempt_has_two_markers_and_independent_moderators(
    make_ledger: MakeLedger,
) -> None:
    ledger, summary, views = _load(make_ledger)
    attempts = [a for v in views for e in v.enrolments for a in e.attempts]

    assert len(attempts) == 16
    formats = Counter(a.essay_format for a in attempts)
    assert set(formats) == {"written", "oral", "poster"}
    for attempt in attempts:
        markers = [m.marker for m in attempt.marks]
        assert len(set(markers)) == len(markers)
        internal, external = attempt.moderation("internal"), attempt.moderation("external")
        if internal:
            assert internal.moderator not in markers
        if external:
            assert internal is not None
            assert external.moderator not in (*markers, internal.moderator)
            assert external.moderator.startswith("mdx:")
    trainers = {c: set(ledger.get_cohort(c).trainers) for c in summary.completed_cohorts}
    quotes = [f for v in views for f in v.feedback]
    assert quotes
    assert all(f.cohort_id and f.interviewer not in trainers[f.cohort_id] for f in quotes)


def test_attendance_certificates_and_dates(make_ledger: MakeLedger) -> None:
    ledger, summary, views = _load(make_ledger)

    for cohort_id in summary.completed_cohorts:
        assert ledger.get_cohort(cohort_id).session_dates[-1] <= TODAY
    for cohort_id in summary.current_cohorts:
        days = ledger.get_cohort(cohort_id).session_dates
        assert days[0] <= TODAY < days[-1]
    for view in views:
        for e in view.enrolments:
            assert all(s.occurred_on <= TODAY for s in e.sessions)
            if e.cohort_id in summary.completed_cohorts and not e.withdrawn:
                assert len(e.sessions) == 12
                assert ("attendance" in e.certificates) == (e.attended >= 9)
    attended = [e.attended for v in views for e in v.enrolments if len(e.sessions) == 12]
    assert sum(n >= 9 for n in attended) > 0.8 * len(attended)
    assert sum(e.withdrawn for v in views for e in v.enrolments) == 4
    for pid in summary.participant_ids:
        assert all(h.occurred_on is None or h.occurred_on <= TODAY for h in ledger.history(pid))


def test_outcomes_follow_ups_and_wellbeing_look_like_a_real_evaluation(
    make_ledger: MakeLedger,
) -> None:
    ledger, summary, views = _load(make_ledger)

    outcomes = [o for v in views for o in v.outcomes]
    assert {o.category for o in outcomes} == set(OUTCOME_CATEGORIES)
    assert any(o.ended_on is not None for o in outcomes)
    assert {o.source for o in outcomes} == {"interview", "self_report", "staff_observation"}
    follow_ups = [f for v in views for f in v.follow_ups]
    assert {f.method for f in follow_ups} == {"telephone_interview", "survey"}
    found_nothing = 0
    for pid in summary.participant_ids:
        history = ledger.history(pid)
        for entry, after in zip(history, (*history[1:], None), strict=True):
            if entry.type == "FollowUpCompleted":
                found_nothing += after is None or after.type != "OutcomeReported"
    assert 0 < found_nothing < len(follow_ups)  # silence is not a "no"
    scores: dict[str, list[int]] = {"baseline": [], "end": [], "follow_up": []}
    for w in (w for v in views for w in v.wellbeing):
        assert w.scale == "WEMWBS"
        assert 14 <= w.score <= 70
        scores[w.timepoint].append(w.score)
    assert all(scores.values())
    assert mean(scores["baseline"]) < mean(scores["end"]) <= mean(scores["follow_up"]) + 2


def test_the_same_seed_records_the_same_events(make_ledger: MakeLedger) -> None:
    first, summary, _ = _load(make_ledger)
    second, again, _ = _load(make_ledger)
    other, different, _ = _load(make_ledger, seed=7)

    assert again == summary
    assert _histories(first, summary) == _histories(second, again)
    assert _histories(other, different) != _histories(first, summary)
    views = [other.get_participant(pid) for pid in different.participant_ids]
    assert _funnel(different, views)["passed"] == 9


def test_another_today_shifts_the_dates_and_keeps_the_figures(make_ledger: MakeLedger) -> None:
    later = TODAY + timedelta(days=400)
    ledger, summary, views = _load(make_ledger)
    ledger_later, summary_later, views_later = _load(make_ledger, today=later)

    assert _funnel(summary_later, views_later) == _funnel(summary, views)
    for now, then in zip(summary.completed_cohorts, summary_later.completed_cohorts, strict=True):
        first_day = ledger.get_cohort(now).session_dates[0]
        shift = ledger_later.get_cohort(then).session_dates[0] - first_day
        assert abs(shift.days - 400) <= 7
    for pid in summary_later.participant_ids:
        history = ledger_later.history(pid)
        assert all(h.occurred_on is None or h.occurred_on <= later for h in history)


def test_progress_is_reported_and_a_second_load_is_refused(make_ledger: MakeLedger) -> None:
    ledger = make_ledger()
    calls: list[tuple[int, int]] = []

    load_demo(ledger, today=TODAY, progress=lambda done, total: calls.append((done, total)))

    assert calls == [(n, 75) for n in range(1, 76)]
    with pytest.raises(AlreadyExists):
        load_demo(ledger, today=TODAY)
