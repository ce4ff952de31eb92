"""The views against an INDEPENDENT oracle (:mod:`view_oracle`): the funnel, the registers,
the timelines, the outcome counts and the moderation queue, worked out from the participants'
current state and histories as the application loads them, never from a view table.

The histories are the random ones of :mod:`history_walk`, and the views are kept up the way
:mod:`test_incremental_equals_rebuild` keeps them (random batches, restarts, small pages).
"""

from __future__ import annotations

from typing import Any

from history_walk import TODAY, DataChooser, HistoryWalk, SeededChooser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projection_support import ledger_on, scratch, sqlite_url, views_on, walk_and_follow
from sqlalchemy import Engine, select
from view_oracle import (
    FUNNEL_FIELDS,
    Facts,
    expected_funnel,
    expected_outcome_counts,
    expected_queue,
    expected_register,
    expected_timeline,
)
from view_snapshots import GROUPINGS

from journey.application import JourneyLedger
from projections.funnel_report import GroupBy, funnel_report
from projections.moderation import read_queue
from projections.outcome_report import outcome_counts, read_timeline
from projections.register import enrolment_table as register_enrolment
from projections.register import read_register

ORACLE = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# -- reading the views into the oracle's shapes -------------------------------------------------


def funnel_view(engine: Engine, group_by: GroupBy | None) -> dict[Any, dict[str, int]]:
    key = {None: None, "cohort": "cohort_id", "programme": "programme_id", "year": "year"}
    found = {}
    for report in funnel_report(engine, group_by=group_by):
        group = None if group_by is None else getattr(report, key[group_by])
        found[group] = {f: getattr(report, f) for f in FUNNEL_FIELDS}
    return found


def register_view(engine: Engine, cohort_id: str) -> dict[str, Any]:
    register = read_register(engine, cohort_id)
    e = register_enrolment
    with engine.connect() as conn:
        missed = dict(
            conn.execute(
                select(e.c.participant_id, e.c.missed).where(e.c.cohort_id == cohort_id)
            ).all()
        )
    return {
        "programme_id": register.programme_id,
        "location": register.location,
        "session_dates_count": register.session_dates_count,
        "attendance_threshold": register.attendance_threshold,
        "rows": [
            {
                "participant_id": row.participant_id,
                "enrolled_on": row.enrolled_on,
                "withdrawn_on": row.withdrawn_on,
                "sessions": dict(row.sessions),
                "attended": row.attended,
                "missed": missed[row.participant_id],
                "certificate_eligible": row.certificate_eligible,
            }
            for row in register.rows
        ],
    }


def timeline_view(engine: Engine, pid: Any, expected: list[dict[str, Any]]) -> list[Any]:
    """The view's timeline; where the oracle allows several cohorts (enrolments begun the
    same day), the one the view chose stands for all of them."""
    found = []
    for entry, wanted in zip(read_timeline(engine, str(pid)), expected + [None] * 99, strict=False):
        tied = wanted["cohort_ids"] if wanted else []
        cohort_ids = (
            tied if entry.cohort_id in tied else [entry.cohort_id] if entry.cohort_id else []
        )
        found.append(
            {
                "kind": entry.kind,
                "occurred_on": entry.occurred_on,
                "cohort_ids": cohort_ids,
                "months_since_enrolment": entry.months_since_enrolment,
                "months_since_course_ended": entry.months_since_course_ended,
                "fields": entry.fields,
            }
        )
    return found


def outcome_view(engine: Engine, **scope: str) -> dict[str, Any]:
    counts = outcome_counts(engine, **scope)
    return {
        "participants": counts.participants,
        "followed_up": counts.followed_up,
        "with_outcome": counts.with_outcome,
        "by_category": counts.by_category,
        "by_period": counts.by_period,
    }


def queue_view(engine: Engine) -> list[tuple[str, str, int, str, Any, int]]:
    return [
        (i.participant_id, i.cohort_id, i.attempt, i.waiting_for, i.since, i.days_waiting)
        for i in read_queue(engine, today=TODAY)
    ]


# -- the check --------------------------------------------------------------------------------


def check_against_oracle(ledger: JourneyLedger, engine: Engine, walk: HistoryWalk) -> None:
    facts = Facts.load(ledger, walk.participants, walk.cohort_ids)
    history = "\n  ".join(walk.log)
    where = f"\nhistory:\n  {history}"
    for group_by in (None, *GROUPINGS):
        assert funnel_view(engine, group_by) == expected_funnel(facts, group_by), (
            f"funnel by {group_by}{where}"
        )
    for cohort in walk.cohort_ids:
        assert register_view(engine, cohort) == expected_register(facts, cohort), (
            f"register of {cohort}{where}"
        )
        assert outcome_view(engine, cohort_id=cohort) == expected_outcome_counts(
            facts, cohort_id=cohort
        ), f"outcomes of {cohort}{where}"
    for pid in walk.participants:
        expected = expected_timeline(ledger, facts, pid)
        assert timeline_view(engine, pid, expected) == expected, f"timeline of {pid}{where}"
    for programme in walk.programme_ids:
        assert outcome_view(engine, programme_id=programme) == expected_outcome_counts(
            facts, programme_id=programme
        ), f"outcomes of {programme}{where}"
    assert outcome_view(engine) == expected_outcome_counts(facts), f"outcomes{where}"
    assert queue_view(engine) == expected_queue(facts, TODAY), f"queue{where}"


@ORACLE
@given(data=st.data())
def test_random_histories_views_agree_with_the_oracle(data: st.DataObject) -> None:
    chooser = DataChooser(data)
    steps = chooser.integer(20, 250)
    cohorts = chooser.integer(2, 3)
    with scratch() as tmp:
        url = sqlite_url(tmp, "journey.db")
        with ledger_on(url) as ledger, views_on(url) as engine:
            walk_and_follow(
                ledger,
                engine,
                chooser,
                steps=steps,
                cohorts=cohorts,
                check=lambda walk: check_against_oracle(ledger, engine, walk),
            )


def test_a_long_seeded_history_agrees_with_the_oracle() -> None:
    # A seed whose history reaches every stage (second attempts passed, referred and pending);
    # since the follower draws from its own generator, adding a projection no longer moves it.
    with scratch() as tmp:
        url = sqlite_url(tmp, "journey.db")
        with ledger_on(url) as ledger, views_on(url) as engine:
            walk, _ = walk_and_follow(
                ledger,
                engine,
                SeededChooser(2017),
                steps=400,
                check=lambda walk: check_against_oracle(ledger, engine, walk),
            )
            facts = Facts.load(ledger, walk.participants, walk.cohort_ids)
            totals = expected_funnel(facts)[None]
            # the oracle is only worth something if the history reaches every stage
            for stage in ("withdrawn", "declined", "undecided", "passed", "referred", "pending"):
                field = {"declined": "accreditation_declined"}.get(stage, stage)
                assert totals[field] > 0, f"the seeded history has nobody {stage}"
            corrections = [
                line
                for line in walk.log
                if not line.startswith("refused") and (": retract " in line or ": amend " in line)
            ]
            assert len(corrections) >= 10, "the seeded history has too few corrections"
            results = {(a.number, a.final_result) for _, e in facts.enrolments for a in e.attempts}
            assert {(2, "pass"), (2, "refer"), (2, None)} <= results, results
