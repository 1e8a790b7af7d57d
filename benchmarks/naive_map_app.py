"""The naive baseline of the map benchmark: a plain Dash app that re-sends the whole map.

Run:  .venv/bin/python benchmarks/naive_map_app.py [--port 8060]   (DATABASE_URL as for the app)

What a first Dash choropleth usually looks like: one indicator dropdown (same ids and option
labels as the product's map page) and one callback that rebuilds the *whole* plotly figure,
GeoJSON embedded, on every change, from the UNSIMPLIFIED ONS boundaries. The numbers come from
the same database through ``sasci_map.db.read_values`` (latest period of each indicator), so
both apps map the same values. It is a yardstick for ``benchmarks/bench_map.py``, not a product:
no classes, no legend, no table, no URL state.

Boundaries: the original ONS "Counties and Unitary Authorities (December 2023) BSC" file in
``../shared/data/boundaries`` (England's 153 features, full precision, converted to WGS84 GeoJSON
in memory with geopandas); when that folder is absent, the product's simplified
``data/boundaries/councils.geojson`` (the script says so: the baseline is then smaller).
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import dash  # noqa: E402
import flask  # noqa: E402
import geopandas as gpd  # noqa: E402
import plotly.express as px  # noqa: E402
from dash import dcc, html  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from pages import ids  # noqa: E402
from sasci_map import db, indicators  # noqa: E402
from sasci_map.config import DEFAULT_DATA_DIR, get_settings  # noqa: E402
from sasci_map.geography import councils  # noqa: E402
from sasci_map.mapview import DEFAULT_INDICATOR  # noqa: E402

#: The ONS source boundaries the product's simplified file is built from (see PROVENANCE.md).
SOURCE_DIR = ROOT.parent / "shared" / "data" / "boundaries"
SOURCE_PATTERN = "Counties_and_Unitary_Authorities_December_2023_Boundaries_UK_BSC*.geo.json"
SOURCE_CODE, SOURCE_NAME = "CTYUA23CD", "CTYUA23NM"
ENGLAND_PREFIX = "E"
FALLBACK_PATH = DEFAULT_DATA_DIR / "boundaries" / "councils.geojson"
CRS_WGS84 = "EPSG:4326"
#: An empty world topology: plotly's geo asks for one even for GeoJSON traces (STACK.md).
TOPOJSON_ROUTE = "/naive-topojson/"
EMPTY_TOPOLOGY = {"type": "Topology", "objects": {}, "arcs": []}
GRAPH_CONFIG = {"topojsonURL": TOPOJSON_ROUTE}
MAP_HEIGHT_PX = 680


@lru_cache(maxsize=1)
def boundaries_geojson() -> tuple[dict, str]:
    """Return (GeoJSON of the 153 councils keyed by ``properties.code``, where it came from)."""
    sources = sorted(SOURCE_DIR.glob(SOURCE_PATTERN)) if SOURCE_DIR.is_dir() else []
    if sources:
        gdf = gpd.read_file(sources[0])
        gdf = gdf[gdf[SOURCE_CODE].str.startswith(ENGLAND_PREFIX)]
        gdf = gdf.rename(columns={SOURCE_CODE: "code", SOURCE_NAME: "name"})[
            ["code", "name", "geometry"]]
        origin = f"ONS source, unsimplified: {sources[0].name}"
    else:
        gdf = gpd.read_file(FALLBACK_PATH)[["code", "name", "geometry"]]
        origin = f"FALLBACK (no {SOURCE_DIR}): simplified {FALLBACK_PATH.relative_to(ROOT)}"
    gdf = gdf.to_crs(CRS_WGS84)
    # plotly's geo choropleth fills the globe outside a counter-clockwise ring (STACK.md).
    gdf = gdf.set_geometry(gdf.geometry.orient_polygons(exterior_cw=True))
    return json.loads(gdf.to_json()), origin


def latest_values(engine, indicator_id: str):
    """Return one row per council: code, name and the indicator's latest value (NaN if none)."""
    values = db.read_values(engine, indicator_id, area_level="council")
    if len(values):
        values = values[values["period"] == values["period"].max()]
    frame = councils()[["code", "name"]].merge(
        values[["area_code", "value", "status"]], left_on="code", right_on="area_code",
        how="left")
    return frame.drop(columns="area_code")


def naive_figure(engine, indicator_id: str) -> dict:
    """Build the whole figure, GeoJSON and all, as a plain Dash app does on every change."""
    geojson, _origin = boundaries_geojson()
    frame = latest_values(engine, indicator_id)
    fig = px.choropleth(frame, geojson=geojson, locations="code", featureidkey="properties.code",
                        color="value", hover_name="name", hover_data={"status": True},
                        color_continuous_scale="Blues")
    fig.update_geos(fitbounds="locations", visible=False)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=MAP_HEIGHT_PX)
    return fig


def create_app(settings=None) -> dash.Dash:
    """Create the naive app on ``settings``' database (the environment's when omitted)."""
    settings = settings or get_settings()
    engine = db.make_engine(settings.database_url)
    catalogue = indicators.catalogue(engine)
    options = [{"label": f"{r.source} · {r.label}", "value": r.indicator_id}
               for r in catalogue.itertuples(index=False)]
    app = dash.Dash(__name__, title="Naive map baseline", update_title=None,
                    serve_locally=True, assets_folder=str(ROOT / "benchmarks" / "no-assets"))
    app.layout = html.Div([
        html.H1("Naive map (baseline)"),
        html.Label("Indicator", htmlFor=ids.MAP_INDICATOR),
        dcc.Dropdown(id=ids.MAP_INDICATOR, options=options, value=DEFAULT_INDICATOR,
                     clearable=False, searchable=True),
        dcc.Graph(id=ids.MAP_GRAPH, config=GRAPH_CONFIG),
    ])

    @app.callback(dash.Output(ids.MAP_GRAPH, "figure"), dash.Input(ids.MAP_INDICATOR, "value"))
    def update(indicator_id):
        return naive_figure(engine, indicator_id)

    @app.server.route(TOPOJSON_ROUTE + "<path:_name>")
    def empty_topology(_name):
        return flask.jsonify(EMPTY_TOPOLOGY)

    boundaries_geojson()  # read the boundaries before the first request, as a server would
    return app


app = create_app()
server = app.server


def main(argv: list[str] | None = None) -> None:
    """Serve the naive app with werkzeug (threaded) on a loopback port."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8060)
    args = parser.parse_args(argv)
    print(boundaries_geojson()[1])
    srv = make_server("127.0.0.1", args.port, server, threaded=True)
    print(f"naive map baseline on http://127.0.0.1:{srv.server_port}/", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
