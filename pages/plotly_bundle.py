"""Serve the partial plotly.js bundle: preloaded, started early, cached for good by version.

``assets/vendor/plotly-sasci.min.js`` (see assets/vendor/README.md) is kept out of Dash's
automatic ``<script>`` tags (:data:`ASSETS_IGNORE`, given to ``dash.Dash``). Instead every page
gets a ``<link rel="preload" data-plotly-bundle>`` whose URL carries the file's content hash
(``pages/hashed_assets.py``); ``assets/plotly_early.js`` starts that URL asynchronously, and
``dcc.Graph`` uses the result as ``window.Plotly`` instead of fetching Dash's full plotly.js.
"""

from __future__ import annotations

import dash

from pages.hashed_assets import cache_for_good, hashed_url

#: The bundle, relative to the assets folder.
BUNDLE = "vendor/plotly-sasci.min.js"
#: For ``assets_ignore``: served, but not put in every page as a blocking script.
ASSETS_IGNORE = r"^plotly-sasci\.min\.js$"
#: Marks the preload link, for assets/plotly_early.js to find.
LINK_MARK = "data-plotly-bundle"


def bundle_url(app: dash.Dash) -> str:
    """Return the bundle's URL with its content hash (``/assets/vendor/...js?v=<hash>``)."""
    return hashed_url(app, BUNDLE)


def install(app: dash.Dash) -> str:
    """Add the preload link to every page and long caching to the hashed URL; return the URL."""
    url = bundle_url(app)
    link = f'<link rel="preload" href="{url}" as="script" {LINK_MARK}>'
    app.index_string = app.index_string.replace("{%css%}", "{%css%}\n        " + link, 1)
    cache_for_good(app, url)
    return url
