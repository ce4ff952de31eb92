"""The cohort register: pick a training day, tick attended or missed for everyone enrolled,
save once.

Each row is its own command (``record_session``), sent with a request ticket made from the
form's token and the participant: saving the same page again replays the first answers and
records nothing twice. A day someone else recorded in the meantime is a clash: the row says
what they recorded and that this choice was not saved, and keeps the choice on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.compose import Services
from api.deps import views_at
from api.pages_common import (
    PREFIX,
    Form,
    PageError,
    PageRoute,
    PageUser,
    User,
    form_token,
    page_ticket,
    redirect,
    render,
    services,
)
from journey.errors import AlreadyAnswered, ConcurrencyConflict, DomainError
from journey.requests import RequestTicket
from journey.views import CohortView, ParticipantView
from projections.register import read_register

__all__ = ["router"]

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)

STATUSES = ("attended", "missed")
RETRIES = 3


@dataclass
class Line:
    """One participant's row: what the ledger holds for the day, and what the form said."""

    participant_id: str
    name: str
    attended: int
    withdrawn: bool
    joined_later: bool  # enrolled after this training day: nothing to record for it
    recorded: str | None = None  # the day's status in the ledger
    recorded_reason: str | None = None
    chosen: str = ""  # the form's choice, kept when it could not be saved
    reason: str = ""
    problem: str | None = None


def _default_day(cohort: CohortView, today: date) -> int:
    """The latest training day that has come, else the first."""
    past = [n for n, day in enumerate(cohort.session_dates, start=1) if day <= today]
    return past[-1] if past else 1


def _day(text: str | None, cohort: CohortView, today: date) -> int:
    if text and text.isdigit() and 1 <= int(text) <= len(cohort.session_dates):
        return int(text)
    return _default_day(cohort, today)


def _line(view: ParticipantView, cohort: CohortView, day: int) -> Line:
    cohort_id = cohort.cohort_id
    enrolment = view.enrolment(cohort_id)
    session = enrolment.session(day) if enrolment else None
    return Line(
        participant_id=str(view.participant_id),
        name=view.details.name,
        attended=enrolment.attended if enrolment else 0,
        withdrawn=bool(enrolment and enrolment.withdrawn),
        joined_later=bool(enrolment and enrolment.enrolled_on > cohort.session_dates[day - 1]),
        recorded=session.status if session else None,
        recorded_reason=session.reason if session else None,
    )


def _lines(request: Request, user: PageUser, cohort: CohortView, day: int) -> list[Line]:
    s = services(request)
    register = read_register(views_at(s, None), cohort.cohort_id)
    lines = []
    for row in register.rows:
        # Names are personal data: each record shown is an access, logged first.
        user.require(request, "read_participant", "Seeing names", target=row.participant_id)
        lines.append(_line(s.ledger.get_participant(UUID(row.participant_id)), cohort, day))
    return sorted(lines, key=lambda line: (line.name.casefold(), line.participant_id))


def _page(
    request: Request,
    user: PageUser,
    cohort_id: str,
    day: int,
    lines: list[Line],
    *,
    saved: int | None = None,
    status: int = 200,
) -> Response:
    s = services(request)
    cohort = s.ledger.get_cohort(cohort_id)
    programme = s.ledger.get_programme(cohort.programme_id)
    today = s.clock()
    day_date = cohort.session_dates[day - 1]
    context = {
        "cohort": cohort,
        "programme": programme,
        "day": day,
        "day_date": day_date,
        "days": list(enumerate(cohort.session_dates, start=1)),
        "lines": lines,
        "open_rows": sum(
            1 for line in lines if not (line.recorded or line.withdrawn or line.joined_later)
        ),
        "problems": sum(1 for line in lines if line.problem),
        "saved": saved,
        "future": day_date > today,
        "can_take": user.may_record("SessionAttended"),
        "form_token": form_token(),
    }
    return render(request, "register.html", context, user=user, status=status)


@router.get("/cohorts/{cohort_id}/register", response_class=HTMLResponse)
def register_page(
    request: Request,
    cohort_id: str,
    user: User,
    day: Annotated[str | None, Query(max_length=3)] = None,
    saved: Annotated[str | None, Query(max_length=4)] = None,
) -> Response:
    user.require(request, "read_register", "The register", target=None)
    s = services(request)
    cohort = s.ledger.get_cohort(cohort_id)
    number = _day(day, cohort, s.clock())
    lines = _lines(request, user, cohort, number)
    count = int(saved) if saved and saved.isdigit() else None
    return _page(request, user, cohort_id, number, lines, saved=count)


def _record(
    s: Services, user: PageUser, cohort_id: str, day: int, line: Line, ticket: RequestTicket | None
) -> None:
    for attempt in range(1, RETRIES + 1):
        try:
            s.ledger.record_session(
                participant_id=UUID(line.participant_id),
                cohort_id=cohort_id,
                session=day,
                status="attended" if line.chosen == "attended" else "missed",
                reason=(line.reason or None) if line.chosen == "missed" else None,
                actor=user.principal.subject,
                request=ticket,
            )
            return
        except ConcurrencyConflict:
            if attempt == RETRIES:
                raise


def _recorded_by(s: Services, participant_id: str, cohort_id: str, day: int) -> str:
    for entry in reversed(s.ledger.history(UUID(participant_id))):
        f = entry.fields
        if entry.type.startswith("Session") and (f.get("cohort_id"), f.get("session")) == (
            cohort_id,
            day,
        ):
            return entry.recorded_by
    return "someone else"


def _explain(s: Services, cohort: CohortView, day: int, line: Line, error: DomainError) -> None:
    """Say why ``line`` was not saved: a clash with another save, or the rule it broke."""
    now = _line(s.ledger.get_participant(UUID(line.participant_id)), cohort, day)
    line.recorded, line.recorded_reason = now.recorded, now.recorded_reason
    if now.recorded is None:
        line.problem = error.message
    elif now.recorded != line.chosen:
        who = _recorded_by(s, line.participant_id, cohort.cohort_id, day)
        line.problem = (
            f"Not saved: {who} has already recorded {line.name} as {now.recorded} for day "
            f"{day}. Your choice ({line.chosen}) is kept below; the record was not changed."
        )
    # else: the same status was already recorded (by this save, or another): nothing to say


@router.post("/cohorts/{cohort_id}/register", response_class=HTMLResponse)
def save_register(request: Request, cohort_id: str, form: Form) -> Response:
    user = form.user
    s = services(request)
    user.require(request, "read_register", "The register", target=None)
    if not user.may_record("SessionAttended"):  # logged as a refused write, then refused
        user.require_record(request, "SessionAttended", cohort_id, "Taking the register")
    cohort = s.ledger.get_cohort(cohort_id)
    sent_day = form.get("day")
    if not (sent_day.isdigit() and 1 <= int(sent_day) <= len(cohort.session_dates)):
        # Never guess the day of a register: a wrong guess would record the wrong day.
        raise PageError(422, "The form did not say which training day it was for.", "Not saved")
    day = int(sent_day)
    lines = _lines(request, user, cohort, day)
    token = form.get("form_token")
    saved = 0
    for line in lines:
        line.chosen = form.get(f"status-{line.participant_id}")
        line.reason = form.get(f"reason-{line.participant_id}")[:1000]
        if line.chosen not in STATUSES:
            line.chosen = ""
            continue
        user.require_record(request, "SessionAttended", line.participant_id, "Taking the register")
        reason = line.reason if line.chosen == "missed" else ""
        asked = {"cohort_id": cohort_id, "session": day, "status": line.chosen, "reason": reason}
        ticket = page_ticket(user, token, f"register:{line.participant_id}", asked)
        try:
            _record(s, user, cohort_id, day, line, ticket)
            line.recorded, line.recorded_reason = line.chosen, reason or None
            saved += 1
        except AlreadyAnswered as answered:
            if ticket is None or answered.record.fingerprint != ticket.fingerprint:
                line.problem = "This page was already saved with other choices: reload it."
            else:
                saved += 1
        except DomainError as error:
            answered_before = ticket and s.ledger.find_request(ticket.key)
            if answered_before and ticket and answered_before.fingerprint == ticket.fingerprint:
                saved += 1  # a second send of this page raced the first: saved once
            else:
                _explain(s, cohort, day, line, error)
    if not any(line.problem for line in lines):
        return redirect(f"{PREFIX}/cohorts/{cohort_id}/register", day=day, saved=saved)
    return _page(request, user, cohort_id, day, lines, saved=saved, status=409)
