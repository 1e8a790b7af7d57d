"""Confidence intervals and benchmark comparisons for indicators, following OHID Fingertips."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm, t

#: Default confidence level: OHID Fingertips' 95 % limits (inner funnel and benchmarking).
CONFIDENCE_95 = 0.95
#: OHID Fingertips' 99.8 % control limits (outer funnel, roughly three standard errors).
CONFIDENCE_998 = 0.998
#: Exact Poisson limits below this many events, Byar's approximation from it, as OHID's Public
#: Health Data Science tools (PHEindicatormethods) do: Byar is accurate from about 10 events.
BYAR_MIN_COUNT = 10

#: Benchmark flags for indicators without polarity ("" when there is nothing to compare).
HIGHER = "higher"
SIMILAR = "similar"
LOWER = "lower"
NOT_COMPARED = ""


class Interval(NamedTuple):
    """Lower and upper confidence limits."""

    lower: np.ndarray | np.floating
    upper: np.ndarray | np.floating


class Estimate(NamedTuple):
    """A point estimate with its lower and upper confidence limits."""

    value: np.ndarray | np.floating
    lower: np.ndarray | np.floating
    upper: np.ndarray | np.floating


class ProportionChange(NamedTuple):
    """Difference of two proportions with its Newcombe interval and significance flag."""

    difference: np.ndarray | np.floating
    lower: np.ndarray | np.floating
    upper: np.ndarray | np.floating
    significant: np.ndarray | np.bool_


def _out(values: np.ndarray):
    return values[()]  # a numpy scalar for a 0-d array, the array itself otherwise


def _check(bad: np.ndarray, message: str, *values: np.ndarray) -> None:
    # Raise ValueError naming the first offending value(s) flagged by ``bad``.
    if np.any(bad):
        first = np.argwhere(np.asarray(bad))[0] if np.ndim(bad) else ()
        raise ValueError(message.format(*(np.asarray(v)[tuple(first)].item() for v in values)))


def z_for(confidence: float = CONFIDENCE_95):
    """Two-sided standard normal quantile for a confidence level.

    Parameters
    ----------
    confidence : float or array-like
        Confidence level, strictly between 0 and 1 (0.95 gives 1.959964).

    Returns
    -------
    numpy.float64 or numpy.ndarray
        ``norm.ppf(1 - (1 - confidence) / 2)``.

    Raises
    ------
    ValueError
        If a confidence level is not strictly between 0 and 1 (or is NaN).
    """
    level = np.asarray(confidence, dtype=float)
    _check(~((level > 0) & (level < 1)), "confidence must be between 0 and 1, got {:g}", level)
    return _out(norm.ppf(0.5 + level / 2))


def wilson_interval(successes, trials, confidence: float = CONFIDENCE_95) -> Interval:
    """Wilson score interval for a proportion, as a fraction between 0 and 1.

    Parameters
    ----------
    successes, trials : array-like
        Numerator and denominator counts (broadcast together). NaN propagates.
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    Interval
        ``(lower, upper)``; NaN where ``trials`` is 0 or an input is NaN.

    Raises
    ------
    ValueError
        If ``successes`` or ``trials`` is negative, or ``successes`` exceeds ``trials``.
    """
    x, n = np.broadcast_arrays(np.asarray(successes, float), np.asarray(trials, float))
    _check(n < 0, "trials must not be negative, got {:g}", n)
    _check(x < 0, "successes must not be negative, got {:g}", x)
    _check(x > n, "successes must not exceed trials, got {:g} successes out of {:g}", x, n)
    z = z_for(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        z2n = z**2 / n
        centre = (p + z2n / 2) / (1 + z2n)
        half = z / (1 + z2n) * np.sqrt(p * (1 - p) / n + z2n / (4 * n))
    # The limits at 0 and n are exactly 0 and 1; rounding would otherwise leave 0.9999999999999999.
    lower = np.where((x == 0) & (n > 0), 0.0, np.clip(centre - half, 0, 1))
    upper = np.where((x == n) & (n > 0), 1.0, np.clip(centre + half, 0, 1))
    return Interval(_out(lower), _out(upper))


def poisson_interval(count, confidence: float = CONFIDENCE_95) -> Interval:
    """Confidence limits for a Poisson count: exact below ``BYAR_MIN_COUNT``, Byar from it.

    Parameters
    ----------
    count : array-like
        Observed number of events. NaN propagates.
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    Interval
        ``(lower, upper)`` limits for the expected count. Exact limits are
        ``chi2.ppf(alpha/2, 2k)/2`` (0 when k is 0) and ``chi2.ppf(1-alpha/2, 2k+2)/2``; Byar's
        are ``k(1 - 1/9k - z/3√k)³`` and ``(k+1)(1 - 1/9(k+1) + z/3√(k+1))³``.

    Raises
    ------
    ValueError
        If a count is negative.
    """
    k = np.asarray(count, dtype=float)
    _check(k < 0, "count must not be negative, got {:g}", k)
    z = z_for(confidence)
    alpha = 1 - np.asarray(confidence, dtype=float)
    exact_lower = np.where(k > 0, chi2.ppf(alpha / 2, 2 * np.where(k > 0, k, 1)) / 2, 0.0)
    exact_upper = chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    kb = np.where(k > 0, k, 1.0)  # Byar is only used from BYAR_MIN_COUNT; avoid dividing by 0
    byar_lower = kb * (1 - 1 / (9 * kb) - z / (3 * np.sqrt(kb))) ** 3
    byar_upper = (kb + 1) * (1 - 1 / (9 * (kb + 1)) + z / (3 * np.sqrt(kb + 1))) ** 3
    byar = k >= BYAR_MIN_COUNT
    lower = np.where(np.isnan(k), np.nan, np.where(byar, byar_lower, exact_lower))
    upper = np.where(np.isnan(k), np.nan, np.where(byar, byar_upper, exact_upper))
    return Interval(_out(lower), _out(upper))


def rate_interval(
    count, population, per: float = 100_000, confidence: float = CONFIDENCE_95
) -> Estimate:
    """Crude rate per ``per`` population with limits scaled from :func:`poisson_interval`.

    Parameters
    ----------
    count, population : array-like
        Events and population (broadcast together). NaN propagates.
    per : float, default 100_000
        Rate multiplier (per 100,000 population by default).
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    Estimate
        ``(rate, lower, upper)``; NaN where the population is 0.

    Raises
    ------
    ValueError
        If a count or a population is negative.
    """
    k, pop = np.broadcast_arrays(np.asarray(count, float), np.asarray(population, float))
    _check(pop < 0, "population must not be negative, got {:g}", pop)
    lower, upper = poisson_interval(k, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(pop > 0, per / pop, np.nan)
    return Estimate(_out(k * scale), _out(lower * scale), _out(upper * scale))


def mean_interval(values, confidence: float = CONFIDENCE_95, axis: int | None = None) -> Estimate:
    """Mean with a Student's t confidence interval, ignoring NaN.

    Parameters
    ----------
    values : array-like
        Sample values.
    confidence : float, default 0.95
        Confidence level.
    axis : int, optional
        Axis holding each sample; by default all values form one sample.

    Returns
    -------
    Estimate
        ``(mean, lower, upper)``; the mean is NaN with no values, the limits NaN with fewer than 2.
    """
    x = np.asarray(values, dtype=float)
    present = ~np.isnan(x)
    n = present.sum(axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(present, x, 0).sum(axis, keepdims=True) / n
        sd = np.sqrt((np.where(present, x - mean, 0) ** 2).sum(axis, keepdims=True) / (n - 1))
        n, mean, sd = (np.squeeze(a, axis=axis) for a in (n, mean, sd))
        half = _t_quantile(n, confidence) * sd / np.sqrt(n)
    return Estimate(_out(mean), _out(mean - half), _out(mean + half))


def _t_quantile(n, confidence: float):
    # Two-sided Student's t quantile with n - 1 degrees of freedom; NaN when n < 2.
    n = np.asarray(n, dtype=float)
    z_for(confidence)  # validates the level
    return t.ppf(0.5 + confidence / 2, np.where(n >= 2, n - 1, np.nan))


def t_half_width(sd, n, confidence: float = CONFIDENCE_95):
    """Half-width of a mean's Student's t interval from the sample sd and size.

    Parameters
    ----------
    sd : array-like
        Sample standard deviations (ddof=1).
    n : array-like
        Sample sizes.
    confidence : float, default 0.95

    Returns
    -------
    numpy.ndarray or numpy scalar
        ``t(1 - alpha/2, n - 1) * sd / sqrt(n)``; NaN where n < 2.
    """
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(_t_quantile(n, confidence) * np.asarray(sd, dtype=float) / np.sqrt(n))


def grouped_mean_interval(
    frame_or_values, groups, confidence: float = CONFIDENCE_95, value: str | None = None
) -> pd.DataFrame:
    """Mean with a Student's t interval for each group, ignoring NaN values.

    Parameters
    ----------
    frame_or_values : pandas.DataFrame, pandas.Series or array-like
        A frame (then ``groups`` and ``value`` name its columns) or the values themselves.
    groups : str, list of str or array-like
        Grouping column name(s) of the frame, or group labels aligned with the values.
    confidence : float, default 0.95
        Confidence level.
    value : str, optional
        Column of the frame holding the values; required when a frame is given.

    Returns
    -------
    pandas.DataFrame
        Indexed by group, with columns ``n``, ``mean``, ``sd``, ``lower``, ``upper``. Groups with
        fewer than 2 values have NaN ``sd`` and limits.

    Raises
    ------
    ValueError
        If a frame is given without ``value``.
    """
    if isinstance(frame_or_values, pd.DataFrame):
        if value is None:
            raise ValueError("value must name the column to average when a DataFrame is given")
        grouped = frame_or_values.groupby(groups, sort=True)[value]
    else:
        values = pd.Series(np.asarray(frame_or_values, dtype=float), name="value")
        grouped = values.groupby(np.asarray(groups), sort=True)
    out = pd.DataFrame({"n": grouped.count(), "mean": grouped.mean(), "sd": grouped.std(ddof=1)})
    with np.errstate(divide="ignore", invalid="ignore"):
        half = _t_quantile(out["n"].to_numpy(), confidence) * out["sd"] / np.sqrt(out["n"])
    out["lower"] = out["mean"] - half
    out["upper"] = out["mean"] + half
    return out


def compare_to_benchmark(lower, upper, benchmark):
    """Flag values whose interval lies wholly above or below a benchmark (OHID overlap method).

    Parameters
    ----------
    lower, upper : array-like
        Confidence limits of each value.
    benchmark : array-like
        Benchmark value (e.g. England), broadcast against the limits.

    Returns
    -------
    numpy.str_ or numpy.ndarray of str
        ``"higher"`` where ``lower > benchmark``, ``"lower"`` where ``upper < benchmark``,
        ``"similar"`` otherwise (a limit equal to the benchmark counts as overlap), and ``""``
        (not compared) where any input is NaN.
    """
    lo, up, bench = np.broadcast_arrays(
        np.asarray(lower, float), np.asarray(upper, float), np.asarray(benchmark, float)
    )
    missing = np.isnan(lo) | np.isnan(up) | np.isnan(bench)
    flags = np.select(
        [missing, lo > bench, up < bench], [NOT_COMPARED, HIGHER, LOWER], default=SIMILAR
    )
    return _out(flags)


def two_proportion_change(x1, n1, x2, n2, confidence: float = CONFIDENCE_95) -> ProportionChange:
    """Change between two independent proportions with a Newcombe hybrid score interval.

    Parameters
    ----------
    x1, n1 : array-like
        Successes and trials at the earlier wave.
    x2, n2 : array-like
        Successes and trials at the later wave.
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    ProportionChange
        ``difference = x2/n2 - x1/n1`` with Newcombe's (1998, method 10) limits built from the two
        Wilson intervals, and ``significant`` where the interval excludes 0 (False where undefined).

    Raises
    ------
    ValueError
        As :func:`wilson_interval`, for either wave.
    """
    l1, u1 = wilson_interval(x1, n1, confidence)
    l2, u2 = wilson_interval(x2, n2, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = np.asarray(x1, float) / np.asarray(n1, float)
        p2 = np.asarray(x2, float) / np.asarray(n2, float)
    diff = p2 - p1
    lower = diff - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    upper = diff + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    significant = (lower > 0) | (upper < 0)
    return ProportionChange(_out(diff), _out(lower), _out(upper), _out(significant))
