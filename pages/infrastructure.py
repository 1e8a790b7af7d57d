"""Support infrastructure page (/infrastructure): organisations, council coverage, deserts."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, Patch, State, callback, dcc, html

from pages import ids, services
from pages.grid_columns import COLUMN_DEFAULTS, WRAP_CELLS
from sasci_map import infrastructure_figures as figures
from sasci_map import infrastructure_views as views
from sasci_map.exports import csv_bytes
from sasci_map.inventory import typology

dash.register_page(__name__, order=6, path="/infrastructure", name="Support infrastructure",
                   title="Support infrastructure — SASCI capacity map")

GRAPH_CONFIG = {"topojsonURL": "/assets/topojson/", "displaylogo": False,
                "scrollZoom": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
CHART_CONFIG = {"displaylogo": False, "displayModeBar": False}
#: Selector value meaning "every type" / "every function".
ALL = ""
MAX_SEARCH_LENGTH = 80
GRID_DEFAULTS = {"sortable": True, "resizable": True, **WRAP_CELLS}
ORG_COLUMNS = [
    {"field": "link", "headerName": "Organisation", "flex": 2.2, "cellRenderer": "markdown",
     "filter": True, "sort": "asc"},
    {"field": "type_label", "headerName": "Type", "flex": 1.5, "filter": True},
    {"field": "function_labels", "headerName": "Functions", "flex": 2, "filter": True},
    {"field": "coverage", "headerName": "Coverage", "flex": 1.8, "filter": True},
    {"field": "website", "headerName": "Website (text)", "flex": 1.5},
    {"field": "demo", "headerName": "Demo data?", "flex": 1.1, "filter": True},
]
NUMBER = {"type": "numericColumn", "flex": 0.8, "minWidth": 90}
PERCENT = {"function": "params.value == null ? '' : d3.format('.1f')(params.value) + '%'"}
COUNCIL_COLUMNS = [
    {"field": "council", "headerName": "Council", "flex": 1.6, "filter": True, "minWidth": 170,
     "tooltipField": "council"},
    {"field": "region", "headerName": "Region", "flex": 1.4, "filter": True, "minWidth": 140},
    {"field": "organisations", "headerName": "Total", **NUMBER,
     "headerTooltip": "Support organisations covering the council"},
    {"field": "national", "headerName": "National", **NUMBER},
    {"field": "regional", "headerName": "Regional", **NUMBER},
    {"field": "local", "headerName": "Local", **NUMBER},
    {"field": "reported_use_pct", "headerName": "Reported use", "valueFormatter": PERCENT,
     **NUMBER},
    {"field": "use_basis", "headerName": "Figure used", "flex": 2.4, "filter": True,
     "tooltipField": "use_basis", "minWidth": 260},
    {"field": "desert", "headerName": "Desert?", "flex": 0.8, "filter": True, "minWidth": 110,
     "headerTooltip": "Infrastructure desert: the rule is written below the table"},
    {"field": "code", "headerName": "GSS code", "flex": 1, "minWidth": 110},
]


def _type_options(data_dir) -> list[dict]:
    kinds = typology("support_type", data_dir)
    return [{"label": "All types", "value": ALL}] + [
        {"label": r.label, "value": r.code} for r in kinds.itertuples(index=False)]


def _function_options(data_dir) -> list[dict]:
    kinds = typology("support_function", data_dir)
    return [{"label": "All functions", "value": ALL}] + [
        {"label": r.label, "value": r.code} for r in kinds.itertuples(index=False)]


def _type_label(code: str | None) -> str:
    if not code:
        return ""
    kinds = typology("support_type", services.data_dir()).set_index("code")["label"]
    return kinds.get(code, code)


def _clean_type(value) -> str:
    codes = set(typology("support_type", services.data_dir())["code"])
    return value if isinstance(value, str) and value in codes else ALL


def _demo_text(row) -> str:
    if row.synthetic:
        return "Yes: the organisation"
    return "Coverage partly" if row.coverage_synthetic else "No"


def organisation_rows(support_type: str, function: str, search: str) -> list[dict]:
    """Return the organisation grid's rows for the given filters."""
    frame = views.organisation_table(services.engine(), services.data_dir(), support_type or None,
                                     function or None, (search or "")[:MAX_SEARCH_LENGTH])
    return [{"org_id": r.org_id, "name": r.name,
             "link": f"[{r.name}](/infrastructure/{r.org_id})", "type_label": r.type_label,
             "function_labels": r.function_labels, "coverage": r.coverage,
             "website": r.website or "not recorded", "demo": _demo_text(r)}
            for r in frame.itertuples(index=False)]


def _count_text(n: int) -> str:
    return f"{n} organisation{'s' if n != 1 else ''} match."


def _notice(share: dict) -> list:
    if not (share["synthetic_coverage_rows"] or share["survey_synthetic"]):
        return []
    return [dbc.Alert([
        html.Strong("Partly synthetic demo data. "),
        f"{share['synthetic_coverage_rows']} of the {share['coverage_rows']} coverage rows are "
        "demo data (Health Innovation Network footprints approximated by region; council rows "
        "of Community Catalysts and Research in Practice invented)",
        ", and reported use comes from a synthetic demo survey wave" if share[
            "survey_synthetic"] else "",
        ". The organisations are real; coverage, use and the deserts below are illustrations, "
        "not facts about any council.",
    ], id=ids.INFRA_DEMO_NOTICE, color="warning")]


def _legend(state: dict) -> list:
    items = [html.Li([html.Span(className="legend-swatch", style={"background": row["colour"]}),
                      f"{row['label']} ({row['count']} councils)"]) for row in state["legend"]]
    items.append(html.Li([html.Span(className="legend-swatch", style={
        "background": "transparent", "border": f"3px solid {figures.DESERT_OUTLINE}"}),
        f"Orange outline: infrastructure desert ({state['n_deserts']} councils)"]))
    return [html.P(f"Number of {figures.COVERAGE_UNIT}; darker = more",
                   className="small mb-1 fw-semibold"),
            html.Ul(items, className="legend list-unstyled mb-0")]


def _number(value: float):
    return None if value is None or math.isnan(value) else round(float(value), 1)


def council_rows(support_type: str, flags) -> list[dict]:
    """Return the coverage table's rows (one per council) for a support type ("" = all)."""
    frame = views.council_table(services.engine(), services.data_dir(), support_type or None,
                                flags)
    return [{"code": r.code, "council": r.council, "region": r.region,
             "organisations": int(r.organisations), "national": int(r.national),
             "regional": int(r.regional), "local": int(r.local),
             "reported_use_pct": _number(r.reported_use_pct), "use_basis": r.use_basis,
             "desert": "Yes" if r.infrastructure_desert else "No"}
            for r in frame.itertuples(index=False)]


def coverage_state(support_type: str, flags) -> dict:
    """Return the coverage map state for a support type ("" = all types)."""
    counts = views.coverage_counts(services.engine(), support_type or None, services.data_dir())
    return figures.coverage_map_state(counts, flags, _type_label(support_type))


USE_NOTE = ("Reported use: share of responding organisations that used support of the chosen "
            "type (any kind of support when all types are shown) in the last five years, from "
            "the survey's latest wave. Council figures are mostly suppressed (fewer than 5 "
            "responding organisations) or missing; the council's region's figure is then shown, "
            "and the 'Figure used' column says so.")


def _desert_section(engine, data_dir, flags, demo: bool) -> list:
    found = views.deserts(engine, data_dir, flags)
    caveat = (" With the bundled demo data, coverage and reported use are partly synthetic: "
              "these councils illustrate the rule and say nothing about the real councils."
              if demo else "")
    rows = [html.Tr([html.Td(r.name), html.Td(r.region_name), html.Td(int(r.non_national)),
                     html.Td(f"{r.use_value:.1f}%"), html.Td(r.use_basis), html.Td(r.reasons)])
            for r in found.itertuples(index=False)]
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in (
        "Council", "Region", "Regional and local organisations", "Reported use",
        "Figure used", "Why flagged")]))
    table = (dbc.Table([head, html.Tbody(rows)], id=ids.INFRA_DESERT_TABLE, striped=True,
                       size="sm", className="small") if rows else
             html.P("No council meets both conditions.", id=ids.INFRA_DESERT_TABLE))
    return [
        html.H2("Infrastructure deserts", className="h4 mt-4", id="deserts"),
        html.P(views.DESERT_RULE, id=ids.INFRA_DESERT_RULE, className="small"),
        html.P([html.Strong(f"{len(found)} of 153 councils meet both conditions; they are "
                            "outlined in orange on the map above."), caveat],
               id=ids.INFRA_DESERT_SUMMARY),
        table,
        dbc.Button("Download deserts (CSV)", id=ids.INFRA_DESERT_CSV_BUTTON, color="secondary",
                   outline=True, size="sm"),
        dcc.Download(id=ids.INFRA_DESERT_DOWNLOAD),
    ]


def _organisation_section(support_type: str, data_dir, by_type) -> list:
    rows = organisation_rows(support_type, ALL, "")
    chart_rows = [html.Tr([html.Td(r.type_label), html.Td(int(r.organisations))])
                  for r in by_type.itertuples(index=False)]
    return [
        html.H2("Organisations by type and function", className="h4 mt-3"),
        dbc.Row([
            dbc.Col([dbc.Label("Function", html_for=ids.INFRA_FUNCTION),
                     dcc.Dropdown(id=ids.INFRA_FUNCTION, value=ALL, clearable=False,
                                  options=_function_options(data_dir))], md=4),
            dbc.Col([dbc.Label("Search organisations", html_for=ids.INFRA_SEARCH),
                     dbc.Input(id=ids.INFRA_SEARCH, type="search", debounce=400,
                               maxLength=MAX_SEARCH_LENGTH,
                               placeholder="e.g. research, Wessex, funding")], md=4),
        ], className="mb-2"),
        html.P(_count_text(len(rows)), id=ids.INFRA_ORGS_COUNT, className="small mb-1",
               role="status"),
        dag.AgGrid(id=ids.INFRA_ORGS_GRID, columnDefs=ORG_COLUMNS, rowData=rows,
                   defaultColDef=GRID_DEFAULTS, getRowId="params.data.org_id",
                   dashGridOptions={"animateRows": False},
                   style={"height": "520px"}, className="ag-theme-alpine"),
        dbc.Row([
            dbc.Col([
                html.Details([html.Summary("Organisation pages (list of links)"),
                              html.Ul(id=ids.INFRA_ORGS_LINKS, children=_links(rows))],
                             className="small mt-2"),
                dbc.Button("Download organisations (CSV)", id=ids.INFRA_ORGS_CSV_BUTTON,
                           color="secondary", outline=True, size="sm", className="mt-2"),
                dcc.Download(id=ids.INFRA_ORGS_DOWNLOAD),
            ], lg=4),
            dbc.Col([
                html.H3("Organisations in the inventory, by type", className="h6 mt-3"),
                dcc.Graph(id=ids.INFRA_TYPE_CHART, config=CHART_CONFIG,
                          figure=figures.type_bar_figure(by_type)),
            ], lg=5),
            dbc.Col([
                html.Details([html.Summary("Table of the chart"), dbc.Table(
                    [html.Thead(html.Tr([html.Th("Type", scope="col"),
                                         html.Th("Organisations", scope="col")])),
                     html.Tbody(chart_rows)], id=ids.INFRA_TYPE_TABLE, size="sm",
                    className="small")], className="small mt-3"),
                dbc.Button("Download organisations by type (CSV)", id=ids.INFRA_TYPE_CSV_BUTTON,
                           color="secondary", outline=True, size="sm", className="mt-2"),
                dcc.Download(id=ids.INFRA_TYPE_DOWNLOAD),
            ], lg=3),
        ]),
    ]


def _links(rows: list[dict]) -> list:
    return [html.Li(dcc.Link(r["name"], href=f"/infrastructure/{r['org_id']}")) for r in rows]


def layout(**params) -> html.Div:
    """Lay out the support-infrastructure page; ``?type=<code>`` preselects a support type."""
    engine, data_dir = services.engine(), services.data_dir()
    support_type = _clean_type(params.get("type"))
    flags, share = views.desert_flags(engine, data_dir), views.demo_share(engine)
    state = coverage_state(support_type, flags)
    figure = figures.coverage_figure(services.GEOJSON_ROUTE, state)
    return html.Div([
        dcc.Location(id=ids.INFRA_URL, refresh=False),
        html.H1("Support infrastructure for innovation", className="h3"),
        html.P("Organisations that support innovation in adult social care, where they work, "
               "and how much councils' organisations report using them.", className="small"),
        *_notice(share),
        dbc.Card(dbc.CardBody([
            dbc.Label("Type of support (filters the organisations, the map and its table)",
                      html_for=ids.INFRA_TYPE),
            dcc.Dropdown(id=ids.INFRA_TYPE, options=_type_options(data_dir), value=support_type,
                         clearable=False, searchable=True),
        ]), className="mb-2"),
        *_organisation_section(support_type, data_dir, views.organisations_by_type(engine,
                                                                                   data_dir)),
        html.H2("Coverage by council", className="h4 mt-4"),
        dbc.Row([
            dbc.Col([
                dcc.Graph(id=ids.INFRA_MAP_GRAPH, figure=figure, config=GRAPH_CONFIG,
                          className="border rounded", clear_on_unhover=True),
                html.P(state["caption"], id=ids.INFRA_MAP_CAPTION, className="small mt-1",
                       **{"aria-live": "polite"}),
            ], lg=8),
            dbc.Col([
                html.H3("Legend", className="h6"),
                html.Div(_legend(state), id=ids.INFRA_MAP_LEGEND),
                dbc.Switch(id=ids.INFRA_OUTLINE_DESERTS, value=True, className="mt-3",
                           label="Outline infrastructure deserts"),
                dbc.Button("Download coverage and use (CSV)", id=ids.INFRA_COVERAGE_CSV_BUTTON,
                           color="secondary", outline=True, size="sm", className="mt-2"),
                dcc.Download(id=ids.INFRA_COVERAGE_DOWNLOAD),
            ], lg=4),
        ]),
        html.H3("Table of coverage and reported use", className="h5 mt-3"),
        html.P(USE_NOTE, className="small text-muted"),
        dag.AgGrid(id=ids.INFRA_COUNCIL_TABLE, columnDefs=COUNCIL_COLUMNS,
                   rowData=council_rows(support_type, flags),
                   defaultColDef=COLUMN_DEFAULTS,
                   dashGridOptions={"animateRows": False, "tooltipShowDelay": 300},
                   getRowId="params.data.code",
                   style={"height": "420px"}, className="ag-theme-alpine"),
        *_desert_section(engine, data_dir, flags,
                         bool(share["synthetic_coverage_rows"] or share["survey_synthetic"])),
    ])


@callback(
    Output(ids.INFRA_ORGS_GRID, "rowData"),
    Output(ids.INFRA_ORGS_COUNT, "children"),
    Output(ids.INFRA_ORGS_LINKS, "children"),
    Input(ids.INFRA_TYPE, "value"),
    Input(ids.INFRA_FUNCTION, "value"),
    Input(ids.INFRA_SEARCH, "value"),
    prevent_initial_call=True,
)
def update_organisations(support_type, function, search):
    """Filter the organisations by type, function and text."""
    rows = organisation_rows(_clean_type(support_type), function or ALL, search or "")
    return rows, _count_text(len(rows)), _links(rows)


@callback(
    Output(ids.INFRA_MAP_GRAPH, "figure"),
    Output(ids.INFRA_MAP_LEGEND, "children"),
    Output(ids.INFRA_MAP_CAPTION, "children"),
    Output(ids.INFRA_COUNCIL_TABLE, "rowData"),
    Input(ids.INFRA_TYPE, "value"),
    prevent_initial_call=True,
)
def update_coverage(support_type):
    """Recount coverage for a support type and patch the map's values (never its geometry)."""
    support_type = _clean_type(support_type)
    flags = views.desert_flags(services.engine(), services.data_dir())
    state = coverage_state(support_type, flags)
    patch = Patch()
    for path, value in state["updates"]:
        target = patch
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return patch, _legend(state), state["caption"], council_rows(support_type, flags)


@callback(Output(ids.INFRA_MAP_GRAPH, "figure", allow_duplicate=True),
          Input(ids.INFRA_OUTLINE_DESERTS, "value"), prevent_initial_call=True)
def update_outline(show):
    """Show or hide the desert outlines."""
    patch = Patch()
    patch["data"][figures.OUTLINE_TRACE]["visible"] = bool(show)
    return patch


@callback(Output(ids.INFRA_URL, "search"), Input(ids.INFRA_TYPE, "value"),
          prevent_initial_call=True)
def update_url(support_type):
    """Keep the chosen type in the URL, so a shared link opens the same view."""
    support_type = _clean_type(support_type)
    return "?" + urlencode({"type": support_type}) if support_type else ""


@callback(Output(ids.INFRA_ORGS_DOWNLOAD, "data"), Input(ids.INFRA_ORGS_CSV_BUTTON, "n_clicks"),
          State(ids.INFRA_TYPE, "value"), State(ids.INFRA_FUNCTION, "value"),
          State(ids.INFRA_SEARCH, "value"), prevent_initial_call=True)
def on_download_organisations(_clicks, support_type, function, search):
    """Download the organisations the grid shows, as CSV."""
    frame = views.organisation_table(services.engine(), services.data_dir(),
                                     _clean_type(support_type) or None, function or None,
                                     (search or "")[:MAX_SEARCH_LENGTH])
    return dcc.send_bytes(csv_bytes(frame), "support_organisations.csv")


@callback(Output(ids.INFRA_TYPE_DOWNLOAD, "data"), Input(ids.INFRA_TYPE_CSV_BUTTON, "n_clicks"),
          prevent_initial_call=True)
def on_download_types(_clicks):
    """Download the organisations-by-type table behind the bar chart, as CSV."""
    frame = views.organisations_by_type(services.engine(), services.data_dir())
    return dcc.send_bytes(csv_bytes(frame), "support_organisations_by_type.csv")


@callback(Output(ids.INFRA_COVERAGE_DOWNLOAD, "data"),
          Input(ids.INFRA_COVERAGE_CSV_BUTTON, "n_clicks"), State(ids.INFRA_TYPE, "value"),
          prevent_initial_call=True)
def on_download_coverage(_clicks, support_type):
    """Download the coverage and reported-use table (one row per council), as CSV."""
    support_type = _clean_type(support_type)
    frame = views.council_table(services.engine(), services.data_dir(), support_type or None)
    name = f"support_coverage_{support_type or 'all_types'}.csv"
    return dcc.send_bytes(csv_bytes(frame), name)


@callback(Output(ids.INFRA_DESERT_DOWNLOAD, "data"),
          Input(ids.INFRA_DESERT_CSV_BUTTON, "n_clicks"), prevent_initial_call=True)
def on_download_deserts(_clicks):
    """Download the infrastructure deserts with their reasons, as CSV."""
    frame = views.deserts(services.engine(), services.data_dir())
    return dcc.send_bytes(csv_bytes(frame), "infrastructure_deserts.csv")
