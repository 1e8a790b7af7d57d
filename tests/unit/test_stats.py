"""Confidence intervals checked against independent references (statsmodels, scipy, formulas)."""

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from statsmodels.stats.rates import confint_poisson
from statsmodels.stats.weightstats import DescrStatsW

from sasci_map.stats import (
    BYAR_MIN_COUNT,
    CONFIDENCE_95,
    CONFIDENCE_998,
    compare_to_benchmark,
    grouped_mean_interval,
    mean_interval,
    poisson_interval,
    rate_interval,
    two_proportion_change,
    wilson_interval,
    z_for,
)

LEVELS = [CONFIDENCE_95, CONFIDENCE_998]


def _grid():
    trials = [1, 2, 3, 5, 10, 17, 30, 153, 1000]
    pairs = [(x, n) for n in trials for x in sorted({0, 1, n // 3, n // 2, n - 1, n})]
    x, n = np.array(pairs, dtype=float).T
    return x, n


# --- z_for ---------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS + [0.5, 0.99])
def test_z_for_matches_normal_quantile(level):
    assert z_for(level) == pytest.approx(NormalDist().inv_cdf(1 - (1 - level) / 2), rel=1e-12)


def test_z_for_known_values():
    assert z_for(0.95) == pytest.approx(1.959963984540054)
    assert z_for(0.998) == pytest.approx(3.090232306167813)


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.2, 95, np.nan])
def test_z_for_rejects_levels_outside_0_1(level):
    with pytest.raises(ValueError, match=f"confidence must be between 0 and 1, got {level:g}"):
        z_for(level)


# --- Wilson ----------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_wilson_matches_statsmodels_over_grid(level):
    x, n = _grid()
    lower, upper = wilson_interval(x, n, level)
    ref_lower, ref_upper = proportion_confint(x, n, alpha=1 - level, method="wilson")
    np.testing.assert_allclose(lower, ref_lower, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(upper, ref_upper, rtol=1e-10, atol=1e-12)
    assert lower.shape == upper.shape == x.shape


def test_wilson_scalar_3_of_10():
    lower, upper = wilson_interval(3, 10)
    assert np.ndim(lower) == 0 and isinstance(float(lower), float)
    assert isinstance(lower, np.floating)
    ref = proportion_confint(3, 10, alpha=0.05, method="wilson")
    assert (lower, upper) == pytest.approx(ref, rel=1e-12)
    assert (lower, upper) == pytest.approx((0.10779, 0.60322), abs=1e-5)


def test_wilson_edges_are_bounded_by_0_and_1():
    lower, upper = wilson_interval([0, 10], [10, 10])
    assert lower[0] == 0 and upper[1] == 1
    assert 0 < upper[0] < 1 and 0 < lower[1] < 1


def test_wilson_preserves_shape_and_broadcasts():
    x = np.array([[0, 1, 2], [3, 4, 5]])
    lower, upper = wilson_interval(x, 10)
    assert lower.shape == upper.shape == (2, 3)
    ref_lower, ref_upper = proportion_confint(x.ravel(), 10, method="wilson")
    np.testing.assert_allclose(lower.ravel(), ref_lower)


def test_wilson_zero_trials_and_nan_give_nan():
    lower, upper = wilson_interval([0, np.nan, 4, 2], [0, 10, np.nan, 8])
    assert np.isnan(lower[:3]).all() and np.isnan(upper[:3]).all()
    assert np.isfinite([lower[3], upper[3]]).all()
    assert np.isnan(wilson_interval(0, 0)).all()


@pytest.mark.parametrize(
    ("successes", "trials", "message"),
    [
        ([1, 12], [10, 10], "got 12 successes out of 10"),
        (-1, 5, "successes must not be negative, got -1"),
        (1, -5, "trials must not be negative, got -5"),
    ],
)
def test_wilson_rejects_impossible_counts(successes, trials, message):
    with pytest.raises(ValueError, match=message):
        wilson_interval(successes, trials)


# --- Poisson -------------------------------------------------------------------------------


def _byar_reference(k, level):
    """Byar's limits as written in PHE's Technical Guide: Confidence Intervals."""
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    lower = k * (1 - 1 / (9 * k) - z / (3 * math.sqrt(k))) ** 3
    upper = (k + 1) * (1 - 1 / (9 * (k + 1)) + z / (3 * math.sqrt(k + 1))) ** 3
    return lower, upper


@pytest.mark.parametrize("level", LEVELS)
def test_exact_poisson_below_byar_threshold_matches_statsmodels(level):
    k = np.arange(BYAR_MIN_COUNT)
    lower, upper = poisson_interval(k, level)
    ref_lower, ref_upper = confint_poisson(k, 1, method="exact-c", alpha=1 - level)
    np.testing.assert_allclose(lower, np.nan_to_num(ref_lower), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(upper, ref_upper, rtol=1e-9)


@pytest.mark.parametrize("level", LEVELS)
def test_exact_poisson_limits_satisfy_their_definition(level):
    half_alpha = (1 - level) / 2
    for k in range(BYAR_MIN_COUNT):
        lower, upper = poisson_interval(k, level)
        # upper: P(X <= k | mu=upper) = alpha/2; lower: P(X >= k | mu=lower) = alpha/2
        assert sps.poisson.cdf(k, upper) == pytest.approx(half_alpha, rel=1e-8)
        if k == 0:
            assert lower == 0
        else:
            assert sps.poisson.sf(k - 1, lower) == pytest.approx(half_alpha, rel=1e-8)


def test_exact_poisson_for_0_and_5_written_out():
    assert poisson_interval(0) == pytest.approx((0.0, sps.chi2.ppf(0.975, 2) / 2))
    assert poisson_interval(5) == pytest.approx(
        (sps.chi2.ppf(0.025, 10) / 2, sps.chi2.ppf(0.975, 12) / 2)
    )
    assert poisson_interval(0) == pytest.approx((0.0, -math.log(0.025)))  # 3.6889
    assert poisson_interval(5) == pytest.approx((1.6235, 11.6683), abs=1e-4)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("k", [10, 11, 25, 50, 100, 1000, 123456])
def test_byar_from_threshold_matches_phe_formula(k, level):
    assert poisson_interval(k, level) == pytest.approx(_byar_reference(k, level), rel=1e-12)


def test_byar_for_10_and_100():
    assert poisson_interval(10) == pytest.approx((4.7874, 18.3915), abs=1e-4)
    assert poisson_interval(100) == pytest.approx((81.3621, 121.6279), abs=1e-4)


@pytest.mark.parametrize("level", LEVELS)
def test_byar_is_within_1_percent_of_exact_at_50(level):
    alpha = 1 - level
    exact = (sps.chi2.ppf(alpha / 2, 100) / 2, sps.chi2.ppf(1 - alpha / 2, 102) / 2)
    assert poisson_interval(50, level) == pytest.approx(exact, rel=0.01)


def test_switch_from_exact_to_byar_at_threshold():
    below, at = BYAR_MIN_COUNT - 1, BYAR_MIN_COUNT
    exact_below = (sps.chi2.ppf(0.025, 2 * below) / 2, sps.chi2.ppf(0.975, 2 * below + 2) / 2)
    exact_at = (sps.chi2.ppf(0.025, 2 * at) / 2, sps.chi2.ppf(0.975, 2 * at + 2) / 2)
    assert poisson_interval(below) == pytest.approx(exact_below, rel=1e-12)
    assert poisson_interval(at) == pytest.approx(_byar_reference(at, 0.95), rel=1e-12)
    assert poisson_interval(at)[0] != pytest.approx(exact_at[0], rel=1e-4)


def test_poisson_preserves_shape_and_propagates_nan():
    counts = np.array([[0, 5, np.nan], [10, 100, 3]])
    lower, upper = poisson_interval(counts)
    assert lower.shape == upper.shape == (2, 3)
    assert np.isnan(lower[0, 2]) and np.isnan(upper[0, 2])
    assert upper[1, 1] == pytest.approx(_byar_reference(100, 0.95)[1])
    assert isinstance(poisson_interval(5)[0], np.floating)


def test_poisson_rejects_negative_count():
    with pytest.raises(ValueError, match="count must not be negative, got -2.5"):
        poisson_interval([3, -2.5])


def test_rate_interval_scales_count_limits():
    rate, lower, upper = rate_interval(10, 50_000)
    count_lower, count_upper = _byar_reference(10, 0.95)
    assert rate == pytest.approx(20.0)
    assert (lower, upper) == pytest.approx((count_lower * 2, count_upper * 2))
    rate, lower, upper = rate_interval([3, 0], [1_000, 2_000], per=1_000, confidence=0.998)
    ref_lower, ref_upper = confint_poisson(np.array([3, 0]), 1, method="exact-c", alpha=0.002)
    np.testing.assert_allclose(rate, [3.0, 0.0])
    np.testing.assert_allclose(lower, np.nan_to_num(ref_lower) * [1, 0.5], atol=1e-12)
    np.testing.assert_allclose(upper, ref_upper * [1, 0.5])


def test_rate_interval_zero_population_is_nan_and_negative_raises():
    rate, lower, upper = rate_interval([4, np.nan], [0, 100])
    assert np.isnan([rate, lower, upper]).all()
    with pytest.raises(ValueError, match="population must not be negative, got -100"):
        rate_interval(4, -100)


# --- means -----------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_mean_interval_matches_scipy_and_statsmodels(level):
    values = np.random.default_rng(7).normal(3.4, 1.1, 23)
    mean, lower, upper = mean_interval(values, level)
    sem = sps.sem(values)
    ref = sps.t.interval(level, len(values) - 1, loc=values.mean(), scale=sem)
    assert mean == pytest.approx(values.mean())
    assert (lower, upper) == pytest.approx(ref, rel=1e-12)
    assert (lower, upper) == pytest.approx(
        DescrStatsW(values).tconfint_mean(alpha=1 - level), rel=1e-12
    )


def test_mean_interval_ignores_nan():
    values = np.array([1.0, np.nan, 2.0, 4.0, np.nan])
    ref = DescrStatsW(values[~np.isnan(values)]).tconfint_mean()
    mean, lower, upper = mean_interval(values)
    assert mean == pytest.approx(7 / 3)
    assert (lower, upper) == pytest.approx(ref)


def test_mean_interval_small_samples():
    mean, lower, upper = mean_interval([5.0, np.nan])
    assert mean == 5.0 and np.isnan(lower) and np.isnan(upper)
    assert np.isnan(mean_interval([])).all()
    assert np.isnan(mean_interval([np.nan, np.nan])).all()


def test_mean_interval_along_axis():
    values = np.array([[1.0, 2.0, 3.0, 6.0], [4.0, np.nan, 5.0, np.nan], [7.0, np.nan, np.nan, 0]])
    mean, lower, upper = mean_interval(values, axis=1)
    assert mean.shape == lower.shape == upper.shape == (3,)
    for row, m, lo, up in zip(values, mean, lower, upper, strict=True):
        kept = row[~np.isnan(row)]
        ref = sps.t.interval(0.95, len(kept) - 1, loc=kept.mean(), scale=sps.sem(kept))
        assert (m, lo, up) == pytest.approx((kept.mean(), *ref))


def _per_group_reference(values, groups, level):
    rows = {}
    for g in sorted(set(groups)):
        kept = np.array([v for v, h in zip(values, groups, strict=True) if h == g])
        kept = kept[~np.isnan(kept)]
        n = len(kept)
        if n >= 2:
            sem = kept.std(ddof=1) / math.sqrt(n)
            lower, upper = sps.t.interval(level, n - 1, loc=kept.mean(), scale=sem)
            rows[g] = (n, kept.mean(), kept.std(ddof=1), lower, upper)
        else:
            rows[g] = (n, kept.mean() if n else np.nan, np.nan, np.nan, np.nan)
    columns = ["n", "mean", "sd", "lower", "upper"]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


@pytest.mark.parametrize("level", LEVELS)
def test_grouped_mean_interval_matches_per_group_t_interval(level):
    rng = np.random.default_rng(11)
    groups = list("aaaaabbbcdddddddd") + ["e", "e"]
    values = rng.normal(2.5, 0.8, len(groups))
    values[[3, 8, 17, 18]] = np.nan  # one missing in a; c and e left with no or one value
    values[17] = 4.0
    got = grouped_mean_interval(values, groups, level)
    ref = _per_group_reference(values, groups, level)
    assert list(got.columns) == ["n", "mean", "sd", "lower", "upper"]
    assert list(got.index) == list(ref.index)
    np.testing.assert_array_equal(got["n"].to_numpy(), ref["n"].to_numpy())
    np.testing.assert_allclose(got.drop(columns="n").to_numpy(), ref.drop(columns="n").to_numpy())


def test_grouped_mean_interval_from_frame():
    frame = pd.DataFrame({"council": ["E1", "E1", "E1", "E2", "E2"], "score": [1, 2, 4, 3, 5.0]})
    got = grouped_mean_interval(frame, "council", value="score")
    row = got.loc["E1"]
    ref = DescrStatsW(np.array([1, 2, 4.0])).tconfint_mean()
    assert row["n"] == 3 and (row["lower"], row["upper"]) == pytest.approx(ref)
    with pytest.raises(ValueError, match="value must name the column"):
        grouped_mean_interval(frame, "council")


# --- benchmarking and change -----------------------------------------------------------------


def test_compare_to_benchmark_flags():
    lower = [0.6, 0.1, 0.3, 0.5, 0.2, np.nan, 0.3]
    upper = [0.8, 0.4, 0.7, 0.9, 0.5, 0.6, 0.7]
    flags = compare_to_benchmark(lower, upper, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, np.nan])
    assert flags.tolist() == ["higher", "lower", "similar", "similar", "similar", "", ""]


def test_compare_to_benchmark_scalar_and_shape():
    assert compare_to_benchmark(3, 4, 2) == "higher"
    assert compare_to_benchmark(np.nan, 4, 2) == ""
    flags = compare_to_benchmark(np.zeros((2, 2)), np.ones((2, 2)), 2)
    assert flags.shape == (2, 2) and (flags == "lower").all()


@pytest.mark.parametrize("level", LEVELS)
def test_two_proportion_change_matches_statsmodels_newcomb(level):
    x1, n1 = _grid()
    x2, n2 = x1[::-1].copy(), n1[::-1].copy()
    change = two_proportion_change(x1, n1, x2, n2, level)
    # statsmodels gives count1/nobs1 - count2/nobs2, so the later wave goes first.
    ref_lower, ref_upper = confint_proportions_2indep(
        x2, n2, x1, n1, method="newcomb", compare="diff", alpha=1 - level
    )
    np.testing.assert_allclose(change.difference, x2 / n2 - x1 / n1)
    np.testing.assert_allclose(change.lower, ref_lower, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(change.upper, ref_upper, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(change.significant, (ref_lower > 0) | (ref_upper < 0))


def test_two_proportion_change_scalar_significance():
    diff, lower, upper, significant = two_proportion_change(10, 50, 20, 50)
    ref = confint_proportions_2indep(20, 50, 10, 50, method="newcomb", compare="diff")
    assert diff == pytest.approx(0.2) and (lower, upper) == pytest.approx(ref)
    assert significant and isinstance(significant, np.bool_)
    assert not two_proportion_change(10, 50, 12, 50).significant
    assert two_proportion_change(40, 50, 20, 50).upper < 0


def test_two_proportion_change_undefined_is_nan_and_not_significant():
    change = two_proportion_change([0, 3], [0, 10], [1, np.nan], [5, 10])
    assert np.isnan(change.difference).all() and np.isnan(change.lower).all()
    assert not change.significant.any()
    with pytest.raises(ValueError, match="got 6 successes out of 5"):
        two_proportion_change(1, 5, 6, 5)
