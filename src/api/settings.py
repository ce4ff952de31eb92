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
``JOURNEY_SCALES_FILE``   the licensee's wellbeing scale definitions (JSON; default the
                          shipped example: WEMWBS sum scoring, SWEMWBS raw totals)
``JOURNEY_RESEARCH_SECRET``  the study secret that keys pseudonyms and date offsets (no
                          default: research exports are refused without it; one per study)
``JOURNEY_RESEARCH_STUDY``   the study's name, written into each export (default ``study``)
``JOURNEY_RESEARCH_DATES``   ``shift`` (each person's dates moved by their own offset, so
                          intervals survive; default) or ``month`` (dates coarsened to months)
``JOURNEY_RESEARCH_SHIFT_DAYS``  the largest date offset, in days either way (default 182)
``JOURNEY_SUPPRESSION``   the small-number rule set for researchers: ``standard`` (1-7
                          hidden, others rounded to 5; default) or ``threshold-10``
``JOURNEY_WELLBEING_MIN_PAIRS``  fewest paired responses for a cohort's change figures (30)
``JOURNEY_ENCRYPTION_KEY``  32 bytes, base64 (``journey keys generate``): switches on the
                          encryption of stored events at rest and wraps each participant's
                          data key (two keys derived from it). Keep it in a secret store;
                          without it nothing stored can be read.
``JOURNEY_PROFILE``       ``development`` (default) or ``production``, which refuses to start
                          without an encryption key
========================  ===========================================================
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from journey.data_keys import derive_key, read_key
from journey.errors import InvalidValue
from projections.pseudonyms import Study
from projections.suppression import RuleSet, rule_set

__all__ = ["NO_STUDY_SECRET", "Settings"]

NO_STUDY_SECRET = (
    "No study secret is set, so nothing can be pseudonymised: set JOURNEY_RESEARCH_SECRET to "
    "a long random value kept for this study only (for example the output of `python -c "
    '"import secrets; print(secrets.token_urlsafe(32))"`), and JOURNEY_RESEARCH_STUDY to '
    "the study's name, then try again. A new secret starts a new, unlinkable study."
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOURNEY_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None
    views_url: str | None = None
    signing_key: Path | None = None
    ledger_name: str = Field(default="journey-ledger", min_length=1, max_length=100)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    scales_file: Path | None = None
    research_secret: SecretStr | None = Field(default=None, min_length=16)
    research_study: str = Field(default="study", min_length=1, max_length=100)
    research_dates: Literal["shift", "month"] = "shift"
    research_shift_days: int = Field(default=182, ge=1, le=3650)
    suppression: Literal["standard", "threshold-10"] = "standard"
    wellbeing_min_pairs: int = Field(default=30, ge=2, le=100_000)
    encryption_key: SecretStr | None = None
    profile: Literal["development", "production"] = "development"
    # Whether the API process follows the read models itself (False when they are followed by
    # a `journey projections run` process of their own, as `journey serve --workers N` does).
    follow: bool = True

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

    def study(self) -> Study | None:
        """The research study these settings configure, or None without a secret."""
        if self.research_secret is None or not self.research_secret.get_secret_value():
            return None
        return Study(
            name=self.research_study,
            secret=self.research_secret.get_secret_value().encode(),
            dates=self.research_dates,
            max_shift_days=self.research_shift_days,
        )

    @property
    def suppression_rule(self) -> RuleSet:
        return rule_set(self.suppression)

    def keys(self) -> tuple[str | None, bytes | None]:
        """The at-rest cipher key (base64, for the library's cipher) and the master key of the
        participants' data keys; both None without an encryption key, which the production
        profile refuses (:class:`InvalidValue` on ``encryption_key``)."""
        text = self.encryption_key.get_secret_value() if self.encryption_key else ""
        if not text:
            if self.profile == "production":
                raise InvalidValue(
                    "encryption_key",
                    "the production profile needs JOURNEY_ENCRYPTION_KEY "
                    "(make one with `journey keys generate`)",
                )
            return None, None
        key = read_key("encryption_key", text)
        at_rest = base64.b64encode(derive_key(key, "events at rest")).decode("ascii")
        return at_rest, derive_key(key, "participant data keys")

    def prepare(self) -> None:
        """Create the data directory an embedded SQLite store needs."""
        if self.store_url.startswith("sqlite:///"):
            Path(self.store_url.removeprefix("sqlite:///")).parent.mkdir(
                parents=True, exist_ok=True
            )
