"""The compare page's view model: which councils, their order, states, references, scatter."""

from __future__ import annotations

from urllib.parse import parse_qsl

import numpy as np
import pytest
from scipy import stats as sps

from sasci_map import compare_state as cs
from sasci_map import compare_views as cv
from sasci_map import db, funnel
from sasci_map.geography import councils
from sasci_map.neighbours import neighbours_of
from sasci_map.palette import STATUS_LABELS
from sasci_map.tidy import TIDY_COLUMNS

BIRMINGHAM, HULL, STAFFORDSHIRE, EAST_RIDING = "E08000025", "E06000010", "E10000028", \
    "E06000011"
SOUTH_EAST = "E12000008"


@pytest.fixture(scope="module")
def data_dir(settings):
    return settings.data_dir


def test_neighbours_mode_is_the_council_then_its_15_neighbours(data_dir):
    codes = cs.chosen_councils(cs.NEIGHBOURS, BIRMINGHAM, None, None, data_dir)
    expected = neighbours_of(BIRMINGHAM, k=15, data_dir=data_dir)["neighbour_code"].tolist()
    assert codes == [BIRMINGHAM, *expected]
    assert len(set(codes)) == 16


def test_region_mode_is_every_council_of_the_region_by_name(data_dir):
    table = councils(data_dir)
    codes = cs.chosen_councils(cs.REGION, None, SOUTH_EAST, None, data_dir)
    mine = table[table["region_code"] == SOUTH_EAST]
    assert sorted(codes) == sorted(mine["code"])
    names = table.set_index("code").loc[codes, "name"].tolist()
    assert names == sorted(names)


def test_councils_mode_keeps_order_and_drops_unknown_and_repeated_codes(data_dir):
    codes = cs.chosen_councils(cs.COUNCILS, None, None,
                               [HULL, "E99999999", BIRMINGHAM, HULL], data_dir)
    assert codes == [HULL, BIRMINGHAM]
    assert cs.chosen_councils(cs.NEIGHBOURS, "nonsense", None, None, data_dir) == []


def test_the_default_view_is_a_context_indicator_for_a_council_and_its_neighbours(engine,
                                                                                   data_dir):
    state = cs.parse_compare_state({}, engine, data_dir)
    assert (state.indicator, state.mode, state.council) == ("pct_65_plus", cs.NEIGHBOURS,
                                                             BIRMINGHAM)
    assert state.wave == "mid-2020" and state.tab == cs.BARS


def test_url_parameters_accept_names_and_old_codes_and_drop_ambiguous_ones(engine, data_dir):
    state = cs.parse_compare_state({"councils": "Hull,E10000028,Cumbria,,x",
                                    "indicator": "cap_overall", "wave": "2023",
                                    "tab": "funnel"}, engine, data_dir)
    assert state.mode == cs.COUNCILS
    assert state.councils == (HULL, STAFFORDSHIRE)
    assert (state.indicator, state.wave, state.tab) == ("cap_overall", "2023", cs.FUNNEL)


def test_bad_url_parameters_fall_back_to_defaults(engine, data_dir):
    state = cs.parse_compare_state({"indicator": "<script>", "wave": "1999", "tab": "x" * 999,
                                    "region": "E12999999", "x": "nope"}, engine, data_dir)
    assert state.indicator == "pct_65_plus" and state.wave == "mid-2020"
    assert state.mode == cs.NEIGHBOURS and state.tab == cs.BARS
    assert state.x == cs.DEFAULT_X and state.region == "E12000005"  # Birmingham's region


def test_the_query_string_round_trips(engine, data_dir):
    for params in ({"indicator": "pct_agree_funding", "wave": "2023", "region": SOUTH_EAST,
                    "x": "pct_85_plus", "y": "cap_overall", "tab": "scatter"},
                   {"indicator": "imd_extent", "councils": f"{HULL},{BIRMINGHAM}",
                    "tab": "table"},
                   {"neighbours": HULL, "indicator": "ascof_1c1a"}):
        state = cs.parse_compare_state(params, engine, data_dir)
        again = cs.parse_compare_state(dict(parse_qsl(state.query_string()[1:])), engine,
                                       data_dir)
        assert again == state


def test_bars_are_ranked_highest_first_and_every_council_is_kept(engine, data_dir):
    codes = cs.chosen_councils(cs.NEIGHBOURS, BIRMINGHAM, None, None, data_dir)
    view = cv.compare_view(engine, "pct_65_plus", None, codes, data_dir, focus=BIRMINGHAM)
    raw = db.read_values(engine, "pct_65_plus").set_index("area_code").loc[codes, "value"]
    assert view.valued["area_code"].tolist() == raw.sort_values(ascending=False).index.tolist()
    assert sorted(view.frame["area_code"]) == sorted(codes)
    assert view.frame.loc[view.frame["focus"], "area_code"].tolist() == [BIRMINGHAM]
    assert view.export_frame().columns.tolist() == TIDY_COLUMNS


def test_councils_without_a_value_are_listed_with_their_state_in_words(engine, data_dir):
    codes = cs.chosen_councils(cs.REGION, None, SOUTH_EAST, None, data_dir)
    view = cv.compare_view(engine, "pct_agree_funding", "2023", codes, data_dir,
                           region=SOUTH_EAST)
    stored = db.read_values(engine, "pct_agree_funding", "2023").set_index("area_code")
    items = view.missing_items()
    assert len(items) + len(view.valued) == len(codes)
    for item in items:
        assert item["state"] == STATUS_LABELS[stored.at[item["code"], "status"]]
        assert item["reason"]
    assert {i["state"] for i in items} <= {"Suppressed (fewer than 5 organisations)",
                                           "No response"}
    assert view.sparse and "of 19 chosen councils have a value" in view.coverage()
    rows = view.table_rows()
    assert len(rows) == len(codes)
    assert all(r["value"] is None and r["vs_england"] == "" for r in rows
               if r["status"] != "Value")


def test_a_council_with_no_stored_row_is_not_available(engine, data_dir):
    view = cv.compare_view(engine, "imd_average_score", None, ["E06000063"], data_dir)
    assert view.missing_items()[0]["state"] == "Not available"


def test_england_line_for_a_population_share_pools_all_councils(engine, data_dir):
    """Checked against the population counts, a different route from the share's numerator."""
    view = cv.compare_view(engine, "pct_65_plus", None, [BIRMINGHAM], data_dir)
    counts = db.read_values(engine, ["pop_65_plus", "pop_all_ages"])
    totals = counts.groupby("indicator_id")["value"].sum()
    assert view.england.value == pytest.approx(100 * totals["pop_65_plus"]
                                               / totals["pop_all_ages"])
    assert view.region.label == "West Midlands region"


def test_survey_references_are_the_stored_england_and_region_figures(engine, data_dir):
    view = cv.compare_view(engine, "pct_agree_funding", "2023", [STAFFORDSHIRE], data_dir)
    stored = db.read_values(engine, "pct_agree_funding", "2023", area_level=None)
    stored = stored.set_index("area_code")["value"]
    assert view.england.value == pytest.approx(stored["E92000001"])
    assert view.region.value == pytest.approx(stored["E12000005"])  # West Midlands
    assert view.synthetic


def test_without_an_england_figure_there_is_no_line_and_the_caption_says_why(engine,
                                                                              data_dir):
    view = cv.compare_view(engine, "ascof_2a1", None, [BIRMINGHAM, HULL], data_dir)
    assert not view.england.present
    assert "No England line: no England figure is stored" in view.bars_caption()


def test_no_funnel_for_published_rates_and_scores_and_the_reason_is_given(engine, data_dir):
    for indicator in ("ascof_2a1", "imd_average_score", "pop_all_ages"):
        fv = cv.funnel_view(cv.compare_view(engine, indicator, None, [BIRMINGHAM, HULL],
                                            data_dir))
        assert not fv.drawn and "No funnel plot" in fv.note


def test_survey_proportion_funnel_places_councils_with_scipy_binomial_quantiles(engine,
                                                                                 data_dir):
    view = cv.compare_view(engine, "pct_agree_funding", "2023", [STAFFORDSHIRE, EAST_RIDING],
                           data_dir)
    fv = cv.funnel_view(view)
    assert fv.drawn and fv.kind.kind == funnel.PROPORTION
    p0 = view.england.value / 100
    for point in fv.points.itertuples(index=False):
        n, x = int(point.denominator), int(point.numerator)
        r_upper = sps.binom.ppf(0.975, n, p0)  # the upper limit lies in (r - 1, r]
        assert (x > r_upper) <= (point.position != funnel.WITHIN)
        assert (x < r_upper - 1) <= (point.position in (funnel.WITHIN, funnel.BELOW_95,
                                                        funnel.BELOW_998))
    assert fv.x_title == "Responding organisations"


def test_mean_funnel_uses_englands_sd_recovered_from_its_interval(engine, data_dir):
    view = cv.compare_view(engine, "cap_overall", "2023", [STAFFORDSHIRE, EAST_RIDING],
                           data_dir)
    fv = cv.funnel_view(view)
    england = db.read_values(engine, "cap_overall", "2023", area_level="england").iloc[0]
    n = england["denominator"]
    t = sps.t.ppf(0.975, n - 1)
    assert fv.sd == pytest.approx((england["upper"] - england["lower"]) / 2 * np.sqrt(n) / t)
    assert fv.kind.kind == funnel.MEAN and fv.drawn


def test_scatter_counts_lists_missing_councils_and_matches_scipy_spearman(engine, data_dir):
    codes = cs.chosen_councils(cs.NEIGHBOURS, BIRMINGHAM, None, None, data_dir) + [
        "E06000063"]  # Cumberland: no IMD 2019 figure
    sv = cv.scatter_view(engine, "imd_average_score", "pct_65_plus", None, codes, data_dir)
    raw = db.read_values(engine, ["imd_average_score", "pct_65_plus"])
    raw = raw[raw["status"] == "value"].pivot(index="area_code", columns="indicator_id",
                                              values="value")
    pairs = raw.reindex(codes).dropna()
    assert sv.n == len(pairs) == 16
    assert [m["code"] for m in sv.missing] == ["E06000063"]
    assert sv.missing[0]["x_state"] == "Not available"
    rho = sps.spearmanr(pairs["imd_average_score"], pairs["pct_65_plus"]).statistic
    assert sv.rho == pytest.approx(rho)
    assert "n = 16" in sv.correlation_text()


def test_indicator_options_list_every_indicator_grouped_by_domain(engine):
    options = cs.indicator_options(engine)
    assert len(options) == len(db.read_definitions(engine))
    domains = [o["label"].split(" · ")[0] for o in options]
    firsts = list(dict.fromkeys(domains))
    assert len(firsts) == len(set(domains))  # each domain's indicators together
