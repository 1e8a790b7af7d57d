"""The map's colourings and views: benchmark colours, state layers, coverage and pooled figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from sasci_map import db, indicators, map_modes, survey_store
from sasci_map.choropleth import (
    NO_RESPONSE_TRACE,
    STATE_TRACES,
    SUPPRESSED_TRACE,
    VALUES_TRACE,
    apply_updates,
    benchmark_order,
    legend_decimals,
    map_figure,
    map_state,
)
from sasci_map.classing import BENCHMARK, CONTINUOUS, QUANTILES, class_of, classify
from sasci_map.geography import councils, regions
from sasci_map.mapview import build_map_view, coverage_state, indicator_options
from sasci_map.palette import BENCHMARK_COLOURS, STATUS_COLOURS, STATUS_OUTLINES
from tests.hand_made import DARLINGTON, HARTLEPOOL, SHARE_INDICATOR, share_dataset
from tests.layout_tools import hover_texts


def _frame(statuses, values, flags=None):
    n = len(statuses)
    return pd.DataFrame({
        "code": [f"E0600{i:04d}" for i in range(n)], "name": [f"Council {i}" for i in range(n)],
        "region_name": ["Somewhere"] * n, "status": statuses,
        "status_reason": ["" if s == "value" else f"why {s}" for s in statuses],
        "value": values, "lower": [v - 1 for v in values], "upper": [v + 1 for v in values],
        "vs_england": flags or [""] * n,
    })


def _figure(state):
    return apply_updates(map_figure("/geo.json", state, state_layers=True), [])


def _colour_of(trace: dict, z: float) -> str:
    """The flat colour a stepped colorscale gives ``z`` (independent of how it was built)."""
    lo, hi = trace["zmin"], trace["zmax"]
    position = (z - lo) / (hi - lo)
    steps = trace["colorscale"]
    return next(c for (p0, c), (p1, _) in zip(steps[::2], steps[1::2], strict=True)
                if p0 <= position <= p1)


def test_benchmark_mode_colours_each_council_by_its_comparison_word():
    flags = ["better", "worse", "similar", "", "better"]
    frame = _frame(["value"] * 5 + ["suppressed"], [3.0, 2.0, 2.5, 2.6, 3.2, np.nan],
                   flags + [""])
    state = map_state(frame, {"unit": "score", "polarity": "higher_is_better",
                              "short_title": "Score"}, BENCHMARK)
    trace = _figure(state)["data"][VALUES_TRACE]
    assert trace["locations"] == frame["code"][:5].tolist()
    colours = [_colour_of(trace, z) for z in trace["z"]]
    assert colours == [BENCHMARK_COLOURS[w] for w in flags]
    legend = {row["label"]: row["count"] for row in state["legend"]}
    assert legend == {"Better than England": 2, "Similar to England": 1,
                      "Worse than England": 1, "Not compared": 1}
    assert state["direction"] == ""  # the words say which way is better


def test_benchmark_order_follows_polarity():
    assert benchmark_order("higher_is_better") == ["better", "similar", "worse", ""]
    assert benchmark_order("lower_is_better") == ["better", "similar", "worse", ""]
    assert benchmark_order("neutral") == ["lower", "similar", "higher", ""]


def test_each_state_is_drawn_on_its_own_layer_with_counts_and_reasons():
    statuses = ["value", "suppressed", "no_response", "missing", "suppressed", "value"]
    frame = _frame(statuses, [1.0, np.nan, np.nan, np.nan, np.nan, 2.0])
    state = map_state(frame, {"unit": "%", "polarity": "lower_is_better"}, QUANTILES)
    figure = _figure(state)
    for status, trace in STATE_TRACES.items():
        expected = frame.loc[frame["status"] == status, "code"].tolist()
        layer = figure["data"][trace]
        assert layer["locations"] == expected
        assert all(f"why {status}" in h for h in hover_texts(layer).values())
        assert layer["colorscale"][0][1] == STATUS_COLOURS[status]
        assert (layer["marker"]["line"]["color"],
                layer["marker"]["line"]["width"]) == STATUS_OUTLINES[status]
    assert state["counts"] == {"value": 2, "suppressed": 2, "no_response": 1, "missing": 1}
    assert state["direction"] == "darker = higher; lower is better"
    assert next(iter(hover_texts(figure["data"][SUPPRESSED_TRACE]).values())).count(
        "Suppressed") == 1


def test_continuous_scale_spans_the_values():
    frame = _frame(["value"] * 4, [10.0, 12.5, 20.0, 30.0])
    state = map_state(frame, {"unit": "%"}, CONTINUOUS)
    trace = _figure(state)["data"][VALUES_TRACE]
    assert (trace["zmin"], trace["zmax"]) == (10.0, 30.0)
    assert trace["z"] == [10.0, 12.5, 20.0, 30.0]
    assert trace["colorbar"]["ticktext"][0] == "10.0%" and trace["colorbar"]["ticktext"][-1] \
        == "30.0%"


def test_class_of_agrees_with_mapclassify_on_the_classed_values():
    rng = np.random.default_rng(5)
    values = rng.normal(3, 0.4, 40)
    classes = classify(values, QUANTILES)
    np.testing.assert_array_equal(class_of(values, classes), classes.index)
    assert class_of([np.nan], classes).tolist() == [-1]


def test_legend_decimals_keep_close_bounds_apart():
    assert legend_decimals([3.10, 3.14, 3.2]) == 2
    assert legend_decimals([6.6, 13.4, 29.4]) == 1
    assert legend_decimals([1500.0, 90000.0]) == 0


def test_coverage_counts_match_an_independent_count_of_the_responses(engine):
    frame = map_modes.coverage_frame(engine, "2025")
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT council_code, org_type, COUNT(DISTINCT org_id), COUNT(*) "
            "FROM survey_responses WHERE wave = 2025 GROUP BY council_code, org_type")).all()
    expected = pd.DataFrame(rows, columns=["code", "org_type", "orgs", "respondents"])
    orgs = expected.pivot_table(index="code", columns="org_type", values="orgs", fill_value=0)
    respondents = expected.groupby("code")["respondents"].sum()
    got = frame.set_index("code")
    assert len(frame) == 153
    for code in got.index:
        council = int(orgs["council"].get(code, 0)) if code in orgs.index else 0
        provider = int(orgs["provider"].get(code, 0)) if code in orgs.index else 0
        assert (got.at[code, "council_orgs"], got.at[code, "provider_orgs"]) == (council,
                                                                              provider)
        assert got.at[code, "respondents"] == int(respondents.get(code, 0))
    none = got["coverage"] == map_modes.COVERAGE_NONE
    assert set(got.index[~none]) == set(expected["code"])
    assert (got.loc[none, "status"] == "no_response").all()
    state = coverage_state(frame, "2025")
    assert state["counts"]["value"] == int((~none).sum())
    assert state["counts"]["no_response"] == int(none.sum())
    assert _figure(state)["data"][NO_RESPONSE_TRACE]["locations"] == got.index[none].tolist()


def test_pooled_values_equal_the_stored_region_rows(engine):
    with engine.connect() as conn:
        stored = pd.DataFrame(conn.execute(sa.text(
            "SELECT area_code, value, status FROM indicator_values WHERE indicator_id = "
            "'cap_overall_providers' AND period = '2025' AND area_level = 'region'")).all(),
            columns=["region_code", "value", "status"])
    pooled = map_modes.pooled_frame(engine, "cap_overall_providers", "2025")
    assert len(pooled) == 153
    merged = pooled.merge(stored, on="region_code", suffixes=("", "_stored"))
    assert len(merged) == 153
    assert (merged["status"] == merged["status_stored"]).all()
    valued = merged["status"] == "value"
    np.testing.assert_allclose(merged.loc[valued, "value"],
                               merged.loc[valued, "value_stored"].astype(float))
    assert merged.loc[~valued, "value"].isna().all()
    regions = map_modes.region_values(engine, "cap_overall_providers", "2025")
    assert len(regions) == 9 and regions["n_councils"].sum() == 153


def test_pooled_view_classes_regions_once_and_says_pooled(engine):
    view = build_map_view(engine, "cap_overall", QUANTILES, period="2025", view="pooled")
    values = view.state["updates"]
    hover = hover_texts({path[-1]: value for path, value in values
                         if path[:2] == ("data", VALUES_TRACE)}).values()
    assert len(hover) == 153 and all("Region value, pooled" in h for h in hover)
    # Councils of one region share one colour class.
    z = dict(zip(dict(values)[("data", VALUES_TRACE, "locations")],
                 dict(values)[("data", VALUES_TRACE, "z")], strict=True))
    classes_per_region = view.frame.assign(z=view.frame["code"].map(z)).groupby(
        "region_code")["z"].nunique()
    assert (classes_per_region == 1).all()


def test_context_indicators_have_no_region_figure_to_pool(engine):
    pooled = map_modes.pooled_frame(engine, "pct_65_plus")
    assert (pooled["status"] == "missing").all()
    assert (pooled["status_reason"] == map_modes.REASON_NO_REGION_FIGURE).all()


def test_council_benchmarks_follow_the_interval_overlap_rule(engine):
    frame = map_modes.council_values(engine, "cap_overall", "2025")
    with engine.connect() as conn:
        england = conn.execute(sa.text(
            "SELECT value FROM indicator_values WHERE indicator_id = 'cap_overall' AND "
            "period = '2025' AND area_level = 'england'")).scalar_one()
    valued = frame.loc[frame["status"] == "value"]
    assert len(valued) > 0
    for r in valued.itertuples(index=False):  # higher is better for this score
        expected = "better" if r.lower > england else "worse" if r.upper < england else "similar"
        assert r.vs_england == expected
    assert (frame.loc[frame["status"] != "value", "vs_england"] == "").all()


def test_periods_and_resolution(engine):
    assert map_modes.periods_of(engine, "cap_overall") == ["2023", "2025"]
    assert map_modes.resolve_period(["2023", "2025"], "2023") == "2023"
    assert map_modes.resolve_period(["2023", "2025"], "1999") == "2025"
    assert map_modes.resolve_period([], "2023") == ""
    assert map_modes.wave_is_synthetic(engine, "2025") is True
    # Every indicator's periods, from the cached table, as the database's own DISTINCT gives.
    distinct = db.indicator_periods(engine)
    expected = {i: sorted(rows["period"]) for i, rows in distinct.groupby("indicator_id")}
    assert indicators.periods_by_indicator(engine) == expected
    assert len(expected) == len(indicators.catalogue(engine))


def test_indicator_options_are_grouped_and_searchable(engine):
    from sasci_map import indicators

    options = indicator_options(indicators.catalogue(engine))
    barriers = [o for o in options if "barrier" in o["value"] and not o.get("disabled")]
    assert barriers and all("Barriers to innovating" in o["search"] for o in barriers)
    assert all(o["disabled"] for o in options if o["value"].startswith("domain:"))


def test_a_new_load_reaches_the_next_map_of_the_indicator(empty_engine, settings):
    """The map reads figures from a table kept once per process and data version: a dataset
    loaded after the map was drawn shows in the next map, its periods and its benchmark."""
    eng = empty_engine
    db.create_schema(eng)
    survey_store.create_survey_schema(eng)
    db.load_geography(eng, councils(), regions())
    db.load_dataset(eng, share_dataset(50.0, {HARTLEPOOL: 60.0, DARLINGTON: 30.0}))

    def shown() -> pd.Series:
        frame = map_modes.council_values(eng, SHARE_INDICATOR, None, settings.data_dir)
        return frame.set_index("code").loc[[HARTLEPOOL, DARLINGTON], "value"]

    assert shown().tolist() == [60.0, 30.0]
    assert map_modes.periods_of(eng, SHARE_INDICATOR) == ["2024"]
    assert map_modes.benchmarked(eng, SHARE_INDICATOR, "2024")["england_value"].iloc[0] == 50.0
    db.load_dataset(eng, share_dataset(40.0, {HARTLEPOOL: 20.0, DARLINGTON: 70.0}),
                    force=True)
    assert shown().tolist() == [20.0, 70.0]
    assert map_modes.benchmarked(eng, SHARE_INDICATOR, "2024")["england_value"].iloc[0] == 40.0
    view = build_map_view(eng, SHARE_INDICATOR, QUANTILES, settings.data_dir)
    assert view.definition["title"] == "Test share (%)" and view.period == "2024"
    assert view.frame.set_index("code").loc[DARLINGTON, "value"] == 70.0
