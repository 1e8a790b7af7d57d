"""Innovation page (/innovation/<innovation_id>): typology, actors, evidence, councils in use."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from pages import http_status, ids, services
from sasci_map import innovation_views as views

SITE = "SASCI capacity map"
#: The longest id accepted from a URL (ids are at most 60 characters in the database).
MAX_ID_LENGTH = 80


def title(innovation_id: str = "", **_params) -> str:
    """Return the browser title: the innovation's name, or "not found"."""
    name = views.innovation_names(services.engine()).get(_clean(innovation_id))
    return f"{name or 'Innovation not found'} — {SITE}"


def status(innovation_id: str = "", **_params) -> http_status.Answer:
    """Return the address's HTTP answer: 404 when no innovation has this id."""
    known = _clean(innovation_id) in views.innovation_names(services.engine())
    return http_status.SERVED if known else http_status.MISSING


dash.register_page(__name__, path_template="/innovation/<innovation_id>", name="Innovation",
                   title=title, nav=False, http_status=status)


def _clean(innovation_id) -> str:
    return innovation_id.strip()[:MAX_ID_LENGTH] if isinstance(innovation_id, str) else ""


def _terms(entries: list[dict]) -> html.Dl:
    """Return a definition list: each entry's facet and label, then its definition."""
    items = []
    for e in entries:
        items += [html.Dt([f"{e['facet']}: ", html.Span(e["label"], className="fw-normal")]),
                  html.Dd(e["definition"], className="text-muted small")]
    return html.Dl(items, className="mb-0")


def _councils_table(councils: list[dict]) -> dbc.Table:
    rows = [html.Tr([
        html.Td(html.A(r["council"], href=f"/?council={r['code']}",
                       title=f"Show {r['council']} on the map")),
        html.Td(r["region"]), html.Td(str(r["start_year"])),
        html.Td("" if r["end_year"] is None else str(r["end_year"])),
        html.Td(r["status"]), html.Td(r["source"]),
        html.Td("demo data" if r["synthetic"] else "real"),
    ]) for r in councils]
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in (
        "Council", "Region", "Start year", "End year", "Status now", "Source", "Data")]))
    return dbc.Table([head, html.Tbody(rows)], id=ids.INNOVATION_COUNCILS, striped=True,
                     size="sm", responsive=True, className="small")


def _not_found(innovation_id: str) -> html.Div:
    close = views.close_ids(services.engine(), innovation_id)
    suggestions = ([html.P("Did you mean:"),
                    html.Ul([html.Li([html.A(name, href=f"/innovation/{i}"), f" ({i})"])
                             for i, name in close])] if close else
                   [html.P("No innovation has a similar id or name.")])
    return html.Div([
        html.H1("Innovation not found", className="h3", id=ids.INNOVATION_TITLE),
        dbc.Alert([html.P(f"There is no innovation with the id “{innovation_id}”.",
                          className="mb-2"), *suggestions,
                   html.A("See all innovations", href="/innovations")],
                  id=ids.INNOVATION_NOT_FOUND, color="info"),
    ])


def layout(innovation_id: str = "", **_params) -> html.Div:
    """Lay out one innovation; an unknown id gets a not-found message with close ids."""
    innovation_id = _clean(innovation_id)
    engine = services.engine()
    detail = views.innovation_detail(engine, innovation_id, data_dir=services.data_dir())
    if detail is None:
        return _not_found(innovation_id)
    evidence = next(e for e in detail["typology"] if e["facet"] == "Evidence level")
    typology = [e for e in detail["typology"] if e["facet"] != "Evidence level"]
    record = "a real, publicly described model" if not detail["synthetic"] else "demo data"
    notice = dbc.Alert([
        html.Strong("Synthetic demo data. "),
        f"This innovation is {record}, but which councils use it is mostly not public: "
        f"{detail['n_demo']} of its {detail['n_ever']} council rows are synthetic demo data "
        "(marked below) and say nothing about a real council. The typology codes are editorial "
        "judgement, to be revised with SASCI.",
    ], id=ids.INNOVATION_DEMO_NOTICE, color="warning")
    return html.Div([
        html.P(html.A("← All innovations", href="/innovations"), className="small mb-1"),
        html.H1(detail["name"], className="h3", id=ids.INNOVATION_TITLE),
        html.P(detail["description"]),
        notice,
        dbc.Row([
            dbc.Col([html.H2("Typology", className="h5"),
                     html.Div(_terms(typology), id=ids.INNOVATION_TYPOLOGY)], lg=4),
            dbc.Col([html.H2("Actors", className="h5"),
                     html.Div(_terms([detail["lead_actor"], *detail["partner_actors"]]),
                              id=ids.INNOVATION_ACTORS)], lg=4),
            dbc.Col([html.H2("Client groups", className="h5"),
                     html.Div(_terms(detail["client_groups"]), id=ids.INNOVATION_CLIENT_GROUPS),
                     html.H2("Evidence", className="h5 mt-3"),
                     html.Div([_terms([evidence]),
                               html.P([html.Strong("Source: "), detail["source"]],
                                      className="small mt-1")], id=ids.INNOVATION_EVIDENCE)],
                    lg=4),
        ]),
        html.H2("Councils where it is in use", className="h5 mt-3"),
        html.P([f"In use in {detail['n_in_use']} councils now; {detail['n_ever']} have a "
                "recorded start (ended ones keep their end year). ",
                html.A("See its spread year by year",
                       href=f"/innovations?innovation={detail['innovation_id']}"), "."],
               className="small"),
        _councils_table(detail["councils"]),
    ])
