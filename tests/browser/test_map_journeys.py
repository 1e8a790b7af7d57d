"""Real Chromium: the map renders every council, reacts to controls, and stays on its origin."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect
from plotly.offline import get_plotlyjs_version

from sasci_map import indicators
from sasci_map.geography import boundaries
from sasci_map.mapview import build_map_view, indicator_options
from sasci_map.table_payload import council_names, decode_rows, encode_rows
from tests.browser.dropdowns import search_dropdown
from tests.bundle_tools import bundled_traces

COUNCIL_PATHS = "#map-graph .choroplethlocation"
PLOT = "document.querySelector('#map-graph .js-plotly-plot')"
GRID = "{type: 'map-table-grid', index: 0}"  # the map table's grid (pages/ids.MAP_TABLE_GRID)
#: Records, in order, when the map first has all its councils drawn and when the grid appears.
RECORD_GRID_AFTER_MAP = """(() => {
  window.__order = [];
  const seen = (what, found) => { if (found && !window.__order.includes(what))
    window.__order.push(what); };
  new MutationObserver(() => {
    seen('map drawn', document.querySelectorAll('#map-graph .choroplethlocation').length >= 153);
    seen('grid', document.querySelector('#map-table .ag-root-wrapper') !== null);
  }).observe(document, {subtree: true, childList: true});
})();"""
#: The four choropleth layers (traces): not available, values, no response, suppressed (on
#: top). Plotly draws no group for a trace without councils, so layers are found by trace index.
MISSING_LAYER, VALUES_LAYER, NO_RESPONSE_LAYER, SUPPRESSED_LAYER = 0, 1, 2, 3
LAYER_PATHS_JS = """() => { const out = {0: [], 1: [], 2: [], 3: []};
    document.querySelectorAll('#map-graph .trace.choropleth').forEach(g => {
        out[g.__data__[0].trace.index] = Array.from(
            g.querySelectorAll('path.choroplethlocation')).map(
                e => [getComputedStyle(e).fill, getComputedStyle(e).stroke]); });
    return out; }"""


def fills(page) -> list[str]:
    """The fill colour of every drawn council, in drawing order."""
    return page.eval_on_selector_all(
        COUNCIL_PATHS, "els => els.map(e => e.getAttribute('fill') || e.style.fill)")


def wait_for_rows(page, rows: int) -> None:
    """Wait until the map's table (its library loaded on demand) shows ``rows`` rows."""
    page.evaluate(f"() => dash_ag_grid.getApiAsync({GRID}).then(() => true)")
    page.wait_for_function(f"() => dash_ag_grid.getApi({GRID}).getDisplayedRowCount() == {rows}")


def open_map(page, live_server, query: str = ""):
    page.goto(f"{live_server}/{query}")
    page.wait_for_function(
        "n => document.querySelectorAll('#map-graph .choroplethlocation').length >= n", arg=153)
    page.wait_for_load_state("networkidle")  # the first callbacks have answered


def council_point(page, code: str) -> tuple[float, float]:
    """Return page coordinates of a point inside the council, as drawn now."""
    point = boundaries().set_index("code").loc[code].geometry.representative_point()
    return page.evaluate(
        f"""([lon, lat]) => {{ const gd = {PLOT};
            const [x, y] = gd._fullLayout.geo._subplot.projection([lon, lat]);
            const box = gd.querySelector('.main-svg').getBoundingClientRect();
            return [box.left + x, box.top + y]; }}""", [point.x, point.y])


def click_council(page, code: str):
    """Click with the mouse on a point inside the council, as a person would."""
    page.mouse.click(*council_point(page, code))


def hover_council(page, code: str) -> str:
    """Rest the mouse on the council; return the hover label's text, line by line."""
    page.mouse.move(*council_point(page, code))
    label = page.locator("#map-graph .hoverlayer .hovertext")
    expect(label).to_have_count(1)
    return "\n".join(label.locator("tspan.line").all_text_contents())


def choose_indicator(page, label_part: str):
    page.locator("#map-indicator").click()
    page.get_by_role("option", name=re.compile(re.escape(label_part))).first.click()


def test_map_renders_all_153_councils_with_a_legend(watched_page, live_server, screenshot_dir):
    page, watch = watched_page
    open_map(page, live_server)
    # All 153 councils have a value here: every one is on the values layer.
    assert page.evaluate(f"() => {PLOT}.data.length") == 4
    assert len(layer_paths(page)[VALUES_LAYER]) == 153
    expect(page.locator("#map-legend")).to_contain_text("Quintiles (%)")
    expect(page.locator("#map-legend")).to_contain_text("neither direction is better")
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


def test_indicator_selector_lists_every_indicator_and_finds_them_by_domain(watched_page,
                                                                          live_server, engine):
    """The selector's whole list comes once the map is drawn; typing a domain finds its group."""
    page, watch = watched_page
    open_map(page, live_server)
    choices = indicator_options(indicators.catalogue(engine))
    page.locator("#map-indicator").click()
    expect(page.get_by_role("option")).to_have_count(len(choices))
    page.keyboard.press("Escape")
    search_dropdown(page, "map-indicator", "barriers to innovating")
    barrier_group = [o["label"] for o in choices
                     if o["search"] == indicators.DOMAIN_LABELS["barriers"]]
    assert len(barrier_group) > 1  # the heading and at least one indicator
    expect(page.get_by_role("option")).to_have_text(barrier_group)
    page.get_by_role("option").nth(1).click()
    expect(page).to_have_url(re.compile(r"indicator=bar"))
    watch.assert_clean()


def test_missing_councils_are_drawn_as_not_available_and_explained(watched_page, live_server):
    page, watch = watched_page
    open_map(page, live_server, "?indicator=imd_average_score")
    expect(page.locator("#map-legend")).to_contain_text("Not available (4 councils)")
    cumberland = hover_council(page, "E06000063")
    assert cumberland.startswith("Cumberland\nNorth West\nNot available\nboundary change")
    # Drawn in the "not available" fill (#f7f7f7) with its grey outline (#969696).
    assert layer_paths(page)[MISSING_LAYER] == [["rgb(247, 247, 247)", "rgb(150, 150, 150)"]] * 4
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
    expect(panel.locator("tbody tr").first).to_contain_text(re.compile(r"rank \d+ of 153"))
    # the narrow panel's table wraps within it: nothing is cut off at its right edge
    assert page.evaluate("""() => { const box = document.querySelector(
        '#map-council-panel .council-values'); return box.scrollWidth <= box.clientWidth; }""")
    expect(page).to_have_url(re.compile(r"council=E10000017"))
    expect(page.locator("#map-profile-link")).to_have_attribute("href", "/council/E10000017")
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
    expect(page.locator("#map-table .ag-row").first).to_be_visible()  # after the map is drawn
    expect(page.locator("#map-table")).not_to_contain_text("Cornwall")
    watch.assert_clean()


def layer_paths(page) -> dict[int, list]:
    """[fill, outline] of every council drawn, by layer (trace index)."""
    return {int(k): v for k, v in page.evaluate(LAYER_PATHS_JS).items()}


def layer_fills(page, layer: int) -> list[str]:
    """Fill colours of the councils drawn on one layer."""
    return [fill for fill, _ in layer_paths(page)[layer]]


def legend_count(page, label: str) -> int:
    text = page.locator("#map-legend").inner_text()
    return int(re.search(re.escape(label) + r" \((\d+) councils?\)", text).group(1))


def wait_for_caption(page, text: str):
    expect(page.locator("#map-caption")).to_contain_text(text)


def test_indicator_then_wave_then_benchmark_mode(watched_page, live_server, screenshot_dir):
    page, watch = watched_page
    open_map(page, live_server)
    choose_indicator(page, "overall score across the five clusters (1 to 5) (waves")
    wait_for_caption(page, "(2025), by council")
    expect(page.locator("#map-definition")).to_contain_text("Synthetic demo data")
    page.wait_for_function("() => document.querySelectorAll("
                           "'#map-graph .choroplethlocation').length === 153")
    page.screenshot(path=screenshot_dir / "map-survey-quintiles.png", full_page=True)
    # The wave selector offers the indicator's two waves.
    page.locator("#map-wave").click()
    page.get_by_role("option", name="2023").click()
    wait_for_caption(page, "(2023), by council")
    expect(page).to_have_url(re.compile(r"wave=2023"))
    page.get_by_label("Compared with England (95% intervals)").check()
    wait_for_caption(page, "Colours: Compared with England")
    expect(page).to_have_url(re.compile(r"classes=benchmark"))
    legend = page.locator("#map-legend")
    for label in ("Better than England", "Similar to England", "Worse than England",
                  "Suppressed (fewer than 5 organisations)", "No response", "Not available"):
        expect(legend).to_contain_text(label)
    suppressed = legend_count(page, "Suppressed (fewer than 5 organisations)")
    no_response = legend_count(page, "No response")
    assert suppressed > 50 and no_response > 30  # the demo survey: most councils hidden
    # Suppressed councils are drawn in the suppressed grey (#636363) with a black outline.
    page.wait_for_function(f"n => ({LAYER_PATHS_JS})()[{SUPPRESSED_LAYER}].length === n",
                           arg=suppressed)
    assert set(layer_fills(page, SUPPRESSED_LAYER)) == {"rgb(99, 99, 99)"}
    assert {stroke for _, stroke in layer_paths(page)[SUPPRESSED_LAYER]} == {"rgb(0, 0, 0)"}
    assert set(layer_fills(page, NO_RESPONSE_LAYER)) == {"rgb(217, 217, 217)"}
    assert len(layer_fills(page, VALUES_LAYER)) + suppressed + no_response == 153
    expect(page.locator("#map-caption")).to_contain_text(
        f"{suppressed} suppressed; {no_response} no response; 0 not available")
    expect(page.locator("#map-table")).to_contain_text("Suppressed (fewer than 5 organisations)")
    watch.assert_clean()


def test_benchmark_mode_on_a_context_indicator_says_why_nothing_is_compared(
        watched_page, live_server, screenshot_dir):
    page, watch = watched_page
    open_map(page, live_server, "?indicator=ascof_2a2&classes=benchmark")
    expect(page.locator("#map-legend")).to_contain_text("Not compared (148 councils)")
    expect(page.locator("#map-legend")).to_contain_text("no interval or no England figure")
    expect(page.locator("#map-wave")).to_contain_text("2020-21")
    # One period only: the wave selector shows it but cannot be changed.
    assert page.locator("#map-wave").evaluate(
        "e => (e.matches('button') ? e : e.querySelector('button')).disabled")
    page.screenshot(path=screenshot_dir / "map-context-benchmark.png", full_page=True)
    watch.assert_clean()


def test_coverage_view_draws_every_council_with_its_own_legend(watched_page, live_server,
                                                               screenshot_dir):
    page, watch = watched_page
    open_map(page, live_server)
    page.get_by_label("Who took part in the survey wave (coverage)").check()
    wait_for_caption(page, "Who took part in survey wave 2025")
    expect(page).to_have_url(re.compile(r"view=coverage"))
    legend = page.locator("#map-legend")
    expect(legend).to_contain_text("Only provider organisations took part")
    expect(legend).to_contain_text("No organisation took part")
    expect(legend).to_contain_text("Synthetic demo data")
    none = legend_count(page, "No organisation took part")
    page.wait_for_function(f"n => ({LAYER_PATHS_JS})()[{NO_RESPONSE_LAYER}].length === n",
                           arg=none)
    assert page.locator(COUNCIL_PATHS).count() == 153
    expect(page.locator("#map-table")).to_contain_text("Provider organisations")
    page.screenshot(path=screenshot_dir / "map-coverage.png", full_page=True)
    watch.assert_clean()


def test_pooled_view_colours_councils_by_region(watched_page, live_server, screenshot_dir):
    page, watch = watched_page
    open_map(page, live_server, "?indicator=support_used_any_providers&view=pooled")
    expect(page.locator("#map-caption")).to_contain_text("pooled figure")
    expect(page.locator("#map-definition")).to_contain_text("Region value, pooled")
    assert page.locator(COUNCIL_PATHS).count() == 153
    hover = hover_council(page, "E10000017")  # Lancashire, large: easy to rest the mouse on
    assert hover.startswith("Lancashire\nNorth West\nRegion value, pooled: ")
    expect(page.locator("#map-table .ag-center-cols-container .ag-row")).to_have_count(9)
    page.screenshot(path=screenshot_dir / "map-pooled.png", full_page=True)
    watch.assert_clean()


def test_a_url_with_every_parameter_sets_every_control(watched_page, live_server):
    page, watch = watched_page
    open_map(page, live_server, "?indicator=cap_overall&wave=2023&classes=natural_breaks"
                                "&view=pooled&region=E12000002&council=E10000017")
    expect(page.locator("#map-indicator")).to_contain_text("overall score across the five")
    expect(page.locator("#map-wave")).to_contain_text("2023")
    expect(page.get_by_label("Natural breaks (Fisher-Jenks)")).to_be_checked()
    expect(page.get_by_label("Region figures, pooled (each council shows its region)")
           ).to_be_checked()
    expect(page.locator("#map-region")).to_contain_text("North West")
    expect(page.locator("#map-council-name")).to_have_text("Lancashire")
    expect(page.locator("#map-legend")).to_contain_text("Natural breaks")
    expect(page.locator("#map-caption")).to_contain_text("(2023), each council coloured")
    # Changing one control keeps the rest of the view in the URL.
    page.get_by_label("Quintiles").check()
    expect(page).to_have_url(re.compile(
        r"indicator=cap_overall&wave=2023&view=pooled&region=E12000002&council=E10000017$"))
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



def test_map_loads_plotly_once_from_the_partial_bundle(watched_page, live_server):
    """One plotly.js request, the app's partial bundle, with the traces every page draws."""
    page, watch = watched_page
    scripts: list[str] = []
    page.on("request", lambda r: re.search(r"/plotly[^/]*\.min\.js$", urlparse(r.url).path)
            and scripts.append(urlparse(r.url).path))
    open_map(page, live_server)
    assert [s.rsplit("/", 1)[-1] for s in scripts] == ["plotly-sasci.min.js"]
    assert page.evaluate("() => Plotly.version") == get_plotlyjs_version()
    registered = page.evaluate("() => Object.keys(Plotly.PlotSchema.get().traces)")
    assert set(registered) == bundled_traces()
    watch.assert_clean()


def test_table_is_put_on_the_page_after_the_map_is_drawn(watched_page, live_server, engine,
                                                         settings):
    """The grid waits for the map to be drawn, then shows all rows; a change replaces them."""
    page, watch = watched_page
    page.add_init_script(RECORD_GRID_AFTER_MAP)
    open_map(page, live_server, "?indicator=imd_average_score")
    api = f"dash_ag_grid.getApi({GRID})"
    wait_for_rows(page, 153)
    order = page.evaluate("() => window.__order")
    assert order[:2] == ["map drawn", "grid"], order  # the grid is created after the map
    expect(page.locator("#map-table")).to_contain_text("Hartlepool")
    expect(page.get_by_text("Loading the table")).to_have_count(0)
    # the rows the browser rebuilt (assets/map_table.js) are the server's, at the shown precision
    shown = page.evaluate(f"() => {{ const out = []; {api}.forEachNode(n => out.push(n.data));"
                          " return out; }")
    rows = build_map_view(engine, "imd_average_score", data_dir=settings.data_dir).table_rows()
    names = council_names(settings.data_dir)
    assert shown == decode_rows(encode_rows(rows, names), names)
    assert [(r["council"], r["value"]) for r in shown] == \
        [(r["council"], None if r["value"] is None else round(r["value"], 2)) for r in rows]
    choose_indicator(page, "Deprivation: rank of IMD 2019")
    expect(page.locator("#map-definition")).to_contain_text("rank")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(f"() => {api}.getDisplayedRowCount()") == 153
    first_value = f"() => {api}.getDisplayedRowAtIndex(0).data.value"
    assert page.evaluate(first_value) == 9  # Hartlepool's rank (its average score is 35.04)
    assert page.locator("#map-table .ag-root-wrapper").count() == 1  # updated, not re-created
    watch.assert_clean()


TRUNCATED_JS = """(selector) => [...document.querySelectorAll(selector)]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""
#: Titles with a word wider than its column (the browser would break it mid-word).
BROKEN_WORDS_JS = """(selector) => {
  const ctx = document.createElement("canvas").getContext("2d");
  return [...document.querySelectorAll(selector)].filter(e => {
    const style = getComputedStyle(e);
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    return e.textContent.split(/\\s+/).some(w => ctx.measureText(w).width > e.clientWidth + 1);
  }).map(e => e.textContent);
}"""


@pytest.mark.parametrize(("query", "rows", "columns"), [
    ("?indicator=imd_average_score", 153, 11),
    ("?indicator=support_used_any_providers&view=pooled", 9, 10),
    ("?view=coverage", 153, 8),
], ids=["values", "pooled", "coverage"])
def test_table_titles_names_and_codes_are_shown_in_full(watched_page, live_server, screenshot_dir,
                                                        query, rows, columns):
    """No column title, name or code of the map's table is cut short or broken mid-word."""
    page, watch = watched_page
    open_map(page, live_server, query)
    wait_for_rows(page, rows)
    headers = page.locator("#map-table .ag-header-cell-text")
    expect(headers.filter(has_text="GSS code")).to_have_count(1)
    assert headers.count() == columns  # every column is on the page, none left out of it
    assert page.evaluate(TRUNCATED_JS, "#map-table .ag-header-cell-text") == []
    assert page.evaluate(BROKEN_WORDS_JS, "#map-table .ag-header-cell-text") == []
    fields = page.evaluate(f"() => dash_ag_grid.getApi({GRID}).getColumns()"
                           ".map(c => c.getColId())")
    for field in ("council", "region", "code", "vs_england", "status", "value", "rank", "coverage"):
        if field in fields:
            cells = f"#map-table .ag-cell[col-id='{field}']"
            assert page.locator(cells).count() >= min(rows, 5), field
            assert page.evaluate(TRUNCATED_JS, cells) == [], field
    page.locator("#map-table").screenshot(
        path=screenshot_dir / f"map-table-{query.rsplit('=', 1)[-1]}.png")
    watch.assert_clean()
