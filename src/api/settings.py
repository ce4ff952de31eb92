"""Configuration, read from the environment in this one module (``JOURNEY_`` prefix).

========================  ===========================================================
``JOURNEY_DATA_DIR``      where the embedded SQLite ledger lives (default ``./data``)
``JOURNEY_DATABASE_URL``  the event store: ``sqlite:///...``, ``postgresql://...``,
                          ``memory://`` (default: ``sqlite:///<data dir>/journey.db``)
``JOURNEY_VIEWS_URL``     the read models' database (default: the event store's)
``JOURNEY_SIGNING_KEY``   the Ed25519 key file that signs log digests
                          (default: ``<data dir>/digest-signing.key``, created on first use)
``JOURNEY_LEDGER_NAME``   the name signed into log digests (default ``journey-ledger``)
``JOURNEY_HOST``          ``journey serve`` address (default 127.0.0.1)
``JOURNEY_PORT``          ``journey serve`` port (default 8000)
========================  ===========================================================
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOURNEY_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None
    views_url: str | None = None
    signing_key: Path | None = None
    ledger_name: str = Field(default="journey-ledger", min_length=1, max_length=100)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    @property
    def store_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'journey.db'}"

    @property
    def signing_key_file(self) -> Path:
        return self.signing_key or self.data_dir / "digest-signing.key"

    @property
    def read_models_url(self) -> str:
        return self.views_url or self.store_url

    def prepare(self) -> None:
        """Create the data directory an embedded SQLite store needs."""
        if self.store_url.startswith("sqlite:///"):
            Path(self.store_url.removeprefix("sqlite:///")).parent.mkdir(
                parents=True, exist_ok=True
            )
