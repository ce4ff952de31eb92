"""Replay as of a recorded time: the journey, its history and the reports as they stood."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import reduce
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journey.application import JourneyLedger
from journey.catalogue import install_catalogue
from journey.errors import DomainError
from journey.participant import Participant
from journey.state import PersonalDetails
from projections.database import views_engine
from projections.funnel_report import funnel_report
from projections.register import read_register
from projections.runner import ProjectionRunner

TODAY = date(2024, 6, 1)
DAYS = [date(2024, 1, 3) + timedelta(weeks=i) for i in range(12)]

# A command is (kind, argument); invalid ones are refused by the rules and record nothing.
commands = st.lists(
    st.tuples(
        st.sampled_from(["attend", "miss", "choose", "decline", "log", "essay", "outcome"]),
        st.integers(min_value=1, max_value=12),
    ),
    min_size=1,
    max_size=25,
)


def _apply(ledger: JourneyLedger, pid: Any, kind: str, n: int) -> None:
    on = DAYS[0] + timedelta(days=n)
    steps: dict[str, Callable[[], object]] = {
        "attend": lambda: ledger.record_session(
            participant_id=pid, cohort_id="c1", session=n, status="attended", actor="s"
        ),
        "miss": lambda: ledger.record_session(
            participant_id=pid, cohort_id="c1", session=n, status="missed", actor="s"
        ),
        "choose": lambda: ledger.decide_accreditation(
            participant_id=pid, cohort_id="c1", choose=True, occurred_on=on, actor="s"
        ),
        "decline": lambda: ledger.decide_accreditation(
            participant_id=pid, cohort_id="c1", choose=False, occurred_on=on, actor="s"
        ),
        "log": lambda: ledger.submit_log(
            participant_id=pid, cohort_id="c1", attempt=1, occurred_on=on, actor="s"
        ),
        "essay": lambda: ledger.submit_essay(
            participant_id=pid,
            cohort_id="c1",
            attempt=1,
            essay_format="oral",
            occurred_on=on,
            actor="s",
        ),
        "outcome": lambda: ledger.report_outcome(
            participant_id=pid,
            category="speaking",
            detail=f"talk {n}",
            source="self_report",
            occurred_on=on,
            actor="s",
        ),
    }
    with contextlib.suppress(DomainError):  # a refused command records nothing
        steps[kind]()


def _course(ledger: JourneyLedger) -> Any:
    install_catalogue(ledger, actor="admin")
    ledger.schedule_cohort(
        cohort_id="c1",
        programme_id="voices-together",
        location="Grays",
        session_dates=DAYS,
        trainers=["t1"],
        actor="admin",
    )
    return ledger.enrol(
        cohort_id="c1", enrolled_on=date(2024, 1, 2), details=PersonalDetails(name="A"), actor="s"
    ).aggregate_id


def _now() -> datetime:
    time.sleep(0.0005)  # so no later record shares this instant
    moment = datetime.now(UTC)
    time.sleep(0.0005)
    return moment


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(script=commands, cut=st.floats(min_value=0, max_value=1))
def test_state_as_of_a_time_equals_the_state_of_the_events_recorded_by_then(
    make_ledger: Callable[..., JourneyLedger], script: list[tuple[str, int]], cut: float
) -> None:
    ledger = make_ledger(today=TODAY)
    pid = _course(ledger)
    moments = [_now()]
    for kind, n in script:
        _apply(ledger, pid, kind, n)
        moments.append(_now())
    moment = moments[int(cut * (len(moments) - 1))]
    events = list(ledger.events.get(pid))
    known = [e for e in events if e.timestamp <= moment]
    expected: Participant = reduce(lambda agg, e: e.mutate(agg), known, None)  # type: ignore[arg-type, return-value]
    view = ledger.get_participant(pid, as_of=moment)
    assert view.version == expected.version
    assert view.enrolments == tuple(expected.enrolments.values())
    assert view.outcomes == tuple(expected.outcomes)
    assert [h.version for h in ledger.history(pid, as_of=moment)] == [
        e.originator_version for e in known
    ]


def test_reports_as_of_a_time_are_what_they_said_then(
    make_ledger: Callable[..., JourneyLedger], tmp_path: Any
) -> None:
    url = f"sqlite:///{tmp_path / 'j.db'}"
    ledger = make_ledger(url, today=TODAY)
    pid = _course(ledger)
    for n in range(1, 4):
        _apply(ledger, pid, "attend", n)
    _apply(ledger, pid, "choose", 1)
    runner = ProjectionRunner(ledger, views_engine(url))
    runner.setup()
    runner.catch_up()
    before = _now()
    said = (read_register(runner.engine, "c1"), funnel_report(runner.engine, cohort_id="c1"))
    for n in range(4, 10):
        _apply(ledger, pid, "attend", n)
    _apply(ledger, pid, "log", 20)
    _apply(ledger, pid, "essay", 21)
    runner.catch_up()
    now = (read_register(runner.engine, "c1"), funnel_report(runner.engine, cohort_id="c1"))
    then = runner.views_as_of(ledger.position_at(before))
    assert (read_register(then, "c1"), funnel_report(then, cohort_id="c1")) == said
    assert now != said
    assert now[0].rows[0].attended == 9
    assert now[1][0].submitted == 1
