"""Real Chromium: filter the innovations, see the map and grid follow, download, drill down."""

from __future__ import annotations

import re

import pandas as pd
from playwright.sync_api import expect

from sasci_map import survey_store

MAP_PATHS = "#innov-map .choroplethlocation"
SPREAD_PATHS = "#innov-spread-map .choroplethlocation"
GRID_ROWS = "#innov-grid .ag-center-cols-container .ag-row"
#: Rows the grid displays after filtering, asked of AG Grid itself (rendering is virtual).
DISPLAYED = "() => dash_ag_grid.getApi('innov-grid').getDisplayedRowCount()"


def displayed_rows(page, n: int):
    page.wait_for_function(f"n => ({DISPLAYED})() === n", arg=n)


def fills(page, selector: str = MAP_PATHS) -> str:
    return ",".join(page.eval_on_selector_all(
        selector, "els => els.map(e => e.getAttribute('fill') || e.style.fill)"))


def open_innovations(page, live_server, query: str = ""):
    page.goto(f"{live_server}/innovations{query}")
    for selector in (MAP_PATHS, SPREAD_PATHS):
        page.wait_for_function("([s, n]) => document.querySelectorAll(s).length >= n",
                               arg=[selector, 153])
    expect(page.locator(GRID_ROWS).first).to_be_visible()


def show_grids(page):
    """Scroll every grid into view once: AG Grid draws its rows only when it is on screen."""
    grids = page.locator(".ag-root-wrapper")
    for i in range(grids.count()):
        grids.nth(i).scroll_into_view_if_needed()
        expect(grids.nth(i).locator(".ag-row").first).to_be_visible()


def choose(page, control_id: str, label: str):
    """Pick an option of a Dash 4 dropdown as a person would, then close the menu."""
    page.locator(f"#{control_id}").click()
    page.get_by_role("option", name=label, exact=True).click()
    page.keyboard.press("Escape")


def test_listing_renders_the_map_grid_and_notice(watched_page, live_server, engine,
                                                 screenshot_dir):
    page, watch = watched_page
    open_innovations(page, live_server)
    items, _places = survey_store.read_inventory(engine, "innovations")
    expect(page).to_have_title("Innovations — SASCI capacity map")
    expect(page.locator("#innov-demo-notice")).to_contain_text("Synthetic demo data")
    displayed_rows(page, len(items))
    expect(page.locator(GRID_ROWS)).to_have_count(len(items))  # all on one page
    expect(page.locator("#innov-grid")).to_contain_text("Care model or service")
    expect(page.locator("#innov-grid")).not_to_contain_text("care_model_service")
    expect(page.locator("#innov-map-legend")).to_contain_text("innovations in use")
    expect(page.locator("#innov-map-legend")).to_contain_text("none of the selected in use")
    assert page.locator(MAP_PATHS).count() == 153
    # Navbar has the list page, never the detail template.
    expect(page.locator("nav")).to_contain_text("Innovations")
    show_grids(page)
    page.screenshot(path=screenshot_dir / "innovations.png", full_page=True)
    watch.assert_clean()


def test_filtering_updates_grid_and_map_and_the_download_has_the_rows(
        watched_page, live_server, engine, screenshot_dir):
    page, watch = watched_page
    open_innovations(page, live_server)
    items, _places = survey_store.read_inventory(engine, "innovations")
    piloting = items.loc[items["stage"] == "piloting"]
    before = fills(page)
    choose(page, "innov-filter-stage", "Piloting")
    expect(page.locator("#innov-count")).to_have_text(
        f"{len(piloting)} innovations match the filters.")
    displayed_rows(page, len(piloting))
    expect(page.locator(GRID_ROWS)).to_have_count(len(piloting))
    for name in piloting["name"]:
        expect(page.locator("#innov-grid")).to_contain_text(name)
    page.wait_for_function(
        "([s, prev]) => Array.from(document.querySelectorAll(s))"
        ".map(e => e.getAttribute('fill') || e.style.fill).join() !== prev",
        arg=[MAP_PATHS, before])
    expect(page.locator("#innov-map-caption")).to_contain_text(
        f"of the {len(piloting)} selected innovations")
    show_grids(page)
    page.screenshot(path=screenshot_dir / "innovations_filtered.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download innovations (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "innovations.csv"
    csv = pd.read_csv(download.path())
    assert sorted(csv["innovation_id"]) == sorted(piloting["innovation_id"])
    assert set(csv["stage"]) == {"Piloting"}

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download councils (CSV)").click()
    councils = pd.read_csv(download_info.value.path())
    assert len(councils) == 153
    assert councils["innovations_in_use"].max() <= len(piloting)
    watch.assert_clean()


def test_keyboard_only_search_filter_and_clear(watched_page, live_server, engine):
    page, watch = watched_page
    open_innovations(page, live_server)
    items, _places = survey_store.read_inventory(engine, "innovations")
    page.get_by_label(re.compile("^Search")).focus()
    page.keyboard.type("wigan")
    expect(page.locator("#innov-count")).to_have_text("1 innovation matches the filters.")
    displayed_rows(page, 1)
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    displayed_rows(page, len(items))
    # Tab from the search box to the Type filter, open it, take the first type.
    page.keyboard.press("Tab")
    expect(page.locator("#innov-filter-type")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("option", name="Care model or service")).to_be_visible()
    page.keyboard.press("ArrowDown")
    first = page.locator("[role=option] input[value=care_model_service]")
    try:
        expect(first).to_be_focused(timeout=3_000)
    except AssertionError:  # on a busy machine a key pressed while the list opens is lost
        page.keyboard.press("ArrowDown")
        expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("option", name="Care model or service")).to_have_attribute(
        "aria-selected", "true")
    page.keyboard.press("Escape")
    first_type = items["innovation_type"].eq("care_model_service")
    expect(page.locator("#innov-filter-type")).to_contain_text("Care model or service")
    displayed_rows(page, int(first_type.sum()))
    page.get_by_role("button", name="Clear filters").focus()
    page.keyboard.press("Enter")
    displayed_rows(page, len(items))
    expect(page.locator("#innov-filter-type")).to_contain_text("Any type")
    watch.assert_clean()


def test_spread_view_follows_the_year_and_the_innovation(watched_page, live_server,
                                                         screenshot_dir):
    page, watch = watched_page
    open_innovations(page, live_server, "?innovation=inn_shared_lives")
    caption = page.locator("#innov-spread-caption")
    expect(caption).to_contain_text("In 2024")
    before = fills(page, SPREAD_PATHS)
    page.locator("#innov-spread-year [role=slider]").first.focus()
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    expect(caption).to_contain_text("In 2018")
    page.wait_for_function(
        "([s, prev]) => Array.from(document.querySelectorAll(s))"
        ".map(e => e.getAttribute('fill') || e.style.fill).join() !== prev",
        arg=[SPREAD_PATHS, before])
    expect(page.locator("#innov-spread-legend")).to_contain_text("Councils in 2018")
    expect(page.locator("#innov-spread-table")).to_contain_text("2018")
    show_grids(page)
    page.screenshot(path=screenshot_dir / "innovations_spread.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download councils by year (CSV)").click()
    by_year = pd.read_csv(download_info.value.path()).set_index("year")
    assert f"In 2018, {by_year.loc[2018, 'in_use']} councils" in caption.inner_text()
    choose(page, "innov-spread-select", "Homeshare")
    expect(page.locator("#innov-spread-link")).to_have_attribute("href",
                                                                "/innovation/inn_homeshare")
    watch.assert_clean()


def test_opening_an_innovation_from_the_grid(watched_page, live_server, engine,
                                             screenshot_dir):
    page, watch = watched_page
    open_innovations(page, live_server)
    page.locator("#innov-grid").get_by_role("link", name="Shared Lives").click()
    expect(page).to_have_url(re.compile(r"/innovation/inn_shared_lives$"))
    expect(page).to_have_title("Shared Lives — SASCI capacity map")
    expect(page.locator("#innovation-title")).to_have_text("Shared Lives")
    expect(page.locator("#innovation-typology")).to_contain_text("Care model or service")
    expect(page.locator("#innovation-evidence")).to_contain_text("Comparative study")
    expect(page.locator("#innovation-demo-notice")).to_contain_text("synthetic demo data")
    _items, places = survey_store.read_inventory(engine, "innovations")
    n = int((places["innovation_id"] == "inn_shared_lives").sum())
    expect(page.locator("#innovation-councils tbody tr")).to_have_count(n)
    page.screenshot(path=screenshot_dir / "innovation_detail.png", full_page=True)
    watch.assert_clean()


def test_unknown_innovation_suggests_close_ids(watched_page, live_server, screenshot_dir):
    page, watch = watched_page
    page.goto(f"{live_server}/innovation/inn_homeshar")
    expect(page).to_have_title("Innovation not found — SASCI capacity map")
    message = page.locator("#innovation-not-found")
    expect(message).to_contain_text("no innovation with the id “inn_homeshar”")
    page.screenshot(path=screenshot_dir / "innovation_not_found.png", full_page=True)
    message.get_by_role("link", name="Homeshare").click()
    expect(page.locator("#innovation-title")).to_have_text("Homeshare")
    watch.assert_clean(not_found=True)
