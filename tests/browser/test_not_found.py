"""Real Chromium: an address with nothing at it says so, is a 404, and helps the user on."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_unknown_address_gets_a_friendly_404_with_search_and_links(watched_page, live_server,
                                                                   screenshot_dir):
    page, watch = watched_page
    response = page.goto(f"{live_server}/councils/durham")
    assert response.status == 404
    expect(page).to_have_title("Page not found — SASCI capacity map")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    links = page.locator("#not-found-links a")
    expect(links.first).to_have_text("Map")
    expect(links).to_contain_text(["Map", "Compare", "Methods", "About"])
    page.screenshot(path=str(screenshot_dir / "not-found.png"), full_page=True)
    # the council search resolves what is typed, by keyboard
    page.get_by_label("Find a council (name, code, old code or district)").fill("durham")
    page.keyboard.press("Enter")
    expect(page.locator("#council-title")).to_have_text("County Durham", timeout=60_000)
    expect(page).to_have_title(re.compile("^County Durham — council profile"))
    watch.assert_clean(not_found=True)


def test_a_link_from_the_not_found_page_opens_that_page(watched_page, live_server):
    page, watch = watched_page
    page.goto(f"{live_server}/no-such-page")
    page.locator("#not-found-links").get_by_role("link", name="Methods").click()
    expect(page).to_have_url(re.compile(r"/methods$"))
    expect(page).to_have_title("Methods and definitions — SASCI capacity map")
    watch.assert_clean(not_found=True)
