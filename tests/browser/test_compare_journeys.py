"""Real Chromium: the compare page's ranked bars, funnel, scatter and table, view in the URL."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.dropdowns import search_dropdown

HULL = "E06000010"
BARS = "#compare-bars .trace.bars .point"
GD = "document.querySelector('#{} .js-plotly-plot')"


#: The first page of a session also loads plotly and the grid; allow for a busy machine.
FIRST_DRAW_MS = 60_000


def open_compare(page, live_server, query: str):
    page.goto(f"{live_server}/compare{query}")
    page.wait_for_function("s => document.querySelectorAll(s).length > 0", arg=BARS,
                           timeout=FIRST_DRAW_MS)


def trace_names(page, graph_id: str) -> list[str]:
    return page.evaluate(f"() => {GD.format(graph_id)}.data.map(t => t.name)")


def test_ranked_bars_funnel_scatter_and_table_with_the_view_in_the_url(
        watched_page, live_server, screenshot_dir):
    page, watch = watched_page
    open_compare(page, live_server, f"?neighbours={HULL}&indicator=pct_65_plus")
    expect(page).to_have_title(re.compile("Compare councils"))
    assert page.locator(BARS).count() == 16
    expect(page.locator("#compare-bars")).to_contain_text("Kingston upon Hull")
    expect(page.locator("#compare-bars")).to_contain_text("England (solid line): 18.5%")
    expect(page.locator("#compare-coverage")).to_contain_text(
        "16 of 16 chosen councils have a value")
    expect(page.locator("#compare-bars-caption")).to_contain_text("highest first")
    page.screenshot(path=screenshot_dir / "compare-bars.png", full_page=True)

    page.get_by_role("tab", name="Funnel plot").click()
    expect(page).to_have_url(re.compile(r"tab=funnel"))
    expect(page.locator("#compare-funnel")).to_be_visible()
    names = trace_names(page, "compare-funnel")
    assert names.count("95% control limits") == 2
    assert names.count("99.8% control limits") == 2
    # Both pairs are drawn as lines on screen (England line + four limits), with a width.
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('#compare-funnel .scatterlayer .js-line'))
                 .filter(e => e.getAttribute('d') && e.getBBox().width > 100).length >= 5""")
    expect(page.locator("#compare-funnel-caption")).to_contain_text("95% and 99.8%")
    expect(page.locator("#compare-funnel-note")).to_contain_text("not a sample")
    page.screenshot(path=screenshot_dir / "compare-funnel.png", full_page=True)

    page.get_by_role("tab", name="Scatter").click()
    expect(page).to_have_url(re.compile(r"tab=scatter"))
    expect(page.locator("#compare-scatter-caption")).to_contain_text("Spearman")
    expect(page.locator("#compare-scatter-caption")).to_contain_text("n = 16")
    assert page.locator("#compare-scatter .scatterlayer .point").count() == 16
    page.screenshot(path=screenshot_dir / "compare-scatter.png", full_page=True)

    page.get_by_role("tab", name="Table").click()
    expect(page.locator("#compare-table .ag-center-cols-container .ag-row")).to_have_count(16)
    page.screenshot(path=screenshot_dir / "compare-table.png", full_page=True)

    # The URL holds the whole view: opening it again restores the tab and the councils.
    url = page.url
    assert f"neighbours={HULL}" in url and "tab=table" in url
    page.goto(url)
    expect(page.get_by_role("tab", name="Table")).to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator("#compare-table .ag-center-cols-container .ag-row")).to_have_count(16)
    watch.assert_clean()


def test_region_view_of_a_survey_indicator_explains_missing_councils(
        watched_page, live_server, screenshot_dir):
    page, watch = watched_page
    open_compare(page, live_server, "?indicator=pct_65_plus&region=E12000008")
    assert page.locator(BARS).count() == 19
    page.locator("#compare-indicator").click()
    page.get_by_role("option", name=re.compile("find the money")).first.click()
    expect(page.locator("#compare-coverage")).to_contain_text("of 19 chosen councils have a value")
    expect(page.locator("#compare-coverage")).to_contain_text("synthetic demo data")
    expect(page.locator("#compare-no-value")).to_contain_text("Councils without a value")
    expect(page.locator("#compare-no-value")).to_contain_text("No response")
    expect(page).to_have_url(re.compile(r"indicator=pct_agree_funding.*region=E12000008"))
    page.screenshot(path=screenshot_dir / "compare-survey-region.png", full_page=True)
    watch.assert_clean()


def test_choosing_councils_by_hand(watched_page, live_server):
    page, watch = watched_page
    open_compare(page, live_server, "?indicator=imd_average_score")
    page.get_by_label("Councils I choose").check()
    expect(page.locator("#compare-councils-box")).to_be_visible()
    expect(page.locator("#compare-focus-box")).to_be_hidden()
    search_dropdown(page, "compare-councils", "Leeds")  # the list is long: search it
    page.get_by_role("option", name=re.compile("^Leeds")).first.click()
    page.keyboard.press("Escape")
    page.wait_for_function("s => document.querySelectorAll(s).length === 2", arg=BARS)
    expect(page).to_have_url(re.compile(r"councils=E08000025,E08000035"))
    watch.assert_clean()
