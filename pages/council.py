"""Council profile (/council/<code>): every indicator against England and region, peers, trends.

An OHID Fingertips-style area profile: a spine chart per domain with the same figures in a
table, context data, change between survey waves, innovations and support organisations, and
the statistical neighbours. Old codes redirect to their successor; unknown codes get a friendly
not-found page with close names. Prints as a clean report (assets/print.css).
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, clientside_callback, dcc, html

from pages import http_status, ids, services
from pages.council_search import clean_code, search_box
from sasci_map import profile_views as views
from sasci_map.neighbours import METHOD_TEXT as NEIGHBOUR_METHOD
from sasci_map.spine import INTERVAL_NOTE, spine_figure

SITE = "SASCI capacity map"
SYNTHETIC = "synthetic demo data"
#: Chart options: no plotly toolbar (the table beneath gives the numbers), no zoom.
GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}
SPINE_TABLE_HEADERS = ("Indicator", "Period", "Value", "95% CI",
                       "Organisations (numerator of denominator)", "England", "Region",
                       "vs England", "vs region", "Trend")
CONTEXT_TABLE_HEADERS = ("Indicator", "Period", "Value", "Rank among councils (1 = highest)",
                         "Median of councils")


def title(code: str = "", **_params) -> str:
    """Return the browser title: the council's name, or what the address turned out to be."""
    try:
        target = views.profile_target(clean_code(code), services.data_dir())
    except RuntimeError:  # no application context (registry checks at start-up)
        return f"Council profile — {SITE}"
    if target["kind"] == views.TARGET_COUNCIL:
        return f"{target['name']} — council profile — {SITE}"
    if target["kind"] == views.TARGET_REDIRECT:
        return f"Opening {target['name']} — council profile — {SITE}"
    if target["kind"] == views.TARGET_CHOICE:
        return f"Choose a council — council profile — {SITE}"
    return f"Council not found — {SITE}"


#: The query parameter naming what was asked for when an address led to another council.
FROM_PARAM = "from"


def _current_address(target: dict) -> tuple[str, str]:
    """Return the path and query of a redirect target's profile, saying what was asked for.

    The query is empty when there is nothing to say (only the code's letters were changed).
    """
    search = f"?{urlencode({FROM_PARAM: target['input']})}" if target["note"] else ""
    return f"/council/{target['code']}", search


def status(code: str = "", **_params) -> http_status.Answer:
    """Return the address's HTTP answer: 404 if no council, a redirect if named another way."""
    target = views.profile_target(clean_code(code), services.data_dir())
    if target["kind"] == views.TARGET_REDIRECT:
        return http_status.moved_to("".join(_current_address(target)))
    return http_status.MISSING if target["kind"] == views.TARGET_UNKNOWN else http_status.SERVED


dash.register_page(__name__, path_template="/council/<code>", name="Council profile",
                   title=title, nav=False, http_status=status)


def _table(headers, rows, table_id=None, **kwargs) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in headers]))
    extra = {"id": table_id} if table_id else {}
    return dbc.Table([head, html.Tbody(rows)], striped=True, size="sm", responsive=True,
                     className="small", **extra, **kwargs)


def _council_link(code: str, name: str) -> dcc.Link:
    return dcc.Link(name, href=f"/council/{code}")


# ---- pages that are not a profile -------------------------------------------------------------

def _reason(note: str) -> str:
    """Return the resolver's note without its suggestions (the page lists them as links)."""
    return note.split("; did you mean")[0].rstrip(".")


def _not_found(target: dict) -> html.Div:
    shown = target["input"]
    options = target["options"]
    suggestions = (
        [html.P("Did you mean:"),
         html.Ul([html.Li([_council_link(c, n), f" ({c})"]) for c, n in options],
                 id=ids.COUNCIL_SUGGESTIONS)]
        if options else [html.P("No council has a similar name or code.",
                                id=ids.COUNCIL_SUGGESTIONS)])
    return html.Div([
        html.H1("Council not found", className="h3", id=ids.COUNCIL_TITLE),
        dbc.Alert([html.P([f"No English council with adult social services has the code or "
                           f"name “{shown}”."], className="mb-1"),
                   html.P(f"The council resolver says: {_reason(target['note'])}.",
                          className="mb-0 small")],
                  color="info", id=ids.COUNCIL_NOT_FOUND),
        *suggestions,
        search_box(),
    ])


def _redirect(target: dict) -> html.Div:
    path, search = _current_address(target)
    return html.Div([
        dcc.Location(id=ids.COUNCIL_REDIRECT_LOCATION, pathname=path, search=search,
                     refresh=True),
        html.H1(f"Opening {target['name']}", className="h3", id=ids.COUNCIL_TITLE),
        dbc.Alert([f"“{target['input']}” is not a current council code ({target['note']}); "
                   f"opening {target['name']} ({target['code']})… ",
                   dcc.Link(f"Open {target['name']}", href=path)],
                  color="info", id=ids.COUNCIL_REDIRECT),
    ])


def _choice(target: dict) -> html.Div:
    return html.Div([
        html.H1("Choose a council", className="h3", id=ids.COUNCIL_TITLE),
        dbc.Alert(f"“{target['input']}” could mean more than one council: {target['note']}.",
                  color="info", id=ids.COUNCIL_REDIRECT),
        html.P("Open the profile of:"),
        html.Ul([html.Li([_council_link(c, n), f" ({c})"]) for c, n in target["options"]],
                id=ids.COUNCIL_SUCCESSORS),
        search_box(),
    ])


# ---- the profile ------------------------------------------------------------------------------

def _header(head: dict, notice: list) -> list:
    """Return the back link, print button, name, identity, ``notice`` and survey response."""
    waves = [html.Tr([
        html.Td(str(w["wave"])),
        html.Td("yes" if w["council_took_part"] else "no"),
        html.Td(str(w["n_providers"])),
        html.Td(SYNTHETIC if w["synthetic"] else "survey responses"),
    ]) for w in head["waves"]]
    identity = html.P([
        head["council_type"], " · ",
        dcc.Link(head["region_name"], href=f"/?region={head['region_code']}",
                 title=f"Show {head['region_name']} on the map"),
        " · GSS code ", html.Code(head["code"]),
    ], id=ids.COUNCIL_IDENTITY, className="mb-2")
    return [
        html.Div([
            html.P(dcc.Link("← Map", href=f"/?council={head['code']}"), className="small mb-1"),
            html.Button("Print this profile", id=ids.COUNCIL_PRINT, n_clicks=0,
                        className="btn btn-outline-secondary btn-sm float-end"),
            dcc.Store(id=ids.COUNCIL_PRINT_DONE),
        ], className="no-print"),
        html.H1(head["name"], className="h3", id=ids.COUNCIL_TITLE),
        identity,
        *notice,
        html.H2("Survey response", className="h6 mt-3"),
        _table(("Wave", "Council organisation took part", "Provider organisations that took "
                "part", "Data"), waves, ids.COUNCIL_WAVES, style={"maxWidth": "44rem"})
        if waves else html.P("No survey wave is loaded.", id=ids.COUNCIL_WAVES),
    ]


def _contents() -> html.Nav:
    sections = (("survey", "Survey indicators"), ("context", "Context data"),
                ("trends", "Change between waves"), ("innovation", "Innovations and support"),
                ("neighbours", "Statistical neighbours"))
    return html.Nav([html.Span("On this page: ", className="fw-semibold"),
                     *[item for key, label in sections
                       for item in (html.A(label, href=f"#section-{key}"), " · ")][:-1]],
                    className="small my-2 no-print", **{"aria-label": "On this page"})


def _legend() -> html.Div:
    return html.Div([
        html.P([html.Strong("How to read the spine charts. "),
                "Each row is one indicator. The black centre line is England. The light grey "
                "bar runs from the lowest to the highest council, the dark grey bar from the "
                "25th to the 75th percentile; where fewer than "
                f"{views.MIN_COUNCILS_FOR_RANGE} councils have a value (most survey "
                "indicators, with the demo data), the council range cannot be shown and an "
                "outlined bar gives the range of the 9 regions instead. The orange diamond is "
                "the region, the circle this council with its 95% confidence interval, "
                "coloured by its comparison with England: blue better, yellow similar, "
                "vermillion worse, dark or light purple higher or lower where an indicator "
                "has no better direction, white not compared. The words beside each row say "
                "the same, and say why when the council has no value."], className="mb-1"),
        html.P([html.Strong("Better is to the right "),
                "(as in OHID Fingertips): where lower is better (e.g. barriers) the scale is "
                "reversed; where an indicator has no better direction, higher values are to "
                "the right. Each row has its own scale, centred on England, so a row shows "
                "where the council sits, not the size of the number. "
                f"{INTERVAL_NOTE}"], className="mb-0"),
    ], id=ids.COUNCIL_SPINE_LEGEND, className="small text-muted mb-3")


def _spine_table(rows: pd.DataFrame, group: str) -> dbc.Table:
    table = views.table_rows(rows)
    body = [html.Tr([
        html.Td(html.A(r.indicator, href=f"/methods#indicator-{r.indicator_id}")),
        html.Td(r.period), html.Td(r.value), html.Td(r.interval), html.Td(r.count),
        html.Td(r.england), html.Td(r.region), html.Td(r.vs_england), html.Td(r.vs_region),
        html.Td(r.trend),
    ]) for r in table.itertuples(index=False)]
    return _table(SPINE_TABLE_HEADERS, body, f"{ids.COUNCIL_SPINE_TABLE}-{group}")


def _context_table(rows: pd.DataFrame, group: str) -> dbc.Table:
    table = views.table_rows(rows)
    body = [html.Tr([
        html.Td(html.A(t.indicator, href=f"/methods#indicator-{t.indicator_id}")),
        html.Td(t.period), html.Td(t.value), html.Td(t.rank),
        html.Td(views.number_text(r.council_median, r.unit) if pd.notna(r.council_median)
                else ""),
    ]) for t, r in zip(table.itertuples(index=False), rows.itertuples(index=False), strict=True)]
    return _table(CONTEXT_TABLE_HEADERS, body, f"{ids.COUNCIL_SPINE_TABLE}-{group}")


def _spine_block(rows: pd.DataFrame, head: dict, table) -> html.Section:
    group = rows["group"].iloc[0]
    figure = spine_figure(rows, region_name=head["region_name"], council_name=head["name"])
    note = []
    if rows["range_basis"].eq(views.RANGE_REGIONS).any():
        most = int(rows["n_councils"].max())
        note = [html.P(f"Council range cannot be shown: at most {most} of 153 councils have a "
                       "value for these indicators (the rest are suppressed or did not "
                       "respond); the outlined bars are the range of the 9 regions.",
                       className="small text-muted mb-1")]
    return html.Section([
        html.H3(rows["group_label"].iloc[0], className="h6 mt-3"),
        *note,
        dcc.Graph(id=f"{ids.COUNCIL_SPINE}-{group}", figure=figure, config=GRAPH_CONFIG,
                  className="spine-graph"),
        html.Details([html.Summary("Table: the same figures"), table(rows, group)], open=True,
                     className="spine-table"),
    ], className="spine-block")


def _survey_section(rows: pd.DataFrame, head: dict) -> html.Section:
    survey = rows.loc[rows["survey"]]
    blocks = [_spine_block(group, head, _spine_table)
              for _, group in survey.groupby("group", sort=False)]
    return html.Section([
        html.H2("Survey indicators against England", className="h4 mt-4",
                id="section-survey"),
        dbc.Alert([html.Strong("Synthetic demo data. "),
                   "These survey figures are computed from synthetic demo data in the shape of "
                   "the SASCI survey: they say nothing about this council. Latest wave shown; "
                   "a figure from fewer than 5 organisations is suppressed."],
                  color="warning", id=ids.COUNCIL_DEMO_NOTICE),
        _legend(),
        *blocks,
    ], className="profile-section")


def _context_note(context: pd.DataFrame) -> str:
    """Say how the context charts are centred and compared, from what is loaded."""
    if context["england_value"].notna().all():
        return "Charts are centred on England. Ranks: 1 = the highest value."
    return ("Where no England figure is loaded, a chart is centred on the median of the "
            "councils; figures without a confidence interval are not compared with England. "
            "Ranks: 1 = the highest value.")


def _context_section(rows: pd.DataFrame, head: dict) -> html.Section:
    context = rows.loc[~rows["survey"]]
    blocks = [_spine_block(group, head, _context_table)
              for _, group in context.groupby("group", sort=False)]
    return html.Section([
        html.H2("Context data", className="h4 mt-4", id="section-context"),
        html.P(["Published data about the council's population, deprivation and adult "
                "social care outcomes. ", _context_note(context)], className="small text-muted"),
        *blocks,
    ], className="profile-section", id=ids.COUNCIL_CONTEXT)


def _change(value, lower, upper, unit) -> str:
    """Format a change and its interval; shares change in percentage points ("pp")."""
    if pd.isna(value):
        return ""
    points = str(unit).startswith("%")

    def text(x) -> str:
        return f"{x:.1f}" if points else views.number_text(x, unit)

    sign = "+" if value > 0 else ""
    suffix = " pp" if points else ""
    return f"{sign}{text(value)}{suffix} ({text(lower)} to {text(upper)}{suffix})"


def _trend_section(trends: pd.DataFrame, head: dict) -> html.Section:
    if trends.empty:
        return html.Section([html.H2("Change between waves", className="h4 mt-4",
                                     id="section-trends"),
                             html.P("Fewer than two survey waves are loaded.")],
                            id=ids.COUNCIL_TRENDS)
    first, last = trends["from_period"].iloc[0], trends["to_period"].iloc[0]
    n_council = int(trends["council_trend"].astype(bool).sum())

    def pair(a, b, unit):
        return "" if pd.isna(a) else f"{views.number_text(a, unit)} → {views.number_text(b, unit)}"

    body = [html.Tr([
        html.Td(r.indicator),
        html.Td(pair(r.council_from, r.council_to, r.unit)),
        html.Td(_change(r.council_change, r.council_lower, r.council_upper, r.unit)),
        html.Td(r.council_trend or f"not available ({r.council_why})"),
        html.Td(pair(r.region_from, r.region_to, r.unit)),
        html.Td(_change(r.region_change, r.region_lower, r.region_upper, r.unit)),
        html.Td(r.region_trend or "not available"),
    ]) for r in trends.itertuples(index=False)]
    summary = (f"{n_council} of {len(trends)} survey indicators have a value for "
               f"{head['name']} in both {first} and {last}; for the others the council's "
               "change cannot be shown (the reason is given for each) and the region's "
               "change is the nearest guide." if n_council else
               f"{head['name']} has no survey indicator with a value in both {first} and "
               f"{last} (suppressed or no response in at least one wave), so its change "
               f"cannot be shown; the {head['region_name']} figures show the region's change.")
    return html.Section([
        html.H2(f"Change between waves ({first} to {last})", className="h4 mt-4",
                id="section-trends"),
        html.P([summary, " Changes are flagged improved or worsened only when the 95% "
                "confidence interval of the change excludes zero (Newcombe's method for "
                "proportions; a normal interval from each wave's standard error for "
                "means); pp = percentage points. Survey figures are "
                f"{SYNTHETIC}."], className="small text-muted"),
        _table(("Indicator", f"Council {first} → {last}", "Change (95% CI)", "Council trend",
                f"Region {first} → {last}", "Region change (95% CI)", "Region trend"),
               body, ids.COUNCIL_TRENDS),
    ], className="profile-section")


def _innovation_section(innovations: pd.DataFrame, support: pd.DataFrame) -> html.Section:
    def demo(flag) -> str:
        return " (demo data)" if bool(flag) else ""

    def years(r) -> str:
        end = "" if pd.isna(r.end_year) else str(int(r.end_year))
        return f"since {int(r.start_year)}" if not end else f"{int(r.start_year)}–{end}"

    innovation_items = [html.Li([html.A(r.name, href=f"/innovation/{r.innovation_id}"),
                                 f" — {'in use' if r.in_use else 'not in use now'}, "
                                 f"{years(r)}{demo(r.synthetic)}"])
                        for r in innovations.itertuples(index=False)]
    levels = {"council": "covers this council", "region": "covers the region",
              "national": "national"}
    support_items = [html.Li([html.A(r.name, href=f"/infrastructure/{r.org_id}"),
                              f" — {levels.get(r.level, r.level)}{demo(r.synthetic)}"])
                     for r in support.itertuples(index=False)]
    return html.Section([
        html.H2("Innovations and support", className="h4 mt-4", id="section-innovation"),
        html.P("From the project's inventories. Rows marked (demo data) are synthetic: they "
               "are not facts about this council.", className="small text-muted"),
        dbc.Row([
            dbc.Col([html.H3(f"Innovations recorded here ({len(innovations)})", className="h6"),
                     html.Ul(innovation_items, id=ids.COUNCIL_INNOVATIONS) if innovation_items
                     else html.P("No innovation in the inventory is recorded in this council.",
                                 id=ids.COUNCIL_INNOVATIONS)], lg=6),
            dbc.Col([html.H3(f"Support organisations covering it ({len(support)})",
                             className="h6"),
                     html.Ul(support_items, id=ids.COUNCIL_SUPPORT) if support_items
                     else html.P("No support organisation in the inventory covers it.",
                                 id=ids.COUNCIL_SUPPORT)], lg=6),
        ]),
    ], className="profile-section")


def _neighbour_section(head: dict, neighbours: pd.DataFrame,
                       comparison: pd.DataFrame) -> html.Section:
    items = [html.Li([_council_link(r.code, r.name), f" ({r.council_type}, {r.region_name})"])
             for r in neighbours.itertuples(index=False)]

    def number(value, unit) -> str:
        return "" if pd.isna(value) else views.number_text(value, unit)

    rows = [html.Tr([
        html.Td(r.indicator), html.Td(r.period),
        html.Td(number(r.value, r.unit) or r.state),
        html.Td(number(r.neighbours_median, r.unit)),
        html.Td(f"{number(r.neighbours_min, r.unit)} to {number(r.neighbours_max, r.unit)}"
                if pd.notna(r.neighbours_min) else "no neighbour has a value"),
        html.Td(f"{int(r.rank)} of {r.n_with_value}" if pd.notna(r.rank) and r.n_with_value > 1
                else "not ranked"),
    ]) for r in comparison.itertuples(index=False)]
    return html.Section([
        html.H2("Statistical neighbours", className="h4 mt-4", id="section-neighbours"),
        html.P(NEIGHBOUR_METHOD, className="small text-muted"),
        html.P(dcc.Link(f"Compare {head['name']} with its neighbours",
                        href=f"/compare?neighbours={head['code']}", id=ids.COUNCIL_COMPARE_LINK,
                        className="btn btn-outline-primary btn-sm"), className="no-print"),
        dbc.Row([
            dbc.Col([html.H3(f"The {len(neighbours)} most similar councils, most similar first",
                             className="h6"),
                     html.Ol(items, id=ids.COUNCIL_NEIGHBOURS, className="small")], lg=5),
            dbc.Col([html.H3("This council among its neighbours", className="h6"),
                     _table(("Indicator", "Period", head["name"], "Neighbours' median",
                             "Neighbours' range", "Rank (1 = highest)"), rows,
                            ids.COUNCIL_NEIGHBOUR_COMPARISON),
                     html.P(f"Rank among {head['name']} and the neighbours with a value. "
                            f"The capability score is {SYNTHETIC}.",
                            className="small text-muted")], lg=7),
        ]),
    ], className="profile-section")


def _asked_for(code: str, asked: object) -> list:
    """Say what the address asked for when it led here (an old code, a district, a name)."""
    target = views.profile_target(clean_code(asked), services.data_dir())
    if target["kind"] != views.TARGET_REDIRECT or target["code"] != code or not target["note"]:
        return []  # not a way of naming this council, or only its code in other letters
    return [dbc.Alert(f"You asked for “{target['input']}”: {target['note']}.", color="info",
                      id=ids.COUNCIL_REDIRECTED_FROM, className="py-2 small no-print")]


def _profile(code: str, asked: object = None) -> html.Div:
    engine, data_dir = services.engine(), services.data_dir()
    head = views.council_header(engine, code, data_dir)
    rows = views.spine_rows(engine, code, data_dir)
    return html.Div([
        *_header(head, _asked_for(code, asked)),
        _contents(),
        _survey_section(rows, head),
        _context_section(rows, head),
        _trend_section(views.trend_table(engine, code, data_dir), head),
        _innovation_section(views.innovations_in(engine, code),
                            views.support_covering(engine, code, data_dir)),
        _neighbour_section(head, views.neighbour_list(code, data_dir),
                           views.neighbour_comparison(engine, code, data_dir)),
    ], className="council-profile")


def layout(code: str = "", **params) -> html.Div:
    """Lay out a council's profile, a redirect for an old code, or a not-found page.

    ``from`` (in the query) is what the address first asked for when it led here: the profile
    says how it was resolved.
    """
    target = views.profile_target(clean_code(code), services.data_dir())
    kind = target["kind"]
    if kind == views.TARGET_COUNCIL:
        return _profile(target["code"], params.get(FROM_PARAM))
    if kind == views.TARGET_REDIRECT:
        return _redirect(target)
    if kind == views.TARGET_CHOICE:
        return _choice(target)
    return _not_found(target)


clientside_callback(
    "function(n) { if (n) { window.print(); } return n; }",
    Output(ids.COUNCIL_PRINT_DONE, "data"),
    Input(ids.COUNCIL_PRINT, "n_clicks"),
    prevent_initial_call=True,
)
