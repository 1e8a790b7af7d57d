"""Real Chromium: the map page loads AG Grid's library when its table is first shown.

pages/lazy_grid.py puts a stand-in (assets/lazy_ag_grid.js) where dash-ag-grid's script was on
the map page. The library is fetched after the map is drawn; a page with a grid that is opened
before the library has arrived shows "Loading the table…" and then its grid; a library that
cannot be loaded is reported on the page and in the console, and the map still works.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

LIBRARY = "**/_dash-component-suites/dash_ag_grid/dash_ag_grid.*.js"
MAP_DRAWN = "n => document.querySelectorAll('#map-graph .choroplethlocation').length >= n"
#: Records when the map first has all its councils drawn and when AG Grid's library is asked for.
RECORD_MAP_AND_LIBRARY = """(() => {
  window.__order = [];
  const seen = (what) => { if (!window.__order.includes(what)) window.__order.push(what); };
  new MutationObserver(() => {
    if (document.querySelectorAll('#map-graph .choroplethlocation').length >= 153)
      seen('map drawn');
    if (Array.from(document.scripts).some(s => s.src.includes('/dash_ag_grid/dash_ag_grid.')))
      seen('library asked for');
  }).observe(document, {subtree: true, childList: true});
})();"""


def wait_until(condition, page, timeout_ms: int = 20_000) -> None:
    """Wait until ``condition()`` is true, letting Playwright deliver its events meanwhile."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the condition"
        page.wait_for_timeout(50)


def test_the_library_is_fetched_after_the_map_is_drawn(watched_page, live_server):
    page, watch = watched_page
    page.add_init_script(RECORD_MAP_AND_LIBRARY)
    page.goto(live_server + "/")
    page.wait_for_function("() => window.__order.length == 2")
    assert page.evaluate("() => window.__order") == ["map drawn", "library asked for"]
    expect(page.locator("#map-table .ag-row")).not_to_have_count(0)
    page.wait_for_function("() => dash_ag_grid.getApi({type: 'map-table-grid', index: 0})"
                           ".getDisplayedRowCount() == 153")
    # the stand-in tells dash-renderer what the library's own AgGrid would
    statics = page.evaluate("""() => [sasci_lazy_grid.AgGrid, dash_ag_grid.AgGrid].map(c =>
        JSON.stringify([c.dashRenderType, c.dashPersistence]))""")
    assert statics[0] == statics[1]
    assert page.evaluate("() => dash_ag_grid !== sasci_lazy_grid")  # the library took over
    watch.assert_clean()


def test_a_grid_page_opened_before_the_library_arrives_gets_its_grid(watched_page, live_server):
    page, watch = watched_page
    held = []
    page.route(LIBRARY, lambda route: held.append(route))
    page.goto(live_server + "/")
    page.wait_for_function(MAP_DRAWN, arg=153)
    page.wait_for_function("() => document.querySelector('#map-table .lazy-grid-loading')")
    # The browser has asked; Playwright hands the held request to Python a moment later.
    wait_until(lambda: held, page)
    assert len(held) == 1  # asked for once the map was drawn, and not answered yet
    page.get_by_role("link", name="Innovations", exact=True).click()
    expect(page).to_have_url(live_server + "/innovations")
    expect(page.locator(".lazy-grid-loading").first).to_contain_text("Loading the table")
    held[0].continue_()
    expect(page.locator(".ag-row").first).to_be_visible()
    expect(page.locator(".lazy-grid-loading")).to_have_count(0)
    watch.assert_clean()


def test_a_library_that_fails_to_load_is_reported(watched_page, live_server):
    page, watch = watched_page
    page.route(LIBRARY, lambda route: route.abort())
    page.goto(live_server + "/?indicator=imd_average_score")
    page.wait_for_function(MAP_DRAWN, arg=153)
    alert = page.locator("#map-table [role=alert]")
    expect(alert).to_contain_text("The table could not be loaded")
    # the map and its controls still work without the table
    page.get_by_role("radio", name="Who took part in the survey wave (coverage)").check()
    expect(page).to_have_url(re.compile(r"view=coverage"))
    assert any("AG Grid's script could not be loaded" in e for e in watch.errors)
    assert watch.foreign == []
