"""The app's not-found page: any address no page has (Dash shows it; the server says 404).

Dash uses a page module named ``not_found_404`` for every unknown address instead of its bare
"404 - Page not found". This one says so in words, lists where to go, and offers the council
search, since a mistyped or old council address is the likeliest way here. The HTTP status is
set by ``pages/http_status.py``.
"""

from __future__ import annotations

import dash
from dash import dcc, html

from pages import http_status, ids
from pages.council_search import search_box

SITE = "SASCI capacity map"


def status(**_params) -> http_status.Answer:
    """Return the HTTP answer of this page's own address: not found, like any it stands for."""
    return http_status.MISSING


dash.register_page(__name__, path="/404", name="Page not found", nav=False,
                   title=f"Page not found — {SITE}", http_status=status)


def _destinations() -> html.Ul:
    """Return a link to every page in the navigation, with its name."""
    return html.Ul([html.Li(dcc.Link(page["name"], href=page["relative_path"]))
                    for page in dash.page_registry.values() if page.get("nav", True)],
                   id=ids.NOT_FOUND_LINKS)


def layout(**_params) -> html.Div:
    """Lay out the not-found page: what happened, where to go, and the council search."""
    return html.Div([
        html.H1("Page not found", className="h3", id=ids.NOT_FOUND_TITLE),
        html.P("There is no page at this address. It may have been mistyped, or the link that "
               "led here may be out of date."),
        html.P("A council's profile is at /council/ followed by its code: old codes, districts "
               "and names are understood too. Find one here:"),
        search_box(),
        html.H2("Or go to", className="h5 mt-4"),
        _destinations(),
    ])
