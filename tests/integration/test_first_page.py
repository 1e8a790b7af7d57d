"""The app's layout comes with the requesting page in it (pages/first_page.py).

The browser's request for ``/_dash-layout`` names the page it is on in its ``Referer``; the
layout then holds what Dash's routing callback would have sent for that URL, so the browser
needs no routing request on a first load. The browser test ``tests/browser/test_first_load.py``
checks that no routing request is made; these check what is sent.
"""

from __future__ import annotations

import json
import logging
import re

import pytest

from pages import first_page
from tests.integration.test_faults_web import ROUTER

HOST = "localhost"  # the Flask test client's host
HARTLEPOOL = "E06000001"


def layout_for(client, referrer: str | None) -> dict:
    """Return the app layout (JSON) the browser gets on a page whose URL is ``referrer``."""
    headers = {"Referer": referrer} if referrer else {}
    response = client.get("/_dash-layout", headers=headers)
    assert response.status_code == 200
    return response.get_json()


def part(layout: dict, component_id: str) -> dict | None:
    """Return the props of the component with ``component_id`` in a layout's JSON."""
    if isinstance(layout, dict):
        props = layout.get("props", {})
        if props.get("id") == component_id:
            return props
        layout = props.get("children")
    for child in layout if isinstance(layout, list) else [layout]:
        if isinstance(child, dict):
            hit = part(child, component_id)
            if hit is not None:
                return hit
    return None


def routed(client, path: str, search: str) -> tuple:
    """Return what Dash's routing callback sends for the URL: (page content, title store)."""
    body = {**ROUTER, "inputs": [
        {"id": first_page.LOCATION_ID, "property": "pathname", "value": path},
        {"id": first_page.LOCATION_ID, "property": "search", "value": search}]}
    response = client.post("/_dash-update-component", json=body).get_json()["response"]
    return (response[first_page.CONTENT_ID]["children"], response[first_page.STORE_ID]["data"])


@pytest.mark.parametrize(("path", "search"), [
    ("/methods", ""),
    (f"/council/{HARTLEPOOL}", ""),
    ("/compare", f"?councils={HARTLEPOOL}&councils=E06000002"),
    ("/", "?indicator=imd_average_score&colours=benchmark"),
    ("/no-such-page", ""),  # the not-found page (pages/not_found_404.py)
])
def test_the_layout_holds_what_the_routing_callback_would_send(client, path, search):
    layout = layout_for(client, f"http://{HOST}{path}{search}")
    location = part(layout, first_page.LOCATION_ID)
    # the Location already says where the browser is, so it reports nothing when it mounts
    assert (location["pathname"], location["search"]) == (path, search)
    content = part(layout, first_page.CONTENT_ID)["children"]
    title = part(layout, first_page.STORE_ID)["data"]
    assert json.dumps((content, title), sort_keys=True) == \
        json.dumps(routed(client, path, search), sort_keys=True)


def test_the_council_page_comes_with_its_figures(client):
    layout = layout_for(client, f"http://{HOST}/council/{HARTLEPOOL}")
    assert "Hartlepool" in json.dumps(part(layout, first_page.CONTENT_ID))


@pytest.mark.parametrize("referrer", [
    None,                                    # no Referer: the routing callback lays it out
    "http://elsewhere.example/methods",      # another site's page
])
def test_otherwise_the_container_is_dash_s_own_empty_one(client, referrer):
    layout = layout_for(client, referrer)
    assert part(layout, first_page.CONTENT_ID).get("children") is None
    location = part(layout, first_page.LOCATION_ID)
    assert "pathname" not in location and "search" not in location


def test_a_page_failing_to_lay_out_is_left_to_the_routing_callback(client, monkeypatch, caplog):
    def broken(**_params):
        raise RuntimeError("database gone")

    monkeypatch.setattr(first_page, "_path_to_page",
                        lambda _path: ({"layout": broken, "title": "Broken"}, None))
    with caplog.at_level(logging.ERROR, logger=first_page.__name__):
        layout = layout_for(client, f"http://{HOST}/methods")
    assert part(layout, first_page.CONTENT_ID).get("children") is None  # not an error page
    assert "could not lay out /methods" in caplog.text  # and not silently


def test_each_page_preloads_the_layout_and_what_it_declared(client):
    def preloads(path: str) -> list[str]:
        page = client.get(path).get_data(as_text=True)
        return re.findall(r'<link rel="preload" href="([^"]+)" as="(?:fetch|script)"', page)

    everywhere = [f"/{name}" for name in first_page.PRELOADED]
    assert preloads("/methods")[:2] == everywhere
    map_page = preloads("/")
    assert map_page[:2] == everywhere
    assert "/geo/councils.geojson" in map_page  # the map's boundaries, before plotly asks
    assert any(url.endswith("/dcc/async-graph.js") for url in map_page)
    assert not any("geojson" in url for url in preloads("/methods"))
