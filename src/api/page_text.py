"""Plain words for the pages: a sentence per recorded event, and labels for coded values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["LABELS", "describe", "label"]

LABELS: dict[str, str] = {
    # outcome categories
    "chair": "Chair of a group or organisation",
    "treasurer": "Treasurer",
    "board_member": "Board member",
    "employment": "Found or changed a job",
    "co_facilitating": "Co-facilitating a course",
    "speaking": "Speaking (AGMs, universities, conferences, councils)",
    "leadership_role": "Leadership role in their service",
    "further_training": "Completed other training",
    "volunteering": "Voluntary work",
    "campaigning": "Lobbying, campaigning, advocating",
    # outcome sources
    "interview": "Review interview",
    "self_report": "Told us themself",
    "staff_observation": "Staff observed it",
    # components, formats, stages
    "log": "learning log",
    "essay": "reflective essay",
    "written": "written",
    "oral": "presented orally",
    "poster": "as a poster",
    "first_mark": "first mark",
    "second_mark": "second mark",
    "internal_moderation": "internal moderation",
    "external_moderation": "external moderation",
    "telephone_interview": "telephone interview",
    "face_to_face": "face to face",
}


def label(value: object) -> str:
    text = str(value)
    return LABELS.get(text, text.replace("_", " "))


def _on_cohort(fields: Mapping[str, Any]) -> str:
    cohort = fields.get("cohort_id")
    return f" ({cohort})" if cohort else ""


def describe(event_type: str, fields: Mapping[str, Any]) -> str:
    """One sentence for a recorded event; personal details are never part of it."""
    f = fields
    c = _on_cohort(f)
    match event_type:
        case "Registered":
            return "Registered on the ledger"
        case "Enrolled":
            return f"Enrolled on cohort {f.get('cohort_id')}"
        case "SessionAttended":
            return f"Attended training day {f.get('session')}{c}"
        case "SessionMissed":
            reason = f.get("reason")
            return f"Missed training day {f.get('session')}{c}" + (f": {reason}" if reason else "")
        case "AccreditationChosen":
            return f"Chose to work towards accreditation{c}"
        case "AccreditationDeclined":
            return f"Declined accreditation: certificate of attendance only{c}"
        case "LogSubmitted":
            return f"Submitted the learning log, attempt {f.get('attempt')}{c}"
        case "EssaySubmitted":
            return (
                f"Submitted the reflective essay ({label(f.get('format'))}), "
                f"attempt {f.get('attempt')}{c}"
            )
        case "Marked":
            return (
                f"{str(f.get('stage', '')).capitalize()} mark: {f.get('result')}, by "
                f"{f.get('marker')}, attempt {f.get('attempt')}{c}"
            )
        case "Moderated":
            return (
                f"{str(f.get('stage', '')).capitalize()} moderation: {f.get('result')}, by "
                f"{f.get('moderator')}, attempt {f.get('attempt')}{c}"
            )
        case "CertificateIssued":
            return f"Certificate issued: {f.get('kind')}{c}"
        case "Withdrawn":
            reason = f.get("reason")
            return f"Withdrew{c}" + (f": {reason}" if reason else "")
        case "OutcomeReported":
            return f"Outcome: {label(f.get('category'))}: {f.get('detail')}"
        case "FollowUpCompleted":
            return f"Follow-up completed ({label(f.get('method'))})"
        case "FeedbackRecorded":
            return f"Feedback in their own words: \u201c{f.get('quote')}\u201d"
        case "WellbeingMeasured":
            return f"Wellbeing {f.get('scale')}: {f.get('score')} ({label(f.get('timepoint'))})"
    return event_type
