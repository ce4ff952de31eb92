"""The enrolments of a scope (all, a programme, a cohort) with their people and the timeline
entries counted against each: what the research views count. Read from the research view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from journey.errors import CohortNotFound, ProgrammeNotFound
from projections.research import courses, enrolment_table, entry_table, person_table

__all__ = ["ScopeData", "load_scope"]

Key = tuple[str, str]  # (participant id, cohort id)


@dataclass(frozen=True)
class ScopeData:
    programme_id: str | None
    cohort_id: str | None
    enrolments: tuple[dict[str, Any], ...]
    people: dict[str, dict[str, Any]]
    entries: dict[Key, tuple[dict[str, Any], ...]]

    def entries_of(self, enrolment: dict[str, Any]) -> tuple[dict[str, Any], ...]:
        return self.entries.get((enrolment["participant_id"], enrolment["cohort_id"]), ())


def load_scope(
    engine: Engine, *, programme_id: str | None = None, cohort_id: str | None = None
) -> ScopeData:
    """:class:`ProgrammeNotFound` / :class:`CohortNotFound` for an unknown scope. An entry
    counts against the latest enrolment begun on or before it, as timelines show it."""
    e = enrolment_table
    with engine.connect() as conn:
        if (
            programme_id is not None
            and not conn.execute(
                select(courses.programme.c.programme_id).where(
                    courses.programme.c.programme_id == programme_id
                )
            ).first()
        ):
            raise ProgrammeNotFound(programme_id)
        if (
            cohort_id is not None
            and not conn.execute(
                select(courses.cohort.c.cohort_id).where(courses.cohort.c.cohort_id == cohort_id)
            ).first()
        ):
            raise CohortNotFound(cohort_id)
        scoped = select(e).order_by(e.c.cohort_id, e.c.enrolled_on, e.c.participant_id)
        if programme_id is not None:
            scoped = scoped.where(e.c.programme_id == programme_id)
        if cohort_id is not None:
            scoped = scoped.where(e.c.cohort_id == cohort_id)
        enrolments = tuple(dict(r) for r in conn.execute(scoped).mappings())
        ids = sorted({r["participant_id"] for r in enrolments})
        people: dict[str, dict[str, Any]] = {}
        everyone: dict[str, list[dict[str, Any]]] = {}
        raw: list[dict[str, Any]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            people.update(
                (p["participant_id"], dict(p))
                for p in conn.execute(
                    select(person_table).where(person_table.c.participant_id.in_(chunk))
                ).mappings()
            )
            for r in conn.execute(
                select(e)
                .where(e.c.participant_id.in_(chunk))
                .order_by(e.c.enrolled_on, e.c.cohort_id)
            ).mappings():
                everyone.setdefault(r["participant_id"], []).append(dict(r))
            raw.extend(
                dict(r)
                for r in conn.execute(
                    select(entry_table)
                    .where(entry_table.c.participant_id.in_(chunk))
                    .order_by(entry_table.c.occurred_on, entry_table.c.version)
                ).mappings()
            )
    in_scope = {(r["participant_id"], r["cohort_id"]) for r in enrolments}
    entries: dict[Key, list[dict[str, Any]]] = {}
    for entry in raw:
        pid = entry["participant_id"]
        begun = [r for r in everyone.get(pid, []) if r["enrolled_on"] <= entry["occurred_on"]]
        if begun and (pid, begun[-1]["cohort_id"]) in in_scope:
            entries.setdefault((pid, begun[-1]["cohort_id"]), []).append(entry)
    return ScopeData(
        programme_id=programme_id,
        cohort_id=cohort_id,
        enrolments=enrolments,
        people=people,
        entries={k: tuple(v) for k, v in entries.items()},
    )
