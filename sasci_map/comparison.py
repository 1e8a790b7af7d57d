"""Compare figures: each area against England and its region, and each area between waves."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import t as student_t

from sasci_map import stats

ENGLAND = "E92000001"
STATUS_VALUE = "value"
#: Interval-overlap words (higher/similar/lower) in the words of an indicator's polarity.
POLARITY_WORDS = {
    "higher_is_better": {"higher": "better", "similar": "similar", "lower": "worse"},
    "lower_is_better": {"higher": "worse", "similar": "similar", "lower": "better"},
    "neutral": {"higher": "higher", "similar": "similar", "lower": "lower"},
}
#: Trend words by polarity, for a significant rise or fall between two waves.
TREND_WORDS = {
    "higher_is_better": ("improved", "worsened"),
    "lower_is_better": ("worsened", "improved"),
    "neutral": ("increased", "decreased"),
}
NO_CHANGE = "no significant change"
NOT_COMPARED = ""
#: Indicators whose numerator counts organisations: wave changes use the Newcombe interval.
PROPORTION_UNIT_PREFIX = "%"


def _words(flags: np.ndarray, polarity: np.ndarray) -> list[str]:
    """Word interval flags (higher/similar/lower) by each indicator's polarity."""
    return [POLARITY_WORDS.get(pol, {}).get(flag, NOT_COMPARED) if flag != NOT_COMPARED
            else NOT_COMPARED for flag, pol in zip(flags, polarity, strict=True)]


def benchmark(values: pd.DataFrame, definitions: pd.DataFrame,
              region_of: pd.Series) -> pd.DataFrame:
    """Flag each figure against England and, for councils, against their region.

    A figure is compared when it is a value with an interval and the benchmark is a value: its
    interval wholly above the benchmark is "higher", wholly below "lower", else "similar"
    (the overlap method of OHID's Fingertips), then worded by polarity: better/similar/worse,
    or higher/similar/lower for a neutral indicator. Anything else is not compared ("").

    The lookups run on plain arrays and dicts: the map calls this on every indicator change,
    where pandas' per-operation overhead on a few hundred rows cost ten times the work.

    Parameters
    ----------
    values : pandas.DataFrame
        Long figures with ``indicator_id, area_code, area_level, period, value, lower,
        upper, status`` (all levels of the indicators to compare).
    definitions : pandas.DataFrame
        ``indicator_id`` and ``polarity``.
    region_of : pandas.Series
        Region code of each council code.

    Returns
    -------
    pandas.DataFrame
        ``values`` with ``england_value``, ``region_value``, ``vs_england``, ``vs_region``.
    """
    out = values.copy()
    ind, area, period, level, status = (out[c].to_numpy(dtype=object) for c in (
        "indicator_id", "area_code", "period", "area_level", "status"))
    value, lower, upper = (out[c].to_numpy(dtype=float) for c in ("value", "lower", "upper"))
    valued = status == STATUS_VALUE
    known = {(i, a, p): v for i, a, p, v, ok in zip(ind, area, period, value, valued,
                                                      strict=True) if ok}
    polarity_of = dict(zip(definitions["indicator_id"], definitions["polarity"], strict=True))
    polarity = [polarity_of.get(i) for i in ind]
    region = region_of.to_dict()
    england_value = np.array([known.get((i, ENGLAND, p), np.nan)
                              for i, p in zip(ind, period, strict=True)], dtype=float)
    region_value = np.array([known.get((i, region.get(a), p), np.nan) if lv == "council"
                             else np.nan for i, a, p, lv in zip(ind, area, period, level,
                                                                strict=True)], dtype=float)
    out["england_value"], out["region_value"] = england_value, region_value
    has_interval = valued & ~np.isnan(lower) & ~np.isnan(upper) & (area != ENGLAND)
    for column, bench in (("vs_england", england_value), ("vs_region", region_value)):
        usable = has_interval & ~np.isnan(bench)
        flags = np.full(len(out), NOT_COMPARED, dtype=object)
        if usable.any():
            flags[usable] = np.asarray(stats.compare_to_benchmark(
                lower[usable], upper[usable], bench[usable]), dtype=object)
        out[column] = pd.Series(_words(flags, polarity), index=out.index, dtype=object)
    return out


def _mean_se(frame: pd.DataFrame, suffix: str, confidence: float) -> np.ndarray:
    """Recover the standard error of a mean from its t interval and number of organisations."""
    n = frame[f"denominator{suffix}"].to_numpy(dtype=float)
    width = (frame[f"upper{suffix}"] - frame[f"lower{suffix}"]).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        quantile = student_t.ppf(0.5 + confidence / 2, np.where(n >= 2, n - 1, np.nan))
        return width / (2 * quantile)


def wave_trends(values: pd.DataFrame, definitions: pd.DataFrame,
                confidence: float = stats.CONFIDENCE_95) -> pd.DataFrame:
    """Change of each area's figure between consecutive waves, and whether it is significant.

    Proportions (unit starting "%") use the Newcombe hybrid score interval of the difference
    of two independent proportions; means use a normal interval with the standard errors
    recovered from each wave's t interval. Only pairs where both waves are values count.

    Parameters
    ----------
    values : pandas.DataFrame
        Long figures (several periods per indicator and area).
    definitions : pandas.DataFrame
        ``indicator_id, unit, polarity``.
    confidence : float
        Interval level of the change.

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, area_code, area_level, from_period, to_period, from_value, to_value,
        change, lower, upper, significant, trend`` (trend: improved / worsened / increased /
        decreased or "no significant change").
    """
    valued = values.loc[values["status"].eq(STATUS_VALUE)].sort_values("period")
    nxt = valued.groupby(["indicator_id", "area_code"])[
        ["period", "numerator", "denominator", "value", "lower", "upper"]].shift(-1)
    pairs = valued.join(nxt.add_suffix("_to")).dropna(subset=["period_to"])
    spec = definitions.set_index("indicator_id")
    proportion = pairs["indicator_id"].map(spec["unit"]).str.startswith(PROPORTION_UNIT_PREFIX)
    change = (pairs["value_to"] - pairs["value"]).to_numpy(dtype=float)
    lower, upper = np.full(len(pairs), np.nan), np.full(len(pairs), np.nan)
    if proportion.any():
        p = pairs.loc[proportion]
        result = stats.two_proportion_change(p["numerator"].to_numpy(), p["denominator"].to_numpy(),
                                             p["numerator_to"].to_numpy(),
                                             p["denominator_to"].to_numpy(), confidence)
        lower[proportion.to_numpy()] = np.asarray(result.lower) * 100
        upper[proportion.to_numpy()] = np.asarray(result.upper) * 100
    means = ~proportion.to_numpy()
    if means.any():
        m = pairs.loc[means]
        se = np.hypot(_mean_se(m, "", confidence), _mean_se(m, "_to", confidence))
        half = stats.z_for(confidence) * se
        lower[means], upper[means] = change[means] - half, change[means] + half
    significant = (lower > 0) | (upper < 0)
    words = pairs["indicator_id"].map(spec["polarity"]).map(TREND_WORDS)
    trend = np.where(~significant, NO_CHANGE,
                     [w[0] if c > 0 else w[1] for w, c in zip(words, change, strict=True)])
    return pd.DataFrame({
        "indicator_id": pairs["indicator_id"].to_numpy(), "area_code": pairs["area_code"],
        "area_level": pairs["area_level"], "from_period": pairs["period"],
        "to_period": pairs["period_to"], "from_value": pairs["value"],
        "to_value": pairs["value_to"], "change": change, "lower": lower, "upper": upper,
        "significant": significant, "trend": trend,
    }).reset_index(drop=True)
