"""Small-number suppression: properties over random tables, checked independently of the
module's own reasoning (a hidden cell is recoverable exactly when the unit vector of its
unknown lies in the row space of the relations, tested here with numpy's matrix rank)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.suppression import (
    HIDDEN,
    RULE_SETS,
    CountTable,
    Relation,
    publish_count,
    rule_set,
    suppress,
)


def grid(values: list[list[int]]) -> CountTable:
    """A table with row totals, column totals and a grand total, as published reports have."""
    cells: dict[str, int] = {}
    relations = []
    rows, cols = len(values), len(values[0])
    for r in range(rows):
        for c in range(cols):
            cells[f"r{r}c{c}"] = values[r][c]
        cells[f"r{r}T"] = sum(values[r])
        relations.append(Relation(f"r{r}T", tuple(f"r{r}c{c}" for c in range(cols))))
    for c in range(cols):
        cells[f"Tc{c}"] = sum(values[r][c] for r in range(rows))
        relations.append(Relation(f"Tc{c}", tuple(f"r{r}c{c}" for r in range(rows))))
    cells["TT"] = sum(map(sum, values))
    relations.append(Relation("TT", tuple(f"r{r}T" for r in range(rows))))
    relations.append(Relation("TT", tuple(f"Tc{c}" for c in range(cols))))
    return CountTable(cells, tuple(relations))


def recoverable(table: CountTable, hidden: set[str]) -> set[str]:
    """Hidden cells whose value follows from the relations and the published cells."""
    unknowns = sorted(hidden)
    if not unknowns:
        return set()
    matrix = []
    for relation in table.relations:
        row = [0.0] * len(unknowns)
        for i, key in enumerate(unknowns):
            if key == relation.total:
                row[i] -= 1
            row[i] += relation.parts.count(key)
        matrix.append(row)
    a = np.array(matrix, dtype=float).reshape(len(matrix), len(unknowns))
    rank = np.linalg.matrix_rank(a) if len(matrix) else 0
    found = set()
    for i, key in enumerate(unknowns):
        unit = np.zeros((1, len(unknowns)))
        unit[0, i] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.add(key)
    return found


counts = st.one_of(st.integers(0, 12), st.integers(0, 300))
tables = st.integers(1, 5).flatmap(
    lambda rows: st.integers(1, 5).flatmap(
        lambda cols: st.lists(
            st.lists(counts, min_size=cols, max_size=cols), min_size=rows, max_size=rows
        )
    )
)
rules = st.sampled_from(["standard", "threshold-10"])


@settings(max_examples=150, deadline=None)
@given(values=tables, name=rules)
def test_published_tables_hide_small_counts_round_the_rest_and_cannot_be_subtracted(
    values: list[list[int]], name: str
) -> None:
    table = grid(values)
    rule = rule_set(name)
    published = suppress(table, rule)
    hidden = {k for k, v in published.values.items() if v == HIDDEN}
    for key, value in published.values.items():
        if value == HIDDEN:
            continue
        assert isinstance(value, int)
        assert not 1 <= value <= rule.hide_up_to, key  # no published cell in 1..7
        assert value % rule.round_to == 0, key  # every published count a multiple of 5
        assert abs(value - table.cells[key]) <= rule.round_to // 2
    # Every small true count is hidden, and nothing hidden can be worked out.
    assert {k for k, v in table.cells.items() if 1 <= v <= rule.hide_up_to} <= hidden
    assert recoverable(table, hidden) == set()
    receipt = published.receipt
    assert receipt.suppressed == len(hidden)
    assert receipt.cells == len(table.cells)
    assert receipt.rule_set == name


funnels = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40), st.integers(0, 40)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=100, deadline=None)
@given(groups=funnels)
def test_funnel_stages_split_by_group_cannot_be_subtracted(
    groups: list[tuple[int, int, int, int]],
) -> None:
    """Adjacent stages: submitted = passed + referred + pending, for each group and all."""
    cells: dict[str, int] = {}
    relations = []
    stages = ("passed", "referred", "pending")
    for g, (passed, referred, pending, declined) in enumerate(groups):
        values = dict(zip(stages, (passed, referred, pending), strict=True))
        for stage, value in values.items():
            cells[f"{g}:{stage}"] = value
        cells[f"{g}:submitted"] = sum(values.values())
        cells[f"{g}:declined"] = declined
        cells[f"{g}:enrolled"] = cells[f"{g}:submitted"] + declined
        relations.append(Relation(f"{g}:submitted", tuple(f"{g}:{s}" for s in stages)))
        relations.append(Relation(f"{g}:enrolled", (f"{g}:submitted", f"{g}:declined")))
    for stage in (*stages, "submitted", "declined", "enrolled"):
        cells[f"all:{stage}"] = sum(cells[f"{g}:{stage}"] for g in range(len(groups)))
        relations.append(
            Relation(f"all:{stage}", tuple(f"{g}:{stage}" for g in range(len(groups))))
        )
    relations.append(Relation("all:submitted", tuple(f"all:{s}" for s in stages)))
    relations.append(Relation("all:enrolled", ("all:submitted", "all:declined")))
    table = CountTable(cells, tuple(relations))
    published = suppress(table, RULE_SETS["standard"])
    hidden = {k for k, v in published.values.items() if v == HIDDEN}
    assert recoverable(table, hidden) == set()
    assert all(v == HIDDEN or (v % 5 == 0 and not 1 <= v <= 7) for v in published.values.values())  # type: ignore[operator]


def test_a_lone_hidden_cell_in_a_row_takes_a_neighbour_with_it() -> None:
    table = grid([[3, 40, 22], [30, 31, 50]])
    published = suppress(table, RULE_SETS["standard"]).values
    assert published["r0c0"] == HIDDEN
    # Row 0 and column 0 each need a second hidden cell, or 3 = total - the rest.
    assert sum(published[f"r0c{c}"] == HIDDEN for c in range(3)) + (published["r0T"] == HIDDEN) >= 2
    assert published["r1c1"] == 30  # 31 rounded to the nearest 5: a rectangle is enough
    assert suppress(table, RULE_SETS["standard"]).receipt.suppressed == 4


@pytest.mark.parametrize(
    ("value", "standard", "ten"),
    [(0, 0, 0), (1, HIDDEN, HIDDEN), (7, HIDDEN, HIDDEN), (8, 10, HIDDEN), (9, 10, HIDDEN),
     (10, 10, 10), (12, 10, 10), (13, 15, 15), (43, 45, 45)],
)  # fmt: skip
def test_single_counts(value: int, standard: int | str, ten: int | str) -> None:
    assert publish_count(value, RULE_SETS["standard"]) == standard
    assert publish_count(value, RULE_SETS["threshold-10"]) == ten


def test_exact_rule_set_changes_nothing() -> None:
    table = grid([[3, 40], [1, 2]])
    published = suppress(table, RULE_SETS["exact"])
    assert published.values == table.cells
    assert published.receipt.suppressed == 0


def test_unknown_rule_set_is_named() -> None:
    with pytest.raises(ValueError, match="threshold-10"):
        rule_set("loose")
