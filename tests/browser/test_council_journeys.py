"""Real Chromium: a council profile draws its spines, prints cleanly, links peers and redirects."""

from __future__ import annotations

import re

from playwright.sync_api import expect

SURVEY_COUNCIL = "E06000011"  # East Riding of Yorkshire: demo survey values in both waves
#: Generous: the profile computes a dozen charts on a busy test machine.
PROFILE_TIMEOUT_MS = 60_000


def open_profile(page, live_server, code: str = SURVEY_COUNCIL):
    page.goto(f"{live_server}/council/{code}")
    expect(page.locator("#council-title")).to_be_visible(timeout=PROFILE_TIMEOUT_MS)


def test_profile_draws_spines_and_prints_as_a_clean_report(watched_page, live_server,
                                                           screenshot_dir):
    page, watch = watched_page
    open_profile(page, live_server)
    expect(page).to_have_title("East Riding of Yorkshire — council profile — SASCI capacity map")
    capacity = page.locator("#council-spine-capacity")
    expect(capacity.locator(".main-svg").first).to_be_visible(timeout=PROFILE_TIMEOUT_MS)
    # the council's circle and the region's diamond are drawn; suppressed rows are written
    expect(capacity.locator(".scatterlayer .point").first).to_be_visible()
    barriers = page.locator("#council-spine-barriers")
    barriers.scroll_into_view_if_needed()
    expect(barriers.locator(".textpoint").first).to_contain_text("Suppressed",
                                                                 timeout=PROFILE_TIMEOUT_MS)
    expect(page.locator("#council-spine-legend")).to_contain_text("Better is to the right")
    page.screenshot(path=str(screenshot_dir / "council.png"), full_page=True)

    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    footers = page.locator("footer")
    for i in range(footers.count()):
        expect(footers.nth(i)).to_be_hidden()
    expect(page.locator("#council-print")).to_be_hidden()
    expect(page.locator("#council-title")).to_be_visible()
    expect(page.locator(".profile-section").first).to_have_css("break-before", "page")
    page.set_viewport_size({"width": 800, "height": 1100})  # about an A4 page's width
    page.wait_for_timeout(500)
    page.screenshot(path=str(screenshot_dir / "council-print.png"))  # the first page
    page.locator("#council-spine-support_use").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "council-print-spine.png"))
    watch.assert_clean()


def test_a_neighbour_link_opens_its_profile(watched_page, live_server):
    page, watch = watched_page
    open_profile(page, live_server)
    first = page.locator("#council-neighbours a").first
    name, href = first.inner_text(), first.get_attribute("href")
    first.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    expect(page.locator("#council-title")).to_have_text(name, timeout=PROFILE_TIMEOUT_MS)
    watch.assert_clean()


def test_unknown_code_shows_not_found_with_suggestions_and_search(watched_page, live_server,
                                                                  screenshot_dir):
    page, watch = watched_page
    page.goto(f"{live_server}/council/Manchster")
    expect(page.locator("#council-title")).to_have_text("Council not found")
    expect(page.locator("#council-not-found")).to_contain_text("Manchster")
    expect(page.locator("#council-suggestions")).to_contain_text("Manchester")
    page.screenshot(path=str(screenshot_dir / "council-not-found.png"), full_page=True)
    page.get_by_label("Find a council (name, code, old code or district)").fill("Hull")
    page.keyboard.press("Enter")
    # the server redirects /council/Hull to the council's current address, saying why
    expect(page).to_have_url(re.compile(r"/council/E06000010\?from=Hull$"),
                             timeout=PROFILE_TIMEOUT_MS)
    expect(page.locator("#council-title")).to_have_text("Kingston upon Hull, City of",
                                                         timeout=PROFILE_TIMEOUT_MS)
    expect(page.locator("#council-redirected-from")).to_contain_text("You asked for “Hull”")
    watch.assert_clean(not_found=True)


def test_old_code_redirects_to_the_successor(watched_page, live_server):
    page, watch = watched_page
    response = page.goto(f"{live_server}/council/E10000023")
    assert response.request.redirected_from.url.endswith("/council/E10000023")  # by the server
    expect(page).to_have_url(re.compile(r"/council/E06000065\?from=E10000023$"),
                             timeout=PROFILE_TIMEOUT_MS)
    expect(page.locator("#council-title")).to_have_text("North Yorkshire",
                                                         timeout=PROFILE_TIMEOUT_MS)
    expect(page.locator("#council-redirected-from")).to_contain_text(
        "E10000023 North Yorkshire (county) replaced by E06000065 North Yorkshire in 2023")
    watch.assert_clean()


def test_a_link_to_an_old_code_inside_the_app_opens_the_successor(watched_page, live_server):
    # Moving inside the app, the server is not asked for the page: the profile redirects itself.
    page, watch = watched_page
    page.goto(f"{live_server}/council/E06000047")
    expect(page.locator("#council-title")).to_have_text("County Durham",
                                                         timeout=PROFILE_TIMEOUT_MS)
    page.evaluate("""() => { window.history.pushState({}, '', '/council/E10000023');
                             window.dispatchEvent(new CustomEvent('_dashprivate_pushstate')); }""")
    expect(page).to_have_url(re.compile(r"/council/E06000065\?from=E10000023$"),
                             timeout=PROFILE_TIMEOUT_MS)
    expect(page.locator("#council-redirected-from")).to_contain_text("replaced by E06000065")
    watch.assert_clean()


def test_split_county_lists_its_successors(watched_page, live_server):
    page, watch = watched_page
    page.goto(f"{live_server}/council/E10000021")
    successors = page.locator("#council-successors a")
    expect(successors).to_have_text(["North Northamptonshire", "West Northamptonshire"])
    watch.assert_clean()
