"""``/research``: the pseudonymised longitudinal dataset and the cohort outcome views, and the
research plots under ``/reports/plots``.

Researchers get every table after the configured disclosure control (each with its
receipt); staff and auditors get exact figures. Nothing here reads a name, a contact detail
or free text: the views read the research projection, which never stores them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse, Response

from api.auth import Principal
from api.compose import Services
from api.deps import Svc, require, views_at
from api.errors import ApiError
from api.permissions import OPERATION_ROLES
from api.responses import ErrorOut, ReceiptOut, TableOut
from api.schemas import Id
from api.settings import NO_STUDY_SECRET
from projections import research_plots as plots
from projections.cohort_outcomes import outcome_curves, time_to_first_outcome
from projections.equality import Dimension
from projections.equality_funnel import funnel_by_group
from projections.pseudonyms import Study
from projections.research_dataset import Dataset, read_dataset
from projections.research_export import readme, table_csv, table_parquet
from projections.research_scope import load_scope
from projections.research_tables import ReportTable
from projections.suppression import RULE_SETS, RuleSet
from projections.wellbeing_change import wellbeing_change

__all__ = ["plots_router", "router"]

router = APIRouter(prefix="/research", tags=["research"])
plots_router = APIRouter(prefix="/reports", tags=["reports"])

E = {"model": ErrorOut}
READ_ERRORS: dict[int | str, dict[str, Any]] = {401: E, 403: E, 404: E, 422: E, 503: E}
DATA_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}
TableFormat = Literal["json", "csv", "parquet"]
ProgrammeQ = Annotated[Id | None, Query(description="Only this programme's enrolments.")]
CohortQ = Annotated[Id | None, Query(description="Only this cohort's enrolments.")]


def _may(operation: str) -> Any:
    """The dependency that lets through the roles of ``operation`` (api.permissions)."""
    return Depends(require(*OPERATION_ROLES[operation]))


READ_RESEARCH_PARTICIPANTS = Annotated[Principal, _may("read_research_participants")]
READ_RESEARCH_TIMELINE = Annotated[Principal, _may("read_research_timeline")]
READ_RESEARCH_DICTIONARY = Annotated[Principal, _may("read_research_dictionary")]
READ_OUTCOME_CURVES = Annotated[Principal, _may("read_outcome_curves")]
READ_FIRST_OUTCOME = Annotated[Principal, _may("read_first_outcome")]
READ_FUNNEL_BY_GROUP = Annotated[Principal, _may("read_funnel_by_group")]
READ_WELLBEING_CHANGE = Annotated[Principal, _may("read_wellbeing_change")]
PLOT_FUNNEL = Annotated[Principal, _may("plot_funnel")]
PLOT_OUTCOME_CURVES = Annotated[Principal, _may("plot_outcome_curves")]
PLOT_OUTCOME_TIMELINE = Annotated[Principal, _may("plot_outcome_timeline")]


def _rule(principal: Principal, services: Services) -> RuleSet:
    """Researchers get the configured rule set; authorised internal roles exact figures."""
    if principal.role == "researcher":
        return services.settings.suppression_rule
    return RULE_SETS["exact"]


def _study(services: Services) -> Study:
    study = services.settings.study()
    if study is None:
        raise ApiError(503, "study-secret-missing", NO_STUDY_SECRET)
    return study


def _table_out(table: ReportTable) -> TableOut:
    return TableOut(
        name=table.name,
        title=table.title,
        columns=list(table.columns),
        rows=[dict(r) for r in table.rows],
        receipt=ReceiptOut(**vars(table.receipt), suppressed=table.receipt.suppressed),
        notes=list(table.notes),
    )


def _dataset(
    services: Services, principal: Principal, programme_id: str | None, cohort_id: str | None
) -> Dataset:
    study = _study(services)
    engine = views_at(services, None)
    load_scope(engine, programme_id=programme_id, cohort_id=cohort_id)  # 404 if unknown
    return read_dataset(
        engine,
        study,
        rule=_rule(principal, services),
        scales=services.scales,
        programme_id=programme_id,
        cohort_id=cohort_id,
    )


def _data_answer(dataset: Dataset, table: str, format: TableFormat) -> Any:
    if format == "json":
        rows = dataset.participants if table == "participants" else dataset.timeline
        return Response(
            content=TableOut(
                name=table,
                title=f"Research dataset of study {dataset.study}: {table}",
                columns=list(rows[0]) if rows else [],
                rows=[{k: _jsonable(v) for k, v in r.items()} for r in rows],
                receipt=ReceiptOut(
                    rule_set=dataset.rule.name,
                    rule=dataset.rule.describe(),
                    cells=len(rows),
                    suppressed_primary=dataset.equality_values_hidden,
                    suppressed_secondary=0,
                    suppressed=dataset.equality_values_hidden,
                ),
                notes=["Pseudonymised rows; see GET /research/dictionary for every column."],
            ).model_dump_json(),
            media_type="application/json",
        )
    content = table_csv(dataset, table) if format == "csv" else table_parquet(dataset, table)
    return Response(
        content=content,
        media_type=DATA_FORMATS[format],
        headers={"Content-Disposition": f'attachment; filename="{table}.{format}"'},
    )


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


_DATA_RESPONSES: dict[int | str, dict[str, Any]] = {
    **READ_ERRORS,
    200: {
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/TableOut"}},
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
        }
    },
}


@router.get(
    "/participants",
    response_model=TableOut,
    responses=_DATA_RESPONSES,
    summary="The research dataset's participants: one pseudonymised row per enrolment",
)
def research_participants(
    services: Svc,
    principal: READ_RESEARCH_PARTICIPANTS,
    programme_id: ProgrammeQ = None,
    cohort_id: CohortQ = None,
    format: Annotated[TableFormat, Query(description="json (default), csv or parquet")] = "json",
) -> Any:
    return _data_answer(
        _dataset(services, principal, programme_id, cohort_id), "participants", format
    )


@router.get(
    "/timeline",
    response_model=TableOut,
    responses=_DATA_RESPONSES,
    summary="The research dataset's long table: dated outcomes, contacts, feedback categories "
    "and wellbeing scores",
)
def research_timeline(
    services: Svc,
    principal: READ_RESEARCH_TIMELINE,
    programme_id: ProgrammeQ = None,
    cohort_id: CohortQ = None,
    format: Annotated[TableFormat, Query(description="json (default), csv or parquet")] = "json",
) -> Any:
    return _data_answer(_dataset(services, principal, programme_id, cohort_id), "timeline", format)


@router.get(
    "/dictionary",
    response_model=None,
    responses={**READ_ERRORS, 200: {"content": {"text/markdown": {"schema": {"type": "string"}}}}},
    summary="The data dictionary (the export's README): every column described",
)
def research_dictionary(
    services: Svc,
    principal: READ_RESEARCH_DICTIONARY,
    programme_id: ProgrammeQ = None,
    cohort_id: CohortQ = None,
) -> PlainTextResponse:
    dataset = _dataset(services, principal, programme_id, cohort_id)
    return PlainTextResponse(
        readme(dataset, exported_on=services.clock()), media_type="text/markdown; charset=utf-8"
    )


@router.get(
    "/outcome-curves",
    response_model=TableOut,
    responses=READ_ERRORS,
    summary="Share with each outcome by months since the course ended, ever and currently, "
    "over the people observed at each point",
)
def research_outcome_curves(
    services: Svc,
    principal: READ_OUTCOME_CURVES,
    programme_id: ProgrammeQ = None,
    cohort_id: CohortQ = None,
    step_months: Annotated[int, Query(ge=1, le=24)] = 6,
) -> TableOut:
    table = outcome_curves(
        views_at(services, None),
        rule=_rule(principal, services),
        today=services.clock(),
        programme_id=programme_id,
        cohort_id=cohort_id,
        step_months=step_months,
    )
    return _table_out(table)


@router.get(
    "/first-outcome",
    response_model=TableOut,
    responses=READ_ERRORS,
    summary="Time from the end of the course to the first outcome",
)
def research_first_outcome(
    services: Svc,
    principal: READ_FIRST_OUTCOME,
    programme_id: ProgrammeQ = None,
    cohort_id: CohortQ = None,
) -> TableOut:
    table = time_to_first_outcome(
        views_at(services, None),
        rule=_rule(principal, services),
        today=services.clock(),
        programme_id=programme_id,
        cohort_id=cohort_id,
    )
    return _table_out(table)


@router.get(
    "/funnel-by-group",
    response_model=TableOut,
    responses=READ_ERRORS,
    summary="The accreditation funnel split by an equality-monitoring group",
)
def research_funnel_by_group(
    services: Svc,
    principal: READ_FUNNEL_BY_GROUP,
    programme_id: ProgrammeQ = None,
    cohort_id: CohortQ = None,
    dimension: Dimension = "bme",
) -> TableOut:
    table = funnel_by_group(
        views_at(services, None),
        rule=_rule(principal, services),
        dimension=dimension,
        programme_id=programme_id,
        cohort_id=cohort_id,
    )
    return _table_out(table)


@router.get(
    "/wellbeing",
    response_model=TableOut,
    responses=READ_ERRORS,
    summary="Wellbeing means at baseline, end and follow-up, and paired change (refused below "
    "the configured minimum of pairs)",
)
def research_wellbeing(
    services: Svc,
    principal: READ_WELLBEING_CHANGE,
    programme_id: ProgrammeQ = None,
    cohort_id: CohortQ = None,
) -> TableOut:
    table = wellbeing_change(
        views_at(services, None),
        rule=_rule(principal, services),
        scales=services.scales,
        min_pairs=services.settings.wellbeing_min_pairs,
        programme_id=programme_id,
        cohort_id=cohort_id,
    )
    return _table_out(table)


# -- plots ---------------------------------------------------------------------------------

PlotFormatQ = Annotated[plots.PlotFormat, Query(description="png (default) or svg")]
_PLOT_RESPONSES: dict[int | str, dict[str, Any]] = {
    **READ_ERRORS,
    200: {
        "content": {
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/svg+xml": {"schema": {"type": "string"}},
        }
    },
}


def _image(figure: Any, format: plots.PlotFormat) -> Response:
    media = "image/png" if format == "png" else "image/svg+xml"
    return Response(content=plots.render(figure, format), media_type=media)


def _scope_name(programme_id: str | None, cohort_id: str | None) -> str:
    return " / ".join(x for x in (programme_id, cohort_id) if x) or "all programmes"


@plots_router.get(
    "/plots/funnel",
    response_model=None,
    responses=_PLOT_RESPONSES,
    summary="The accreditation funnel as a picture (disclosure control as for the tables)",
)
def plot_funnel(
    services: Svc,
    principal: PLOT_FUNNEL,
    programme_id: ProgrammeQ = None,
    cohort_id: CohortQ = None,
    format: PlotFormatQ = "png",
) -> Response:
    table = funnel_by_group(
        views_at(services, None),
        rule=_rule(principal, services),
        programme_id=programme_id,
        cohort_id=cohort_id,
    )
    return _image(plots.funnel_plot(table, scope=_scope_name(programme_id, cohort_id)), format)


@plots_router.get(
    "/plots/outcome-curves",
    response_model=None,
    responses=_PLOT_RESPONSES,
    summary="Cumulative outcome curves over the people observed, with the number observed",
)
def plot_curves(
    services: Svc,
    principal: PLOT_OUTCOME_CURVES,
    programme_id: ProgrammeQ = None,
    cohort_id: CohortQ = None,
    format: PlotFormatQ = "png",
) -> Response:
    table = outcome_curves(
        views_at(services, None),
        rule=_rule(principal, services),
        today=services.clock(),
        programme_id=programme_id,
        cohort_id=cohort_id,
    )
    return _image(plots.curves_plot(table, scope=_scope_name(programme_id, cohort_id)), format)


@plots_router.get(
    "/cohorts/{cohort_id}/outcome-timeline",
    response_model=None,
    responses=_PLOT_RESPONSES,
    summary="A cohort's outcome timeline: one row per pseudonymous participant",
)
def plot_timeline(
    cohort_id: str, services: Svc, principal: PLOT_OUTCOME_TIMELINE, format: PlotFormatQ = "png"
) -> Response:
    study = _study(services)
    engine = views_at(services, None)
    load_scope(engine, cohort_id=cohort_id)  # 404 for an unknown cohort
    figure = plots.timeline_plot(engine, study, cohort_id=cohort_id, today=services.clock())
    return _image(figure, format)
