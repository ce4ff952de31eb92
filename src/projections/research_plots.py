"""Plots people would rather look at than read: the accreditation funnel, a cohort's outcome
timeline (one row per pseudonymous participant, a mark per outcome) and the cumulative outcome
curves, as PNG or SVG bytes.

Drawn with matplotlib's object API on the Agg canvas (no pyplot state, safe in the API's
threads). The figures are drawn from the same published tables researchers get (hidden cells
drawn hatched and labelled ``*``), and saved without metadata: no software, date or title
keys in the PNG, no creator or date in the SVG, and fixed SVG ids.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Literal

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from sqlalchemy import Engine

from journey.values import OUTCOME_CATEGORIES
from projections.outcome_report import months_between
from projections.pseudonyms import Study
from projections.research_scope import load_scope
from projections.research_tables import Cell, ReportTable

__all__ = ["PLOTS", "PlotFormat", "curves_plot", "funnel_plot", "render", "timeline_plot"]

PlotFormat = Literal["png", "svg"]
PLOTS = ("funnel", "timeline", "curves")

_COLOURS: dict[str, str] = dict(
    zip(
        OUTCOME_CATEGORIES,
        ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e",
         "#e6ab02", "#a6761d", "#1f78b4", "#666666", "#b2182b"),
        strict=True,
    )
)  # fmt: skip


def render(figure: Figure, fmt: PlotFormat) -> bytes:
    """The figure's bytes, with every metadata key matplotlib would write removed."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    with mpl.rc_context({"svg.hashsalt": "journey-ledger", "svg.fonttype": "none"}):
        if fmt == "png":
            figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
        else:
            metadata = {"Creator": None, "Date": None, "Format": None, "Type": None}
            figure.savefig(buffer, format="svg", metadata=metadata)
    return buffer.getvalue()


def funnel_plot(table: ReportTable, *, scope: str) -> Figure:
    """Horizontal bars, one per stage, from the ``All`` row of a funnel-by-group table."""
    (everyone,) = [row for row in table.rows if row["group"] == "All"]
    stages = ("enrolled", "chose", "submitted", "passed", "pending", "referred")
    figure = Figure(figsize=(7, 3.6), layout="constrained")
    axes = figure.add_subplot()
    numbers = [everyone[s] for s in stages]
    known = [v for v in numbers if isinstance(v, int)]
    top = max(known, default=1) or 1
    for y, value in enumerate(numbers):
        width = float(value) if isinstance(value, int) else top * 0.04
        hidden = not isinstance(value, int)
        axes.barh(
            y, width, color="#dddddd" if hidden else "#2c7fb8",
            hatch="//" if hidden else None, edgecolor="#555555",
        )  # fmt: skip
        axes.text(width + top * 0.01, y, str(value), va="center", fontsize=9)
    axes.set_yticks(range(len(stages)), [s.replace("_", " ") for s in stages])
    axes.invert_yaxis()
    axes.set_xlim(0, top * 1.15)
    axes.set_xlabel("people (enrolments)")
    axes.set_title(f"Accreditation funnel: {scope}", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    _receipt(figure, table)
    return figure


def curves_plot(table: ReportTable, *, scope: str, categories: int = 5) -> Figure:
    """Cumulative share ever having each outcome, over those observed at each point; the
    number observed is drawn beneath."""
    figure = Figure(figsize=(8, 5), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    by_category: dict[str, list[tuple[int, float | None]]] = {}
    observed: dict[int, Cell] = {}
    for row in table.rows:
        m = int(str(row["months_after_course"]))
        value = row["ever_share"]
        by_category.setdefault(str(row["category"]), []).append(
            (m, float(value) if isinstance(value, float | int) else None)
        )
        observed[m] = row["observed"]
    ranked = sorted(
        (c for c in by_category if c != "any"),
        key=lambda c: -max((v or 0.0) for _, v in by_category[c]),
    )[:categories]
    for category in ("any", *ranked):
        points = [(m, v) for m, v in by_category.get(category, []) if v is not None]
        if not points or (category != "any" and not any(v for _, v in points)):
            continue
        top.plot(
            [m for m, _ in points], [v for _, v in points], marker="o", markersize=3,
            linewidth=2.5 if category == "any" else 1.5,
            color="#222222" if category == "any" else _COLOURS.get(category, "#888888"),
            label="any outcome" if category == "any" else category.replace("_", " "),
        )  # fmt: skip
    hidden = sum(v is None for series in by_category.values() for _, v in series)
    if hidden:
        top.text(
            0.99, 0.97, f"{hidden} point(s) not drawn: a count behind them is hidden (*)",
            transform=top.transAxes, ha="right", va="top", fontsize=8, color="#666666",
        )  # fmt: skip
    top.set_ylim(0, 1)
    top.set_ylabel("share of those observed")
    top.set_title(f"Outcomes since the course ended: {scope}", fontsize=11)
    if top.get_legend_handles_labels()[0]:
        top.legend(fontsize=8, frameon=False, loc="upper left")
    top.grid(alpha=0.3)
    months = sorted(observed)
    heights = [v if isinstance(v, int) else 0 for v in (observed[m] for m in months)]
    bottom.bar(months, heights, width=2.5, color="#9ecae1")
    for m in months:
        bottom.text(m, 0, str(observed[m]), ha="center", va="bottom", fontsize=8)
    bottom.set_ylabel("observed")
    bottom.set_xlabel("months since the course ended")
    for axes in (top, bottom):
        axes.spines[["top", "right"]].set_visible(False)
    _receipt(figure, table)
    return figure


def timeline_plot(engine: Engine, study: Study, *, cohort_id: str, today: date) -> Figure:
    """One row per pseudonymous participant of ``cohort_id``: outcomes as coloured marks at
    the months since the course ended (a line to where a role ended), follow-up contacts as
    small grey ticks, so that a row without marks but with ticks reads as "asked, nothing"."""
    scope = load_scope(engine, cohort_id=cohort_id)
    people = sorted(scope.enrolments, key=lambda e: study.pseudonym(e["participant_id"]))
    figure = Figure(figsize=(9, max(3.0, 0.28 * len(people) + 1.6)), layout="constrained")
    axes = figure.add_subplot()
    used: set[str] = set()
    for y, enrolment in enumerate(people):
        end: date = enrolment["course_ended_on"]
        for entry in scope.entries_of(enrolment):
            m = months_between(end, entry["occurred_on"])
            if entry["kind"] == "follow_up":
                axes.plot(m, y, marker="|", color="#999999", markersize=9)
            elif entry["kind"] == "outcome":
                colour = _COLOURS.get(entry["category"], "#888888")
                used.add(entry["category"])
                if entry["ended_on"] is not None:
                    stop = months_between(end, entry["ended_on"])
                    axes.plot([m, stop], [y, y], color=colour, linewidth=2, alpha=0.6)
                axes.plot(m, y, marker="o", color=colour, markersize=6, linestyle="none")
        if enrolment["withdrawn_on"] is not None:
            axes.plot(months_between(end, enrolment["withdrawn_on"]), y, marker="x", color="k")
    axes.axvline(0, color="#444444", linewidth=0.8, linestyle="--")
    axes.set_yticks(
        range(len(people)), [study.pseudonym(e["participant_id"]) for e in people], fontsize=7
    )
    axes.invert_yaxis()
    axes.set_xlabel("months since the course ended (dashed line: last training day)")
    axes.set_title(f"Outcome timeline: cohort {study.cohort_code(cohort_id)}", fontsize=11)
    handles = [
        Line2D([], [], marker="o", linestyle="none", color=_COLOURS[c], label=c.replace("_", " "))
        for c in OUTCOME_CATEGORIES
        if c in used
    ]
    handles += [
        Line2D([], [], marker="|", linestyle="none", color="#999999", label="follow-up contact"),
        Line2D([], [], marker="x", linestyle="none", color="k", label="withdrew"),
    ]
    axes.legend(handles=handles, fontsize=7, frameon=False, loc="upper left",
                bbox_to_anchor=(1.01, 1))  # fmt: skip
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="x", alpha=0.3)
    if not people:
        axes.text(0.5, 0.5, "nobody enrolled", transform=axes.transAxes, ha="center")
    return figure


def _receipt(figure: Figure, table: ReportTable) -> None:
    receipt = table.receipt
    figure.suptitle(
        f"disclosure control: {receipt.rule_set}; {receipt.suppressed} cell(s) hidden (*)",
        x=0.99, ha="right", fontsize=7, color="#666666",
    )  # fmt: skip
