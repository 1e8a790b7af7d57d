"""Map classing: quintiles by default, other methods, missing values, few distinct values."""

import warnings

import mapclassify
import numpy as np
import pytest

from sasci_map.classing import (
    EQUAL_INTERVAL,
    NATURAL_BREAKS,
    QUANTILES,
    classify,
    fisher_jenks_bins,
)


def test_quintiles_put_a_fifth_of_councils_in_each_class():
    values = np.arange(150, dtype=float)
    classes = classify(values)
    assert classes.k == 5
    assert classes.counts.tolist() == [30] * 5
    assert classes.title == "Quintiles"
    # Independent reference: numpy's quantiles are the class upper bounds.
    np.testing.assert_allclose(classes.bins[:-1], np.quantile(values, [0.2, 0.4, 0.6, 0.8]))


def test_missing_values_get_no_class():
    classes = classify([1.0, np.nan, 3.0, 2.0, np.nan, 5.0, 4.0])
    assert classes.index[1] == -1 and classes.index[4] == -1
    assert classes.counts.sum() == 5


def test_equal_intervals_have_equal_widths():
    classes = classify(np.linspace(0, 100, 153), EQUAL_INTERVAL)
    widths = np.diff(np.concatenate([[0.0], classes.bins]))
    np.testing.assert_allclose(widths, 20.0)


def test_natural_breaks_separate_clusters():
    values = np.array([1, 1.1, 1.2, 10, 10.1, 10.2, 20, 20.5, 30, 30.2, 40, 40.1])
    classes = classify(values, NATURAL_BREAKS)
    assert classes.k == 5
    assert len(set(classes.index[:3])) == 1 and classes.index[0] != classes.index[3]


def test_few_distinct_values_make_fewer_classes_without_warnings():
    classes = classify([1.0, 1.0, 2.0, 2.0, 3.0, 3.0], QUANTILES)
    assert classes.k == 3
    assert "3 classes" in classes.title
    assert (classes.index >= 0).all()
    tied = classify([2.0, 2.0, 3.0, 3.0, 3.0], QUANTILES)  # breaks collapse on ties
    assert tied.counts.sum() == 5 and tied.k <= 2
    assert classify([7.0, 7.0]).k == 1


def test_all_missing_and_unknown_method_raise():
    with pytest.raises(ValueError, match="every value is missing"):
        classify([np.nan, np.nan])
    with pytest.raises(ValueError, match="unknown class method"):
        classify([1.0, 2.0], "jenks-ish")


SHAPES = {
    "normal": lambda rng, n: rng.normal(50, 10, n),
    "skewed": lambda rng, n: rng.lognormal(0, 1, n),
    "few_levels": lambda rng, n: rng.integers(0, 12, n).astype(float),
    "rounded": lambda rng, n: np.round(rng.uniform(0, 100, n), 1),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_natural_breaks_match_mapclassify_fisher_jenks(shape):
    """The numpy Fisher-Jenks gives mapclassify's breaks and classes, ties included."""
    rng = np.random.default_rng(20261205)
    for _ in range(25):
        n, k = int(rng.integers(5, 160)), int(rng.integers(2, 8))
        values = SHAPES[shape](rng, n)
        if np.unique(values).size < k:
            continue
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Numba not installed")
            reference = mapclassify.FisherJenks(values, k=k)
        np.testing.assert_array_equal(fisher_jenks_bins(values, k), reference.bins)
        classes = classify(values, NATURAL_BREAKS, k)
        np.testing.assert_array_equal(classes.index, reference.yb)
        np.testing.assert_array_equal(classes.counts, reference.counts)
