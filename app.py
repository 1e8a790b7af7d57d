"""The SASCI capacity map web app: create the Dash app; `python app.py` serves it."""

from __future__ import annotations

import sys

import dash
import dash_bootstrap_components as dbc
import flask
from dash import dcc, html

from pages import (
    app_index,
    first_page,
    lazy_grid,
    plotly_bundle,
    polyfill,
    security,
    services,
    static_cache,
)
from sasci_map.config import Settings, get_settings
from sasci_map.errors import DatabaseError

TITLE = "SASCI capacity map"
#: Language of every page, for screen readers and translation tools.
LANGUAGE = "en-GB"
#: Response compression the browser may choose from, in order of preference (fastest first:
#: zstd compresses plotly.js in ~40 ms, gzip in ~230 ms).
COMPRESSION = ["zstd", "br", "gzip"]
#: What is compressed: pages, code, styles, JSON and the boundaries GeoJSON (230 KB, ~50 KB
#: compressed; Flask-Compress's own list leaves GeoJSON out).
COMPRESSED_TYPES = ["text/html", "text/css", "text/plain", "text/javascript",
                    "application/javascript", "application/json", "image/svg+xml",
                    services.GEOJSON_MIMETYPE]
#: Assets served but not put on every page: each module puts its own where it belongs.
ASSETS_IGNORE = "|".join((plotly_bundle.ASSETS_IGNORE, polyfill.ASSETS_IGNORE,
                          lazy_grid.ASSETS_IGNORE))


def navbar() -> dbc.NavbarSimple:
    """Return the top navigation, one link per registered page that asks for one."""
    links = [
        dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="exact"))
        for page in dash.page_registry.values()
        if page.get("nav", True)
    ]
    return dbc.NavbarSimple(links, brand=TITLE, brand_href="/", color="dark", dark=True,
                            fluid=True, className="mb-2")


def create_app(settings: Settings | None = None) -> dash.Dash:
    """Create the Dash app for ``settings`` (from the environment when omitted)."""
    settings = settings or get_settings()
    # Flask-Compress reads its settings once, when Dash sets it up: they are set before that.
    server = flask.Flask(__name__)
    server.config.update(COMPRESS_ALGORITHM=COMPRESSION, COMPRESS_MIMETYPES=COMPRESSED_TYPES,
                         # versioned scripts and styles are compressed once (pages/static_cache.py)
                         COMPRESS_CACHE_BACKEND=static_cache.CompressedBodies,
                         COMPRESS_CACHE_KEY=static_cache.cache_key)
    # app_index.Dash: dash.Dash whose pages load less first and start their data sooner.
    app = app_index.Dash(__name__, server=server, use_pages=True, title=TITLE,
                         update_title=None, serve_locally=True,
                         compress=True,  # gzip/brotli: JSON shrinks ~8x
                         suppress_callback_exceptions=True, on_error=security.on_callback_error,
                         assets_ignore=ASSETS_IGNORE)
    # Screen readers need the page language (axe: html-has-lang).
    app.index_string = app.index_string.replace("<html>", f'<html lang="{LANGUAGE}">', 1)
    # The browser fetches the partial plotly.js while it parses the page.
    plotly_bundle.install(app)
    static_cache.install(app)
    security.install(app)
    services.configure(app.server, settings)
    app.layout = shell  # a function: the page asking for it comes in it (pages/first_page.py)
    return app


def shell() -> html.Div:
    """Return the app's layout: navigation, the page container (with the page), footer."""
    return html.Div([
        html.A("Skip to main content", href="#main", className="visually-hidden-focusable"),
        navbar(),
        html.Div(security.error_alert(), className="container-fluid"),
        html.Main(first_page.page_container(), id="main", className="container-fluid"),
        html.Footer(services.attribution_footer(), className="container-fluid small text-muted"),
        dcc.Location(id="app-location", refresh=False),
    ])


app = create_app()
server = app.server

if __name__ == "__main__":
    cfg = services.settings_of(server)
    try:
        services.check_database(cfg)
    except DatabaseError as exc:
        sys.exit(f"SASCI capacity map cannot start: {exc}")
    app.run(host=cfg.host, port=cfg.port, debug=cfg.debug)
