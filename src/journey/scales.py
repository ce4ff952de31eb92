"""Wellbeing scale definitions, loaded from a file the licensee supplies (data, not code).

WEMWBS and SWEMWBS are licensed by their owners, so the ledger ships only an example
(``data/scales.json``: WEMWBS with its plain sum scoring, SWEMWBS's raw total without its
conversion table). A definition gives the number of items and each item's range (so the
total's range), the scoring (``sum``), an optional raw-to-metric conversion table (every raw
total in range mapped to its metric score, as SWEMWBS's licence provides) and the
meaningful-change threshold on the metric score. Events keep recording the raw total and its
range (:class:`~journey.values.WellbeingScale`), so the recorded contract does not change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from journey.errors import InvalidValue
from journey.values import WellbeingScale

__all__ = [
    "WELLBEING_SCALES",
    "ScaleDefinition",
    "load_scales",
    "parse_scales",
    "scale_ranges",
    "shipped_scales",
]

SCORINGS = ("sum",)


@dataclass(frozen=True)
class ScaleDefinition:
    name: str
    items: int
    item_minimum: int
    item_maximum: int
    scoring: str = "sum"
    conversion: Mapping[int, float] = field(default_factory=dict)
    meaningful_change: float | None = None
    threshold_source: str | None = None

    def __post_init__(self) -> None:
        where = f"scales[{self.name}]"
        if not self.name or len(self.name) > 20:
            raise InvalidValue(f"{where}.name", "must be 1 to 20 characters")
        if not 1 <= self.items <= 100:
            raise InvalidValue(f"{where}.items", "must be between 1 and 100")
        if self.item_minimum >= self.item_maximum:
            raise InvalidValue(f"{where}.item_maximum", "must be above item_minimum")
        if self.scoring not in SCORINGS:
            raise InvalidValue(f"{where}.scoring", f"must be one of {', '.join(SCORINGS)}")
        if self.conversion:
            expected = set(range(self.minimum, self.maximum + 1))
            if set(self.conversion) != expected:
                raise InvalidValue(
                    f"{where}.conversion",
                    f"must map every raw total from {self.minimum} to {self.maximum}",
                )
        if self.meaningful_change is not None and self.meaningful_change <= 0:
            raise InvalidValue(f"{where}.meaningful_change", "must be above 0")

    @property
    def minimum(self) -> int:
        return self.items * self.item_minimum

    @property
    def maximum(self) -> int:
        return self.items * self.item_maximum

    @property
    def range(self) -> WellbeingScale:
        """The raw total's range: what a recorded score is checked against."""
        return WellbeingScale(self.name, self.minimum, self.maximum)

    @property
    def converted(self) -> bool:
        return bool(self.conversion)

    def metric(self, raw: int) -> float:
        """The score analysed: the raw total, or its converted metric score."""
        if not self.range.contains(raw):
            raise InvalidValue(
                "score", f"{raw} is outside {self.name}'s {self.minimum}-{self.maximum}"
            )
        return float(self.conversion[raw]) if self.conversion else float(raw)


def _definition(raw: Mapping[str, Any]) -> ScaleDefinition:
    try:
        conversion = {int(k): float(v) for k, v in (raw.get("conversion") or {}).items()}
        threshold = raw.get("meaningful_change")
        return ScaleDefinition(
            name=str(raw["name"]),
            items=int(raw["items"]),
            item_minimum=int(raw["item_minimum"]),
            item_maximum=int(raw["item_maximum"]),
            scoring=str(raw.get("scoring", "sum")),
            conversion=MappingProxyType(conversion),
            meaningful_change=None if threshold is None else float(threshold),
            threshold_source=raw.get("threshold_source"),
        )
    except KeyError as exc:
        raise InvalidValue("scales", f"a scale definition needs {exc.args[0]!r}") from None
    except (TypeError, ValueError):
        raise InvalidValue(
            "scales", "items, ranges, conversion and threshold are numbers"
        ) from None


def parse_scales(document: Mapping[str, Any]) -> dict[str, ScaleDefinition]:
    """The definitions in a parsed scales document (``{"scales": [...]}``)."""
    entries = document.get("scales") if isinstance(document, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise InvalidValue("scales", "the file must hold a non-empty list under 'scales'")
    definitions: dict[str, ScaleDefinition] = {}
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise InvalidValue("scales", "each scale is an object")
        definition = _definition(entry)
        if definition.name in definitions:
            raise InvalidValue("scales", f"{definition.name} is defined twice")
        definitions[definition.name] = definition
    return definitions


def load_scales(path: Path | None = None) -> dict[str, ScaleDefinition]:
    """The definitions in the licensee's file at ``path``, or the shipped example."""
    if path is None:
        return shipped_scales()
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidValue("scales_file", f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise InvalidValue("scales_file", f"{path} is not JSON: {exc.msg}") from None
    return parse_scales(document)


def shipped_scales() -> dict[str, ScaleDefinition]:
    text = resources.files("journey").joinpath("data/scales.json").read_text(encoding="utf-8")
    return parse_scales(json.loads(text))


def scale_ranges(definitions: Mapping[str, ScaleDefinition]) -> dict[str, WellbeingScale]:
    """What the ledger checks recorded scores against."""
    return {name: d.range for name, d in definitions.items()}


# The shipped scales' ranges (WEMWBS 14-70, SWEMWBS 7-35): the ledger's default.
WELLBEING_SCALES: Mapping[str, WellbeingScale] = MappingProxyType(scale_ranges(shipped_scales()))
