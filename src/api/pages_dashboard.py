"""A cohort at a glance: the accreditation funnel with its denominators, attendance per
training day, the moderation queue, and the outcome figures (exact, for staff).

Each part is shown only to the roles the API lets read it (the same operation names), and
the page says which parts a role does not see. The outcome plot is the research work's
cumulative curves, drawn for the page by :func:`outcome_curves_png`, with the exact figures
in a table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import views_at
from api.page_text import label
from api.pages_common import PREFIX, PageRoute, PageUser, User, render, services
from projections import research_plots as plots
from projections.cohort_outcomes import outcome_curves
from projections.funnel_report import FunnelCounts, funnel_report
from projections.moderation import read_queue
from projections.outcome_report import outcome_counts
from projections.register import Register, read_register
from projections.suppression import RULE_SETS

__all__ = ["router"]

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)

PERIODS = ("during", "0-6", "6-12", "12-24", "24+")


@dataclass(frozen=True)
class Stage:
    """One line of the funnel: a count, and the count it is a share of (its denominator)."""

    name: str
    count: int
    of: int | None
    of_what: str

    @property
    def percent(self) -> str | None:
        """The share as a whole percentage; "" for no denominator, None for a zero one."""
        if self.of is None:
            return ""
        if self.of == 0:
            return None
        return f"{100 * self.count / self.of:.0f}%"


def funnel_stages(c: FunnelCounts) -> list[Stage]:
    final = c.passed + c.referred
    return [
        Stage("Enrolled", c.enrolled, None, ""),
        Stage("Withdrew", c.withdrawn, c.enrolled, "enrolled"),
        Stage("Chose accreditation", c.accreditation_chosen, c.enrolled, "enrolled"),
        Stage("Declined accreditation", c.accreditation_declined, c.enrolled, "enrolled"),
        Stage("Not yet decided", c.undecided, c.enrolled, "enrolled"),
        Stage("Submitted", c.submitted, c.accreditation_chosen, "chose accreditation"),
        Stage("Both marks in", c.marked, c.submitted, "submitted"),
        Stage("Moderated internally", c.moderated_internal, c.marked, "marked"),
        Stage("Moderated externally (final)", c.moderated_external, c.marked, "marked"),
        Stage("Passed", c.passed, final, "final results"),
        Stage("Referred to resubmit", c.referred, final, "final results"),
        Stage("Pending (submitted, no final result)", c.pending, c.submitted, "submitted"),
    ]


@dataclass(frozen=True)
class DayCount:
    number: int
    day: str
    attended: int
    missed: int
    open: int


def day_counts(register: Register, dates: tuple[str, ...]) -> list[DayCount]:
    counts = []
    for n, day in enumerate(dates, start=1):
        statuses = [row.sessions.get(n) for row in register.rows if row.withdrawn_on is None]
        counts.append(
            DayCount(
                number=n,
                day=day,
                attended=statuses.count("attended"),
                missed=statuses.count("missed"),
                open=statuses.count(None),
            )
        )
    return counts


def _names(request: Request, user: PageUser, ids: list[str]) -> dict[str, str]:
    """Names for the ids shown, if the role may read named records (each read logged)."""
    if not user.may("read_participant"):
        return {}
    ledger = services(request).ledger
    names = {}
    for pid in dict.fromkeys(ids):
        user.require(request, "read_participant", "Names", target=pid)
        names[pid] = ledger.get_participant(UUID(pid)).details.name
    return names


@router.get("/cohorts/{cohort_id}", response_class=HTMLResponse)
def dashboard(request: Request, cohort_id: str, user: User) -> Response:
    s = services(request)
    cohort = s.ledger.get_cohort(cohort_id)  # an unknown cohort: 404
    programme = s.ledger.get_programme(cohort.programme_id)
    engine = views_at(s, None)
    parts = ("read_pass_rates", "read_register", "read_moderation_queue", "read_outcomes")
    if not any(user.may(p) for p in parts):
        user.require(request, "read_register", "The cohort dashboard", target=None)
    context: dict[str, object] = {
        "cohort": cohort,
        "programme": programme,
        "today": s.clock(),
        "label": label,
        "periods": PERIODS,
        "hidden": [p for p in parts if not user.may(p)],
        # The research outcome plot, drawn by the page route below (an <img> sends the
        # session cookie, not a bearer token): exact figures for staff.
        "outcome_plot_url": (
            f"{PREFIX}/cohorts/{cohort_id}/outcome-curves.png"
            if user.may("plot_outcome_curves")
            else None
        ),
    }
    ids: list[str] = []
    if user.may("read_pass_rates"):
        counts = funnel_report(engine, cohort_id=cohort_id)
        context["funnel"] = funnel_stages(counts[0]) if counts else []
        context["rates"] = counts[0].rates() if counts else ()
    if user.may("read_register"):
        register = read_register(engine, cohort_id)
        dates = tuple(d.isoformat() for d in cohort.session_dates)
        context["register"] = register
        context["days"] = day_counts(register, dates)
        ids += [row.participant_id for row in register.rows]
    if user.may("read_moderation_queue"):
        queue = read_queue(engine, today=s.clock(), cohort_id=cohort_id)
        context["queue"] = queue
        ids += [item.participant_id for item in queue]
    if user.may("read_outcomes"):
        context["outcomes"] = outcome_counts(engine, cohort_id=cohort_id)
    names = _names(request, user, ids)
    context["names"] = names
    if "register" in context:
        context["rows"] = sorted(
            register.rows, key=lambda r: names.get(r.participant_id, r.participant_id).casefold()
        )
    return render(request, "dashboard.html", context, user=user)


@router.get("/cohorts/{cohort_id}/outcome-curves.png")
def outcome_curves_png(request: Request, cohort_id: str, user: User) -> Response:
    """The cohort's cumulative outcome curves over the people observed, as the API's plot
    (``/reports/plots/outcome-curves``) draws them: exact for staff and auditors, under the
    configured disclosure control for researchers."""
    user.require(request, "plot_outcome_curves", "The outcome plot", target=None)
    s = services(request)
    s.ledger.get_cohort(cohort_id)  # an unknown cohort: 404
    rule = (
        s.settings.suppression_rule if user.principal.role == "researcher" else RULE_SETS["exact"]
    )
    table = outcome_curves(views_at(s, None), rule=rule, today=s.clock(), cohort_id=cohort_id)
    image = plots.render(plots.curves_plot(table, scope=cohort_id), "png")
    return Response(image, media_type="image/png", headers={"Cache-Control": "no-store"})
