"""Writing a research dataset: CSV and Parquet for each table, and a README that is the data
dictionary (every column described, the study, the date protection, the suppression rule).

The same bytes come from the API: :func:`table_csv` and :func:`table_parquet` answer
``GET /research/participants`` and ``GET /research/timeline``; :func:`readme` answers
``GET /research/dictionary``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from projections.research_dataset import (
    PARTICIPANT_COLUMNS,
    TIMELINE_COLUMNS,
    Column,
    Dataset,
    equality_counts,
)

__all__ = ["TABLES", "readme", "table_csv", "table_parquet", "write_export"]

TABLES: dict[str, tuple[Column, ...]] = {
    "participants": PARTICIPANT_COLUMNS,
    "timeline": TIMELINE_COLUMNS,
}


def _rows(dataset: Dataset, table: str) -> Sequence[dict[str, Any]]:
    return dataset.participants if table == "participants" else dataset.timeline


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def table_csv(dataset: Dataset, table: str) -> bytes:
    columns = [c.name for c in TABLES[table]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in _rows(dataset, table):
        writer.writerow([_text(row[c]) for c in columns])
    return buffer.getvalue().encode("utf-8")


def _arrow_type(column: Column, dates: str) -> pa.DataType:
    if column.kind == "int":
        return pa.int64()
    if column.kind == "float":
        return pa.float64()
    if column.kind == "date" and dates == "shift":
        return pa.date32()
    return pa.string()


def table_parquet(dataset: Dataset, table: str) -> bytes:
    columns = TABLES[table]
    rows = _rows(dataset, table)
    schema = pa.schema([pa.field(c.name, _arrow_type(c, dataset.dates)) for c in columns])
    arrays = [
        pa.array(
            [None if r[c.name] is None else _cell(r[c.name], c) for r in rows],
            type=schema.field(c.name).type,
        )
        for c in columns
    ]
    # No pandas metadata and no writer-specific key-value metadata: the file holds the
    # schema and the values only.
    arrow = pa.Table.from_arrays(arrays, schema=schema.remove_metadata())
    buffer = io.BytesIO()
    pq.write_table(arrow, buffer, store_schema=False)
    return buffer.getvalue()


def _cell(value: Any, column: Column) -> Any:
    if column.kind == "text":
        return str(value)
    return value


def readme(dataset: Dataset, *, exported_on: date) -> str:
    dates = (
        "Every date of one person is moved by the same number of days (their own offset, "
        "derived from the study's secret and never exported; at most the configured "
        "JOURNEY_RESEARCH_SHIFT_DAYS either way, 182 by default), so every interval between "
        "a person's dates is exact, but no date is a real calendar date. Cohorts' real "
        "timetables are not in the export; a reader who knows one could estimate offsets to "
        "within the weeks between enrolment and the first training day."
        if dataset.dates == "shift"
        else "Dates are coarsened to the month (YYYY-MM)."
    )
    lines = [
        f"# Research export: study {dataset.study}",
        "",
        f"Exported on {exported_on.isoformat()} from journey-ledger. Two tables, each as CSV "
        "(UTF-8, comma-separated, header row) and Parquet:",
        "",
        f"- `participants`: one row per enrolment (a person on a cohort): "
        f"{len(dataset.participants)} rows.",
        f"- `timeline`: one row per outcome, follow-up contact, feedback category and "
        f"wellbeing score: {len(dataset.timeline)} rows.",
        "",
        "## What is not here",
        "",
        "No names, contact details, reasons given, outcome details, review-interview quotes, "
        "or who recorded anything. People and cohorts appear only as keyed pseudonyms: the "
        "same in every export of this study, unrelated to those of any other study.",
        "",
        "## Dates",
        "",
        dates,
        "",
        "## Equality monitoring",
        "",
        "Broad groups only (never the wording recorded). Under the suppression rule set "
        f"'{dataset.rule.name}' ({dataset.rule.describe()}), a value held by 1 to "
        f"{dataset.rule.hide_up_to} people of this export is shown as `*`: "
        f"{dataset.equality_values_hidden} values were hidden.",
        "",
    ]
    for column, counts in equality_counts(dataset).items():
        shown = ", ".join(f"{v}" for v in sorted(counts))
        lines.append(f"- `{column}` values in this export: {shown}")
    lines += ["", "## Silence is not a no", ""]
    lines.append(
        "An outcome is only known if someone reported it. A `follow_up` row is a review "
        "contact whether or not it found anything: count a person as observed at a point "
        "only if they were contacted (or reported something) at or after it."
    )
    for table, columns in TABLES.items():
        lines += [
            "",
            f"## Columns of `{table}`",
            "",
            "| column | type | meaning |",
            "| --- | --- | --- |",
        ]
        for c in columns:
            kind = "date or YYYY-MM" if c.kind == "date" else c.kind
            lines.append(f"| `{c.name}` | {kind} | {c.description} |")
    return "\n".join(lines) + "\n"


def write_export(dataset: Dataset, out: Path, *, exported_on: date) -> list[Path]:
    """Write both tables (CSV and Parquet) and README.md into ``out``; return the files."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        for suffix, content in (
            ("csv", table_csv(dataset, table)),
            ("parquet", table_parquet(dataset, table)),
        ):
            path = out / f"{table}.{suffix}"
            path.write_bytes(content)
            written.append(path)
    path = out / "README.md"
    path.write_text(readme(dataset, exported_on=exported_on), encoding="utf-8")
    written.append(path)
    return written
