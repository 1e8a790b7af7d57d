"""Integration: the support-infrastructure pages' layouts and callbacks on the shipped data."""

from __future__ import annotations

import base64
import io
import json
import sys

import pandas as pd
import pytest

import app as app_module
from pages import ids, services
from sasci_map import infrastructure_figures as figures
from sasci_map import infrastructure_views as views
from sasci_map.choropleth import VALUES_TRACE
from tests.layout_tools import find

pytest.importorskip("dash")

HIN = "health_innovation_network"


def text(component) -> str:
    """All text of a Dash component tree, space-joined."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list):
        return " ".join(text(c) for c in component)
    children = getattr(component, "children", None)
    items = children if isinstance(children, list) else [children]
    return " ".join(text(c) for c in items if c is not None)


def infrastructure():
    return sys.modules["pages.infrastructure"]


def organisation():
    return sys.modules["pages.organisation"]


def operations(patch) -> dict:
    return {tuple(op["location"]): op["params"].get("value")
            for op in patch.to_plotly_json()["operations"]}


def read_csv(download: dict) -> pd.DataFrame:
    assert download["base64"]
    return pd.read_csv(io.BytesIO(base64.b64decode(download["content"])), dtype={"code": str})


def test_layout_maps_every_council_with_a_legend_in_units(request_context, engine):
    layout = infrastructure().layout()
    figure = find(layout, ids.INFRA_MAP_GRAPH).figure
    values = figure["data"][VALUES_TRACE]
    assert len(values["locations"]) == len(values["z"]) == len(values["hovertext"]) == 153
    assert values["geojson"] == services.GEOJSON_ROUTE  # a URL, not a feature collection
    assert all(trace["geojson"] == services.GEOJSON_ROUTE for trace in figure["data"])
    assert len(json.dumps(figure)) < 80_000
    assert "covering the council" in values["colorbar"]["title"]["text"]
    legend = text(find(layout, ids.INFRA_MAP_LEGEND))
    assert "organisations covering the council" in legend
    counts = views.coverage_counts(engine)
    for total, n in counts["total"].value_counts().items():
        assert f"{total} organisations ({n} councils)" in legend
    n_deserts = len(views.deserts(engine))
    assert f"infrastructure desert ({n_deserts} councils)" in legend
    outline = figure["data"][figures.OUTLINE_TRACE]
    assert sorted(outline["locations"]) == sorted(views.deserts(engine)["code"])


def test_layout_lists_organisations_chart_table_and_demo_notice(request_context):
    layout = infrastructure().layout()
    rows = find(layout, ids.INFRA_ORGS_GRID).rowData
    assert len(rows) == 27
    scie = next(r for r in rows if r["org_id"] == "org_scie")
    assert scie["link"] == "[Social Care Institute for Excellence (SCIE)](/infrastructure/org_scie)"
    assert scie["website"] == "scie.org.uk" and scie["demo"] == "No"
    assert next(r for r in rows if r["org_id"] == "hin_wessex")["demo"] == "Coverage partly"
    assert "27 organisations match" in text(find(layout, ids.INFRA_ORGS_COUNT))
    type_table = text(find(layout, ids.INFRA_TYPE_TABLE))
    assert "Health innovation network 15" in type_table
    assert "Peer learning community 0" in type_table
    notice = text(find(layout, ids.INFRA_DEMO_NOTICE))
    assert "synthetic demo" in notice and "90 of the 111 coverage rows" in notice
    assert find(layout, ids.INFRA_TYPE).value == ""


def test_layout_states_the_desert_rule_and_lists_the_deserts(request_context, engine):
    layout = infrastructure().layout()
    assert find(layout, ids.INFRA_DESERT_RULE).children == views.DESERT_RULE
    found = views.deserts(engine)
    summary = text(find(layout, ids.INFRA_DESERT_SUMMARY))
    assert summary.startswith(f"{len(found)} of 153 councils meet both conditions")
    assert "partly synthetic" in summary
    table = text(find(layout, ids.INFRA_DESERT_TABLE))
    for name in found["name"]:
        assert name in table
    assert "region figure (council" in table


def test_type_in_the_url_sets_the_initial_view(request_context, engine):
    layout = infrastructure().layout(type=HIN)
    assert find(layout, ids.INFRA_TYPE).value == HIN
    assert len(find(layout, ids.INFRA_ORGS_GRID).rowData) == 15
    rows = find(layout, ids.INFRA_COUNCIL_TABLE).rowData
    want = views.coverage_counts(engine, HIN).set_index("code")["total"]
    assert {r["code"]: r["organisations"] for r in rows} == want.to_dict()
    bad = infrastructure().layout(type="<script>" * 100)
    assert find(bad, ids.INFRA_TYPE).value == ""


def test_type_change_patches_values_not_geometry(request_context, engine):
    patch, legend, caption, rows = infrastructure().update_coverage(HIN)
    ops = operations(patch)
    assert ("data", VALUES_TRACE, "z") in ops
    assert not any("geojson" in map(str, path) for path in ops)
    counts = views.coverage_counts(engine, HIN).set_index("code")
    hover = dict(zip(ops[("data", VALUES_TRACE, "locations")],
                     ops[("data", VALUES_TRACE, "hovertext")], strict=True))
    assert "3 organisations covering the council" in hover["E09000001"]  # City of London
    assert counts.loc["E09000001", "total"] == 3
    assert "Health innovation network" in caption and "from 1 to 3" in caption
    assert "3 organisations (" in text(legend)
    assert len(rows) == 153
    assert {r["code"]: r["organisations"] for r in rows} == counts["total"].to_dict()
    use = views.reported_use(services.engine(), support_type=HIN).set_index("code")
    leeds = next(r for r in rows if r["council"] == "Leeds")
    assert leeds["reported_use_pct"] == pytest.approx(use.loc[leeds["code"], "value"], abs=0.05)
    assert leeds["use_basis"] == use.loc[leeds["code"], "basis"]


def test_organisation_filters(request_context):
    rows, count, links = infrastructure().update_organisations(HIN, "", "")
    assert len(rows) == 15 and count == "15 organisations match." and len(links) == 15
    rows, count, _ = infrastructure().update_organisations("", "funding", "")
    assert [r["org_id"] for r in rows] == ["org_nesta"] and count == "1 organisation match."
    rows, _, _ = infrastructure().update_organisations("", "", "Wessex")
    assert [r["org_id"] for r in rows] == ["hin_wessex"]
    rows, count, _ = infrastructure().update_organisations("funder", "evaluation", "zzz")
    assert rows == [] and count == "0 organisations match."


def test_outline_toggle_and_url(request_context):
    assert operations(infrastructure().update_outline(False)) == {
        ("data", figures.OUTLINE_TRACE, "visible"): False}
    assert infrastructure().update_url(HIN) == f"?type={HIN}"
    assert infrastructure().update_url("") == ""


def test_downloads_render_the_tables_the_page_shows(request_context, engine):
    page = infrastructure()
    coverage = read_csv(page.on_download_coverage(1, HIN))
    assert len(coverage) == 153
    want = views.coverage_counts(engine, HIN).set_index("code")["total"]
    assert coverage.set_index("code")["organisations"].to_dict() == want.to_dict()
    assert {"use_basis", "reported_use_pct", "coverage_demo_rows", "use_synthetic",
            "infrastructure_desert"} <= set(coverage.columns)
    assert page.on_download_coverage(1, HIN)["filename"] == f"support_coverage_{HIN}.csv"
    deserts = read_csv(page.on_download_deserts(1))
    assert sorted(deserts["code"]) == sorted(views.deserts(engine)["code"])
    assert deserts["desert"].all()
    by_type = read_csv(page.on_download_types(1))
    assert by_type["organisations"].sum() == 27
    orgs = read_csv(page.on_download_organisations(1, "", "funding", ""))
    assert orgs["org_id"].tolist() == ["org_nesta"]


def test_organisation_page_shows_type_functions_and_coverage(request_context):
    layout = organisation().layout(org_id="org_adass")
    assert find(layout, ids.INFRA_DETAIL_NAME).children.startswith("Association of Directors")
    assert "Network or membership body" in text(find(layout, ids.INFRA_DETAIL_TYPE))
    functions = text(find(layout, ids.INFRA_DETAIL_FUNCTIONS))
    assert "Brokerage and networking" in functions and "Connects organisations" in functions
    coverage = text(find(layout, ids.INFRA_DETAIL_COVERAGE))
    assert "Covers 153 of 153 councils" in coverage and "Regions (9)" in coverage
    assert find(layout, ids.INFRA_DETAIL_WEBSITE).children == "adass.org.uk"
    assert find(layout, ids.INFRA_DETAIL_NOTICE) is None  # real organisation, real coverage
    rip = organisation().layout(org_id="org_research_in_practice")
    assert "Synthetic demo data" in text(find(rip, ids.INFRA_DETAIL_NOTICE))
    assert "(demo data)" in text(find(rip, ids.INFRA_DETAIL_COVERAGE))


def test_unknown_organisation_is_a_friendly_not_found_with_close_matches(request_context):
    layout = organisation().layout(org_id="org_skils_for_care")
    assert find(layout, ids.INFRA_DETAIL_NAME).children == "Organisation not found"
    assert "org_skils_for_care" in text(find(layout, ids.INFRA_DETAIL_NOT_FOUND))
    suggestions = find(layout, ids.INFRA_DETAIL_SUGGESTIONS)
    assert "Skills for Care" in text(suggestions)
    assert suggestions.children[0].children.href == "/infrastructure/org_skills_for_care"
    long_id = organisation().layout(org_id="x" * 5000)
    assert len(text(find(long_id, ids.INFRA_DETAIL_NOT_FOUND))) < 200


def test_titles_navigation_and_pages_respond(client, request_context):
    import dash

    pages = {p["module"]: p for p in dash.page_registry.values()}
    assert pages["pages.infrastructure"]["title"] == "Support infrastructure — SASCI capacity map"
    assert pages["pages.organisation"]["nav"] is False
    assert organisation()._title(org_id="org_scie").startswith(
        "Social Care Institute for Excellence (SCIE) — Support infrastructure")
    nav = text(app_module.navbar())
    assert "Support infrastructure" in nav and "Support organisation" not in nav
    for path, status in (("/infrastructure", 200), ("/infrastructure/org_scie", 200),
                         ("/infrastructure/nope", 404)):
        response = client.get(path)
        assert response.status_code == status, path
        assert "//cdn" not in response.get_data(as_text=True)
