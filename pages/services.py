"""What pages share: the configured settings and database engine, and the footer."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import flask
import sqlalchemy as sa
from dash import html
from sqlalchemy.engine import Engine

from sasci_map import cache
from sasci_map.config import Settings
from sasci_map.db import dataset_version, make_engine
from sasci_map.errors import DatabaseError
from sasci_map.geography import served_boundaries
from sasci_map.provenance import attribution_lines

_SETTINGS_KEY = "SASCI_SETTINGS"


#: Where the browser fetches the councils' boundaries (once; the figure refers to this URL).
GEOJSON_ROUTE = "/geo/councils.geojson"
#: Boundaries change only with a new release of the data: let browsers keep them for a day.
GEOJSON_MAX_AGE_S = 86_400
GEOJSON_MIMETYPE = "application/geo+json"
ETAG_CHARS = 16


def configure(server: flask.Flask, settings: Settings) -> None:
    """Attach ``settings`` to the Flask server and serve the boundaries from its data folder.

    Calling it again replaces the settings (tests point the app at their own database).
    Also bounds request bodies (``max_request_kb``) and sizes the process's result cache.
    """
    server.config[_SETTINGS_KEY] = settings
    server.config["MAX_CONTENT_LENGTH"] = settings.max_request_kb * 1024
    cache.configure(settings.cache_entries, settings.cache_seconds)
    if "councils_geojson" not in server.view_functions:
        server.add_url_rule(GEOJSON_ROUTE, "councils_geojson", _send_boundaries)
    from pages import api  # here, not at the top: pages.api imports this module

    api.register(server)  # the read-only /api/v1/ (once per server)


def _send_boundaries() -> flask.Response:
    """Send the boundaries with each council's region (``geography.served_boundaries``)."""
    body = served_boundaries(settings_of().data_dir)
    response = flask.Response(body, mimetype=GEOJSON_MIMETYPE)
    response.cache_control.public = True
    response.cache_control.max_age = GEOJSON_MAX_AGE_S
    response.set_etag(_etag(body))
    return response.make_conditional(flask.request)


@lru_cache(maxsize=4)
def _etag(body: bytes) -> str:
    """Hash the (cached, so the same object each time) boundaries once, not per request."""
    return hashlib.sha256(body).hexdigest()[:ETAG_CHARS]


def settings_of(server: flask.Flask | None = None) -> Settings:
    """Return the settings of ``server`` (the current app's when omitted)."""
    return (server or flask.current_app).config[_SETTINGS_KEY]


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    """Return the engine of the current app's database (one per URL per process)."""
    return _engine_for(settings_of().database_url)


def reset_engine() -> None:
    """Close the pooled connections of the current app's database (after it failed).

    The next request opens fresh ones, so a worker recovers once the database is back.
    """
    url = settings_of().database_url
    try:
        _engine_for(url).dispose()
    except DatabaseError:  # the engine could not even be made: nothing pooled to close
        pass
    cache.RESULTS.stale(url)


def check_database(settings: Settings) -> None:
    """Check that the app can read its database; raise with a one-line message if not.

    Parameters
    ----------
    settings : Settings

    Raises
    ------
    DatabaseError
        If the database cannot be reached or holds no SASCI data yet; the message names the
        database (password hidden) and what to do.
    """
    try:
        engine = make_engine(settings.database_url)
    except DatabaseError as exc:
        raise DatabaseError(f"cannot open the database: {exc}") from None
    name = engine.url.render_as_string(hide_password=True)
    try:
        if engine.url.get_backend_name() == "sqlite" and engine.url.database not in (
                None, "", ":memory:") and not Path(engine.url.database).exists():
            raise DatabaseError(f"the database {name} does not exist: run `sasci-map init` "
                                "(or set DATABASE_URL)")
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("datasets"):
                raise DatabaseError(f"the database {name} holds no SASCI data: run "
                                    "`sasci-map init`")
        dataset_version(engine)
    except sa.exc.SQLAlchemyError as exc:
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
        raise DatabaseError(f"the database {name} is not reachable ({reason}): check "
                            "DATABASE_URL and that the server is running") from None
    finally:
        engine.dispose()


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
