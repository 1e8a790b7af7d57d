"""Load the regenerator runtime instead of Dash's whole Babel polyfill.

Dash puts ``@babel/polyfill`` 7.12 (core-js 2 and regenerator-runtime, 100 KB) first on every
page. Of it, Dash's own scripts (dash-renderer, dcc, dash_table, dash-bootstrap-components)
need only the global ``regeneratorRuntime`` their compiled ``async`` functions call; core-js
polyfills ES2015-2017 built-ins every browser the app supports has natively (the partial
plotly.js already targets ES2016). Running core-js took 50-90 ms of the main thread of a cold
map load here, before anything else could start (``benchmarks/bench_map.py --profile``).

``pages/app_index.py`` swaps the polyfill's ``<script>`` for
``assets/vendor/regenerator-runtime.min.js`` (regenerator-runtime 0.14.1, built by
``make plotly-bundle``), at the same place, under a content-hashed URL cached for good. If a
Dash release stops shipping the polyfill there is nothing to swap and the page is left as Dash
made it.
"""

from __future__ import annotations

import re

#: The runtime, relative to the assets folder.
RUNTIME = "vendor/regenerator-runtime.min.js"
#: For ``assets_ignore``: the runtime is put in place of the polyfill, not after the components.
ASSETS_IGNORE = r"^regenerator-runtime\.min\.js$"
#: Dash's polyfill script tag (``dash/deps/polyfill@7.<dash version>.12.1.min.js``).
POLYFILL_SCRIPT = re.compile(r'<script src="[^"]*/dash/deps/polyfill@[^"]*"></script>')


def replace_polyfill(scripts: str, runtime_url: str) -> str:
    """Return Dash's ``scripts`` HTML with the polyfill's tag replaced by the runtime's."""
    return POLYFILL_SCRIPT.sub(f'<script src="{runtime_url}"></script>', scripts, count=1)
