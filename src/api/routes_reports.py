"""``/reports``: the accreditation funnel, outcome counts and the moderation queue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import Engine

from api.auth import Principal
from api.deps import Svc, require, views_at
from api.permissions import OPERATION_ROLES
from api.responses import ErrorOut, FunnelOut, OutcomesOut, PassRateOut, QueueItemOut
from api.routes_participants import AsOf, utc
from api.schemas import Id
from journey.errors import CohortNotFound, ProgrammeNotFound
from projections.funnel_report import FunnelCounts, funnel_report, known_scope
from projections.moderation import read_queue
from projections.outcome_report import outcome_counts

__all__ = ["router"]

router = APIRouter(prefix="/reports", tags=["reports"])

E = {"model": ErrorOut}
READ_ERRORS: dict[int | str, dict[str, Any]] = {401: E, 403: E, 404: E, 422: E, 503: E}
Year = Annotated[int | None, Query(ge=1900, le=2200)]


def _check_scope(engine: Engine, programme_id: str | None, cohort_id: str | None) -> None:
    if programme_id is not None and not known_scope(
        engine, programme_id=programme_id, cohort_id=None
    ):
        raise ProgrammeNotFound(programme_id)
    if cohort_id is not None and not known_scope(engine, programme_id=None, cohort_id=cohort_id):
        raise CohortNotFound(cohort_id)


def _funnel_out(scope: str, counts: FunnelCounts) -> FunnelOut:
    rates = [PassRateOut(**vars(rate)) for rate in counts.rates()]
    data = dict(vars(counts))
    return FunnelOut(scope=scope, **data, pass_rate=rates[0], other_rates=rates[1:])


@router.get(
    "/pass-rates",
    response_model=list[FunnelOut],
    responses=READ_ERRORS,
    summary="The accreditation funnel: one object per scope asked for",
    description=(
        "Each of programme_id, cohort_id and year given is a scope and gets its own object; "
        "with none, one object per programme. Every pass rate states its numerator, "
        "denominator and definition (default: passed over final results)."
    ),
)
def pass_rates(
    services: Svc,
    _: Annotated[Principal, Depends(require(*OPERATION_ROLES["read_pass_rates"]))],
    programme_id: Annotated[Id | None, Query()] = None,
    cohort_id: Annotated[Id | None, Query()] = None,
    year: Year = None,
    as_of: AsOf = None,
) -> list[FunnelOut]:
    engine = views_at(services, utc(as_of))
    _check_scope(engine, programme_id, cohort_id)
    out: list[FunnelOut] = []
    if programme_id is not None:
        out += [
            _funnel_out("programme", c) for c in funnel_report(engine, programme_id=programme_id)
        ]
    if cohort_id is not None:
        out += [_funnel_out("cohort", c) for c in funnel_report(engine, cohort_id=cohort_id)]
    if year is not None:
        out += [_funnel_out("year", c) for c in funnel_report(engine, year=year)]
    if programme_id is None and cohort_id is None and year is None:
        out = [_funnel_out("programme", c) for c in funnel_report(engine, group_by="programme")]
    return out


@router.get(
    "/outcomes",
    response_model=list[OutcomesOut],
    responses=READ_ERRORS,
    summary="Outcome counts per category and per period after the course",
)
def outcomes(
    services: Svc,
    _: Annotated[Principal, Depends(require(*OPERATION_ROLES["read_outcomes"]))],
    programme_id: Annotated[Id | None, Query()] = None,
    cohort_id: Annotated[Id | None, Query()] = None,
) -> list[OutcomesOut]:
    engine = views_at(services, None)
    _check_scope(engine, programme_id, cohort_id)
    scopes: list[tuple[str, str | None, str | None]] = []
    if programme_id is not None:
        scopes.append(("programme", programme_id, None))
    if cohort_id is not None:
        scopes.append(("cohort", None, cohort_id))
    if not scopes:
        scopes.append(("all", None, None))
    return [
        OutcomesOut(scope=scope, **vars(outcome_counts(engine, programme_id=p, cohort_id=c)))
        for scope, p, c in scopes
    ]


@router.get(
    "/moderation-queue",
    response_model=list[QueueItemOut],
    responses=READ_ERRORS,
    summary="Every attempt waiting for a mark or a moderation, longest waiting first",
)
def moderation_queue(
    services: Svc,
    _: Annotated[Principal, Depends(require(*OPERATION_ROLES["read_moderation_queue"]))],
    cohort_id: Annotated[Id | None, Query()] = None,
) -> list[QueueItemOut]:
    engine = views_at(services, None)
    _check_scope(engine, None, cohort_id)
    items = read_queue(engine, today=services.clock(), cohort_id=cohort_id)
    return [QueueItemOut(**vars(item)) for item in items]
