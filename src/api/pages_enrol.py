"""Enrol a new participant on a cohort: their name, how to reach them, the equality
monitoring questions (all optional but the name), and the date. Saved with a request ticket
from the form's token, so sending the form twice enrols one person, not two."""

from __future__ import annotations

import json
from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.errors import status_for
from api.page_forms import FormInvalid, field_of, model_from_form
from api.pages_common import (
    PREFIX,
    Form,
    PageRoute,
    PageUser,
    User,
    form_token,
    page_ticket,
    redirect,
    render,
    services,
)
from api.schemas import EnrolIn
from journey.errors import AlreadyAnswered, DomainError
from journey.state import PersonalDetails

__all__ = ["router"]

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)


def _page(
    request: Request,
    user: PageUser,
    cohort_id: str,
    *,
    errors: Mapping[str, str] | None = None,
    typed: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    s = services(request)
    cohort = s.ledger.get_cohort(cohort_id)
    context = {
        "cohort": cohort,
        "programme": s.ledger.get_programme(cohort.programme_id),
        "today": s.clock().isoformat(),
        "form_token": form_token(),
        "errors": errors or {},
        "typed": typed or {},
    }
    return render(request, "enrol.html", context, user=user, status=status)


@router.get("/cohorts/{cohort_id}/enrol", response_class=HTMLResponse)
def enrol_page(request: Request, cohort_id: str, user: User) -> Response:
    if not user.may("enrol"):
        user.require(request, "enrol", "Enrolling a participant", target=cohort_id)
    return _page(request, user, cohort_id)


@router.post("/cohorts/{cohort_id}/enrol", response_class=HTMLResponse)
def enrol(request: Request, cohort_id: str, form: Form) -> Response:
    user, s = form.user, services(request)
    user.require(request, "enrol", "Enrolling a participant", target=cohort_id)
    fields = {**form.fields, "cohort_id": cohort_id}
    try:
        body = model_from_form(EnrolIn, fields)
    except FormInvalid as invalid:
        return _page(request, user, cohort_id, errors=invalid.errors, typed=fields, status=422)
    ticket = page_ticket(user, form.get("form_token"), "enrol", body.model_dump(mode="json"))
    try:
        recorded = s.ledger.enrol(
            cohort_id=body.cohort_id,
            enrolled_on=body.enrolled_on,
            details=PersonalDetails(**body.model_dump(exclude={"cohort_id", "enrolled_on"})),
            actor=user.principal.subject,
            request=ticket,
        )
        participant_id = str(recorded.aggregate_id)
    except AlreadyAnswered as answered:
        if ticket is None or answered.record.fingerprint != ticket.fingerprint:
            problem = {"form": "This form was already sent with other details: reload it."}
            return _page(request, user, cohort_id, errors=problem, typed=fields, status=409)
        participant_id = json.loads(answered.record.response)["participant_id"]
    except DomainError as error:
        name = field_of(error)
        problem = {"enrolled_on" if name == "occurred_on" else name: error.message}
        return _page(
            request, user, cohort_id, errors=problem, typed=fields, status=status_for(error)
        )
    return redirect(f"{PREFIX}/participants/{participant_id}", saved="Enrolled")
