"""Compress each of the app's versioned scripts and styles once per process, not per request.

Flask-Compress (``compress=True``) compresses every response as it is sent. For the scripts
and styles every first visit fetches that is about 45 ms of server time per visit (plotly.js
16 ms, AG Grid 10 ms, ...), on the same two cores the browser then needs
(``benchmarks/bench_map.py``). Their URLs carry a version, so the compressed body of a URL
never changes: Flask-Compress's cache (``COMPRESS_CACHE_BACKEND``, ``COMPRESS_CACHE_KEY``)
keeps it, one entry per URL and compression.

Flask sends asset files as streams, which Flask-Compress compresses chunk by chunk and never
keeps; :func:`install` reads a kept URL's file into the response first, so it is compressed
(and kept) whole.

Only URLs whose body cannot change while the process runs are kept: Dash's component scripts
(``/_dash-component-suites/...``, files of the installed packages; most names also carry the
package version and file time) and assets with their file time (``?m=``) or content hash
(``?v=``, ``pages/hashed_assets.py``) in the query. Every other response
(pages, layouts, callbacks, data) is compressed afresh, as before.
"""

from __future__ import annotations

import threading

import dash
import flask

#: Paths whose responses may be kept, and the query parameters that version an asset.
COMPONENT_SUITES = "/_dash-component-suites/"
ASSETS = "/assets/"
ASSET_VERSIONS = ("m", "v")
#: The key :func:`cache_key` gives a response that is not kept.
NOT_KEPT = ""
#: At most this many bodies are kept (the app serves about 40 versioned files in all).
MAX_ENTRIES = 256


def cache_key(request: flask.Request) -> str:
    """Return the key of ``request``'s compressed body, or :data:`NOT_KEPT`."""
    if request.method != "GET":
        return NOT_KEPT
    if request.path.startswith(COMPONENT_SUITES):
        return request.full_path
    if request.path.startswith(ASSETS) and any(request.args.get(v) for v in ASSET_VERSIONS):
        return request.full_path
    return NOT_KEPT


class CompressedBodies:
    """Flask-Compress's cache backend: compressed bodies of versioned URLs, thread-safe.

    Flask-Compress asks for ``"<algorithm>;<cache_key(request)>"``; keys of responses that are
    not kept end with the empty :data:`NOT_KEPT` and are never stored.
    """

    def __init__(self) -> None:
        self._bodies: dict[str, bytes] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _kept(key: str) -> bool:
        return not key.endswith(";" + NOT_KEPT)

    def get(self, key: str) -> bytes | None:
        """Return the kept body under ``key``, or None."""
        with self._lock:
            return self._bodies.get(key) if self._kept(key) else None

    def set(self, key: str, value: bytes) -> None:
        """Keep ``value`` under ``key`` when its URL is versioned and there is room."""
        with self._lock:
            if self._kept(key) and (key in self._bodies or len(self._bodies) < MAX_ENTRIES):
                self._bodies[key] = value

    def __len__(self) -> int:
        with self._lock:
            return len(self._bodies)


def install(app: dash.Dash) -> None:
    """Send the bodies of kept URLs whole, so Flask-Compress compresses and keeps them.

    Must be called after Dash has set Flask-Compress up: Flask runs the handlers registered
    later first, so this one hands Flask-Compress a body it can keep.
    """

    @app.server.after_request
    def read_whole(response: flask.Response) -> flask.Response:
        if (response.status_code == 200 and response.is_streamed
                and cache_key(flask.request) != NOT_KEPT):
            response.direct_passthrough = False
            response.set_data(response.get_data())
        return response
