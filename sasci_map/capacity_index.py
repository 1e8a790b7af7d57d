"""A transparent composite capacity index over the five capability clusters, with rank intervals."""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from sasci_map.codebook import CAPABILITY_CLUSTERS

#: Equal weights. No published evidence says one capability cluster matters more to innovating than
#: another, and equal weighting is the default the OECD/JRC Handbook on Constructing Composite
#: Indicators (2008) recommends in that case. Users can set their own; ``rank_stability`` shows how
#: much the ranks depend on the choice. Read-only so that no caller can change the default.
DEFAULT_WEIGHTS = MappingProxyType(dict.fromkeys(CAPABILITY_CLUSTERS, 0.2))
#: A cluster is standardised only when at least this many areas have a score for it: a mean and a
#: standard deviation of one or two values say nothing about where an area sits among the others.
MIN_AREAS = 3
#: Cluster scores are means of 5-point agreement items, so they lie in this range.
SCORE_MIN, SCORE_MAX = 1.0, 5.0
#: Indices equal to this many decimals rank as tied, so rounding noise (1e-17) never splits a tie.
RANK_DECIMALS = 10
#: Prefix of the standardised-score columns (``z_collaboration`` ...).
Z_PREFIX = "z_"
Z_COLUMNS = tuple(Z_PREFIX + c for c in CAPABILITY_CLUSTERS)
STATUS_VALUE = "value"
STATUS_MISSING = "missing"
#: Input column passed through untouched (organisations behind each area's scores).
PASS_THROUGH = "n_orgs"

METHOD_TEXT = (
    "The capacity index combines the five capability clusters of the SASCI capabilities review "
    "(collaboration, leadership, knowledge, resources and culture). Each area's cluster score is "
    "the mean agreement (1 to 5) of its responding organisations. Each cluster is first "
    "standardised across the areas that have a score for it: the area's score minus the mean of "
    "those areas, divided by their standard deviation (the population standard deviation, because"
    " the areas are the whole set being compared, not a sample). A standardised score of 0 is "
    "average and 1 is one standard deviation above average. If every area has the same score in a"
    " cluster, that cluster cannot tell areas apart and every area scores 0 on it; if fewer than "
    "three areas have a score, the cluster cannot be standardised and no index is published. The "
    "index is the weighted mean of the standardised cluster scores. By default the five clusters "
    "carry equal weights of 0.2, because there is no evidence that one matters more than another;"
    " users can change the weights, which are rescaled to sum to 1, and a cluster with weight 0 "
    "is left out. An area receives an index only when it has scores for the required number of "
    "weighted clusters (by default all five); otherwise it is shown as missing with the reason. "
    "Rank 1 is the highest capacity; tied areas share the best rank. Because the weights are a "
    "judgement, each rank comes with an interval: the index is recomputed for many random sets of"
    " weights close to the chosen ones (drawn from a Dirichlet distribution centred on them), and"
    " the interval holds the middle 95 % (by default) of the ranks an area receives, widened if "
    "needed to include its published rank. A wide interval means the rank depends on the weights "
    "and should not be read as a firm position."
)


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value  # 6.0, not np.float64(6.0)


def normalise_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Return cluster weights rescaled to sum to 1, in ``CAPABILITY_CLUSTERS`` order.

    Parameters
    ----------
    weights : Mapping[str, float]
        One non-negative number per capability cluster; at least one must be positive.

    Returns
    -------
    dict[str, float]

    Raises
    ------
    ValueError
        If a cluster is missing, a key is not a cluster, or a weight is not a finite
        non-negative number, or all weights are zero.
    """
    if not isinstance(weights, Mapping):
        raise ValueError(f"weights must map capability cluster to number, got {weights!r}")
    unknown = [k for k in weights if k not in CAPABILITY_CLUSTERS]
    if unknown:
        raise ValueError(
            f"weights for unknown clusters {unknown}: expected only {list(CAPABILITY_CLUSTERS)}"
        )
    missing = [c for c in CAPABILITY_CLUSTERS if c not in weights]
    if missing:
        raise ValueError(f"weights missing for clusters {missing}: give each a number, 0 or more")
    clean = {}
    for cluster in CAPABILITY_CLUSTERS:
        value = weights[cluster]
        try:
            number = math.nan if isinstance(value, bool | str) else float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not (math.isfinite(number) and number >= 0):
            raise ValueError(
                f"weight for {cluster!r} is {_plain(value)!r}: expected a finite number, 0 or more"
            )
        clean[cluster] = number
    total = sum(clean.values())
    if total <= 0:
        raise ValueError(f"all weights are zero ({clean}): at least one cluster needs weight > 0")
    return {c: v / total for c, v in clean.items()}


def _weight_vector(weights: Mapping[str, float] | None) -> np.ndarray:
    return np.array(
        list(normalise_weights(DEFAULT_WEIGHTS if weights is None else weights).values())
    )


def _score_matrix(domain_scores: pd.DataFrame) -> np.ndarray:
    # Validate the input frame loudly and return its cluster scores as an areas x clusters array.
    if not isinstance(domain_scores, pd.DataFrame):
        raise ValueError(f"domain_scores must be a DataFrame, got {type(domain_scores).__name__}")
    missing = [c for c in CAPABILITY_CLUSTERS if c not in domain_scores.columns]
    if missing:
        raise ValueError(f"domain_scores has no column for clusters {missing}")
    dupes = domain_scores.index[domain_scores.index.duplicated()].unique().tolist()
    if dupes:
        raise ValueError(f"domain_scores has duplicated area codes {dupes}: one row per area")
    columns = []
    for cluster in CAPABILITY_CLUSTERS:
        raw = domain_scores[cluster]
        number = pd.to_numeric(raw, errors="coerce").astype(float)
        in_range = number.between(SCORE_MIN, SCORE_MAX)
        bad = (number.isna() & raw.notna()) | (number.notna() & ~in_range)
        if bad.any():
            area = bad.index[bad.to_numpy()][0]
            raise ValueError(
                f"domain_scores, area {area!r}, column {cluster!r}: value {_plain(raw[area])!r} "
                f"is not a score from {SCORE_MIN:g} to {SCORE_MAX:g} (leave it empty if none)"
            )
        columns.append(number.to_numpy())
    return np.column_stack(columns) if columns else np.empty((len(domain_scores), 0))


def _standardise(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # z-scores per cluster over the areas with a score (population sd); 0 where the cluster has no
    # spread; NaN for clusters with fewer than MIN_AREAS scores. Also returns areas per cluster.
    has = ~np.isnan(values)
    n_areas = has.sum(axis=0)
    mean = np.where(has, values, 0.0).sum(axis=0) / np.maximum(n_areas, 1)
    dev = np.where(has, values - mean, 0.0)
    sd = np.sqrt((dev**2).sum(axis=0) / np.maximum(n_areas, 1))
    top = np.where(has, values, -np.inf).max(axis=0, initial=-np.inf)
    spread = top - np.where(has, values, np.inf).min(axis=0, initial=np.inf)
    varies = (n_areas > 0) & (spread > 0) & (sd > 0)
    z = np.where(varies, dev / np.where(varies, sd, 1.0), 0.0)
    z = np.where(has & (n_areas >= MIN_AREAS), z, np.nan)
    return z, n_areas


def capacity_index(
    domain_scores: pd.DataFrame, weights: Mapping[str, float] | None = None, min_domains: int = 5
) -> pd.DataFrame:
    """Return the composite capacity index of each area, with its standardised cluster scores.

    Parameters
    ----------
    domain_scores : pandas.DataFrame
        Indexed by area code; one column per capability cluster (mean 1..5 score, NaN where
        none), optionally ``n_orgs`` (passed through). Other columns are ignored.
    weights : Mapping[str, float], optional
        Cluster weights (see ``normalise_weights``); ``DEFAULT_WEIGHTS`` if omitted.
    min_domains : int
        Weighted clusters an area needs a score for (capped at the number of clusters with a
        positive weight); 1 to 5.

    Returns
    -------
    pandas.DataFrame
        Every input row, same index, columns ``z_<cluster>`` (one per cluster), ``index``,
        ``rank`` (1 = highest, ties share the best rank, NaN when no index), ``n_domains``,
        ``status`` ("value" / "missing"), ``status_reason`` ("" for values), ``n_orgs`` if given.

    Raises
    ------
    ValueError
        On invalid weights, ``min_domains``, or input (missing columns, duplicated areas,
        scores that are not numbers from 1 to 5).
    """
    w = _weight_vector(weights)
    if (isinstance(min_domains, bool) or not isinstance(min_domains, int | np.integer)
            or not 1 <= min_domains <= len(CAPABILITY_CLUSTERS)):  # fmt: skip
        raise ValueError(f"min_domains is {min_domains!r}: expected a whole number from 1 to 5")
    values = _score_matrix(domain_scores)
    z, n_areas = _standardise(values)
    used = w > 0
    k_used = int(used.sum())
    need = min(min_domains, k_used)
    n_domains = (~np.isnan(values) & used).sum(axis=1)
    avail = ~np.isnan(z) & used
    w_sum = avail.astype(float) @ w
    index = np.full(len(values), np.nan)
    np.divide(np.where(avail, z, 0.0) @ w, w_sum, out=index, where=w_sum > 0)

    few = [(c, int(n)) for c, n, u in zip(CAPABILITY_CLUSTERS, n_areas, used, strict=True)
           if u and n < MIN_AREAS]  # fmt: skip
    if few:
        listed = ", ".join(f"{c!r} has scores for {n} areas" for c, n in few)
        reason = f"too few areas to standardise: {listed}; each weighted cluster needs {MIN_AREAS}"
        reasons = np.full(len(values), reason, dtype=object)
        ok = np.zeros(len(values), dtype=bool)
    else:
        ok = n_domains >= need
        of = f"{k_used} weighted" if k_used < len(CAPABILITY_CLUSTERS) else str(k_used)
        reasons = np.array(
            ["" if good else f"scores for {n} of {of} capability clusters; the index needs {need}"
             for n, good in zip(n_domains, ok, strict=True)], dtype=object,
        )  # fmt: skip
    index = np.where(ok, index, np.nan)
    rank = np.full(len(values), np.nan)
    rank[ok] = rankdata(-np.round(index[ok], RANK_DECIMALS), method="min")

    out = pd.DataFrame(z, index=domain_scores.index, columns=list(Z_COLUMNS)).assign(
        index=index, rank=rank, n_domains=n_domains.astype(int),
        status=np.where(ok, STATUS_VALUE, STATUS_MISSING), status_reason=reasons,
    )  # fmt: skip
    if PASS_THROUGH in domain_scores.columns:
        out[PASS_THROUGH] = domain_scores[PASS_THROUGH]
    return out


def rank_stability(
    domain_scores: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    n_draws: int = 1000,
    concentration: float = 50.0,
    seed: int = 0,
    interval: float = 0.95,
    min_domains: int = 5,
) -> pd.DataFrame:
    """Return each area's rank with an interval over random weights near the chosen ones.

    Weight vectors are drawn from a Dirichlet distribution with parameters ``concentration *
    weights`` (mean ``weights``; clusters weighted 0 stay 0); index and ranks are recomputed for
    all draws at once as an areas x draws matrix.

    Parameters
    ----------
    domain_scores, weights, min_domains
        As for ``capacity_index``.
    n_draws : int
        Number of weight vectors drawn.
    concentration : float
        Dirichlet concentration, > 0.
    seed : int
        Seed of the random generator: the same seed gives the same result.
    interval : float
        Share of the drawn ranks the interval covers, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        Every input row, same index, columns ``index, rank, rank_lower, rank_upper,
        share_top_quintile, status, status_reason``. ``rank_lower``/``rank_upper`` are the
        percentiles of the drawn ranks, widened to include ``rank``; ``share_top_quintile`` is
        the share of draws ranking the area in the top fifth (rank <= ceil(n ranked / 5)).
        NaN for areas without an index.

    Raises
    ------
    ValueError
        As ``capacity_index``, or on a bad ``n_draws``, ``concentration`` or ``interval``.
    """
    result = capacity_index(domain_scores, weights, min_domains)
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer) or n_draws < 1:
        raise ValueError(f"n_draws is {n_draws!r}: expected a whole number of 1 or more")
    if not (isinstance(concentration, Real) and math.isfinite(concentration)
            and concentration > 0):  # fmt: skip
        raise ValueError(f"concentration is {concentration!r}: expected a finite number above 0")
    if not (isinstance(interval, Real) and 0 < interval < 1):
        raise ValueError(f"interval is {interval!r}: expected a number between 0 and 1")
    w = _weight_vector(weights)
    out = result[["index", "rank"]].assign(rank_lower=np.nan, rank_upper=np.nan,
                                           share_top_quintile=np.nan)  # fmt: skip
    ok = (result["status"] == STATUS_VALUE).to_numpy()
    if ok.any():
        used = w > 0
        z = result[list(Z_COLUMNS)].to_numpy()[ok][:, used]
        avail = ~np.isnan(z)
        rng = np.random.default_rng(seed)
        draws = rng.dirichlet(concentration * w[used], size=n_draws)
        # A tiny floor keeps every area's weight total positive even if a draw underflows to 0.
        draws = np.maximum(draws, np.finfo(float).tiny)
        index = (np.where(avail, z, 0.0) @ draws.T) / (avail.astype(float) @ draws.T)
        ranks = rankdata(-np.round(index, RANK_DECIMALS), method="min", axis=0)  # areas x draws
        tail = (1 - interval) / 2
        lower = np.quantile(ranks, tail, axis=1, method="inverted_cdf")
        upper = np.quantile(ranks, 1 - tail, axis=1, method="inverted_cdf")
        rank = result["rank"].to_numpy()[ok]
        out.loc[ok, "rank_lower"] = np.minimum(lower, rank)
        out.loc[ok, "rank_upper"] = np.maximum(upper, rank)
        out.loc[ok, "share_top_quintile"] = (ranks <= math.ceil(ok.sum() / 5)).mean(axis=1)
    return out.join(result[["status", "status_reason"]])
