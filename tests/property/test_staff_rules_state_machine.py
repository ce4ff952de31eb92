"""The staff-training rules, proved by random histories through the real application and
checked against an independent model (see :mod:`staff_machine`)."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from staff_machine import StaffMachine

# Derandomized, like the participant machine, so CI replays the same histories.
MACHINE_SETTINGS = settings(
    max_examples=150,
    stateful_step_count=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

COMMANDS = (
    "complete_train_the_trainer",
    "deliver",
    "attend",
    "evaluate",
    "agree_plan",
    "add_action",
    "update_action",
    "close_plan",
    "claim",
    "approve",
    "reject",
    "reimburse",
)


def test_random_staff_training_histories_obey_every_rule() -> None:
    tally: Counter[str] = Counter()
    run_state_machine_as_test(StaffMachine.tallying(tally), settings=MACHINE_SETTINGS)
    # The run proves something only if every command was both accepted and refused in it.
    missing = [
        f"{command}:{outcome}"
        for command in COMMANDS
        for outcome in ("accepted", "rejected")
        if not tally[f"{command}:{outcome}"]
    ]
    assert not missing, f"never exercised: {missing}; tally: {dict(tally)}"
