"""Pages load the regenerator runtime in place of Dash's Babel polyfill (pages/polyfill.py).

That every page still works without core-js is shown by the browser suite, which runs every
page in Chromium with a clean console.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import dash

import app as app_module
from pages import polyfill
from tests.plain_dash import plain_page

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "assets" / polyfill.RUNTIME
SCRIPT_SRC = re.compile(r'<script src="([^"]+)"></script>')


def scripts_of(page: str) -> list[str]:
    """Return the src of every external script of an index page, in order."""
    return SCRIPT_SRC.findall(page)


def test_dash_still_ships_the_polyfill_this_module_replaces():
    # if Dash renames or drops it, the swap silently does nothing: this says so
    page = plain_page(dash.html.Div())
    assert polyfill.POLYFILL_SCRIPT.search(page)


def test_pages_load_the_runtime_first_instead_of_the_polyfill():
    client = app_module.server.test_client()
    for path in ("/", "/compare", "/methods"):
        scripts = scripts_of(client.get(path).get_data(as_text=True))
        assert not any("polyfill" in src for src in scripts), path
        assert scripts[0] == app_module.app.runtime_url  # where the polyfill was: before React
        assert "react@" in scripts[1]
    response = client.get(app_module.app.runtime_url)
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    assert response.get_data() == RUNTIME.read_bytes()


def test_the_runtime_defines_the_global_dash_scripts_call(tmp_path):
    # run the vendored file in Node when there is one; otherwise check its text
    source = RUNTIME.read_text(encoding="utf-8")
    assert "regeneratorRuntime" in source and ".mark=" in source and ".wrap=" in source
    node = shutil.which("node")
    if node:
        probe = tmp_path / "probe.js"
        probe.write_text(source + "\nconsole.log(typeof globalThis.regeneratorRuntime.mark,"
                         " typeof globalThis.regeneratorRuntime.wrap);\n", encoding="utf-8")
        out = subprocess.run([node, str(probe)], capture_output=True, text=True, check=True)
        assert out.stdout.split() == ["function", "function"]


def test_swap_leaves_a_page_without_the_polyfill_as_it_was():
    scripts = '<script src="/_dash-component-suites/dash/deps/react@18.3.1.min.js"></script>'
    assert polyfill.replace_polyfill(scripts, "/assets/x.js") == scripts
