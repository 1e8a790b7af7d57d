"""Real Chromium under the app's Content-Security-Policy: every page works, nothing is blocked.

A CSP violation is recorded by a ``securitypolicyviolation`` listener (and shows as a console
error, which ``watch.assert_clean()`` fails on); every response from the app is checked for the
security headers.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

import app as app_module
from pages import security, services

#: Pages and what shows that each rendered (a selector inside the page content).
PAGES = {
    "map": ("/", "#map-graph .choroplethlocation"),
    "compare": ("/compare", "#_pages_content h1"),
    "quadrant": ("/quadrant", ".js-plotly-plot"),
    "innovations": ("/innovations", ".ag-row"),
    "infrastructure": ("/infrastructure", ".ag-row"),
    "data": ("/data", "#data-preview .ag-row"),
    "methods": ("/methods", "#_pages_content h1"),
    "about": ("/about", "#_pages_content h1"),
    "council": ("/council/E06000001", "#_pages_content h1"),
}
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`
                              + ` (${e.sourceFile}:${e.lineNumber})`);
});
"""


def _record_headers(page, origin: str) -> list[tuple[str, dict]]:
    seen: list[tuple[str, dict]] = []
    host = urlparse(origin).netloc
    page.on("response", lambda r: urlparse(r.url).netloc == host
            and seen.append((r.url, r.all_headers())))
    return seen


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_under_the_csp_with_every_header(name, watched_page, live_server,
                                                      screenshot_dir):
    page, watch = watched_page
    page.add_init_script(RECORD_VIOLATIONS)
    responses = _record_headers(page, live_server)
    path, ready = PAGES[name]
    page.goto(f"{live_server}{path}")
    try:
        expect(page.locator(ready).first).to_be_visible(timeout=60_000)
        page.wait_for_load_state("networkidle")
    finally:
        page.screenshot(path=screenshot_dir / f"csp-{name}.png", full_page=False)
    assert page.evaluate("window.__cspViolations") == []
    watch.assert_clean()
    assert len(responses) > 5  # the page, Dash's scripts, layout, callbacks
    for url, headers in responses:
        csp = headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp, url
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0], url
        for header, value in security.SECURITY_HEADERS.items():
            assert headers.get(header.lower()) == value, (url, header)


def test_page_cannot_be_framed_by_another_site(watched_page, live_server):
    page, _watch = watched_page
    page.goto("about:blank")
    page.set_content(f'<iframe id="f" src="{live_server}/about" width="400" height="300">'
                     "</iframe>")
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#f")
    expect(frame.locator("nav")).to_have_count(0)  # the browser refused to render it


def test_a_database_outage_shows_a_friendly_notice_not_a_blank_page(
        watched_page, live_server, settings, tmp_path, screenshot_dir):
    page, watch = watched_page
    gone = f"sqlite:///{tmp_path / 'gone' / 'sasci.db'}"  # its folder does not exist
    services.configure(app_module.server, replace(settings, database_url=gone))
    try:
        page.goto(f"{live_server}/data")
        notice = page.get_by_role("alert")
        expect(notice).to_contain_text(security.DATABASE_DOWN_TITLE, timeout=30_000)
        expect(notice).to_contain_text("try again in a minute")
        expect(page).to_have_title(security.DATABASE_DOWN_TITLE)
        page.screenshot(path=screenshot_dir / "database-down.png")
    finally:
        services.configure(app_module.server, settings)
    page.goto(f"{live_server}/about")
    expect(page.locator("#_pages_content h1").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text(security.DATABASE_DOWN_TITLE)).to_have_count(0)
    watch.assert_clean()
