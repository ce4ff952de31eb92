"""A participant's journey page: the timeline of everything recorded, and forms for the next
sensible events (enrol on another cohort, choose or decline accreditation, record a
submission, report an outcome).

A form's fields become the API's own event body and go through the same command; what is
wrong comes back as a sentence next to the field, with what was typed kept. Each form carries
the journey's version when it was shown: if someone else recorded something meanwhile, the
form is not saved and says so (the timeline above then shows what changed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.commands import record_event
from api.deps import views_at
from api.errors import status_for
from api.page_forms import FormInvalid, event_from_form, field_of
from api.page_text import describe, label
from api.pages_common import (
    PREFIX,
    Form,
    PageRoute,
    PageUser,
    User,
    form_token,
    page_ticket,
    participant_uuid,
    redirect,
    render,
    services,
)
from api.presenters import present_history
from api.schemas import OutcomeCategory
from journey.errors import AlreadyAnswered, DomainError, VersionMismatch
from journey.state import Enrolment
from journey.values import Accreditation
from projections.register import list_cohorts

__all__ = ["router"]

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)

OUTCOME_CATEGORIES = get_args(OutcomeCategory)
OUTCOME_SOURCES = ("interview", "self_report", "staff_observation")


@dataclass(frozen=True)
class Place:
    """An enrolment as the page shows it, with the forms that make sense for it now."""

    enrolment: Enrolment
    programme_name: str
    accreditation: Accreditation | None
    decide: bool  # accreditation offered and not yet decided
    submit: bool  # accreditation chosen and not yet passed
    next_attempt: int


def _next_attempt(enrolment: Enrolment, accreditation: Accreditation | None) -> int:
    latest = enrolment.latest_attempt
    if latest is None:
        return 1
    complete = accreditation is not None and all(
        latest.has_component(c) for c in accreditation.components
    )
    return latest.number + 1 if complete and latest.final_result == "refer" else latest.number


def _places(request: Request, enrolments: tuple[Enrolment, ...]) -> list[Place]:
    ledger = services(request).ledger
    places = []
    for e in enrolments:
        plan = ledger.cohort_plan(e.cohort_id)
        accreditation = plan.programme.accreditation
        open_ = not e.withdrawn
        places.append(
            Place(
                enrolment=e,
                programme_name=ledger.get_programme(e.programme_id).name,
                accreditation=accreditation,
                decide=open_ and accreditation is not None and e.accreditation is None,
                submit=open_ and e.accreditation == "chosen" and not e.passed,
                next_attempt=_next_attempt(e, accreditation),
            )
        )
    return places


def _page(
    request: Request,
    user: PageUser,
    participant_id: str,
    *,
    saved: str | None = None,
    errors: Mapping[str, Mapping[str, str]] | None = None,
    typed: Mapping[str, Mapping[str, str]] | None = None,
    status: int = 200,
) -> Response:
    s = services(request)
    pid = participant_uuid(participant_id)
    user.require(request, "read_participant", "A participant's journey", target=str(pid))
    view = s.ledger.get_participant(pid)
    entries = present_history(s.ledger.history(pid), view, user.principal)
    enrolled = {e.cohort_id for e in view.enrolments}
    cohorts = [c for c in list_cohorts(views_at(s, None)) if c.cohort_id not in enrolled]
    context: dict[str, Any] = {
        "view": view,
        "timeline": [(e, describe(e.type, e.fields)) for e in entries],
        "places": _places(request, view.enrolments),
        "other_cohorts": [
            (c.cohort_id, f"{c.programme_name}, {c.location} ({c.cohort_id})") for c in cohorts
        ],
        "categories": [(c, label(c)) for c in OUTCOME_CATEGORIES],
        "sources": [(c, label(c)) for c in OUTCOME_SOURCES],
        "can_record": user.may_record("OutcomeReported"),
        "today": s.clock().isoformat(),
        "form_token": form_token(),
        "saved": label(saved) if saved else None,
        "saved_text": describe(saved, {}) if saved else None,
        "errors": errors or {},
        "typed": typed or {},
        "label": label,
    }
    return render(request, "journey.html", context, user=user, status=status)


@router.get("/participants/{participant_id}", response_class=HTMLResponse)
def journey_page(
    request: Request,
    participant_id: str,
    user: User,
    saved: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    return _page(request, user, participant_id, saved=saved)


@router.post("/participants/{participant_id}/events", response_class=HTMLResponse)
def record_from_page(request: Request, participant_id: str, form: Form) -> Response:
    user, s = form.user, services(request)
    pid = participant_uuid(participant_id)
    which = form.get("form")[:60] or "form"
    event_type = form.get("type")
    user.require_record(request, event_type or "unknown", str(pid), "Recording this")

    def again(problems: Mapping[str, str], status: int) -> Response:
        return _page(
            request,
            user,
            participant_id,
            errors={which: problems},
            typed={which: dict(form.fields)},
            status=status,
        )

    try:
        body = event_from_form(form.fields)
    except FormInvalid as invalid:
        return again(invalid.errors, 422)
    version = form.get("version")
    ticket = page_ticket(user, form.get("form_token"), f"event:{pid}", body.model_dump())
    try:
        record_event(
            s.ledger,
            pid,
            body,
            actor=user.principal.subject,
            today=s.clock(),
            expected_version=int(version) if version.isdigit() else None,
            request=ticket,
        )
    except DomainError as error:
        first = ticket and s.ledger.find_request(ticket.key)
        if first and ticket and first.fingerprint == ticket.fingerprint:
            pass  # this form, sent again (perhaps racing its first send): recorded once
        elif first or isinstance(error, AlreadyAnswered):
            return again({"form": "This form was already sent with other values: reload."}, 409)
        elif isinstance(error, VersionMismatch):
            message = (
                f"Not saved: someone else recorded something on this journey since you "
                f"opened the page (it is now at version {error.actual}). The timeline shows "
                f"what changed; your entries are kept below. Check them and send again."
            )
            return again({"form": message}, 409)
        else:
            return again({field_of(error): error.message}, status_for(error))
    return redirect(f"{PREFIX}/participants/{pid}", saved=body.type)
