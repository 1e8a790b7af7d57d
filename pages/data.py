"""Data page (/data): filter the tidy indicator table, preview it, download CSV/XLSX/GeoJSON."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from pages import ids, services
from sasci_map import db, export_geojson, export_xlsx, exports, survey_store
from sasci_map.indicators import DOMAIN_LABELS, catalogue
from sasci_map.tidy import TIDY_COLUMNS

dash.register_page(__name__, order=7, path="/data", name="Data",
                   title="Data downloads — SASCI capacity map")

#: Rows the preview grid shows; the downloads always hold every matching row.
PREVIEW_ROWS = 200
#: Longest error text shown to a person (the library's messages list every known value).
MESSAGE_CHARS = 300
LEVEL_LABELS = {"council": "Councils (153)", "region": "Regions (9)", "england": "England"}
TABLE_LABELS = {
    "indicators": "Indicator table (the filters above apply)",
    "councils": "Councils: the 153 councils with their codes and regions",
    "innovations": "Innovations inventory: one row per innovation and council",
    "infrastructure": "Infrastructure inventory: one row per organisation and area",
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_COLUMNS = [{"field": c, "headerName": c, "minWidth": 110,
                    "tooltipField": c if c in ("indicator", "method", "status_reason") else None}
                   for c in TIDY_COLUMNS]
COLUMNS_NOTE = (
    "Each row is one indicator for one area (a council, a region or England) in one period. "
    "`status` says what the row holds: `value` is a real figure (a zero included), with its "
    "`numerator`, `denominator` and `lower` and `upper` 95% limits where the method gives them; "
    "`suppressed` means fewer than 5 responding organisations are behind the figure, or it was "
    "withheld so that another could not be worked out by subtraction; `no_response` means no "
    "organisation in the area answered the survey; `missing` means the source has no figure, "
    "and `status_reason` says why. Rows that are not values carry no numbers, never a zero. "
    "`vs_england` and `vs_region` compare the figure's interval with England's and its "
    "region's value: better, similar or worse when the indicator has a direction (`polarity`), "
    "higher, similar or lower when it is neutral, and blank when not compared. `synthetic` is "
    "true for figures computed from synthetic demo data, not real responses.")


def indicator_options(definitions) -> list[dict]:
    """Return the indicator selector's options, grouped by domain in the selector's order."""
    order = {domain: i for i, domain in enumerate(DOMAIN_LABELS)}
    rows = sorted(definitions.itertuples(index=False),
                  key=lambda r: (order.get(r.domain, len(order)), r.sort_order))
    return [{"label": f"{DOMAIN_LABELS.get(r.domain, r.domain)} · {r.label}",
             "value": r.indicator_id} for r in rows]


def period_options(engine) -> list[dict]:
    """Return the periods present in the database, survey waves first, newest first."""
    present: set[str] = set()
    for level in db.AREA_LEVELS:
        present |= set(db.read_values(engine, area_level=level)["period"])
    waves = {str(w.wave): w.synthetic for w in survey_store.read_waves(engine).itertuples()}
    ordered = sorted(present & waves.keys(), reverse=True) + sorted(present - waves.keys())
    return [{"label": f"{p} survey wave" + (f" ({exports.SYNTHETIC_LABEL})" if waves[p] else "")
             if p in waves else f"{p} (published data)", "value": p} for p in ordered]


def _with_code(text: str) -> list:
    """Render the `backticked` column names of ``text`` as code."""
    return [html.Code(part) if i % 2 else part for i, part in enumerate(text.split("`"))]


def _records(frame) -> list[dict]:
    """Rows for the grid: missing numbers as nulls, never NaN."""
    head = frame.head(PREVIEW_ROWS).astype(object)
    return head.where(head.notna(), None).to_dict("records")


def _cannot(err: Exception) -> str:
    text = str(err)
    return "Cannot build the table: " + (text if len(text) <= MESSAGE_CHARS
                                         else text[:MESSAGE_CHARS] + "…")


def _filter_problem(indicators, levels, periods) -> str | None:
    """Say what is missing from the filters, or None when each has a choice."""
    for name, chosen in (("indicator", indicators), ("level", levels), ("period", periods)):
        if not chosen:
            return f"Choose at least one {name} to build the indicator table."
    return None


def _indicator_frame(indicators, levels, periods):
    """Return (frame, None) for the filters, or (None, a message saying why not)."""
    problem = _filter_problem(indicators, levels, periods)
    if problem:
        return None, problem
    try:
        frame = exports.table_frame(services.engine(), "indicators", indicators, levels,
                                    periods, services.data_dir())
    except ValueError as err:
        return None, _cannot(err)
    if frame.empty:
        return None, ("No figures match: the chosen indicators have no rows for these levels "
                      "and periods (context data have one period, survey indicators one per "
                      "wave).")
    return frame, None


def period_slug(periods) -> str:
    """Return the file-name part for the chosen periods (``2025``, ``2023_2025``…)."""
    chosen = sorted(periods or [])
    if not chosen:
        return "all-periods"
    if len(chosen) > 3:
        present = {o["value"] for o in period_options(services.engine())}
        return "all-periods" if set(chosen) >= present else "selected-periods"
    return "_".join(chosen)


def preview(indicators, levels, periods) -> tuple[list[dict], str]:
    """Return the preview rows and a sentence with the row count, or why there are none."""
    frame, problem = _indicator_frame(indicators, levels, periods)
    if problem:
        return [], problem
    if len(frame) <= PREVIEW_ROWS:
        return _records(frame), f"{len(frame):,} rows match, all shown below."
    return _records(frame), (f"{len(frame):,} rows match; the preview shows the first "
                             f"{PREVIEW_ROWS:,}. The downloads hold all {len(frame):,}.")


def csv_download(table, indicators, levels, periods) -> tuple:
    """Return the Download payload of one table as CSV, and a message."""
    if table not in exports.TABLES:
        return dash.no_update, (f"Unknown table {table!r}: choose one of "
                                f"{', '.join(exports.TABLES)}.")
    if table == "indicators":
        frame, problem = _indicator_frame(indicators, levels, periods)
        if problem:
            return dash.no_update, problem
        name = f"sasci-indicators-{period_slug(periods)}.csv"
    else:
        frame = exports.table_frame(services.engine(), table, data_dir=services.data_dir())
        name = f"sasci-{table}.csv"
    payload = dcc.send_bytes(exports.csv_bytes(frame), name, type="text/csv")
    return payload, f"Downloaded {name}: {len(frame):,} rows."


def xlsx_download(indicators, levels, periods) -> tuple:
    """Return the Download payload of the workbook (every table, the filters applied)."""
    problem = _filter_problem(indicators, levels, periods)
    if problem:
        return dash.no_update, problem
    try:
        content = export_xlsx.workbook_bytes(services.engine(), indicators, levels, periods,
                                             services.data_dir())
    except ValueError as err:
        return dash.no_update, _cannot(err)
    name = f"sasci-data-{period_slug(periods)}.xlsx"
    return dcc.send_bytes(content, name, type=XLSX_TYPE), f"Downloaded {name}."



def geojson_note(indicators) -> tuple[bool, str]:
    """Return whether the GeoJSON button is disabled, and the sentence explaining it."""
    count = len(indicators or [])
    if count == 1:
        return False, ("GeoJSON: the 153 council boundaries with this indicator's values, for "
                       "the chosen period (the latest when several are chosen).")
    return True, ("GeoJSON maps one indicator at a time: choose exactly one indicator to "
                  f"enable it ({count} chosen).")


def geojson_download(indicators, periods) -> tuple:
    """Return the Download payload of the council boundaries with one indicator's values."""
    disabled, note = geojson_note(indicators)
    if disabled:
        return dash.no_update, note
    period = periods[0] if periods and len(periods) == 1 else None
    try:
        content = export_geojson.geojson_bytes(services.engine(), indicators[0], period,
                                               services.data_dir())
    except (ValueError, KeyError) as err:
        return dash.no_update, _cannot(err)
    name = f"sasci-{indicators[0]}-{period or 'latest'}.geojson"
    return dcc.send_bytes(content, name, type="application/geo+json"), f"Downloaded {name}."


def _initial_indicators(params: dict, known: list[str]) -> list[str]:
    """Return the known ids of ``?indicators=a,b``, else the first in selector order."""
    asked = [i for i in str(params.get("indicators", ""))[:2000].split(",") if i in known]
    return list(dict.fromkeys(asked)) or known[:1]


def _fieldset(legend: str, control) -> html.Fieldset:
    return html.Fieldset([html.Legend(legend, className="form-label fs-6 mb-1"), control],
                         className="mt-3")


def _controls(options, chosen, period_opts) -> dbc.Card:
    disabled, note = geojson_note(chosen)
    button = "btn btn-primary me-2 mb-2"
    return dbc.Card(dbc.CardBody([
        dbc.Label("Indicators", html_for=ids.DATA_INDICATORS),
        dcc.Dropdown(id=ids.DATA_INDICATORS, options=options, value=chosen, multi=True,
                     searchable=True, closeOnSelect=False, maxHeight=320,
                     placeholder="Choose one or more indicators"),
        _fieldset("Area levels", dbc.Checklist(
            id=ids.DATA_LEVELS, value=list(LEVEL_LABELS), inline=True,
            options=[{"label": v, "value": k} for k, v in LEVEL_LABELS.items()])),
        _fieldset("Periods and survey waves", dbc.Checklist(
            id=ids.DATA_PERIODS, options=period_opts, value=[o["value"] for o in period_opts])),
        _fieldset("Table for the CSV download", dbc.RadioItems(
            id=ids.DATA_TABLE_CHOICE, value="indicators",
            options=[{"label": v, "value": k} for k, v in TABLE_LABELS.items()])),
        html.H2("Download", className="h6 mt-3"),
        html.Button("CSV", id=ids.DATA_CSV_BUTTON, className=button),
        html.Button("XLSX workbook", id=ids.DATA_XLSX_BUTTON, className=button),
        html.Button("GeoJSON", id=ids.DATA_GEOJSON_BUTTON, className=button, disabled=disabled,
                    **{"aria-describedby": ids.DATA_GEOJSON_NOTE}),
        html.P(note, id=ids.DATA_GEOJSON_NOTE, className="small text-muted mb-1"),
        html.P("The XLSX workbook holds every table (the filters applied to the indicator "
               "table), with definitions, a codebook and notes.", className="small text-muted"),
        html.Div(id=ids.DATA_DOWNLOAD_MESSAGE, className="small", role="status"),
        dcc.Download(id=ids.DATA_DOWNLOAD),
    ]))


def layout(**params) -> html.Div:
    """Lay out the Data page: filters, a preview of the indicator table, downloads, licence."""
    engine = services.engine()
    options = indicator_options(catalogue(engine))
    chosen = _initial_indicators(params, [o["value"] for o in options])
    period_opts = period_options(engine)
    rows, summary = preview(chosen, list(LEVEL_LABELS), [o["value"] for o in period_opts])
    synthetic = bool(survey_store.read_waves(engine)["synthetic"].any())
    notice = [dbc.Alert([html.Strong("Synthetic demo data. "),
                         "The survey waves in this database are synthetic demo data generated by "
                         "this project in the shape of the SASCI survey, not real responses; "
                         "their rows carry synthetic = true in every download."],
                        id=ids.DATA_DEMO_NOTICE, color="warning")] if synthetic else []
    return html.Div([
        html.H1("Data downloads", className="h3"),
        *notice,
        dbc.Row([
            dbc.Col(_controls(options, chosen, period_opts), lg=4),
            dbc.Col([
                html.H2("Preview of the indicator table", className="h5"),
                html.P(summary, id=ids.DATA_PREVIEW_SUMMARY, className="small fw-semibold",
                       **{"aria-live": "polite"}),
                html.P(_with_code(COLUMNS_NOTE), id=ids.DATA_COLUMNS_NOTE, className="small"),
                dag.AgGrid(id=ids.DATA_PREVIEW, columnDefs=PREVIEW_COLUMNS, rowData=rows,
                           defaultColDef={"sortable": True, "resizable": True},
                           dashGridOptions={"animateRows": False, "tooltipShowDelay": 300},
                           style={"height": "520px"}, className="ag-theme-alpine"),
            ], lg=8),
        ]),
        html.H2("Licence, attribution and citation", className="h5 mt-4"),
        html.Ul([html.Li(line) for line in exports.licence_lines(synthetic)],
                id=ids.DATA_LICENCE, className="small"),
    ])


@callback(
    Output(ids.DATA_PREVIEW, "rowData"),
    Output(ids.DATA_PREVIEW_SUMMARY, "children"),
    Input(ids.DATA_INDICATORS, "value"),
    Input(ids.DATA_LEVELS, "value"),
    Input(ids.DATA_PERIODS, "value"),
    prevent_initial_call=True,
)
def update_preview(indicators, levels, periods):
    """Show the first rows of the filtered indicator table and how many match."""
    return preview(indicators, levels, periods)


@callback(
    Output(ids.DATA_GEOJSON_BUTTON, "disabled"),
    Output(ids.DATA_GEOJSON_NOTE, "children"),
    Input(ids.DATA_INDICATORS, "value"),
    prevent_initial_call=True,
)
def update_geojson_button(indicators):
    """Enable the GeoJSON download only when exactly one indicator is chosen."""
    return geojson_note(indicators)


_FILTERS = (State(ids.DATA_INDICATORS, "value"), State(ids.DATA_LEVELS, "value"),
            State(ids.DATA_PERIODS, "value"))
_OUTPUTS = (Output(ids.DATA_DOWNLOAD, "data", allow_duplicate=True),
            Output(ids.DATA_DOWNLOAD_MESSAGE, "children", allow_duplicate=True))


@callback(*_OUTPUTS, Input(ids.DATA_CSV_BUTTON, "n_clicks"),
          State(ids.DATA_TABLE_CHOICE, "value"), *_FILTERS, prevent_initial_call=True)
def on_csv_click(_clicks, table, indicators, levels, periods):
    """Send the chosen table as CSV."""
    return csv_download(table, indicators, levels, periods)


@callback(*_OUTPUTS, Input(ids.DATA_XLSX_BUTTON, "n_clicks"), *_FILTERS,
          prevent_initial_call=True)
def on_xlsx_click(_clicks, indicators, levels, periods):
    """Send the workbook of every table, the filters applied."""
    return xlsx_download(indicators, levels, periods)


@callback(*_OUTPUTS, Input(ids.DATA_GEOJSON_BUTTON, "n_clicks"), *_FILTERS,
          prevent_initial_call=True)
def on_geojson_click(_clicks, indicators, _levels, periods):
    """Send the council boundaries with the one chosen indicator's values."""
    return geojson_download(indicators, periods)
