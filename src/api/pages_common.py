"""What every web page shares: templates, the signed-in user, CSRF-checked forms, role checks
(the API's own table), write tickets that make a re-sent form record nothing twice, and the
errors a page answers with (HTML, never JSON)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api.access_log import AccessLog
from api.auth import Principal
from api.compose import Services
from api.errors import status_for
from api.page_text import label
from api.permissions import DEFAULT_EVENT_ROLES, EVENT_ROLES, OPERATION_ROLES
from api.web_sessions import WebSessions
from journey.errors import DomainError, ParticipantNotFound
from journey.requests import RequestTicket

__all__ = [
    "COOKIE",
    "PREFIX",
    "SECURITY_HEADERS",
    "Fields",
    "Form",
    "PageError",
    "PageForm",
    "PageRoute",
    "PageUser",
    "SignInNeeded",
    "User",
    "access_log",
    "form_token",
    "page_ticket",
    "participant_uuid",
    "redirect",
    "render",
    "services",
    "sessions",
]

PREFIX = "/ui"
COOKIE = "journey_session"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.filters["label"] = label

# Pages show personal data: never cached, never framed, nothing loaded from elsewhere.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class PageError(Exception):
    """A page that cannot be shown or a form that cannot be taken: a status and a sentence."""

    def __init__(
        self,
        status: int,
        message: str,
        title: str = "Cannot show this page",
        user: PageUser | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.title = title
        self.user = user  # signed in: the page keeps its header (who, sign out)


class SignInNeeded(Exception):
    """No live session: the browser is sent to the sign-in page, and back here after."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


class PageRoute(APIRoute):
    """A page's route: a domain error (unknown cohort, broken rule) becomes an HTML page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as exc:
                raise PageError(status_for(exc), exc.message) from None

        return page_handler


def services(request: Request) -> Services:
    built: Services = request.app.state.services
    return built


def sessions(request: Request) -> WebSessions:
    store: WebSessions = request.app.state.web_sessions
    return store


def access_log(request: Request) -> AccessLog:
    log: AccessLog = request.app.state.access_log
    return log


@dataclass(frozen=True)
class PageUser:
    """The signed-in staff member: their token's subject and role, and the CSRF secret."""

    principal: Principal
    csrf: str

    def may(self, operation: str) -> bool:
        return self.principal.role in OPERATION_ROLES[operation]

    def may_record(self, event_type: str) -> bool:
        return self.may("record_event") and self.principal.role in EVENT_ROLES.get(
            event_type, DEFAULT_EVENT_ROLES
        )

    def require(self, request: Request, operation: str, what: str, target: str | None) -> None:
        """Refuse (403) unless the role may; with a ``target``, log the access first."""
        allowed = self.may(operation)
        if target is not None:
            access_log(request).record(
                subject=self.principal.subject,
                role=self.principal.role,
                operation=operation,
                target=target,
                allowed=allowed,
                detail="page",
            )
        if not allowed:
            self.refuse(OPERATION_ROLES[operation], what)

    def require_record(self, request: Request, event_type: str, target: str, what: str) -> None:
        allowed = self.may_record(event_type)
        access_log(request).record(
            subject=self.principal.subject,
            role=self.principal.role,
            operation="record_event",
            target=target,
            detail=event_type,
            allowed=allowed,
        )
        if not allowed:
            self.refuse(EVENT_ROLES.get(event_type, DEFAULT_EVENT_ROLES), what)

    def refuse(self, roles: tuple[str, ...], what: str) -> None:
        raise PageError(
            403,
            f"{what} needs the role {' or '.join(roles)}; you are signed in as "
            f"{self.principal.subject}, with the role {self.principal.role}.",
            title="Not for your role",
            user=self,
        )


def page_user(request: Request) -> PageUser:
    cookie = request.cookies.get(COOKIE)
    session = sessions(request).resolve(cookie) if cookie else None
    if session is None:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(back if request.method == "GET" else PREFIX)
    return PageUser(principal=session.principal, csrf=session.csrf)


User = Annotated[PageUser, Depends(page_user)]


@dataclass(frozen=True)
class PageForm:
    """A posted form whose CSRF field matched the session's, as text fields."""

    user: PageUser
    fields: Mapping[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.fields.get(name, "").strip()


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields (files are not taken; the last of a repeated name)."""
    form = await request.form()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


Fields = Annotated[dict[str, str], Depends(form_fields)]


async def posted_form(request: Request, user: User, fields: Fields) -> PageForm:
    if not hmac.compare_digest(fields.get("csrf", ""), user.csrf):
        raise PageError(
            403,
            "This form did not come from this session (it may be from before you signed in "
            "again). Nothing was saved: reload the page and send it again.",
            title="Form refused",
        )
    return PageForm(user=user, fields=fields)


Form = Annotated[PageForm, Depends(posted_form)]


def form_token() -> str:
    """A fresh token for one showing of a form: the same form sent twice shares it."""
    return secrets.token_urlsafe(16)


def page_ticket(
    user: PageUser, token: str, what: str, fields: Mapping[str, Any]
) -> RequestTicket | None:
    """The write's request ticket: one showing of a form (its token), for one record,
    records once however often it is sent; the fingerprint is what it asked for."""
    if not token or len(token) > 100:
        return None

    def digest(*parts: str) -> str:
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()

    canonical = json.dumps(dict(fields), sort_keys=True, default=str)

    def answer(aggregate_id: UUID, version: int) -> str:
        return json.dumps({"participant_id": str(aggregate_id), "version": version})

    return RequestTicket(
        key=digest("page", user.principal.subject, token, what),
        fingerprint=digest(what, canonical),
        answer=answer,
    )


def participant_uuid(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise ParticipantNotFound(text) from None


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    user: PageUser | None = None,
    status: int = 200,
) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {"user": user, "prefix": PREFIX, **context},
        status_code=status,
        headers=SECURITY_HEADERS,
    )
    return response


def redirect(path: str, **query: str | int) -> RedirectResponse:
    """See other (303): after a form, the browser GETs the page again (no re-post)."""
    if query:
        path += "?" + "&".join(f"{k}={quote(str(v), safe='')}" for k, v in query.items())
    return RedirectResponse(path, status_code=303, headers=SECURITY_HEADERS)
