"""``/trainers``, ``/staff-sessions`` and ``/workforce``: the staff-training records, in the
style of ``/participants`` (discriminated event bodies, roles, If-Match, Idempotency-Key)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse

from api.auth import Principal
from api.commands_staff import record_session_event, record_trainer_event
from api.deps import Svc, audited
from api.idempotency import make_ticket, replay, stored_answer
from api.responses_staff import SessionRecordedOut, TrainerRecordedOut, WorkforceRecordedOut
from api.routes_participants import (
    CONFLICT_RETRIES,
    READ_ERRORS,
    WRITE_ERRORS,
    IdempotencyKey,
    IfMatch,
    expected_version,
)
from api.schemas_staff import (
    StaffSessionEventIn,
    StaffSessionIn,
    TrainerEventIn,
    TrainerIn,
    WorkforceSizeIn,
)
from journey.errors import AlreadyAnswered, ConcurrencyConflict, InvalidValue
from journey.requests import RequestTicket
from journey.staff_views import StaffSessionView, TrainerView
from journey.views import Recorded

__all__ = ["router"]

router = APIRouter(tags=["staff training"])

Answer = tuple[int, dict[str, Any], dict[str, str]]
LOCATION: dict[int | str, dict[str, Any]] = {
    201: {"headers": {"Location": {"schema": {"type": "string"}}}}
}


def _write(
    principal: Principal,
    services: Svc,
    idempotency_key: str | None,
    path: str,
    body: Any,
    answer: Callable[[UUID, int], Answer],
    command: Callable[[RequestTicket | None], Recorded],
    *,
    retries: int = 1,
) -> Any:
    """Run ``command`` once (or up to ``retries`` times on a concurrent write), answering a
    retried request with its first answer."""
    ticket = make_ticket(
        principal, idempotency_key, "POST", path, body.model_dump(mode="json"), answer
    )
    first = stored_answer(services.ledger, ticket)
    if first is not None:
        return first
    for attempt in range(1, retries + 1):
        try:
            recorded = command(ticket)
            break
        except AlreadyAnswered as answered:
            if ticket is None:
                raise RuntimeError("only a write with a key can be already answered") from None
            return replay(answered.record, ticket)
        except ConcurrencyConflict:
            if attempt == retries:
                raise
    status, content, headers = answer(recorded.aggregate_id, recorded.version)
    return JSONResponse(status_code=status, content=content, headers=headers)


# -- trainers ------------------------------------------------------------------------------


@router.post(
    "/trainers",
    status_code=201,
    response_model=TrainerRecordedOut,
    responses={**WRITE_ERRORS, **LOCATION},
    summary="Recruit a trainer against a role description",
)
def recruit_trainer(
    body: TrainerIn,
    services: Svc,
    principal: Annotated[Principal, Depends(audited("recruit_trainer", target=None))],
    idempotency_key: IdempotencyKey = None,
) -> Any:
    participant_id = None
    if body.participant_id is not None:
        try:
            participant_id = UUID(body.participant_id)
        except ValueError:
            raise InvalidValue("participant_id", "must be a participant's id (a UUID)") from None

    def answer(_: UUID, version: int) -> Answer:
        location = f"/trainers/{quote(body.trainer_id, safe='')}"
        return 201, {"trainer_id": body.trainer_id, "version": version}, {"Location": location}

    return _write(
        principal,
        services,
        idempotency_key,
        "/trainers",
        body,
        answer,
        lambda ticket: services.ledger.recruit_trainer(
            trainer_id=body.trainer_id,
            role_description=body.role_description,
            recruited_on=body.recruited_on,
            pilot=body.pilot,
            participant_id=participant_id,
            name=body.name,
            actor=principal.subject,
            request=ticket,
        ),
    )


@router.post(
    "/trainers/{trainer_id}/events",
    status_code=201,
    response_model=TrainerRecordedOut,
    responses=WRITE_ERRORS,
    summary="Record one event of a trainer: Train the Trainer, support, expense claims",
)
def record_trainer(
    trainer_id: str,
    body: Annotated[TrainerEventIn, Body()],
    services: Svc,
    principal: Annotated[Principal, Depends(audited("record_trainer_event", "trainer_id"))],
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Any:
    version = expected_version(if_match)

    def answer(_: UUID, new_version: int) -> Answer:
        return 201, {"trainer_id": trainer_id, "version": new_version}, {}

    return _write(
        principal,
        services,
        idempotency_key,
        f"/trainers/{trainer_id}/events",
        body,
        answer,
        lambda ticket: record_trainer_event(
            services.ledger,
            trainer_id,
            body,
            actor=principal.subject,
            today=services.clock(),
            expected_version=version,
            request=ticket,
        ),
        retries=1 if version is not None else CONFLICT_RETRIES,
    )


@router.get(
    "/trainers/{trainer_id}",
    response_model=TrainerView,
    responses=READ_ERRORS,
    summary="A trainer's record: training, sessions, support and claims",
)
def read_trainer(
    trainer_id: str,
    services: Svc,
    _: Annotated[Principal, Depends(audited("read_trainer", "trainer_id"))],
) -> TrainerView:
    return services.ledger.get_trainer(trainer_id)


# -- staff training sessions ---------------------------------------------------------------


@router.post(
    "/staff-sessions",
    status_code=201,
    response_model=SessionRecordedOut,
    responses={**WRITE_ERRORS, **LOCATION},
    summary="Plan a staff training session",
)
def plan_staff_session(
    body: StaffSessionIn,
    services: Svc,
    principal: Annotated[Principal, Depends(audited("plan_staff_session", target=None))],
    idempotency_key: IdempotencyKey = None,
) -> Any:
    def answer(_: UUID, version: int) -> Answer:
        location = f"/staff-sessions/{quote(body.session_id, safe='')}"
        return 201, {"session_id": body.session_id, "version": version}, {"Location": location}

    return _write(
        principal,
        services,
        idempotency_key,
        "/staff-sessions",
        body,
        answer,
        lambda ticket: services.ledger.plan_staff_session(
            session_id=body.session_id,
            session_date=body.session_date,
            region=body.region,
            venue=body.venue,
            trainers=body.trainers,
            learning_outcomes=body.learning_outcomes,
            actor=principal.subject,
            request=ticket,
        ),
    )


@router.post(
    "/staff-sessions/{session_id}/events",
    status_code=201,
    response_model=SessionRecordedOut,
    responses=WRITE_ERRORS,
    summary="Record one event of a session: delivery, a learner, an evaluation, action "
    "plans, a cost",
)
def record_session(
    session_id: str,
    body: Annotated[StaffSessionEventIn, Body()],
    services: Svc,
    principal: Annotated[Principal, Depends(audited("record_session_event", "session_id"))],
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Any:
    version = expected_version(if_match)

    def answer(_: UUID, new_version: int) -> Answer:
        return 201, {"session_id": session_id, "version": new_version}, {}

    return _write(
        principal,
        services,
        idempotency_key,
        f"/staff-sessions/{session_id}/events",
        body,
        answer,
        lambda ticket: record_session_event(
            services.ledger,
            session_id,
            body,
            actor=principal.subject,
            today=services.clock(),
            expected_version=version,
            request=ticket,
        ),
        retries=1 if version is not None else CONFLICT_RETRIES,
    )


@router.get(
    "/staff-sessions/{session_id}",
    response_model=StaffSessionView,
    responses=READ_ERRORS,
    summary="A session's record: plan, delivery, learners, action plans, costs",
)
def read_staff_session(
    session_id: str,
    services: Svc,
    _: Annotated[Principal, Depends(audited("read_staff_session", "session_id"))],
) -> StaffSessionView:
    return services.ledger.get_staff_session(session_id)


# -- workforce -----------------------------------------------------------------------------


@router.post(
    "/workforce",
    status_code=201,
    response_model=WorkforceRecordedOut,
    responses=WRITE_ERRORS,
    summary="Record the size of a region's workforce from a date",
)
def record_workforce_size(
    body: WorkforceSizeIn,
    services: Svc,
    principal: Annotated[Principal, Depends(audited("record_workforce_size", target=None))],
    idempotency_key: IdempotencyKey = None,
) -> Any:
    def answer(_: UUID, version: int) -> Answer:
        return 201, {"region": body.region, "version": version}, {}

    return _write(
        principal,
        services,
        idempotency_key,
        "/workforce",
        body,
        answer,
        lambda ticket: services.ledger.record_workforce_size(
            region=body.region,
            size=body.size,
            occurred_on=body.counts_from,
            actor=principal.subject,
            request=ticket,
        ),
        retries=CONFLICT_RETRIES,
    )
