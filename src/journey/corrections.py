"""Corrections: what may be corrected, how amended values are read, and what a correction means.

A mistaken event is never edited or deleted. A later ``EventRetracted`` says "version N should
not have been recorded"; a later ``EventAmended`` says "version N should have said this
instead". The participant applies them to its state (see :mod:`journey.participant`); this
module holds what both the aggregate and the read side need to agree on:

- :data:`AMENDABLE`: which fields of which event may be amended. Fields that identify what an
  event is about (the cohort, the session, the attempt, the stage, the marker) are not: that
  is a different event, so retract this one and record the right one.
- :func:`read_changes`: an amendment's new values, checked like a command's.
- :func:`stale_stages`: which moderations a correction makes stale. A correction to a mark or
  a submission makes the attempt's moderation stale (it moderated something else); one to an
  internal moderation makes the external moderation stale.
- :func:`effective_events`: the events that stand once every correction is applied, in
  stream order. State and every view equal a fold of these (the tests check the aggregate
  against it, and the projections rebuild a corrected participant from it).

It names event types by their class names, so it imports nothing of the aggregates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from journey.errors import InvalidValue
from journey.values import (
    ESSAY_FORMATS,
    FEEDBACK_CATEGORIES,
    FOLLOW_UP_METHODS,
    MAX_TEXT,
    OUTCOME_CATEGORIES,
    OUTCOME_SOURCES,
    RESULTS,
    WELLBEING_TIMEPOINTS,
    ModerationStage,
    require_member,
    require_text,
)

__all__ = [
    "AMENDABLE",
    "CORRECTION_TYPES",
    "ENVELOPE",
    "after_correction",
    "effective_events",
    "fields_of",
    "read_changes",
    "stale_stages",
]

CORRECTION_TYPES = frozenset({"EventRetracted", "EventAmended"})

# The library's fields of every event; ``recorded_by`` is the ledger's and is kept.
ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})

_PERSONAL_DETAILS = frozenset(
    {"name", "email", "phone", "ethnicity", "gender", "age_band", "disability"}
)

AMENDABLE: Mapping[str, frozenset[str]] = {
    "Registered": _PERSONAL_DETAILS,
    "Enrolled": frozenset({"occurred_on"}),
    "SessionAttended": frozenset(),
    "SessionMissed": frozenset({"reason"}),
    "AccreditationChosen": frozenset({"occurred_on"}),
    "AccreditationDeclined": frozenset({"occurred_on"}),
    "LogSubmitted": frozenset({"occurred_on"}),
    "EssaySubmitted": frozenset({"occurred_on", "format"}),
    "Marked": frozenset({"result", "feedback", "occurred_on"}),
    "Moderated": frozenset({"result", "occurred_on"}),
    "CertificateIssued": frozenset({"occurred_on"}),
    "Withdrawn": frozenset({"occurred_on", "reason"}),
    "OutcomeReported": frozenset({"category", "detail", "source", "ended_on", "occurred_on"}),
    "FollowUpCompleted": frozenset({"method", "occurred_on"}),
    "FeedbackRecorded": frozenset({"quote", "category", "occurred_on"}),
    "WellbeingMeasured": frozenset({"score", "timepoint", "occurred_on"}),
}

_VOCABULARIES: Mapping[str, tuple[str, ...]] = {
    "result": RESULTS,
    "format": ESSAY_FORMATS,
    "category": OUTCOME_CATEGORIES,
    "source": OUTCOME_SOURCES,
    "method": FOLLOW_UP_METHODS,
    "timepoint": WELLBEING_TIMEPOINTS,
}
# A field whose vocabulary depends on the event type (None allowed: the field is optional).
_TYPED_VOCABULARIES: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("FeedbackRecorded", "category"): FEEDBACK_CATEGORIES,
}
_REQUIRED_TEXT: Mapping[str, int] = {
    "feedback": MAX_TEXT,
    "detail": MAX_TEXT,
    "quote": MAX_TEXT,
    "name": 200,
}
_OPTIONAL_TEXT: Mapping[str, int] = {
    "reason": 1000,
    "email": 320,
    "phone": 50,
    "ethnicity": 100,
    "gender": 100,
    "age_band": 50,
    "disability": 100,
}
_OPTIONAL_DATES = frozenset({"ended_on"})


def fields_of(event: Any) -> dict[str, Any]:
    """The event's own fields and ``recorded_by`` (what a correction quotes as ``original``)."""
    return {k: v for k, v in vars(event).items() if k not in ENVELOPE}


def read_changes(event_type: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` checked against what may be amended on ``event_type`` and each field's
    type; dates may be given as ISO strings. Raises :class:`InvalidValue` naming the field."""
    allowed = AMENDABLE.get(event_type)
    if allowed is None:
        raise InvalidValue("corrects", f"a {event_type} event cannot be amended")
    if not isinstance(changes, Mapping) or not changes:
        raise InvalidValue("changes", "must name at least one field to amend")
    if not allowed:
        raise InvalidValue(
            "changes",
            f"nothing on a {event_type} event can be amended: retract it and record the "
            "right event instead",
        )
    read: dict[str, Any] = {}
    for name, value in changes.items():
        field = f"changes.{name}"
        if name not in allowed:
            raise InvalidValue(
                field,
                f"cannot be amended on a {event_type} event (amendable: "
                f"{', '.join(sorted(allowed))}); to change what the event is about, retract "
                "it and record the right event",
            )
        vocabulary = _TYPED_VOCABULARIES.get((event_type, name))
        if vocabulary is not None:
            if value is not None:
                require_member(field, value if isinstance(value, str) else repr(value), vocabulary)
            read[name] = value
        else:
            read[name] = _read_value(field, name, value)
    return read


def _read_value(field: str, name: str, value: Any) -> Any:
    if name in ("occurred_on", "ended_on"):
        if value is None and name in _OPTIONAL_DATES:
            return None
        return _read_date(field, value)
    if name in _VOCABULARIES:
        if not isinstance(value, str):
            raise InvalidValue(field, "must be text")
        require_member(field, value, _VOCABULARIES[name])
        return value
    if name in _REQUIRED_TEXT:
        return require_text(field, value, max_length=_REQUIRED_TEXT[name])
    if name in _OPTIONAL_TEXT:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return require_text(field, value, max_length=_OPTIONAL_TEXT[name])
    if name == "score":
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidValue(field, "must be a whole number")
        return value
    raise InvalidValue(field, "is not a field that can be amended")  # pragma: no cover


def _read_date(field: str, value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidValue(field, "must be a date, YYYY-MM-DD")


def stale_stages(event_type: str, original: Mapping[str, Any]) -> tuple[ModerationStage, ...]:
    """The moderation stages of the corrected event's attempt that a correction to it makes
    stale (they must be done again)."""
    if event_type in ("Marked", "LogSubmitted", "EssaySubmitted"):
        return ("internal", "external")
    if event_type == "Moderated" and original.get("stage") == "internal":
        return ("external",)
    return ()


def effective_events(events: Iterable[Any]) -> list[Any]:
    """The events of one stream that stand once its corrections are applied, in version
    order: retracted ones dropped, amended ones replaced by their amended form (same
    version), stale moderations dropped; the corrections themselves are not included."""
    live: dict[int, Any] = {}
    for event in events:
        kind = type(event).__name__
        if kind not in CORRECTION_TYPES:
            live[event.originator_version] = event
        else:
            _correct(live, event.corrects, event.changes if kind == "EventAmended" else None)
    return list(live.values())


def after_correction(
    standing: Iterable[Any], corrects: int, changes: Mapping[str, Any] | None
) -> list[Any]:
    """``standing`` (effective events) as they would stand after retracting (``changes``
    None) or amending version ``corrects``."""
    live = {event.originator_version: event for event in standing}
    _correct(live, corrects, changes)
    return list(live.values())


def _correct(live: dict[int, Any], corrects: int, changes: Mapping[str, Any] | None) -> None:
    target = live[corrects]
    if changes is None:
        del live[corrects]
    else:
        live[corrects] = dataclasses.replace(target, **changes)
    stages = stale_stages(type(target).__name__, fields_of(target))
    if stages:
        for version, other in list(live.items()):
            if (
                type(other).__name__ == "Moderated"
                and other.cohort_id == target.cohort_id
                and other.attempt == target.attempt
                and other.stage in stages
            ):
                del live[version]
