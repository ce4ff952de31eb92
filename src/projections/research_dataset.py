"""The longitudinal research dataset: one table of participants, one long table of what
happened to them after (and during) the course, pseudonymised for one study.

Rows come from the research view (:mod:`projections.research`), so no name, contact detail
or free text is ever read. Each column is described once, in :data:`PARTICIPANT_COLUMNS` and
:data:`TIMELINE_COLUMNS`: the exporter writes those descriptions as the data dictionary.
An equality-monitoring value held by 1 to ``rule.hide_up_to`` people of the export is shown
as ``*`` (a rare group on a row would single its members out).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import Engine, select

from journey.scales import ScaleDefinition
from projections.outcome_report import months_between
from projections.pseudonyms import Study
from projections.research import enrolment_table, entry_table, person_table
from projections.suppression import HIDDEN, RuleSet

__all__ = [
    "EQUALITY_COLUMNS",
    "PARTICIPANT_COLUMNS",
    "TIMELINE_COLUMNS",
    "Column",
    "Dataset",
    "equality_counts",
    "read_dataset",
]

Kind = Literal["text", "int", "float", "date"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind  # "date" columns hold dates when shifted, "YYYY-MM" text when coarsened
    description: str


PARTICIPANT_COLUMNS: tuple[Column, ...] = (
    Column(
        "pseudonym",
        "text",
        "The person's pseudonym in this study (keyed hash; the same "
        "person has the same pseudonym in every export of the study, a different one in "
        "any other study).",
    ),
    Column("cohort", "text", "The cohort's code in this study (keyed hash of the cohort id)."),
    Column("programme", "text", "The programme's id (e.g. voices-together)."),
    Column("enrolled_on", "date", "The day of enrolment, shifted or as a month (see Dates)."),
    Column("enrolment_month", "text", "The month of enrolled_on (YYYY-MM)."),
    Column(
        "course_ended_on",
        "date",
        "The cohort's last training day, shifted by this person's offset or as a month.",
    ),
    Column(
        "ethnic_group",
        "text",
        "Census top-level group: White, Mixed, Asian, Black, Other, "
        "Not stated; * if fewer than the suppression threshold hold it in this export.",
    ),
    Column(
        "bme",
        "text",
        "White, Black and minority ethnic, or Not stated (derived from ethnic_group); * as above.",
    ),
    Column("gender", "text", "Female, Male, Non-binary or other, Not stated; * as above."),
    Column("age_band", "text", "18-24, 25-34, 35-44, 45-54, 55-64, 65+, Not stated; * as above."),
    Column("disability", "text", "Yes, No, Not stated; * as above."),
    Column("sessions", "int", "Training days the cohort has."),
    Column("sessions_attended", "int", "Training days this person attended."),
    Column("accreditation", "text", "chosen, declined or undecided: the last decision."),
    Column(
        "final_result",
        "text",
        "pass or refer (after external moderation, on the latest "
        "attempt), pending (submitted, no final result yet), or not_submitted.",
    ),
    Column("credits", "int", "Credits awarded (0 unless passed)."),
    Column("withdrawn_on", "date", "The day the person withdrew (empty if they did not)."),
)
TIMELINE_COLUMNS: tuple[Column, ...] = (
    Column("pseudonym", "text", "As in participants."),
    Column("cohort", "text", "The cohort the entry is counted against: the latest begun on or "
           "before it (empty if none)."),
    Column("kind", "text", "outcome, follow_up (a review contact, whether or not it found "
           "anything), feedback (a review-interview quote's category; the words are never "
           "exported) or wellbeing."),
    Column("occurred_on", "date", "When it happened (an outcome: when it began), shifted or as "
           "a month."),
    Column("months_since_course_end", "int", "Whole months from the cohort's last training day "
           "to occurred_on (negative: during or before the course)."),
    Column("category", "text", "outcome: chair, treasurer, board_member, employment, "
           "co_facilitating, speaking, leadership_role, further_training, volunteering, "
           "campaigning. feedback: confidence, peer_support, speaking_up, involvement, "
           "learning, employment, challenge, other (empty if not filed)."),
    Column("source", "text", "outcome: interview, self_report or staff_observation."),
    Column("ended_on", "date", "outcome: when a role ended (empty: ongoing when reported)."),
    Column("method", "text", "follow_up: telephone_interview, survey, face_to_face, email."),
    Column("scale", "text", "wellbeing: the scale's name (e.g. WEMWBS)."),
    Column("score", "int", "wellbeing: the raw total recorded."),
    Column("metric_score", "float", "wellbeing: the score analysed (the raw total, or its "
           "metric score where the scale definition has a conversion table)."),
    Column("timepoint", "text", "wellbeing: baseline, end or follow_up."),
)  # fmt: skip
EQUALITY_COLUMNS = ("ethnic_group", "bme", "gender", "age_band", "disability")


@dataclass(frozen=True)
class Dataset:
    study: str
    dates: str
    rule: RuleSet
    participants: tuple[dict[str, Any], ...]
    timeline: tuple[dict[str, Any], ...]
    equality_values_hidden: int


def _final_result(enrolment: Mapping[str, Any]) -> str:
    if enrolment["result"] in ("pass", "refer"):
        return str(enrolment["result"])
    return "pending" if enrolment["submitted"] else "not_submitted"


def _month(shown: date | str) -> str:
    return shown if isinstance(shown, str) else f"{shown.year:04d}-{shown.month:02d}"


def read_dataset(
    engine: Engine,
    study: Study,
    *,
    rule: RuleSet,
    scales: Mapping[str, ScaleDefinition],
    programme_id: str | None = None,
    cohort_id: str | None = None,
) -> Dataset:
    """Every enrolment in scope (all, a programme's or a cohort's) and the timelines of the
    people enrolled, pseudonymised for ``study``."""
    e = enrolment_table
    scoped = select(e).order_by(e.c.enrolled_on, e.c.cohort_id, e.c.participant_id)
    if programme_id is not None:
        scoped = scoped.where(e.c.programme_id == programme_id)
    if cohort_id is not None:
        scoped = scoped.where(e.c.cohort_id == cohort_id)
    with engine.connect() as conn:
        enrolments = [dict(r) for r in conn.execute(scoped).mappings()]
        ids = sorted({r["participant_id"] for r in enrolments})
        people: dict[str, dict[str, Any]] = {}
        everyone: dict[str, list[dict[str, Any]]] = {}
        entries: list[dict[str, Any]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for p in conn.execute(
                select(person_table).where(person_table.c.participant_id.in_(chunk))
            ).mappings():
                people[p["participant_id"]] = dict(p)
            for r in conn.execute(
                select(e)
                .where(e.c.participant_id.in_(chunk))
                .order_by(e.c.enrolled_on, e.c.cohort_id)
            ).mappings():
                everyone.setdefault(r["participant_id"], []).append(dict(r))
            entries.extend(
                dict(r)
                for r in conn.execute(
                    select(entry_table)
                    .where(entry_table.c.participant_id.in_(chunk))
                    .order_by(
                        entry_table.c.participant_id,
                        entry_table.c.occurred_on,
                        entry_table.c.version,
                    )
                ).mappings()
            )
    in_scope = {(r["participant_id"], r["cohort_id"]) for r in enrolments}
    participants = [_participant_row(study, r, people.get(r["participant_id"])) for r in enrolments]
    hidden = _hide_rare_groups(participants, rule)
    timeline = []
    for entry in entries:
        pid = entry["participant_id"]
        attributed = [r for r in everyone.get(pid, []) if r["enrolled_on"] <= entry["occurred_on"]]
        enrolment = attributed[-1] if attributed else None
        if enrolment is not None and (pid, enrolment["cohort_id"]) not in in_scope:
            continue  # belongs to a course outside the scope asked for
        timeline.append(_timeline_row(study, entry, enrolment, scales))
    timeline.sort(key=lambda row: (row["pseudonym"], str(row["occurred_on"]), row["kind"]))
    return Dataset(
        study=study.name,
        dates=study.dates,
        rule=rule,
        participants=tuple(sorted(participants, key=lambda r: (r["pseudonym"], r["cohort"]))),
        timeline=tuple(timeline),
        equality_values_hidden=hidden,
    )


def _participant_row(
    study: Study, enrolment: Mapping[str, Any], person: Mapping[str, Any] | None
) -> dict[str, Any]:
    pid = enrolment["participant_id"]
    enrolled = study.shown_date(pid, enrolment["enrolled_on"])
    assert enrolled is not None
    groups = {c: (person[c] if person else "Not stated") for c in EQUALITY_COLUMNS}
    return {
        "pseudonym": study.pseudonym(pid),
        "cohort": study.cohort_code(enrolment["cohort_id"]),
        "programme": enrolment["programme_id"],
        "enrolled_on": enrolled,
        "enrolment_month": _month(enrolled),
        "course_ended_on": study.shown_date(pid, enrolment["course_ended_on"]),
        **groups,
        "sessions": int(enrolment["sessions"]),
        "sessions_attended": int(enrolment["attended"]),
        "accreditation": enrolment["decision"] or "undecided",
        "final_result": _final_result(enrolment),
        "credits": int(enrolment["credits"]),
        "withdrawn_on": study.shown_date(pid, enrolment["withdrawn_on"]),
    }


def _hide_rare_groups(rows: list[dict[str, Any]], rule: RuleSet) -> int:
    """Replace every equality value held by 1..hide_up_to people with ``*``; return how many
    values (column and value pairs) were hidden."""
    hidden = 0
    for column in EQUALITY_COLUMNS:
        holders: dict[str, set[str]] = {}
        for row in rows:
            holders.setdefault(row[column], set()).add(row["pseudonym"])
        rare = {v for v, who in holders.items() if 1 <= len(who) <= rule.hide_up_to}
        hidden += len(rare)
        for row in rows:
            if row[column] in rare:
                row[column] = HIDDEN
    return hidden


def _timeline_row(
    study: Study,
    entry: Mapping[str, Any],
    enrolment: Mapping[str, Any] | None,
    scales: Mapping[str, ScaleDefinition],
) -> dict[str, Any]:
    pid = entry["participant_id"]
    when: date = entry["occurred_on"]
    metric = None
    if entry["kind"] == "wellbeing":
        definition = scales.get(entry["scale"])
        metric = definition.metric(entry["score"]) if definition else None
    return {
        "pseudonym": study.pseudonym(pid),
        "cohort": study.cohort_code(enrolment["cohort_id"]) if enrolment else None,
        "kind": entry["kind"],
        "occurred_on": study.shown_date(pid, when),
        "months_since_course_end": (
            months_between(enrolment["course_ended_on"], when) if enrolment else None
        ),
        "category": entry["category"],
        "source": entry["source"],
        "ended_on": study.shown_date(pid, entry["ended_on"]),
        "method": entry["method"],
        "scale": entry["scale"],
        "score": entry["score"],
        "metric_score": metric,
        "timepoint": entry["timepoint"],
    }


def equality_counts(dataset: Dataset) -> dict[str, Counter[str]]:
    """How many export rows hold each equality value (for the README)."""
    return {c: Counter(str(r[c]) for r in dataset.participants) for c in EQUALITY_COLUMNS}
