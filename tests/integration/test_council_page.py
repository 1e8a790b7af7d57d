"""The council profile page: identity, every indicator, peers; not found, redirects, splits."""

from __future__ import annotations

import dash
import pytest
from dash import dcc

from pages import council, council_search, ids
from sasci_map import db
from sasci_map.spine import TEXT_NAME
from tests.layout_tools import find, find_all, text_of

SURVEY_COUNCIL = "E06000011"  # East Riding of Yorkshire: demo survey values in both waves


@pytest.fixture(scope="module")
def profile(settings, engine):
    import app as app_module
    from pages import services

    services.configure(app_module.server, settings)
    with app_module.server.test_request_context("/"):
        return council.layout(code=SURVEY_COUNCIL)


def _links(layout) -> list[str]:
    return [c.href for c in find_all(layout, lambda c: getattr(c, "href", None))]


def test_profile_names_the_council_its_type_region_and_code(profile):
    assert text_of(find(profile, ids.COUNCIL_TITLE)) == "East Riding of Yorkshire"
    identity = text_of(find(profile, ids.COUNCIL_IDENTITY))
    assert "Unitary authority" in identity and "Yorkshire and The Humber" in identity
    assert SURVEY_COUNCIL in identity
    assert "/?region=E12000003" in _links(find(profile, ids.COUNCIL_IDENTITY))


def test_profile_says_who_responded_in_each_wave_and_that_it_is_demo_data(profile):
    waves = text_of(find(profile, ids.COUNCIL_WAVES))
    assert "2023" in waves and "2025" in waves and "synthetic demo data" in waves
    assert "Synthetic demo data" in text_of(find(profile, ids.COUNCIL_DEMO_NOTICE))


def test_profile_has_a_spine_row_and_a_table_row_for_every_indicator(profile, engine):
    defs = db.read_definitions(engine)
    graphs = find_all(profile, lambda c: isinstance(c, dcc.Graph)
                      and str(c.id).startswith(ids.COUNCIL_SPINE))
    labels = [label for g in graphs for label in g.figure["layout"]["yaxis"]["ticktext"]]
    assert len(labels) == len(defs)
    methods_links = {h.split("#indicator-")[1] for h in _links(profile) if "#indicator-" in h}
    assert methods_links == set(defs["indicator_id"])


def test_suppressed_rows_are_written_not_drawn(profile):
    graph = find(profile, f"{ids.COUNCIL_SPINE}-barriers")
    text = next(t for t in graph.figure["data"] if t["name"] == TEXT_NAME)["text"]
    assert all(t.startswith("Suppressed") for t in text)
    markers = [t for t in graph.figure["data"] if t["name"].startswith("East Riding")]
    assert markers == []
    table = text_of(find(profile, f"{ids.COUNCIL_SPINE_TABLE}-barriers"))
    assert "Suppressed — fewer than 5 organisations" in table


def test_profile_links_fifteen_neighbours_and_the_compare_view(profile):
    neighbours = find(profile, ids.COUNCIL_NEIGHBOURS)
    hrefs = _links(neighbours)
    assert len(hrefs) == 15 and all(h.startswith("/council/E") for h in hrefs)
    assert find(profile, ids.COUNCIL_COMPARE_LINK).href == f"/compare?neighbours={SURVEY_COUNCIL}"
    assert "Rank (1 = highest)" in text_of(find(profile, ids.COUNCIL_NEIGHBOUR_COMPARISON))


def test_profile_shows_trends_innovations_and_support(profile):
    trends = text_of(find(profile, ids.COUNCIL_TRENDS))
    assert "improved" in trends and "not available (2023: Suppressed" in trends
    assert any(h.startswith("/innovation/") for h in _links(find(profile,
                                                                 ids.COUNCIL_INNOVATIONS)))
    assert any(h.startswith("/infrastructure/") for h in _links(find(profile,
                                                                     ids.COUNCIL_SUPPORT)))


def test_title_names_the_council(request_context):
    assert council.title(code=SURVEY_COUNCIL) == (
        "East Riding of Yorkshire — council profile — SASCI capacity map")
    assert council.title(code="nowhere").startswith("Council not found")


def test_unknown_code_gives_not_found_with_suggestions(request_context):
    page = council.layout(code="Manchster")
    assert text_of(find(page, ids.COUNCIL_TITLE)) == "Council not found"
    assert "Manchster" in text_of(find(page, ids.COUNCIL_NOT_FOUND))
    assert "/council/E08000003" in _links(find(page, ids.COUNCIL_SUGGESTIONS))
    assert find(page, ids.COUNCIL_SEARCH_INPUT) is not None
    assert "/" in _links(page)  # back to the map


def test_old_code_redirects_to_its_successor(request_context):
    page = council.layout(code="E10000023")
    location = find(page, ids.COUNCIL_REDIRECT_LOCATION)
    assert location.pathname == "/council/E06000065" and location.refresh is True
    message = text_of(find(page, ids.COUNCIL_REDIRECT))
    assert "E10000023" in message and "North Yorkshire (E06000065)" in message


def test_split_county_lists_its_successors(request_context):
    page = council.layout(code="E10000021")
    assert find(page, ids.COUNCIL_REDIRECT_LOCATION) is None
    assert _links(find(page, ids.COUNCIL_SUCCESSORS)) == ["/council/E06000061",
                                                          "/council/E06000062"]


def test_search_opens_the_profile_of_what_was_typed():
    assert council_search.on_search(1, None, " Harrogate ") == "/council/Harrogate"
    assert council_search.on_search(1, None, "") is dash.no_update


def test_page_is_served(client):
    assert client.get(f"/council/{SURVEY_COUNCIL}").status_code == 200
