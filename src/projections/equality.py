"""Equality-monitoring categories as researchers see them: closed lists, never free text.

The ledger records what a person said (``ethnicity="Black British"``, free text up to 100
characters); research tables carry only the broad group it falls in, so no recorded wording
can leave the ledger. Ethnic groups follow the five top-level groups of the census for
England and Wales (White, Mixed, Asian, Black, Other) and ``bme`` puts every group but White
together ("Black and minority ethnic", as the source paper speaks of it). Anything else,
including no answer and "prefer not to say", is ``Not stated``.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "AGE_BANDS",
    "DIMENSIONS",
    "Dimension",
    "age_group",
    "bme_group",
    "disability_group",
    "ethnic_group",
    "gender_group",
]

NOT_STATED = "Not stated"
Dimension = Literal["ethnic_group", "bme", "gender", "age_band", "disability"]
DIMENSIONS: tuple[Dimension, ...] = get_args(Dimension)
ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other", NOT_STATED)
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")


def ethnic_group(recorded: str | None) -> str:
    words = (recorded or "").strip().lower().split()
    if not words or words[0] in ("prefer", "not", "unknown", "declined"):
        return NOT_STATED
    first = words[0]
    for group, stems in (
        ("White", ("white",)),
        ("Mixed", ("mixed", "multiple")),
        ("Asian", ("asian", "indian", "pakistani", "bangladeshi", "chinese")),
        ("Black", ("black", "african", "caribbean")),
    ):
        if first.startswith(stems):
            return group
    return "Other"


def bme_group(recorded: str | None) -> str:
    group = ethnic_group(recorded)
    if group in ("White", NOT_STATED):
        return group
    return "Black and minority ethnic"


def gender_group(recorded: str | None) -> str:
    value = (recorded or "").strip().lower()
    if value in ("female", "woman", "f"):
        return "Female"
    if value in ("male", "man", "m"):
        return "Male"
    if not value or value.startswith(("prefer", "not")):
        return NOT_STATED
    return "Non-binary or other"


def age_group(recorded: str | None) -> str:
    value = (recorded or "").strip()
    return value if value in AGE_BANDS else NOT_STATED


def disability_group(recorded: str | None) -> str:
    value = (recorded or "").strip().lower()
    return {"yes": "Yes", "no": "No"}.get(value, NOT_STATED)
