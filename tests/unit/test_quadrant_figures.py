"""The quadrant view: points where the figures say, quadrants against England, weights, gaps."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata, zscore

from sasci_map import quadrant_figures as qf
from sasci_map import quadrant_views as qv
from sasci_map.aggregate import organisation_answers
from sasci_map.demo import DEMO_SEED, generate_survey
from sasci_map.exports import csv_bytes
from sasci_map.geography import councils, regions
from sasci_map.survey_import import validate_survey
from sasci_map.survey_indicators import indicator_values
from sasci_map.tabular import Table

ENGLAND = "E92000001"
CLUSTERS = ("collaboration", "leadership", "knowledge", "resources", "culture")
EQUAL = dict.fromkeys(CLUSTERS, 0.2)


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    frame = generate_survey(DEMO_SEED)
    table = Table(Path("survey.csv"), frame, np.arange(2, len(frame) + 2), None)
    batch = validate_survey(table, "digest", datetime(2026, 1, 1, tzinfo=UTC))
    out = indicator_values(organisation_answers(batch.responses), councils())
    return out.assign(source="SASCI survey (synthetic demo data)")


def _figure(values, indicator, code, wave="2025") -> pd.Series:
    return values[(values["indicator_id"] == indicator) & (values["area_code"] == code)
                  & (values["period"] == wave)].iloc[0]


def _points(figure) -> dict[str, tuple]:
    """Every drawn point: area code -> (x, y, trace name, symbol, error bar half-widths)."""
    out = {}
    for trace in figure.data:
        for i, code in enumerate(trace.customdata):
            out[code] = (trace.x[i], trace.y[i], trace.name, trace.marker.symbol,
                         trace.error_x.array[i], trace.error_y.arrayminus[i])
    return out


def _view(**extra) -> qv.QuadrantView:
    return qv.parse_view(extra, ["2023", "2025"])


def test_regions_are_drawn_at_their_capacity_and_support_with_intervals(values):
    result = qf.build_view(values, _view())
    points = _points(result.figure)
    assert result.level == "region" and len(points) == 9
    for code in regions()["code"]:
        x, y, _name, _symbol, x_plus, y_minus = points[code]
        cap, sup = _figure(values, "cap_overall", code), _figure(values, "support_types_used",
                                                                  code)
        assert x == pytest.approx(cap["value"]) and y == pytest.approx(sup["value"])
        assert x_plus == pytest.approx(cap["upper"] - cap["value"])
        assert y_minus == pytest.approx(sup["value"] - sup["lower"])
    labels = [t for trace in result.figure.data for t in trace.text]
    assert sorted(labels) == sorted(regions()["name"])


def test_each_point_is_in_the_quadrant_its_figures_put_it_against_england(values):
    eng_cap = _figure(values, "cap_overall", ENGLAND)["value"]
    eng_sup = _figure(values, "support_types_used", ENGLAND)["value"]
    points = _points(qf.build_view(values, _view()).figure)
    names_seen = set()
    for code, (x, y, name, symbol, *_bars) in points.items():
        capacity = "Higher capacity" if x > eng_cap else "Lower capacity"
        support = "more support used" if y > eng_sup else "less support used"
        assert name == f"{capacity}, {support}", code
        names_seen.add((name, symbol))
    # Each quadrant has its own symbol, so colour is never the only cue.
    assert len({s for _n, s in names_seen}) == len(names_seen) > 1
    lines = [s for s in qf.build_view(values, _view()).figure.layout.shapes]
    assert {round(s.x0, 6) for s in lines if s.xref == "x"} == {round(eng_cap, 6)}
    assert {round(s.y0, 6) for s in lines if s.yref == "y"} == {round(eng_sup, 6)}


def test_the_index_axis_is_the_weighted_mean_of_population_z_scores(values):
    weights = {"collaboration": 3, "leadership": 1, "knowledge": 0, "resources": 0,
               "culture": 0}
    result = qf.build_view(values, _view(x="index", **{f"w_{c}": str(w)
                                                       for c, w in weights.items()}))
    codes = regions()["code"].tolist()
    z = {c: zscore([_figure(values, f"cap_{c}", code)["value"] for code in codes], ddof=0)
         for c in ("collaboration", "leadership")}
    want = 0.75 * z["collaboration"] + 0.25 * z["leadership"]
    points = _points(result.figure)
    got = [points[code][0] for code in codes]
    assert got == pytest.approx(want)
    for code, index in zip(codes, want, strict=True):  # the index splits at 0, the average
        assert points[code][2].startswith("Higher" if index > 0 else "Lower")
    ranks = rankdata(-want, method="min")
    table = result.table.loc[codes]
    assert table["rank"].tolist() == ranks.tolist()
    assert (table["rank_lower"] <= table["rank"]).all()
    assert (table["rank"] <= table["rank_upper"]).all()
    assert math.isnan(points[codes[0]][4])  # no horizontal interval on the index


def test_one_cluster_weights_give_fixed_ranks_and_a_single_rank_interval(values):
    result = qf.build_view(values, _view(**{f"w_{c}": "1" if c == "culture" else "0"
                                           for c in CLUSTERS}))
    scores = result.table.index.map(lambda c: _figure(values, "cap_culture", c)["value"])
    want = rankdata(-np.asarray(scores), method="min")
    assert result.table["rank"].tolist() == want.tolist()
    rows = qv.table_rows(result.table)
    assert all(r["rank_interval"] == str(r["rank"]) for r in rows)


@pytest.mark.parametrize(("weights", "shares"), [
    ({"collaboration": 3, "leadership": 1, "knowledge": 0, "resources": 0, "culture": 0},
     ["75 %", "25 %", "0 %", "0 %", "0 %"]),
    ({"collaboration": 1, "leadership": 1, "knowledge": 1, "resources": 0, "culture": 0},
     ["33.3 %", "33.3 %", "33.3 %", "0 %", "0 %"]),
    (EQUAL, ["20 %"] * 5),
])
def test_weights_are_shown_as_shares_of_their_total(weights, shares):
    normalised, message = qv.checked_weights(weights)
    assert message == ""
    assert [qv.percent_text(normalised[c]) for c in CLUSTERS] == shares


def test_invalid_weights_give_a_message_and_no_index(values):
    zero, message = qv.checked_weights(dict.fromkeys(CLUSTERS, 0))
    assert zero is None and "All five weights are zero" in message
    empty, message = qv.checked_weights({**EQUAL, "culture": None})
    assert empty is None and "culture" in message
    negative, message = qv.checked_weights({**EQUAL, "knowledge": -1})
    assert negative is None and "knowledge" in message
    result = qf.build_view(values, _view(**{f"w_{c}": "0" for c in CLUSTERS}))
    assert result.weights is None and "zero" in result.weight_message
    assert len(_points(result.figure)) == 9  # the capability-score chart needs no weights
    assert all(r["rank"] is None and r["index"] is None for r in qv.table_rows(result.table))
    index_view = qf.build_view(values, _view(x="index", **{f"w_{c}": "0" for c in CLUSTERS}))
    assert _points(index_view.figure) == {}
    assert "No valid weights" in index_view.figure.layout.annotations[-1].text


def test_councils_that_cannot_be_placed_are_listed_with_reasons(values):
    result = qf.build_view(values, _view(level="council"))
    placed = int(result.table["placed"].sum())
    assert placed < qv.MIN_PLACED_COUNCILS and "Few councils" in result.level_note
    rows = qv.unplaced_rows(result.table)
    assert len(rows) == 153 - placed == len(result.table) - len(_points(result.figure))
    assert all(r["reason"] for r in rows)
    states = {r["state"] for r in rows}
    assert states <= {"Suppressed (fewer than 5 organisations)", "No response"}
    assert f"{153 - placed} of 153 councils cannot be placed" in qv.unplaced_summary(
        result.table, "council")
    # On the index, the few councils with figures have no index: too few to standardise.
    index_rows = qv.unplaced_rows(qf.build_view(values, _view(level="council", x="index")).table)
    assert len(index_rows) == 153
    assert any("too few areas to standardise" in r["reason"] for r in index_rows)


def test_the_page_opens_on_regions_only_when_too_few_councils_can_be_placed(values):
    level, note = qv.choose_level(values, _view())
    assert level == "region" and "Showing regions because only" in note
    both = values["indicator_id"].isin(["cap_overall", "support_types_used"])
    chosen = values["area_code"].isin(councils()["code"].head(qv.MIN_PLACED_COUNCILS))
    fuller = values.copy()
    mask = both & chosen & fuller["period"].eq("2025")
    fuller.loc[mask, ["status", "value", "lower", "upper", "denominator"]] = [
        "value", 3.0, 2.5, 3.5, 6]
    assert qv.choose_level(fuller, _view()) == ("council", "")
    assert qv.choose_level(fuller, _view(level="region")) == ("region", "")


def test_the_url_round_trips_and_bad_parameters_fall_back():
    view = _view(level="region", wave="2023", x="index", w_collaboration="3",
                 w_leadership="1", w_knowledge="0", w_resources="0.5", w_culture="0")
    query = view.query_string("region")
    params = dict(p.split("=") for p in query.lstrip("?").split("&"))
    assert qv.parse_view(params, ["2023", "2025"]) == view
    bad = _view(level="ward", wave="1999", x="pie", w_culture="abc", w_knowledge="-2",
                w_leadership="inf")
    assert (bad.level, bad.wave, bad.x_measure) == (None, "2025", "score")
    assert dict(bad.weights) == EQUAL


def test_labels_of_crowded_points_are_moved_apart():
    x = np.array([1.0, 1.0, 2.0])
    y = np.array([1.0, 1.0, 5.0])
    positions = qf._label_positions(x, y, ["Alpha", "Beta", "Gamma"], [0, 3], [0, 6])
    assert positions[0] != positions[1]


def test_the_export_has_every_area_its_reasons_and_the_licence(values):
    result = qf.build_view(values, _view(level="council"))
    frame = qv.export_frame(result.table, "council", "2025", "score", result.weights, True)
    assert len(frame) == 153 and frame["synthetic"].all()
    assert (frame.loc[~frame["placed"], "why_unplaced"] != "").all()
    text = csv_bytes(frame).decode()
    header = text.splitlines()[0].split(",")
    assert header[:2] == ["area_code", "area_name"] and header[-2:] == ["licence", "citation"]
    assert "weight_culture" in header and "rank_upper" in header
