"""Dates, people and a small driver for the unit tests.

Every test runs on the in-memory store with the clock fixed at :data:`TODAY`. The spring
cohort's twelve training days are all in the past; the summer cohort's first four are past
and the rest are still to come.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from journey.application import JourneyLedger
from journey.state import Enrolment, PersonalDetails
from journey.values import Accreditation
from journey.views import HistoryEntry, ParticipantView

TODAY = date(2024, 6, 1)

VOICES = "voices-together"
SPRING = "vt-2024-spring"
SUMMER = "vt-2024-summer"
SPRING_DAYS = tuple(date(2024, 2, 5) + timedelta(weeks=i) for i in range(12))  # to 22 April
SUMMER_DAYS = tuple(date(2024, 5, 6) + timedelta(weeks=i) for i in range(12))  # day 5: 3 June

ENROLLED_ON = date(2024, 1, 15)
DECIDED_ON = date(2024, 3, 1)
SUBMITTED_ON = date(2024, 5, 1)
MARKED_ON = date(2024, 5, 8)
INTERNAL_ON = date(2024, 5, 15)
EXTERNAL_ON = date(2024, 5, 22)
CERTIFIED_ON = date(2024, 5, 29)

# People are named in title case so that a message starting with one reads as a sentence.
ADMIN = "Admin Ada"
CLERK = "Clerk Carl"
TRAINERS = ("Trainer Tess", "Trainer Theo")
FIRST_MARKER = "Marker Mo"
SECOND_MARKER = "Marker Mia"
INTERNAL_MODERATOR = "Moderator Iris"
EXTERNAL_MODERATOR = "Moderator Ezra"
INTERVIEWER = "Interviewer Ivy"


def short_programme(
    ledger: JourneyLedger,
    programme_id: str,
    *,
    accreditation: Accreditation | None,
    cohort_id: str,
) -> None:
    """Define a three-day programme (attendance threshold 2) and one past cohort of it."""
    ledger.define_programme(
        programme_id=programme_id,
        name=f"Programme {programme_id}",
        session_count=3,
        attendance_threshold=2,
        accreditation=accreditation,
        actor=ADMIN,
    )
    ledger.schedule_cohort(
        cohort_id=cohort_id,
        programme_id=programme_id,
        location="Camden",
        session_dates=SPRING_DAYS[:3],
        trainers=TRAINERS,
        actor=ADMIN,
    )


def accreditation(**changes: Any) -> Accreditation:
    """Voices Together's accreditation with some terms changed."""
    terms: dict[str, Any] = {"awarding_body": "Middlesex University", "credits": 30, "level": 4}
    return Accreditation(**{**terms, **changes})


@dataclass(frozen=True)
class Snapshot:
    """Everything a reader can see of one participant's stream."""

    view: ParticipantView
    history: tuple[HistoryEntry, ...]


class Journey:
    """One participant on a ledger, with short verbs for the commands tests repeat.

    Defaults follow the happy path on the spring cohort; keywords change one thing at a time.
    """

    def __init__(self, ledger: JourneyLedger) -> None:
        self.ledger = ledger
        self._pid: UUID | None = None

    @property
    def pid(self) -> UUID:
        assert self._pid is not None, "enrol first"
        return self._pid

    def schedule(
        self,
        cohort_id: str = SPRING,
        *,
        programme_id: str = VOICES,
        days: Sequence[date] = SPRING_DAYS,
        trainers: Sequence[str] = TRAINERS,
    ) -> None:
        self.ledger.schedule_cohort(
            cohort_id=cohort_id,
            programme_id=programme_id,
            location="Islington",
            session_dates=days,
            trainers=trainers,
            actor=ADMIN,
        )

    def enrol(self, cohort_id: str = SPRING, *, on: date = ENROLLED_ON) -> UUID:
        recorded = self.ledger.enrol(
            cohort_id=cohort_id,
            enrolled_on=on,
            details=PersonalDetails(name="Ann Example", email="ann@example.org"),
            actor=CLERK,
        )
        self._pid = recorded.aggregate_id
        return self._pid

    def enrol_again(self, cohort_id: str, *, on: date) -> None:
        self.ledger.enrol_again(
            participant_id=self.pid, cohort_id=cohort_id, enrolled_on=on, actor=CLERK
        )

    def session(
        self,
        session: int,
        *,
        status: str = "attended",
        cohort_id: str = SPRING,
        occurred_on: date | None = None,
        reason: str | None = None,
    ) -> None:
        self.ledger.record_session(
            participant_id=self.pid,
            cohort_id=cohort_id,
            session=session,
            status=status,  # type: ignore[arg-type]
            occurred_on=occurred_on,
            reason=reason,
            actor=CLERK,
        )

    def attend(self, *sessions: int, cohort_id: str = SPRING) -> None:
        for number in sessions:
            self.session(number, cohort_id=cohort_id)

    def decide(
        self, *, choose: bool = True, cohort_id: str = SPRING, on: date = DECIDED_ON
    ) -> None:
        self.ledger.decide_accreditation(
            participant_id=self.pid, cohort_id=cohort_id, choose=choose, occurred_on=on, actor=CLERK
        )

    def submit_log(self, attempt: int = 1, *, cohort_id: str = SPRING) -> None:
        self.ledger.submit_log(
            participant_id=self.pid,
            cohort_id=cohort_id,
            attempt=attempt,
            occurred_on=SUBMITTED_ON,
            actor=CLERK,
        )

    def submit_essay(
        self, attempt: int = 1, *, essay_format: str = "written", cohort_id: str = SPRING
    ) -> None:
        self.ledger.submit_essay(
            participant_id=self.pid,
            cohort_id=cohort_id,
            attempt=attempt,
            essay_format=essay_format,  # type: ignore[arg-type]
            occurred_on=SUBMITTED_ON,
            actor=CLERK,
        )

    def submit(self, attempt: int = 1) -> None:
        self.submit_log(attempt)
        self.submit_essay(attempt)

    def mark(
        self,
        stage: str,
        *,
        by: str,
        result: str = "pass",
        attempt: int = 1,
        feedback: str = "Thoughtful reflection on the group work.",
    ) -> None:
        self.ledger.record_mark(
            participant_id=self.pid,
            cohort_id=SPRING,
            attempt=attempt,
            stage=stage,  # type: ignore[arg-type]
            result=result,  # type: ignore[arg-type]
            feedback=feedback,
            occurred_on=MARKED_ON,
            actor=by,
        )

    def mark_both(self, result: str = "pass", attempt: int = 1) -> None:
        self.mark("first", by=FIRST_MARKER, result=result, attempt=attempt)
        self.mark("second", by=SECOND_MARKER, result=result, attempt=attempt)

    def moderate(self, stage: str, *, by: str, result: str = "pass", attempt: int = 1) -> None:
        self.ledger.record_moderation(
            participant_id=self.pid,
            cohort_id=SPRING,
            attempt=attempt,
            stage=stage,  # type: ignore[arg-type]
            result=result,  # type: ignore[arg-type]
            occurred_on=INTERNAL_ON if stage == "internal" else EXTERNAL_ON,
            actor=by,
        )

    def assess(self, attempt: int = 1, *, internal: str = "pass", external: str = "pass") -> None:
        """Submit both components of an attempt, double-mark it and moderate it twice."""
        self.submit(attempt)
        self.mark_both(internal, attempt)
        self.moderate("internal", by=INTERNAL_MODERATOR, result=internal, attempt=attempt)
        self.moderate("external", by=EXTERNAL_MODERATOR, result=external, attempt=attempt)

    def certify(self, kind: str, *, cohort_id: str = SPRING) -> None:
        self.ledger.issue_certificate(
            participant_id=self.pid,
            cohort_id=cohort_id,
            kind=kind,  # type: ignore[arg-type]
            occurred_on=CERTIFIED_ON,
            actor=ADMIN,
        )

    def withdraw(self, *, cohort_id: str = SPRING, on: date = DECIDED_ON) -> None:
        self.ledger.withdraw(
            participant_id=self.pid,
            cohort_id=cohort_id,
            occurred_on=on,
            reason="Moved away",
            actor=CLERK,
        )

    def outcome(self, *, on: date = TODAY, ended_on: date | None = None) -> None:
        self.ledger.report_outcome(
            participant_id=self.pid,
            category="board_member",
            detail="Joined the trust's service user board.",
            source="interview",
            occurred_on=on,
            ended_on=ended_on,
            actor=INTERVIEWER,
        )

    def feedback(self, *, by: str = INTERVIEWER, cohort_id: str | None = None) -> None:
        self.ledger.record_feedback(
            participant_id=self.pid,
            quote="It gave me my voice back.",
            occurred_on=TODAY,
            cohort_id=cohort_id,
            actor=by,
        )

    def wellbeing(self, score: int, *, scale: str = "WEMWBS") -> None:
        self.ledger.measure_wellbeing(
            participant_id=self.pid,
            scale=scale,
            score=score,
            timepoint="baseline",
            occurred_on=ENROLLED_ON,
            actor=CLERK,
        )

    # -- reading ------------------------------------------------------------------------

    @property
    def view(self) -> ParticipantView:
        return self.ledger.get_participant(self.pid)

    @property
    def spring(self) -> Enrolment:
        enrolment = self.view.enrolment(SPRING)
        assert enrolment is not None
        return enrolment

    def snapshot(self) -> Snapshot:
        return Snapshot(self.view, self.ledger.history(self.pid))

    def types(self) -> list[str]:
        return [entry.type for entry in self.ledger.history(self.pid)]
