"""The error catalogue and the shape of the stored events (both part of the public contract)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from journey import errors
from journey.aggregate import LedgerAggregate
from journey.participant import Participant
from journey.programme import Cohort, Programme

ERROR_CLASSES = [getattr(errors, name) for name in errors.__all__]
RULE_VIOLATIONS = [cls for cls in ERROR_CLASSES if issubclass(cls, errors.RuleViolation)]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_is_a_domain_error_with_a_code(cls: type[errors.DomainError]) -> None:
    assert issubclass(cls, errors.DomainError)
    assert isinstance(cls.code, str)
    assert cls.code.strip()
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", cls.code), cls.code


def test_codes_are_unique() -> None:
    codes = [cls.code for cls in ERROR_CLASSES]
    assert len(codes) == len(set(codes))
    rule_codes = [cls.code for cls in RULE_VIOLATIONS]
    assert len(rule_codes) == len(set(rule_codes))


def test_all_lists_every_error_class_in_the_module() -> None:
    defined = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, Exception)
    }
    assert defined == set(errors.__all__)


def test_a_code_given_to_one_error_overrides_the_class_code_for_that_error_only() -> None:
    error = errors.SessionError("Training day 13 does not exist.", code="session-not-in-cohort")

    assert error.code == "session-not-in-cohort"
    assert errors.SessionError.code == "session-invalid"
    assert str(error) == error.message == "Training day 13 does not exist."
    assert isinstance(error, errors.RuleViolation)


def test_errors_with_arguments_keep_them() -> None:
    assert errors.InvalidValue("credits", "must be positive").field == "credits"
    assert str(errors.InvalidValue("credits", "must be positive")) == "credits: must be positive"
    mismatch = errors.VersionMismatch(3, 5)
    assert (mismatch.expected, mismatch.actual) == (3, 5)
    assert errors.CohortNotFound("c1").cohort_id == "c1"
    assert errors.ProgrammeNotFound("p1").programme_id == "p1"


# The library gives every aggregate class its own ``Event`` and ``Created`` bases.
LIBRARY_BASES = {"Event", "Created"}


def _nested_events(aggregate: type) -> list[type]:
    return [
        value
        for name, value in vars(aggregate).items()
        if isinstance(value, type)
        and issubclass(value, LedgerAggregate.Event)
        and not name.startswith("_")
        and name not in LIBRARY_BASES
    ]


EVENTS = _nested_events(Participant) + _nested_events(Programme) + _nested_events(Cohort)
IRREGULAR_PAST_TENSES = {"Chosen", "Withdrawn", "Forgotten"}


def test_participant_has_the_expected_events() -> None:
    assert {cls.__name__ for cls in _nested_events(Participant)} == {
        "Registered",
        "Enrolled",
        "SessionAttended",
        "SessionMissed",
        "AccreditationChosen",
        "AccreditationDeclined",
        "LogSubmitted",
        "EssaySubmitted",
        "Marked",
        "Moderated",
        "CertificateIssued",
        "Withdrawn",
        "OutcomeReported",
        "FollowUpCompleted",
        "FeedbackRecorded",
        "WellbeingMeasured",
        "EventRetracted",
        "EventAmended",
        "ErasureRequested",
        "ParticipantForgotten",
    }


@pytest.mark.parametrize("event", EVENTS, ids=lambda cls: cls.__qualname__)
def test_every_event_is_named_in_the_past_tense(event: type) -> None:
    last_word = re.findall(r"[A-Z][a-z]*", event.__name__)[-1]
    assert last_word.endswith("ed") or last_word in IRREGULAR_PAST_TENSES, event.__name__


@pytest.mark.parametrize("event", EVENTS, ids=lambda cls: cls.__qualname__)
def test_personal_fields_are_fields_of_the_event(event: type) -> None:
    fields = {f.name for f in dataclasses.fields(event)}
    personal: frozenset[str] = event.PERSONAL_FIELDS  # type: ignore[attr-defined]
    assert personal <= fields
    assert "recorded_by" in fields


def test_the_free_text_about_a_person_is_marked_personal() -> None:
    personal = {
        cls.__name__: cls.PERSONAL_FIELDS  # type: ignore[attr-defined]
        for cls in EVENTS
        if cls.PERSONAL_FIELDS  # type: ignore[attr-defined]
    }

    assert personal == {
        "Registered": {"name", "email", "phone", "ethnicity", "gender", "age_band", "disability"},
        "SessionMissed": {"reason"},
        "Withdrawn": {"reason"},
        "Marked": {"feedback"},
        "OutcomeReported": {"detail"},
        "FeedbackRecorded": {"quote"},
        "EventRetracted": {"reason"},
        "EventAmended": {"reason"},
    }


def test_a_correction_quotes_the_corrected_event_under_its_own_field_names() -> None:
    """A correction's ``original`` and ``changes`` are personal where the corrected
    event's fields are (erasure reads QUOTED_FIELDS)."""
    quoted = {
        cls.__name__: cls.QUOTED_FIELDS  # type: ignore[attr-defined]
        for cls in EVENTS
        if getattr(cls, "QUOTED_FIELDS", None)
    }
    assert quoted == {
        "EventRetracted": {"original"},
        "EventAmended": {"original", "changes"},
    }
