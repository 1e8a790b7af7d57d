"""Map classing: quintiles, equal intervals and natural breaks, with legend labels.

Also names the two other ways the map colours councils (a continuous scale and the benchmark
against England), so the selector, the URL and the legend share one list.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import mapclassify
import numpy as np

#: Default number of classes: quintiles, as OHID Fingertips maps do.
DEFAULT_K = 5
QUANTILES = "quantiles"
EQUAL_INTERVAL = "equal_interval"
NATURAL_BREAKS = "natural_breaks"
#: Class methods offered to users, with the name shown in the legend.
CLASS_METHODS = {
    QUANTILES: "Quintiles",
    EQUAL_INTERVAL: "Equal intervals",
    NATURAL_BREAKS: "Natural breaks (Fisher-Jenks)",
}
CONTINUOUS = "continuous"
BENCHMARK = "benchmark"
#: Every colouring the map offers (the class methods first), with the name the selector and
#: the legend show. Only ``CLASS_METHODS`` are classings :func:`classify` computes.
COLOUR_MODES = {
    **CLASS_METHODS,
    CONTINUOUS: "Continuous scale",
    BENCHMARK: "Compared with England (95% intervals)",
}
_CLASSIFIERS = {
    QUANTILES: mapclassify.Quantiles,
    EQUAL_INTERVAL: mapclassify.EqualInterval,
}


@dataclass(frozen=True)
class Classes:
    """The result of classing a set of values.

    Attributes
    ----------
    method : str
        One of ``CLASS_METHODS``.
    bins : numpy.ndarray
        Upper bound of each class (the last is the maximum).
    lower : numpy.ndarray
        Lower bound of each class (the first is the minimum).
    index : numpy.ndarray
        Class (0-based) of each input value; -1 where the value is NaN.
    counts : numpy.ndarray
        Number of values in each class.
    """

    method: str
    bins: np.ndarray
    lower: np.ndarray
    index: np.ndarray
    counts: np.ndarray

    @property
    def k(self) -> int:
        """Number of classes actually formed (fewer than asked when values repeat)."""
        return len(self.bins)

    def labels(self, fmt: str = "{:,.1f}") -> list[str]:
        """Return a legend label per class, e.g. ``"12.3 – 15.6 (30)"``."""
        return [
            f"{fmt.format(lo)} – {fmt.format(hi)} ({n})"
            for lo, hi, n in zip(self.lower, self.bins, self.counts, strict=True)
        ]

    @property
    def title(self) -> str:
        """The method's display name, as the legend names it."""
        if self.k == DEFAULT_K or self.method != QUANTILES:
            return CLASS_METHODS[self.method]
        return f"Quantiles ({self.k} {'class' if self.k == 1 else 'classes'})"


def class_of(values, classes: Classes) -> np.ndarray:
    """Return the class (0-based) of each of ``values`` under ``classes`` formed elsewhere.

    A value belongs to the first class whose upper bound it does not exceed (mapclassify's
    rule); values above the last bound go to the last class, NaN gets -1. Used when the classes
    come from one set of figures (the 9 regions) and colour another (their 153 councils).
    """
    y = np.asarray(values, dtype="float64")
    index = np.searchsorted(classes.bins, y, side="left").clip(max=classes.k - 1)
    return np.where(np.isnan(y), -1, index)


def classify(values, method: str = QUANTILES, k: int = DEFAULT_K) -> Classes:
    """Put values into ``k`` classes by ``method``; NaN values get class -1.

    Parameters
    ----------
    values : array-like of float
        Values to class; NaN means "no value" and is left out.
    method : str
        ``"quantiles"`` (default), ``"equal_interval"`` or ``"natural_breaks"``.
    k : int
        Number of classes wanted; fewer are formed when there are fewer distinct values.

    Returns
    -------
    Classes

    Raises
    ------
    ValueError
        If ``method`` is not one of ``CLASS_METHODS`` or there is no value to class.
    """
    if method not in CLASS_METHODS:
        raise ValueError(
            f"unknown class method {method!r}; expected one of {sorted(CLASS_METHODS)}")
    y = np.asarray(values, dtype="float64")
    present = ~np.isnan(y)
    if not present.any():
        raise ValueError("no values to class: every value is missing")
    observed = y[present]
    k_used = int(min(k, np.unique(observed).size))
    if k_used == 1:
        bins = np.array([observed.max()])
        yb = np.zeros(observed.size, dtype=int)
    elif method == NATURAL_BREAKS:
        bins = fisher_jenks_bins(observed, k_used)
        yb = np.searchsorted(bins, observed, side="left")
    else:
        with warnings.catch_warnings():
            # Tied values can collapse quantile breaks; mapclassify then forms fewer classes,
            # which ``Classes.k`` and the legend title report.
            warnings.filterwarnings("ignore", message="Not enough unique values")
            classifier = _CLASSIFIERS[method](observed, k=k_used)
        bins = np.asarray(classifier.bins, dtype="float64")
        yb = np.asarray(classifier.yb, dtype=int)
    index = np.full(y.shape, -1, dtype=int)
    index[present] = yb
    counts = np.bincount(yb, minlength=len(bins))
    lower = np.concatenate([[observed.min()], bins[:-1]])
    return Classes(method=method, bins=bins, lower=lower, index=index, counts=counts)


def fisher_jenks_bins(values, k: int) -> np.ndarray:
    """Return the upper bounds of ``k`` natural-breaks (Fisher-Jenks) classes of ``values``.

    The same dynamic programme, float32 arithmetic and tie-breaking as ``mapclassify``'s
    ``FisherJenks``, so the breaks are identical, but each class count is one numpy step over
    every (end, size) pair of the last class. Without numba, mapclassify loops in pure Python:
    about 85 ms for 153 councils, against under 2 ms here. Memory grows with the square of the
    number of values (a few n-by-n arrays: 0.3 MB for 153 councils), which suits the map's
    councils and regions, not a million points.

    Parameters
    ----------
    values : array-like of float
        The values (no NaN), at least ``k`` of them distinct.
    k : int
        Number of classes, 2 or more.

    Returns
    -------
    numpy.ndarray
        ``k`` upper bounds, ascending; the last is the maximum.
    """
    x = np.sort(np.asarray(values, dtype="float64"))
    n = x.size
    x32 = x.astype(np.float32)
    # Row l - 1 holds the first l values right to left, so that column m - 1 of its running
    # sums is the class made of the last m of them (summed in mapclassify's order).
    size = np.arange(1, n + 1)
    used = size[None, :] <= size[:, None]  # [l - 1, m - 1]: m <= l
    before = size[:, None] - size[None, :]  # values left for the other classes: l - m
    tail = np.where(used, x32[np.where(used, before, 0)], np.float32(0))
    sums = np.cumsum(tail, axis=1, dtype=np.float32)
    squares = np.cumsum(tail * tail, axis=1, dtype=np.float32)
    spread = squares - (sums * sums) / size.astype(np.float32)
    # cost[l, j]: least within-class squared deviation of the first l values in j classes
    # (0 for one value, as in mapclassify); start[l, j]: 1-based start of the last class.
    cost = np.zeros((n + 1, k + 1), dtype=np.float32)
    start = np.ones((n + 1, k + 1), dtype=np.int64)
    cost[1:, 1] = spread[size - 1, size - 1]
    shorter = size[None, :] < size[:, None]  # the last class leaves some values before it
    for j in range(2, k + 1):
        candidates = np.where(shorter, spread + cost[np.where(shorter, before, 0), j - 1],
                              np.float32(np.inf))
        # mapclassify keeps the last candidate (largest m) among equal minima.
        m_best = n - np.argmin(candidates[:, ::-1], axis=1)
        cost[2:, j] = candidates[np.arange(1, n), m_best[1:] - 1]
        start[2:, j] = size[1:] - m_best[1:] + 1
    bounds = np.empty(k + 1, dtype="float64")
    bounds[k] = x[-1]
    bounds[0] = x[0]
    end = n
    for j in range(k, 1, -1):
        pivot = int(start[end, j])
        bounds[j - 1] = x[pivot - 2]
        end = pivot - 1
    return bounds[1:]
