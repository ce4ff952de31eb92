"""A signed-in browser for the page tests, without a browser: a client with its own cookie
jar on the running app, that reads the hidden fields (CSRF, form token) a page gives it."""

from __future__ import annotations

import re
from typing import Any

import httpx
from api_support import Api
from fastapi.testclient import TestClient

__all__ = ["PageClient", "hidden", "sentences"]


def hidden(html: str, name: str) -> str:
    """The value of the first hidden field ``name`` in ``html``."""
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert found is not None, f"no field {name!r} in the page"
    return found.group(1)


def sentences(html: str) -> list[str]:
    """The error sentences shown next to fields (without the screen-reader prefix)."""
    found = re.findall(
        r'class="error"[^>]*>(?:<span class="visually-hidden">Error: </span>)?(.*?)</p>', html
    )
    return [re.sub(r"<[^>]+>", "", s).strip() for s in found]


class PageClient:
    """A separate cookie jar on the app of ``api`` (its lifespan already entered)."""

    def __init__(self, api: Api, who: str | None = None, *, https: bool = False) -> None:
        base = "https://testserver" if https else "http://testserver"
        self.client = TestClient(api.client.app, base_url=base, follow_redirects=False)
        self.api = api
        if who is not None:
            response = self.sign_in(api.token(who))
            assert response.status_code == 303, response.text

    def sign_in(self, token: str, next: str = "/ui") -> httpx.Response:
        page = self.client.get("/ui/sign-in", params={"next": next})
        check = hidden(page.text, "check")
        return self.client.post(
            "/ui/sign-in", data={"token": token, "check": check, "next": hidden(page.text, "next")}
        )

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.client.get(path, params=params) if params else self.client.get(path)

    def form_of(self, path: str) -> dict[str, str]:
        """The CSRF secret and a fresh form token, from the page at ``path``."""
        page = self.get(path)
        assert page.status_code == 200, page.text
        return {"csrf": hidden(page.text, "csrf"), "form_token": hidden(page.text, "form_token")}

    def post(self, path: str, fields: dict[str, str]) -> httpx.Response:
        return self.client.post(path, data=fields)
