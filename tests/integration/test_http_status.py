"""Page addresses answer with an honest HTTP status (pages/http_status.py).

A link checker, a script or a search engine must see what a person sees: nothing at an
address is a 404 (with the friendly page still in the body), a council named another way is a
redirect to its current address, and every real page is a 200.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from pages import council, http_status, ids
from tests.layout_tools import find, text_of

NORTH_YORKSHIRE = "E06000065"


@pytest.mark.parametrize("path", [
    "/", "/compare", "/quadrant", "/methods", "/about", "/data", "/innovations",
    "/infrastructure", "/council/E06000001", "/council/E10000021",  # a split county: a choice
    "/innovation/inn_buurtzorg_neighbourhood_care", "/infrastructure/hin_east",
])
def test_real_pages_are_200(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", [
    "/no-such-page", "/council/Manchster", "/council/E99999999", "/innovation/inn_nothing",
    "/infrastructure/no_such_org", "/404", "/methods/extra",
])
def test_addresses_with_nothing_there_are_404_with_the_app_in_the_body(client, path):
    response = client.get(path)
    assert response.status_code == 404
    # the body is still the app, which shows the friendly page and its suggestions
    assert response.mimetype == "text/html" and 'id="react-entry-point"' in response.text
    assert client.head(path).status_code == 404


@pytest.mark.parametrize(("asked", "code"), [
    ("E10000023", NORTH_YORKSHIRE),  # an old county code
    ("E07000164", NORTH_YORKSHIRE),  # a former district (Hambleton)
    ("Hull", "E06000010"),           # a name people use
])
def test_a_council_named_another_way_redirects_to_its_current_address(client, asked, code):
    response = client.get(f"/council/{asked}")
    assert response.status_code == http_status.FOUND_ELSEWHERE
    target = urlsplit(response.headers["Location"])
    assert target.path == f"/council/{code}"
    assert parse_qs(target.query) == {council.FROM_PARAM: [asked]}
    assert client.get(response.headers["Location"]).status_code == 200


def test_a_code_in_lower_case_redirects_without_a_note(client):
    response = client.get("/council/e06000047")
    assert response.status_code == http_status.FOUND_ELSEWHERE
    assert response.headers["Location"] == "/council/E06000047"


def test_the_profile_says_what_was_asked_for(request_context):
    page = council.layout(code=NORTH_YORKSHIRE, **{council.FROM_PARAM: "E10000023"})
    notice = text_of(find(page, ids.COUNCIL_REDIRECTED_FROM))
    assert "E10000023" in notice and "replaced by E06000065 North Yorkshire" in notice
    # a "from" that does not lead to this council says nothing (no text from the URL shown)
    for asked in ("Hull", "<b>made up</b>", ""):
        page = council.layout(code=NORTH_YORKSHIRE, **{council.FROM_PARAM: asked})
        assert find(page, ids.COUNCIL_REDIRECTED_FROM) is None


def test_a_failing_check_is_logged_and_the_page_served(client, monkeypatch, caplog):
    def broken(**_params):
        raise RuntimeError("database gone")

    page = {"layout": "", "title": "Broken", http_status.PAGE_KEY: broken}
    monkeypatch.setattr(http_status, "page_and_variables", lambda _path: (page, {}))
    assert http_status.answer_for("/anything") == http_status.SERVED
    assert "could not work out the status of /anything" in caplog.text
