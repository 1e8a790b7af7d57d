"""Bytes and time of an indicator change on the map: Patch of values vs a naive full figure.

Run: .venv/bin/python benchmarks/map_payload.py  (after `make init`)

The naive baseline is what a plain Dash app does: rebuild the whole figure with the GeoJSON
embedded and send it on every change. The product sends a Patch of values only; the browser
fetched the geometry once, from /geo/councils.geojson. Prints figures; asserts nothing.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plotly.utils import PlotlyJSONEncoder  # noqa: E402

import app as app_module  # noqa: E402
from sasci_map.choropleth import map_figure  # noqa: E402
from sasci_map.geography import boundaries_path  # noqa: E402

INDICATORS = ("pct_65_plus", "imd_average_score", "ascof_2a2", "ascof_1c1a", "pop_85_plus")
REPEATS = 20


def main() -> None:
    """Measure payload bytes and server time per indicator change, product vs naive."""
    page = sys.modules["pages.map"]
    geojson = json.loads(boundaries_path().read_text())
    patch_bytes, naive_bytes, patch_s, naive_s = [], [], [], []
    with app_module.server.test_request_context("/"):
        for _ in range(REPEATS):
            for indicator in INDICATORS:
                t0 = time.perf_counter()
                patch = page.map_outputs(indicator, "quantiles", "E92000001")[0]
                body = json.dumps(patch.to_plotly_json(), cls=PlotlyJSONEncoder)
                patch_s.append(time.perf_counter() - t0)
                patch_bytes.append(len(body))

                t0 = time.perf_counter()
                view = page.build_map_view(page.services.engine(), indicator, "quantiles",
                                           page.services.data_dir())
                figure = map_figure("", view.state, state_layers=True)
                for trace in figure["data"]:
                    trace["geojson"] = geojson
                body = json.dumps(figure, cls=PlotlyJSONEncoder)
                naive_s.append(time.perf_counter() - t0)
                naive_bytes.append(len(body))
    p_b, n_b = statistics.median(patch_bytes), statistics.median(naive_bytes)
    p_t, n_t = statistics.median(patch_s), statistics.median(naive_s)
    print(f"indicator changes measured: {len(patch_bytes)} ({REPEATS} x {len(INDICATORS)})")
    print(f"patch (product):      median {p_b / 1024:8.1f} KiB  {p_t * 1000:7.1f} ms server")
    print(f"full figure (naive):  median {n_b / 1024:8.1f} KiB  {n_t * 1000:7.1f} ms server")
    print(f"ratio naive/product:  bytes x{n_b / p_b:.1f}  time x{n_t / p_t:.2f}")


if __name__ == "__main__":
    main()
