"""Real Chromium: the quadrant page plots the regions, reweights the index, keeps its URL."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from scipy.stats import rankdata

from sasci_map.db import read_values
from sasci_map.geography import regions

POINTS = "#quad-graph .scatterlayer .point"
TABLE_ROWS = "#quad-table .ag-center-cols-container .ag-row"
CLUSTERS = ("collaboration", "leadership", "knowledge", "resources", "culture")
#: Each weight change recomputes the index and its rank intervals on the server; several in a
#: row queue up, so the last result can take a while on a busy machine.
SLOW_MS = 30_000


def open_quadrant(page, live_server, query: str = "", points: int = 9):
    page.goto(f"{live_server}/quadrant{query}")
    page.wait_for_function(f"n => document.querySelectorAll('{POINTS}').length >= n",
                           arg=points)


def ranks_by_area(page) -> dict[str, str]:
    """The table's index rank of each area, as the grid shows it."""
    return page.evaluate("""() => {
        const out = {};
        document.querySelectorAll('#quad-table .ag-pinned-left-cols-container .ag-row')
          .forEach(row => {
            const i = row.getAttribute('row-index');
            const centre = document.querySelector(
              `#quad-table .ag-center-cols-container .ag-row[row-index="${i}"]`);
            out[row.querySelector('[col-id="area"]').innerText.trim()] =
              centre.querySelector('[col-id="rank"]').innerText.trim();
          });
        return out; }""")


def wait_for(condition, page, tries: int = 40) -> bool:
    """Poll ``condition`` (every 100 ms, up to 4 s): the grid redraws after its data arrive."""
    for _ in range(tries):
        if condition():
            return True
        page.wait_for_timeout(100)
    return condition()


def expected_ranks(engine, cluster: str, wave: str = "2025") -> dict[str, str]:
    """Ranks of the regions on one cluster score alone (what a one-cluster index must give)."""
    values = read_values(engine, f"cap_{cluster}", period=wave, area_level="region")
    names = regions().set_index("code")["name"]
    ranks = rankdata(-values["value"].to_numpy(), method="min")
    return {names[c]: str(int(r)) for c, r in zip(values["area_code"], ranks, strict=True)}


def test_regions_are_plotted_with_their_table(watched_page, live_server, screenshot_dir):
    page, watch = watched_page
    open_quadrant(page, live_server)
    expect(page).to_have_title(re.compile("Capacity and support use"))
    assert page.locator(POINTS).count() == 9
    expect(page.locator("#quad-level-note")).to_contain_text("Showing regions because only")
    expect(page.locator("#quad-demo-notice")).to_contain_text("synthetic demo data")
    expect(page.locator(TABLE_ROWS)).to_have_count(9)
    expect(page.locator("#quad-unplaced-summary")).to_contain_text("All 9 regions are placed")
    for name in regions()["name"]:
        expect(page.locator("#quad-graph .textpoint", has_text=name)).to_have_count(1)
    for share in CLUSTERS:
        expect(page.locator(f"#quad-share-{share}")).to_have_text("20 %")
    page.screenshot(path=screenshot_dir / "quadrant.png", full_page=True)
    watch.assert_clean()


def test_changing_weights_reranks_the_table_and_updates_the_url(watched_page, live_server,
                                                                engine):
    page, watch = watched_page
    open_quadrant(page, live_server)
    for cluster in CLUSTERS:
        if cluster != "leadership":
            page.locator(f"#quad-w-{cluster}").fill("0")
    expect(page.locator("#quad-share-leadership")).to_have_text("100 %", timeout=SLOW_MS)
    expect(page.locator("#quad-share-culture")).to_have_text("0 %")
    expect(page).to_have_url(re.compile(r"w_culture=0(&|$)"), timeout=SLOW_MS)
    want = expected_ranks(engine, "leadership")
    assert wait_for(lambda: ranks_by_area(page) == want, page), ranks_by_area(page)
    # All zero: a clear message, the capability-score chart stays, ranks are blank.
    page.locator("#quad-w-leadership").fill("0")
    expect(page.locator("#quad-weight-message")).to_contain_text("All five weights are zero",
                                                                 timeout=SLOW_MS)
    assert wait_for(lambda: set(ranks_by_area(page).values()) == {""}, page)
    assert page.locator(POINTS).count() == 9
    page.get_by_role("button", name="Reset to equal weights").click()
    expect(page.locator("#quad-share-culture")).to_have_text("20 %", timeout=SLOW_MS)
    expect(page.locator("#quad-weight-message")).to_have_text("")
    watch.assert_clean()


def test_the_url_restores_the_whole_view(watched_page, live_server, screenshot_dir):
    page, watch = watched_page
    query = ("?level=region&wave=2023&x=index&w_collaboration=3&w_leadership=1"
             "&w_knowledge=0&w_resources=0&w_culture=0")
    open_quadrant(page, live_server, query)
    expect(page.get_by_label("2023")).to_be_checked()
    expect(page.get_by_label("Composite capacity index (weighted, standardised)")).to_be_checked()
    expect(page.locator("#quad-w-collaboration")).to_have_value("3")
    expect(page.locator("#quad-share-collaboration")).to_have_text("75 %")
    expect(page.locator("#quad-share-leadership")).to_have_text("25 %")
    expect(page.locator("#quad-graph .xtitle")).to_contain_text("Composite capacity index")
    page.screenshot(path=screenshot_dir / "quadrant-index.png", full_page=True)
    # Change the wave with the keyboard-usable radio, then reopen the new URL as a fresh visit.
    page.get_by_label("2025").check()
    expect(page).to_have_url(re.compile(r"wave=2025"), timeout=SLOW_MS)
    url = page.url
    assert "x=index" in url and "w_collaboration=3" in url and "level=region" in url
    page.goto(url)
    page.wait_for_function(f"n => document.querySelectorAll('{POINTS}').length >= n", arg=9)
    expect(page.get_by_label("2025")).to_be_checked()
    expect(page.locator("#quad-share-leadership")).to_have_text("25 %")
    watch.assert_clean()


def test_councils_are_listed_with_the_reason_they_cannot_be_placed(watched_page, live_server,
                                                                   screenshot_dir):
    page, watch = watched_page
    page.goto(f"{live_server}/quadrant?level=council&wave=2025")
    expect(page.locator("#quad-level-note")).to_contain_text("Few councils to compare",
                                                             timeout=SLOW_MS)
    expect(page.locator("#quad-unplaced-summary")).to_contain_text("of 153 councils cannot be "
                                                                   "placed")
    expect(page.locator("#quad-unplaced-table")).to_contain_text("fewer than 5 responding")
    page.screenshot(path=screenshot_dir / "quadrant-councils.png", full_page=True)
    watch.assert_clean()
