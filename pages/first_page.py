"""Send the first page's content with the app's layout, saving the browser a round trip.

With Dash pages the browser fetches the app's layout, whose ``dash.page_container`` is empty,
renders it, and only then asks Dash's routing callback for the page at its URL: one more
request, server turn and render before any component of the page can start (about 0.1 s of a
cold map load on these machines, ``benchmarks/bench_map.py``).

Here the layout is a function of the request. The browser's request for it carries the page's
URL as its ``Referer`` (same-origin; the app's ``Referrer-Policy: same-origin`` keeps it), so
:func:`page_container` lays that page out at once, exactly as the routing callback would (same
page registry, path variables and query parameters), and sets the container's
``dcc.Location`` to the same path and query: the Location then has nothing to report when it
mounts, so the routing callback does not run. An address no page has gets the not-found page
(``pages/not_found_404.py``) the same way. Moving between pages afterwards goes through the
routing callback as before. Without a usable ``Referer`` (another origin)
or if the page fails to lay out here, the container is Dash's own, empty one, and the routing
callback lays the page out (and reports any error) as it always did.

The page's HTML also preloads (:func:`preload_links`, used by ``pages/app_index.py``) the layout
and callbacks, which dash-renderer would only ask for once its scripts have run, and whatever
the page declared it fetches as soon as it renders (``dash.register_page(..., preload=...)``):
the server answers while the browser is still starting Dash's scripts.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import dash
import flask
from dash import dcc, html
from dash._pages import _parse_query_string, _path_to_page  # what the routing callback uses

LOG = logging.getLogger(__name__)

#: What dash-renderer fetches first, as soon as its script has run; preloading them lets the
#: server lay the page out while the browser is still starting Dash's scripts.
PRELOADED = ("_dash-layout", "_dash-dependencies")
#: The ``preload`` a page may give ``dash.register_page``: what it fetches as soon as it renders,
#: as (kind, URL relative to the app's root); kind is "fetch" (data) or "script" (code chunks).
PAGE_PRELOAD_KEY = "preload"
PRELOAD_AS = {
    "fetch": 'as="fetch" crossorigin="anonymous"',  # credentials "same-origin", as fetch/XHR
    "script": 'as="script"',                         # how webpack inserts Dash's code chunks
}

#: The module name Dash looks for to show where no page is.
NOT_FOUND_MODULE = "not_found_404"
#: The ids of ``dash.page_container``'s parts, which Dash's routing callback reads and writes.
LOCATION_ID = "_pages_location"
CONTENT_ID = "_pages_content"
STORE_ID = "_pages_store"
DUMMY_ID = "_pages_dummy"


def page_and_variables(path: str) -> tuple[dict, dict | None]:
    """Return the registered page at the request ``path`` ({} if none) and its path variables."""
    return _path_to_page(dash.strip_relative_path(path) or "")


def page_at(path: str) -> dict:
    """Return the registered page at the request ``path`` ({} if none)."""
    return page_and_variables(path)[0]


def preload_links(prefix: str, path: str) -> str:
    """Return the ``<link rel="preload">`` tags for the page at ``path`` (app root ``prefix``).

    Every page preloads the layout and callbacks (:data:`PRELOADED`); a page adds what it
    declared under :data:`PAGE_PRELOAD_KEY`. The browser's own request for each later (same
    URL, same mode and credentials) takes the preloaded response instead of asking again.
    """
    wanted = [("fetch", name) for name in PRELOADED] + list(page_at(path).get(PAGE_PRELOAD_KEY, ()))
    return "".join(f'\n        <link rel="preload" href="{prefix}{url}" {PRELOAD_AS[kind]}>'
                   for kind, url in wanted)


def requested_url() -> tuple[str, str] | None:
    """Return (path, query string with its ``?``) of the page asking for the layout, if known."""
    referrer = flask.request.referrer
    if not referrer:
        return None
    url = urlsplit(referrer)
    if url.netloc != flask.request.host:
        return None  # only the app's own pages
    return url.path or "/", f"?{url.query}" if url.query else ""


def not_found_page() -> dict:
    """Return the page Dash shows where no page is (a module named ``not_found_404``), or {}."""
    return next((page for module, page in dash.page_registry.items()
                 if module.split(".")[-1] == NOT_FOUND_MODULE), {})


def page_layout(path: str, search: str) -> tuple[object, str] | None:
    """Return (layout, title) of the registered page at ``path``, as the routing callback would.

    Where no page has that path, the not-found page's; None if there is none of those either
    (the routing callback then answers with Dash's own).
    """
    page, path_variables = page_and_variables(path)
    if not page:
        page = not_found_page()
    if not page:
        return None
    layout, title = page.get("layout", ""), page["title"]
    if callable(layout):
        layout = layout(**{**(path_variables or {}), **_parse_query_string(search)})
    if callable(title):
        title = title(**(path_variables or {}))
    return layout, title


def page_container() -> html.Div:
    """Return ``dash.page_container``, already holding the requesting page when that is known."""
    url = requested_url()
    found = None
    if url is not None:
        try:
            found = page_layout(*url)
        except Exception:  # noqa: BLE001 - the routing callback lays it out and reports the error
            LOG.exception("could not lay out %s%s with the app's layout", *url)
    if found is None:
        return dash.page_container
    (path, search), (layout, title) = url, found
    return html.Div([
        dcc.Location(id=LOCATION_ID, refresh="callback-nav", pathname=path, search=search),
        html.Div(layout, id=CONTENT_ID, disable_n_clicks=True),
        dcc.Store(id=STORE_ID, data={"title": title}),
        html.Div(id=DUMMY_ID, disable_n_clicks=True),
    ])
