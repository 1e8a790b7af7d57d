"""Funnel plot limits, checked against scipy's binomial and normal distributions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from sasci_map import funnel

P0 = 0.185
SIZES = np.array([5, 7, 12, 30, 151, 2_000, 250_000])


@pytest.mark.parametrize("confidence", funnel.LEVELS)
def test_binomial_limits_lie_between_the_binomial_quantile_and_the_count_below(confidence):
    lower, upper = funnel.binomial_limits(P0, SIZES, confidence)
    for q, limit in (((1 - confidence) / 2, lower), ((1 + confidence) / 2, upper)):
        r = sps.binom.ppf(q, SIZES, P0)
        counts = np.asarray(limit) * SIZES
        assert np.all(counts <= r + 1e-9)
        assert np.all(counts >= r - 1 - 1e-9)


@pytest.mark.parametrize("confidence", funnel.LEVELS)
def test_binomial_limits_interpolate_as_spiegelhalter_defines(confidence):
    """(r - alpha) / n with alpha = (P(R <= r) - q) / P(R = r), computed here from scipy."""
    n = 12
    lower, upper = funnel.binomial_limits(P0, [n], confidence)
    for q, limit in (((1 - confidence) / 2, lower[0]), ((1 + confidence) / 2, upper[0])):
        r = next(k for k in range(n + 1) if sps.binom.cdf(k, n, P0) >= q)
        alpha = (sps.binom.cdf(r, n, P0) - q) / sps.binom.pmf(r, n, P0)
        assert limit == pytest.approx(max(0.0, (r - alpha) / n), abs=1e-12)


def test_the_chance_of_an_in_control_group_lying_above_brackets_the_nominal_level():
    """P(R >= r + 1) <= 2.5% < P(R >= r) for the quantile r the upper limit sits just below.

    Interpolated limits keep the nominal level between two adjacent counts (Manktelow and
    Seaton 2012: it may be a little above or below 2.5% at a given n); scipy gives the tails.
    """
    for n in (5, 9, 20, 64, 151):
        _lower, upper = funnel.binomial_limits(P0, [n], funnel.CONFIDENCE_95)
        r = np.ceil(upper[0] * n - 1e-9)  # the smallest count on or above the limit
        assert sps.binom.sf(r, n, P0) <= 0.025 < sps.binom.sf(r - 1, n, P0)


def test_binomial_limits_approach_the_normal_approximation_for_large_groups():
    n = np.array([50_000, 250_000, 1_000_000])
    for confidence in funnel.LEVELS:
        z = sps.norm.ppf((1 + confidence) / 2)
        half = z * np.sqrt(P0 * (1 - P0) / n)
        lower, upper = funnel.binomial_limits(P0, n, confidence)
        assert np.allclose(lower, P0 - half, atol=2 / n + 1e-5)
        assert np.allclose(upper, P0 + half, atol=2 / n + 1e-5)


def test_the_998_funnel_is_wider_than_the_95_funnel_and_narrows_with_size():
    l95, u95 = funnel.binomial_limits(P0, SIZES, funnel.CONFIDENCE_95)
    l998, u998 = funnel.binomial_limits(P0, SIZES, funnel.CONFIDENCE_998)
    assert np.all(l998 <= l95) and np.all(u998 >= u95)
    assert np.all(np.diff(u998 - l998) < 0)


def test_a_point_on_the_funnel_is_not_a_wilson_interval():
    """Control limits are about England's p0 at size n, not the council's own interval."""
    lower, upper = funnel.binomial_limits(P0, [30], funnel.CONFIDENCE_95)
    wilson = proportion_confint(round(P0 * 30), 30, method="wilson")
    assert (lower[0], upper[0]) != pytest.approx(wilson)


def test_binomial_limits_refuse_impossible_inputs():
    with pytest.raises(ValueError, match="between 0 and 1"):
        funnel.binomial_limits(1.2, [10])
    with pytest.raises(ValueError, match="at least 1"):
        funnel.binomial_limits(0.2, [0])


@pytest.mark.parametrize("confidence", funnel.LEVELS)
def test_mean_limits_are_the_normal_interval_of_the_mean(confidence):
    n = np.array([5, 12, 40])
    lower, upper = funnel.mean_limits(3.1, 0.8, n, confidence)
    ref_low, ref_high = sps.norm.interval(confidence, loc=3.1, scale=0.8 / np.sqrt(n))
    assert np.allclose(lower, ref_low) and np.allclose(upper, ref_high)


def test_the_sd_is_recovered_from_a_t_interval():
    sample = np.random.default_rng(7).normal(3.2, 0.9, size=151)
    low, high = sps.t.interval(0.95, len(sample) - 1, loc=sample.mean(),
                               scale=sps.sem(sample))
    assert funnel.sd_from_t_interval(low, high, len(sample)) == pytest.approx(
        sample.std(ddof=1))
    assert np.isnan(funnel.sd_from_t_interval(low, high, 1))


def test_limits_scale_percentages_and_positions_name_the_outer_limit_crossed():
    kind = funnel.FunnelKind(funnel.PROPORTION, scale=100)
    values = [18.5, 60.0, 0.0, 99.0]
    place = funnel.positions(kind, 18.5, values, [30, 30, 200, 30])
    lo, hi = funnel.binomial_limits(0.185, [30], funnel.CONFIDENCE_95)
    assert place.loc[0, "upper_95"] == pytest.approx(hi[0] * 100)
    assert place.loc[0, "lower_95"] == pytest.approx(lo[0] * 100)
    assert place["position"].tolist() == [funnel.WITHIN, funnel.ABOVE_998, funnel.BELOW_998,
                                          funnel.ABOVE_998]


def test_a_value_between_the_limits_is_above_the_95_only():
    kind = funnel.FunnelKind(funnel.MEAN)
    # n = 25, sd = 1: 95% half-width 0.392, 99.8% half-width 0.618.
    place = funnel.positions(kind, 3.0, [3.5, 2.5, 3.1], [25, 25, 25], sd=1.0)
    assert place["position"].tolist() == [funnel.ABOVE_95, funnel.BELOW_95, funnel.WITHIN]


@pytest.mark.parametrize(("unit", "method", "counts", "sd", "expected"), [
    ("% of organisations", "Share of responding organisations", True, None, funnel.PROPORTION),
    ("%", "Numerator people aged 65+", True, None, funnel.PROPORTION),
    ("%", "Published value", False, None, None),
    ("score 1-5", "Mean over responding organisations", True, 0.8, funnel.MEAN),
    ("score 1-5", "Mean over responding organisations", True, None, None),
    ("per 100,000", "Published value", False, None, None),
    ("people", "Published count", False, None, None),
])
def test_only_defensible_funnels_are_drawn(unit, method, counts, sd, expected):
    kind = funnel.funnel_kind(unit, method, counts, sd)
    assert kind.kind == expected
    assert (kind.reason == "") == (expected is not None)


def test_limit_curves_cover_the_range_with_both_pairs_of_limits():
    kind = funnel.FunnelKind(funnel.PROPORTION, scale=100)
    curves = funnel.limit_curves(kind, 18.5, 4, 40)
    assert curves["n"].iloc[0] == 4 and curves["n"].iloc[-1] == 40
    assert list(curves.columns) == ["n", "lower_95", "upper_95", "lower_99.8", "upper_99.8"]
    assert (curves["upper_99.8"] >= curves["upper_95"]).all()
