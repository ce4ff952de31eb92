"""Random histories with corrections: the record never says what the rules forbid.

For every participant of a random walk (HistoryWalk issues retractions and amendments among
its commands, the refused ones included), two things hold after every step:

- the events that stand (``effective_events``: corrections applied, stale moderations
  dropped) pass the independent rule checker of tests/property, read in recorded order: a
  correction can never make the record break an accreditation rule;
- the participant's state, which the aggregate keeps up by undoing and redoing single events,
  equals a fold of those standing events from scratch.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from history_walk import TODAY, DataChooser, HistoryWalk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journey.application import JourneyLedger
from journey.corrections import effective_events
from journey.persistence import store_env

sys.path.insert(0, str(Path(__file__).parent.parent / "property"))
from history_checker import (
    AccreditationSpec,
    CohortSpec,
    ProgrammeSpec,
    check_history,
)


def _specs(ledger: JourneyLedger, cohort_ids: list[str]) -> dict[str, CohortSpec]:
    specs = {}
    for cohort_id in cohort_ids:
        cohort = ledger.get_cohort(cohort_id)
        programme = ledger.get_programme(cohort.programme_id)
        a = programme.accreditation
        accreditation = (
            None
            if a is None
            else AccreditationSpec(a.credits, a.max_attempts, a.components, a.essay_formats)
        )
        specs[cohort_id] = CohortSpec(
            cohort_id,
            ProgrammeSpec(
                programme.programme_id,
                programme.session_count,
                programme.attendance_threshold,
                accreditation,
            ),
            cohort.session_dates,
            cohort.trainers,
        )
    return specs


def _fold(events: list[Any]) -> Any:
    aggregate: Any = None
    for event in events:
        if aggregate is None:
            aggregate = event.mutate(None)
        else:
            event.apply(aggregate)
    return aggregate


def check_corrected(ledger: JourneyLedger, walk: HistoryWalk) -> None:
    specs = _specs(ledger, walk.cohort_ids)
    for pid in walk.participants:
        standing = ledger.effective_events(pid)
        check_history(standing, specs, TODAY)
        view = ledger.get_participant(pid)
        folded = _fold(effective_events(ledger.events.get(pid)))
        assert view.details == folded.details
        assert view.enrolments == tuple(folded.enrolments.values())
        assert view.outcomes == tuple(folded.outcomes)
        assert view.follow_ups == tuple(folded.follow_ups)
        assert view.feedback == tuple(folded.feedback)
        assert view.wellbeing == tuple(folded.wellbeing)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_corrections_never_break_the_rules_and_state_is_the_fold(data: Any) -> None:
    ledger = JourneyLedger(
        store_env("memory://", prefix=JourneyLedger.name.upper()), clock=lambda: TODAY
    )
    try:
        walk = HistoryWalk(ledger, DataChooser(data), max_participants=4)
        walk.set_up(cohorts=2)
        for step in range(150):
            walk.step()
            if step % 10 == 9:
                check_corrected(ledger, walk)
        check_corrected(ledger, walk)
    finally:
        ledger.close()
