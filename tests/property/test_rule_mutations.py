"""The state machine must fail if any single rule check is removed.

Each guard in :mod:`journey.rules` is replaced, one at a time, by a version that checks nothing
(a guard that returns what it checked returns it unchecked), and the machine must then fail:
the checker finds an unlawful history, an invariant breaks, or the domain crashes on what the
guard would have kept out. Two guards cannot be caught this way, because another guard always
refuses the same commands first; for each, a test here shows that guard doing so.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import HypothesisException
from hypothesis.stateful import run_state_machine_as_test
from journey_machine import JourneyMachine
from journey_world import PARTICIPANTS, TODAY, build_ledger

from journey import rules
from journey.application import JourneyLedger
from journey.errors import (
    AttemptSequenceError,
    ComponentAlreadySubmittedError,
    DomainError,
    MarkingError,
)
from journey.state import Enrolment, PersonalDetails
from journey.values import CohortPlan, MarkStage, ModerationStage, Result

pytestmark = pytest.mark.slow

# No shrinking: the question is only whether the machine fails. Derandomized, so each mutant's
# run is the same every time. Measured: every detectable mutant fails by about example 100 (most
# within 10); over 8 other seeds the median was at most 22 and the slowest 233.
MUTANT_SETTINGS = settings(
    max_examples=250,
    stateful_step_count=40,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.generate],
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)

GUARDS = (
    "accreditation_chosen",
    "attempt_complete",
    "attempt_exists",
    "attempt_in_sequence",
    "attendance_meets_threshold",
    "certificate_not_issued",
    "component_assessed",
    "component_not_submitted",
    "decision_changes",
    "decision_still_open",
    "enrolled",
    "essay_format_allowed",
    "has_passed",
    "internal_before_external",
    "interviewer_not_trainer",
    "mark_stage_open",
    "markers_differ",
    "marks_complete",
    "moderation_stage_open",
    "moderator_did_not_mark",
    "moderators_differ",
    "not_already_enrolled",
    "not_before",
    "not_before_enrolment",
    "not_in_future",
    "not_passed",
    "not_withdrawn",
    "not_yet_withdrawn",
    "offers_accreditation",
    "result_not_final",
    "score_in_range",
    "session_is_cohort_day",
    "session_not_before_enrolment",
    "session_not_in_future",
    "session_not_recorded",
    "session_on_its_day",
)

# The guards of corrections. The state machine here issues none; what keeps a correction from
# making the record break a rule is the replay of every standing event's command
# (participant._history_keeps_rules: tests/projections/test_corrections_keep_the_rules.py
# fails without it), and most of these refuse earlier with a plainer sentence. Each one's
# refusal is shown in tests/unit/test_corrections.py.
CORRECTION_GUARDS = (
    "attendance_certificate_holds",
    "correctable",
    "corrected_by_author",
    "enrolment_before_its_records",
    "enrolment_has_no_records",
    "first_mark_not_seconded",
    "no_accredited_certificate",
    "no_attempt_depends",
    "no_later_attempt",
    "submission_not_marked",
)

# Erasure: the machine forgets nobody; tests/privacy/test_erasure.py shows this one refusing.
ERASURE_GUARDS = ("not_forgotten",)


def _enrolment_unchecked(enrolments: dict[str, Enrolment], cohort_id: str) -> Enrolment | None:
    return enrolments.get(cohort_id)


def _day_unchecked(plan: CohortPlan, session: int) -> date | None:
    return plan.session_date(session)


def _accreditation_unchecked(plan: CohortPlan) -> Any:
    return plan.programme.accreditation


def _attempt_unchecked(enrolment: Enrolment, number: int) -> Any:
    return enrolment.attempt(number)


def _check_nothing(*args: object, **kwargs: object) -> None:
    return None


# The guards that return what they checked: removed, they return it unchecked.
UNCHECKED: dict[str, Callable[..., Any]] = {
    "enrolled": _enrolment_unchecked,
    "session_is_cohort_day": _day_unchecked,
    "offers_accreditation": _accreditation_unchecked,
    "attempt_exists": _attempt_unchecked,
}

# Guards whose removal no run can detect, and why (each proved by a test below).
SHADOWED = {
    "result_not_final": (
        "an attempt has a final result only after external moderation, which needed both marks "
        "(marks_complete), so a further mark of either stage is refused by mark_stage_open, "
        "which the mark command checks next (attempt_complete passes: the attempt was complete)"
    ),
    "not_passed": (
        "after a pass on attempt k, attempt k+1 needs a referred attempt k (attempt_in_sequence) "
        "and later ones a previous attempt that does not exist; attempt k and earlier attempts "
        "were complete before they were marked, so any component is already submitted "
        "(component_not_submitted); numbers out of range fail attempt_in_sequence"
    ),
}


def _run_machine() -> BaseException | None:
    """The exception that ends the machine's run, or None if every example passed."""
    try:
        run_state_machine_as_test(JourneyMachine, settings=MUTANT_SETTINGS)
    except Exception as failure:  # any failure counts: that is the point of a mutant
        return failure
    return None


def test_the_guard_list_is_every_guard_in_rules() -> None:
    defined = {
        name
        for name, value in vars(rules).items()
        if inspect.isfunction(value) and value.__module__ == rules.__name__
    }
    listed = set(GUARDS) | set(CORRECTION_GUARDS) | set(ERASURE_GUARDS)
    assert defined == listed, "add new guards to GUARDS"


def test_the_machine_passes_at_mutant_settings_without_a_mutant() -> None:
    """So that every failure below is the mutant's doing."""
    assert _run_machine() is None


@pytest.mark.parametrize(
    "guard",
    [
        pytest.param(
            guard,
            marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=SHADOWED[guard]),
        )
        if guard in SHADOWED
        else guard
        for guard in GUARDS
    ],
)
def test_removing_a_guard_fails_the_machine(guard: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, guard, UNCHECKED.get(guard, _check_nothing))
    failure = _run_machine()
    assert failure is not None, f"the machine did not notice that {guard} was removed"
    assert not isinstance(failure, HypothesisException | DomainError), repr(failure)


# -- the shadowed guards ---------------------------------------------------------------------

PASSES_ON_ATTEMPT: dict[str, tuple[Result, ...]] = {"first": ("pass",), "second": ("refer", "pass")}


@pytest.fixture
def ledger() -> Iterator[JourneyLedger]:
    made = build_ledger()
    yield made
    made.close()


def _assess(ledger: JourneyLedger, cohort_id: str, results: tuple[Result, ...]) -> UUID:
    """A participant on ``cohort_id`` whose attempts 1, 2... end in ``results``."""
    pid = PARTICIPANTS[0]
    details = PersonalDetails(name="Participant 0")
    ledger.enrol(
        participant_id=pid,
        cohort_id=cohort_id,
        enrolled_on=date(2024, 4, 29),
        details=details,
        actor="staff",
    )
    ledger.decide_accreditation(
        participant_id=pid, cohort_id=cohort_id, choose=True, occurred_on=TODAY, actor="staff"
    )
    marks: tuple[tuple[MarkStage, str], ...] = (("first", "ann"), ("second", "bob"))
    moderations: tuple[tuple[ModerationStage, str], ...] = (
        ("internal", "cat"),
        ("external", "dan"),
    )
    for attempt, result in enumerate(results, start=1):
        if cohort_id == "voices-1":
            ledger.submit_log(
                participant_id=pid,
                cohort_id=cohort_id,
                attempt=attempt,
                occurred_on=TODAY,
                actor="staff",
            )
        ledger.submit_essay(
            participant_id=pid,
            cohort_id=cohort_id,
            attempt=attempt,
            essay_format="written",
            occurred_on=TODAY,
            actor="staff",
        )
        for stage, marker in marks:
            ledger.record_mark(
                participant_id=pid,
                cohort_id=cohort_id,
                attempt=attempt,
                stage=stage,
                result=result,
                feedback="Clear.",
                occurred_on=TODAY,
                actor=marker,
            )
        for level, moderator in moderations:
            ledger.record_moderation(
                participant_id=pid,
                cohort_id=cohort_id,
                attempt=attempt,
                stage=level,
                result=result,
                occurred_on=TODAY,
                actor=moderator,
            )
    return pid


@pytest.mark.parametrize("final", ["pass", "refer"])
@pytest.mark.parametrize("stage", ["first", "second"])
def test_without_result_not_final_mark_stage_open_refuses_marks_after_the_final_result(
    ledger: JourneyLedger, monkeypatch: pytest.MonkeyPatch, final: Result, stage: MarkStage
) -> None:
    pid = _assess(ledger, "essay-1", (final,))
    monkeypatch.setattr(rules, "result_not_final", _check_nothing)
    with pytest.raises(MarkingError) as refused:
        ledger.record_mark(
            participant_id=pid,
            cohort_id="essay-1",
            attempt=1,
            stage=stage,
            result="pass",
            feedback="Again.",
            occurred_on=TODAY,
            actor="eve",
        )
    assert refused.value.code == "mark-already-recorded"


@pytest.mark.parametrize("passed_on", list(PASSES_ON_ATTEMPT))
@pytest.mark.parametrize("attempt", [0, 1, 2, 3])
@pytest.mark.parametrize("component", ["log", "essay"])
def test_without_not_passed_other_guards_refuse_every_submission_after_a_pass(
    ledger: JourneyLedger,
    monkeypatch: pytest.MonkeyPatch,
    passed_on: str,
    attempt: int,
    component: str,
) -> None:
    pid = _assess(ledger, "voices-1", PASSES_ON_ATTEMPT[passed_on])
    monkeypatch.setattr(rules, "not_passed", _check_nothing)
    submit = (
        partial(ledger.submit_log)
        if component == "log"
        else partial(ledger.submit_essay, essay_format="oral")
    )
    with pytest.raises((AttemptSequenceError, ComponentAlreadySubmittedError)):
        submit(
            participant_id=pid,
            cohort_id="voices-1",
            attempt=attempt,
            occurred_on=TODAY,
            actor="staff",
        )
