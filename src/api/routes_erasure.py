"""``/participants/{id}/erasure-requests``: forgetting a participant takes two admins.

One admin asks (with a reason: a reference, never personal data); a second admin approves,
and the participant's data key is destroyed with the ``ParticipantForgotten`` event. The read
models derive that participant's rows again (personal values now read as erased), the cached
past views are dropped, and the space that held the deleted rows is reclaimed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import StringConstraints

from api.auth import Principal
from api.deps import Svc, audited
from api.responses import ErrorOut, RecordedOut
from api.routes_participants import participant_uuid
from api.schemas import Body
from projections.database import reclaim

__all__ = ["router"]

router = APIRouter(prefix="/participants", tags=["erasure"])

E = {"model": ErrorOut}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: E,
    403: E,
    404: E,
    409: E,
    413: E,
    422: E,
    503: E,
}


class ErasureRequestIn(Body):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


@router.post(
    "/{participant_id}/erasure-requests",
    status_code=201,
    response_model=RecordedOut,
    responses=ERRORS,
    summary="Ask for a participant to be forgotten (a second admin approves)",
)
def request_erasure(
    participant_id: str,
    body: ErasureRequestIn,
    services: Svc,
    principal: Annotated[Principal, Depends(audited("request_erasure"))],
) -> RecordedOut:
    recorded = services.ledger.request_erasure(
        participant_id=participant_uuid(participant_id),
        reason=body.reason,
        actor=principal.subject,
    )
    return RecordedOut(participant_id=str(recorded.aggregate_id), version=recorded.version)


@router.post(
    "/{participant_id}/erasure-requests/{request}/approval",
    status_code=201,
    response_model=RecordedOut,
    responses=ERRORS,
    summary="Approve an erasure request: forget the participant, for good",
)
def approve_erasure(
    participant_id: str,
    request: int,
    services: Svc,
    principal: Annotated[Principal, Depends(audited("approve_erasure"))],
) -> RecordedOut:
    recorded = services.ledger.approve_erasure(
        participant_id=participant_uuid(participant_id),
        request=request,
        actor=principal.subject,
    )
    services.runner.catch_up()
    services.runner.forget_past_views()
    reclaim(services.engine)
    return RecordedOut(participant_id=str(recorded.aggregate_id), version=recorded.version)
