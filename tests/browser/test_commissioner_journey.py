"""Real Chromium: a commissioner's whole journey across the pages, as the issue describes it.

Map → find the council by name → change indicator, wave and colouring → open its profile →
compare with its neighbours → funnel plot → methods; then share the link and get the same view.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.dropdowns import search_dropdown

HULL = "E06000010"
SURVEY_INDICATOR = "cap_overall"
#: The map's council paths; every council is drawn in every mode.
COUNCIL_PATHS = "#map-graph .choroplethlocation"
#: Generous first-draw wait: the machine running CI may be slow and busy.
FIRST_DRAW_MS = 60_000


def wait_for_map(page):
    page.wait_for_function(
        "n => document.querySelectorAll('#map-graph .choroplethlocation').length >= n",
        arg=153, timeout=FIRST_DRAW_MS)
    page.wait_for_load_state("networkidle")


def test_commissioner_finds_council_compares_it_and_reads_the_methods(
        watched_page, live_server, screenshot_dir):
    page, watch = watched_page
    page.goto(live_server + "/")
    wait_for_map(page)

    # Find the council by typing its everyday name.
    page.get_by_label(re.compile("Find a council")).fill("Hull")
    page.keyboard.press("Enter")
    expect(page.locator("#map-search-message")).to_contain_text("Kingston upon Hull")
    expect(page).to_have_url(re.compile(f"council={HULL}"))

    # Change the indicator to a survey figure, the wave, and the colouring mode.
    search_dropdown(page, "map-indicator", "Capability for innovating")
    page.get_by_role("option", name=re.compile("Capability for innovating: overall")).first.click()
    expect(page).to_have_url(re.compile(f"indicator={SURVEY_INDICATOR}"))
    page.locator("#map-wave").click()
    page.get_by_role("option", name=re.compile("2023")).first.click()
    expect(page).to_have_url(re.compile("wave=2023"))
    page.get_by_label(re.compile("Compared with England")).check()
    expect(page).to_have_url(re.compile("classes=benchmark"))
    # The legend explains the states a survey map is mostly made of, with counts.
    states = page.locator("#map-legend")
    expect(states).to_contain_text("Suppressed")
    expect(states).to_contain_text("No response")
    assert page.locator(COUNCIL_PATHS).count() >= 153
    shared_map_url = page.url
    page.screenshot(path=screenshot_dir / "journey-map.png", full_page=True)

    # Open the council's profile from the panel beside the map.
    page.locator("#map-profile-link").click()
    expect(page).to_have_url(re.compile(f"/council/{HULL}"))
    # The first profile a server lays out also reads and benchmarks every figure once.
    expect(page.locator("#council-title")).to_contain_text("Kingston upon Hull",
                                                           timeout=FIRST_DRAW_MS)
    expect(page).to_have_title(re.compile("Kingston upon Hull.*council profile"))
    expect(page.locator("#council-spine-legend")).to_contain_text("Better is to the right")
    page.wait_for_function(
        "() => document.querySelectorAll('[id^=council-spine-] .js-plotly-plot').length > 0",
        timeout=FIRST_DRAW_MS)

    # Compare it with its statistical neighbours, then look at the funnel plot.
    page.locator("#council-compare-link").click()
    expect(page).to_have_url(re.compile(f"/compare\\?.*neighbours={HULL}"))
    page.wait_for_function(
        "() => document.querySelectorAll('#compare-bars .bars .point').length > 0",
        timeout=FIRST_DRAW_MS)
    expect(page.locator("#compare-coverage")).to_contain_text("16 chosen councils")
    page.get_by_role("tab", name="Funnel plot").click()
    expect(page).to_have_url(re.compile("tab=funnel"))
    expect(page.locator("#compare-funnel-caption")).to_contain_text("99.8%")
    page.screenshot(path=screenshot_dir / "journey-funnel.png", full_page=True)

    # Read how the figures are made.
    page.get_by_role("link", name="Methods").first.click()
    expect(page).to_have_url(re.compile("/methods"))
    expect(page).to_have_title(re.compile("Methods"))
    expect(page.locator("#suppression")).to_contain_text("5")
    expect(page.locator("#funnel")).to_contain_text("99.8")

    # The shared map link reopens the same view: indicator, wave, colouring and council.
    page.goto(shared_map_url)
    wait_for_map(page)
    expect(page.locator("#map-definition")).to_contain_text(re.compile("capability", re.I))
    expect(page.get_by_label(re.compile("Compared with England"))).to_be_checked()
    expect(page.locator("#map-wave")).to_contain_text("2023")
    expect(page.locator("#map-council-panel")).to_contain_text("Kingston upon Hull")
    watch.assert_clean()
