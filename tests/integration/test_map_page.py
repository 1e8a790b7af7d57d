"""Integration: `init` on a fresh database, then the map page's layout and callbacks."""

from __future__ import annotations

import json

import pytest
from dash.exceptions import PreventUpdate

from pages import ids, services
from sasci_map import indicators
from sasci_map.choropleth import (
    MISSING_TRACE,
    NO_RESPONSE_TRACE,
    STATE_TRACES,
    SUPPRESSED_TRACE,
    VALUES_TRACE,
)
from sasci_map.palette import STATUS_COLOURS, STATUS_OUTLINES
from sasci_map.table_payload import council_names, decode_rows
from tests.layout_tools import find, find_all, hover_texts, served_properties, text_of

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
    assert len(figure["data"]) == 4  # values and one layer per state without a value
    values = figure["data"][VALUES_TRACE]
    drawn = [code for trace in figure["data"] for code in trace["locations"]]
    assert len(drawn) == len(set(drawn)) == 153
    assert all(t["geojson"] == services.GEOJSON_ROUTE for t in figure["data"])  # URL only
    assert len(json.dumps(figure)) < 60_000
    assert len(values["locations"]) == len(values["z"]) == len(values["customdata"])
    hover = hover_texts(values, served_properties())
    assert hover["E06000001"] == ("<b>Hartlepool</b><br>North East<br>Value: 19.6%<br>"
                                  "Rank 56 of 153 (1 = highest)")
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
    rows = decode_rows(find(layout, ids.MAP_TABLE_DATA).data, council_names())
    assert len(rows) == 33 and {r["region"] for r in rows} == {"London"}


def test_bad_url_parameters_fall_back_to_defaults(request_context):
    layout = map_page()["layout"](indicator="x" * 5000, region="nowhere", classes="<script>")
    assert find(layout, ids.MAP_INDICATOR).value == "pct_65_plus"
    assert find(layout, ids.MAP_REGION).value == "E92000001"


def _patched(patch) -> dict:
    return {tuple(op["location"]): op.get("params", {}).get("value")
            for op in patch.to_plotly_json()["operations"]}


def test_indicator_change_patches_values_not_geometry(request_context):
    patch, legend, caption, _definition, rows, columns = page_module().map_outputs(
        "imd_average_score", "quantiles", "E92000001")
    rows = decode_rows(rows, council_names())
    ops = _patched(patch)
    assert ("data", VALUES_TRACE, "z") in ops
    assert not any("geojson" in map(str, p) for p in ops)
    assert "geojson" not in json.dumps(patch.to_plotly_json(), default=str)
    assert "deprivation" in caption.lower()
    assert "149 of 153 councils have a value; 0 suppressed; 0 no response; 4 not available" \
        in caption
    assert len(rows) == 153
    # Every layer is patched on every change, so a state left over from the last map never stays.
    for trace in STATE_TRACES.values():
        assert ("data", trace, "locations") in ops
    assert len(ops[("data", MISSING_TRACE, "locations")]) == 4
    assert {c["field"] for c in columns} >= {"lower", "upper", "denominator", "vs_england",
                                             "status"}


def test_wave_and_benchmark_mode_patch_the_survey_states(request_context, engine):
    patch, legend, caption, definition, rows, _ = page_module().map_outputs(
        "cap_overall", "benchmark", "E92000001", wave="2023")
    rows = decode_rows(rows, council_names())
    ops = _patched(patch)
    stored = indicators.council_frame(engine, "cap_overall", period="2023")
    by_status = stored.groupby("status")["code"].apply(set)
    assert set(ops[("data", SUPPRESSED_TRACE, "locations")]) == by_status["suppressed"]
    assert set(ops[("data", NO_RESPONSE_TRACE, "locations")]) == by_status["no_response"]
    assert set(ops[("data", VALUES_TRACE, "locations")]) == by_status["value"]
    n_sup, n_none = len(by_status["suppressed"]), len(by_status["no_response"])
    assert f"{n_sup} suppressed; {n_none} no response; 0 not available" in caption
    assert "(2023)" in caption
    legend_text = text_of(legend)
    assert "Better than England" in legend_text and "Worse than England" in legend_text
    assert f"Suppressed (fewer than 5 organisations) ({n_sup} councils)" in legend_text
    assert f"No response ({n_none} councils)" in legend_text
    assert "Not available (0 councils)" in legend_text
    assert "Synthetic demo data" in text_of(definition) and "Synthetic demo data" in legend_text
    hover = hover_texts({key[-1]: value for key, value in ops.items()
                         if key[:2] == ("data", SUPPRESSED_TRACE)}, served_properties())
    assert set(hover) == by_status["suppressed"]
    assert all("Suppressed (fewer than 5 organisations)<br>fewer than 5" in h
               for h in hover.values())
    assert {r["status"] for r in rows} >= {"Suppressed (fewer than 5 organisations)",
                                           "No response"}


def test_state_layers_have_their_own_fill_and_outline(request_context):
    figure = find(map_page()["layout"](indicator="cap_overall"), ids.MAP_GRAPH).figure
    for status, trace in STATE_TRACES.items():
        layer = figure["data"][trace]
        assert layer["colorscale"][0][1] == STATUS_COLOURS[status]
        assert (layer["marker"]["line"]["color"],
                layer["marker"]["line"]["width"]) == STATUS_OUTLINES[status]


def test_coverage_view_counts_and_table(request_context, engine):
    patch, legend, caption, _definition, rows, columns = page_module().map_outputs(
        "pct_65_plus", "quantiles", "E92000001", wave="2023", view="coverage")
    rows = decode_rows(rows, council_names())
    ops = _patched(patch)
    took_part = set(ops[("data", VALUES_TRACE, "locations")])
    none = set(ops[("data", NO_RESPONSE_TRACE, "locations")])
    assert len(took_part) + len(none) == 153 and not took_part & none
    assert "wave 2023" in caption and "Synthetic demo data" in caption
    assert f"{len(took_part)} of 153 councils had at least one organisation" in caption
    assert "No organisation took part" in text_of(legend)
    assert [c["field"] for c in columns][:3] == ["council", "region", "coverage"]
    assert {r["code"] for r in rows if r["organisations"] > 0} == took_part


def test_pooled_view_colours_councils_by_their_region(request_context, engine):
    patch, legend, caption, _definition, rows, _ = page_module().map_outputs(
        "cap_overall_providers", "quantiles", "E92000001", wave="2025", view="pooled")
    rows = decode_rows(rows, council_names())
    assert len(rows) == 9 and {"region", "councils", "value"} <= set(rows[0])
    ops = _patched(patch)
    hover = hover_texts({key[-1]: value for key, value in ops.items()
                         if key[:2] == ("data", VALUES_TRACE)}).values()
    assert hover and all("Region value, pooled" in h for h in hover)
    assert "pooled" in caption
    drawn = sum(len(ops[("data", t, "locations")]) for t in (VALUES_TRACE, *STATE_TRACES.values()))
    assert drawn == 153


def test_url_with_every_parameter_sets_every_control(request_context):
    layout = map_page()["layout"](indicator="cap_overall", wave="2023", classes="benchmark",
                                  region="E12000002", council="E10000017", view="pooled")
    assert find(layout, ids.MAP_INDICATOR).value == "cap_overall"
    assert find(layout, ids.MAP_WAVE).value == "2023"
    assert find(layout, ids.MAP_CLASS_METHOD).value == "benchmark"
    assert find(layout, ids.MAP_VIEW).value == "pooled"
    assert find(layout, ids.MAP_REGION).value == "E12000002"
    assert find(layout, ids.MAP_SELECTED).data == "E10000017"
    rows = decode_rows(find(layout, ids.MAP_TABLE_DATA).data, council_names())
    assert [r["region"] for r in rows] == ["North West"]
    url = page_module().update_url("cap_overall", "benchmark", "E12000002", "E10000017",
                                   "2023", "pooled")
    assert url == ("?indicator=cap_overall&wave=2023&classes=benchmark&view=pooled"
                   "&region=E12000002&council=E10000017")


def test_context_indicator_offers_its_single_period_disabled(request_context):
    layout = map_page()["layout"](indicator="ascof_2a2", wave="2025")
    wave = find(layout, ids.MAP_WAVE)
    assert wave.value == "2020-21" and wave.disabled is True
    options, value, disabled, _ = page_module().update_wave_choices("cap_overall", "values",
                                                                    "2020-21")
    assert [o["value"] for o in options] == ["2023", "2025"]
    assert value == "2025" and disabled is False


def test_indicator_selector_groups_every_indicator_by_domain(request_context, engine):
    layout = map_page()["layout"]()
    selector = find(layout, ids.MAP_INDICATOR)
    # Laid out with the chosen indicator only; the whole list waits beside it for the browser.
    assert [o["value"] for o in selector.options] == [selector.value]
    options = find(layout, ids.MAP_INDICATOR_OPTIONS).data
    assert selector.options[0] in options
    headings = [o for o in options if o.get("disabled")]
    choices = [o["value"] for o in options if not o.get("disabled")]
    assert sorted(choices) == sorted(indicators.catalogue(engine)["indicator_id"])
    assert headings[0]["label"] == f"— {indicators.DOMAIN_LABELS['capacity']} —"
    assert any("Context" in h["label"] for h in headings)
    # Each indicator sits under its own domain's heading.
    domain = dict(zip(*indicators.catalogue(engine)[["indicator_id", "domain"]].T.values,
                      strict=True))
    current = None
    for option in options:
        if option.get("disabled"):
            current = option["value"].split(":", 1)[1]
        else:
            assert domain[option["value"]] == current


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

    payload = page_module().on_download_csv(1, "cap_overall", "2025", "values")
    assert payload["filename"] == "sasci-cap_overall-2025-councils.csv"
    import base64

    text = base64.b64decode(payload["content"]).decode("utf-8")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert len(frame) == 153 and set(frame["period"]) == {"2025"}
    hidden = frame[frame["status"] != "value"]
    assert (hidden[["numerator", "denominator", "value", "lower", "upper"]] == "").all().all()
    assert set(frame["synthetic"]) == {"True"}


def test_council_panel_links_to_the_profile(request_context):
    card = page_module().council_card("E10000017", "pct_65_plus")
    links = find_all(card, lambda c: getattr(c, "href", None) == "/council/E10000017")
    assert links and text_of(links[0]) == "Open the council profile"


def test_pooled_csv_has_the_region_rows(request_context):
    import base64
    import io

    import pandas as pd

    payload = page_module().on_download_csv(1, "cap_overall_providers", "2023", "pooled")
    frame = pd.read_csv(io.StringIO(base64.b64decode(payload["content"]).decode()), dtype=str)
    assert payload["filename"] == "sasci-cap_overall_providers-2023-regions.csv"
    assert set(frame["area_level"]) == {"region", "england"} and len(frame) == 10


def test_map_callback_refuses_values_no_control_offers(request_context):
    """A hand-made request (or a group heading of the indicator list) redraws nothing."""
    update = page_module().update_map
    for bad in [("domain:barriers", "quantiles", "E92000001", "2025", "values"),
                ("pct_65_plus", "<script>", "E92000001", "2025", "values"),
                ("pct_65_plus", "quantiles", "nowhere", "2025", "values"),
                ("pct_65_plus", "quantiles", "E92000001", "2025", "everything")]:
        with pytest.raises(PreventUpdate):
            update(*bad)
