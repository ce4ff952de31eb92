"""The one composition root: builds the ledger, the read-model engine and the runner from
settings. Nothing is built at import time; tests pass their own settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine

from api.settings import Settings
from journey.application import JourneyLedger, utc_today
from journey.persistence import store_env
from journey.scales import ScaleDefinition, load_scales, scale_ranges
from projections.database import views_engine
from projections.runner import ProjectionRunner

__all__ = ["Services", "build_services"]


@dataclass
class Services:
    settings: Settings
    ledger: JourneyLedger
    engine: Engine
    runner: ProjectionRunner
    clock: Callable[[], date] = field(default=utc_today)
    scales: Mapping[str, ScaleDefinition] = field(default_factory=load_scales)

    def close(self) -> None:
        self.runner.stop()
        self.ledger.close()
        self.engine.dispose()


def build_services(settings: Settings, *, clock: Callable[[], date] = utc_today) -> Services:
    """Open the ledger and its read models as ``settings`` say, creating what is missing."""
    settings.prepare()
    scales = load_scales(settings.scales_file)
    cipher_key, master_key = settings.keys()
    ledger = JourneyLedger(
        store_env(settings.store_url, prefix=JourneyLedger.name.upper(), cipher_key=cipher_key),
        clock=clock,
        scales=scale_ranges(scales),
        master_key=master_key,
    )
    engine = views_engine(settings.read_models_url)
    runner = ProjectionRunner(ledger, engine)
    runner.setup()
    return Services(
        settings=settings,
        ledger=ledger,
        engine=engine,
        runner=runner,
        clock=clock,
        scales=scales,
    )
