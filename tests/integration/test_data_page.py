"""Integration: the Data page's layout, preview and downloads on the session database."""

from __future__ import annotations

import base64
import io
import json
import sys

import dash
import numpy as np
import openpyxl
import pandas as pd
import pytest

import app as app_module
from pages import ids, services
from sasci_map import export_xlsx, exports
from sasci_map.tidy import TIDY_COLUMNS
from tests.layout_tools import find, text_of

pytest.importorskip("dash")

KEYS = ["indicator_id", "area_code", "period"]


@pytest.fixture
def request_context(settings, engine):
    services.configure(app_module.server, settings)
    with app_module.server.test_request_context("/data"):
        yield


def page():
    """The Data page module as Dash imported it (importing it again would re-register it)."""
    return sys.modules["pages.data"]


def payload_bytes(payload: dict) -> bytes:
    assert payload["base64"] is True
    return base64.b64decode(payload["content"])


def test_page_is_registered_with_its_title():
    entry = next(p for p in dash.page_registry.values() if p["path"] == "/data")
    assert entry["name"] == "Data"
    assert entry["title"] == "Data downloads — SASCI capacity map"


def test_layout_previews_the_tidy_table_with_notice_and_licence(request_context, engine):
    layout = page().layout()
    grid = find(layout, ids.DATA_PREVIEW)
    assert [c["field"] for c in grid.columnDefs] == TIDY_COLUMNS
    first = find(layout, ids.DATA_INDICATORS).value
    assert first == ["cap_overall"]
    expected = exports.table_frame(engine, "indicators", first, None, None,
                                   services.data_dir())
    assert 0 < len(grid.rowData) == min(len(expected), page().PREVIEW_ROWS)
    assert {r["indicator_id"] for r in grid.rowData} == {"cap_overall"}
    json.dumps(grid.rowData, allow_nan=False)  # no NaN reaches the browser
    assert f"{len(expected):,} rows match" in text_of(find(layout, ids.DATA_PREVIEW_SUMMARY))
    note = text_of(find(layout, ids.DATA_COLUMNS_NOTE))
    for word in ("suppressed", "no_response", "missing", "better", "similar", "synthetic"):
        assert word in note
    assert "Synthetic demo data" in text_of(find(layout, ids.DATA_DEMO_NOTICE))
    licence = text_of(find(layout, ids.DATA_LICENCE))
    assert exports.CITATION in licence and "Open Government Licence" in licence
    assert exports.SYNTHETIC_LABEL in licence
    assert find(layout, ids.DATA_GEOJSON_BUTTON).disabled is False


def test_layout_offers_every_level_period_and_table(request_context, engine):
    layout = page().layout()
    assert find(layout, ids.DATA_LEVELS).value == ["council", "region", "england"]
    periods = find(layout, ids.DATA_PERIODS)
    present = set(exports.table_frame(engine, "indicators", data_dir=services.data_dir())
                  ["period"])
    assert set(periods.value) == present == {o["value"] for o in periods.options}
    labels = {o["value"]: o["label"] for o in periods.options}
    assert labels["2025"] == "2025 survey wave (synthetic demo data)"
    assert [o["value"] for o in find(layout, ids.DATA_TABLE_CHOICE).options] == list(
        exports.TABLES)
    options = find(layout, ids.DATA_INDICATORS).options
    assert len(options) == 68
    assert options[0]["label"].startswith("Capability for innovating (overall) · ")


def test_url_chooses_the_indicators_and_ignores_unknown_ones(request_context):
    layout = page().layout(indicators="imd_average_score,nope," + "x" * 5000)
    assert find(layout, ids.DATA_INDICATORS).value == ["imd_average_score"]


@pytest.mark.parametrize(("chosen", "levels", "periods", "name"), [
    (["cap_overall", "pct_65_plus"], ["council"], ["2025", "mid-2020"],
     "sasci-indicators-2025_mid-2020.csv"),
    (["cap_overall"], ["region", "england"], ["2025"], "sasci-indicators-2025.csv"),
])
def test_csv_download_holds_exactly_the_filtered_rows(request_context, engine, chosen, levels,
                                                      periods, name):
    payload, message = page().on_csv_click(1, "indicators", chosen, levels, periods)
    assert payload["filename"] == name and name in message
    got = pd.read_csv(io.BytesIO(payload_bytes(payload)), dtype={"period": str})
    expected = exports.table_frame(engine, "indicators", chosen, levels, periods,
                                   services.data_dir())
    assert list(got.columns) == [*TIDY_COLUMNS, "licence", "citation"]
    assert len(got) == len(expected) > 0 and f"{len(expected):,} rows" in message
    assert got[KEYS].to_numpy().tolist() == expected[KEYS].to_numpy().tolist()
    assert set(got["area_level"]) == set(levels)
    assert got["status"].tolist() == expected["status"].tolist()
    for column in ("value", "lower", "upper", "numerator", "denominator"):
        np.testing.assert_allclose(got[column].to_numpy(float),
                                   expected[column].to_numpy(float), rtol=1e-9)


@pytest.mark.parametrize("table", ["councils", "innovations", "infrastructure"])
def test_csv_download_of_the_other_tables(request_context, engine, table):
    payload, message = page().csv_download(table, [], [], [])
    assert payload["filename"] == f"sasci-{table}.csv"
    got = pd.read_csv(io.BytesIO(payload_bytes(payload)))
    expected = exports.table_frame(engine, table, data_dir=services.data_dir())
    assert list(got.columns) == [*expected.columns, "licence", "citation"]
    assert len(got) == len(expected) > 0
    if table == "councils":
        assert len(got) == 153


def test_xlsx_download_opens_with_every_table(request_context, engine):
    filters = (["cap_overall", "pct_65_plus"], ["council", "england"], ["2025", "mid-2020"])
    payload, message = page().on_xlsx_click(1, *filters)
    assert payload["filename"] == "sasci-data-2025_mid-2020.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(payload_bytes(payload)))
    assert book.sheetnames == list(export_xlsx.SHEETS)
    assert set(exports.TABLES) < set(book.sheetnames)
    assert "synthetic" in " ".join(str(v) for row in book["cover"].iter_rows(values_only=True)
                                   for v in row if v)
    header = next(book["indicators"].iter_rows(max_row=1, values_only=True))
    assert list(header) == TIDY_COLUMNS
    rows = list(book["indicators"].iter_rows(min_row=2, values_only=True))
    expected = exports.table_frame(engine, "indicators", *filters, services.data_dir())
    assert [[r[0], r[2], r[5]] for r in rows] == expected[KEYS].to_numpy().tolist()


def test_geojson_download_has_153_councils(request_context):
    payload, message = page().on_geojson_click(1, ["cap_overall"], ["council"],
                                                           ["2025"])
    assert payload["filename"] == "sasci-cap_overall-2025.geojson"
    collection = json.loads(payload_bytes(payload))
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 153


@pytest.mark.parametrize("chosen", [None, [], ["cap_overall", "pct_65_plus"]])
def test_geojson_needs_exactly_one_indicator(request_context, chosen):
    disabled, note = page().update_geojson_button(chosen)
    assert disabled is True and "exactly one indicator" in note
    payload, message = page().geojson_download(chosen, ["2025"])
    assert payload is dash.no_update and "exactly one indicator" in message


@pytest.mark.parametrize(("chosen", "levels", "periods", "says"), [
    ([], ["council"], ["2025"], "Choose at least one indicator"),
    (None, ["council"], ["2025"], "Choose at least one indicator"),
    (["cap_overall"], [], ["2025"], "Choose at least one level"),
    (["cap_overall"], ["council"], None, "Choose at least one period"),
    (["nope"], ["council"], ["2025"], "Cannot build the table: unknown indicator ['nope']"),
    (["cap_overall"], ["parish"], ["2025"], "unknown level ['parish']"),
    (["cap_overall"], ["council"], ["1999"], "unknown period ['1999']"),
    (["pct_65_plus"], ["council"], ["2025"], "No figures match"),
])
def test_bad_selections_give_a_message_never_an_exception(request_context, chosen, levels,
                                                          periods, says):
    rows, summary = page().update_preview(chosen, levels, periods)
    assert rows == [] and says in summary
    payload, message = page().csv_download("indicators", chosen, levels, periods)
    assert payload is dash.no_update and says in message
    if says != "No figures match":  # a workbook with no indicator rows still holds the rest
        payload, message = page().xlsx_download(chosen, levels, periods)
        assert payload is dash.no_update and says.split(": ")[-1] in message


def test_unknown_table_and_indicator_give_messages(request_context):
    payload, message = page().csv_download("secrets", ["cap_overall"], ["council"], ["2025"])
    assert payload is dash.no_update and "Unknown table 'secrets'" in message
    payload, message = page().geojson_download(["nope"], ["2025"])
    assert payload is dash.no_update and "Cannot build" in message


def test_data_page_responds_with_its_title_and_local_assets(client):
    response = client.get("/data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Data downloads — SASCI capacity map" in html
    assert "//cdn" not in html and "fonts.googleapis" not in html
