"""``/programmes`` and ``/cohorts``: define programmes, schedule cohorts, read them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from api.auth import Principal
from api.deps import Svc, audited, require, views_at
from api.permissions import OPERATION_ROLES
from api.responses import CohortOut, ErrorOut, ProgrammeOut, RegisterOut, RegisterRowOut
from api.routes_participants import AsOf, utc
from api.schemas import CohortIn, ProgrammeIn
from journey.moderation_pack import PackRow, pack_csv, pack_rows
from journey.values import Accreditation
from journey.views import CohortView, ProgrammeView
from projections.register import read_register

__all__ = ["router"]

router = APIRouter(tags=["programmes and cohorts"])

E = {"model": ErrorOut}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: E,
    403: E,
    404: E,
    409: E,
    413: E,
    422: E,
    503: E,
}
READ_ERRORS: dict[int | str, dict[str, Any]] = {401: E, 403: E, 404: E, 422: E, 503: E}


def _created(out: BaseModel, collection: str, key: str) -> JSONResponse:
    """201 with the new record and where to read it (the id quoted for the path)."""
    return JSONResponse(
        status_code=201,
        content=out.model_dump(mode="json"),
        headers={"Location": f"/{collection}/{quote(key, safe='')}"},
    )


def _programme_out(view: ProgrammeView) -> ProgrammeOut:
    data = asdict(view)
    return ProgrammeOut.model_validate(data)


def _cohort_out(view: CohortView) -> CohortOut:
    return CohortOut.model_validate(asdict(view))


@router.post(
    "/programmes",
    status_code=201,
    response_model=ProgrammeOut,
    responses=WRITE_ERRORS,
    summary="Define a programme",
)
def define_programme(
    body: ProgrammeIn,
    services: Svc,
    principal: Annotated[Principal, Depends(require(*OPERATION_ROLES["define_programme"]))],
) -> Any:
    accreditation = (
        None
        if body.accreditation is None
        else Accreditation(
            awarding_body=body.accreditation.awarding_body,
            credits=body.accreditation.credits,
            level=body.accreditation.level,
            essay_formats=tuple(body.accreditation.essay_formats),
            max_attempts=body.accreditation.max_attempts,
            components=tuple(body.accreditation.components),
        )
    )
    services.ledger.define_programme(
        programme_id=body.programme_id,
        name=body.name,
        session_count=body.session_count,
        attendance_threshold=body.attendance_threshold,
        themes=body.themes,
        accreditation=accreditation,
        retention_months=body.retention_months,
        actor=principal.subject,
    )
    out = _programme_out(services.ledger.get_programme(body.programme_id))
    return _created(out, "programmes", body.programme_id)


@router.get(
    "/programmes/{programme_id}",
    response_model=ProgrammeOut,
    responses=READ_ERRORS,
    summary="A programme's definition",
)
def read_programme(
    programme_id: str,
    services: Svc,
    _: Annotated[Principal, Depends(require(*OPERATION_ROLES["read_programme"]))],
) -> ProgrammeOut:
    return _programme_out(services.ledger.get_programme(programme_id))


@router.post(
    "/cohorts",
    status_code=201,
    response_model=CohortOut,
    responses=WRITE_ERRORS,
    summary="Schedule a cohort of a programme",
)
def schedule_cohort(
    body: CohortIn,
    services: Svc,
    principal: Annotated[Principal, Depends(require(*OPERATION_ROLES["schedule_cohort"]))],
) -> Any:
    services.ledger.schedule_cohort(
        cohort_id=body.cohort_id,
        programme_id=body.programme_id,
        location=body.location,
        session_dates=body.session_dates,
        trainers=body.trainers,
        actor=principal.subject,
    )
    out = _cohort_out(services.ledger.get_cohort(body.cohort_id))
    return _created(out, "cohorts", body.cohort_id)


@router.get(
    "/cohorts/{cohort_id}",
    response_model=CohortOut,
    responses=READ_ERRORS,
    summary="A cohort's plan",
)
def read_cohort(
    cohort_id: str,
    services: Svc,
    _: Annotated[Principal, Depends(require(*OPERATION_ROLES["read_cohort"]))],
) -> CohortOut:
    return _cohort_out(services.ledger.get_cohort(cohort_id))


@router.get(
    "/cohorts/{cohort_id}/register",
    response_model=RegisterOut,
    responses=READ_ERRORS,
    summary="The attendance register of a cohort",
)
def read_cohort_register(
    cohort_id: str,
    services: Svc,
    _: Annotated[Principal, Depends(require(*OPERATION_ROLES["read_register"]))],
    as_of: AsOf = None,
) -> RegisterOut:
    services.ledger.get_cohort(cohort_id)  # 404 for an unknown cohort
    register = read_register(views_at(services, utc(as_of)), cohort_id)
    return RegisterOut(
        cohort_id=register.cohort_id,
        programme_id=register.programme_id,
        location=register.location,
        session_count=register.session_dates_count,
        attendance_threshold=register.attendance_threshold,
        rows=[
            RegisterRowOut(
                participant_id=row.participant_id,
                enrolled_on=row.enrolled_on,
                withdrawn_on=row.withdrawn_on,
                sessions={str(n): status for n, status in row.sessions.items()},
                attended=row.attended,
                certificate_eligible=row.certificate_eligible,
            )
            for row in register.rows
        ],
    )


def moderation_pack(services: Svc, cohort_id: str) -> list[PackRow]:
    """Every submission of a cohort, from each enrolled participant's current record."""
    services.ledger.get_cohort(cohort_id)  # 404 for an unknown cohort
    engine = views_at(services, None)
    ids = [UUID(row.participant_id) for row in read_register(engine, cohort_id).rows]
    return pack_rows(cohort_id, (services.ledger.get_participant(pid) for pid in ids))


@router.get(
    "/cohorts/{cohort_id}/moderation-pack",
    response_model=list[PackRow],  # the journey's own frozen record, served as it is
    responses={**READ_ERRORS, 200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    summary="Every submission with its marks, moderation, result and an independence check",
)
def read_moderation_pack(
    cohort_id: str,
    services: Svc,
    _: Annotated[Principal, Depends(audited("read_moderation_pack", target="cohort_id"))],
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv")] = "json",
) -> Any:
    rows = moderation_pack(services, cohort_id)
    if format == "csv":
        return Response(
            content=pack_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="moderation-pack.csv"'},
        )
    return rows
