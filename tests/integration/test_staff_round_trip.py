"""Staff-training records written by one ledger read back the same from a new ledger on the
same store (SQLite and PostgreSQL): trainers linked to a participant, sessions with learners,
evaluations, plans and costs, claims, workforce sizes."""

from __future__ import annotations

from datetime import date

import pytest
from integration_support import assert_no_lists_and_dates_typed, enrol

from journey.errors import AlreadyExists
from journey.staff_values import Evaluation, Learner

STAFF = "staff-ola"


def test_staff_training_records_read_back_equal_from_a_new_ledger(store_url, open_ledger):
    first = open_ledger(store_url)
    former = enrol(first, "Bea Former")
    first.define_programme(
        programme_id="ttt",
        name="Train the Trainer",
        session_count=1,
        attendance_threshold=1,
        actor=STAFF,
    )
    first.recruit_trainer(
        trainer_id="t1",
        role_description="Trainer",
        recruited_on=date(2024, 1, 2),
        participant_id=former,
        name="Bea Former",
        actor=STAFF,
    )
    first.complete_train_the_trainer(
        trainer_id="t1", programme_id="ttt", occurred_on=date(2024, 2, 1), actor=STAFF
    )
    first.record_trainer_support(
        trainer_id="t1",
        kind="supervision",
        notes="Went well",
        occurred_on=date(2024, 2, 2),
        actor=STAFF,
    )
    first.plan_staff_session(
        session_id="s1",
        session_date=date(2024, 3, 5),
        region="London",
        venue="Hall",
        trainers=["t1"],
        learning_outcomes=["Principles", "Practice"],
        actor=STAFF,
    )
    first.deliver_staff_session(session_id="s1", actor=STAFF)
    first.record_learners(
        session_id="s1",
        learners=[
            Learner("L1", "staff", "London", "Team A", "Cy Learner"),
            Learner("L2", "service_user", "London"),
        ],
        actor=STAFF,
    )
    first.submit_evaluations(
        session_id="s1",
        evaluations=[Evaluation("L1", 4, (4, 5), "Listen", None, "Rush")],
        occurred_on=date(2024, 3, 5),
        actor=STAFF,
    )
    first.agree_action_plan(
        session_id="s1",
        plan_id="p1",
        team="Team A",
        project="Panels",
        occurred_on=date(2024, 3, 5),
        actor=STAFF,
    )
    first.add_action(
        session_id="s1",
        plan_id="p1",
        action_id="a1",
        description="Pay expenses",
        occurred_on=date(2024, 3, 6),
        actor=STAFF,
    )
    first.update_action(
        session_id="s1",
        plan_id="p1",
        action_id="a1",
        status="in_progress",
        forum="team_meeting",
        note="Agreed the rate",
        occurred_on=date(2024, 4, 1),
        actor=STAFF,
    )
    first.record_session_cost(
        session_id="s1",
        cost_id="room",
        category="room_hire",
        amount_pence=9000,
        occurred_on=date(2024, 3, 5),
        actor=STAFF,
    )
    first.claim_expense(
        trainer_id="t1",
        claim_id="c1",
        category="travel",
        amount_pence=1250,
        session_id="s1",
        occurred_on=date(2024, 3, 5),
        actor=STAFF,
    )
    first.approve_expense(trainer_id="t1", claim_id="c1", occurred_on=date(2024, 3, 6), actor=STAFF)
    first.record_workforce_size(
        region="London", size=190, occurred_on=date(2024, 1, 1), actor="admin"
    )
    trainer, session = first.get_trainer("t1"), first.get_staff_session("s1")
    first.close()

    second = open_ledger(store_url, prepared=False)
    assert second.get_trainer("t1") == trainer
    assert second.get_staff_session("s1") == session
    assert_no_lists_and_dates_typed(second.get_trainer("t1"))
    assert_no_lists_and_dates_typed(second.get_staff_session("s1"))
    assert trainer.participant_id == former
    assert trainer.sessions == ("s1",)
    assert [c.status for c in trainer.claims] == ["approved"]
    assert session.learners[0].name == "Cy Learner"
    assert session.plans[0].actions[0].status == "in_progress"
    # The natural keys are the streams' ids: the store refuses a second recruitment.
    with pytest.raises(AlreadyExists):
        second.recruit_trainer(
            trainer_id="t1", role_description="Trainer", recruited_on=date(2024, 1, 2), actor=STAFF
        )
