"""Innovations page (/innovations): the inventory, filterable, the councils using it, its spread."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, Patch, State, callback, dcc, html

from pages import ids, services
from pages.grid_columns import COLUMN_DEFAULTS
from sasci_map import innovation_figures as figures
from sasci_map import innovation_views as views
from sasci_map.choropleth import apply_updates, map_figure
from sasci_map.exports import csv_bytes

dash.register_page(__name__, order=5, path="/innovations", name="Innovations",
                   title="Innovations — SASCI capacity map")

#: Each facet's filter control, in the order of ``views.FACETS``.
FILTER_IDS = {"innovation_type": ids.INNOV_FILTER_TYPE, "journey": ids.INNOV_FILTER_JOURNEY,
              "stage": ids.INNOV_FILTER_STAGE, "change": ids.INNOV_FILTER_CHANGE,
              "actor": ids.INNOV_FILTER_ACTOR, "client_group": ids.INNOV_FILTER_CLIENT_GROUP,
              "evidence": ids.INNOV_FILTER_EVIDENCE}
FILTER_INPUTS = [Input(FILTER_IDS[key], "value") for key in views.FACETS]
FILTER_STATES = [State(FILTER_IDS[key], "value") for key in views.FACETS]
GRAPH_CONFIG = {"topojsonURL": "/assets/topojson/", "displaylogo": False,
                "scrollZoom": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
CHART_CONFIG = {"displaylogo": False}
MAP_HEIGHT_PX = 560
#: Innovations per page of the grid (the seed inventory fits on one).
GRID_PAGE = 25
#: The longest ``?innovation=`` value accepted (ids are far shorter).
MAX_PARAM_LENGTH = 80
LINK = ("'[' + params.data.name + '](/innovation/' + params.data.innovation_id + ')'")
DEMO = ("params.data.synthetic ? 'demo: ' + params.data.demo_adoption_rows + ' of ' + "
        "params.data.adoption_rows + ' rows' : 'real'")
#: Wrapped cells that break between words only (columns are wide enough for any one word).
WRAP = {"wrapText": True, "autoHeight": True,
        "cellStyle": {"lineHeight": "1.35", "wordBreak": "normal", "paddingTop": "4px",
                      "paddingBottom": "4px"}}


def _column(field: str, header: str, min_width: int, flex: float = 1, **extra) -> dict:
    return {"field": field, "headerName": header, "minWidth": min_width, "flex": flex,
            **WRAP, **extra}


ACTORS = ("params.data.lead_actor + ' (lead)' + "
          "(params.data.partner_actors ? '; ' + params.data.partner_actors : '')")
GRID_COLUMNS = [
    _column("name", "Innovation", 170, 2, valueGetter={"function": LINK},
            cellRenderer="markdown", pinned="left"),
    _column("innovation_type", "Type", 115),
    _column("journey", "Journey", 100),
    _column("stage", "Stage", 105, 0.8),
    _column("change", "Change", 115),
    _column("lead_actor", "Actors (lead first)", 170, 1.6, valueGetter={"function": ACTORS}),
    _column("client_groups", "Client groups", 150, 1.5),
    _column("evidence_level", "Evidence", 115),
    _column("councils_in_use", "Councils in use now", 85, 0.8, type="numericColumn"),
    _column("synthetic", "Council rows", 95, 1, valueGetter={"function": DEMO}),
]
MAP_TABLE_COLUMNS = [
    {"field": "council", "headerName": "Council", "flex": 1.5, "filter": True},
    {"field": "region", "headerName": "Region", "flex": 1.2, "filter": True},
    {"field": "innovations_in_use", "headerName": "Innovations in use", "flex": 0.9,
     "type": "numericColumn"},
    {"field": "innovations", "headerName": "Which (of those selected)", "flex": 3, **WRAP},
    {"field": "demo_rows", "headerName": "Of which demo data", "flex": 0.9,
     "type": "numericColumn"},
    {"field": "code", "headerName": "GSS code", "flex": 0.9},
]
YEAR_COLUMNS = [
    {"field": "year", "headerName": "Year", "flex": 0.7},
    {"field": "in_use", "headerName": "Councils in use", "type": "numericColumn", "flex": 1},
    {"field": "started", "headerName": "Started", "type": "numericColumn", "flex": 0.8},
    {"field": "ended", "headerName": "Last year of use", "type": "numericColumn", "flex": 1},
    {"field": "ever_adopted", "headerName": "Ever adopted", "type": "numericColumn", "flex": 1},
    {"field": "demo_in_use", "headerName": "In use, demo data", "type": "numericColumn",
     "flex": 1},
]
SPREAD_COUNCIL_COLUMNS = [
    {"field": "council", "headerName": "Council", "flex": 1.5, "filter": True},
    {"field": "region", "headerName": "Region", "flex": 1.2, "filter": True},
    {"field": "status", "headerName": "Status that year", "flex": 1.2, "filter": True},
    {"field": "start_year", "headerName": "Start", "flex": 0.6},
    {"field": "end_year", "headerName": "End", "flex": 0.6},
    {"field": "source", "headerName": "Source", "flex": 1.4},
    {"field": "code", "headerName": "GSS code", "flex": 0.9},
]


def _grid(grid_id: str, columns: list[dict], rows: list[dict], height: int | None = None
          ) -> dag.AgGrid:
    """Return an AG Grid; without ``height`` it grows to fit, ``GRID_PAGE`` rows a page."""
    # Every column rendered, so the header row always holds its column headers (axe).
    options = {"animateRows": False, "enableCellTextSelection": True,
               "suppressColumnVirtualisation": True}
    style = {"--ag-cell-horizontal-padding": "8px", **({"height": f"{height}px"} if height else {})}
    if height is None:
        options |= {"domLayout": "autoHeight", "pagination": True,
                    "paginationPageSize": GRID_PAGE, "paginationPageSizeSelector": False}
    return dag.AgGrid(id=grid_id, columnDefs=columns, rowData=rows, dashGridOptions=options,
                      defaultColDef=COLUMN_DEFAULTS,
                      style=style, className="ag-theme-alpine")


def _legend(title: str, rows: list[dict]) -> list:
    items = [html.Li([html.Span(className="legend-swatch", style={"background": r["colour"]}),
                      f"{r['label']} ({r['count']} council{'' if r['count'] == 1 else 's'})"])
             for r in rows]
    return [html.P(title, className="small mb-1 fw-semibold"),
            html.Ul(items, className="legend list-unstyled mb-0")]


def _patched(updates: list) -> Patch:
    """Turn (path, value) updates into a Patch, so the figure's geometry URL is never resent."""
    patch = Patch()
    for path, value in updates:
        target = patch
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return patch


def _map(updates: list) -> dict:
    figure = map_figure(services.GEOJSON_ROUTE, {"updates": updates})
    return apply_updates(figure, [(("layout", "height"), MAP_HEIGHT_PX)])


def _download_button(button_id: str, download_id: str, what: str) -> html.Div:
    return html.Div([dbc.Button(f"Download {what} (CSV)", id=button_id, color="secondary",
                                outline=True, size="sm"), dcc.Download(id=download_id)],
                    className="my-2")


def _filters(values: tuple) -> dict[str, list[str]]:
    return {key: list(value or []) for key, value in zip(views.FACETS, values, strict=True)}


def filter_outputs(text: str, values: tuple) -> tuple:
    """Return the grid rows, map updates, legend, caption, council rows and count for a filter."""
    engine, data_dir = services.engine(), services.data_dir()
    table = views.innovation_table(engine, _filters(values), text or "", data_dir=data_dir)
    frame = views.councils_in_use(engine, table["innovation_id"].tolist(), data_dir=data_dir)
    state = figures.count_map_state(frame, len(table))
    count = (f"{len(table)} innovation"
             f"{' matches' if len(table) == 1 else 's match'} the filters.")
    return (views.to_records(table), state["updates"],
            _legend(f"Selected innovations in use per council ({figures.UNIT})", state["legend"]),
            state["caption"], views.to_records(frame), count)


def spread_outputs(innovation_id: str, year: int) -> tuple:
    """Return the spread map updates, legend, caption, chart, year rows, council rows, link."""
    engine, data_dir = services.engine(), services.data_dir()
    by_year = views.adoption_by_year(engine, innovation_id)
    places = views.councils_in_year(engine, innovation_id, year, data_dir)
    state = figures.spread_map_state(places, year)
    name = views.innovation_names(engine)[innovation_id]
    chart = figures.spread_chart(by_year, year, name)
    link = f"About {name}: typology, evidence and every council using it"
    return (state["updates"], _legend(f"Councils in {year}", state["legend"]),
            state["caption"], chart, views.to_records(by_year),
            views.to_records(places), link, f"/innovation/{innovation_id}")


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym ("SASCI journey")."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _labelled(text: str, control_id: str, control, class_name: str = "") -> list:
    """Return a label and its control, grouped under the label's name for assistive tech.

    Dash 4 dropdowns and sliders name themselves by their value, not by a ``<label for>``,
    so the control sits in a group the label names.
    """
    label_id = f"{control_id}-label"
    return [dbc.Label(text, html_for=control_id, id=label_id, className=class_name),
            html.Div(control, role="group", **{"aria-labelledby": label_id})]


def _filter_card(choices: dict) -> dbc.Card:
    controls = [dbc.Label("Search (name, description, source, labels)", html_for=ids.INNOV_SEARCH),
                dbc.Input(id=ids.INNOV_SEARCH, type="search", debounce=300, maxLength=120,
                          placeholder="e.g. home care, carers")]
    for key, facet in views.FACETS.items():
        options = [{"label": r.label, "value": r.code, "title": r.definition}
                   for r in choices[key].itertuples(index=False)]
        controls += _labelled(facet.title, FILTER_IDS[key], dcc.Dropdown(
            id=FILTER_IDS[key], options=options, value=[], multi=True, searchable=True,
            placeholder=f"Any {_lower_first(facet.title.split(' (')[0])}"), "mt-2 mb-0")
    controls += [dbc.Button("Clear filters", id=ids.INNOV_CLEAR, color="link", size="sm",
                            className="mt-2 px-0")]
    return dbc.Card(dbc.CardBody([html.H2("Filter innovations", className="h6"), *controls]))


def _notice(rows: list[dict]) -> dbc.Alert:
    if not rows:
        return dbc.Alert("No innovation inventory is loaded: run sasci-map init (with the demo "
                         "data) or import one.", id=ids.INNOV_DEMO_NOTICE, color="info")
    demo = sum(r["demo_adoption_rows"] for r in rows)
    total = sum(r["adoption_rows"] for r in rows)
    return dbc.Alert([
        html.Strong("Synthetic demo data. "),
        f"Which councils use each innovation is mostly not public: {demo} of the {total} "
        "council rows below are synthetic demo data, generated for this prototype, and say "
        "nothing about any real council (the 'Council rows' column counts them). The "
        "innovations themselves are real, publicly described models; their typology codes are "
        "editorial judgement, to be revised with SASCI.",
    ], id=ids.INNOV_DEMO_NOTICE, color="warning")


def layout(innovation: str = "", **_params) -> html.Div:
    """Lay out the innovations page; ``?innovation=<id>`` picks the one whose spread is shown."""
    engine = services.engine()
    no_filter = (None,) * len(views.FACETS)
    rows, updates, legend, caption, council_rows, count = filter_outputs("", no_filter)
    all_innovations = [{"label": r["name"], "value": r["innovation_id"]} for r in rows]
    known = [o["value"] for o in all_innovations]
    wanted = innovation.strip()[:MAX_PARAM_LENGTH] if isinstance(innovation, str) else ""
    chosen = wanted if wanted in known else (known[0] if known else None)
    first, last = views.adoption_years(engine)
    return html.Div([
        html.H1("Innovations in adult social care", className="h3"),
        _notice(rows),
        dbc.Row([
            dbc.Col(_filter_card(views.facet_choices(services.data_dir())), lg=3),
            dbc.Col([
                html.P(count, id=ids.INNOV_COUNT, role="status", className="fw-semibold"),
                html.H2("Where the selected innovations are in use", className="h5"),
                dbc.Row([
                    dbc.Col(dcc.Graph(id=ids.INNOV_MAP, figure=_map(updates),
                                      config=GRAPH_CONFIG, className="border rounded"), lg=8),
                    dbc.Col([html.Div(legend, id=ids.INNOV_MAP_LEGEND),
                             _download_button(ids.INNOV_MAP_DOWNLOAD_BUTTON,
                                              ids.INNOV_MAP_DOWNLOAD, "councils")], lg=4),
                ]),
                html.P(caption, id=ids.INNOV_MAP_CAPTION, className="small mt-1",
                       **{"aria-live": "polite"}),
            ], lg=9),
        ]),
        html.H2("Innovations", className="h5 mt-3"),
        html.P("Open an innovation for its typology, evidence and councils. Sort any column.",
               className="small text-muted mb-1"),
        _download_button(ids.INNOV_GRID_DOWNLOAD_BUTTON, ids.INNOV_GRID_DOWNLOAD,
                         "innovations"),
        _grid(ids.INNOV_GRID, GRID_COLUMNS, rows),
        html.H2("Table of the map: councils and the selected innovations in use",
                className="h5 mt-3"),
        _grid(ids.INNOV_MAP_TABLE, MAP_TABLE_COLUMNS, council_rows, 400),
        _spread_section(all_innovations, chosen, first, last),
    ])


def _spread_section(options: list[dict], chosen: str | None, first: int, last: int
                    ) -> html.Section | html.P:
    if chosen is None:
        return html.P("No innovation is loaded.")
    (updates, legend, caption, chart, year_rows, council_rows, link,
     href) = spread_outputs(chosen, last)
    marks = {y: str(y) for y in range(first, last + 1) if (y - first) % 2 == 0 or y == last}
    return html.Section([
        html.H2("Spread of one innovation, year by year", className="h4 mt-4"),
        dbc.Row([
            dbc.Col(_labelled("Innovation", ids.INNOV_SPREAD_SELECT, dcc.Dropdown(
                id=ids.INNOV_SPREAD_SELECT, options=options, value=chosen, clearable=False)),
                lg=4),
            dbc.Col(_labelled("Year", ids.INNOV_SPREAD_YEAR, dcc.Slider(
                id=ids.INNOV_SPREAD_YEAR, min=first, max=last, step=1, value=last,
                marks=marks, allow_direct_input=False)), lg=8),
        ]),
        html.P(html.A(link, id=ids.INNOV_SPREAD_LINK, href=href), className="mt-2"),
        dbc.Row([
            dbc.Col(dcc.Graph(id=ids.INNOV_SPREAD_MAP, figure=_map(updates),
                              config=GRAPH_CONFIG, className="border rounded"), lg=6),
            dbc.Col([html.Div(legend, id=ids.INNOV_SPREAD_LEGEND),
                     html.P(caption, id=ids.INNOV_SPREAD_CAPTION, className="small mt-2",
                            **{"aria-live": "polite"}),
                     dcc.Graph(id=ids.INNOV_SPREAD_CHART, figure=chart, config=CHART_CONFIG)],
                    lg=6),
        ]),
        html.H3("Councils by year (the chart's table)", className="h6 mt-3"),
        _download_button(ids.INNOV_SPREAD_DOWNLOAD_BUTTON, ids.INNOV_SPREAD_DOWNLOAD,
                         "councils by year"),
        _grid(ids.INNOV_SPREAD_TABLE, YEAR_COLUMNS, year_rows, 300),
        html.H3("Each council's status in the chosen year (the map's table)",
                className="h6 mt-3"),
        _download_button(ids.INNOV_SPREAD_COUNCILS_DOWNLOAD_BUTTON,
                         ids.INNOV_SPREAD_COUNCILS_DOWNLOAD, "council statuses"),
        _grid(ids.INNOV_SPREAD_COUNCILS, SPREAD_COUNCIL_COLUMNS, council_rows, 360),
    ])


@callback(
    Output(ids.INNOV_GRID, "rowData"),
    Output(ids.INNOV_MAP, "figure"),
    Output(ids.INNOV_MAP_LEGEND, "children"),
    Output(ids.INNOV_MAP_CAPTION, "children"),
    Output(ids.INNOV_MAP_TABLE, "rowData"),
    Output(ids.INNOV_COUNT, "children"),
    Input(ids.INNOV_SEARCH, "value"),
    *FILTER_INPUTS,
    prevent_initial_call=True,
)
def update_innovations(text, *values):
    """Filter the grid and recount the map (values patched, geometry never resent)."""
    rows, updates, legend, caption, council_rows, count = filter_outputs(text, values)
    return rows, _patched(updates), legend, caption, council_rows, count


@callback(
    Output(ids.INNOV_SEARCH, "value"),
    *[Output(FILTER_IDS[key], "value") for key in views.FACETS],
    Input(ids.INNOV_CLEAR, "n_clicks"),
    prevent_initial_call=True,
)
def on_clear_filters(_clicks):
    """Empty the search box and every facet filter."""
    return "", *([[]] * len(views.FACETS))


@callback(
    Output(ids.INNOV_GRID_DOWNLOAD, "data"),
    Input(ids.INNOV_GRID_DOWNLOAD_BUTTON, "n_clicks"),
    State(ids.INNOV_SEARCH, "value"),
    *FILTER_STATES,
    prevent_initial_call=True,
)
def on_download_innovations(_clicks, text, *values):
    """Send the filtered innovations, as the grid shows them, as CSV."""
    table = views.innovation_table(services.engine(), _filters(values), text or "",
                                   data_dir=services.data_dir())
    return dcc.send_bytes(csv_bytes(table), "innovations.csv")


@callback(
    Output(ids.INNOV_MAP_DOWNLOAD, "data"),
    Input(ids.INNOV_MAP_DOWNLOAD_BUTTON, "n_clicks"),
    State(ids.INNOV_SEARCH, "value"),
    *FILTER_STATES,
    prevent_initial_call=True,
)
def on_download_councils(_clicks, text, *values):
    """Send the map's table (every council, its count of the selected innovations) as CSV."""
    engine, data_dir = services.engine(), services.data_dir()
    table = views.innovation_table(engine, _filters(values), text or "", data_dir=data_dir)
    frame = views.councils_in_use(engine, table["innovation_id"].tolist(), data_dir=data_dir)
    return dcc.send_bytes(csv_bytes(frame), "innovations_councils_in_use.csv")


@callback(
    Output(ids.INNOV_SPREAD_MAP, "figure"),
    Output(ids.INNOV_SPREAD_LEGEND, "children"),
    Output(ids.INNOV_SPREAD_CAPTION, "children"),
    Output(ids.INNOV_SPREAD_CHART, "figure"),
    Output(ids.INNOV_SPREAD_TABLE, "rowData"),
    Output(ids.INNOV_SPREAD_COUNCILS, "rowData"),
    Output(ids.INNOV_SPREAD_LINK, "children"),
    Output(ids.INNOV_SPREAD_LINK, "href"),
    Input(ids.INNOV_SPREAD_SELECT, "value"),
    Input(ids.INNOV_SPREAD_YEAR, "value"),
    prevent_initial_call=True,
)
def update_spread(innovation_id, year):
    """Redraw the spread of one innovation for the chosen year."""
    updates, *rest = spread_outputs(innovation_id, int(year))
    return _patched(updates), *rest


@callback(
    Output(ids.INNOV_SPREAD_DOWNLOAD, "data"),
    Input(ids.INNOV_SPREAD_DOWNLOAD_BUTTON, "n_clicks"),
    State(ids.INNOV_SPREAD_SELECT, "value"),
    prevent_initial_call=True,
)
def on_download_spread(_clicks, innovation_id):
    """Send the chart's table (councils by year) as CSV."""
    frame = views.adoption_by_year(services.engine(), innovation_id)
    return dcc.send_bytes(csv_bytes(frame), f"{innovation_id}_by_year.csv")


@callback(
    Output(ids.INNOV_SPREAD_COUNCILS_DOWNLOAD, "data"),
    Input(ids.INNOV_SPREAD_COUNCILS_DOWNLOAD_BUTTON, "n_clicks"),
    State(ids.INNOV_SPREAD_SELECT, "value"),
    State(ids.INNOV_SPREAD_YEAR, "value"),
    prevent_initial_call=True,
)
def on_download_spread_councils(_clicks, innovation_id, year):
    """Send the spread map's table (each council's status in the year) as CSV."""
    frame = views.councils_in_year(services.engine(), innovation_id, int(year),
                                   services.data_dir())
    return dcc.send_bytes(csv_bytes(frame), f"{innovation_id}_councils_{int(year)}.csv")
