"""Serve the partial plotly.js bundle: preloaded, started early, cached for good by version.

``assets/vendor/plotly-sasci.min.js`` (see assets/vendor/README.md) is kept out of Dash's
automatic ``<script>`` tags (:data:`ASSETS_IGNORE`, given to ``dash.Dash``). Instead every page
gets a ``<link rel="preload" data-plotly-bundle>`` whose URL carries the file's content hash;
``assets/plotly_early.js`` starts that URL asynchronously, and ``dcc.Graph`` uses the result as
``window.Plotly`` instead of fetching Dash's full plotly.js. A response for the hashed URL may be
cached for a year: a new bundle has a new hash, so a new URL.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import dash
import flask

#: The bundle, relative to the assets folder.
BUNDLE = "vendor/plotly-sasci.min.js"
#: ``assets_ignore`` for ``dash.Dash``: served, but not put in every page as a blocking script.
ASSETS_IGNORE = r"^plotly-sasci\.min\.js$"
#: Query parameter carrying the bundle's content hash, and the hash length kept.
VERSION_PARAM = "v"
HASH_CHARS = 12
#: Cache-Control of the hashed URL (the content never changes under it).
IMMUTABLE = "public, max-age=31536000, immutable"
#: Marks the preload link, for assets/plotly_early.js to find.
LINK_MARK = "data-plotly-bundle"


def bundle_path(app: dash.Dash) -> Path:
    """Return the bundle's path on disk."""
    return Path(app.config.assets_folder) / BUNDLE


def bundle_url(app: dash.Dash) -> str:
    """Return the bundle's URL with its content hash (``/assets/vendor/...js?v=<hash>``)."""
    digest = hashlib.sha256(bundle_path(app).read_bytes()).hexdigest()[:HASH_CHARS]
    return f"{app.get_asset_url(BUNDLE)}?{VERSION_PARAM}={digest}"


def install(app: dash.Dash) -> str:
    """Add the preload link to every page and long caching to the hashed URL; return the URL."""
    url = bundle_url(app)
    path, version = url.split(f"?{VERSION_PARAM}=")
    link = f'<link rel="preload" href="{url}" as="script" {LINK_MARK}>'
    app.index_string = app.index_string.replace("{%css%}", "{%css%}\n        " + link, 1)

    @app.server.after_request
    def cache_bundle(response: flask.Response) -> flask.Response:
        if (flask.request.path == path and response.status_code == 200
                and flask.request.args.get(VERSION_PARAM) == version):
            response.headers["Cache-Control"] = IMMUTABLE
        return response

    return url
