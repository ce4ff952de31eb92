"""Every error the domain and the application raise, in one place.

Each error has a stable ``code`` (part of the published contract: the API answers it, clients
match on it) and a message: for a broken rule, a sentence that says which rule and why; for an
:class:`InvalidValue`, the field and what is wrong with it. The API maps classes to
HTTP statuses in one table; a test proves every class here has a status.

- :class:`RuleViolation` and its subclasses: a command broke a domain rule (HTTP 409).
- :class:`InvalidValue`: a value is malformed or out of range (HTTP 422).
- :class:`NotFound` subclasses: an unknown participant, cohort, programme, trainer or staff
  training session (HTTP 404).
- :class:`AlreadyExists`: a programme or cohort id that is taken (HTTP 409).
- :class:`ConcurrencyConflict`: another writer got there first (HTTP 409).
- :class:`VersionMismatch`: a conditional write saw another version (HTTP 412).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from journey.requests import RequestRecord

__all__ = [
    "AccreditationDecisionError",
    "ActionPlanError",
    "AlreadyAnswered",
    "AlreadyEnrolledError",
    "AlreadyExists",
    "AlreadyWithdrawnError",
    "AttemptSequenceError",
    "CertificateError",
    "CohortNotFound",
    "ComponentAlreadySubmittedError",
    "ConcurrencyConflict",
    "CorrectionError",
    "DomainError",
    "ErasureError",
    "EssayFormatNotAllowedError",
    "EvaluationError",
    "ExpenseClaimError",
    "FeedbackInterviewerError",
    "InvalidValue",
    "MarkingError",
    "ModerationError",
    "NotEnrolledError",
    "NotFound",
    "OccurredInFutureError",
    "ParticipantNotFound",
    "ProgrammeNotFound",
    "ResultAlreadyFinalError",
    "RuleViolation",
    "SessionError",
    "StaffSessionError",
    "StaffSessionNotFound",
    "SubmissionWithoutAccreditationError",
    "TrainerNotFound",
    "TrainerNotQualifiedError",
    "VersionMismatch",
    "WellbeingOutOfRangeError",
    "WithdrawnError",
]


class DomainError(Exception):
    """Base of every error the ledger raises on purpose."""

    code: str = "domain-error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class InvalidValue(DomainError):
    """A value given to a command is malformed or out of its range."""

    code = "invalid-value"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class NotFound(DomainError):
    code = "not-found"


class ParticipantNotFound(NotFound):
    code = "participant-not-found"

    def __init__(self, participant_id: object) -> None:
        super().__init__(f"No participant with id {participant_id}.")


class CohortNotFound(NotFound):
    code = "cohort-not-found"

    def __init__(self, cohort_id: str) -> None:
        super().__init__(f"No cohort with id {cohort_id!r}.")
        self.cohort_id = cohort_id


class ProgrammeNotFound(NotFound):
    code = "programme-not-found"

    def __init__(self, programme_id: str) -> None:
        super().__init__(f"No programme with id {programme_id!r}.")
        self.programme_id = programme_id


class TrainerNotFound(NotFound):
    code = "trainer-not-found"

    def __init__(self, trainer_id: str) -> None:
        super().__init__(f"No trainer with id {trainer_id!r}.")
        self.trainer_id = trainer_id


class StaffSessionNotFound(NotFound):
    code = "staff-session-not-found"

    def __init__(self, session_id: str) -> None:
        super().__init__(f"No staff training session with id {session_id!r}.")
        self.session_id = session_id


class AlreadyExists(DomainError):
    code = "already-exists"


class AlreadyAnswered(DomainError):
    """A write carried a request key that was already answered: the first answer stands."""

    code = "already-answered"

    def __init__(self, record: RequestRecord) -> None:
        super().__init__("This request was already answered; nothing new was recorded.")
        self.record = record


class ConcurrencyConflict(DomainError):
    """Another command was recorded for the same stream between our read and our write."""

    code = "concurrent-write"


class VersionMismatch(DomainError):
    """A conditional write expected a version the stream no longer has."""

    code = "version-mismatch"

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"The write expected version {expected} but the record is at version {actual}."
        )
        self.expected = expected
        self.actual = actual


class RuleViolation(DomainError):
    """A command would break one of the ledger's rules; nothing was recorded."""

    code = "rule-violated"


# Rule 1: enrolment and withdrawal.
class NotEnrolledError(RuleViolation):
    code = "not-enrolled"


class AlreadyEnrolledError(RuleViolation):
    code = "already-enrolled"


class WithdrawnError(RuleViolation):
    code = "withdrawn"


class AlreadyWithdrawnError(RuleViolation):
    code = "already-withdrawn"


class OccurredInFutureError(RuleViolation):
    code = "occurred-in-future"


# Rule 2: training days.
class SessionError(RuleViolation):
    code = "session-invalid"


# Rule 3: the accreditation decision.
class AccreditationDecisionError(RuleViolation):
    code = "accreditation-decision"


# Rule 4: submissions.
class SubmissionWithoutAccreditationError(RuleViolation):
    code = "submission-without-accreditation"


class EssayFormatNotAllowedError(RuleViolation):
    code = "essay-format-not-allowed"


class AttemptSequenceError(RuleViolation):
    code = "attempt-sequence"


class ComponentAlreadySubmittedError(RuleViolation):
    code = "component-already-submitted"


# Rule 5: marking.
class MarkingError(RuleViolation):
    code = "marking"


# Rule 6: moderation and the final result.
class ModerationError(RuleViolation):
    code = "moderation"


class ResultAlreadyFinalError(RuleViolation):
    code = "result-final"


# Rule 7: certificates.
class CertificateError(RuleViolation):
    code = "certificate"


# Rule 8: review feedback.
class FeedbackInterviewerError(RuleViolation):
    code = "interviewer-is-trainer"


# Rule 9: wellbeing scales.
class WellbeingOutOfRangeError(RuleViolation):
    code = "wellbeing-out-of-range"


# Corrections: a mistaken event is retracted or amended by a later event, never edited.
class CorrectionError(RuleViolation):
    code = "correction"


# Erasure: a forgotten participant's stream is closed; two admins are needed through the API.
class ErasureError(RuleViolation):
    code = "erasure"


# Staff training (the NICE document): trainers, sessions, evaluations, action plans, claims.
class TrainerNotQualifiedError(RuleViolation):
    """A trainer delivers only after completing Train the Trainer, unless a pilot trainer."""

    code = "trainer-not-qualified"


class ExpenseClaimError(RuleViolation):
    """A claim is approved or rejected once, reimbursed at most once and only after approval."""

    code = "expense-claim"


class StaffSessionError(RuleViolation):
    """A session is delivered once, on its date; learners attend a delivered session once."""

    code = "staff-session"


class EvaluationError(RuleViolation):
    """One evaluation per learner, and only from a learner who attended."""

    code = "evaluation"


class ActionPlanError(RuleViolation):
    """Actions are added and updated only while their plan is open, until done or dropped."""

    code = "action-plan"
