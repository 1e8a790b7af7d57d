"""Funnel plot control limits: how far a council's figure may stray from England's by chance.

A funnel plot (Spiegelhalter 2005, "Funnel plots for comparing institutional performance",
Statistics in Medicine 24:1185-1202; the approach of OHID Fingertips and PHE's funnel plot
tools) draws each council's figure against the size of the group behind it, with control
limits around the England figure at 95 % (about 2 standard errors) and 99.8 % (about 3).

- **Proportions** (a numerator out of a denominator): exact binomial limits. For a group of
  ``n`` and the England proportion ``p0``, the limit at probability ``q`` is the ``q`` quantile
  ``r`` of Binomial(n, p0), moved down by Spiegelhalter's interpolation
  ``alpha = (P(R <= r) - q) / (P(R = r))`` so that the limits form a smooth funnel:
  ``(r - alpha) / n`` (his Appendix A.1.1). Exact limits are right for the small groups of the
  survey (5 to 30 organisations), where a normal approximation is poor. With a discrete count
  the chance of an in-control council lying outside is near, not exactly, the nominal 2.5 %
  each side (Manktelow and Seaton 2012, PLoS ONE 7:e45723).
- **Means** (of scale scores): ``mean0 +/- z * sd / sqrt(n)``, where ``sd`` is the spread
  between organisations across England, recovered from England's Student's t interval
  (``sd = half-width * sqrt(n) / t``; exact, because that is how the interval was made).
- **Anything else** (published rates, scores and counts without a numerator and denominator,
  or a mean without England's interval) has **no defensible funnel**: :func:`funnel_kind` says
  why, and nothing is drawn.

Limits here are in the indicator's own unit (a proportion's limits are scaled by ``scale``,
100 for a percentage).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import binom, norm
from scipy.stats import t as student_t

from sasci_map.stats import CONFIDENCE_95, CONFIDENCE_998, Interval

#: Funnel limits drawn on every funnel plot, inner to outer (OHID Fingertips' pair).
LEVELS = (CONFIDENCE_95, CONFIDENCE_998)
LEVEL_NAMES = {CONFIDENCE_95: "95%", CONFIDENCE_998: "99.8%"}
PROPORTION = "proportion"
MEAN = "mean"
#: Indicators whose unit starts with this are percentages (value = numerator / denominator x 100).
PERCENT_UNIT_PREFIX = "%"
PERCENT_SCALE = 100.0
#: Points of each limit curve (spaced evenly on a log scale of the group size).
CURVE_POINTS = 160
#: Position of a point against the limits, in words.
WITHIN = "within 95% limits"
ABOVE_95, BELOW_95 = "above the 95% limit", "below the 95% limit"
ABOVE_998, BELOW_998 = "above the 99.8% limit", "below the 99.8% limit"

METHOD_TEXT = {
    PROPORTION: ("Control limits are exact binomial limits around the England proportion, "
                 "smoothed by Spiegelhalter's interpolation (as in PHE's funnel plot tools); "
                 "95% and 99.8% limits."),
    MEAN: ("Control limits are England's mean plus or minus 1.96 and 3.09 standard errors, "
           "the standard deviation between organisations being England's, recovered from "
           "its 95% t interval."),
}


@dataclass(frozen=True)
class FunnelKind:
    """Which funnel an indicator gets: ``kind`` (proportion / mean) or None and why not."""

    kind: str | None
    reason: str = ""
    scale: float = 1.0


def funnel_kind(unit: str, method: str, has_counts: bool, england_sd: float | None
                ) -> FunnelKind:
    """Decide whether (and how) an indicator can be drawn as a funnel plot.

    Parameters
    ----------
    unit : str
        The indicator's unit ("%", "% of organisations", "score 1-5", "per 100,000"...).
    method : str
        The indicator's method text (a mean says "Mean").
    has_counts : bool
        Whether every council value has a numerator and a denominator.
    england_sd : float or None
        England's standard deviation between organisations (means only), or None.

    Returns
    -------
    FunnelKind
    """
    if unit.startswith(PERCENT_UNIT_PREFIX):
        if has_counts:
            return FunnelKind(PROPORTION, scale=PERCENT_SCALE)
        return FunnelKind(None, "this percentage is published without its numerator and "
                                "denominator, so the size of the group behind each figure is "
                                "not known")
    if method.lower().startswith("mean"):
        if england_sd is not None and np.isfinite(england_sd) and has_counts:
            return FunnelKind(MEAN)
        return FunnelKind(None, "England's figure has no interval to recover the spread "
                                "between organisations from")
    return FunnelKind(None, "it is not a proportion or a mean of survey answers (a published "
                            "count, rate, score or rank without the numbers behind it)")


def binomial_limits(target, n, confidence: float = CONFIDENCE_95) -> Interval:
    """Exact binomial funnel limits for a proportion, with Spiegelhalter's interpolation.

    Parameters
    ----------
    target : float
        England's proportion, a fraction between 0 and 1.
    n : array-like of int
        Group sizes (denominators), at least 1.
    confidence : float
        Control level, e.g. 0.95 or 0.998.

    Returns
    -------
    Interval
        Lower and upper limits as fractions (0 to 1), one per ``n``.

    Raises
    ------
    ValueError
        If ``target`` is outside 0..1 or an ``n`` is below 1.
    """
    n = np.asarray(n, dtype=float)
    if not 0 <= target <= 1:
        raise ValueError(f"target proportion must be between 0 and 1, got {target}")
    if np.any(n < 1):
        raise ValueError(f"group sizes must be at least 1, got {n.min():g}")
    n = np.round(n)
    out = []
    for q in ((1 - confidence) / 2, (1 + confidence) / 2):
        r = binom.ppf(q, n, target)
        at_r = binom.cdf(r, n, target)
        mass = binom.pmf(r, n, target)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(mass > 0, (at_r - q) / mass, 0.0)
        out.append(np.clip((r - alpha) / n, 0.0, 1.0))
    return Interval(out[0], out[1])


def mean_limits(target: float, sd: float, n, confidence: float = CONFIDENCE_95) -> Interval:
    """Return normal funnel limits for a mean: ``target +/- z * sd / sqrt(n)``.

    Parameters
    ----------
    target : float
        England's mean.
    sd : float
        Standard deviation between organisations (England's).
    n : array-like
        Group sizes (organisations behind each council's mean).
    confidence : float

    Returns
    -------
    Interval
    """
    n = np.asarray(n, dtype=float)
    half = norm.ppf((1 + confidence) / 2) * sd / np.sqrt(n)
    return Interval(target - half, target + half)


def sd_from_t_interval(lower: float, upper: float, n: float,
                       confidence: float = CONFIDENCE_95) -> float:
    """Recover a sample's standard deviation from its mean's Student's t interval.

    Parameters
    ----------
    lower, upper : float
        The mean's confidence limits, ``mean -/+ t(n - 1) * sd / sqrt(n)``.
    n : float
        Sample size (at least 2).
    confidence : float
        Level of the interval.

    Returns
    -------
    float
        ``sd``; NaN when ``n`` is below 2 or a limit is missing.
    """
    if not (n >= 2 and np.isfinite(lower) and np.isfinite(upper)):
        return float("nan")
    quantile = student_t.ppf((1 + confidence) / 2, n - 1)
    return float((upper - lower) / 2 * np.sqrt(n) / quantile)


def limits(kind: FunnelKind, target: float, n, sd: float | None = None,
           confidence: float = CONFIDENCE_95) -> Interval:
    """Funnel limits in the indicator's unit for group sizes ``n``.

    Parameters
    ----------
    kind : FunnelKind
        From :func:`funnel_kind` (``kind`` must not be None).
    target : float
        England's value in the indicator's unit (a percentage for percentages).
    n : array-like
        Group sizes.
    sd : float, optional
        Standard deviation between organisations (means).
    confidence : float

    Returns
    -------
    Interval
    """
    if kind.kind == PROPORTION:
        low, high = binomial_limits(target / kind.scale, n, confidence)
        return Interval(low * kind.scale, high * kind.scale)
    if kind.kind == MEAN:
        return mean_limits(target, float(sd), n, confidence)
    raise ValueError(f"no funnel for this indicator: {kind.reason}")


def limit_curves(kind: FunnelKind, target: float, n_min: float, n_max: float,
                 sd: float | None = None, points: int = CURVE_POINTS) -> pd.DataFrame:
    """Return the funnel's limit curves over group sizes from ``n_min`` to ``n_max``.

    Returns
    -------
    pandas.DataFrame
        ``n`` (distinct whole numbers, log-spaced) and, per level of :data:`LEVELS`,
        ``lower_95, upper_95, lower_99.8, upper_99.8``.
    """
    low = max(1.0, float(n_min))
    grid = np.unique(np.round(np.geomspace(low, max(low, float(n_max)), points)))
    out = pd.DataFrame({"n": grid})
    for level in LEVELS:
        lo, hi = limits(kind, target, grid, sd, level)
        out[f"lower_{LEVEL_NAMES[level].rstrip('%')}"] = lo
        out[f"upper_{LEVEL_NAMES[level].rstrip('%')}"] = hi
    return out


def positions(kind: FunnelKind, target: float, values, n, sd: float | None = None
              ) -> pd.DataFrame:
    """Place each point against the 95% and 99.8% limits at its own group size.

    Returns
    -------
    pandas.DataFrame
        ``lower_95, upper_95, lower_99.8, upper_99.8`` at each point's ``n`` and ``position``:
        :data:`WITHIN`, above/below the 95% limit, or above/below the 99.8% limit (the outer
        one wins).
    """
    values = np.asarray(values, dtype=float)
    out = pd.DataFrame(index=range(len(values)))
    for level in LEVELS:
        lo, hi = limits(kind, target, n, sd, level)
        key = LEVEL_NAMES[level].rstrip("%")
        out[f"lower_{key}"], out[f"upper_{key}"] = lo, hi
    position = np.full(len(values), WITHIN, dtype=object)
    position[values > out["upper_95"].to_numpy()] = ABOVE_95
    position[values < out["lower_95"].to_numpy()] = BELOW_95
    position[values > out["upper_99.8"].to_numpy()] = ABOVE_998
    position[values < out["lower_99.8"].to_numpy()] = BELOW_998
    out["position"] = position
    return out
