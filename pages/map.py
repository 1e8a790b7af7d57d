"""Map page (/): the 153 councils coloured by an indicator, with search and a table."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, Patch, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from pages import ids, services
from pages.map_table import GRID_DEFAULTS, TABLE_COLUMNS, TABLE_INTRO
from sasci_map import indicators
from sasci_map.choropleth import apply_updates, map_figure
from sasci_map.classing import COLOUR_MODES
from sasci_map.exports import csv_bytes
from sasci_map.map_modes import (
    VIEW_COVERAGE,
    VIEW_POOLED,
    VIEW_VALUES,
    VIEWS,
    coverage_frame,
    periods_of,
    resolve_period,
    survey_waves,
)
from sasci_map.mapview import (
    MapView,
    ViewState,
    build_map_view,
    indicator_choices,
    parse_view_state,
    region_options,
    valid_choices,
    zoom_for,
)
from sasci_map.resolver import resolve_council
from sasci_map.table_payload import council_names, encode_rows
from sasci_map.tidy import indicator_table

dash.register_page(__name__, order=0, path="/", name="Map",
                   title="Map of councils — SASCI capacity map",
                   # fetched as soon as the page renders (pages/first_page.py): start them early
                   preload=[("fetch", services.GEOJSON_ROUTE.lstrip("/")),
                            ("script", "_dash-component-suites/dash/dcc/async-dropdown.js"),
                            ("script", "_dash-component-suites/dash/dcc/async-graph.js")],
                   lazy_grid=True)  # the table comes after the map (pages/lazy_grid.py)

GRAPH_CONFIG = {"topojsonURL": "/assets/topojson/", "displaylogo": False,
                "scrollZoom": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
SYNTHETIC_BADGE = "Synthetic demo data"
#: The table's rows come with the page, but the grid is only put on the page, with them, once
#: the map has been drawn (creating it first would delay the map); this is the latest it waits.
TABLE_FALLBACK_MS = 2500
TABLE_LOADING = "Loading the table…"
TABLE_HEIGHT = "480px"
#: The indicator selector is first laid out with the chosen indicator only; its whole list
#: (:data:`ids.MAP_INDICATOR_OPTIONS`) goes in once the map has first been drawn, or at the
#: table's fallback time. The dropdown indexes every option's words for its search as soon as
#: it has them (about 60 ms of a cold load here, ``benchmarks/README.md``); the list is only
#: needed when the selector is opened.
FULL_INDICATOR_LIST = """
function (_relayout, _tick, everyOption, shown) {
    if (!everyOption || (shown && shown.length === everyOption.length)) {
        return window.dash_clientside.no_update;
    }
    return everyOption;
}
"""


def _swatch(colour: str, outline: str | None = None, width: float = 0.0,
            gradient: str | None = None) -> html.Span:
    style = {"background": gradient or colour}
    if outline:
        style["border"] = f"{max(1, round(width * 2))}px solid {outline}"
    return html.Span(className="legend-swatch", style=style)


def _legend(view: MapView) -> list:
    """Render the legend: the colouring with units and direction, then every state with counts."""
    state = view.state
    unit = f" ({state['unit']})" if state["unit"] else ""
    colouring = state["method_title"] or "No colours"
    direction = state["direction"] if view.view != VIEW_COVERAGE else ""
    heading = f"{colouring}{unit}" + (f"; {direction}" if direction else "")
    value_word = {VIEW_POOLED: "In a region with a value",
                  VIEW_COVERAGE: "Took part"}.get(view.view, "Value")
    rows = [html.Li([_swatch(r["colour"], gradient=r.get("gradient")),
                     f"{r['label']} ({_councils(r['count'])})"]) for r in state["legend"]]
    states = [html.Li([_swatch(s["colour"], s["outline"], s["width"]),
                       f"{_state_label(view, s)} ({_councils(s['count'])})"],
                      **{"data-state": s["status"]})
              for s in state["states"] if view.view != VIEW_COVERAGE or s["count"]]
    out = [html.P(heading, className="small mb-1 fw-semibold"),
           html.P(f"{value_word}: {_councils(state['n_value'])}", className="small mb-1"),
           html.Ul(rows, className="legend list-unstyled mb-1", id=ids.MAP_LEGEND_VALUES)]
    if state["note"]:
        out.append(html.P(state["note"], className="small text-muted mb-1"))
    hidden = state["counts"]["suppressed"] + state["counts"]["no_response"]
    if view.view == VIEW_VALUES and hidden > state["n_value"]:
        out.append(html.P("Most councils' own figures are withheld or missing: show "
                          "\"Region figures, pooled\" to see every council's region figure.",
                          className="small text-muted mb-1", id=ids.MAP_POOLED_HINT))
    out += [html.P("Without a value (outlined; reason on hover and in the table)",
                   className="small mb-1 fw-semibold mt-2"),
            html.Ul(states, className="legend list-unstyled mb-0", id=ids.MAP_LEGEND_STATES)]
    if view.synthetic:
        out.append(dbc.Badge(SYNTHETIC_BADGE, color="warning", text_color="dark",
                             className="mt-2"))
    return out


def _councils(n: int) -> str:
    return f"{n} council{'' if n == 1 else 's'}"


def _state_label(view: MapView, state: dict) -> str:
    if view.view == VIEW_COVERAGE:
        return "No organisation took part"
    if view.view == VIEW_POOLED:
        return f"Region figure: {state['label'].lower()}"
    return state["label"]


def _definition_text(view: MapView) -> list:
    d = view.definition
    parts = [html.Strong(d["title"]), f" — {d['definition']} ",
             html.Span(f"Unit: {d['unit'] or 'none'}. Period: {view.period or d['period']}. "
                       f"Source: {d['source']}.", className="text-muted")]
    if view.view == VIEW_POOLED:
        parts.append(html.Span(" Region value, pooled over all responding organisations of "
                               "the region; every council shows its region's figure.",
                               className="text-muted"))
    if view.synthetic:
        parts += [" ", dbc.Badge(SYNTHETIC_BADGE, color="warning", text_color="dark")]
    if view.view != VIEW_COVERAGE:
        parts += [" ", dcc.Link("Definition and method",
                                href=f"/methods#indicator-{d['indicator_id']}")]
    return parts


def _wave_controls(indicator_id: str, view: str, wave: str | None) -> tuple:
    """Return the wave selector's options, value and disabled flag for an indicator and view."""
    engine = services.engine()
    periods = survey_waves(engine) if view == VIEW_COVERAGE else periods_of(engine, indicator_id)
    value = resolve_period(periods, wave)
    return ([{"label": p, "value": p} for p in periods], value or None, len(periods) <= 1)


def _colour_options(view: str) -> list[dict]:
    return [{"label": label, "value": key, "disabled": view == VIEW_COVERAGE}
            for key, label in COLOUR_MODES.items()]


def layout(**params) -> html.Div:
    """Lay out the map page in the view state the URL encodes."""
    engine, data_dir = services.engine(), services.data_dir()
    catalogue = indicators.catalogue(engine)
    periods = indicators.periods_by_indicator(engine)
    view_state = parse_view_state(params, catalogue["indicator_id"].tolist(), data_dir, periods)
    wave_options, wave, wave_disabled = _wave_controls(view_state.indicator, view_state.view,
                                                       view_state.wave)
    view = build_map_view(engine, view_state.indicator, view_state.method, data_dir, wave,
                          view_state.view)
    figure = map_figure(services.GEOJSON_ROUTE, view.state, state_layers=True)
    apply_updates(figure, zoom_for(view_state.region, data_dir))
    choices = indicator_choices(engine)
    controls = dbc.Card(dbc.CardBody([
        dbc.Label("Indicator", html_for=ids.MAP_INDICATOR),
        dcc.Store(id=ids.MAP_INDICATOR_OPTIONS, data=choices),
        dcc.Dropdown(id=ids.MAP_INDICATOR,
                     options=[o for o in choices if o["value"] == view_state.indicator],
                     value=view_state.indicator, clearable=False, searchable=True,
                     maxHeight=360, search_order="original"),
        dbc.Label("Survey wave (period)", html_for=ids.MAP_WAVE, className="mt-3"),
        dcc.Dropdown(id=ids.MAP_WAVE, options=wave_options, value=wave, clearable=False,
                     searchable=False, disabled=wave_disabled),
        dbc.Label("Show", html_for=ids.MAP_VIEW, className="mt-3"),
        dbc.RadioItems(id=ids.MAP_VIEW, value=view_state.view,
                       options=[{"label": v, "value": k} for k, v in VIEWS.items()]),
        dbc.Label("Colours", html_for=ids.MAP_CLASS_METHOD, className="mt-3"),
        dbc.RadioItems(id=ids.MAP_CLASS_METHOD, value=view_state.method,
                       options=_colour_options(view_state.view)),
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
                html.P(_definition_text(view), id=ids.MAP_DEFINITION, className="small"),
                dcc.Graph(id=ids.MAP_GRAPH, figure=figure, config=GRAPH_CONFIG,
                          className="border rounded", clear_on_unhover=True),
                html.P(view.caption, id=ids.MAP_CAPTION, className="small mt-1",
                       **{"aria-live": "polite"}),
            ], lg=6),
            dbc.Col([
                html.H2("Legend", className="h6"),
                html.Div(_legend(view), id=ids.MAP_LEGEND),
                html.Div(council_panel(view_state.council, view_state.indicator),
                         id=ids.MAP_COUNCIL_PANEL, className="mt-3", **{"aria-live": "polite"}),
            ], lg=3),
        ]),
        html.Div([
            html.H2("Table of values", className="h5 mt-3 mb-0 me-3"),
            dbc.Button("Download CSV of the mapped figures", id=ids.MAP_CSV_BUTTON,
                       color="secondary", outline=True, size="sm", className="mt-3"),
            dcc.Download(id=ids.MAP_CSV_DOWNLOAD),
        ], className="d-flex align-items-baseline flex-wrap"),
        html.P([html.Span(TABLE_INTRO[view.view], id=ids.MAP_TABLE_INTRO),
                " The CSV has every row with numerator, denominator, interval, status, "
                "benchmarks, source and whether the data are synthetic."],
               className="small text-muted"),
        dcc.Store(id=ids.MAP_COUNCIL_NAMES, data=council_names(data_dir)),
        dcc.Store(id=ids.MAP_TABLE_DATA, data=table_data(view, view_state.region, data_dir)),
        dcc.Store(id=ids.MAP_TABLE_COLUMNS, data=TABLE_COLUMNS[view.view]),
        dcc.Store(id=ids.MAP_TABLE_TEMPLATE, data=table_grid().to_plotly_json()),
        dcc.Interval(id=ids.MAP_TABLE_FALLBACK, interval=TABLE_FALLBACK_MS, max_intervals=1),
        html.Div(html.Div(TABLE_LOADING, role="status", style={"height": TABLE_HEIGHT},
                          className="border rounded d-flex align-items-center "
                                    "justify-content-center text-muted"),
                 id=ids.MAP_TABLE),
    ])


def table_grid() -> dag.AgGrid:
    """Return the map's table without rows or columns: the browser adds them when it mounts it.

    ``assets/map_table.js`` puts this grid on the page once the map has first been drawn, with
    the rows (``MAP_TABLE_DATA``) and columns (``MAP_TABLE_COLUMNS``) current at that moment.
    """
    return dag.AgGrid(id={"type": ids.MAP_TABLE_GRID, "index": 0}, columnDefs=[], rowData=[],
                      defaultColDef=GRID_DEFAULTS,
                      dashGridOptions={"animateRows": False,
                                       "suppressColumnVirtualisation": True},
                      style={"height": TABLE_HEIGHT}, className="ag-theme-alpine")


dash.clientside_callback(  # assets/map_table.js: the grid, once the map has first been drawn
    ClientsideFunction(namespace="sasci_map", function_name="table_mount"),
    Output(ids.MAP_TABLE, "children"),
    Input(ids.MAP_GRAPH, "relayoutData"),  # set once the map has first been laid out
    Input(ids.MAP_TABLE_FALLBACK, "n_intervals"),
    State(ids.MAP_TABLE, "children"),
    State(ids.MAP_TABLE_TEMPLATE, "data"),
    State(ids.MAP_TABLE_DATA, "data"),
    State(ids.MAP_TABLE_COLUMNS, "data"),
    State(ids.MAP_COUNCIL_NAMES, "data"),
    prevent_initial_call=True,
)

dash.clientside_callback(  # the indicator selector's whole list, once the map has been drawn
    FULL_INDICATOR_LIST,
    Output(ids.MAP_INDICATOR, "options"),
    Input(ids.MAP_GRAPH, "relayoutData"),  # set once the map has first been laid out
    Input(ids.MAP_TABLE_FALLBACK, "n_intervals"),
    State(ids.MAP_INDICATOR_OPTIONS, "data"),
    State(ids.MAP_INDICATOR, "options"),
    prevent_initial_call=True,
)

dash.clientside_callback(  # assets/map_table.js: new rows and columns into the grid, if mounted
    ClientsideFunction(namespace="sasci_map", function_name="table_update"),
    Output({"type": ids.MAP_TABLE_GRID, "index": ALL}, "rowData"),
    Output({"type": ids.MAP_TABLE_GRID, "index": ALL}, "columnDefs"),
    Input(ids.MAP_TABLE_DATA, "data"),
    Input(ids.MAP_TABLE_COLUMNS, "data"),
    State(ids.MAP_COUNCIL_NAMES, "data"),
    State({"type": ids.MAP_TABLE_GRID, "index": ALL}, "columnDefs"),
    prevent_initial_call=True,
)


@callback(
    Output(ids.MAP_WAVE, "options"),
    Output(ids.MAP_WAVE, "value"),
    Output(ids.MAP_WAVE, "disabled"),
    Output(ids.MAP_CLASS_METHOD, "options"),
    Input(ids.MAP_INDICATOR, "value"),
    Input(ids.MAP_VIEW, "value"),
    State(ids.MAP_WAVE, "value"),
    prevent_initial_call=True,
)
def update_wave_choices(indicator_id, view, wave):
    """Offer the chosen indicator's periods (the survey's waves in the coverage view)."""
    return (*_wave_controls(indicator_id, view, wave), _colour_options(view))


@callback(
    Output(ids.MAP_GRAPH, "figure"),
    Output(ids.MAP_LEGEND, "children"),
    Output(ids.MAP_CAPTION, "children"),
    Output(ids.MAP_DEFINITION, "children"),
    Output(ids.MAP_TABLE_DATA, "data"),
    Output(ids.MAP_TABLE_COLUMNS, "data"),
    Output(ids.MAP_TABLE_INTRO, "children"),
    Input(ids.MAP_INDICATOR, "value"),
    Input(ids.MAP_CLASS_METHOD, "value"),
    Input(ids.MAP_REGION, "value"),
    Input(ids.MAP_WAVE, "value"),
    Input(ids.MAP_VIEW, "value"),
    prevent_initial_call=True,
)
def update_map(indicator_id, method, region, wave, view):
    """Patch the figure's values (never its geometry) and the legend, caption and table."""
    known = set(indicators.catalogue(services.engine())["indicator_id"])
    if not valid_choices(indicator_id, method, region, view, known, services.data_dir()):
        raise PreventUpdate  # not a value any control offers: nothing to redraw
    outputs = map_outputs(indicator_id, method, region,
                          zoom_only=ctx.triggered_id == ids.MAP_REGION, wave=wave, view=view)
    if f"{ids.MAP_VIEW}.value" not in ctx.triggered_prop_ids:
        outputs = (*outputs[:-1], dash.no_update)  # same view, same columns: not re-sent
    return (*outputs, TABLE_INTRO.get(view, TABLE_INTRO[VIEW_VALUES]))


def map_outputs(indicator_id: str, method: str, region: str, zoom_only: bool = False,
                wave: str | None = None, view: str = VIEW_VALUES) -> tuple:
    """Return the map callback's outputs; a region change alone patches only the zoom.

    Returns
    -------
    tuple
        (figure Patch, legend, caption, definition, table rows in compact form (see
        ``sasci_map.table_payload``), table columns).
    """
    view = view if view in VIEWS else VIEW_VALUES
    mapped = build_map_view(services.engine(), indicator_id, method, services.data_dir(),
                            wave, view)
    updates = zoom_for(region, services.data_dir())
    if not zoom_only:
        updates = mapped.state["updates"] + updates
    patch = Patch()
    for path, value in updates:
        target = patch
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return (patch, _legend(mapped), mapped.caption, _definition_text(mapped),
            table_data(mapped, region, services.data_dir()), TABLE_COLUMNS[view])


@callback(
    Output(ids.MAP_CSV_DOWNLOAD, "data"),
    Input(ids.MAP_CSV_BUTTON, "n_clicks"),
    State(ids.MAP_INDICATOR, "value"),
    State(ids.MAP_WAVE, "value"),
    State(ids.MAP_VIEW, "value"),
    prevent_initial_call=True,
)
def on_download_csv(_clicks, indicator_id, wave=None, view=VIEW_VALUES):
    """Send the mapped figures as CSV: council rows, region rows (pooled) or coverage."""
    frame, name = mapped_rows(indicator_id, wave, view)
    return dcc.send_bytes(csv_bytes(frame), name)


def mapped_rows(indicator_id: str, wave: str | None = None, view: str = VIEW_VALUES):
    """Return the rows behind the map (tidy-table rows, or coverage rows) and a file name."""
    engine, data_dir = services.engine(), services.data_dir()
    if view == VIEW_COVERAGE:
        frame = coverage_frame(engine, wave, data_dir)
        chosen = frame["wave"].iloc[0] or "none"
        return frame, f"sasci-survey-coverage-{chosen}-councils.csv"
    period = resolve_period(periods_of(engine, indicator_id), wave)
    levels = ["england", "region"] if view == VIEW_POOLED else ["council"]
    frame = indicator_table(engine, [indicator_id], levels,
                            periods=[period] if period else None, data_dir=data_dir)
    what = "regions" if view == VIEW_POOLED else "councils"
    return frame, f"sasci-{indicator_id}-{period or 'none'}-{what}.csv"


@callback(
    Output(ids.MAP_URL, "search"),
    Input(ids.MAP_INDICATOR, "value"),
    Input(ids.MAP_CLASS_METHOD, "value"),
    Input(ids.MAP_REGION, "value"),
    Input(ids.MAP_SELECTED, "data"),
    Input(ids.MAP_WAVE, "value"),
    Input(ids.MAP_VIEW, "value"),
    prevent_initial_call=True,
)
def update_url(indicator_id, method, region, council, wave, view):
    """Keep the whole view in the URL, so a shared link opens the same view."""
    return ViewState(indicator_id, method, region, council or "", wave or "",
                     view or VIEW_VALUES).query_string()


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
    prevent_initial_call=True,  # the page comes with the panel of the URL's council
)
def update_council_panel(code, indicator_id):
    """Show the selected council's values for every indicator, the mapped one first."""
    return council_panel(code, indicator_id)


def council_panel(code: str | None, indicator_id: str):
    """Return the panel of council ``code`` (the mapped indicator first), or how to pick one."""
    if not code:
        return html.P("Click a council on the map, or find one by name, to see its values.",
                      className="text-muted small")
    return council_card(code, indicator_id)


def table_data(view: MapView, region: str, data_dir) -> dict:
    """Return the table rows of ``view`` (in ``region``) in the compact form sent to the page."""
    return encode_rows(view.table_rows(region), council_names(data_dir))


def council_card(code: str, indicator_id: str):
    """Render one council's values as a card with a table (the mapped indicator highlighted)."""
    profile = indicators.council_profile(services.engine(), code, services.data_dir())
    if profile is None:
        return dbc.Alert(f"No council with code {code}.", color="warning")
    rows = []
    ordered = sorted(profile["values"], key=lambda r: r["indicator_id"] != indicator_id)
    for r in ordered:
        cls = "table-primary" if r["indicator_id"] == indicator_id else None
        # two columns fit the narrow panel; the rank goes under the value
        value = [r["display"]] + ([html.Br(), html.Span(f"rank {r['rank']}",
                                                          className="text-muted")]
                                  if r["rank"] else [])
        rows.append(html.Tr([html.Td(r["title"]), html.Td(value)], className=cls))
    table = dbc.Table([html.Thead(html.Tr([html.Th("Indicator"), html.Th("Value (rank)")])),
                       html.Tbody(rows)],
                      size="sm", bordered=False, striped=True, className="small mb-0")
    return dbc.Card([
        dbc.CardHeader(html.H2(profile["name"], className="h5 mb-0", id="map-council-name")),
        dbc.CardBody([html.P(f"{profile['council_type']} · {profile['region_name']} · "
                             f"{profile['code']}", className="small text-muted"),
                      dcc.Link("Open the council profile", href=f"/council/{profile['code']}",
                               id=ids.MAP_PROFILE_LINK, className="d-block small mb-2"),
                      html.Div(table, className="council-values")]),
    ])
