"""Real Chromium: the map renders every council, reacts to controls, and stays on its origin."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from sasci_map.geography import boundaries

COUNCIL_PATHS = "#map-graph .choroplethlocation"
PLOT = "document.querySelector('#map-graph .js-plotly-plot')"
#: The two choropleth layers: grey "no value" underneath, coloured values on top.
LAYERS = "#map-graph .trace.choropleth"


def fills(page) -> list[str]:
    """The fill colour of every drawn council, in drawing order."""
    return page.eval_on_selector_all(
        COUNCIL_PATHS, "els => els.map(e => e.getAttribute('fill') || e.style.fill)")


def open_map(page, live_server, query: str = ""):
    page.goto(f"{live_server}/{query}")
    page.wait_for_function(
        "n => document.querySelectorAll('#map-graph .choroplethlocation').length >= n", arg=153)


def click_council(page, code: str):
    """Click with the mouse on a point inside the council, as a person would."""
    point = boundaries().set_index("code").loc[code].geometry.representative_point()
    x, y = page.evaluate(
        f"""([lon, lat]) => {{ const gd = {PLOT};
            const [x, y] = gd._fullLayout.geo._subplot.projection([lon, lat]);
            const box = gd.querySelector('.main-svg').getBoundingClientRect();
            return [box.left + x, box.top + y]; }}""", [point.x, point.y])
    page.mouse.click(x, y)


def choose_indicator(page, label_part: str):
    page.locator("#map-indicator").click()
    page.get_by_role("option", name=re.compile(re.escape(label_part))).first.click()


def test_map_renders_all_153_councils_with_a_legend(watched_page, live_server, screenshot_dir):
    page, watch = watched_page
    open_map(page, live_server)
    # Two layers: 153 grey "no value" paths underneath, the coloured councils on top.
    assert page.locator(LAYERS).count() == 2
    first_layer = page.locator(LAYERS).first.locator("path")
    assert first_layer.count() == 153
    expect(page.locator("#map-legend")).to_contain_text("Quintiles (%)")
    expect(page.locator("#map-caption")).to_contain_text("153 of 153 councils have a value")
    expect(page).to_have_title(re.compile("Map of councils"))
    page.screenshot(path=screenshot_dir / "map.png", full_page=True)
    watch.assert_clean()


def test_changing_the_indicator_recolours_the_map_and_updates_the_url(watched_page,
                                                                      live_server):
    page, watch = watched_page
    open_map(page, live_server)
    before = fills(page)
    choose_indicator(page, "Multiple Deprivation 2019 average score")
    expect(page.locator("#map-caption")).to_contain_text("deprivation", ignore_case=True)
    page.wait_for_function(
        "prev => Array.from(document.querySelectorAll('#map-graph .choroplethlocation'))"
        ".map(e => e.getAttribute('fill') || e.style.fill).join() !== prev", arg=",".join(before))
    assert fills(page) != before
    expect(page.locator("#map-caption")).to_contain_text("149 of 153 councils have a value")
    expect(page).to_have_url(re.compile(r"indicator=imd_average_score"))
    watch.assert_clean()


def test_missing_councils_are_grey_and_explained(watched_page, live_server):
    page, watch = watched_page
    open_map(page, live_server, "?indicator=imd_average_score")
    expect(page.locator("#map-legend")).to_contain_text("No value (reason on hover) (4 councils)")
    hover = page.evaluate(f"() => {PLOT}.data[0].hovertext")
    cumberland = next(text for text in hover if "Cumberland" in text)
    assert "No value: boundary change" in cumberland
    grey = page.locator(LAYERS).first.locator("path").first
    assert grey.get_attribute("fill") == "rgb(158, 158, 158)"
    watch.assert_clean()


def test_clicking_a_council_shows_its_values(watched_page, live_server):
    page, watch = watched_page
    open_map(page, live_server, "?region=E12000002")
    # Lancashire (E10000017) is large and wholly visible when zoomed to the North West.
    click_council(page, "E10000017")
    expect(page.locator("#map-council-name")).to_have_text("Lancashire")
    panel = page.locator("#map-council-panel")
    expect(panel).to_contain_text("County council · North West · E10000017")
    expect(panel).to_contain_text("Population, all ages")
    # The mapped indicator (share aged 65+) heads the table, highlighted.
    expect(panel.locator("tr.table-primary").first).to_contain_text("aged 65 and over (%)")
    expect(panel.locator("tbody tr").first).to_have_class(re.compile("table-primary"))
    expect(page).to_have_url(re.compile(r"council=E10000017"))
    watch.assert_clean()


def test_council_search_uses_the_resolver(watched_page, live_server):
    page, watch = watched_page
    open_map(page, live_server)
    page.get_by_label(re.compile("Find a council")).fill("E10000023")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#map-council-name")).to_have_text("North Yorkshire")
    expect(page.locator("#map-search-message")).to_contain_text("recoded")
    page.get_by_label(re.compile("Find a council")).fill("Cumbria")
    page.keyboard.press("Enter")
    expect(page.locator("#map-search-message")).to_contain_text("Cumberland")
    expect(page.locator("#map-search-message")).to_contain_text("Westmorland")
    watch.assert_clean()


def test_region_selector_zooms_and_a_shared_link_restores_the_view(watched_page, live_server):
    page, watch = watched_page
    open_map(page, live_server, "?indicator=pop_85_plus&region=E12000007&classes=equal_interval")
    expect(page.locator("#map-indicator")).to_contain_text("85")
    expect(page.locator("#map-legend")).to_contain_text("Equal intervals")
    scale = page.evaluate(f"() => {PLOT}.layout.geo.projection.scale")
    assert scale > 4  # London fills the frame
    assert page.locator("#map-table .ag-row").count() > 0
    expect(page.locator("#map-table")).not_to_contain_text("Cornwall")
    watch.assert_clean()


def test_about_page_carries_the_attribution(watched_page, live_server, screenshot_dir):
    page, watch = watched_page
    page.goto(f"{live_server}/about")
    expect(page).to_have_title(re.compile("About the data"))
    expect(page.locator("main")).to_contain_text(
        "Contains OS data © Crown copyright and database right")
    expect(page.locator("main")).to_contain_text("Open Government Licence v3.0")
    expect(page.locator("#about-datasets")).to_contain_text("NHS Digital")
    expect(page.locator("#about-demo-notice")).to_contain_text("Synthetic demo data")
    expect(page.locator("#about-survey")).to_contain_text("synthetic demo data")
    page.screenshot(path=str(screenshot_dir / "about.png"), full_page=True)
    watch.assert_clean()

