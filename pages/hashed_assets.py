"""Serve a vendored asset under a URL that carries its content hash, cached for good.

Used for the scripts the app vendors instead of Dash's (``pages/plotly_bundle.py``,
``pages/polyfill.py``). A response for the hashed URL may be cached for a year: a new file has a
new hash, so a new URL.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import dash
import flask

#: Query parameter carrying the content hash, and the hash length kept.
VERSION_PARAM = "v"
HASH_CHARS = 12
#: Cache-Control of a hashed URL (the content never changes under it).
IMMUTABLE = "public, max-age=31536000, immutable"


def asset_path(app: dash.Dash, asset: str) -> Path:
    """Return the file of ``asset`` (relative to the assets folder) on disk."""
    return Path(app.config.assets_folder) / asset


def hashed_url(app: dash.Dash, asset: str) -> str:
    """Return the asset's URL with its content hash (``/assets/vendor/...js?v=<hash>``)."""
    digest = hashlib.sha256(asset_path(app, asset).read_bytes()).hexdigest()[:HASH_CHARS]
    return f"{app.get_asset_url(asset)}?{VERSION_PARAM}={digest}"


def cache_for_good(app: dash.Dash, url: str) -> None:
    """Let browsers keep the response for ``url`` (a :func:`hashed_url`) for a year."""
    path, version = url.split(f"?{VERSION_PARAM}=")

    @app.server.after_request
    def cache_hashed(response: flask.Response) -> flask.Response:
        if (flask.request.path == path and response.status_code == 200
                and flask.request.args.get(VERSION_PARAM) == version):
            response.headers["Cache-Control"] = IMMUTABLE
        return response
