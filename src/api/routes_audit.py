"""``/audit``: signed digests of the log and their verification, for auditors."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Principal
from api.deps import Log, Svc, require
from api.permissions import OPERATION_ROLES
from api.responses import ErrorOut
from journey.digest import DigestStatement, SigningKey, check_digest, make_digest
from journey.verification import Verification, verify

__all__ = ["router"]

router = APIRouter(prefix="/audit", tags=["audit"])

E = {"model": ErrorOut}
ERRORS: dict[int | str, dict[str, Any]] = {401: E, 403: E, 409: E, 413: E, 422: E, 503: E}
Hex = Annotated[str, Field(pattern=r"^[0-9a-f]*$", max_length=256)]


class DigestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ledger: Annotated[str, Field(min_length=1, max_length=100)]
    position: Annotated[int, Field(ge=0, strict=True)]
    root: Hex
    stated_at: Annotated[str, Field(min_length=1, max_length=40)]
    algorithm: Annotated[str, Field(min_length=1, max_length=60)]
    public_key: Hex
    signature: Hex


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    digest: DigestBody | None = None


class ProblemOut(BaseModel):
    kind: str
    stream: str
    version: int
    position: int
    detail: str


class DigestCheckOut(BaseModel):
    signature_valid: bool
    signed_by_this_ledger: bool
    prefix_matches: bool


class VerifyOut(BaseModel):
    ok: bool
    checked: int
    position: int
    root: str
    problem: ProblemOut | None
    digest: DigestCheckOut | None


def _verify_out(result: Verification, check: DigestCheckOut | None) -> VerifyOut:
    problem = None if result.problem is None else ProblemOut(**asdict(result.problem))
    ok = result.ok and (check is None or all(check.model_dump().values()))
    return VerifyOut(
        ok=ok,
        checked=result.checked,
        position=result.position,
        root=result.root.hex(),
        problem=problem,
        digest=check,
    )


@router.get(
    "/digest",
    response_model=DigestBody,
    responses=ERRORS,
    summary="Verify the log and state its position and root hash, signed",
)
def audit_digest(
    services: Svc,
    _: Annotated[Principal, Depends(require(*OPERATION_ROLES["audit_digest"]))],
) -> DigestBody:
    key = SigningKey(services.settings.signing_key_file)
    statement, _result = make_digest(
        services.ledger.recorder,  # type: ignore[arg-type]
        key,
        ledger=services.settings.ledger_name,
    )
    return DigestBody(**asdict(statement))


@router.post(
    "/verify",
    response_model=VerifyOut,
    responses=ERRORS,
    summary="Recompute every seal; with a digest, prove the log still extends it",
)
def audit_verify(
    services: Svc,
    _: Annotated[Principal, Depends(require(*OPERATION_ROLES["audit_verify"]))],
    body: VerifyIn | None = None,
) -> VerifyOut:
    log: Any = services.ledger.recorder
    if body is None or body.digest is None:
        return _verify_out(verify(log), None)
    statement = DigestStatement(**body.digest.model_dump())
    check = check_digest(log, statement, SigningKey(services.settings.signing_key_file))
    return _verify_out(
        check.verification,
        DigestCheckOut(
            signature_valid=check.signature_valid,
            signed_by_this_ledger=check.signed_by_this_ledger,
            prefix_matches=check.prefix_matches,
        ),
    )


class AccessEntryOut(BaseModel):
    at: datetime
    subject: str
    role: str
    operation: str
    target: str | None
    detail: str | None
    allowed: bool


@router.get(
    "/access",
    response_model=list[AccessEntryOut],
    responses=ERRORS,
    summary="The access log: who read or wrote which record, when, allowed or denied",
)
def audit_access(
    access_log: Log,
    _: Annotated[Principal, Depends(require(*OPERATION_ROLES["audit_access"]))],
    target: Annotated[
        str | None, Query(max_length=100, description="A participant or cohort id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[AccessEntryOut]:
    return [AccessEntryOut(**asdict(e)) for e in access_log.read(target=target, limit=limit)]
