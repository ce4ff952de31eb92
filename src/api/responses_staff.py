"""Response bodies of the staff-training API. Records and reports that are already frozen
views (:mod:`journey.staff_views`, the read models' dataclasses) are served as they are."""

from __future__ import annotations

from pydantic import BaseModel

from projections.staff_evaluations import OutcomeRating, SessionEvaluation

__all__ = ["EvaluationsOut", "SessionRecordedOut", "TrainerRecordedOut", "WorkforceRecordedOut"]


class TrainerRecordedOut(BaseModel):
    trainer_id: str
    version: int


class SessionRecordedOut(BaseModel):
    session_id: str
    version: int


class WorkforceRecordedOut(BaseModel):
    region: str
    version: int


class EvaluationsOut(BaseModel):
    """Evaluations per session (each with its learning outcomes), and per learning outcome
    across sessions."""

    sessions: list[SessionEvaluation]
    outcomes: list[OutcomeRating]
