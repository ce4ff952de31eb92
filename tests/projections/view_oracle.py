"""What the read models should say, worked out WITHOUT them: from the participants' current
state as the application loads it (``ledger.get_participant``) and their event histories.

Nothing here reads a view table or imports a projection module except the two documented
calendar helpers of :mod:`projections.outcome_report` (``months_between``, ``period_after``),
whose month arithmetic is a definition rather than something to re-derive.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from journey.application import JourneyLedger
from journey.state import Attempt, Enrolment
from journey.values import Accreditation
from projections.outcome_report import months_between, period_after

__all__ = [
    "FUNNEL_FIELDS",
    "Facts",
    "expected_funnel",
    "expected_outcome_counts",
    "expected_queue",
    "expected_register",
    "expected_timeline",
]

FUNNEL_FIELDS = (
    "enrolled",
    "withdrawn",
    "accreditation_chosen",
    "accreditation_declined",
    "undecided",
    "submitted",
    "first_marked",
    "second_marked",
    "marked",
    "moderated_internal",
    "moderated_external",
    "passed",
    "referred",
    "pending",
    "credits_awarded",
)


@dataclass(frozen=True)
class Facts:
    """Every enrolment of a history, with what the oracle needs beside it."""

    enrolments: tuple[tuple[UUID, Enrolment], ...]
    accreditation: dict[str, Accreditation | None]  # per programme
    threshold: dict[str, int]  # per programme
    cohorts: dict[str, Any]  # CohortView per cohort id
    views: dict[UUID, Any]  # ParticipantView per participant

    @classmethod
    def load(
        cls, ledger: JourneyLedger, participants: Iterable[UUID], cohorts: Iterable[str]
    ) -> Facts:
        views = {pid: ledger.get_participant(pid) for pid in participants}
        cohort_views = {c: ledger.get_cohort(c) for c in cohorts}
        programmes = {c.programme_id for c in cohort_views.values()}
        programme_views = {p: ledger.get_programme(p) for p in programmes}
        return cls(
            enrolments=tuple((pid, e) for pid, v in views.items() for e in v.enrolments),
            accreditation={p: v.accreditation for p, v in programme_views.items()},
            threshold={p: v.attendance_threshold for p, v in programme_views.items()},
            cohorts=cohort_views,
            views=views,
        )

    def complete(self, enrolment: Enrolment, attempt: Attempt) -> bool:
        accreditation = self.accreditation[enrolment.programme_id]
        return accreditation is not None and all(
            attempt.has_component(c) for c in accreditation.components
        )


# -- the funnel -------------------------------------------------------------------------------


def _funnel_of(facts: Facts, e: Enrolment) -> Counter[str]:
    complete = [a for a in e.attempts if facts.complete(e, a)]
    latest = complete[-1] if complete else None
    flags = {
        "enrolled": True,
        "withdrawn": e.withdrawn_on is not None,
        "accreditation_chosen": e.accreditation == "chosen",
        "accreditation_declined": e.accreditation == "declined",
        "undecided": e.accreditation is None,
        "submitted": bool(complete),
        "first_marked": any(a.mark("first") for a in e.attempts),
        "second_marked": any(a.mark("second") for a in e.attempts),
        "marked": any(a.mark("first") and a.mark("second") for a in e.attempts),
        "moderated_internal": any(a.moderation("internal") for a in e.attempts),
        "moderated_external": any(a.moderation("external") for a in e.attempts),
        "passed": any(a.final_result == "pass" for a in e.attempts),
        # where the latest complete attempt stands: referred, or waiting for its result
        "referred": latest is not None and latest.final_result == "refer",
        "pending": latest is not None and latest.final_result is None,
    }
    counts = Counter({k: int(v) for k, v in flags.items()})
    counts["credits_awarded"] = e.credits_awarded
    return counts


def expected_funnel(facts: Facts, group_by: str | None = None) -> dict[Any, dict[str, int]]:
    """Funnel counts per group (``None`` key when not grouped)."""
    groups: dict[Any, Counter[str]] = {}
    for _pid, e in facts.enrolments:
        key = {
            None: None,
            "cohort": e.cohort_id,
            "programme": e.programme_id,
            "year": e.enrolled_on.year,
        }[group_by]
        groups.setdefault(key, Counter()).update(_funnel_of(facts, e))
    if group_by is None and not groups:
        groups[None] = Counter()
    return {k: {f: c.get(f, 0) for f in FUNNEL_FIELDS} for k, c in groups.items()}


# -- the register -----------------------------------------------------------------------------


def expected_register(facts: Facts, cohort_id: str) -> dict[str, Any]:
    cohort = facts.cohorts[cohort_id]
    threshold = facts.threshold[cohort.programme_id]
    rows = []
    for pid, e in facts.enrolments:
        if e.cohort_id != cohort_id:
            continue
        statuses = {s.session: s.status for s in e.sessions}
        attended = sum(1 for s in e.sessions if s.status == "attended")
        rows.append(
            {
                "participant_id": str(pid),
                "enrolled_on": e.enrolled_on,
                "withdrawn_on": e.withdrawn_on,
                "sessions": {n: statuses.get(n) for n in range(1, len(cohort.session_dates) + 1)},
                "attended": attended,
                "missed": sum(1 for s in e.sessions if s.status == "missed"),
                # no certificate is issued after a withdrawal (rule 1)
                "certificate_eligible": attended >= threshold and e.withdrawn_on is None,
            }
        )
    rows.sort(key=lambda r: (r["enrolled_on"], r["participant_id"]))
    return {
        "programme_id": cohort.programme_id,
        "location": cohort.location,
        "session_dates_count": len(cohort.session_dates),
        "attendance_threshold": threshold,
        "rows": rows,
    }


# -- timelines and outcome counts -------------------------------------------------------------

_TIMELINE_KINDS = {
    "OutcomeReported": ("outcome", ("category", "detail", "source", "ended_on")),
    "FollowUpCompleted": ("follow_up", ("method",)),
    "FeedbackRecorded": ("feedback", ("quote", "interviewer")),
    "WellbeingMeasured": ("wellbeing", ("scale", "score", "timepoint")),
}


def expected_timeline(ledger: JourneyLedger, facts: Facts, pid: UUID) -> list[dict[str, Any]]:
    """The participant's timeline from their history as corrected: entries in the order they
    happened (recording order among the same day), each placed on the latest enrolment
    begun on or before it. ``cohort_ids`` lists every enrolment tied for latest."""
    enrolments = facts.views[pid].enrolments
    entries = []
    # What stands of the history: corrections applied (the domain's definition, which the
    # unit tests check against the participant's state).
    for event in ledger.effective_events(pid):
        if type(event).__name__ not in _TIMELINE_KINDS:
            continue
        kind, names = _TIMELINE_KINDS[type(event).__name__]
        when = event.occurred_on
        begun = [e for e in enrolments if e.enrolled_on <= when]
        latest = max((e.enrolled_on for e in begun), default=None)
        tied = [e for e in begun if e.enrolled_on == latest]
        fields = {n: getattr(event, n) for n in names if getattr(event, n, None) is not None}
        entries.append(
            {
                "kind": kind,
                "occurred_on": when,
                "cohort_ids": sorted(e.cohort_id for e in tied),
                "months_since_enrolment": (
                    months_between(tied[0].enrolled_on, when) if tied else None
                ),
                "months_since_course_ended": (
                    months_between(facts.cohorts[tied[0].cohort_id].session_dates[-1], when)
                    if tied
                    else None
                ),
                "fields": fields,
            }
        )
    entries.sort(key=lambda x: x["occurred_on"])  # stable: recording order within a day
    return entries


def expected_outcome_counts(
    facts: Facts, *, programme_id: str | None = None, cohort_id: str | None = None
) -> dict[str, Any]:
    """Each outcome and follow-up belongs to ONE enrolment: the latest its person began on or
    before it (ties: the greatest cohort id). It counts when that enrolment is in scope, per
    category and per period after that enrolment's course ended."""
    in_scope = [
        (pid, e)
        for pid, e in facts.enrolments
        if (programme_id is None or e.programme_id == programme_id)
        and (cohort_id is None or e.cohort_id == cohort_id)
    ]
    scope = {(pid, e.cohort_id) for pid, e in in_scope}

    def owner(pid: UUID, when: date) -> Any:
        begun = [e for p, e in facts.enrolments if p == pid and e.enrolled_on <= when]
        return max(begun, key=lambda e: (e.enrolled_on, e.cohort_id), default=None)

    by_category: Counter[str] = Counter()
    by_period: dict[str, Counter[str]] = {}
    followed: set[UUID] = set()
    with_outcome: set[UUID] = set()
    for pid in {pid for pid, _ in in_scope}:
        view = facts.views[pid]
        for follow_up in view.follow_ups:
            e = owner(pid, follow_up.occurred_on)
            if e is not None and (pid, e.cohort_id) in scope:
                followed.add(pid)
        for outcome in view.outcomes:
            e = owner(pid, outcome.occurred_on)
            if e is None or (pid, e.cohort_id) not in scope:
                continue
            with_outcome.add(pid)
            by_category[outcome.category] += 1
            ended = facts.cohorts[e.cohort_id].session_dates[-1]
            by_period.setdefault(outcome.category, Counter())[
                period_after(ended, outcome.occurred_on)
            ] += 1
    periods = ("during", "0-6", "6-12", "12-24", "24+")
    return {
        "participants": len({pid for pid, _ in in_scope}),
        "followed_up": len(followed),
        "with_outcome": len(with_outcome),
        "by_category": dict(sorted(by_category.items())),
        "by_period": {c: {p: n.get(p, 0) for p in periods} for c, n in sorted(by_period.items())},
    }


# -- the moderation queue ---------------------------------------------------------------------


def expected_queue(
    facts: Facts, today: date, *, include_withdrawn: bool = False
) -> list[tuple[str, str, int, str, date, int]]:
    """(participant, cohort, attempt, waiting_for, since, days) for every complete attempt
    without a final result, longest waiting first. A step's clock starts when the step
    before it completed: the attempt's last submission, the later of the two marks, the
    internal moderation."""
    items = []
    for pid, e in facts.enrolments:
        if e.withdrawn_on is not None and not include_withdrawn:
            continue
        for a in e.attempts:
            if not facts.complete(e, a) or a.final_result is not None:
                continue
            first, second = a.mark("first"), a.mark("second")
            internal = a.moderation("internal")
            steps: list[tuple[str, date]]
            if first is None or second is None:
                steps = [
                    (f"{stage}_mark", max(a.submitted_on))
                    for stage, mark in (("first", first), ("second", second))
                    if mark is None
                ]
            elif internal is None:
                steps = [("internal_moderation", max(first.marked_on, second.marked_on))]
            else:
                steps = [("external_moderation", internal.moderated_on)]
            for waiting_for, since in steps:
                days = max(0, (today - since).days)
                items.append((str(pid), e.cohort_id, a.number, waiting_for, since, days))
    return sorted(items, key=lambda i: (-i[5], i[1], i[0], i[3]))
