"""Staff training in the domain: the shape of the new events (a public contract), what is
marked personal, and the rules that the state machine does not reach (dates, values)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date
from uuid import uuid4

import pytest

from journey.aggregate import LedgerAggregate
from journey.application import JourneyLedger
from journey.errors import (
    DomainError,
    InvalidValue,
    OccurredInFutureError,
    ParticipantNotFound,
    StaffSessionNotFound,
    TrainerNotFound,
)
from journey.staff_session import StaffSession
from journey.staff_values import Evaluation, Learner
from journey.trainer import Trainer
from journey.workforce import RegionWorkforce

STAFF = "staff-ola"


def _events(aggregate: type) -> dict[str, type]:
    return {
        name: value
        for name, value in vars(aggregate).items()
        if isinstance(value, type)
        and issubclass(value, LedgerAggregate.Event)
        and name not in ("Event", "Created")
    }


EVENTS = {**_events(Trainer), **_events(StaffSession), **_events(RegionWorkforce)}


def test_the_staff_training_events_are_the_published_ones() -> None:
    assert set(_events(Trainer)) == {
        "Recruited",
        "TrainTheTrainerCompleted",
        "SessionDelivered",
        "SupportRecorded",
        "ExpenseClaimed",
        "ExpenseApproved",
        "ExpenseRejected",
        "ExpenseReimbursed",
    }
    assert set(_events(StaffSession)) == {
        "Planned",
        "Delivered",
        "LearnerAttended",
        "EvaluationSubmitted",
        "ActionPlanAgreed",
        "ActionAdded",
        "ActionProgressed",
        "ActionPlanClosed",
        "CostRecorded",
    }
    assert set(_events(RegionWorkforce)) == {"Registered", "SizeRecorded"}


@pytest.mark.parametrize("event", sorted(EVENTS.values(), key=lambda c: c.__qualname__))
def test_each_event_is_past_tense_and_declares_only_its_own_fields_personal(event: type) -> None:
    assert re.findall(r"[A-Z][a-z]*", event.__name__)[-1].endswith("ed"), event.__name__
    fields = {f.name for f in dataclasses.fields(event)}
    assert "recorded_by" in fields
    assert fields >= event.PERSONAL_FIELDS  # type: ignore[attr-defined]


def test_names_free_text_answers_and_support_notes_are_personal() -> None:
    personal = {
        name: cls.PERSONAL_FIELDS  # type: ignore[attr-defined]
        for name, cls in EVENTS.items()
        if cls.PERSONAL_FIELDS  # type: ignore[attr-defined]
    }
    assert personal == {
        "Recruited": {"name"},
        "SupportRecorded": {"notes"},
        "LearnerAttended": {"name"},
        "EvaluationSubmitted": {"more_of", "less_of", "stop_doing"},
        "ActionProgressed": {"note"},
    }


@pytest.fixture
def ledger(make_ledger: Callable[..., JourneyLedger]) -> JourneyLedger:
    ledger = make_ledger()
    ledger.recruit_trainer(
        trainer_id="t1",
        role_description="Trainer",
        recruited_on=date(2024, 1, 2),
        pilot=True,
        actor=STAFF,
    )
    ledger.plan_staff_session(
        session_id="s1",
        session_date=date(2024, 3, 5),
        region="London",
        venue="Hall",
        trainers=["t1"],
        learning_outcomes=["Principles", "Practice"],
        actor=STAFF,
    )
    return ledger


def _refused(
    error: type[DomainError], command: Callable[[], object], code: str | None = None
) -> None:
    with pytest.raises(error) as raised:
        command()
    if code is not None:
        assert raised.value.code == code


def test_unknown_trainers_sessions_and_participants_are_not_found(ledger: JourneyLedger) -> None:
    _refused(TrainerNotFound, lambda: ledger.get_trainer("nobody"))
    _refused(StaffSessionNotFound, lambda: ledger.get_staff_session("nothing"))
    _refused(
        TrainerNotFound,
        lambda: ledger.plan_staff_session(
            session_id="s2",
            session_date=date(2024, 4, 1),
            region="London",
            venue="Hall",
            trainers=["t1", "nobody"],
            learning_outcomes=["x"],
            actor=STAFF,
        ),
    )
    _refused(
        ParticipantNotFound,
        lambda: ledger.recruit_trainer(
            trainer_id="t2",
            role_description="Trainer",
            recruited_on=date(2024, 1, 2),
            participant_id=uuid4(),
            actor=STAFF,
        ),
    )


def test_delivery_is_on_the_planned_date_and_not_in_the_future(
    make_ledger: Callable[..., JourneyLedger], ledger: JourneyLedger
) -> None:
    _refused(
        DomainError,
        lambda: ledger.deliver_staff_session(
            session_id="s1", occurred_on=date(2024, 3, 6), actor=STAFF
        ),
        "session-date-mismatch",
    )
    ledger.plan_staff_session(
        session_id="later",
        session_date=date(2024, 7, 1),
        region="London",
        venue="Hall",
        trainers=["t1"],
        learning_outcomes=["x"],
        actor=STAFF,
    )
    _refused(
        OccurredInFutureError, lambda: ledger.deliver_staff_session(session_id="later", actor=STAFF)
    )


def test_learners_come_after_delivery_and_values_are_checked(ledger: JourneyLedger) -> None:
    learner = Learner("L1", "staff", "London")
    _refused(
        DomainError,
        lambda: ledger.record_learners(session_id="s1", learners=[learner], actor=STAFF),
        "session-not-delivered",
    )
    ledger.deliver_staff_session(session_id="s1", actor=STAFF)
    odd = Learner("L2", "volunteer", "London")  # type: ignore[arg-type]
    _refused(
        InvalidValue, lambda: ledger.record_learners(session_id="s1", learners=[odd], actor=STAFF)
    )
    twice = [learner, learner]
    _refused(
        DomainError,
        lambda: ledger.record_learners(session_id="s1", learners=twice, actor=STAFF),
        "learner-already-recorded",
    )
    ledger.record_learners(session_id="s1", learners=[learner], actor=STAFF)
    for bad in (Evaluation("L1", 6), Evaluation("L1", 4, (4,)), Evaluation("L1", 4, (0, 5))):
        _refused(
            InvalidValue,
            lambda bad=bad: ledger.submit_evaluations(
                session_id="s1", evaluations=[bad], occurred_on=date(2024, 3, 5), actor=STAFF
            ),
        )
    _refused(
        InvalidValue,
        lambda: ledger.submit_evaluations(
            session_id="s1",
            evaluations=[Evaluation("L1", 4)],
            occurred_on=date(2024, 3, 4),
            actor=STAFF,
        ),
    )
    assert ledger.get_staff_session("s1").evaluations == 0


def test_a_rejection_needs_a_reason_and_amounts_are_whole_positive_pence(
    ledger: JourneyLedger,
) -> None:
    for pence in (0, -5, 2_000_000):
        _refused(
            InvalidValue,
            lambda pence=pence: ledger.claim_expense(
                trainer_id="t1",
                claim_id="c0",
                category="travel",
                amount_pence=pence,
                occurred_on=date(2024, 3, 5),
                actor=STAFF,
            ),
        )
    ledger.claim_expense(
        trainer_id="t1",
        claim_id="c1",
        category="travel",
        amount_pence=1000,
        occurred_on=date(2024, 3, 5),
        actor=STAFF,
    )
    _refused(
        InvalidValue,
        lambda: ledger.reject_expense(
            trainer_id="t1", claim_id="c1", reason="  ", occurred_on=date(2024, 3, 6), actor=STAFF
        ),
    )
    _refused(
        InvalidValue,
        lambda: ledger.approve_expense(
            trainer_id="t1", claim_id="c1", occurred_on=date(2024, 3, 4), actor=STAFF
        ),
    )
    ledger.reject_expense(
        trainer_id="t1",
        claim_id="c1",
        reason="No receipt",
        occurred_on=date(2024, 3, 6),
        actor=STAFF,
    )
    (claim,) = ledger.get_trainer("t1").claims
    assert (claim.status, claim.reason, claim.is_open) == ("rejected", "No receipt", False)


def test_train_the_trainer_names_a_defined_programme_and_its_cohort(
    ledger: JourneyLedger,
) -> None:
    _refused(
        DomainError,
        lambda: ledger.complete_train_the_trainer(
            trainer_id="t1", programme_id="nope", occurred_on=date(2024, 2, 1), actor=STAFF
        ),
        "programme-not-found",
    )


def test_workforce_sizes_are_recorded_per_region_and_date(ledger: JourneyLedger) -> None:
    first = ledger.record_workforce_size(
        region="London", size=180, occurred_on=date(2024, 1, 1), actor="admin"
    )
    second = ledger.record_workforce_size(
        region="London", size=190, occurred_on=date(2024, 4, 1), actor="admin"
    )
    assert first.aggregate_id == second.aggregate_id
    assert (first.version, second.version) == (2, 3)
    _refused(
        InvalidValue,
        lambda: ledger.record_workforce_size(
            region="London", size=0, occurred_on=date(2024, 4, 1), actor="admin"
        ),
    )
