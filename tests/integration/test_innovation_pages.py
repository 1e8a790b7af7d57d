"""Integration: the innovation pages' layouts and callbacks on the `init`-loaded database."""

from __future__ import annotations

import base64
import io
import json
import sys

import dash
import pandas as pd
import pytest

import app as app_module
from pages import ids, services
from sasci_map import innovation_views as views
from sasci_map import survey_store
from sasci_map.choropleth import MISSING_TRACE, VALUES_TRACE
from tests.layout_tools import find, text_of

NO_FILTERS = (None,) * len(views.FACETS)


@pytest.fixture(scope="module")
def stored(engine):
    """The inventory as stored, read straight from the database."""
    return survey_store.read_inventory(engine, "innovations")


def listing():
    return sys.modules["pages.innovations"]


def detail():
    return sys.modules["pages.innovation"]


def page(path: str) -> dict:
    return next(p for p in dash.page_registry.values()
                if p["path"] == path or p.get("path_template") == path)


def filters(**chosen) -> tuple:
    return tuple(chosen.get(key) for key in views.FACETS)


def csv_frame(download: dict) -> pd.DataFrame:
    """Read a CSV download; check it carries the licence and citation, then drop those."""
    raw = base64.b64decode(download["content"]) if download["base64"] else download["content"]
    frame = pd.read_csv(io.BytesIO(raw if isinstance(raw, bytes) else raw.encode()))
    assert list(frame.columns[-2:]) == ["licence", "citation"]
    assert frame["licence"].str.contains("Open Government Licence v3.0").all()
    return frame.drop(columns=["licence", "citation"])


def test_pages_are_registered_and_only_the_list_is_in_the_navbar():
    assert page("/innovations")["title"] == "Innovations — SASCI capacity map"
    assert page("/innovations").get("nav", True) is True
    assert page("/innovation/<innovation_id>")["nav"] is False
    links = [link.children.children for link in app_module.navbar().children]
    assert "Innovations" in links and "Innovation" not in links


def test_layout_shows_every_innovation_a_filter_per_facet_and_the_notice(request_context,
                                                                         stored):
    layout = page("/innovations")["layout"]()
    items, places = stored
    assert len(find(layout, ids.INNOV_GRID).rowData) == len(items)
    for component_id in listing().FILTER_IDS.values():
        control = find(layout, component_id)
        assert control is not None and control.multi
        assert all(o["label"] != o["value"] for o in control.options)  # labels, not codes
    notice = text_of(find(layout, ids.INNOV_DEMO_NOTICE))
    assert "Synthetic demo data" in notice
    assert f"{int(places['synthetic'].sum())} of the {len(places)} council rows" in notice
    assert find(layout, ids.INNOV_GRID_DOWNLOAD) is not None
    assert find(layout, ids.INNOV_MAP_DOWNLOAD) is not None


def test_map_is_drawn_from_a_url_with_every_council(request_context):
    layout = page("/innovations")["layout"]()
    figure = find(layout, ids.INNOV_MAP).figure
    none, some = figure["data"][MISSING_TRACE], figure["data"][VALUES_TRACE]
    assert some["geojson"] == services.GEOJSON_ROUTE
    assert len(none["locations"]) + len(some["locations"]) == 153
    assert len(json.dumps(figure)) < 60_000
    legend = text_of(find(layout, ids.INNOV_MAP_LEGEND))
    assert "innovations in use" in legend and "none of the selected in use" in legend
    assert len(find(layout, ids.INNOV_MAP_TABLE).rowData) == 153


def test_filter_callback_returns_the_right_rows_and_counts(request_context, stored):
    items, places = stored
    rows, patch, _legend, caption, council_rows, count = listing().update_innovations(
        "", *filters(stage=["piloting"]))
    expected = set(items.loc[items["stage"] == "piloting", "innovation_id"])
    assert {r["innovation_id"] for r in rows} == expected
    assert count == f"{len(expected)} innovations match the filters."
    live = places.loc[places["innovation_id"].isin(expected)
                      & places["end_year"].isna()]  # no demo end year is in the future
    by_council = live.groupby("council_code").size()
    got = {r["code"]: r["innovations_in_use"] for r in council_rows
           if r["innovations_in_use"]}
    assert got == by_council.to_dict()
    assert f"{len(by_council)} of 153 councils have at least one" in caption
    operations = patch.to_plotly_json()["operations"]
    paths = {tuple(op["location"]) for op in operations}
    assert ("data", VALUES_TRACE, "z") in paths
    assert not any("geojson" in map(str, p) for p in paths)


def test_search_and_an_empty_result(request_context):
    rows, *_rest, count = listing().update_innovations("wigan", *NO_FILTERS)
    assert [r["name"] for r in rows] == ["The Wigan Deal"]
    rows, _patch, legend, caption, council_rows, count = listing().update_innovations(
        "no such innovation", *NO_FILTERS)
    assert rows == [] and count == "0 innovations match the filters."
    assert all(r["innovations_in_use"] == 0 for r in council_rows)
    assert "153 have none" in caption


def test_clear_resets_search_and_every_filter():
    assert listing().on_clear_filters(1) == ("", *([[]] * len(views.FACETS)))


def test_csv_downloads_hold_the_filtered_rows(request_context, stored):
    items, _places = stored
    wanted = filters(innovation_type=["technology", "workforce_roles"])
    grid = csv_frame(listing().on_download_innovations(1, "", *wanted))
    expected = items.loc[items["innovation_type"].isin(["technology", "workforce_roles"])]
    assert sorted(grid["innovation_id"]) == sorted(expected["innovation_id"])
    assert list(grid.columns) == views.TABLE_COLUMNS
    assert set(grid["innovation_type"]) == {"Technology", "Workforce and roles"}
    councils = csv_frame(listing().on_download_councils(1, "", *wanted))
    assert len(councils) == 153
    rows = listing().update_innovations("", *wanted)[4]
    assert councils["innovations_in_use"].tolist() == [r["innovations_in_use"] for r in rows]


def test_spread_callback_by_year(request_context, stored):
    _items, places = stored
    mine = places.loc[places["innovation_id"] == "inn_shared_lives"]
    patch, legend, caption, chart, year_rows, council_rows, link, href = (
        listing().update_spread("inn_shared_lives", 2018))
    row = next(r for r in year_rows if r["year"] == 2018)
    in_use = ((mine["start_year"] <= 2018)
              & (mine["end_year"].isna() | (mine["end_year"] >= 2018))).sum()
    assert row["in_use"] == in_use and row["ever_adopted"] == (mine["start_year"] <= 2018).sum()
    assert f"In 2018, {in_use} councils had it in use" in caption
    assert "Councils in 2018" in text_of(legend)
    assert href == "/innovation/inn_shared_lives" and "Shared Lives" in link
    assert len(council_rows) == 153
    assert list(chart.data[0].y) == [r["in_use"] for r in year_rows]
    spread = csv_frame(listing().on_download_spread(1, "inn_shared_lives"))
    assert spread.to_dict("records") == year_rows
    statuses = csv_frame(listing().on_download_spread_councils(1, "inn_shared_lives", 2018))
    assert (statuses["status"].isin([views.STARTED, views.IN_USE])).sum() == in_use


def test_query_parameter_picks_the_spread_innovation(request_context):
    layout = page("/innovations")["layout"](innovation="inn_homeshare")
    assert find(layout, ids.INNOV_SPREAD_SELECT).value == "inn_homeshare"
    layout = page("/innovations")["layout"](innovation="<script>" * 50)
    assert find(layout, ids.INNOV_SPREAD_SELECT).value == "inn_buurtzorg_neighbourhood_care"


def test_detail_page_shows_typology_actors_evidence_and_councils(request_context, stored):
    _items, places = stored
    layout = page("/innovation/<innovation_id>")["layout"](innovation_id="inn_wigan_deal")
    assert text_of(find(layout, ids.INNOVATION_TITLE)) == "The Wigan Deal"
    typology = text_of(find(layout, ids.INNOVATION_TYPOLOGY))
    assert "System and partnership" in typology and "work together across a place" in typology
    assert "Voluntary and community sector" in text_of(find(layout, ids.INNOVATION_ACTORS))
    assert "Carers" in text_of(find(layout, ids.INNOVATION_CLIENT_GROUPS))
    evidence = text_of(find(layout, ids.INNOVATION_EVIDENCE))
    assert "Before-and-after evaluation" in evidence and "King's Fund" in evidence
    table = find(layout, ids.INNOVATION_COUNCILS)
    body = table.children[1].children
    assert len(body) == (places["innovation_id"] == "inn_wigan_deal").sum()
    wigan = next(r for r in body if text_of(r.children[0]) == "Wigan")
    assert text_of(wigan.children[2]) == "2011" and text_of(wigan.children[-1]) == "real"
    assert "7 of its 8 council rows are synthetic demo data" in text_of(
        find(layout, ids.INNOVATION_DEMO_NOTICE))


def test_unknown_id_lists_close_ids(request_context):
    layout = page("/innovation/<innovation_id>")["layout"](innovation_id="inn_shared_live")
    message = find(layout, ids.INNOVATION_NOT_FOUND)
    assert "no innovation with the id “inn_shared_live”" in text_of(message)
    suggestions = " ".join(text_of(message).split())
    assert "Did you mean: Shared Lives (inn_shared_lives)" in suggestions
    assert detail().title("inn_shared_lives") == "Shared Lives — SASCI capacity map"
    assert detail().title("nope") == "Innovation not found — SASCI capacity map"


def test_pages_respond_with_their_titles(client):
    for path, title, status in (
            ("/innovations", "Innovations — SASCI capacity map", 200),
            ("/innovation/inn_homeshare", "Homeshare — SASCI capacity map", 200),
            ("/innovation/nothing", "Innovation not found — SASCI capacity map", 404)):
        response = client.get(path)
        assert response.status_code == status, path
        html = response.get_data(as_text=True)
        assert f"<title>{title}</title>" in html or title in html
        assert "//cdn" not in html
