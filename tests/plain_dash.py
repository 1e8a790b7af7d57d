"""Dash's own page HTML, from a plain ``dash.Dash`` app, to check what the app's pages change.

A Dash app takes every callback registered with ``dash.callback`` (and every inline script)
when it sets itself up on its first request. The app's pages register theirs that way, so a
plain app set up first would take them and leave the app without them. :func:`plain_page`
sets the app up first, whatever order the tests run in.
"""

from __future__ import annotations

import dash

import app as app_module


def plain_page(layout) -> str:
    """Return the HTML a plain, locally served Dash app with ``layout`` sends for ``/``."""
    app_module.server.test_client().get("/_dash-dependencies")  # the app takes its callbacks
    plain = dash.Dash(__name__, serve_locally=True)
    plain.layout = layout
    return plain.server.test_client().get("/").get_data(as_text=True)
