"""``/participants``: enrol, record events, read a journey, its history and its timeline."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Body, Depends, Header, Query
from fastapi.responses import JSONResponse, Response

from api.auth import Principal, Role
from api.commands import record_event
from api.compose import Services
from api.deps import Caller, Log, Svc, audited, forbidden, views_at
from api.errors import ApiError
from api.idempotency import make_ticket, replay, stored_answer
from api.permissions import DEFAULT_EVENT_ROLES, EVENT_ROLES
from api.presenters import present_history, present_participant
from api.responses import (
    EnrolledOut,
    ErrorOut,
    HistoryEntryOut,
    ParticipantOut,
    RecordedOut,
    TimelineEntryOut,
    TimelineOut,
)
from api.schemas import EnrolIn, EventIn, Moment
from journey.errors import (
    AlreadyAnswered,
    ConcurrencyConflict,
    DomainError,
    ParticipantNotFound,
)
from journey.requests import RequestTicket
from journey.state import PersonalDetails
from projections.outcome_report import read_timeline

__all__ = ["router"]

router = APIRouter(prefix="/participants", tags=["participants"])

E = {"model": ErrorOut}
READ_ERRORS: dict[int | str, dict[str, Any]] = {401: E, 403: E, 404: E, 422: E, 503: E}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: E,
    403: E,
    404: E,
    409: E,
    412: E,
    413: E,
    422: E,
    503: E,
}
CONFLICT_RETRIES = 3


def _link(path: str, method: str) -> dict[str, Any]:
    ref = "#/paths/" + path.replace("~", "~0").replace("/", "~1") + f"/{method}"
    return {
        "operationRef": ref,
        "parameters": {"participant_id": "$response.body#/participant_id"},
    }


# OpenAPI links: from an enrolment or a recorded event to the participant's operations.
PARTICIPANT_LINKS = {
    "ReadParticipant": _link("/participants/{participant_id}", "get"),
    "ReadHistory": _link("/participants/{participant_id}/history", "get"),
    "ReadTimeline": _link("/participants/{participant_id}/timeline", "get"),
    "RecordEvent": _link("/participants/{participant_id}/events", "post"),
}

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retrying with the same key returns the first answer; nothing twice.",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=40,
        description="The version the write expects (412 if the journey is at another).",
    ),
]


AsOf = Annotated[
    Moment | None,
    Query(description="A recorded time (RFC 3339, with offset): the record as it stood then."),
]


def utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def participant_uuid(participant_id: str) -> UUID:
    try:
        return UUID(participant_id)
    except ValueError:
        raise ParticipantNotFound(participant_id) from None


def _sent(ticket: RequestTicket | None) -> RequestTicket:
    """The ticket of a write the store said was already answered (so it had one)."""
    if ticket is None:
        raise RuntimeError("a write without an idempotency key cannot be already answered")
    return ticket


def expected_version(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    match = re.fullmatch(r'\s*(?:W/)?"?(\d{1,9})"?\s*', if_match)
    if match is None:
        raise ApiError(
            422,
            "invalid-if-match",
            'If-Match must be a version number, e.g. If-Match: "3".',
            field="If-Match",
        )
    return int(match.group(1))


@router.post(
    "",
    status_code=201,
    response_model=EnrolledOut,
    responses={
        **WRITE_ERRORS,
        201: {"headers": {"Location": {"schema": {"type": "string"}}}, "links": PARTICIPANT_LINKS},
    },
    summary="Enrol a new participant on a cohort",
)
def enrol(
    body: EnrolIn,
    services: Svc,
    principal: Annotated[Principal, Depends(audited("enrol", target=None))],
    idempotency_key: IdempotencyKey = None,
) -> Any:
    participant_id = uuid4()

    def answer(pid: UUID, version: int) -> tuple[int, dict[str, Any], dict[str, str]]:
        return (
            201,
            {"participant_id": str(pid), "version": version},
            {"Location": f"/participants/{pid}"},  # a UUID: nothing to quote
        )

    ticket = make_ticket(
        principal, idempotency_key, "POST", "/participants", body.model_dump(mode="json"), answer
    )
    first = stored_answer(services.ledger, ticket)
    if first is not None:
        return first
    details = PersonalDetails(**body.model_dump(exclude={"cohort_id", "enrolled_on"}))
    try:
        recorded = services.ledger.enrol(
            cohort_id=body.cohort_id,
            enrolled_on=body.enrolled_on,
            details=details,
            actor=principal.subject,
            participant_id=participant_id,
            request=ticket,
        )
    except AlreadyAnswered as answered:
        return replay(answered.record, _sent(ticket))
    status, content, headers = answer(recorded.aggregate_id, recorded.version)
    return JSONResponse(status_code=status, content=content, headers=headers)


@router.post(
    "/{participant_id}/events",
    status_code=201,
    response_model=RecordedOut,
    responses={**WRITE_ERRORS, 201: {"links": PARTICIPANT_LINKS}},
    summary="Record one event of a participant's journey",
)
def record(
    participant_id: str,
    body: Annotated[EventIn, Body()],
    services: Svc,
    principal: Caller,
    access_log: Log,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Any:
    try:
        what, allowed = _recording_roles(services, participant_id, body)
    except DomainError:  # no such participant or version: logged, then answered 404 / 422
        access_log.record(
            subject=principal.subject,
            role=principal.role,
            operation="record_event",
            target=participant_id,
            detail=body.type,
            allowed=principal.role in CORRECTING_ROLES,
        )
        raise
    access_log.record(
        subject=principal.subject,
        role=principal.role,
        operation="record_event",
        target=participant_id,
        detail=what,
        allowed=principal.role in allowed,
    )
    if principal.role not in allowed:
        raise forbidden(principal, allowed, f"Recording {what}")
    pid = participant_uuid(participant_id)
    version = expected_version(if_match)

    def answer(aggregate_id: UUID, new_version: int) -> tuple[int, dict[str, Any], dict[str, str]]:
        return 201, {"participant_id": str(aggregate_id), "version": new_version}, {}

    path = f"/participants/{pid}/events"
    ticket = make_ticket(
        principal, idempotency_key, "POST", path, body.model_dump(mode="json"), answer
    )
    first = stored_answer(services.ledger, ticket)
    if first is not None:
        return first
    attempts = 1 if version is not None else CONFLICT_RETRIES
    for attempt in range(1, attempts + 1):
        try:
            recorded = record_event(
                services.ledger,
                pid,
                body,
                actor=principal.subject,
                today=services.clock(),
                expected_version=version,
                request=ticket,
            )
            break
        except AlreadyAnswered as answered:
            return replay(answered.record, _sent(ticket))
        except ConcurrencyConflict:
            if attempt == attempts:
                raise
    return RecordedOut(participant_id=str(recorded.aggregate_id), version=recorded.version)


@router.get(
    "/{participant_id}",
    response_model=ParticipantOut,
    responses=READ_ERRORS,
    summary="A journey's current state (or as it was at a version)",
)
def read_participant(
    participant_id: str,
    services: Svc,
    response: Response,
    principal: Annotated[Principal, Depends(audited("read_participant"))],
    version: Annotated[int | None, Query(ge=1, le=1_000_000_000)] = None,
    as_of: AsOf = None,
) -> ParticipantOut:
    pid = participant_uuid(participant_id)
    view = services.ledger.get_participant(pid, version=version, as_of=utc(as_of))
    if version is not None and view.version != version:
        raise ParticipantNotFound(f"{participant_id} at version {version}")
    response.headers["ETag"] = f'"{view.version}"'
    return present_participant(view, principal)


@router.get(
    "/{participant_id}/history",
    response_model=list[HistoryEntryOut],
    responses=READ_ERRORS,
    summary="Every event of a journey, in order, with who recorded it and when",
)
def read_history(
    participant_id: str,
    services: Svc,
    principal: Annotated[Principal, Depends(audited("read_history"))],
    as_of: AsOf = None,
) -> list[HistoryEntryOut]:
    pid = participant_uuid(participant_id)
    moment = utc(as_of)
    entries = services.ledger.history(pid, as_of=moment)
    view = services.ledger.get_participant(pid, as_of=moment)
    return present_history(entries, view, principal)


@router.get(
    "/{participant_id}/timeline",
    response_model=TimelineOut,
    responses=READ_ERRORS,
    summary="Outcomes, follow-ups, feedback and wellbeing in the order they happened",
)
def read_participant_timeline(
    participant_id: str,
    services: Svc,
    _: Annotated[Principal, Depends(audited("read_timeline"))],
) -> TimelineOut:
    pid = participant_uuid(participant_id)
    if not services.ledger.participant_exists(pid):
        raise ParticipantNotFound(participant_id)
    entries = read_timeline(views_at(services, None), str(pid))
    return TimelineOut(
        participant_id=str(pid),
        entries=[
            TimelineEntryOut(
                kind=e.kind,
                occurred_on=e.occurred_on,
                cohort_id=e.cohort_id,
                months_since_enrolment=e.months_since_enrolment,
                months_since_course_ended=e.months_since_course_ended,
                fields=e.fields,
            )
            for e in entries
        ],
    )


# Who may correct an event is who records events of its type; any of these may try.
CORRECTING_ROLES: tuple[Role, ...] = ("staff", "marker", "moderator")


def _recording_roles(
    services: Services, participant_id: str, body: Any
) -> tuple[str, tuple[Role, ...]]:
    """What the body records (for the access log) and the roles that may record it: for a
    correction, the roles that record the corrected event's type."""
    if body.type not in ("EventRetracted", "EventAmended"):
        return body.type, EVENT_ROLES.get(body.type, DEFAULT_EVENT_ROLES)
    corrected = services.ledger.event_type_at(participant_uuid(participant_id), body.corrects)
    return f"{body.type} of {corrected}", EVENT_ROLES.get(corrected, DEFAULT_EVENT_ROLES)
