"""The spine chart: positions on the 0-1 scale, polarity reversal, states written, not drawn."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sasci_map import spine
from sasci_map.palette import BENCHMARK_COLOURS


def _row(**overrides) -> dict:
    """One spine row: England 50, councils 30-90 (quartiles 40-60), region 55, council 70."""
    row = {
        "indicator_id": "x", "short_title": "Test share (%)", "title": "Test share", "unit": "%",
        "period": "2025", "polarity": "higher_is_better", "status": "value", "state": "",
        "value": 70.0, "lower": 60.0, "upper": 80.0, "centre": 50.0, "centre_basis": "England",
        "england_value": 50.0, "region_value": 55.0, "vs_england": "better",
        "council_min": 30.0, "council_q25": 40.0, "council_q75": 60.0, "council_max": 90.0,
        "region_min": 45.0, "region_max": 58.0, "range_basis": "councils", "n_councils": 150,
    }
    return {**row, **overrides}


def _frame(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def test_positions_put_england_at_the_centre_and_the_furthest_point_at_the_edge():
    pos = spine.spine_positions(_frame(_row())).iloc[0]
    # furthest drawn point from England (50) is the council maximum, 90: 40 units = half width
    assert pos["half_width"] == pytest.approx(40.0)
    assert pos["value"] == pytest.approx(0.5 + (70 - 50) / 80)
    assert pos["region"] == pytest.approx(0.5 + (55 - 50) / 80)
    assert pos["range_low"] == pytest.approx(0.5 + (30 - 50) / 80)
    assert pos["range_high"] == pytest.approx(1.0)
    assert (pos["q25"], pos["q75"]) == pytest.approx((0.375, 0.625))
    assert (pos["lower"], pos["upper"]) == pytest.approx((0.625, 0.875))


def test_lower_is_better_is_drawn_reversed_so_better_is_to_the_right():
    up = spine.spine_positions(_frame(_row())).iloc[0]
    down = spine.spine_positions(_frame(_row(polarity="lower_is_better"))).iloc[0]
    assert down["direction"] == -1
    assert down["value"] == pytest.approx(1 - up["value"])  # 70 > England: left of centre
    assert down["value"] < 0.5 < up["value"]
    # the interval and range keep their left end on the left after the flip
    assert down["lower"] < down["value"] < down["upper"]
    assert (down["range_low"], down["range_high"]) == pytest.approx((0.0, 1 - 0.25))
    assert (down["q25"], down["q75"]) == pytest.approx((0.375, 0.625))


def test_neutral_indicators_keep_higher_values_to_the_right():
    pos = spine.spine_positions(_frame(_row(polarity="neutral", vs_england="higher"))).iloc[0]
    assert pos["direction"] == 1 and pos["value"] > 0.5


def test_wide_intervals_are_cut_at_the_edge():
    pos = spine.spine_positions(_frame(_row(lower=-100.0, upper=400.0))).iloc[0]
    assert (pos["lower"], pos["upper"]) == (0.0, 1.0)


def test_too_few_councils_use_the_regions_range_and_no_quartiles():
    row = _row(range_basis="regions", n_councils=2, council_min=69.0, council_max=71.0)
    pos = spine.spine_positions(_frame(row)).iloc[0]
    # scale from the regions (45-58), the region (55) and the council (70): 20 units
    assert pos["half_width"] == pytest.approx(20.0)
    assert pos["range_low"] == pytest.approx(0.5 + (45 - 50) / 40)
    assert pos["range_high"] == pytest.approx(0.5 + (58 - 50) / 40)
    assert math.isnan(pos["q25"]) and math.isnan(pos["q75"])


def test_a_row_without_value_has_no_marker_position():
    row = _row(status="suppressed", value=np.nan, lower=np.nan, upper=np.nan, vs_england="",
               state="Suppressed — fewer than 5 organisations")
    pos = spine.spine_positions(_frame(row)).iloc[0]
    assert math.isnan(pos["value"]) and math.isnan(pos["lower"])
    assert pos["half_width"] == pytest.approx(40.0)  # still scaled on the range


def _trace(figure: dict, name: str) -> dict:
    return next(t for t in figure["data"] if t["name"] == name)


def test_figure_writes_states_in_words_and_draws_markers_only_for_values():
    rows = _frame(
        _row(),
        _row(indicator_id="y", status="suppressed", value=np.nan, lower=np.nan, upper=np.nan,
             vs_england="", state="Suppressed — fewer than 5 organisations"),
        _row(indicator_id="z", status="no_response", value=np.nan, lower=np.nan,
             upper=np.nan, vs_england="", state="No response: nobody in this area took part"),
        _row(indicator_id="w", value=40.0, lower=35.0, upper=45.0, vs_england="worse"),
    )
    figure = spine.spine_figure(rows, "North East", "Hartlepool")
    markers = [t for t in figure["data"] if t["name"].startswith("Hartlepool:")]
    drawn_rows = sorted(y for t in markers for y in t["y"])
    assert drawn_rows == [0.0, 3.0]  # rows 1 and 2 have no marker
    better = _trace(figure, "Hartlepool: better than England")
    assert better["marker"]["color"] == BENCHMARK_COLOURS["better"]
    assert _trace(figure, "Hartlepool: worse than England")["marker"]["color"] == (
        BENCHMARK_COLOURS["worse"])
    # long states wrap onto a second line (<br>) so they fit beside the chart
    text = [t.replace("<br>", " ") for t in _trace(figure, spine.TEXT_NAME)["text"]]
    assert text[0] == "70% (better than England)"
    assert text[1] == "Suppressed — fewer than 5 organisations"
    assert text[2].startswith("No response")
    assert text[3] == "40% (worse than England)"
    assert len(_trace(figure, "North East")["y"]) == 4  # the region has a value on every row


def test_figure_interval_error_bars_match_the_positions():
    figure = spine.spine_figure(_frame(_row()), council_name="C")
    trace = _trace(figure, "C: better than England")
    assert trace["x"] == pytest.approx([0.75])
    assert trace["error_x"]["array"] == pytest.approx([0.125])
    assert trace["error_x"]["arrayminus"] == pytest.approx([0.125])


def test_figure_legend_says_better_is_right():
    figure = spine.spine_figure(_frame(_row()))
    ticks = figure["layout"]["xaxis"]["ticktext"]
    assert "worse" in ticks[0] and "better" in ticks[-1]


def test_regions_range_is_named_when_councils_are_too_few():
    rows = _frame(_row(range_basis="regions", n_councils=1))
    figure = spine.spine_figure(rows)
    names = [t["name"] for t in figure["data"] if t.get("showlegend", True)]
    assert spine.REGION_RANGE_NAME in names and spine.RANGE_NAME not in names
