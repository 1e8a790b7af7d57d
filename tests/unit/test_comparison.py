"""Benchmarking against England and region, and change between waves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from sasci_map.comparison import ENGLAND, NO_CHANGE, benchmark, wave_trends

DEFS = pd.DataFrame({
    "indicator_id": ["good", "bad", "plain", "score"],
    "polarity": ["higher_is_better", "lower_is_better", "neutral", "higher_is_better"],
    "unit": ["% of organisations", "% of organisations", "% of organisations", "score 1-5"],
})
REGION_OF = pd.Series({"C1": "R1", "C2": "R1", "C3": "R1"})


def _row(indicator, code, level, value, lower, upper, status="value", period="2023",
         numerator=np.nan, denominator=np.nan):
    return {"indicator_id": indicator, "area_code": code, "area_level": level,
            "period": period, "value": value, "lower": lower, "upper": upper,
            "status": status, "numerator": numerator, "denominator": denominator}


def _bench(rows):
    return benchmark(pd.DataFrame(rows), DEFS, REGION_OF).set_index(
        ["indicator_id", "area_code"])


def test_interval_above_below_or_across_the_benchmark_in_polarity_words():
    rows = []
    for indicator in ("good", "bad", "plain"):
        rows += [_row(indicator, ENGLAND, "england", 50, 45, 55),
                 _row(indicator, "R1", "region", 40, 35, 45),
                 _row(indicator, "C1", "council", 70, 60, 80),
                 _row(indicator, "C2", "council", 30, 20, 39),
                 _row(indicator, "C3", "council", 48, 30, 60)]
    got = _bench(rows)
    assert got.loc[("good", "C1"), "vs_england"] == "better"
    assert got.loc[("good", "C2"), "vs_england"] == "worse"
    assert got.loc[("good", "C3"), "vs_england"] == "similar"
    assert got.loc[("bad", "C1"), "vs_england"] == "worse"
    assert got.loc[("bad", "C2"), "vs_england"] == "better"
    assert got.loc[("plain", "C1"), "vs_england"] == "higher"
    assert got.loc[("plain", "C2"), "vs_england"] == "lower"
    assert got.loc[("good", "C1"), "vs_region"] == "better"  # 60..80 vs region 40
    assert got.loc[("good", "C2"), "vs_region"] == "worse"  # 20..39 wholly below region's 40
    assert got.loc[("good", "C3"), "vs_region"] == "similar"  # 30..60 spans 40
    assert got.loc[("good", "R1"), "vs_england"] == "worse"
    assert got.loc[("good", ENGLAND), "vs_england"] == ""


def test_suppressed_rows_and_suppressed_benchmarks_are_not_compared():
    rows = [_row("good", ENGLAND, "england", 50, 45, 55),
            _row("good", "R1", "region", np.nan, np.nan, np.nan, status="suppressed"),
            _row("good", "C1", "council", 70, 60, 80),
            _row("good", "C2", "council", np.nan, np.nan, np.nan, status="suppressed")]
    got = _bench(rows)
    assert got.loc[("good", "C1"), "vs_england"] == "better"
    assert got.loc[("good", "C1"), "vs_region"] == ""
    assert got.loc[("good", "C2"), "vs_england"] == ""


def test_a_proportion_change_matches_statsmodels_newcombe():
    rows = [_row("good", "R1", "region", 20.0, 0, 0, numerator=10, denominator=50),
            _row("good", "R1", "region", 40.0, 0, 0, period="2025", numerator=20,
                 denominator=50)]
    got = wave_trends(pd.DataFrame(rows), DEFS).iloc[0]
    low, high = confint_proportions_2indep(20, 50, 10, 50, method="newcomb", compare="diff")
    assert got["change"] == pytest.approx(20.0)
    assert (got["lower"], got["upper"]) == pytest.approx((100 * low, 100 * high))
    assert got["significant"] and got["trend"] == "improved"
    assert (got["from_period"], got["to_period"]) == ("2023", "2025")


def test_a_rise_in_a_lower_is_better_indicator_is_a_worsening_and_overlap_is_no_change():
    rows = [_row("bad", "R1", "region", 20.0, 0, 0, numerator=10, denominator=50),
            _row("bad", "R1", "region", 40.0, 0, 0, period="2025", numerator=20,
                 denominator=50),
            _row("good", "R1", "region", 20.0, 0, 0, numerator=10, denominator=50),
            _row("good", "R1", "region", 24.0, 0, 0, period="2025", numerator=12,
                 denominator=50)]
    got = wave_trends(pd.DataFrame(rows), DEFS).set_index("indicator_id")
    assert got.at["bad", "trend"] == "worsened"
    assert got.at["good", "trend"] == NO_CHANGE


def test_a_mean_change_uses_standard_errors_from_each_wave_interval():
    from scipy import stats as st

    a = np.array([3.0, 3.5, 4.0, 2.5, 3.0, 4.5])
    b = np.array([4.0, 4.5, 3.5, 4.0, 5.0, 4.5, 4.0])
    rows = []
    for period, sample in (("2023", a), ("2025", b)):
        low, high = st.t.interval(0.95, len(sample) - 1, loc=sample.mean(), scale=st.sem(sample))
        rows.append(_row("score", "R1", "region", sample.mean(), low, high, period=period,
                         denominator=len(sample)))
    got = wave_trends(pd.DataFrame(rows), DEFS).iloc[0]
    se = np.sqrt(st.sem(a) ** 2 + st.sem(b) ** 2)
    assert got["change"] == pytest.approx(b.mean() - a.mean())
    assert got["lower"] == pytest.approx(b.mean() - a.mean() - 1.959964 * se, rel=1e-5)


def test_only_pairs_of_values_count():
    rows = [_row("good", "C1", "council", 20.0, 0, 0, numerator=10, denominator=50),
            _row("good", "C1", "council", np.nan, np.nan, np.nan, status="suppressed",
                 period="2025")]
    assert wave_trends(pd.DataFrame(rows), DEFS).empty
