"""Load AG Grid's library when a grid is first shown, on the pages that ask for it.

Dash puts dash-ag-grid's main script (1.3 MB, 350 KB compressed) on every page, before
dash-renderer: a cold map load ran it for 60-80 ms of main thread before the map could start,
and compiled it on a second thread the browser needs as much (``benchmarks/bench_map.py
--profile``). The map page shows no grid until its map is drawn (``assets/map_table.js``).

On a page registered with ``lazy_grid=True`` (:data:`PAGE_KEY`), ``pages/app_index.py`` puts
``assets/lazy_ag_grid.js`` (4 KB) where that script tag was, with the
library's URL in its ``data-library`` attribute. That script's ``AgGrid`` loads the library
when a grid is first rendered, shows "Loading the table…" until it has, then renders the
library's grid with the same props; the library replaces ``window.dash_ag_grid`` when it runs,
so any grid rendered later, on this page or on one navigated to, is the library's own. If the
library fails to load, the grid says so in the page and the console says why.

If a dash-ag-grid release names its script differently there is nothing to swap and the page
is left as Dash made it (``tests/unit/test_lazy_grid.py`` says so).
"""

from __future__ import annotations

import re

#: The page flag: ``dash.register_page(..., lazy_grid=True)``.
PAGE_KEY = "lazy_grid"
#: The stand-in, relative to the assets folder.
SHIM = "lazy_ag_grid.js"
#: For ``assets_ignore``: the stand-in goes where the library was, only on pages that ask.
ASSETS_IGNORE = r"^lazy_ag_grid\.js$"
#: dash-ag-grid's main script tag (``dash_ag_grid/dash_ag_grid.v<version>m<mtime>.min.js``).
GRID_SCRIPT = re.compile(
    r'<script src="(?P<src>[^"]*/_dash-component-suites/dash_ag_grid/dash_ag_grid\.[^"/]*\.js)">'
    r"</script>")


def wants_lazy_grid(page: dict) -> bool:
    """Whether the registered ``page`` asked for AG Grid to load when first shown."""
    return bool(page.get(PAGE_KEY, False))


def defer_grid(scripts: str, shim_url: str) -> str:
    """Return Dash's ``scripts`` HTML with AG Grid's tag replaced by the stand-in's."""
    return GRID_SCRIPT.sub(
        lambda match: f'<script src="{shim_url}" data-library="{match["src"]}"></script>',
        scripts, count=1)
