"""The map page loads AG Grid's library when its table is first shown (pages/lazy_grid.py).

That the stand-in works in a browser (the library is fetched after the map is drawn, a page
navigated to before it has loaded still gets its grid, a failed load is reported) is shown by
tests/browser/test_lazy_grid_loading.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import dash
import dash_ag_grid as dag

import app as app_module
from pages import lazy_grid
from tests.plain_dash import plain_page

ROOT = Path(__file__).resolve().parents[2]
SCRIPT_TAG = re.compile(r"<script src=\"([^\"]+)\"(?: data-library=\"([^\"]+)\")?></script>")


def scripts_of(page: str) -> list[tuple[str, str]]:
    """Return (src, data-library or "") of every external script of an index page, in order."""
    return SCRIPT_TAG.findall(page)


def test_dash_still_names_ag_grids_script_as_this_module_expects():
    # if dash-ag-grid renames its script, the swap silently does nothing: this says so
    page = plain_page(dash.html.Div(dag.AgGrid(id="grid")))
    assert len(lazy_grid.GRID_SCRIPT.findall(page)) == 1


def test_the_map_page_has_the_stand_in_where_ag_grid_was():
    client = app_module.server.test_client()
    mapped = scripts_of(client.get("/").get_data(as_text=True))
    compared = scripts_of(client.get("/compare").get_data(as_text=True))
    library = [src for src, _ in compared if "/dash_ag_grid/dash_ag_grid." in src]
    assert len(library) == 1
    # same place in the order (before dash-renderer), the library's URL handed to it
    where = [src for src, _ in compared].index(library[0])
    assert mapped[where] == (app_module.app.lazy_grid_url, library[0])
    assert not any(src == library[0] for src, _ in mapped)
    assert len(mapped) == len(compared)
    stand_in = client.get(app_module.app.lazy_grid_url)
    assert stand_in.status_code == 200 and "immutable" in stand_in.headers["Cache-Control"]
    assert stand_in.get_data() == (ROOT / "assets" / lazy_grid.SHIM).read_bytes()
    served = client.get(library[0])
    assert served.status_code == 200 and b"window.dash_ag_grid=" in served.get_data()


def test_other_pages_load_ag_grid_as_dash_does():
    client = app_module.server.test_client()
    for path in ("/compare", "/innovations", "/data", "/methods", "/council/E06000001"):
        scripts = scripts_of(client.get(path).get_data(as_text=True))
        assert not any(lazy for _, lazy in scripts), path
        assert app_module.app.lazy_grid_url not in [src for src, _ in scripts], path
        assert sum("/dash_ag_grid/dash_ag_grid." in src for src, _ in scripts) == 1, path


def test_the_stand_in_is_not_an_automatic_asset():
    # Dash would otherwise put it on every page, after the library
    page = app_module.server.test_client().get("/compare").get_data(as_text=True)
    assert lazy_grid.SHIM not in page
