"""Pages leave out the scripts of libraries the app does not use (pages/unused_libraries.py).

That no page needs them is shown by the browser suite, which opens every page with a clean
console (a missing library is a console error there).
"""

from __future__ import annotations

from pathlib import Path

import dash

import app as app_module
from pages import unused_libraries
from tests.plain_dash import plain_page

ROOT = Path(__file__).resolve().parents[2]


def test_dash_still_puts_the_left_out_scripts_on_its_pages():
    # if Dash stops (or renames them), there is nothing to leave out: this says so
    page = plain_page(dash.html.Div())
    for pattern in unused_libraries.UNUSED_SCRIPTS:
        assert pattern.search(page), pattern.pattern


def test_no_page_loads_them():
    client = app_module.server.test_client()
    for path in ("/", "/compare", "/innovations", "/methods", "/council/E06000001"):
        page = client.get(path).get_data(as_text=True)
        assert "/dash_table/" not in page, path
        assert "/dash/dcc/dash_core_components." in page, path  # the others are still there


def test_no_page_module_uses_them():
    sources = [*ROOT.glob("pages/*.py"), ROOT / "app.py"]
    users = [path.name for path in sources if path.name != "unused_libraries.py"
             and any(name in path.read_text(encoding="utf-8")
                     for name in unused_libraries.UNUSED_COMPONENTS)]
    assert users == []
