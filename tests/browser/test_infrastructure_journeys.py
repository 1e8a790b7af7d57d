"""Real Chromium: support infrastructure map, filters, deserts, downloads and organisation pages."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sasci_map import infrastructure_views as views

LAYERS = "#infra-map-graph .trace.choropleth"
PLOT = "document.querySelector('#infra-map-graph .js-plotly-plot')"


def value_fills(page) -> list[str]:
    """Fill colour of every council of the coloured (values) layer, in drawing order."""
    return page.locator(LAYERS).nth(1).locator("path.choroplethlocation").evaluate_all(
        "els => els.map(e => e.getAttribute('fill') || e.style.fill)")


def grid_rows(page, grid_id: str) -> int:
    """Rows the grid displays after filtering (AG Grid renders only the visible ones)."""
    return page.evaluate(
        "async id => (await dash_ag_grid.getApiAsync(id)).getDisplayedRowCount()", grid_id)


def open_page(page, live_server, query: str = ""):
    page.goto(f"{live_server}/infrastructure{query}")
    page.wait_for_function(
        "() => { const layers = document.querySelectorAll('#infra-map-graph .trace.choropleth');"
        " return layers.length === 3 &&"
        " layers[1].querySelectorAll('path.choroplethlocation').length === 153; }")


def test_coverage_map_draws_every_council_with_legend_and_deserts(watched_page, live_server,
                                                                  engine, screenshot_dir):
    page, watch = watched_page
    open_page(page, live_server)
    expect(page).to_have_title("Support infrastructure — SASCI capacity map")
    assert page.locator(LAYERS).nth(0).locator("path").count() == 153
    fills = value_fills(page)
    assert len(fills) == 153 and all(fills)
    n_deserts = len(views.deserts(engine))
    assert page.locator(LAYERS).nth(2).locator("path").count() == n_deserts
    legend = page.locator("#infra-map-legend")
    expect(legend).to_contain_text("organisations covering the council")
    expect(legend).to_contain_text(f"infrastructure desert ({n_deserts} councils)")
    colorbar = page.locator("#infra-map-graph .colorbar")
    expect(colorbar).to_contain_text("covering the council")
    expect(page.locator("#infra-desert-summary")).to_contain_text(
        f"{n_deserts} of 153 councils meet both conditions")
    expect(page.locator("#infra-desert-table tbody tr")).to_have_count(n_deserts)
    expect(page.locator("#infra-desert-rule")).to_contain_text("bottom quintile")
    expect(page.locator("#infra-demo-notice")).to_contain_text("synthetic demo")
    assert grid_rows(page, "infra-orgs-grid") == 27
    assert grid_rows(page, "infra-council-table") == 153
    page.screenshot(path=str(screenshot_dir / "infrastructure.png"), full_page=True)
    # AG Grid draws rows only while on screen: photograph each grid in view.
    for grid, name in (("#infra-orgs-grid", "organisations"), ("#infra-council-table",
                                                               "council_table")):
        page.locator(grid).scroll_into_view_if_needed()
        expect(page.locator(f"{grid} .ag-row").first).to_be_visible()
        page.locator(grid).screenshot(path=str(screenshot_dir / f"infrastructure_{name}.png"))
    page.locator("#infra-map-graph").screenshot(path=str(screenshot_dir /
                                                         "infrastructure_map.png"))
    watch.assert_clean()


def choose_type(page, label: str):
    page.locator("#infra-type").click()
    page.get_by_role("option", name=label).click()


def test_filtering_a_type_recounts_the_map_and_the_table(watched_page, live_server,
                                                         screenshot_dir):
    page, watch = watched_page
    open_page(page, live_server)
    before = value_fills(page)
    width = page.locator(LAYERS).nth(1).bounding_box()["width"]
    choose_type(page, "Health innovation network")
    expect(page.locator("#infra-map-caption")).to_contain_text("(Health innovation network)")
    expect(page.locator("#infra-map-caption")).to_contain_text("from 1 to 3")
    expect(page.locator("#infra-map-legend")).to_contain_text("3 organisations (91 councils)")
    expect(page.locator("#infra-orgs-count")).to_have_text("15 organisations match.")
    expect(page).to_have_url(re.compile(r"type=health_innovation_network"))
    ticks = page.evaluate(f"() => {PLOT}.data[1].colorbar.ticktext")
    assert ticks == ["1 organisation", "2 organisations", "3 organisations"]
    hover = page.evaluate(f"() => {PLOT}.data[1].hovertext")
    assert len(hover) == 153 and any("3 organisations covering the council" in h for h in hover)
    # A longer colour-bar title must not squeeze the map.
    assert page.locator(LAYERS).nth(1).bounding_box()["width"] == pytest.approx(width, rel=0.02)
    page.locator("#infra-map-graph").screenshot(
        path=str(screenshot_dir / "infrastructure_map_hin.png"))
    # Two national research bodies cover every council alike: one class, one colour.
    choose_type(page, "University or research partnership")
    expect(page.locator("#infra-map-legend")).to_contain_text("2 organisations (153 councils)")
    page.wait_for_function(
        "prev => { const fills = Array.from(document.querySelectorAll("
        "'#infra-map-graph .trace.choropleth')[1].querySelectorAll('path.choroplethlocation'))"
        ".map(e => e.getAttribute('fill') || e.style.fill);"
        " return fills.length === 153 && fills.join() !== prev && new Set(fills).size === 1; }",
        arg=",".join(before))
    assert page.evaluate(f"() => {PLOT}.data[1].z").count(0) == 153
    watch.assert_clean()


def test_downloads_give_the_tables_as_csv(watched_page, live_server, engine):
    page, watch = watched_page
    open_page(page, live_server, "?type=health_innovation_network")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download coverage and use (CSV)").click()
    download = info.value
    assert download.suggested_filename == "support_coverage_health_innovation_network.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert len(rows) == 153
    want = views.coverage_counts(engine, "health_innovation_network").set_index("code")["total"]
    assert {r["code"]: int(r["organisations"]) for r in rows} == want.to_dict()
    assert {r["support_type"] for r in rows} == {"health_innovation_network"}
    with page.expect_download() as info:
        page.get_by_role("button", name="Download deserts (CSV)").click()
    deserts = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(
        encoding="utf-8"))))
    assert sorted(r["code"] for r in deserts) == sorted(views.deserts(engine)["code"])
    assert all("below England" in r["reasons"] for r in deserts)
    watch.assert_clean()


def test_search_by_keyboard_and_open_an_organisation_page(watched_page, live_server,
                                                         screenshot_dir):
    page, watch = watched_page
    open_page(page, live_server)
    search = page.get_by_label("Search organisations")
    search.focus()
    page.keyboard.type("wessex")
    expect(page.locator("#infra-orgs-count")).to_have_text("1 organisation match.")
    page.wait_for_function(
        "async () => (await dash_ag_grid.getApiAsync('infra-orgs-grid'))"
        ".getDisplayedRowCount() === 1")
    page.locator("#infra-orgs-grid").get_by_role("link", name="Health Innovation Wessex").click()
    expect(page.locator("#infra-detail-name")).to_have_text("Health Innovation Wessex")
    expect(page).to_have_title(re.compile("Health Innovation Wessex — Support infrastructure"))
    expect(page.locator("#infra-detail-type")).to_contain_text("Health innovation network")
    expect(page.locator("#infra-detail-coverage")).to_contain_text("South East (demo data)")
    expect(page.locator("#infra-detail-notice")).to_contain_text("Synthetic demo data")
    page.screenshot(path=str(screenshot_dir / "infrastructure_organisation.png"), full_page=True)
    # Back to the list, by keyboard: the link is focusable and Enter follows it.
    page.get_by_role("link", name="All support infrastructure").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/infrastructure$"))
    watch.assert_clean()


def test_unknown_organisation_suggests_close_matches(watched_page, live_server,
                                                     screenshot_dir):
    page, watch = watched_page
    page.goto(f"{live_server}/infrastructure/org_skils_for_care")
    expect(page.locator("#infra-detail-name")).to_have_text("Organisation not found")
    page.get_by_role("link", name="Skills for Care").click()
    expect(page.locator("#infra-detail-name")).to_have_text("Skills for Care")
    expect(page.locator("nav")).not_to_contain_text("Support organisation")
    watch.assert_clean(not_found=True)
