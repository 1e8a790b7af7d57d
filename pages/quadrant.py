"""Capacity x support page (/quadrant): areas placed by capacity and support use, the index."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from pages import ids, services
from pages.grid_columns import COLUMN_DEFAULTS
from sasci_map import quadrant_figures as qf
from sasci_map import quadrant_views as qv
from sasci_map.capacity_index import DEFAULT_WEIGHTS, METHOD_TEXT
from sasci_map.db import indicator_periods, read_values
from sasci_map.exports import csv_bytes
from sasci_map.tidy import SYNTHETIC_LABEL

dash.register_page(__name__, order=2, path="/quadrant", name="Capacity × support",
                   title="Capacity and support use — SASCI capacity map")

WEIGHT_IDS = {"collaboration": ids.QUAD_W_COLLABORATION, "leadership": ids.QUAD_W_LEADERSHIP,
              "knowledge": ids.QUAD_W_KNOWLEDGE, "resources": ids.QUAD_W_RESOURCES,
              "culture": ids.QUAD_W_CULTURE}
SHARE_IDS = {"collaboration": ids.QUAD_SHARE_COLLABORATION,
             "leadership": ids.QUAD_SHARE_LEADERSHIP, "knowledge": ids.QUAD_SHARE_KNOWLEDGE,
             "resources": ids.QUAD_SHARE_RESOURCES, "culture": ids.QUAD_SHARE_CULTURE}
VIEW_INPUTS = [Input(ids.QUAD_LEVEL, "value"), Input(ids.QUAD_WAVE, "value"),
               Input(ids.QUAD_X_MEASURE, "value"),
               *[Input(i, "value") for i in WEIGHT_IDS.values()]]
VIEW_STATES = [State(i.component_id, "value") for i in VIEW_INPUTS]
#: Weight boxes send their value once typing pauses this long (ms), not on every keystroke.
WEIGHT_DEBOUNCE_MS = 400
WEIGHT_STEP = 0.05
GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
NUMBER = {"type": "numericColumn", "filter": "agNumberColumnFilter"}
TABLE_COLUMNS = [
    {"field": "area", "headerName": "Area", "minWidth": 150, "flex": 1.6, "pinned": "left",
     "filter": True},
    {"field": "capacity", "headerName": "Capability score (1–5)", "minWidth": 105, **NUMBER},
    {"field": "capacity_ci", "headerName": "95% interval", "minWidth": 115},
    {"field": "capacity_vs_england", "headerName": "Capacity vs England (interval)",
     "minWidth": 130},
    {"field": "support", "headerName": "Support kinds used (0–10)", "minWidth": 110, **NUMBER},
    {"field": "support_ci", "headerName": "95% interval", "minWidth": 115},
    {"field": "support_vs_england", "headerName": "Support vs England (interval)",
     "minWidth": 130},
    {"field": "quadrant", "headerName": "Quadrant (as plotted)", "minWidth": 170, "flex": 1.4,
     "filter": True},
    {"field": "index", "headerName": "Capacity index", "minWidth": 100, **NUMBER},
    {"field": "rank", "headerName": "Index rank", "minWidth": 85, **NUMBER},
    {"field": "rank_interval", "headerName": "Rank interval (weights varied)", "minWidth": 120},
    {"field": "n_orgs", "headerName": "Organisations", "minWidth": 100, **NUMBER},
    {"field": "index_note", "headerName": "Why no index", "minWidth": 160, "flex": 1.5},
    {"field": "code", "headerName": "GSS code", "minWidth": 105},
]
UNPLACED_COLUMNS = [
    {"field": "area", "headerName": "Area", "flex": 1.2, "filter": True},
    {"field": "state", "headerName": "State", "flex": 1.4, "filter": True, "wrapText": True,
     "autoHeight": True},
    {"field": "reason", "headerName": "Why it cannot be placed", "flex": 3, "wrapText": True,
     "autoHeight": True},
    {"field": "code", "headerName": "GSS code", "flex": 0.8},
]
UNPLACED_HEIGHT = "300px"


def _values():
    return read_values(services.engine(), qv.INDICATORS, area_level=None)


def _view(level, wave, x_measure, *weights) -> qv.QuadrantView:
    return qv.QuadrantView(level=level, wave=wave, x_measure=x_measure,
                           weights=dict(zip(WEIGHT_IDS, weights, strict=True)))


def _shares(result: qf.QuadrantResult) -> list[str]:
    if result.weights is None:
        return ["–"] * len(SHARE_IDS)
    return [qv.percent_text(result.weights[c]) for c in SHARE_IDS]


def _note(text: str):
    return dbc.Alert(text, color="info", className="small py-2") if text else None


def _unplaced_style(result: qf.QuadrantResult) -> dict:
    """Hide the unplaced-areas grid when every area is placed (the summary says so)."""
    return {"height": UNPLACED_HEIGHT} if (~result.table["placed"]).any() else {"display": "none"}


def _weight_row(cluster: str, value, share: str) -> dbc.Row:
    return dbc.Row([
        dbc.Label(cluster.capitalize(), html_for=WEIGHT_IDS[cluster], width=5,
                  className="small"),
        dbc.Col(dbc.Input(id=WEIGHT_IDS[cluster], type="number", min=0, max=qv.MAX_WEIGHT,
                          step=WEIGHT_STEP, value=value, size="sm",
                          debounce=WEIGHT_DEBOUNCE_MS), width=4),
        dbc.Col(html.Span(share, id=SHARE_IDS[cluster], className="small",
                          title="share of the total", **{"aria-live": "polite"}),
                width=3, className="pt-1"),
    ], className="mb-1 g-1")


def _controls(view: qv.QuadrantView, result: qf.QuadrantResult, waves: list[str]
              ) -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        dbc.Label("Areas", html_for=ids.QUAD_LEVEL),
        dbc.RadioItems(id=ids.QUAD_LEVEL, value=result.level,
                       options=[{"label": v, "value": k} for k, v in qv.LEVELS.items()]),
        dbc.Label("Survey wave", html_for=ids.QUAD_WAVE, className="mt-3"),
        dbc.RadioItems(id=ids.QUAD_WAVE, value=view.wave, inline=True,
                       options=[{"label": w, "value": w} for w in waves]),
        dbc.Label("Capacity axis (x)", html_for=ids.QUAD_X_MEASURE, className="mt-3"),
        dbc.RadioItems(id=ids.QUAD_X_MEASURE, value=view.x_measure,
                       options=[{"label": v, "value": k} for k, v in qv.X_MEASURES.items()]),
        html.Fieldset([
            html.Legend("Weights of the capacity index", className="fs-6 fw-semibold mt-3"),
            html.P("Relative weights, 0 or more; rescaled to sum to 100 %.",
                   className="small text-muted mb-1"),
            *[_weight_row(c, view.weights[c], share)
              for c, share in zip(WEIGHT_IDS, _shares(result), strict=True)],
            dbc.Button("Reset to equal weights", id=ids.QUAD_RESET_WEIGHTS, size="sm",
                       color="secondary", outline=True, className="mt-1"),
            html.Div(result.weight_message, id=ids.QUAD_WEIGHT_MESSAGE,
                     className="small text-danger mt-1", role="alert"),
        ]),
    ]))


def layout(**params) -> html.Div:
    """Lay out the quadrant page in the view state the URL encodes."""
    waves = qv.survey_waves(indicator_periods(services.engine()))
    if not waves:
        return html.Div([html.H1("Capacity and support use", className="h3"),
                         dbc.Alert("No survey wave is loaded: import one with "
                                   "`sasci-map import survey`.", color="warning")])
    view = qv.parse_view(params, waves)
    result = qf.build_view(_values(), view, services.data_dir())
    demo = (dbc.Badge(SYNTHETIC_LABEL, color="warning", text_color="dark", className="ms-2")
            if result.synthetic else None)
    return html.Div([
        dcc.Location(id=ids.QUAD_URL, refresh=False),
        html.H1(["Capacity and support use", demo], className="h3"),
        html.P(["Each area is placed by its capacity for innovating (x) and by how many kinds "
                "of innovation support its organisations used (y). Dashed lines mark England; "
                "they split the chart into four quadrants. ",
                html.Strong(f"Survey figures are {SYNTHETIC_LABEL}.") if result.synthetic
                else None], id=ids.QUAD_DEMO_NOTICE, className="small"),
        dbc.Row([
            dbc.Col(_controls(view, result, waves), lg=3),
            dbc.Col([
                html.Div(_note(result.level_note), id=ids.QUAD_LEVEL_NOTE,
                         **{"aria-live": "polite"}),
                dcc.Graph(id=ids.QUAD_GRAPH, figure=result.figure, config=GRAPH_CONFIG,
                          className="border rounded"),
                html.P(result.caption, id=ids.QUAD_CAPTION, className="small mt-1",
                       **{"aria-live": "polite"}),
            ], lg=9),
        ]),
        html.Div([
            html.H2("Table of the chart", className="h5 mt-3 mb-0 me-3"),
            dbc.Button("Download CSV of every area", id=ids.QUAD_CSV_BUTTON, color="secondary",
                       outline=True, size="sm", className="mt-3"),
            dcc.Download(id=ids.QUAD_CSV_DOWNLOAD),
        ], className="d-flex align-items-baseline flex-wrap"),
        html.P("The placed areas with the numbers the chart shows. The rank interval shows how "
               "far an area's index rank moves when the weights vary around those chosen. The "
               "CSV has every area, placed or not, with reasons, weights and licence.",
               className="small text-muted"),
        dag.AgGrid(id=ids.QUAD_TABLE, columnDefs=TABLE_COLUMNS,
                   rowData=qv.table_rows(result.table), defaultColDef=COLUMN_DEFAULTS,
                   dashGridOptions={"animateRows": False, "domLayout": "autoHeight",
                                    "enableCellTextSelection": True,
                                    "suppressColumnVirtualisation": True},
                   className="ag-theme-alpine"),
        html.H2("Areas that cannot be placed", className="h5 mt-4"),
        html.P(qv.unplaced_summary(result.table, result.level), id=ids.QUAD_UNPLACED_SUMMARY,
               className="small", **{"aria-live": "polite"}),
        dag.AgGrid(id=ids.QUAD_UNPLACED_TABLE, columnDefs=UNPLACED_COLUMNS,
                   rowData=qv.unplaced_rows(result.table), defaultColDef=COLUMN_DEFAULTS,
                   dashGridOptions={"animateRows": False}, style=_unplaced_style(result),
                   className="ag-theme-alpine"),
        html.H2("Method", className="h5 mt-4", id="method"),
        html.P("Capacity is the overall capability score (mean agreement, 1 to 5, with fifteen "
               "capability statements) or, if chosen, the composite capacity index below. "
               "Support use is the mean number of the ten kinds of innovation support an "
               "organisation used in the last five years. Both come with 95% Student's t "
               "intervals; a figure from fewer than 5 organisations is suppressed.",
               className="small"),
        html.P(METHOD_TEXT, className="small"),
        html.P(html.A("Full method: the capacity index", href="/methods#capacity-index"),
               className="small"),
    ])


@callback(
    Output(ids.QUAD_GRAPH, "figure"),
    Output(ids.QUAD_CAPTION, "children"),
    Output(ids.QUAD_LEVEL_NOTE, "children"),
    Output(ids.QUAD_WEIGHT_MESSAGE, "children"),
    *[Output(i, "children") for i in SHARE_IDS.values()],
    Output(ids.QUAD_TABLE, "rowData"),
    Output(ids.QUAD_UNPLACED_SUMMARY, "children"),
    Output(ids.QUAD_UNPLACED_TABLE, "rowData"),
    Output(ids.QUAD_UNPLACED_TABLE, "style"),
    Output(ids.QUAD_URL, "search"),
    *VIEW_INPUTS,
    prevent_initial_call=True,
)
def update_view(level, wave, x_measure, *weights):
    """Recompute the scatter, weight shares, tables and URL for the chosen view."""
    view = _view(level, wave, x_measure, *weights)
    result = qf.build_view(_values(), view, services.data_dir())
    return (result.figure, result.caption, _note(result.level_note), result.weight_message,
            *_shares(result), qv.table_rows(result.table),
            qv.unplaced_summary(result.table, result.level), qv.unplaced_rows(result.table),
            _unplaced_style(result), view.query_string(result.level))


@callback(
    *[Output(i, "value") for i in WEIGHT_IDS.values()],
    Input(ids.QUAD_RESET_WEIGHTS, "n_clicks"),
    prevent_initial_call=True,
)
def on_reset_weights(_clicks):
    """Put every weight back to the default (equal weights)."""
    return tuple(DEFAULT_WEIGHTS[c] for c in WEIGHT_IDS)


@callback(
    Output(ids.QUAD_CSV_DOWNLOAD, "data"),
    Input(ids.QUAD_CSV_BUTTON, "n_clicks"),
    *VIEW_STATES,
    prevent_initial_call=True,
)
def on_download_csv(_clicks, level, wave, x_measure, *weights):
    """Send every area of the view (placed or not) with its numbers and reasons as CSV."""
    view = _view(level, wave, x_measure, *weights)
    result = qf.build_view(_values(), view, services.data_dir())
    frame = qv.export_frame(result.table, result.level, view.wave, view.x_measure,
                            result.weights, result.synthetic)
    return dcc.send_bytes(csv_bytes(frame), f"sasci-capacity-support-{result.level}-"
                                            f"{view.wave}.csv")
