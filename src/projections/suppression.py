"""Small-number suppression for tables of counts that leave the ledger for researchers.

A :class:`CountTable` is a set of named cells (counts of people) and the additive relations
between them: a total and the parts that sum to it (a row total and its cells, a funnel stage
and the stages it splits into, "all groups" and each group). :func:`suppress` applies a
:class:`RuleSet`:

1. primary suppression: a count from 1 to ``rule.hide_up_to`` is hidden (``*``);
2. secondary suppression: while some hidden cell could be worked out from the published
   cells and the relations (by subtraction, or by any combination of the relations: checked
   by exact row reduction, not only "one hidden cell per line"), the smallest published cell
   of a relation holding it is hidden too;
3. every published count is rounded to the nearest multiple of ``rule.round_to``.

Zero is published as 0. The result says what was done: a :class:`Receipt` with the rule set
and how many cells each step hid. Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, get_args

__all__ = [
    "HIDDEN",
    "RULE_SETS",
    "CountTable",
    "Published",
    "Receipt",
    "Relation",
    "RuleSet",
    "RuleSetName",
    "determined_cells",
    "publish_count",
    "rule_set",
    "suppress",
]

HIDDEN = "*"

RuleSetName = Literal["standard", "threshold-10", "exact"]
RULE_SET_NAMES: tuple[RuleSetName, ...] = get_args(RuleSetName)


@dataclass(frozen=True)
class RuleSet:
    """Hide counts from 1 to ``hide_up_to``; round the others to the nearest ``round_to``."""

    name: str
    hide_up_to: int
    round_to: int

    def describe(self) -> str:
        if self.hide_up_to == 0 and self.round_to == 1:
            return "exact figures: nothing hidden or rounded"
        return (
            f"counts from 1 to {self.hide_up_to} shown as '{HIDDEN}', others rounded to the "
            f"nearest {self.round_to}; further cells hidden so that no hidden cell can be "
            "worked out from totals and related cells"
        )


RULE_SETS: Mapping[RuleSetName, RuleSet] = {
    "standard": RuleSet("standard", hide_up_to=7, round_to=5),
    "threshold-10": RuleSet("threshold-10", hide_up_to=9, round_to=5),
    # For authorised internal roles only (staff, auditor): never chosen by configuration.
    "exact": RuleSet("exact", hide_up_to=0, round_to=1),
}


def rule_set(name: str) -> RuleSet:
    """The rule set called ``name``; ValueError naming the known ones otherwise."""
    try:
        return RULE_SETS[name]  # type: ignore[index]
    except KeyError:
        raise ValueError(
            f"unknown suppression rule set {name!r}; known: {', '.join(RULE_SET_NAMES)}"
        ) from None


def publish_count(value: int, rule: RuleSet) -> int | str:
    """One count on its own, by ``rule`` (primary suppression and rounding only)."""
    if 1 <= value <= rule.hide_up_to:
        return HIDDEN
    return _round(value, rule.round_to)


def _round(value: int, base: int) -> int:
    # Half up: counts are whole numbers, so with base 5 there is never a tie.
    return ((2 * value + base) // (2 * base)) * base


@dataclass(frozen=True)
class Relation:
    """``total`` is the sum of ``parts`` (cell keys)."""

    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class CountTable:
    cells: Mapping[str, int]
    relations: tuple[Relation, ...] = ()

    def __post_init__(self) -> None:
        for relation in self.relations:
            for key in (relation.total, *relation.parts):
                if key not in self.cells:
                    raise ValueError(f"relation names an unknown cell {key!r}")
            if sum(self.cells[p] for p in relation.parts) != self.cells[relation.total]:
                raise ValueError(f"cells do not add up to {relation.total!r}")


@dataclass(frozen=True)
class Receipt:
    rule_set: str
    rule: str
    cells: int
    suppressed_primary: int
    suppressed_secondary: int

    @property
    def suppressed(self) -> int:
        return self.suppressed_primary + self.suppressed_secondary


@dataclass(frozen=True)
class Published:
    values: Mapping[str, int | str]
    receipt: Receipt
    hidden: frozenset[str] = field(default_factory=frozenset)


def suppress(table: CountTable, rule: RuleSet) -> Published:
    """``table`` as it may be published under ``rule``."""
    cells = dict(table.cells)
    primary = {k for k, v in cells.items() if 1 <= v <= rule.hide_up_to}
    hidden = set(primary)
    while True:
        exposed = determined_cells(cells, table.relations, hidden)
        if not exposed:
            break
        extra = _next_to_hide(cells, table.relations, hidden, exposed)
        if extra is None:
            break  # everything related is hidden already; nothing more can help
        hidden.add(extra)
    values: dict[str, int | str] = {
        k: HIDDEN if k in hidden else _round(v, rule.round_to) for k, v in cells.items()
    }
    receipt = Receipt(
        rule_set=rule.name,
        rule=rule.describe(),
        cells=len(cells),
        suppressed_primary=len(primary),
        suppressed_secondary=len(hidden) - len(primary),
    )
    return Published(values, receipt, frozenset(hidden))


def _next_to_hide(
    cells: Mapping[str, int],
    relations: Sequence[Relation],
    hidden: set[str],
    exposed: Iterable[str],
) -> str | None:
    """A published cell sharing a relation with an exposed cell (else any related cell):
    the one after which fewest cells stay exposed, then non-zero ones (hiding a zero hides
    little), then the smallest."""
    exposed = set(exposed)
    near = {
        key
        for relation in relations
        if exposed & {relation.total, *relation.parts}
        for key in (relation.total, *relation.parts)
        if key not in hidden
    }
    pool = (
        near
        or {key for relation in relations for key in (relation.total, *relation.parts)} - hidden
    )
    if not pool:
        return None

    totals = {relation.total for relation in relations}

    def cost(key: str) -> tuple[int, bool, bool, int, str]:
        # Look one step ahead: the cell that leaves fewest hidden cells exposed; then a part
        # rather than a total (readers want totals); then the smallest (so a rectangle of
        # four hidden cells beats a whole hidden row).
        left = len(determined_cells(cells, relations, hidden | {key}))
        return (left, key in totals, cells[key] == 0, cells[key], key)

    return min(pool, key=cost)


def determined_cells(
    cells: Mapping[str, int], relations: Sequence[Relation], hidden: Iterable[str]
) -> set[str]:
    """The hidden cells whose exact value follows from the published cells and the relations.

    Each relation is a linear equation; the published cells are constants and the hidden
    ones unknowns. After exact row reduction, an unknown is determined exactly when its
    pivot row has no other unknown in it.
    """
    unknowns = sorted(set(hidden))
    index = {k: i for i, k in enumerate(unknowns)}
    rows: list[list[Fraction]] = []
    for relation in relations:
        terms = [(relation.total, Fraction(-1)), *((p, Fraction(1)) for p in relation.parts)]
        row = [Fraction(0)] * len(unknowns)
        for key, coefficient in terms:
            if key in index:
                row[index[key]] += coefficient
        if any(row):
            rows.append(row)
    pivots = _reduce(rows, len(unknowns))
    determined = set()
    for r, column in pivots:
        if all(v == 0 for c, v in enumerate(rows[r]) if c != column):
            determined.add(unknowns[column])
    return determined


def _reduce(rows: list[list[Fraction]], width: int) -> list[tuple[int, int]]:
    """Reduce ``rows`` in place to reduced row echelon form; return (row, pivot column)."""
    pivots: list[tuple[int, int]] = []
    r = 0
    for column in range(width):
        pivot = next((i for i in range(r, len(rows)) if rows[i][column] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][column]
        rows[r] = [v / lead for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][column] != 0:
                factor = rows[i][column]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots.append((r, column))
        r += 1
        if r == len(rows):
            break
    return pivots
