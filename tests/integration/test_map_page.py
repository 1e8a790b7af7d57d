"""Integration: `init` on a fresh database, then the map page's layout and callbacks."""

from __future__ import annotations

import json

import pytest

from pages import ids, services
from sasci_map import indicators
from sasci_map.choropleth import MISSING_TRACE, VALUES_TRACE
from tests.layout_tools import find, text_of

pytest.importorskip("dash")


def page_module():
    """The map page module as Dash imported it (importing it again would re-register it)."""
    import sys

    return sys.modules["pages.map"]


def map_page():
    import dash

    return next(p for p in dash.page_registry.values() if p["path"] == "/")


def test_layout_maps_all_153_councils_without_embedding_geometry(request_context):
    layout = map_page()["layout"]()
    figure = find(layout, ids.MAP_GRAPH).figure
    missing, values = figure["data"][MISSING_TRACE], figure["data"][VALUES_TRACE]
    assert len(missing["locations"]) == 153
    assert values["geojson"] == services.GEOJSON_ROUTE  # a URL, not a feature collection
    assert len(json.dumps(figure)) < 60_000
    assert len(values["locations"]) == len(values["z"]) == len(values["hovertext"])
    assert "Aged 65+ (%)" in values["colorbar"]["title"]["text"]
    assert "Quintiles" in values["colorbar"]["title"]["text"]


def test_indicator_selector_is_the_first_control(request_context):
    layout = map_page()["layout"]()
    text = json.dumps(layout.to_plotly_json(), default=lambda o: o.to_plotly_json())
    first_control = min(text.find(f'"id": "{i}"') for i in
                        (ids.MAP_CLASS_METHOD, ids.MAP_REGION, ids.MAP_SEARCH_INPUT))
    assert 0 < text.find(f'"id": "{ids.MAP_INDICATOR}"') < first_control


def test_url_parameters_set_the_initial_view(request_context):
    layout = map_page()["layout"](indicator="imd_average_score", region="E12000007",
                                  classes="equal_interval")
    assert find(layout, ids.MAP_INDICATOR).value == "imd_average_score"
    assert find(layout, ids.MAP_REGION).value == "E12000007"
    assert find(layout, ids.MAP_CLASS_METHOD).value == "equal_interval"
    rows = find(layout, ids.MAP_TABLE).rowData
    assert len(rows) == 33 and {r["region"] for r in rows} == {"London"}


def test_bad_url_parameters_fall_back_to_defaults(request_context):
    layout = map_page()["layout"](indicator="x" * 5000, region="nowhere", classes="<script>")
    assert find(layout, ids.MAP_INDICATOR).value == "pct_65_plus"
    assert find(layout, ids.MAP_REGION).value == "E92000001"


def test_indicator_change_patches_values_not_geometry(request_context):
    patch, legend, caption, _definition, rows = page_module().map_outputs(
        "imd_average_score", "quantiles", "E92000001")
    operations = patch.to_plotly_json()["operations"]
    paths = [tuple(op["location"]) for op in operations]
    assert ("data", VALUES_TRACE, "z") in paths
    assert not any("geojson" in map(str, p) for p in paths)
    assert "IMD" in caption or "deprivation" in caption.lower()
    assert len(rows) == 153


def test_region_change_alone_patches_only_the_zoom(request_context):
    patch, *_ = page_module().map_outputs("pct_65_plus", "quantiles", "E12000007",
                                           zoom_only=True)
    paths = {tuple(op["location"]) for op in patch.to_plotly_json()["operations"]}
    assert paths == {("layout", "geo", "center"), ("layout", "geo", "projection", "scale")}


def test_missing_councils_carry_their_reason(engine, settings):
    frame = indicators.council_frame(engine, "imd_average_score", settings.data_dir)
    cumberland = frame.set_index("code").loc["E06000063"]
    assert cumberland["status"] == "missing"
    assert "boundary change" in cumberland["status_reason"]


def test_pages_respond_with_titles_and_assets_are_local(client):
    for path in ("/", "/about"):
        response = client.get(path)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "//cdn" not in html and "fonts.googleapis" not in html
    geo = client.get(services.GEOJSON_ROUTE)
    assert geo.status_code == 200
    assert len(json.loads(geo.get_data())["features"]) == 153
    assert "max-age" in geo.headers["Cache-Control"]


def test_about_lists_the_demo_waves_and_inventories_as_synthetic(request_context, engine):
    import sys

    about = sys.modules["pages.about"].layout()
    notice = find(about, ids.ABOUT_DEMO_NOTICE)
    assert notice is not None and "Synthetic demo data" in text_of(notice)
    waves = text_of(find(about, ids.ABOUT_SURVEY))
    assert "2023 synthetic demo data" in waves and "2025 synthetic demo data" in waves
    inventories = text_of(find(about, ids.ABOUT_INVENTORIES))
    assert "innovations" in inventories and "infrastructure" in inventories
    assert "(synthetic demo data)" in inventories


def test_map_csv_download_has_every_council_of_the_mapped_indicator(request_context):
    import io

    import pandas as pd

    payload = page_module().on_download_csv(1, "cap_overall")
    assert payload["filename"] == "sasci-cap_overall-2025-councils.csv"
    import base64

    text = base64.b64decode(payload["content"]).decode("utf-8")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert len(frame) == 153 and set(frame["period"]) == {"2025"}
    hidden = frame[frame["status"] != "value"]
    assert (hidden[["numerator", "denominator", "value", "lower", "upper"]] == "").all().all()
    assert set(frame["synthetic"]) == {"True"}
