"""Council profile data: spine rows against independent pandas sums, trends, peers, addresses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sasci_map import db, profile_views, spine, survey_store
from sasci_map.geography import councils, regions
from sasci_map.neighbours import neighbours_of
from tests.hand_made import DARLINGTON, HARTLEPOOL, share_dataset

#: East Riding of Yorkshire: the demo council with survey values in both waves.
SURVEY_COUNCIL = "E06000011"


@pytest.fixture(scope="module")
def rows(engine, settings):
    return profile_views.spine_rows(engine, SURVEY_COUNCIL, settings.data_dir).set_index(
        "indicator_id", drop=False)


def test_every_indicator_has_one_row_grouped_survey_first(engine, rows):
    defs = db.read_definitions(engine)
    assert sorted(rows["indicator_id"]) == sorted(defs["indicator_id"])
    groups = list(dict.fromkeys(rows["group"]))
    assert groups[0] == "capacity" and groups[-3:] == list(profile_views.CONTEXT_GROUPS)
    # a group's rows are contiguous, so each domain's spine is one block
    assert len(groups) == rows["group"].ne(rows["group"].shift()).sum()


def test_england_range_matches_an_independent_pandas_summary(engine, rows):
    values = db.read_values(engine, "pct_65_plus")
    valued = values.loc[values["status"] == "value", "value"]
    row = rows.loc["pct_65_plus"]
    assert row["n_councils"] == len(valued) == 153
    assert row["council_min"] == pytest.approx(valued.min())
    assert row["council_max"] == pytest.approx(valued.max())
    assert row["council_q25"] == pytest.approx(np.percentile(valued, 25))
    assert row["council_q75"] == pytest.approx(np.percentile(valued, 75))
    assert row["range_basis"] == profile_views.RANGE_COUNCILS
    mine = values.set_index("area_code").at[SURVEY_COUNCIL, "value"]
    assert row["value"] == pytest.approx(mine)
    assert row["rank"] == (valued > mine).sum() + 1


def test_survey_rows_carry_england_and_region_from_the_database(engine, rows):
    every = db.read_values(engine, "cap_overall", period="2025", area_level=None)
    keyed = every.set_index("area_code")["value"]
    row = rows.loc["cap_overall"]
    assert row["period"] == "2025"
    assert row["england_value"] == pytest.approx(keyed["E92000001"])
    assert row["region_value"] == pytest.approx(keyed["E12000003"])  # Yorkshire and The Humber
    assert row["centre"] == row["england_value"] and row["centre_basis"] == "England"


def test_sparse_survey_indicators_fall_back_to_the_regions_range(engine, rows):
    values = db.read_values(engine, "barrier_lack_funding", period="2025", area_level=None)
    regional = values.loc[(values["area_level"] == "region") & (values["status"] == "value"),
                          "value"]
    row = rows.loc["barrier_lack_funding"]
    n_councils = int(((values["area_level"] == "council") & (values["status"] == "value")).sum())
    assert n_councils < profile_views.MIN_COUNCILS_FOR_RANGE
    assert row["range_basis"] == profile_views.RANGE_REGIONS
    assert (row["region_min"], row["region_max"]) == pytest.approx(
        (regional.min(), regional.max()))


def test_rows_without_value_say_why_in_words(rows):
    row = rows.loc["cap_overall_providers"]
    assert row["status"] == "missing"
    assert row["state"].startswith("Not available: reported for regions and England only")
    table = profile_views.table_rows(rows.loc[["cap_overall_councils"]])
    assert table.iloc[0]["value"] == "Suppressed — fewer than 5 organisations"
    assert table.iloc[0]["vs_england"] == "not compared"


def test_spine_positions_on_real_rows_keep_the_council_on_the_right_side(rows):
    picked = rows.loc[["cap_overall", "pct_fear_of_failure"]].reset_index(drop=True)
    pos = spine.spine_positions(picked)
    above = picked["value"] > picked["centre"]
    # higher than England on a higher-is-better indicator: right of centre
    assert bool(above[0]) and pos.at[0, "value"] > 0.5
    # fear of failure is lower-is-better; the council (0%) is below England: right of centre
    assert not bool(above[1]) and pos.at[1, "value"] > 0.5


def test_table_counts_organisations_by_kind_of_figure(rows):
    table = profile_views.table_rows(rows.loc[["pct_agree_partnerships", "cap_overall"]])
    share, mean = table.iloc[0], table.iloc[1]
    row = rows.loc["pct_agree_partnerships"]
    assert share["count"] == f"{row['numerator']:.0f} of {row['denominator']:.0f}"
    assert mean["count"] == f"{rows.loc['cap_overall', 'denominator']:.0f}"


def test_header_counts_responding_organisations_per_wave(engine, settings):
    from sasci_map import survey_store

    responses = survey_store.read_responses(engine)
    head = profile_views.council_header(engine, SURVEY_COUNCIL, settings.data_dir)
    assert head["name"] == "East Riding of Yorkshire"
    assert head["region_code"] == "E12000003"
    for wave in head["waves"]:
        mine = responses[(responses["wave"] == wave["wave"])
                         & (responses["council_code"] == SURVEY_COUNCIL)]
        assert wave["n_providers"] == mine.loc[mine["org_type"] == "provider",
                                               "org_id"].nunique()
        assert wave["council_took_part"] == (mine["org_type"] == "council").any()
        assert wave["synthetic"] is True


def test_trend_table_has_council_change_only_where_both_waves_have_values(engine, settings):
    trends = profile_views.trend_table(engine, SURVEY_COUNCIL, settings.data_dir).set_index(
        "indicator_id")
    both = db.read_values(engine, "cap_overall").set_index(["area_code", "period"])
    first = both.at[(SURVEY_COUNCIL, "2023"), "value"]
    last = both.at[(SURVEY_COUNCIL, "2025"), "value"]
    assert trends.at["cap_overall", "council_change"] == pytest.approx(last - first)
    assert trends.at["cap_overall", "council_trend"] in ("improved", "worsened",
                                                         "no significant change")
    suppressed = trends.loc["cap_overall_councils"]
    assert suppressed["council_trend"] == "" and np.isnan(suppressed["council_change"])
    assert "2023: Suppressed" in suppressed["council_why"]
    assert suppressed["region_trend"] != ""  # the region's change is the guide


def test_neighbour_comparison_ranks_the_council_among_its_neighbours(engine, settings):
    table = profile_views.neighbour_comparison(engine, HARTLEPOOL, settings.data_dir,
                                               indicators=("pct_65_plus",)).iloc[0]
    group = [HARTLEPOOL, *neighbours_of(HARTLEPOOL, data_dir=settings.data_dir)[
        "neighbour_code"]]
    values = db.read_values(engine, "pct_65_plus").set_index("area_code")["value"]
    mine, others = values[HARTLEPOOL], values[group[1:]]
    assert table["rank"] == (others > mine).sum() + 1
    assert table["neighbours_median"] == pytest.approx(others.median())
    assert table["n_with_value"] == 16


def test_neighbour_list_names_fifteen_other_councils(settings):
    found = profile_views.neighbour_list(HARTLEPOOL, settings.data_dir)
    names = councils(settings.data_dir).set_index("code")["name"]
    assert len(found) == 15 and HARTLEPOOL not in set(found["code"])
    assert list(found["name"]) == [names[c] for c in found["code"]]


def test_support_covering_includes_national_regional_and_local_rows(engine, settings):
    from sasci_map import survey_store

    orgs, coverage = survey_store.read_inventory(engine, "infrastructure")
    found = profile_views.support_covering(engine, SURVEY_COUNCIL, settings.data_dir)
    national = set(coverage.loc[coverage["area_level"] == "national", "org_id"])
    regional = set(coverage.loc[(coverage["area_level"] == "region")
                                & (coverage["area_code"] == "E12000003"), "org_id"])
    assert set(found["org_id"]) == national | regional | set(
        coverage.loc[coverage["area_code"] == SURVEY_COUNCIL, "org_id"])
    assert found["org_id"].is_unique


def test_innovations_in_lists_the_councils_inventory_rows(engine):
    from sasci_map import survey_store

    _items, places = survey_store.read_inventory(engine, "innovations")
    found = profile_views.innovations_in(engine, SURVEY_COUNCIL, year=2026)
    assert set(found["innovation_id"]) == set(
        places.loc[places["council_code"] == SURVEY_COUNCIL, "innovation_id"])


@pytest.mark.parametrize(("text", "kind", "code"), [
    ("E06000001", profile_views.TARGET_COUNCIL, "E06000001"),
    ("E10000023", profile_views.TARGET_REDIRECT, "E06000065"),  # North Yorkshire, recoded
    ("e06000001", profile_views.TARGET_REDIRECT, "E06000001"),
    ("Hull", profile_views.TARGET_REDIRECT, "E06000010"),
    ("E10000021", profile_views.TARGET_CHOICE, ""),  # Northamptonshire, split in 2021
    ("Manchster", profile_views.TARGET_UNKNOWN, ""),
    ("E99999999", profile_views.TARGET_UNKNOWN, ""),
])
def test_profile_target_reads_codes_old_codes_and_names(settings, text, kind, code):
    target = profile_views.profile_target(text, settings.data_dir)
    assert (target["kind"], target["code"]) == (kind, code)


def test_split_county_lists_both_successors(settings):
    target = profile_views.profile_target("E10000021", settings.data_dir)
    assert target["options"] == [("E06000061", "North Northamptonshire"),
                                 ("E06000062", "West Northamptonshire")]


def test_unknown_name_offers_close_names(settings):
    target = profile_views.profile_target("Manchster", settings.data_dir)
    assert ("E08000003", "Manchester") == target["options"][0]


def test_state_of_a_council_with_no_row_is_missing(engine, settings):
    # Cumberland (created 2023) has no IMD 2019 figure: missing with the boundary-change reason
    found = profile_views.spine_rows(engine, "E06000063", settings.data_dir).set_index(
        "indicator_id")
    row = found.loc["imd_average_score"]
    assert row["status"] == "missing" and "boundary change" in row["state"]
    assert isinstance(found["value"], pd.Series)


def test_a_new_load_reaches_the_next_profile_of_any_council(empty_engine, settings):
    """The figures every profile compares against are kept once per process, not per council:
    a dataset loaded after one profile was built must show in the next, whichever council."""
    eng = empty_engine
    db.create_schema(eng)
    survey_store.create_survey_schema(eng)
    db.load_geography(eng, councils(), regions())
    db.load_dataset(eng, share_dataset(50.0, {HARTLEPOOL: 60.0, DARLINGTON: 30.0}))
    first = profile_views.spine_rows(eng, HARTLEPOOL, settings.data_dir).iloc[0]
    assert (first["england_value"], first["value"], first["rank"]) == (50.0, 60.0, 1)
    db.load_dataset(eng, share_dataset(40.0, {HARTLEPOOL: 60.0, DARLINGTON: 70.0}),
                    force=True)
    darlington = profile_views.spine_rows(eng, DARLINGTON, settings.data_dir).iloc[0]
    assert (darlington["england_value"], darlington["value"]) == (40.0, 70.0)
    assert (darlington["rank"], darlington["council_max"]) == (1, 70.0)
    hartlepool = profile_views.spine_rows(eng, HARTLEPOOL, settings.data_dir).iloc[0]
    assert (hartlepool["england_value"], hartlepool["rank"]) == (40.0, 2)
