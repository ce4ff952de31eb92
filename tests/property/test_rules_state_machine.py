"""The participant rules, proved by random journeys through the real application.

See :mod:`journey_machine` for the machine and :mod:`history_checker` for the independent
oracle it consults after every step.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from journey_machine import JourneyMachine

# Derandomized, so CI replays the same journeys. The mutation suite (test_rule_mutations.py)
# shows that fewer examples than these find any single removed rule check.
MACHINE_SETTINGS = settings(
    max_examples=300,
    stateful_step_count=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

COMMANDS = (
    "enrol",
    "enrol_again",
    "record_session:attended",
    "record_session:missed",
    "decide_accreditation:choose",
    "decide_accreditation:decline",
    "submit_log",
    "submit_essay",
    "record_mark",
    "record_moderation",
    "issue_certificate:attendance",
    "issue_certificate:accredited",
    "withdraw",
    "report_outcome",
    "complete_follow_up",
    "record_feedback",
    "measure_wellbeing",
)


def test_random_journeys_obey_every_rule() -> None:
    tally: Counter[str] = Counter()
    run_state_machine_as_test(JourneyMachine.tallying(tally), settings=MACHINE_SETTINGS)
    # The run proves something only if every command was both accepted and refused in it.
    missing = [
        f"{command}:{outcome}"
        for command in COMMANDS
        for outcome in ("accepted", "rejected")
        if not tally[f"{command}:{outcome}"]
    ]
    assert not missing, f"never exercised: {missing}; tally: {dict(tally)}"
