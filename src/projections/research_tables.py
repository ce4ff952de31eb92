"""A table as it is published: named columns, rows, and the receipt of the disclosure control
applied (which rule set, how many cells it hid). Researchers get the configured rule set;
authorised internal roles (staff, auditor) get the ``exact`` one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from projections.suppression import HIDDEN, CountTable, Published, Receipt, RuleSet, suppress

__all__ = ["Cell", "ReportTable", "publish", "share"]

Cell = int | float | str | None


@dataclass(frozen=True)
class ReportTable:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, Cell], ...]
    receipt: Receipt
    notes: tuple[str, ...] = ()

    def column(self, name: str) -> list[Cell]:
        return [row[name] for row in self.rows]


def publish(cells: Mapping[str, int], relations: Sequence[Any], rule: RuleSet) -> Published:
    return suppress(CountTable(dict(cells), tuple(relations)), rule)


def share(numerator: Cell, denominator: Cell) -> float | None:
    """A share from published counts: none if either is hidden or the denominator is 0."""
    if numerator == HIDDEN or denominator == HIDDEN:
        return None
    if not isinstance(numerator, int) or not isinstance(denominator, int) or not denominator:
        return None
    return round(numerator / denominator, 3)
