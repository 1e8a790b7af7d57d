"""What pages share: the configured settings and database engine, and the footer."""

from __future__ import annotations

from functools import lru_cache

import flask
from dash import html
from sqlalchemy.engine import Engine

from sasci_map.config import Settings
from sasci_map.db import make_engine
from sasci_map.geography import boundaries_path
from sasci_map.provenance import attribution_lines

_SETTINGS_KEY = "SASCI_SETTINGS"


#: Where the browser fetches the councils' boundaries (once; the figure refers to this URL).
GEOJSON_ROUTE = "/geo/councils.geojson"
#: Boundaries change only with a new release of the data: let browsers keep them for a day.
GEOJSON_MAX_AGE_S = 86_400


def configure(server: flask.Flask, settings: Settings) -> None:
    """Attach ``settings`` to the Flask server and serve the boundaries from its data folder.

    Calling it again replaces the settings (tests point the app at their own database).
    """
    server.config[_SETTINGS_KEY] = settings
    if "councils_geojson" not in server.view_functions:
        server.add_url_rule(GEOJSON_ROUTE, "councils_geojson", _send_boundaries)
    from pages import api  # here, not at the top: pages.api imports this module

    api.register(server)  # the read-only /api/v1/ (once per server)


def _send_boundaries() -> flask.Response:
    return flask.send_file(boundaries_path(settings_of().data_dir),
                           mimetype="application/geo+json", max_age=GEOJSON_MAX_AGE_S)


def settings_of(server: flask.Flask | None = None) -> Settings:
    """Return the settings of ``server`` (the current app's when omitted)."""
    return (server or flask.current_app).config[_SETTINGS_KEY]


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    """Return the engine of the current app's database (one per URL per process)."""
    return _engine_for(settings_of().database_url)


def data_dir():
    """Return the current app's bundled data folder."""
    return settings_of().data_dir


def attribution_footer() -> list:
    """Return the footer: attribution lines and a link to the About page."""
    items = [html.Span(line) for line in attribution_lines()]
    joined: list = []
    for item in items:
        joined += [item, " · "]
    return [html.Hr(), html.P([*joined, html.A("About the data", href="/about")])]
