"""Ready-made programme definitions shipped with the ledger (data, not code).

``programmes.json`` holds Voices Together (12 training days, optional accreditation by
Middlesex University: 30 credits at level 4, a learning log and a reflective essay) and the
Peer Support Training Programme. :func:`install_catalogue` defines those not yet defined.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from journey.application import JourneyLedger
from journey.errors import AlreadyExists
from journey.values import Accreditation

__all__ = ["ProgrammeDefinition", "install_catalogue", "shipped_programmes"]


@dataclass(frozen=True)
class ProgrammeDefinition:
    programme_id: str
    name: str
    session_count: int
    attendance_threshold: int
    themes: tuple[str, ...]
    accreditation: Accreditation | None


def _definition(raw: dict[str, Any]) -> ProgrammeDefinition:
    accreditation = raw.get("accreditation")
    return ProgrammeDefinition(
        programme_id=raw["programme_id"],
        name=raw["name"],
        session_count=int(raw["session_count"]),
        attendance_threshold=int(raw["attendance_threshold"]),
        themes=tuple(raw.get("themes", ())),
        accreditation=None
        if accreditation is None
        else Accreditation(
            awarding_body=accreditation["awarding_body"],
            credits=int(accreditation["credits"]),
            level=int(accreditation["level"]),
            components=tuple(accreditation["components"]),
            essay_formats=tuple(accreditation["essay_formats"]),
            max_attempts=int(accreditation["max_attempts"]),
        ),
    )


def shipped_programmes() -> tuple[ProgrammeDefinition, ...]:
    text = resources.files("journey").joinpath("data/programmes.json").read_text("utf-8")
    return tuple(_definition(raw) for raw in json.loads(text)["programmes"])


def install_catalogue(ledger: JourneyLedger, *, actor: str) -> list[str]:
    """Define every shipped programme not yet in the ledger; return the ids defined now."""
    installed = []
    for d in shipped_programmes():
        try:
            ledger.define_programme(
                programme_id=d.programme_id,
                name=d.name,
                session_count=d.session_count,
                attendance_threshold=d.attendance_threshold,
                themes=d.themes,
                accreditation=d.accreditation,
                actor=actor,
            )
        except AlreadyExists:
            continue
        installed.append(d.programme_id)
    return installed
