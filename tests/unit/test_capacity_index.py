"""Composite capacity index and rank stability, checked against independent calculations."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from sasci_map.capacity_index import (
    DEFAULT_WEIGHTS,
    METHOD_TEXT,
    MIN_AREAS,
    Z_COLUMNS,
    capacity_index,
    normalise_weights,
    rank_stability,
)
from sasci_map.codebook import CAPABILITY_CLUSTERS

CLUSTERS = list(CAPABILITY_CLUSTERS)


def _frame(rows: dict[str, list[float]], **extra) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=CLUSTERS, dtype=float)
    frame.index.name = "area_code"
    for name, values in extra.items():
        frame[name] = values
    return frame


#: Four areas; every cluster holds 1, 2, 3 and 4 once, so each has mean 2.5 and population sd
#: sqrt(1.25), every z is (x - 2.5) / sqrt(1.25), and the equal-weight index is
#: (mean score - 2.5) / sqrt(1.25): area means 2.8, 2.6, 2.2, 2.4.
SCORES = _frame(
    {
        "E06000001": [1.0, 2.0, 4.0, 4.0, 3.0],
        "E06000002": [2.0, 1.0, 3.0, 3.0, 4.0],
        "E06000003": [3.0, 4.0, 2.0, 1.0, 1.0],
        "E06000004": [4.0, 3.0, 1.0, 2.0, 2.0],
    },
    n_orgs=[5, 7, 6, 9],
)


def _weights(**changes: float) -> dict[str, float]:
    return {**dict.fromkeys(CLUSTERS, 1.0), **changes}


# --- weights -------------------------------------------------------------------------------


def test_default_weights_are_equal_read_only_and_sum_to_one():
    assert list(DEFAULT_WEIGHTS) == CLUSTERS
    assert set(DEFAULT_WEIGHTS.values()) == {0.2}
    assert math.isclose(sum(DEFAULT_WEIGHTS.values()), 1.0)
    with pytest.raises(TypeError):
        DEFAULT_WEIGHTS["culture"] = 1.0  # type: ignore[index]


def test_normalise_weights_rescales_to_one_in_cluster_order():
    raw = {"culture": 0, "knowledge": 2, "leadership": 1, "resources": 1, "collaboration": 4}
    out = normalise_weights(raw)
    assert list(out) == CLUSTERS
    assert out == pytest.approx(
        {"collaboration": 0.5, "leadership": 0.125, "knowledge": 0.25, "resources": 0.125,
         "culture": 0.0}
    )  # fmt: skip
    assert math.isclose(sum(out.values()), 1.0)
    assert normalise_weights({c: 10 * v for c, v in raw.items()}) == pytest.approx(out)
    assert normalise_weights(DEFAULT_WEIGHTS) == pytest.approx(dict(DEFAULT_WEIGHTS))


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"collaboration": 1, "leadership": 1, "knowledge": 1},
         r"weights missing for clusters \['resources', 'culture'\]: give each a number, 0 or more"),
        ({**DEFAULT_WEIGHTS, "innovation": 0.2},
         r"weights for unknown clusters \['innovation'\]: expected only \['collaboration', "),
        (_weights(leadership=-0.5),
         r"weight for 'leadership' is -0.5: expected a finite number, 0 or more"),
        (_weights(knowledge=float("nan")),
         r"weight for 'knowledge' is nan: expected a finite number, 0 or more"),
        (_weights(culture=float("inf")),
         r"weight for 'culture' is inf: expected a finite number, 0 or more"),
        (_weights(resources="high"),
         r"weight for 'resources' is 'high': expected a finite number, 0 or more"),
        (_weights(resources=None),
         r"weight for 'resources' is None: expected a finite number, 0 or more"),
        (_weights(resources=True),
         r"weight for 'resources' is True: expected a finite number, 0 or more"),
        (dict.fromkeys(CLUSTERS, 0),
         r"all weights are zero \(\{'collaboration': 0.0, .*\}\): at least one cluster needs "
         r"weight > 0"),
        ([0.2] * 5, r"weights must map capability cluster to number, got \[0.2, "),
    ],
)  # fmt: skip
def test_normalise_weights_errors_name_the_offending_value(weights, message):
    with pytest.raises(ValueError, match=message):
        normalise_weights(weights)


# --- capacity_index: the maths -------------------------------------------------------------


def test_hand_computed_example_matches_scipy_zscores_and_equal_weight_mean():
    out = capacity_index(SCORES)
    expected_z = sps.zscore(SCORES[CLUSTERS].to_numpy(), axis=0, ddof=0)
    np.testing.assert_allclose(out[list(Z_COLUMNS)].to_numpy(), expected_z)
    # collaboration is 1, 2, 3, 4: mean 2.5, population sd sqrt(1.25)
    np.testing.assert_allclose(out["z_collaboration"], np.array([-1.5, -0.5, 0.5, 1.5]) / 1.25**0.5)
    expected_index = expected_z.mean(axis=1)
    np.testing.assert_allclose(out["index"], expected_index)
    by_hand = (np.array([2.8, 2.6, 2.2, 2.4]) - 2.5) / 1.25**0.5  # 0.268, 0.089, -0.268, -0.089
    np.testing.assert_allclose(out["index"], by_hand)
    expected_rank = pd.Series(expected_index).rank(ascending=False, method="min").to_numpy()
    np.testing.assert_array_equal(out["rank"].to_numpy(), expected_rank)
    assert out["rank"].tolist() == [1.0, 2.0, 4.0, 3.0]
    assert out["status"].tolist() == ["value"] * 4
    assert out["status_reason"].tolist() == [""] * 4
    assert out["n_domains"].tolist() == [5] * 4
    assert out.index.equals(SCORES.index)
    assert out["n_orgs"].tolist() == [5, 7, 6, 9]
    assert list(out.columns) == [
        *Z_COLUMNS, "index", "rank", "n_domains", "status", "status_reason", "n_orgs",
    ]  # fmt: skip


def test_custom_weights_give_the_weighted_mean_of_z_scores():
    weights = _weights(collaboration=3, culture=0.5)
    out = capacity_index(SCORES, weights)
    z = (SCORES[CLUSTERS] - SCORES[CLUSTERS].mean()) / SCORES[CLUSTERS].std(ddof=0)
    expected = np.average(z.to_numpy(), axis=1, weights=[weights[c] for c in CLUSTERS])
    np.testing.assert_allclose(out["index"], expected)


def test_raising_a_clusters_weight_lifts_the_area_best_in_it():
    scores = _frame(
        {
            "A": [5.0, 2.0, 2.0, 2.0, 2.0],  # best in collaboration only
            "B": [2.0, 4.0, 4.0, 4.0, 4.0],  # best everywhere else
            "C": [3.0, 3.0, 3.0, 3.0, 3.0],
            "D": [1.0, 1.0, 1.0, 1.0, 1.0],
        }
    )
    equal = capacity_index(scores)
    assert equal["rank"].tolist() == [3.0, 1.0, 2.0, 4.0]
    lifted = capacity_index(scores, _weights(collaboration=10))
    assert lifted["rank"].tolist() == [1.0, 3.0, 2.0, 4.0]


def test_missing_weighted_domains_give_missing_with_reason_and_never_drop_rows():
    scores = SCORES.copy()
    scores.loc["E06000002", ["knowledge", "culture"]] = np.nan
    scores.loc["E06000005"] = [np.nan] * 5 + [0]
    out = capacity_index(scores)
    assert out.index.equals(scores.index)
    row = out.loc["E06000002"]
    assert row["status"] == "missing"
    assert row["status_reason"] == "scores for 3 of 5 capability clusters; the index needs 5"
    assert row["n_domains"] == 3
    assert np.isnan(row["index"]) and np.isnan(row["rank"])
    assert not np.isnan(row["z_collaboration"])  # its cluster scores are still shown
    empty = out.loc["E06000005"]
    assert empty["status_reason"] == "scores for 0 of 5 capability clusters; the index needs 5"
    assert empty[list(Z_COLUMNS)].isna().all()
    assert sorted(out["rank"].dropna()) == [1.0, 2.0, 3.0]  # ranks among areas with an index

    relaxed = capacity_index(scores, min_domains=3)
    z = relaxed.loc["E06000002", ["z_collaboration", "z_leadership", "z_resources"]]
    assert relaxed.loc["E06000002", "status"] == "value"
    assert relaxed.loc["E06000002", "index"] == pytest.approx(z.mean())
    assert relaxed.loc["E06000005", "status"] == "missing"


def test_zero_weight_cluster_is_left_out_of_the_index_and_the_domain_count():
    scores = SCORES.copy()
    scores.loc["E06000002", "culture"] = np.nan
    out = capacity_index(scores, _weights(culture=0))
    assert out["status"].eq("value").all()
    assert out.loc["E06000002", "n_domains"] == 4
    z = out[["z_collaboration", "z_leadership", "z_knowledge", "z_resources"]]
    np.testing.assert_allclose(out["index"], z.mean(axis=1), atol=1e-12)
    assert out["rank"].tolist() == [1.0, 4.0, 2.0, 2.0]  # 0 and -1e-17 are a tie, not 2 and 3
    scores.loc["E06000003", "knowledge"] = np.nan
    short = capacity_index(scores, _weights(culture=0)).loc["E06000003"]
    assert short["status_reason"] == (
        "scores for 3 of 4 weighted capability clusters; the index needs 4"
    )


def test_too_few_areas_makes_every_area_missing_with_the_reason():
    out = capacity_index(SCORES.iloc[:2])
    assert out["status"].eq("missing").all()
    assert out["index"].isna().all() and out["rank"].isna().all()
    assert out["status_reason"].iloc[0] == (
        "too few areas to standardise: 'collaboration' has scores for 2 areas, 'leadership' has "
        "scores for 2 areas, 'knowledge' has scores for 2 areas, 'resources' has scores for 2 "
        "areas, 'culture' has scores for 2 areas; each weighted cluster needs 3"
    )
    assert MIN_AREAS == 3


def test_one_sparse_cluster_makes_every_area_missing_unless_weighted_zero():
    scores = SCORES.copy()
    scores.loc[["E06000001", "E06000002"], "culture"] = np.nan
    out = capacity_index(scores, min_domains=4)
    assert out["status"].eq("missing").all()
    assert (
        out["status_reason"]
        .eq(
            "too few areas to standardise: 'culture' has scores for 2 areas; each weighted cluster "
            "needs 3"
        )
        .all()
    )
    assert out["z_culture"].isna().all()
    assert capacity_index(scores, _weights(culture=0))["status"].eq("value").all()


def test_cluster_without_spread_scores_zero_for_every_area():
    scores = SCORES.copy()
    scores["resources"] = 3.2  # float noise would give sd ~1e-16 and z of +-1 without the guard
    out = capacity_index(scores)
    assert out["z_resources"].tolist() == [0.0] * 4
    others = ["z_collaboration", "z_leadership", "z_knowledge", "z_culture"]
    np.testing.assert_allclose(out["index"], out[others].sum(axis=1) / 5, atol=1e-12)


def test_equal_scores_everywhere_give_index_zero_and_a_shared_rank_one():
    scores = _frame({code: [3.0] * 5 for code in "ABCD"})
    out = capacity_index(scores)
    assert out["index"].tolist() == [0.0] * 4
    assert out["rank"].tolist() == [1.0] * 4
    stability = rank_stability(scores, n_draws=50)
    assert stability[["rank_lower", "rank_upper"]].eq(1.0).all().all()
    assert stability["share_top_quintile"].eq(1.0).all()


def test_ties_share_the_best_rank():
    scores = pd.concat([SCORES[CLUSTERS], SCORES[CLUSTERS].iloc[[1]].set_axis(["TWIN"])])
    out = capacity_index(scores)
    assert out.loc[["E06000002", "TWIN"], "index"].nunique() == 1
    assert out["rank"].tolist() == [1.0, 2.0, 5.0, 4.0, 2.0]


def test_empty_input_gives_an_empty_table():
    out = capacity_index(SCORES.iloc[:0])
    assert out.empty and "status" in out.columns
    assert rank_stability(SCORES.iloc[:0]).empty


# --- capacity_index: input checks ----------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["culture", "knowledge"]),
         r"domain_scores has no column for clusters \['knowledge', 'culture'\]"),
        (lambda f: pd.concat([f, f.iloc[[0]]]),
         r"domain_scores has duplicated area codes \['E06000001'\]: one row per area"),
        (lambda f: f.assign(leadership=[2.0, 6.0, 3.0, 4.0]),
         r"domain_scores, area 'E06000002', column 'leadership': value 6.0 is not a score from 1 "
         r"to 5 \(leave it empty if none\)"),
        (lambda f: f.assign(culture=["3", "x", "2", "1"]),
         r"area 'E06000002', column 'culture': value 'x' is not a score from 1 to 5"),
        (lambda f: f.assign(knowledge=[1.0, np.inf, 2.0, 3.0]),
         r"area 'E06000002', column 'knowledge': value inf is not a score"),
        (lambda f: f.to_numpy(), r"domain_scores must be a DataFrame, got ndarray"),
    ],
)  # fmt: skip
def test_bad_input_is_rejected_with_area_column_and_value(change, message):
    with pytest.raises(ValueError, match=message):
        capacity_index(change(SCORES.copy()))


@pytest.mark.parametrize("min_domains", [0, 6, 2.5, True, "5"])
def test_bad_min_domains_is_rejected(min_domains):
    with pytest.raises(ValueError, match=r"min_domains is .*: expected a whole number from 1 to 5"):
        capacity_index(SCORES, min_domains=min_domains)


def test_numeric_strings_and_missing_markers_are_read():
    scores = SCORES.copy().astype({"culture": object})
    scores["culture"] = ["5", "4", None, "2.5"]
    out = capacity_index(scores, min_domains=4)
    assert out.loc["E06000003", "n_domains"] == 4
    assert out.loc["E06000003", "z_culture"] != out.loc["E06000003", "z_culture"]  # NaN


# --- rank_stability ------------------------------------------------------------------------


def _many_areas(n: int = 40, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = rng.uniform(1, 5, size=(n, 5))
    return pd.DataFrame(values, index=[f"E0600{i:04d}" for i in range(n)], columns=CLUSTERS)


def test_rank_stability_is_reproducible_and_brackets_the_rank():
    scores = _many_areas()
    first = rank_stability(scores, n_draws=500, seed=7)
    pd.testing.assert_frame_equal(first, rank_stability(scores, n_draws=500, seed=7))
    assert not first.equals(rank_stability(scores, n_draws=500, seed=8))
    assert list(first.columns) == [
        "index", "rank", "rank_lower", "rank_upper", "share_top_quintile", "status",
        "status_reason",
    ]  # fmt: skip
    assert first.index.equals(scores.index)
    assert (first["rank_lower"] <= first["rank"]).all()
    assert (first["rank"] <= first["rank_upper"]).all()
    assert (first["rank_lower"] >= 1).all() and (first["rank_upper"] <= len(scores)).all()
    np.testing.assert_array_equal(first["rank"], capacity_index(scores)["rank"])
    assert (first["rank_upper"] > first["rank_lower"]).any()  # weights matter somewhere
    # No ties: each draw puts exactly ceil(40 / 5) = 8 areas in the top quintile.
    assert first["share_top_quintile"].sum() == pytest.approx(8.0)


def test_rank_stability_matches_a_loop_over_the_same_weight_draws():
    scores = _many_areas(12, seed=3)
    weights = _weights(collaboration=2, culture=0.5)
    out = rank_stability(scores, weights, n_draws=60, concentration=20.0, seed=11, interval=0.8)
    w = np.array(list(normalise_weights(weights).values()))
    draws = np.random.default_rng(11).dirichlet(20.0 * w, size=60)
    ranks = np.column_stack(
        [capacity_index(scores, dict(zip(CLUSTERS, d, strict=True)))["rank"] for d in draws]
    )
    lower = np.quantile(ranks, 0.1, axis=1, method="inverted_cdf")
    upper = np.quantile(ranks, 0.9, axis=1, method="inverted_cdf")
    rank = capacity_index(scores, weights)["rank"].to_numpy()
    np.testing.assert_array_equal(out["rank_lower"], np.minimum(lower, rank))
    np.testing.assert_array_equal(out["rank_upper"], np.maximum(upper, rank))
    np.testing.assert_allclose(out["share_top_quintile"], (ranks <= 3).mean(axis=1))


def test_very_large_concentration_collapses_the_interval_to_the_rank():
    out = rank_stability(_many_areas(), n_draws=200, concentration=1e9)
    assert out["rank_lower"].equals(out["rank"])
    assert out["rank_upper"].equals(out["rank"])


def test_dominant_area_keeps_rank_one_and_low_concentration_widens_intervals():
    scores = _many_areas(20)
    scores.loc["TOP"] = 5.0
    loose = rank_stability(scores, n_draws=400, concentration=1.0)
    tight = rank_stability(scores, n_draws=400, concentration=500.0)
    assert loose.loc["TOP", ["rank", "rank_lower", "rank_upper"]].tolist() == [1.0, 1.0, 1.0]
    assert loose.loc["TOP", "share_top_quintile"] == 1.0
    width = lambda f: (f["rank_upper"] - f["rank_lower"]).mean()  # noqa: E731
    assert width(loose) > width(tight)


def test_rank_stability_leaves_areas_without_an_index_empty():
    scores = _many_areas(10)
    scores.loc["E06000003", "culture"] = np.nan
    out = rank_stability(scores, n_draws=100)
    row = out.loc["E06000003"]
    assert row["status"] == "missing"
    assert row[["index", "rank", "rank_lower", "rank_upper", "share_top_quintile"]].isna().all()
    assert row["status_reason"] == "scores for 4 of 5 capability clusters; the index needs 5"
    assert out["rank_upper"].max() <= 9
    partial = rank_stability(scores, n_draws=100, min_domains=4)
    assert partial["status"].eq("value").all()
    assert (partial["rank_lower"] <= partial["rank"]).all()
    assert (partial["rank"] <= partial["rank_upper"]).all()


def test_rank_stability_with_a_zero_weight_keeps_that_cluster_out_of_every_draw():
    scores = _many_areas(10)
    weights = _weights(knowledge=0)
    drop = scores.assign(knowledge=scores["knowledge"][::-1].to_numpy())  # scramble knowledge
    pd.testing.assert_frame_equal(
        rank_stability(scores, weights, n_draws=100), rank_stability(drop, weights, n_draws=100)
    )


def test_rank_stability_with_too_few_areas_is_all_missing():
    out = rank_stability(SCORES.iloc[:2], n_draws=10)
    assert out["status"].eq("missing").all()
    assert out[["rank", "rank_lower", "rank_upper"]].isna().all().all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_draws": 0}, r"n_draws is 0: expected a whole number of 1 or more"),
        ({"n_draws": 10.5}, r"n_draws is 10.5: expected a whole number of 1 or more"),
        ({"concentration": 0.0}, r"concentration is 0.0: expected a finite number above 0"),
        ({"concentration": float("nan")}, r"concentration is nan: expected a finite number"),
        ({"interval": 1.0}, r"interval is 1.0: expected a number between 0 and 1"),
        ({"interval": 0}, r"interval is 0: expected a number between 0 and 1"),
        ({"weights": _weights(culture=-1)}, r"weight for 'culture' is -1"),
    ],
)
def test_rank_stability_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        rank_stability(SCORES, **kwargs)


def test_method_text_describes_every_step():
    text = METHOD_TEXT.lower()
    phrases = ("standardised", "population standard deviation", "equal weights of 0.2",
               "all five", "fewer than three areas", "dirichlet", "interval", "rank 1")  # fmt: skip
    for phrase in phrases:
        assert phrase in text, phrase
    assert "  " not in METHOD_TEXT
