"""Domain views -> response bodies, with what the caller's role may not see taken out.

Double marking is blind: a marker sees, on an attempt, only their own mark until both marks
are in (then both). History hides the other marker's ``Marked`` event the same way.
"""

from __future__ import annotations

from dataclasses import asdict

from api.auth import Principal
from api.responses import (
    AttemptOut,
    EnrolmentOut,
    FeedbackOut,
    FollowUpOut,
    HistoryEntryOut,
    MarkOut,
    ModerationOut,
    OutcomeOut,
    ParticipantOut,
    PersonalOut,
    WellbeingOut,
)
from journey.state import Attempt, Enrolment
from journey.views import HistoryEntry, ParticipantView

__all__ = ["present_history", "present_participant"]


def _visible_marks(attempt: Attempt, principal: Principal) -> list[MarkOut]:
    marks = list(attempt.marks)
    if principal.role == "marker" and len(marks) < 2:
        marks = [m for m in marks if m.marker == principal.subject]
    return [MarkOut(**asdict(m)) for m in marks]


def _attempt(attempt: Attempt, principal: Principal) -> AttemptOut:
    visible = _visible_marks(attempt, principal)
    return AttemptOut(
        attempt=attempt.number,
        submitted=list(attempt.submitted),
        essay_format=attempt.essay_format,
        marks=visible,
        marks_hidden=len(attempt.marks) - len(visible),
        moderations=[ModerationOut(**asdict(m)) for m in attempt.moderations],
        final_result=attempt.final_result,
    )


def _enrolment(e: Enrolment, principal: Principal) -> EnrolmentOut:
    return EnrolmentOut(
        cohort_id=e.cohort_id,
        programme_id=e.programme_id,
        enrolled_on=e.enrolled_on,
        withdrawn_on=e.withdrawn_on,
        sessions={str(s.session): s.status for s in sorted(e.sessions, key=lambda s: s.session)},
        attended=e.attended,
        accreditation=e.accreditation,
        attempts=[_attempt(a, principal) for a in e.attempts],
        certificates=list(e.certificates),
        credits_awarded=e.credits_awarded,
    )


def present_participant(view: ParticipantView, principal: Principal) -> ParticipantOut:
    return ParticipantOut(
        participant_id=str(view.participant_id),
        version=view.version,
        registered_at=view.registered_at,
        modified_at=view.modified_at,
        personal=PersonalOut(**asdict(view.details)),
        enrolments=[_enrolment(e, principal) for e in view.enrolments],
        outcomes=[
            OutcomeOut(
                category=o.category,
                detail=o.detail,
                source=o.source,
                occurred_on=o.occurred_on,
                ended_on=o.ended_on,
                version=o.version,
            )
            for o in view.outcomes
        ],
        follow_ups=[
            FollowUpOut(method=f.method, occurred_on=f.occurred_on, version=f.version)
            for f in view.follow_ups
        ],
        feedback=[FeedbackOut(**asdict(f)) for f in view.feedback],
        wellbeing=[WellbeingOut(**asdict(w)) for w in view.wellbeing],
        forgotten=view.forgotten,
    )


def present_history(
    entries: tuple[HistoryEntry, ...], view: ParticipantView, principal: Principal
) -> list[HistoryEntryOut]:
    hidden: set[tuple[str, int]] = set()
    if principal.role == "marker":
        for enrolment in view.enrolments:
            for attempt in enrolment.attempts:
                if len(attempt.marks) < 2:
                    hidden.add((enrolment.cohort_id, attempt.number))
    out = []
    for entry in entries:
        fields = dict(entry.fields)
        # A correction of a mark quotes the mark: hidden exactly when the mark is.
        mark = fields.get("original") if fields.get("corrected_type") == "Marked" else None
        if entry.type == "Marked":
            mark = fields
        if (
            isinstance(mark, dict)
            and (mark.get("cohort_id"), mark.get("attempt")) in hidden
            and mark.get("marker") != principal.subject
        ):
            continue
        out.append(
            HistoryEntryOut(
                type=entry.type,
                version=entry.version,
                occurred_on=entry.occurred_on,
                recorded_at=entry.recorded_at,
                recorded_by=entry.recorded_by,
                fields=fields,
            )
        )
    return out
