"""Real Chromium: filter the indicator table on /data, preview it and download it."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
from playwright.sync_api import expect

from sasci_map import exports

PREVIEW_ROWS = "#data-preview .ag-center-cols-container .ag-row"
SUMMARY = "#data-preview-summary"


def open_data(page, live_server):
    page.goto(f"{live_server}/data")
    page.wait_for_selector(PREVIEW_ROWS)


def choose_only(page, *label_parts: str):
    """Open the indicator selector, deselect all, then search for and tick each indicator."""
    page.locator("#data-indicators").click()
    page.get_by_role("button", name="Deselect All").click()
    search = page.get_by_placeholder("Search")
    for part in label_parts:
        search.fill(part)
        page.get_by_role("option", name=re.compile(re.escape(part))).first.click()
    page.keyboard.press("Escape")


def test_choose_an_indicator_and_level_then_download_the_csv(watched_page, live_server,
                                                             screenshot_dir, engine, settings):
    page, watch = watched_page
    open_data(page, live_server)
    expect(page).to_have_title("Data downloads — SASCI capacity map")
    expect(page.locator("#data-demo-notice")).to_contain_text("Synthetic demo data")
    expect(page.locator("#data-licence")).to_contain_text("Open Government Licence")
    choose_only(page, "Share of the population aged 65 and over")
    page.get_by_label("Regions (9)").uncheck()
    page.get_by_label("England").uncheck()
    expect(page.locator(SUMMARY)).to_contain_text("153 rows match")
    expect(page.locator(PREVIEW_ROWS).first).to_contain_text("pct_65_plus")
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV").click()
    download = info.value
    assert download.suggested_filename == "sasci-indicators-all-periods.csv"
    got = pd.read_csv(download.path(), dtype={"period": str})
    expected = exports.table_frame(engine, "indicators", ["pct_65_plus"], ["council"],
                                   data_dir=settings.data_dir)
    assert list(got.columns) == [*expected.columns, "licence", "citation"]
    assert len(got) == len(expected) == 153
    assert set(got["indicator_id"]) == {"pct_65_plus"} and set(got["area_level"]) == {"council"}
    assert got["area_code"].tolist() == expected["area_code"].tolist()
    np.testing.assert_allclose(got["value"].to_numpy(float), expected["value"].to_numpy(float),
                               rtol=1e-9)
    expect(page.locator("#data-download-message")).to_contain_text(
        "Downloaded sasci-indicators-all-periods.csv: 153 rows")
    page.screenshot(path=screenshot_dir / "data.png", full_page=True)
    watch.assert_clean()


def test_geojson_needs_one_indicator_and_downloads_by_keyboard(watched_page, live_server):
    page, watch = watched_page
    open_data(page, live_server)
    geojson = page.get_by_role("button", name="GeoJSON")
    expect(geojson).to_be_enabled()
    choose_only(page, "Share of the population aged 65 and over",
                "Share of the population aged 85 and over")
    expect(geojson).to_be_disabled()
    expect(page.locator("#data-geojson-note")).to_contain_text("(2 chosen)")
    choose_only(page, "Share of the population aged 85 and over")
    expect(geojson).to_be_enabled()
    geojson.focus()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == "sasci-pct_85_plus-latest.geojson"
    collection = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert len(collection["features"]) == 153
    watch.assert_clean()


def test_no_indicator_chosen_says_so_instead_of_downloading(watched_page, live_server):
    page, watch = watched_page
    open_data(page, live_server)
    page.locator("#data-indicators").click()
    page.get_by_role("button", name="Deselect All").click()
    page.keyboard.press("Escape")
    expect(page.locator(SUMMARY)).to_contain_text("Choose at least one indicator")
    expect(page.locator(PREVIEW_ROWS)).to_have_count(0)
    page.get_by_role("button", name="CSV").click()
    expect(page.locator("#data-download-message")).to_contain_text(
        "Choose at least one indicator")
    watch.assert_clean()
