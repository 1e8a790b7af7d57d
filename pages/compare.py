"""Compare page (/compare): chosen councils on one indicator as ranked bars, funnel and scatter."""

from __future__ import annotations

from dataclasses import replace

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from pages import ids, services
from pages.grid_columns import interval_columns, number_column, number_format
from sasci_map import compare_state as cs
from sasci_map import compare_views as cv
from sasci_map.compare_figures import funnel_figure, ranked_bars, scatter_figure
from sasci_map.exports import csv_bytes
from sasci_map.map_hover import format_value
from sasci_map.mapview import region_options

dash.register_page(__name__, path="/compare", order=1, name="Compare",
                   title="Compare councils — SASCI capacity map")

GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
HIDDEN, SHOWN = {"display": "none"}, {}
#: A context indicator every council has, suggested when survey figures are sparse.
CONTEXT_SUGGESTION = cs.DEFAULT_INDICATOR
NUMBER = number_format(",.4~r")
TABLE_COLUMNS = [
    {"field": "council", "headerName": "Council", "flex": 2, "filter": True, "pinned": "left",
     "minWidth": 200},
    *interval_columns(NUMBER),
    number_column("numerator", "Numerator", NUMBER),
    number_column("denominator", "Denominator", NUMBER),
    {"field": "status", "headerName": "Status", "flex": 1.4, "tooltipField": "reason"},
    {"field": "vs_england", "headerName": "vs England", "flex": 1},
    {"field": "vs_region", "headerName": "vs region", "flex": 1},
    {"field": "region", "headerName": "Region", "flex": 1.3, "filter": True},
    {"field": "code", "headerName": "GSS code", "flex": 1},
]


def _selection(mode, focus, region, chosen):
    """Return (codes, description) of the councils the controls choose."""
    data_dir = services.data_dir()
    codes = cs.chosen_councils(mode, focus, region, chosen or [], data_dir)
    return codes, cs.selection_label(mode, codes, focus, region, data_dir)


def _view(mode, focus, region, chosen, indicator, wave) -> cv.CompareView:
    codes, description = _selection(mode, focus, region, chosen)
    return cv.compare_view(services.engine(), indicator, wave, codes, services.data_dir(),
                           focus=focus if mode == cs.NEIGHBOURS else None,
                           region=region if mode == cs.REGION else None,
                           description=description)


def _table(header: list[str], rows: list[list], caption: str) -> dbc.Table:
    """Render a small accessible HTML table (the charts' text alternatives)."""
    return dbc.Table([html.Caption(caption, className="small"),
                      html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
                      html.Tbody([html.Tr([html.Th(r[0], scope="row"), *map(html.Td, r[1:])])
                                  for r in rows])],
                     size="sm", striped=True, className="small mb-0")


def _details(summary: str, table, component_id: str) -> html.Details:
    return html.Details([html.Summary(summary), html.Div(table, className="mt-2")],
                        id=component_id, className="mt-2")


def _definition(view: cv.CompareView) -> list:
    d = view.definition
    return [html.Strong(d["title"]), f" — {d['definition']} ",
            html.Span(f"Unit: {d['unit'] or 'none'}. Period: {view.period}. "
                      f"Source: {d['source']}. ", className="text-muted"),
            html.A("Method", href=f"/methods#indicator-{d['indicator_id']}")]


def _coverage(view: cv.CompareView, state: cs.CompareState) -> dbc.Alert:
    """Say how many chosen councils have a value; when few, point to views that have some."""
    if not view.codes:
        return dbc.Alert("Choose at least one council to compare.", color="warning")
    parts: list = [view.coverage()]
    if view.synthetic:
        parts.append(html.Strong(" Survey figures shown here are synthetic demo data."))
    refs = [f"{r.label}: {format_value(r.value, view.unit)}"
            for r in (view.england, view.region) if r.present]
    if view.sparse:
        context = replace(state, indicator=CONTEXT_SUGGESTION, wave="", y=CONTEXT_SUGGESTION)
        parts += [
            " Survey figures for a single council are mostly suppressed (fewer than 5 "
            "responding organisations) or have no response; regions and England have values"
            + (f" ({'; '.join(refs)})." if refs else "."),
            html.Br(), "Try ",
            html.A("the regional figures on the map",
                   href=f"/?indicator={view.definition['indicator_id']}&view=pooled"),
            " or ",
            html.A("a context indicator every council has (share aged 65+)",
                   href="/compare" + context.query_string()),
            ".",
        ]
    return dbc.Alert(parts, color="warning" if view.sparse else "light", className="small py-2")


def _no_value_list(view: cv.CompareView) -> list:
    items = view.missing_items()
    if not items:
        return [html.P("Every chosen council has a value.", className="small text-muted")]
    return [html.H3(f"Councils without a value ({len(items)})", className="h6 mt-2"),
            html.Ul([html.Li([html.Strong(i["name"]), f" — {i['state']}",
                              f": {i['reason']}" if _adds(i["reason"], i["state"]) else ""])
                     for i in items], className="small")]


def _adds(reason: str, state: str) -> bool:
    """Whether a reason says more than its state's label ("fewer than 5…" twice does not)."""
    return bool(reason) and " ".join(reason.lower().split()[:3]) not in state.lower()


def _bars_table(view: cv.CompareView):
    unit = view.unit
    rows = [[r["council"], format_value(r["value"], unit),
             f"{format_value(r['lower'], unit)} to {format_value(r['upper'], unit)}"
             if r["lower"] is not None else "no interval", r["vs_england"]]
            for r in view.table_rows() if r["value"] is not None]
    return _table(["Council", "Value", "95% interval", "vs England"], rows,
                  "The bars as a table, highest first.")


def _funnel_table(fv: cv.FunnelView, unit: str):
    if not fv.drawn:
        return html.P(fv.note, className="small")

    def pair(lo, hi):
        return f"{format_value(lo, unit)} to {format_value(hi, unit)}"

    rows = [[r["council"], f"{r['denominator']:,.0f}", format_value(r["value"], unit),
             pair(r["lower_95"], r["upper_95"]), pair(r["lower_998"], r["upper_998"]),
             r["position"]] for r in cv.funnel_table_rows(fv)]
    return _table(["Council", fv.x_title, "Value", "95% limits", "99.8% limits", "Position"],
                  rows, "Each council with the control limits at its own size.")


def view_outputs(mode, focus, region, chosen, indicator, wave, state=None,
                 view: cv.CompareView | None = None) -> tuple:
    """Return the bars, funnel, table, coverage and definition outputs for the controls."""
    view = view or _view(mode, focus, region, chosen, indicator, wave)
    state = state or cs.CompareState(indicator, view.period, mode, focus or cs.DEFAULT_COUNCIL,
                                     region or "", tuple(chosen or ()))
    fv = cv.funnel_view(view)
    return (_definition(view), _coverage(view, state), ranked_bars(view), view.bars_caption(),
            _no_value_list(view), _details("Show the bars as a table", _bars_table(view),
                                           ids.COMPARE_BARS_TABLE),
            funnel_figure(fv, view.definition, cv.funnel_log_axis(fv)), fv.note, fv.caption,
            _details("Show the funnel plot as a table", _funnel_table(fv, view.unit),
                     ids.COMPARE_FUNNEL_TABLE),
            view.table_rows())


def scatter_outputs(mode, focus, region, chosen, x, y, wave,
                    known: cv.CompareView | None = None) -> tuple:
    """Return the scatter figure, caption, table and list of councils missing a value."""
    codes, description = _selection(mode, focus, region, chosen)
    sv = cv.scatter_view(services.engine(), x, y, wave, codes, services.data_dir(),
                         focus=focus if mode == cs.NEIGHBOURS else None,
                         description=description, known=known)
    dx, dy = sv.x.definition, sv.y.definition
    rows = [[r.area_name, format_value(r.x, dx["unit"]), format_value(r.y, dy["unit"])]
            for r in sv.points.itertuples(index=False)]
    table = _table(["Council", dx["short_title"], dy["short_title"]], rows,
                   "The scatter's points as a table.")
    missing = [html.Li([html.Strong(m["name"]), f" — {dx['short_title']}: {m['x_state']}; "
                        f"{dy['short_title']}: {m['y_state']}"]) for m in sv.missing]
    missing_block = ([html.H3(f"Councils without both values ({len(missing)})",
                              className="h6 mt-2"), html.Ul(missing, className="small")]
                     if missing else [])
    return (scatter_figure(sv), sv.caption(),
            _details("Show the scatter as a table", table, ids.COMPARE_SCATTER_TABLE),
            missing_block)


def _controls(state: cs.CompareState, engine, data_dir) -> dbc.Card:
    councils = cs.council_options(data_dir)
    return dbc.Card(dbc.CardBody([
        dbc.Label("Choose councils by", html_for=ids.COMPARE_MODE),
        dbc.RadioItems(id=ids.COMPARE_MODE, value=state.mode,
                       options=[{"label": v, "value": k} for k, v in cs.MODES.items()]),
        html.Div([dbc.Label("Council (its 15 statistical neighbours are added)",
                            html_for=ids.COMPARE_FOCUS, className="mt-3"),
                  dcc.Dropdown(id=ids.COMPARE_FOCUS, options=councils, value=state.council,
                               clearable=False, searchable=True),
                  html.A("How neighbours are found", href="/methods#neighbours",
                         className="small")],
                 id=ids.COMPARE_FOCUS_BOX, style=_shown(state.mode, cs.NEIGHBOURS)),
        html.Div([dbc.Label("Region", html_for=ids.COMPARE_REGION, className="mt-3"),
                  # region_options starts with "England (all regions)": not a region here
                  dcc.Dropdown(id=ids.COMPARE_REGION, options=region_options(data_dir)[1:],
                               value=state.region, clearable=False)],
                 id=ids.COMPARE_REGION_BOX, style=_shown(state.mode, cs.REGION)),
        html.Div([dbc.Label("Councils (type to search)", html_for=ids.COMPARE_COUNCILS,
                            className="mt-3"),
                  dcc.Dropdown(id=ids.COMPARE_COUNCILS, options=councils,
                               value=list(state.councils), multi=True, searchable=True,
                               placeholder="Type a council name")],
                 id=ids.COMPARE_COUNCILS_BOX, style=_shown(state.mode, cs.COUNCILS)),
        dbc.Label("Indicator", html_for=ids.COMPARE_INDICATOR, className="mt-3"),
        dcc.Dropdown(id=ids.COMPARE_INDICATOR, options=cs.indicator_options(engine),
                     value=state.indicator, clearable=False, searchable=True,
                     search_order="original", optionHeight="auto"),
        dbc.Label("Period (survey wave)", html_for=ids.COMPARE_WAVE, className="mt-3"),
        dcc.Dropdown(id=ids.COMPARE_WAVE, options=cs.wave_options(engine, state.indicator),
                     value=state.wave, clearable=False, searchable=False),
    ]))


def _shown(mode: str, box: str) -> dict:
    return SHOWN if mode == box else HIDDEN


def layout(**params) -> html.Div:
    """Lay out the compare page in the view state the URL encodes."""
    engine, data_dir = services.engine(), services.data_dir()
    state = cs.parse_compare_state(params, engine, data_dir)
    selection = (state.mode, state.council, state.region, list(state.councils))
    view = _view(*selection, state.indicator, state.wave)
    (definition, coverage, bars, bars_caption, no_value, bars_table, funnel, funnel_note,
     funnel_caption, funnel_table, rows) = view_outputs(*selection, state.indicator,
                                                        state.wave, state, view)
    scatter, scatter_caption, scatter_table, scatter_missing = scatter_outputs(
        *selection, state.x, state.y, state.wave, known=view)
    options = cs.indicator_options(engine)
    caption_props = {"className": "small mt-1", "aria-live": "polite"}
    tabs = dbc.Tabs(id=ids.COMPARE_TABS, active_tab=state.tab, className="mt-2", children=[
        dbc.Tab(label=cs.TABS[cs.BARS], tab_id=cs.BARS, children=[
            dcc.Graph(id=ids.COMPARE_BARS, figure=bars, config=GRAPH_CONFIG),
            html.P(bars_caption, id=ids.COMPARE_BARS_CAPTION, **caption_props),
            html.Div(no_value, id=ids.COMPARE_NO_VALUE),
            html.Div(bars_table, id=f"{ids.COMPARE_BARS_TABLE}-box")]),
        dbc.Tab(label=cs.TABS[cs.FUNNEL], tab_id=cs.FUNNEL, children=[
            html.P(funnel_note, id=ids.COMPARE_FUNNEL_NOTE, className="small mt-2"),
            dcc.Graph(id=ids.COMPARE_FUNNEL, figure=funnel, config=GRAPH_CONFIG),
            html.P(funnel_caption, id=ids.COMPARE_FUNNEL_CAPTION, **caption_props),
            html.Div(funnel_table, id=f"{ids.COMPARE_FUNNEL_TABLE}-box")]),
        dbc.Tab(label=cs.TABS[cs.SCATTER], tab_id=cs.SCATTER, children=[
            dbc.Row([
                dbc.Col([dbc.Label("Horizontal axis (x)", html_for=ids.COMPARE_X),
                         dcc.Dropdown(id=ids.COMPARE_X, options=options, value=state.x,
                                      clearable=False, search_order="original")], md=6),
                dbc.Col([dbc.Label("Vertical axis (y)", html_for=ids.COMPARE_Y),
                         dcc.Dropdown(id=ids.COMPARE_Y, options=options, value=state.y,
                                      clearable=False, search_order="original")], md=6),
            ], className="mt-2"),
            dcc.Graph(id=ids.COMPARE_SCATTER, figure=scatter, config=GRAPH_CONFIG),
            html.P(scatter_caption, id=ids.COMPARE_SCATTER_CAPTION, **caption_props),
            html.Div(scatter_missing, id=ids.COMPARE_SCATTER_MISSING),
            html.Div(scatter_table, id=f"{ids.COMPARE_SCATTER_TABLE}-box")]),
        dbc.Tab(label=cs.TABS[cs.TABLE], tab_id=cs.TABLE, children=[
            html.P("Every chosen council, those without a value included; hover a status "
                   "for the reason. Sort or filter any column.", className="small mt-2"),
            dag.AgGrid(id=ids.COMPARE_TABLE, columnDefs=TABLE_COLUMNS, rowData=rows,
                       defaultColDef={"sortable": True, "resizable": True, "minWidth": 115},
                       dashGridOptions={"animateRows": False, "tooltipShowDelay": 300},
                       style={"height": "520px"}, className="ag-theme-alpine")]),
    ])
    return html.Div([
        dcc.Location(id=ids.COMPARE_URL, refresh=False),
        html.H1("Compare councils", className="h3"),
        html.P("Compare a council with its statistical neighbours, the councils of a region, "
               "or any councils you choose: ranked with 95% intervals, on a funnel plot "
               "around England, or against a second indicator.", className="text-muted"),
        dbc.Row([
            dbc.Col(_controls(state, engine, data_dir), lg=3),
            dbc.Col([
                html.P(definition, id=ids.COMPARE_DEFINITION, className="small"),
                html.Div(coverage, id=ids.COMPARE_COVERAGE, **{"aria-live": "polite"}),
                html.Div([
                    dbc.Button("Download CSV of the figures shown", id=ids.COMPARE_CSV_BUTTON,
                               color="secondary", outline=True, size="sm"),
                    dcc.Download(id=ids.COMPARE_CSV_DOWNLOAD),
                ]),
                tabs,
            ], lg=9),
        ]),
    ])


SELECTION = [Input(ids.COMPARE_MODE, "value"), Input(ids.COMPARE_FOCUS, "value"),
             Input(ids.COMPARE_REGION, "value"), Input(ids.COMPARE_COUNCILS, "value")]


@callback(
    Output(ids.COMPARE_FOCUS_BOX, "style"),
    Output(ids.COMPARE_REGION_BOX, "style"),
    Output(ids.COMPARE_COUNCILS_BOX, "style"),
    Input(ids.COMPARE_MODE, "value"),
    prevent_initial_call=True,
)
def update_mode_controls(mode):
    """Show only the control of the chosen way of picking councils."""
    return tuple(_shown(mode, box) for box in (cs.NEIGHBOURS, cs.REGION, cs.COUNCILS))


@callback(
    Output(ids.COMPARE_WAVE, "options"),
    Output(ids.COMPARE_WAVE, "value"),
    Input(ids.COMPARE_INDICATOR, "value"),
    State(ids.COMPARE_WAVE, "value"),
    prevent_initial_call=True,
)
def update_waves(indicator, wave):
    """Offer the periods of the chosen indicator; keep the wave when it has it."""
    options = cs.wave_options(services.engine(), indicator)
    values = [o["value"] for o in options]
    return options, wave if wave in values else (values[0] if values else None)


@callback(
    Output(ids.COMPARE_DEFINITION, "children"),
    Output(ids.COMPARE_COVERAGE, "children"),
    Output(ids.COMPARE_BARS, "figure"),
    Output(ids.COMPARE_BARS_CAPTION, "children"),
    Output(ids.COMPARE_NO_VALUE, "children"),
    Output(f"{ids.COMPARE_BARS_TABLE}-box", "children"),
    Output(ids.COMPARE_FUNNEL, "figure"),
    Output(ids.COMPARE_FUNNEL_NOTE, "children"),
    Output(ids.COMPARE_FUNNEL_CAPTION, "children"),
    Output(f"{ids.COMPARE_FUNNEL_TABLE}-box", "children"),
    Output(ids.COMPARE_TABLE, "rowData"),
    *SELECTION,
    Input(ids.COMPARE_INDICATOR, "value"),
    Input(ids.COMPARE_WAVE, "value"),
    prevent_initial_call=True,
)
def update_view(mode, focus, region, chosen, indicator, wave):
    """Redraw the bars, funnel and table for the chosen councils, indicator and wave."""
    return view_outputs(mode, focus, region, chosen, indicator, wave)


@callback(
    Output(ids.COMPARE_SCATTER, "figure"),
    Output(ids.COMPARE_SCATTER_CAPTION, "children"),
    Output(f"{ids.COMPARE_SCATTER_TABLE}-box", "children"),
    Output(ids.COMPARE_SCATTER_MISSING, "children"),
    *SELECTION,
    Input(ids.COMPARE_X, "value"),
    Input(ids.COMPARE_Y, "value"),
    Input(ids.COMPARE_WAVE, "value"),
    prevent_initial_call=True,
)
def update_scatter(mode, focus, region, chosen, x, y, wave):
    """Redraw the scatter of the two chosen indicators over the chosen councils."""
    return scatter_outputs(mode, focus, region, chosen, x, y, wave)


@callback(
    Output(ids.COMPARE_URL, "search"),
    *SELECTION,
    Input(ids.COMPARE_INDICATOR, "value"),
    Input(ids.COMPARE_WAVE, "value"),
    Input(ids.COMPARE_X, "value"),
    Input(ids.COMPARE_Y, "value"),
    Input(ids.COMPARE_TABS, "active_tab"),
    prevent_initial_call=True,
)
def update_url(mode, focus, region, chosen, indicator, wave, x, y, tab):
    """Keep the whole view in the URL, so a shared link opens the same view."""
    return cs.CompareState(indicator, wave or "", mode, focus or "", region or "",
                           tuple(chosen or ()), x, y, tab).query_string()


@callback(
    Output(ids.COMPARE_CSV_DOWNLOAD, "data"),
    Input(ids.COMPARE_CSV_BUTTON, "n_clicks"),
    *[State(i.component_id, i.component_property) for i in SELECTION],
    State(ids.COMPARE_INDICATOR, "value"),
    State(ids.COMPARE_WAVE, "value"),
    prevent_initial_call=True,
)
def on_download_csv(_clicks, mode, focus, region, chosen, indicator, wave):
    """Send the tidy rows of the chosen councils (indicator, wave) as CSV."""
    view = _view(mode, focus, region, chosen, indicator, wave)
    return dcc.send_bytes(csv_bytes(view.export_frame()),
                          f"sasci-compare-{indicator}-{view.period}-{len(view.codes)}-councils.csv")
