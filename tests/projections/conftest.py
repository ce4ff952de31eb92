"""Fixtures of the projection tests (stores and ledgers come from tests/conftest.py)."""

from __future__ import annotations

import os

import pytest
from projection_support import LIBRARY_KEYS


@pytest.fixture(autouse=True)
def _clean_library_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The library's own keys (IS_SNAPSHOTTING_ENABLED, ...), which tests/conftest.py does not
    clean yet, must not change how these tests store events either."""
    for key in list(os.environ):
        if key.startswith(LIBRARY_KEYS):
            monkeypatch.delenv(key, raising=False)
