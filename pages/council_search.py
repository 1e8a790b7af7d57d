"""Find a council by whatever is typed: a box that opens ``/council/<text>``, which resolves it.

Shared by the council profile's own not-found and choice pages and the app's not-found page.
The profile page resolves the text (code, old code, district, name or alias), redirects to the
council or suggests close names.
"""

from __future__ import annotations

from urllib.parse import quote

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from pages import ids

#: Longest text taken from the address or the box (a council name is under 50 characters).
MAX_CODE_LENGTH = 100
#: Where a council's profile lives.
PROFILE_PATH = "/council/"


def clean_code(code: object) -> str:
    """Return what was typed or given in the address, trimmed and cut to a sane length."""
    return code.strip()[:MAX_CODE_LENGTH] if isinstance(code, str) else ""


def search_box() -> html.Div:
    """Return the labelled box, its button, and a link back to the map."""
    return html.Div([
        dbc.Label("Find a council (name, code, old code or district)",
                  html_for=ids.COUNCIL_SEARCH_INPUT),
        dbc.InputGroup([
            dbc.Input(id=ids.COUNCIL_SEARCH_INPUT, type="search", debounce=False,
                      placeholder="e.g. Hull, Harrogate, E10000023"),
            dbc.Button("Open profile", id=ids.COUNCIL_SEARCH_BUTTON, color="primary"),
        ], style={"maxWidth": "32rem"}),
        dcc.Location(id=ids.COUNCIL_SEARCH_LOCATION, refresh=True),
        html.P(dcc.Link("← Back to the map", href="/"), className="small mt-2"),
    ], className="no-print mt-3")


@dash.callback(
    Output(ids.COUNCIL_SEARCH_LOCATION, "pathname"),
    Input(ids.COUNCIL_SEARCH_BUTTON, "n_clicks"),
    Input(ids.COUNCIL_SEARCH_INPUT, "n_submit"),
    State(ids.COUNCIL_SEARCH_INPUT, "value"),
    prevent_initial_call=True,
)
def on_search(_clicks, _submit, text):
    """Open the profile of whatever was typed; the profile page resolves or suggests."""
    text = clean_code(text)
    return f"{PROFILE_PATH}{quote(text, safe='')}" if text else dash.no_update
