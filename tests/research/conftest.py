"""A seeded ledger with its read models, shared by the research tests of a module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.compose import Services, build_services
from api.settings import Settings

from .research_support import TODAY, seed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    data: Path = tmp_path_factory.mktemp("research")
    services = build_services(Settings(data_dir=data), clock=lambda: TODAY)
    seed(services.ledger)
    services.runner.catch_up()
    yield services
    services.close()
