"""Map page (/): the 153 councils coloured by an indicator, with search and a table."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, Patch, State, callback, ctx, dcc, html

from pages import ids, services
from sasci_map import indicators
from sasci_map.choropleth import apply_updates, map_figure
from sasci_map.classing import CLASS_METHODS
from sasci_map.exports import csv_bytes
from sasci_map.mapview import (
    ViewState,
    build_map_view,
    parse_view_state,
    region_options,
    zoom_for,
)
from sasci_map.resolver import resolve_council
from sasci_map.tidy import indicator_table

dash.register_page(__name__, order=0, path="/", name="Map",
                   title="Map of councils — SASCI capacity map")

GRAPH_CONFIG = {"topojsonURL": "/assets/topojson/", "displaylogo": False,
                "scrollZoom": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
TABLE_COLUMNS = [
    {"field": "council", "headerName": "Council", "flex": 2, "filter": True},
    {"field": "region", "headerName": "Region", "flex": 1.5, "filter": True},
    {"field": "value", "headerName": "Value", "flex": 1, "type": "numericColumn",
     "valueFormatter": {"function": "params.value == null ? '' : d3.format(',.1f')(params.value)"}},
    {"field": "rank", "headerName": "Rank", "flex": 0.7, "type": "numericColumn"},
    {"field": "status", "headerName": "Status", "flex": 0.8},
    {"field": "reason", "headerName": "Why no value", "flex": 2},
    {"field": "code", "headerName": "GSS code", "flex": 1},
]


def _legend(state: dict) -> list:
    """Render the legend as a titled list: class method and unit, swatches, ranges, counts."""
    unit = f" ({state['unit']})" if state["unit"] else ""
    items = [html.Li([html.Span(className="legend-swatch", style={"background": row["colour"]}),
                      f"{row['label']} ({row['count']} councils)"])
             for row in state["legend"]]
    return [html.P(f"{state['method_title'] or 'No classes'}{unit}; darker = higher",
                   className="small mb-1 fw-semibold"),
            html.Ul(items, className="legend list-unstyled mb-0")]


def _definition_text(definition: dict) -> list:
    return [html.Strong(definition["title"]), f" — {definition['definition']} ",
            html.Span(f"Unit: {definition['unit'] or 'none'}. Period: {definition['period']}. "
                      f"Source: {definition['source']}.", className="text-muted")]


def layout(**params) -> html.Div:
    """Lay out the map page in the view state the URL encodes."""
    engine, data_dir = services.engine(), services.data_dir()
    catalogue = indicators.catalogue(engine)
    view_state = parse_view_state(params, catalogue["indicator_id"].tolist(), data_dir)
    view = build_map_view(engine, view_state.indicator, view_state.method, data_dir)
    figure = map_figure(services.GEOJSON_ROUTE, view.state)
    apply_updates(figure, zoom_for(view_state.region, data_dir))
    options = [{"label": f"{r.source} · {r.label}", "value": r.indicator_id}
               for r in catalogue.itertuples(index=False)]
    controls = dbc.Card(dbc.CardBody([
        dbc.Label("Indicator", html_for=ids.MAP_INDICATOR),
        dcc.Dropdown(id=ids.MAP_INDICATOR, options=options, value=view_state.indicator,
                     clearable=False, searchable=True),
        dbc.Label("Classes", html_for=ids.MAP_CLASS_METHOD, className="mt-3"),
        dbc.RadioItems(id=ids.MAP_CLASS_METHOD, value=view_state.method,
                       options=[{"label": v, "value": k} for k, v in CLASS_METHODS.items()]),
        dbc.Label("Region", html_for=ids.MAP_REGION, className="mt-3"),
        dcc.Dropdown(id=ids.MAP_REGION, options=region_options(data_dir),
                     value=view_state.region, clearable=False),
        dbc.Label("Find a council (name, old code, district…)", html_for=ids.MAP_SEARCH_INPUT,
                  className="mt-3"),
        dbc.InputGroup([
            dbc.Input(id=ids.MAP_SEARCH_INPUT, type="search", debounce=False,
                      placeholder="e.g. Hull, E10000023, Harrogate", maxLength=120),
            dbc.Button("Find", id=ids.MAP_SEARCH_BUTTON, color="primary"),
        ]),
        html.Div(id=ids.MAP_SEARCH_MESSAGE, className="small mt-1", role="status"),
    ]))
    return html.Div([
        dcc.Location(id=ids.MAP_URL, refresh=False),
        dcc.Store(id=ids.MAP_SELECTED, data=view_state.council),
        html.H1("Adult social care by council", className="h3"),
        dbc.Row([
            dbc.Col(controls, lg=3),
            dbc.Col([
                html.P(_definition_text(view.definition), id=ids.MAP_DEFINITION, className="small"),
                dcc.Graph(id=ids.MAP_GRAPH, figure=figure, config=GRAPH_CONFIG,
                          className="border rounded", clear_on_unhover=True),
                html.P(view.caption, id=ids.MAP_CAPTION, className="small mt-1",
                       **{"aria-live": "polite"}),
            ], lg=6),
            dbc.Col([
                html.H2("Legend", className="h6"),
                html.Div(_legend(view.state), id=ids.MAP_LEGEND),
                html.Div(id=ids.MAP_COUNCIL_PANEL, className="mt-3", **{"aria-live": "polite"}),
            ], lg=3),
        ]),
        html.Div([
            html.H2("Table of values", className="h5 mt-3 mb-0 me-3"),
            dbc.Button("Download CSV of the mapped figures", id=ids.MAP_CSV_BUTTON,
                       color="secondary", outline=True, size="sm", className="mt-3"),
            dcc.Download(id=ids.MAP_CSV_DOWNLOAD),
        ], className="d-flex align-items-baseline flex-wrap"),
        html.P("The same figures as the map, one row per council; sort or filter any column. "
               "The CSV has every council with numerator, denominator, interval, status, "
               "benchmarks, source and whether the data are synthetic.",
               className="small text-muted"),
        dag.AgGrid(id=ids.MAP_TABLE, columnDefs=TABLE_COLUMNS,
                   rowData=view.table_rows(view_state.region),
                   defaultColDef={"sortable": True, "resizable": True},
                   dashGridOptions={"animateRows": False},
                   style={"height": "480px"}, className="ag-theme-alpine"),
    ])


@callback(
    Output(ids.MAP_GRAPH, "figure"),
    Output(ids.MAP_LEGEND, "children"),
    Output(ids.MAP_CAPTION, "children"),
    Output(ids.MAP_DEFINITION, "children"),
    Output(ids.MAP_TABLE, "rowData"),
    Input(ids.MAP_INDICATOR, "value"),
    Input(ids.MAP_CLASS_METHOD, "value"),
    Input(ids.MAP_REGION, "value"),
    prevent_initial_call=True,
)
def update_map(indicator_id, method, region):
    """Patch the figure's values (never its geometry) and the legend, caption and table."""
    return map_outputs(indicator_id, method, region,
                       zoom_only=ctx.triggered_id == ids.MAP_REGION)


def map_outputs(indicator_id: str, method: str, region: str, zoom_only: bool = False) -> tuple:
    """Return the map callback's outputs; a region change alone patches only the zoom."""
    view = build_map_view(services.engine(), indicator_id, method, services.data_dir())
    updates = zoom_for(region, services.data_dir())
    if not zoom_only:
        updates = view.state["updates"] + updates
    patch = Patch()
    for path, value in updates:
        target = patch
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return (patch, _legend(view.state), view.caption, _definition_text(view.definition),
            view.table_rows(region))


@callback(
    Output(ids.MAP_CSV_DOWNLOAD, "data"),
    Input(ids.MAP_CSV_BUTTON, "n_clicks"),
    State(ids.MAP_INDICATOR, "value"),
    prevent_initial_call=True,
)
def on_download_csv(_clicks, indicator_id):
    """Send the tidy council rows of the mapped indicator (latest period) as CSV."""
    frame = mapped_rows(indicator_id)
    period = frame["period"].iloc[0] if len(frame) else "none"
    return dcc.send_bytes(csv_bytes(frame), f"sasci-{indicator_id}-{period}-councils.csv")


def mapped_rows(indicator_id: str):
    """Return the tidy-table council rows of one indicator in its latest period."""
    frame = indicator_table(services.engine(), [indicator_id], ["council"],
                            data_dir=services.data_dir())
    return frame[frame["period"] == frame["period"].max()] if len(frame) else frame


@callback(
    Output(ids.MAP_URL, "search"),
    Input(ids.MAP_INDICATOR, "value"),
    Input(ids.MAP_CLASS_METHOD, "value"),
    Input(ids.MAP_REGION, "value"),
    Input(ids.MAP_SELECTED, "data"),
    prevent_initial_call=True,
)
def update_url(indicator_id, method, region, council):
    """Keep the whole view in the URL, so a shared link opens the same view."""
    return ViewState(indicator_id, method, region, council or "").query_string()


@callback(
    Output(ids.MAP_SELECTED, "data"),
    Output(ids.MAP_SEARCH_MESSAGE, "children"),
    Input(ids.MAP_GRAPH, "clickData"),
    Input(ids.MAP_SEARCH_BUTTON, "n_clicks"),
    Input(ids.MAP_SEARCH_INPUT, "n_submit"),
    State(ids.MAP_SEARCH_INPUT, "value"),
    prevent_initial_call=True,
)
def on_select_council(click, _clicks, _submit, text):
    """Select a council by clicking the map or by searching with the resolver."""
    if ctx.triggered_id == ids.MAP_GRAPH:
        point = (click or {}).get("points", [{}])[0]
        return point.get("location", dash.no_update), ""
    found = resolve_council(text or "", services.data_dir())
    if not found.code:
        return dash.no_update, f"{found.status.capitalize()}: {found.note or 'no match'}"
    how = "" if found.status == "exact" else f" ({found.status}: {found.note})"
    return found.code, f"Showing {found.name}{how}."


@callback(
    Output(ids.MAP_COUNCIL_PANEL, "children"),
    Input(ids.MAP_SELECTED, "data"),
    Input(ids.MAP_INDICATOR, "value"),
)
def update_council_panel(code, indicator_id):
    """Show the selected council's values for every indicator, the mapped one first."""
    if not code:
        return html.P("Click a council on the map, or find one by name, to see its values.",
                      className="text-muted small")
    return council_card(code, indicator_id)


def council_card(code: str, indicator_id: str):
    """Render one council's values as a card with a table (the mapped indicator highlighted)."""
    profile = indicators.council_profile(services.engine(), code, services.data_dir())
    if profile is None:
        return dbc.Alert(f"No council with code {code}.", color="warning")
    rows = []
    ordered = sorted(profile["values"], key=lambda r: r["indicator_id"] != indicator_id)
    for r in ordered:
        cls = "table-primary" if r["indicator_id"] == indicator_id else None
        rows.append(html.Tr([html.Td(r["title"]), html.Td(r["display"]), html.Td(r["rank"])],
                            className=cls))
    table = dbc.Table([html.Thead(html.Tr([html.Th("Indicator"), html.Th("Value"),
                                           html.Th("Rank")])), html.Tbody(rows)],
                      size="sm", bordered=False, striped=True, className="small mb-0")
    return dbc.Card([
        dbc.CardHeader(html.H2(profile["name"], className="h5 mb-0", id="map-council-name")),
        dbc.CardBody([html.P(f"{profile['council_type']} · {profile['region_name']} · "
                             f"{profile['code']}", className="small text-muted"),
                      html.Div(table, className="council-values")]),
    ])
