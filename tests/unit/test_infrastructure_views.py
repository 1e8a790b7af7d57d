"""Support infrastructure views: coverage counts and deserts against independent computations."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from sasci_map import db, survey_store
from sasci_map import infrastructure_figures as figures
from sasci_map import infrastructure_views as views
from sasci_map.geography import councils, regions
from sasci_map.inventory import support_coverage, support_organisations

ENGLAND = "E92000001"
NORTH_EAST = "E12000001"


# --- independent computations, straight from the inventory files ------------------------------

def naive_coverage(support_type: str | None = None) -> pd.DataFrame:
    """Per council: the organisations covering it and the most local level of each, by loops."""
    orgs = support_organisations()
    cover = support_coverage()
    if support_type:
        cover = cover[cover["org_id"].isin(orgs.loc[orgs["support_type"] == support_type,
                                                    "org_id"])]
    rank = {"national": 0, "region": 1, "council": 2}
    rows = []
    for council in councils().itertuples(index=False):
        level_of: dict[str, int] = {}
        for row in cover.itertuples(index=False):
            hit = (row.area_level == "national"
                   or (row.area_level == "region" and row.area_code == council.region_code)
                   or (row.area_level == "council" and row.area_code == council.code))
            if hit:
                level_of[row.org_id] = max(level_of.get(row.org_id, 0), rank[row.area_level])
        levels = list(level_of.values())
        rows.append({"code": council.code, "total": len(levels),
                     "national": levels.count(0), "regional": levels.count(1),
                     "local": levels.count(2)})
    return pd.DataFrame(rows)


def naive_use(engine) -> dict[str, float]:
    """Council value of support_used_any (latest wave) where it is a value, else the region's."""
    values = {lvl: db.read_values(engine, "support_used_any", area_level=lvl)
              for lvl in ("council", "region", "england")}
    latest = max(values["england"]["period"])
    pick = {lvl: v[(v["period"] == latest) & (v["status"] == "value")].set_index(
        "area_code")["value"].to_dict() for lvl, v in values.items()}
    out = {}
    for council in councils().itertuples(index=False):
        out[council.code] = pick["council"].get(council.code,
                                                pick["region"].get(council.region_code, math.nan))
    out[ENGLAND] = pick["england"][ENGLAND]
    return out


# --- the shipped inventory ----------------------------------------------------------------------

def test_coverage_counts_match_an_independent_count(engine):
    got = views.coverage_counts(engine)
    want = naive_coverage()
    assert len(got) == 153 and got["code"].is_unique
    merged = got.merge(want, on="code", suffixes=("", "_want"), validate="1:1")
    for column in ("total", "national", "regional", "local"):
        assert (merged[column] == merged[f"{column}_want"]).all(), column
    assert (got["total"] == got["national"] + got["regional"] + got["local"]).all()
    assert (got["non_national"] == got["regional"] + got["local"]).all()


@pytest.mark.parametrize("support_type", ["health_innovation_network", "network_membership",
                                          "university_research", "peer_learning"])
def test_coverage_counts_by_type_match_an_independent_count(engine, support_type):
    got = views.coverage_counts(engine, support_type).set_index("code")["total"]
    want = naive_coverage(support_type).set_index("code")["total"]
    assert got.sort_index().tolist() == want.sort_index().tolist()


def test_national_bodies_cover_every_council_once(engine):
    orgs = support_organisations()
    national_ids = set(support_coverage().query("area_level == 'national'")["org_id"])
    hins = views.coverage_counts(engine, "health_innovation_network")
    # Every council is covered by at least one Health Innovation Network, none by a national one.
    assert (hins["national"] == 0).all() and (hins["total"] >= 1).all()
    every = views.coverage_counts(engine)
    assert (every["total"] >= len(national_ids)).all()
    assert every["total"].max() <= len(orgs)


def test_a_type_with_no_organisations_counts_zero_everywhere(engine):
    counts = views.coverage_counts(engine, "consultancy_social_investor")
    assert len(counts) == 153 and counts["total"].eq(0).all()


def test_reported_use_falls_back_to_the_region_and_says_so(engine):
    use = views.reported_use(engine).set_index("code")
    want = naive_use(engine)
    for code, row in use.iterrows():
        assert row["value"] == pytest.approx(want[code], nan_ok=True)
        if row["basis"] == views.COUNCIL_BASIS:
            assert row["council_status"] == "value"
        elif not math.isnan(row["value"]):
            assert row["basis"] == f"region figure (council {row['council_status']})".replace(
                "_", " ")
    assert use["england_value"].eq(want[ENGLAND]).all()
    assert use["basis"].str.startswith("region figure").sum() > 100  # councils mostly suppressed
    assert use["synthetic"].all()


def test_deserts_match_an_independent_application_of_the_rule(engine):
    counts = naive_coverage().set_index("code")
    non_national = counts["regional"] + counts["local"]
    use = naive_use(engine)
    expected = set()
    for code, n in non_national.items():
        share = (non_national <= n).mean()
        if share <= 0.2 and use[code] < use[ENGLAND]:
            expected.add(code)
    got = views.deserts(engine)
    assert set(got["code"]) == expected
    assert len(expected) > 0
    assert got["reasons"].str.contains("below England").all()
    assert got["reasons"].str.contains("regional or local organisations").all()


def test_council_table_is_one_row_per_council_with_the_desert_flag(engine):
    table = views.council_table(engine, support_type="funder")
    assert len(table) == 153 and table["code"].is_unique
    assert table["use_indicator"].eq("support_used_funder").all()
    assert table["infrastructure_desert"].sum() == len(views.deserts(engine))


def test_organisation_table_filters(engine):
    every = views.organisation_table(engine)
    assert len(every) == len(support_organisations())
    hins = views.organisation_table(engine, support_type="health_innovation_network")
    assert len(hins) == 15 and hins["type_label"].eq("Health innovation network").all()
    funding = views.organisation_table(engine, function="funding")
    assert funding["org_id"].tolist() == ["org_nesta"]
    found = views.organisation_table(engine, search="wessex")
    assert found["org_id"].tolist() == ["hin_wessex"]
    adass = every.set_index("org_id").loc["org_adass"]
    assert adass["coverage"] == "England (national); 9 regions"
    assert not adass["coverage_synthetic"]
    assert every.set_index("org_id").loc["org_research_in_practice", "coverage_synthetic"]


def test_organisations_by_type_lists_every_type(engine):
    by_type = views.organisations_by_type(engine)
    assert len(by_type) == 10 and by_type["organisations"].sum() == len(support_organisations())
    assert by_type.set_index("support_type").loc["peer_learning", "organisations"] == 0


def test_organisation_detail_and_close_matches(engine):
    detail = views.organisation_detail(engine, "org_research_in_practice")
    assert detail["national"] and detail["n_councils_covered"] == 153
    assert len(detail["councils"]) == 59 and detail["coverage_synthetic"]
    wessex = views.organisation_detail(engine, "hin_wessex")
    assert [r["name"] for r in wessex["regions"]] == ["South East", "South West"]
    in_regions = councils().query("region_code in ['E12000008', 'E12000009']")
    assert wessex["n_councils_covered"] == len(in_regions)
    assert views.organisation_detail(engine, "org_nope") is None
    assert views.suggest_organisations(engine, "org_sci")[0]["org_id"] == "org_scie"
    assert views.suggest_organisations(engine, "zzzzzzzzzzzz") == []


def test_coverage_map_state_classes_every_council(engine):
    counts = views.coverage_counts(engine)
    flags = views.desert_flags(engine)
    state = figures.coverage_map_state(counts, flags)
    updates = dict(state["updates"])
    assert len(updates[("data", 1, "locations")]) == 153
    assert sum(row["count"] for row in state["legend"]) == 153
    assert updates[("data", 1, "colorbar", "title", "text")] == (
        "Number of organisations<br>covering the council")
    hin = figures.coverage_map_state(views.coverage_counts(engine, "health_innovation_network"),
                                     flags, "Improvement or development agency")
    title = dict(hin["updates"])[("data", 1, "colorbar", "title", "text")]
    assert max(len(line) for line in re.split(r"<br>|<sup>|</sup>", title)) <= 32
    assert len(updates[("data", figures.OUTLINE_TRACE, "locations")]) == flags["desert"].sum()


# --- the rule on a hand-made database --------------------------------------------------------

@pytest.mark.parametrize(("counts", "flagged"), [
    ([1] * 10 + [2] * 40, [True] * 10 + [False] * 40),     # 20% at the minimum: flagged
    ([1] * 11 + [2] * 39, [False] * 50),                   # 22% tied at the minimum: none
    ([3] * 50, [False] * 50),                              # all equal: nobody stands out
    ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [True, True] + [False] * 8),
])
def test_bottom_quintile_leaves_out_ties_at_the_cut_off(counts, flagged):
    _, low = views.bottom_quintile(np.array(counts))
    assert low.tolist() == flagged


def _value(code, level, period, value, status="value"):
    has = status == "value"
    return {"indicator_id": "support_used_any", "area_code": code, "area_level": level,
            "period": period, "numerator": value if has else None,
            "denominator": 100.0 if has else None, "value": value if has else None,
            "lower": None, "upper": None, "status": status,
            "status_reason": "" if has else "fewer than 5 responding organisations",
            "source": "hand-made test survey"}


@pytest.fixture
def small_engine(empty_engine):
    """153 councils; every council covered by 'dual' (national + its region row), non-North-East
    councils also by 'south'; two North East councils by 'local'. North East: region 40%
    (below England's 50%), Redcar's own figure 60%, Stockton suppressed."""
    eng = empty_engine
    db.create_schema(eng)
    survey_store.create_survey_schema(eng)
    db.load_geography(eng, councils(), regions())
    orgs = pd.DataFrame({
        "org_id": ["dual", "south", "local"], "name": ["Dual", "South", "Local"],
        "support_type": ["network_membership", "health_innovation_network",
                         "university_research"],
        "functions": ["brokerage_networking", "evaluation", "evidence_knowledge;evaluation"],
        "description": ["d", "s", "l"], "website": ["", "", ""], "synthetic": [False] * 3})
    regs = regions()["code"].tolist()
    cover = pd.DataFrame(
        [("dual", "national", ENGLAND)] + [("dual", "region", r) for r in regs]
        + [("south", "region", r) for r in regs if r != NORTH_EAST]
        + [("local", "council", "E06000001"), ("local", "council", "E06000002")],
        columns=["org_id", "area_level", "area_code"]).assign(source="test", synthetic=False)
    survey_store.replace_inventory(eng, "infrastructure", orgs, cover, {
        "source_file": "test", "content_hash": "x", "imported_at": datetime.now(UTC)})
    values = pd.DataFrame([
        _value(ENGLAND, "england", "2025", 50.0), _value(NORTH_EAST, "region", "2025", 40.0),
        _value("E06000003", "council", "2025", 60.0),
        _value("E06000004", "council", "2025", None, "suppressed"),
        # an older wave in which the North East was high must not count
        _value(ENGLAND, "england", "2023", 50.0), _value(NORTH_EAST, "region", "2023", 90.0),
    ])
    definitions = pd.DataFrame([{
        "indicator_id": "support_used_any", "title": "Used any support (%)",
        "short_title": "Used any support (%)", "definition": "test", "domain": "support_use",
        "source": "test", "unit": "%", "polarity": "higher_is_better", "method": "test",
        "period": "2025", "sort_order": 1}])
    db.load_dataset(eng, db.Dataset(key="test_survey", title="t", source="t", publisher="t",
                                    vintage="t", licence="t", files=(), definitions=definitions,
                                    values=values))
    return eng


def test_rule_on_a_hand_made_database(small_engine):
    counts = views.coverage_counts(small_engine).set_index("code")
    north_east = councils().query("region_code == @NORTH_EAST")["code"]
    assert counts.loc["E06000001", ["national", "regional", "local"]].tolist() == [0, 1, 1]
    assert counts.loc[north_east, "total"].eq(1 + counts.loc[north_east, "local"]).all()
    assert counts.drop(north_east)["non_national"].eq(2).all()
    got = views.deserts(small_engine)
    expected = set(north_east) - {"E06000001", "E06000002", "E06000003"}
    assert set(got["code"]) == expected and len(expected) == 9
    flags = views.desert_flags(small_engine).set_index("code")
    assert flags.loc["E06000003", "use_basis"] == views.COUNCIL_BASIS
    assert flags.loc["E06000003", "low_coverage"] and not flags.loc["E06000003", "low_use"]
    assert flags.loc["E06000004", "use_basis"] == "region figure (council suppressed)"
    assert flags.loc["E06000005", "use_basis"] == "region figure (council no response)"
    assert flags.loc["E06000004", "use_value"] == 40.0


def test_councils_without_any_use_figure_are_never_flagged(small_engine):
    with small_engine.begin() as conn:
        conn.execute(db.indicator_values_table.delete().where(
            db.indicator_values_table.c.area_code == NORTH_EAST))
    flags = views.desert_flags(small_engine)
    assert not flags["desert"].any()
    stockton = flags.set_index("code").loc["E06000004"]
    assert stockton["use_basis"] == views.NO_FIGURE and math.isnan(stockton["use_value"])
    assert "reported use unknown" in stockton["reasons"]


def test_no_survey_loaded_gives_no_figures_and_no_deserts(empty_engine):
    db.create_schema(empty_engine)
    survey_store.create_survey_schema(empty_engine)
    db.load_geography(empty_engine, councils(), regions())
    use = views.reported_use(empty_engine)
    assert len(use) == 153 and use["value"].isna().all() and use["period"].eq("").all()
    assert views.deserts(empty_engine).empty
    assert views.coverage_counts(empty_engine)["total"].eq(0).all()
