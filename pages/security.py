"""The web surface's safety: security headers and CSP, read-only routes, database outages.

- Every response carries :data:`SECURITY_HEADERS` and a Content-Security-Policy that allows
  only the app's own origin; Dash's inline scripts (the renderer start-up and any clientside
  callbacks) are allowed by their SHA-256 hashes (``app.csp_hashes()``), never by
  ``'unsafe-inline'``. Inline *styles* are allowed: React, plotly and AG Grid set them.
- Writes are refused: only ``GET``/``HEAD``/``OPTIONS`` reach any route, except Dash's own
  ``POST /_dash-update-component`` (callbacks; read-only in this app) and the API, which
  refuses writes itself with a JSON 405.
- When the database is unreachable, a callback shows :data:`DATABASE_DOWN_MESSAGE` (the page
  content, or an alert above it), the API answers 503 JSON and any other route a 503 page; the
  error is logged to stderr, the engine's pool is reset, and the next request tries again.
"""

from __future__ import annotations

import html as html_text
import json

import dash
import dash_bootstrap_components as dbc
import flask
import sqlalchemy as sa
from dash import html
from werkzeug.exceptions import MethodNotAllowed

from pages import ids, services
from sasci_map.errors import DatabaseError

#: Errors that mean "the database cannot be reached now" (not a bug in a query): connection
#: refused or dropped, a missing SQLite folder, a pool that timed out.
DATABASE_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError,
                   DatabaseError)
DATABASE_DOWN_TITLE = "The database is not reachable right now"
DATABASE_DOWN_MESSAGE = (
    "This view cannot be shown until the database is back. Nothing is lost: please try again "
    "in a minute. If it keeps happening, tell the service's administrator.")
#: Seconds a client is asked to wait before retrying after a 503.
RETRY_AFTER_S = 30
#: Methods any route may answer.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Dash's id of the page container's content (the output of its page-routing callback).
PAGES_CONTENT_ID = "_pages_content"

#: Content-Security-Policy directives; ``script-src`` gets Dash's inline-script hashes added.
CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    # React, plotly.js, AG Grid and dbc set style attributes and inject <style> elements.
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "worker-src": "'self' blob:",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
#: Headers every response carries (a view's own value of the same header wins).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def content_security_policy(app: dash.Dash) -> str:
    """Return the Content-Security-Policy of ``app``: :data:`CSP_DIRECTIVES` plus script hashes.

    Computed per response, so clientside callbacks registered after start-up (Dash adds the
    page router's on the first request) are covered too.
    """
    directives = dict(CSP_DIRECTIVES)
    directives["script-src"] = " ".join([directives["script-src"], *app.csp_hashes()])
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def install(app: dash.Dash) -> None:
    """Add headers, the write guard and the database-outage handlers to ``app``'s server.

    Call once, before :func:`pages.services.configure` registers the API blueprint.
    """
    server = app.server
    update_path = app.config.routes_pathname_prefix + "_dash-update-component"

    @server.before_request
    def _refuse_writes():
        path = flask.request.path
        if flask.request.method in READ_METHODS or path == update_path:
            return None
        if path.startswith(api_prefix()):
            return None  # the API answers with its own JSON 405
        raise MethodNotAllowed(valid_methods=sorted(READ_METHODS))

    @server.after_request
    def _add_headers(response: flask.Response) -> flask.Response:
        response.headers["Content-Security-Policy"] = content_security_policy(app)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    from pages import api

    # The API blueprint's catch-all handler would answer 500 (a blueprint's handlers come
    # first in Flask), so the outage handler is registered on it too, before it is registered.
    registered = api.bp.error_handler_spec[None][None]
    for error in DATABASE_ERRORS:
        server.register_error_handler(error, database_down_response)
        if error not in registered:
            api.bp.register_error_handler(error, database_down_response)


def api_prefix() -> str:
    """Return the URL prefix of the read-only API."""
    from pages import api

    return api.API_PREFIX


def note_database_error(error: Exception) -> None:
    """Log a database outage (one line and the traceback, to stderr) and reset the pool."""
    flask.current_app.logger.error("database unavailable on %s %s: %s", flask.request.method,
                                   flask.request.path, _one_line(error), exc_info=error)
    services.reset_engine()


def database_down_response(error: Exception) -> flask.Response:
    """Answer a request that failed because the database is unreachable: 503, JSON or HTML."""
    note_database_error(error)
    if flask.request.path.startswith(api_prefix()):
        body = json.dumps({"error": f"{DATABASE_DOWN_TITLE}: the request could not be "
                                    "answered; try again in a minute"})
        response = flask.Response(body, status=503, mimetype="application/json")
    else:
        page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                f"<title>{DATABASE_DOWN_TITLE}</title></head><body><main>"
                f"<h1>{DATABASE_DOWN_TITLE}.</h1><p>{html_text.escape(DATABASE_DOWN_MESSAGE)}</p>"
                f"<p><a href='/'>Back to the map</a></p></main></body></html>")
        response = flask.Response(page, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    response.headers["Cache-Control"] = "no-store"
    return response


def database_down_notice() -> dbc.Alert:
    """Return the friendly notice a page shows in place of content it could not read."""
    return dbc.Alert([html.H2(DATABASE_DOWN_TITLE, className="h5"),
                      html.P(DATABASE_DOWN_MESSAGE, className="mb-0")],
                     color="warning", className="mt-3")


def error_alert() -> dbc.Alert:
    """Return the app-wide alert a failed callback opens (closed until then)."""
    return dbc.Alert(id=ids.APP_ERROR_ALERT, is_open=False, dismissable=True, color="warning",
                     className="mt-2")


def on_callback_error(error: Exception):
    """Dash's ``on_error`` for every callback: explain a database outage, re-raise the rest.

    The page-routing callback gets the notice as the page's content; any other callback
    keeps its outputs and opens the app-wide alert. Other errors are raised again, so Flask
    logs them and answers 500 as before.
    """
    if not isinstance(error, DATABASE_ERRORS):
        raise error
    note_database_error(error)
    outputs = dash.callback_context.outputs_list
    first = outputs[0] if outputs and isinstance(outputs, list) else outputs
    if isinstance(first, dict) and first.get("id") == PAGES_CONTENT_ID:
        return [database_down_notice(), {"title": DATABASE_DOWN_TITLE}]
    dash.set_props(ids.APP_ERROR_ALERT, {"is_open": True,
                                         "children": database_down_notice().children})
    return None


def _one_line(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error)
    return " ".join(text.split())
