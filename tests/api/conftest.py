"""Fixtures of the HTTP tests: an app on a temporary SQLite data directory with a fixed clock,
a client that notes every status it sees, tokens for every role, and a course to work on.

(No ``__init__.py`` here: a package named ``api`` under ``tests/`` would shadow ``src/api``.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api, Course, RecordingClient, running_api
from fastapi import FastAPI


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """A running app (lifespan entered) with a token for every role."""
    with running_api(tmp_path / "data") as made:
        yield made


@pytest.fixture
def app(api: Api) -> FastAPI:
    made: FastAPI = api.client.app  # type: ignore[assignment]
    return made


@pytest.fixture
def client(api: Api) -> RecordingClient:
    return api.client  # type: ignore[return-value]


@pytest.fixture
def tokens(api: Api) -> dict[str, str]:
    return api.tokens


@pytest.fixture
def course(api: Api) -> Course:
    """Programme ``vt`` (accredited, 3 days, threshold 2), cohort ``c1``, one participant."""
    return api.course()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The check of observed statuses against the OpenAPI document runs after the others."""
    last = [i for i in items if "observed_statuses" in i.name]
    items[:] = [i for i in items if i not in last] + last
