"""The small, fixed world the state machine plays in.

One day is "today"; three programmes, one cohort each; three participants; a few people to
record, mark, moderate and interview; and the small domains that command arguments are drawn
from, chosen so that random values are about as often wrong as right: training days 0..5,
attempts 0..3, dates around the enrolments and today (one after it), scores at the scales'
limits. The programmes and cohorts are described by the checker's specs and installed into
each new ledger from them, so the checker and the ledger share one definition.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple
from uuid import NAMESPACE_URL, UUID, uuid5

from history_checker import AccreditationSpec, CohortSpec, ProgrammeSpec
from hypothesis import strategies as st

from journey.application import JourneyLedger
from journey.persistence import store_env
from journey.values import (
    ESSAY_FORMATS,
    MARK_STAGES,
    MODERATION_STAGES,
    RESULTS,
    Accreditation,
    EssayFormat,
    SessionStatus,
)

__all__ = [
    "ACCREDITED_COHORTS",
    "ASSESSORS",
    "COHORTS",
    "DATES",
    "PARTICIPANTS",
    "STAFF",
    "TODAY",
    "UNACCREDITED_COHORT",
    "Place",
    "build_ledger",
]

TODAY = date(2024, 6, 1)


def _may(day: int) -> date:
    return date(2024, 5, day)


# Accredited on a log and an essay (two formats, two attempts; 3 of 4 days for the certificate
# of attendance), unaccredited (1 of 3 days), and accredited on an essay alone, any format, three
# attempts (1 of 2 days), so that a log can be "not assessed".
ACCREDITED = ProgrammeSpec(
    "voices", 4, 3, AccreditationSpec(30, 2, ("log", "essay"), ("written", "oral"))
)
UNACCREDITED = ProgrammeSpec("peer-support", 3, 1, None)
ESSAY_ONLY = ProgrammeSpec(
    "essay-only", 2, 1, AccreditationSpec(15, 3, ("essay",), ("written", "oral", "poster"))
)

# Some training days lie after TODAY; enrolling on a later date puts earlier days before it.
COHORTS: dict[str, CohortSpec] = {
    spec.cohort_id: spec
    for spec in (
        CohortSpec(
            "voices-1",
            ACCREDITED,
            (_may(6), _may(13), _may(20), date(2024, 6, 3)),
            ("tara", "theo"),
        ),
        CohortSpec("peer-1", UNACCREDITED, (date(2024, 4, 29), _may(13), _may(27)), ("theo",)),
        CohortSpec("essay-1", ESSAY_ONLY, (_may(20), date(2024, 6, 8)), ("uma",)),
    )
}

PARTICIPANTS = tuple(uuid5(NAMESPACE_URL, f"journey-ledger-test:participant:{n}") for n in range(3))
STAFF = "staff"
ASSESSORS = ("ann", "bob", "cat", "dan")  # markers and moderators: four, so a pass is possible
INTERVIEWERS = ("ivy", "tara", "theo", "uma")  # ivy trains no cohort; the others train some
DATES = (date(2024, 4, 29), _may(6), _may(20), TODAY, TODAY + timedelta(days=1))
ACCREDITED_COHORTS = ("voices-1", "essay-1")
UNACCREDITED_COHORT = "peer-1"


class Place(NamedTuple):
    """A participant and a cohort: where a course command is aimed."""

    participant: UUID
    cohort_id: str

    def ids(self) -> dict[str, Any]:
        return {"participant_id": self.participant, "cohort_id": self.cohort_id}


participants = st.sampled_from(PARTICIPANTS)
cohort_ids = st.sampled_from(tuple(COHORTS))
starts = st.sampled_from(DATES[:-1])  # enrolment dates not after today
dates = st.sampled_from(DATES)
sessions = st.integers(0, 5)
attempts = st.integers(0, 3)
assessors = st.sampled_from(ASSESSORS)
interviewers = st.sampled_from(INTERVIEWERS)
results = st.sampled_from(RESULTS)
mark_stages = st.sampled_from(MARK_STAGES)
moderation_stages = st.sampled_from(MODERATION_STAGES)
essay_formats: st.SearchStrategy[EssayFormat] = st.sampled_from(ESSAY_FORMATS)
statuses: st.SearchStrategy[SessionStatus] = st.sampled_from(("attended", "missed"))
scales = st.sampled_from(("WEMWBS", "SWEMWBS"))
scores = st.sampled_from((6, 7, 13, 14, 35, 36, 70, 71))


def _accreditation(spec: AccreditationSpec | None) -> Accreditation | None:
    if spec is None:
        return None
    return Accreditation(
        awarding_body="Test University",
        credits=spec.credits,
        level=4,
        essay_formats=spec.essay_formats,  # type: ignore[arg-type]
        max_attempts=spec.max_attempts,
        components=spec.components,  # type: ignore[arg-type]
    )


def build_ledger() -> JourneyLedger:
    """A new in-memory ledger, its clock fixed at TODAY, holding the programmes and cohorts."""
    ledger = JourneyLedger(store_env("memory://", prefix="JOURNEYLEDGER"), clock=lambda: TODAY)
    for programme in (ACCREDITED, UNACCREDITED, ESSAY_ONLY):
        ledger.define_programme(
            programme_id=programme.programme_id,
            name=programme.programme_id.title(),
            session_count=programme.session_count,
            attendance_threshold=programme.attendance_threshold,
            accreditation=_accreditation(programme.accreditation),
            actor=STAFF,
        )
    for cohort in COHORTS.values():
        ledger.schedule_cohort(
            cohort_id=cohort.cohort_id,
            programme_id=cohort.programme.programme_id,
            location="Leeds",
            session_dates=cohort.session_dates,
            trainers=cohort.trainers,
            actor=STAFF,
        )
    return ledger
