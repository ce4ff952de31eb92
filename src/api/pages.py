"""The staff web pages, served by ``journey serve`` next to the JSON API, under ``/ui``.

Server-rendered HTML (Jinja2), working without JavaScript. Staff sign in with their token;
the session is a server-side record behind an HTTP-only, SameSite=Strict cookie (Secure over
https), and every form carries the session's CSRF secret. The pages use the API's commands,
role table and access log: what a role may not do through the API, it may not do here.

This module mounts the pages and serves signing in and out and the list of cohorts; the
register, the journey page and the dashboard have a module each.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.deps import views_at
from api.pages_common import (
    COOKIE,
    PREFIX,
    SECURITY_HEADERS,
    Fields,
    Form,
    PageError,
    PageRoute,
    SignInNeeded,
    User,
    redirect,
    render,
    services,
    sessions,
)
from api.pages_dashboard import router as dashboard_router
from api.pages_enrol import router as enrol_router
from api.pages_journey import router as journey_router
from api.pages_register import router as register_router
from api.web_sessions import SESSION_LIFETIME
from projections.register import list_cohorts

__all__ = ["ROUTERS", "install_pages"]

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)

SIGN_IN_COOKIE = "journey_sign_in"  # CSRF for the sign-in form itself (no session yet)


def _safe_next(target: str) -> str:
    """Only a path of these pages: never another site (no open redirect)."""
    if target.startswith(PREFIX) and not target.startswith("//") and "\\" not in target:
        return target
    return PREFIX


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _sign_in_form(
    request: Request, back: str, error: str | None = None, status: int = 200
) -> Response:
    check = secrets.token_urlsafe(16)
    context = {"next": back, "check": check, "error": error}
    response = render(request, "sign_in.html", context, status=status)
    response.set_cookie(
        SIGN_IN_COOKIE,
        check,
        max_age=600,
        path=f"{PREFIX}/sign-in",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(
    request: Request, next: Annotated[str, Query(max_length=500)] = PREFIX
) -> Response:
    return _sign_in_form(request, _safe_next(next))


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(request: Request, form: Fields) -> Response:
    token = str(form.get("token", ""))
    back = _safe_next(str(form.get("next", PREFIX)))
    sent, expected = str(form.get("check", "")), request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise PageError(
            403,
            "The sign-in form had expired or did not come from this site. Please try again.",
            title="Form refused",
        )
    opened = sessions(request).open(token) if token.strip() else None
    if opened is None:
        error = (
            "That token is not known here, or it was revoked. Check it and try again; "
            "an administrator can create a new one."
        )
        return _sign_in_form(request, back, error, status=401)
    response = redirect(back)
    response.set_cookie(
        COOKIE,
        opened.cookie,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    response.delete_cookie(SIGN_IN_COOKIE, path=f"{PREFIX}/sign-in", samesite="strict")
    return response


@router.post("/sign-out")
def sign_out(request: Request, form: Form) -> Response:
    cookie = request.cookies.get(COOKIE)
    if cookie:
        sessions(request).close(cookie)
    response = redirect(f"{PREFIX}/sign-in")
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("", response_class=HTMLResponse)
def home(request: Request, user: User) -> Response:
    engine = views_at(services(request), None)
    return render(request, "home.html", {"cohorts": list_cohorts(engine)}, user=user)


ROUTERS: tuple[APIRouter, ...] = (
    router,
    register_router,
    journey_router,
    dashboard_router,
    enrol_router,
)


def install_pages(app: FastAPI) -> None:
    """Mount the pages, their static files and their HTML error answers on ``app``."""
    for page_router in ROUTERS:
        app.include_router(page_router)
    static = StaticFiles(directory=str(Path(__file__).parent / "static"))
    app.mount(f"{PREFIX}/static", static, name="page-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(PREFIX, status_code=307)

    @app.exception_handler(SignInNeeded)
    async def _sign_in(_: Request, exc: SignInNeeded) -> Response:
        return redirect(f"{PREFIX}/sign-in", next=exc.back_to)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        context = {"title": exc.title, "message": exc.message}
        response = render(request, "error.html", context, user=exc.user, status=exc.status)
        response.headers.update(SECURITY_HEADERS)
        return response
