"""Support organisation page (/infrastructure/<org_id>): type, functions, coverage, provenance."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from pages import http_status, ids, services
from sasci_map import infrastructure_views as views

SITE = "SASCI capacity map"
#: Longest organisation id shown back to the user (real ids are far shorter).
MAX_ID_LENGTH = 80


def _title(org_id: str = "", **_params) -> str:
    """Return the browser title: the organisation's name when it is known."""
    try:
        name = views.organisation_names(services.engine()).get(org_id)
    except RuntimeError:  # no application context (e.g. registry checks at start-up)
        name = None
    return f"{name or 'Organisation not found'} — Support infrastructure — {SITE}"


def status(org_id: str = "", **_params) -> http_status.Answer:
    """Return the address's HTTP answer: 404 when no support organisation has this id."""
    known = org_id in views.organisation_names(services.engine())
    return http_status.SERVED if known else http_status.MISSING


dash.register_page(__name__, path_template="/infrastructure/<org_id>",
                   name="Support organisation", title=_title, nav=False, http_status=status)


def _back() -> html.P:
    return html.P(dcc.Link("← All support infrastructure", href="/infrastructure"),
                  className="small")


def _demo(tag: bool) -> str:
    return " (demo data)" if tag else ""


def _coverage(detail: dict) -> list:
    parts: list = [html.P(f"Covers {detail['n_councils_covered']} of 153 councils.",
                          className="fw-semibold")]
    if detail["national"]:
        parts.append(html.P("National: works across England (every council)."))
    if detail["regions"]:
        parts += [html.H3(f"Regions ({len(detail['regions'])})", className="h6"),
                  html.Ul([html.Li(f"{r['name']}{_demo(r['synthetic'])}")
                           for r in detail["regions"]])]
    if detail["councils"]:
        parts += [html.H3(f"Councils named in the inventory ({len(detail['councils'])})",
                          className="h6"),
                  html.Ul([html.Li(f"{c['name']} ({c['region_name']}){_demo(c['synthetic'])}")
                           for c in detail["councils"]], style={"columns": "2"})]
    return parts


def _notice(detail: dict) -> list:
    if not (detail["synthetic"] or detail["coverage_synthetic"]):
        return []
    what = "This organisation's record is demo data" if detail["synthetic"] else (
        "The organisation is real, but the coverage rows marked (demo data) below are "
        "synthetic demo data or approximations")
    return [dbc.Alert([html.Strong("Synthetic demo data. "), f"{what}: do not read them as "
                       "facts about where it works."], id=ids.INFRA_DETAIL_NOTICE,
                      color="warning")]


def _not_found(org_id: str) -> html.Div:
    shown = org_id[:MAX_ID_LENGTH]
    matches = views.suggest_organisations(services.engine(), shown)
    suggestions = (
        [html.P("Did you mean:"),
         html.Ul([html.Li(dcc.Link(m["name"], href=f"/infrastructure/{m['org_id']}"))
                  for m in matches], id=ids.INFRA_DETAIL_SUGGESTIONS)]
        if matches else [html.P("No organisation has a similar name or id.",
                                id=ids.INFRA_DETAIL_SUGGESTIONS)])
    return html.Div([
        _back(),
        html.H1("Organisation not found", className="h3", id=ids.INFRA_DETAIL_NAME),
        dbc.Alert(f"No support organisation in the inventory has the id “{shown}”.",
                  color="info", id=ids.INFRA_DETAIL_NOT_FOUND),
        *suggestions,
    ])


def layout(org_id: str = "", **_params) -> html.Div:
    """Lay out one organisation's page, or a friendly not-found page with close matches."""
    detail = views.organisation_detail(services.engine(), org_id or "", services.data_dir())
    if detail is None:
        return _not_found(org_id or "")
    functions = [html.Li([html.Strong(f["label"]), f": {f['definition']}"])
                 for f in detail["functions"]]
    website = detail["website"] or "not recorded"
    return html.Div([
        _back(),
        html.H1(detail["name"], className="h3", id=ids.INFRA_DETAIL_NAME),
        *_notice(detail),
        html.P(detail["description"]),
        dbc.Row([
            dbc.Col([
                html.H2("Type", className="h5"),
                html.P([html.Strong(detail["type_label"]), f": {detail['type_definition']}"],
                       id=ids.INFRA_DETAIL_TYPE),
                html.H2("Functions", className="h5"),
                html.Ul(functions, id=ids.INFRA_DETAIL_FUNCTIONS),
                html.H2("Website", className="h5"),
                html.P([html.Span(website, id=ids.INFRA_DETAIL_WEBSITE),
                        html.Span(" (shown as text; this tool does not link to or fetch it)",
                                  className="text-muted small")]),
            ], lg=5),
            dbc.Col([html.H2("Coverage", className="h5"),
                     html.Div(_coverage(detail), id=ids.INFRA_DETAIL_COVERAGE)], lg=7),
        ]),
    ])
