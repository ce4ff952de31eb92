"""Event bodies -> application commands: one entry per event type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from api import schemas as s
from journey.application import JourneyLedger
from journey.requests import RequestTicket
from journey.views import Recorded

__all__ = ["record_event"]

Command = Callable[[JourneyLedger, UUID, Any, dict[str, Any], date], Recorded]


def _on(body: Any, today: date) -> date:
    return body.occurred_on if body.occurred_on is not None else today


_COMMANDS: dict[type[Any], Command] = {
    s.EnrolledIn: lambda ledger, pid, b, kw, t: ledger.enrol_again(
        participant_id=pid, cohort_id=b.cohort_id, enrolled_on=_on(b, t), **kw
    ),
    s.SessionAttendedIn: lambda ledger, pid, b, kw, t: ledger.record_session(
        participant_id=pid,
        cohort_id=b.cohort_id,
        session=b.session,
        status="attended",
        occurred_on=b.occurred_on,
        **kw,
    ),
    s.SessionMissedIn: lambda ledger, pid, b, kw, t: ledger.record_session(
        participant_id=pid,
        cohort_id=b.cohort_id,
        session=b.session,
        status="missed",
        occurred_on=b.occurred_on,
        reason=b.reason,
        **kw,
    ),
    s.AccreditationChosenIn: lambda ledger, pid, b, kw, t: ledger.decide_accreditation(
        participant_id=pid, cohort_id=b.cohort_id, choose=True, occurred_on=_on(b, t), **kw
    ),
    s.AccreditationDeclinedIn: lambda ledger, pid, b, kw, t: ledger.decide_accreditation(
        participant_id=pid, cohort_id=b.cohort_id, choose=False, occurred_on=_on(b, t), **kw
    ),
    s.LogSubmittedIn: lambda ledger, pid, b, kw, t: ledger.submit_log(
        participant_id=pid, cohort_id=b.cohort_id, attempt=b.attempt, occurred_on=_on(b, t), **kw
    ),
    s.EssaySubmittedIn: lambda ledger, pid, b, kw, t: ledger.submit_essay(
        participant_id=pid,
        cohort_id=b.cohort_id,
        attempt=b.attempt,
        essay_format=b.format,
        occurred_on=_on(b, t),
        **kw,
    ),
    s.MarkedIn: lambda ledger, pid, b, kw, t: ledger.record_mark(
        participant_id=pid,
        cohort_id=b.cohort_id,
        attempt=b.attempt,
        stage=b.stage,
        result=b.result,
        feedback=b.feedback,
        occurred_on=_on(b, t),
        **kw,
    ),
    s.ModeratedIn: lambda ledger, pid, b, kw, t: ledger.record_moderation(
        participant_id=pid,
        cohort_id=b.cohort_id,
        attempt=b.attempt,
        stage=b.stage,
        result=b.result,
        occurred_on=_on(b, t),
        **kw,
    ),
    s.CertificateIssuedIn: lambda ledger, pid, b, kw, t: ledger.issue_certificate(
        participant_id=pid, cohort_id=b.cohort_id, kind=b.kind, occurred_on=_on(b, t), **kw
    ),
    s.WithdrawnIn: lambda ledger, pid, b, kw, t: ledger.withdraw(
        participant_id=pid, cohort_id=b.cohort_id, reason=b.reason, occurred_on=_on(b, t), **kw
    ),
    s.OutcomeReportedIn: lambda ledger, pid, b, kw, t: ledger.report_outcome(
        participant_id=pid,
        category=b.category,
        detail=b.detail,
        source=b.source,
        ended_on=b.ended_on,
        occurred_on=_on(b, t),
        **kw,
    ),
    s.FollowUpCompletedIn: lambda ledger, pid, b, kw, t: ledger.complete_follow_up(
        participant_id=pid, method=b.method, occurred_on=_on(b, t), **kw
    ),
    s.FeedbackRecordedIn: lambda ledger, pid, b, kw, t: ledger.record_feedback(
        participant_id=pid,
        quote=b.quote,
        cohort_id=b.cohort_id,
        category=b.category,
        occurred_on=_on(b, t),
        **kw,
    ),
    s.WellbeingMeasuredIn: lambda ledger, pid, b, kw, t: ledger.measure_wellbeing(
        participant_id=pid,
        scale=b.scale,
        score=b.score,
        timepoint=b.timepoint,
        occurred_on=_on(b, t),
        **kw,
    ),
    s.EventRetractedIn: lambda ledger, pid, b, kw, t: ledger.retract_event(
        participant_id=pid, corrects=b.corrects, reason=b.reason, **kw
    ),
    s.EventAmendedIn: lambda ledger, pid, b, kw, t: ledger.amend_event(
        participant_id=pid, corrects=b.corrects, changes=b.changes, reason=b.reason, **kw
    ),
}


def record_event(
    ledger: JourneyLedger,
    participant_id: UUID,
    body: Any,
    *,
    actor: str,
    today: date,
    expected_version: int | None,
    request: RequestTicket | None,
) -> Recorded:
    """Run the command for ``body``'s event type as ``actor``."""
    command = _COMMANDS[type(body)]
    options = {"actor": actor, "expected_version": expected_version, "request": request}
    return command(ledger, participant_id, body, options, today)
