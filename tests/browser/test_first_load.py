"""A first load gets its page with the app's layout; moving between pages still routes.

pages/first_page.py puts the requesting page in the layout, so the browser makes no request to
Dash's routing callback on a first load; links within the app still go through it. The layout
and the callbacks are preloaded by the page and fetched once.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from pages import first_page

HARTLEPOOL = "E06000001"
PRELOADED = tuple(first_page.PRELOADED)


def routing_requests(page) -> list[str]:
    """Record the page's requests to Dash's routing callback (by the output they ask for)."""
    seen: list[str] = []

    def check(request):
        if request.method == "POST" and "_dash-update-component" in request.url:
            body = json.loads(request.post_data or "{}")
            if "_pages_content" in body.get("output", ""):
                seen.append(body["inputs"][0]["value"])

    page.on("request", check)
    return seen


@pytest.mark.parametrize(("path", "shows"), [
    ("/?indicator=imd_average_score", "#map-graph .choroplethlocation"),
    (f"/council/{HARTLEPOOL}", "text=Hartlepool"),
    ("/methods", "h1"),
])
def test_a_first_load_needs_no_routing_request(watched_page, live_server, path, shows):
    page, watch = watched_page
    routed = routing_requests(page)
    fetched: list[str] = []
    page.on("request", lambda r: r.method == "GET" and fetched.append(r.url))
    page.goto(live_server + path)
    expect(page.locator(shows).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert routed == []
    # what the page preloads is taken by whoever asks for it later: nothing is fetched twice
    preloaded = re.findall(r'<link rel="preload" href="([^"]+)"',
                           page.request.get(live_server + path).text())
    assert {f"/{name}" for name in PRELOADED} <= set(preloaded)
    assert set(preloaded) <= {urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query
                                                  else "") for u in fetched}
    twice = [u for u in set(fetched) if fetched.count(u) > 1]
    assert twice == []
    watch.assert_clean()


def test_links_between_pages_still_route(watched_page, live_server):
    page, watch = watched_page
    routed = routing_requests(page)
    page.goto(live_server + "/methods")
    expect(page.locator("h1").first).to_be_visible()
    page.get_by_role("link", name="Compare", exact=True).click()
    expect(page).to_have_url(live_server + "/compare")
    expect(page).to_have_title("Compare councils — SASCI capacity map")
    assert routed == ["/compare"]
    page.go_back()
    expect(page).to_have_url(live_server + "/methods")
    expect(page.locator("h1").first).to_contain_text("Methods")
    watch.assert_clean()
