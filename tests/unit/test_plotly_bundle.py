"""The partial plotly.js bundle the pages load: the right version, and every trace type drawn.

``assets/vendor/plotly-sasci.min.js`` holds only the trace types registered in
``scripts/plotly_bundle/entry.js``. A figure of any other type would fail in the browser, so
the source is scanned for every trace type the app builds (``go.<Trace>(`` or a
``"type": "<trace>"`` literal) and each must be registered.
"""

from __future__ import annotations

import re
from pathlib import Path

import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType
from plotly.offline import get_plotlyjs_version

import app as app_module
from pages import plotly_bundle
from tests.bundle_tools import ENTRY, bundled_traces

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "assets" / plotly_bundle.BUNDLE
SOURCES = [*(ROOT / "sasci_map").glob("*.py"), *(ROOT / "pages").glob("*.py")]
GO_TRACE = re.compile(r"\bgo\.([A-Z][A-Za-z]+)\(")
TYPE_LITERAL = re.compile(r"""["']type["']\s*:\s*["']([a-z]+)["']""")


def used_traces() -> set[str]:
    """Return every plotly trace type the app's modules build."""
    classes = (getattr(go, name) for name in dir(go) if name[:1].isupper())
    trace_names = {cls.__name__: cls().type for cls in classes
                   if isinstance(cls, type) and issubclass(cls, BaseTraceType)}
    used = set()
    for path in SOURCES:
        text = path.read_text()
        used |= {trace_names[name] for name in GO_TRACE.findall(text) if name in trace_names}
        used |= {t for t in TYPE_LITERAL.findall(text) if t in trace_names.values()}
    return used


def test_every_trace_type_the_app_draws_is_in_the_bundle():
    used = used_traces()
    assert {"choropleth", "bar", "scatter"} <= used  # the scan finds what the pages draw
    missing = used - bundled_traces()
    assert not missing, f"add {sorted(missing)} to {ENTRY.relative_to(ROOT)} and rebuild"


def test_bundle_is_the_plotly_js_version_plotly_py_writes_figures_for():
    text = BUNDLE.read_text(encoding="utf-8")
    assert f'"{get_plotlyjs_version()}"' in text
    # a partial bundle: well under the full plotly.js that dcc.Graph would otherwise load
    full = Path(go.__file__).parents[1] / "package_data" / "plotly.min.js"
    assert BUNDLE.stat().st_size < full.stat().st_size / 2


def test_bundle_asks_chromium_to_compile_it_while_it_streams_in():
    # V8's explicit compile hint only counts as the file's first line (scripts/plotly_bundle)
    first_line = BUNDLE.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first_line == "//# allFunctionsCalledOnLoad"


def test_pages_preload_the_bundle_by_content_hash_and_it_is_cached_for_good():
    client = app_module.server.test_client()
    url = plotly_bundle.bundle_url(app_module.app)
    page = client.get("/").get_data(as_text=True)
    assert f'<link rel="preload" href="{url}" as="script" data-plotly-bundle>' in page
    assert "plotly-sasci.min.js" not in page.replace(url, "")  # no blocking <script> for it
    assert "immutable" in client.get(url).headers["Cache-Control"]
    unversioned = client.get(url.split("?")[0])
    assert unversioned.status_code == 200 and "immutable" not in unversioned.headers.get(
        "Cache-Control", "")
