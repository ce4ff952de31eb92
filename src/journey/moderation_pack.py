"""The moderation pack of a cohort: every submission with its components and format, both marks
with markers and dates, internal and external moderation, the final result, and a check that
the first marker, second marker and moderators were different people. JSON-ready rows and a
CSV that opens cleanly in a spreadsheet (UTF-8 with a byte-order mark; no cell is read as a
formula).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from journey.state import Attempt
from journey.views import ParticipantView

__all__ = ["PackRow", "pack_csv", "pack_rows"]


@dataclass(frozen=True)
class PackRow:
    participant_id: str
    cohort_id: str
    attempt: int
    components: str
    essay_format: str | None
    submitted_on: date | None
    first_marker: str | None
    first_result: str | None
    first_marked_on: date | None
    second_marker: str | None
    second_result: str | None
    second_marked_on: date | None
    internal_moderator: str | None
    internal_result: str | None
    internal_moderated_on: date | None
    external_moderator: str | None
    external_result: str | None
    external_moderated_on: date | None
    final_result: str | None
    people_independent: bool  # markers and moderators all different people
    independence_note: str


def _independence(attempt: Attempt) -> tuple[bool, str]:
    people = [*attempt.markers, *attempt.moderators]
    repeated = sorted({p for p in people if people.count(p) > 1})
    if repeated:
        return False, f"the same person acted twice: {', '.join(repeated)}"
    return True, f"{len(people)} different people" if people else "not yet marked"


def _row(participant_id: str, cohort_id: str, attempt: Attempt) -> PackRow:
    first, second = attempt.mark("first"), attempt.mark("second")
    internal, external = attempt.moderation("internal"), attempt.moderation("external")
    independent, note = _independence(attempt)
    return PackRow(
        participant_id=participant_id,
        cohort_id=cohort_id,
        attempt=attempt.number,
        components=" + ".join(attempt.submitted),
        essay_format=attempt.essay_format,
        submitted_on=max(attempt.submitted_on) if attempt.submitted_on else None,
        first_marker=first.marker if first else None,
        first_result=first.result if first else None,
        first_marked_on=first.marked_on if first else None,
        second_marker=second.marker if second else None,
        second_result=second.result if second else None,
        second_marked_on=second.marked_on if second else None,
        internal_moderator=internal.moderator if internal else None,
        internal_result=internal.result if internal else None,
        internal_moderated_on=internal.moderated_on if internal else None,
        external_moderator=external.moderator if external else None,
        external_result=external.result if external else None,
        external_moderated_on=external.moderated_on if external else None,
        final_result=attempt.final_result,
        people_independent=independent,
        independence_note=note,
    )


def pack_rows(cohort_id: str, participants: Iterable[ParticipantView]) -> list[PackRow]:
    """One row per attempt with anything submitted, by participant then attempt."""
    rows: list[PackRow] = []
    for view in participants:
        enrolment = view.enrolment(cohort_id)
        if enrolment is None:
            continue
        rows.extend(_row(str(view.participant_id), cohort_id, a) for a in enrolment.attempts)
    return sorted(rows, key=lambda r: (r.participant_id, r.attempt))


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    # A leading = + - @ would be run as a formula by a spreadsheet: keep it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def pack_csv(rows: Iterable[PackRow]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheets read UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PackRow.__dataclass_fields__)
    for row in rows:
        writer.writerow(_cell(v) for v in asdict(row).values())
    return out.getvalue()
