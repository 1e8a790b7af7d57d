"""Statistical neighbours: for each council, the councils most alike in need, deprivation and scale.

Commissioners compare their council with similar councils, not only with England or its region.
For each of the 153 councils this finds the ``k`` councils closest to it on a few published
drivers of adult social care need and of council scale:

- **scale**: the adult population (18+), on a log scale so that doubling counts the same at
  any size, because it sets the size of the council's care market and workforce;
- **ageing**: the shares aged 65+ and 85+, because need for care rises steeply with age;
- **deprivation**: the IMD 2019 average score and extent, because deprivation brings earlier
  and greater need, more council-funded care and fewer people who pay for their own care;
- **council type** (county, unitary, metropolitan district, London borough), because type
  shapes the care market, the partners and how services are organised.

Each numeric feature is standardised to a z-score (mean 0, population standard deviation 1
over the 153 councils) so that no unit dominates; council type is one-hot coded and scaled so
that two councils of different types are 1 apart on it. The distance between two councils is
the weighted Euclidean distance ``sqrt(sum_f w_f * (z_f(a) - z_f(b))**2)``. The pairs of
features that measure nearly the same thing (65+ and 85+, r = 0.94; IMD score and extent,
r = 0.97) get half weight each, so that scale, ageing, deprivation and type count about equally.

This follows the spirit of the peer-group comparisons used in adult social care benchmarking
(NHS England groups councils with similar need, deprivation and scale); it does not reproduce
CIPFA's nearest-neighbour model, whose method and data are not public. Missing values (IMD 2019
predates the councils created in 2021 and 2023) are taken from the county they were split from
(Cumbria, Northamptonshire), else the median of the council's region; the imputed features are
listed in the ``imputed`` column of
:func:`neighbour_features` so the interface can say so.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd

from sasci_map.config import get_settings
from sasci_map.context import IMD_FILE, SPLITS, STATUS_VALUE, context_values
from sasci_map.geography import COUNCIL_TYPES, councils

#: Feature -> weight of the default neighbours (why each is there: see the module docstring).
#: Scale and type count 1; each ageing and deprivation measure 0.5, as each pair is correlated.
DEFAULT_FEATURES: dict[str, float] = {
    "log_pop_18_plus": 1.0,  # scale: size of the care market and workforce
    "pct_65_plus": 0.5,  # ageing: need rises steeply with age...
    "pct_85_plus": 0.5,  # ...above all past 85
    "imd_average_score": 0.5,  # deprivation: earlier, greater need; more council-funded care
    "imd_extent": 0.5,  # deprivation concentrated in the most deprived neighbourhoods
    "council_type": 1.0,  # categorical (one-hot): market, partners, organisation
}
#: Numeric feature -> context indicator it is built from (see data/context/indicators.csv).
FEATURE_INDICATORS = {
    "log_pop_18_plus": "pop_18_plus",
    "pct_65_plus": "pct_65_plus",
    "pct_85_plus": "pct_85_plus",
    "imd_average_score": "imd_average_score",
    "imd_extent": "imd_extent",
}
#: Columns of the IMD file (and the scale to the indicator's unit) for split-county parents.
IMD_FILE_COLUMNS = {"imd_average_score": ("imd_average_score", 1.0),
                    "imd_extent": ("imd_extent", 100.0)}
#: Features taken as natural logs: council adult populations span about 1,900 to 1.2 million.
LOG_FEATURES = frozenset({"log_pop_18_plus"})
NUMERIC_FEATURES = tuple(FEATURE_INDICATORS)
CATEGORICAL_FEATURE = "council_type"
#: One-hot column of each council type in :func:`neighbour_features`.
TYPE_COLUMNS = {t: "council_type_" + t.lower().replace(" ", "_") for t in COUNCIL_TYPES}
DEFAULT_K = 15
#: Distances are rounded so that ties in exact arithmetic are ties here too (then broken by code).
DISTANCE_DECIMALS = 10
NEIGHBOUR_COLUMNS = ["council_code", "rank", "neighbour_code", "distance"]

METHOD_TEXT = (
    "Statistical neighbours are the councils most like a council in the drivers of adult social "
    "care need and of council scale: adult population (on a log scale), the shares of people "
    "aged 65+ and 85+, deprivation (IMD 2019 average score and extent) and council type. Each "
    "measure is put on a common scale (standard deviations from the England average over the 153 "
    "councils) and councils are ranked by a weighted distance across them; by default scale, "
    "ageing, deprivation and council type count about equally. The approach follows the spirit "
    "of NHS England's adult social care peer groups (similar need, deprivation and scale); it is "
    "not CIPFA's nearest-neighbour model, which is not public. IMD 2019 predates the four "
    "councils created in 2021 and 2023 (North and West Northamptonshire, Cumberland, Westmorland "
    "and Furness): their deprivation is that of the county they were split from (Cumbria "
    "or Northamptonshire, IMD 2019)."
)


def _resolve(data_dir: Path | str | None) -> Path:
    return Path(get_settings().data_dir if data_dir is None else data_dir).resolve()


def _split_parent_values(data_dir: Path, codes: pd.Index) -> pd.DataFrame:
    """IMD features of the county each 2021/2023 split council came from (same area, 2019).

    A county's 2019 deprivation is a far better stand-in for its successor councils than a
    region median (Cumbria: score 21.3; North West median: 31.0).
    """
    table = pd.read_csv(data_dir / "context" / IMD_FILE, dtype={"utla19_code": str})
    table = table.set_index("utla19_code")
    out = pd.DataFrame(index=codes, columns=list(IMD_FILE_COLUMNS), dtype=float)
    for parent, children in SPLITS.items():
        if parent in table.index:
            for feature, (column, scale) in IMD_FILE_COLUMNS.items():
                out.loc[list(children), feature] = float(table.at[parent, column]) * scale
    return out


@functools.lru_cache(maxsize=8)
def _features(data_dir: Path) -> pd.DataFrame:
    lookup = councils(data_dir).set_index("code")
    values = context_values(data_dir)
    values = values[values["indicator_id"].isin(FEATURE_INDICATORS.values())]
    values = values.assign(value=values["value"].where(values["status"] == STATUS_VALUE))
    wide = values.pivot(index="area_code", columns="indicator_id", values="value")
    raw = pd.DataFrame({f: wide[i].reindex(lookup.index) for f, i in FEATURE_INDICATORS.items()})
    for feature in LOG_FEATURES:
        raw[feature] = np.log(raw[feature])
    missing = raw.isna()
    raw = raw.fillna(_split_parent_values(data_dir, raw.index))
    region_median = raw.groupby(lookup["region_code"]).transform("median")
    raw = raw.fillna(region_median)
    if raw.isna().any().any():
        gaps = raw.columns[raw.isna().any()].tolist()
        raise ValueError(f"neighbour features {gaps}: a whole region has no value to impute from")
    z = (raw - raw.mean()) / raw.std(ddof=0)
    onehot = pd.DataFrame(
        {col: (lookup["council_type"] == t).astype("float64") for t, col in TYPE_COLUMNS.items()}
    )
    frame = pd.concat([z, onehot], axis=1)
    frame["imputed"] = [", ".join(missing.columns[row]) for row in missing.to_numpy()]
    frame.index.name = "code"
    return frame


def neighbour_features(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Return the standardised features the neighbours are found on, one row per council.

    Parameters
    ----------
    data_dir : path, optional
        Bundled data folder; default ``get_settings().data_dir``.

    Returns
    -------
    pandas.DataFrame
        Indexed by the 153 council codes (sorted). One column per numeric feature
        (``NUMERIC_FEATURES``) as a z-score over the 153 councils (population SD, after
        imputation; the population is logged first); one 0/1 column per council type
        (``TYPE_COLUMNS``); and ``imputed``, the comma-separated numeric features whose missing
        value was filled in: the split county's value, else the region median ("" when none).

    Raises
    ------
    ValueError
        If the context data are invalid (see :func:`sasci_map.context.context_values`) or a
        whole region lacks a feature.
    """
    return _features(_resolve(data_dir)).copy()


def _weights_key(weights: Mapping[str, float] | None) -> tuple[tuple[str, float], ...]:
    """Validate ``weights``; return ``(feature, weight)`` for every feature, in default order."""
    if weights is None:
        weights = DEFAULT_FEATURES
    unknown = sorted(set(weights) - set(DEFAULT_FEATURES))
    if unknown:
        raise ValueError(
            f"unknown feature(s) {unknown} in weights; expected some of {list(DEFAULT_FEATURES)}"
        )
    for feature, weight in weights.items():
        valid = isinstance(weight, Real) and not isinstance(weight, bool)
        if not (valid and math.isfinite(weight) and weight >= 0):
            raise ValueError(
                f"weight of feature {feature!r} is {weight!r}; expected a finite number >= 0"
            )
    if not any(weights.values()):
        raise ValueError(
            f"all weights are zero ({dict(weights)}); expected at least one positive weight"
        )
    return tuple((f, float(weights.get(f, 0.0))) for f in DEFAULT_FEATURES)


def _check_k(k: int, n_councils: int) -> None:
    if isinstance(k, bool) or not isinstance(k, Integral) or not 1 <= k < n_councils:
        raise ValueError(
            f"k={k!r}; expected an integer from 1 to {n_councils - 1} (the other councils)"
        )


@functools.lru_cache(maxsize=32)
def _neighbours(data_dir: Path, key: tuple[tuple[str, float], ...], k: int) -> pd.DataFrame:
    frame = _features(data_dir)
    weights = dict(key)
    numeric = frame[list(NUMERIC_FEATURES)].to_numpy() * np.sqrt(
        [weights[f] for f in NUMERIC_FEATURES]
    )
    # Scaled by 1/sqrt(2): two councils of different types then differ by exactly 1 on the type.
    type_scale = math.sqrt(weights[CATEGORICAL_FEATURE] / 2)
    onehot = frame[list(TYPE_COLUMNS.values())].to_numpy() * type_scale
    points = np.hstack([numeric, onehot])
    distance = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1))
    distance = np.round(distance, DISTANCE_DECIMALS)
    np.fill_diagonal(distance, np.inf)  # a council is never its own neighbour
    # Rows and columns are in code order, so a stable sort breaks ties by neighbour code.
    order = np.argsort(distance, axis=1, kind="stable")[:, :k]
    codes = frame.index.to_numpy()
    columns = (
        np.repeat(codes, k),
        np.tile(np.arange(1, k + 1), len(codes)),
        codes[order].ravel(),
        np.take_along_axis(distance, order, axis=1).ravel(),
    )
    return pd.DataFrame(dict(zip(NEIGHBOUR_COLUMNS, columns, strict=True)))


def statistical_neighbours(
    k: int = DEFAULT_K,
    weights: Mapping[str, float] | None = None,
    data_dir: Path | str | None = None,
) -> pd.DataFrame:
    """Return the ``k`` statistical neighbours of every council.

    Parameters
    ----------
    k : int, default 15
        Neighbours per council, from 1 to 152.
    weights : mapping of str to float, optional
        Feature -> non-negative weight; default ``DEFAULT_FEATURES``. The mapping replaces the
        defaults: a feature it leaves out has weight 0 and plays no part. Weights multiply the
        squared standardised differences, so weight 4 counts a feature twice as far as weight 1.
    data_dir : path, optional
        Bundled data folder; default ``get_settings().data_dir``.

    Returns
    -------
    pandas.DataFrame
        ``council_code, rank, neighbour_code, distance``: ``153 * k`` rows sorted by council code
        and rank (1 = most similar). ``distance`` is the weighted Euclidean distance on
        :func:`neighbour_features`; equal distances are ranked by neighbour code. A council is
        never its own neighbour. Results are cached per data folder, weights and ``k``.

    Raises
    ------
    ValueError
        If ``k`` is out of range, ``weights`` names an unknown feature, has a negative or
        non-finite weight, or is all zero.
    """
    key = _weights_key(weights)
    root = _resolve(data_dir)
    _check_k(k, len(_features(root)))
    return _neighbours(root, key, int(k)).copy()


def neighbours_of(
    code: str,
    k: int = DEFAULT_K,
    weights: Mapping[str, float] | None = None,
    data_dir: Path | str | None = None,
) -> pd.DataFrame:
    """Return the ``k`` statistical neighbours of one council.

    Parameters
    ----------
    code : str
        Council GSS code, e.g. ``"E09000007"`` (Camden).
    k, weights, data_dir
        As for :func:`statistical_neighbours`.

    Returns
    -------
    pandas.DataFrame
        The council's ``k`` rows of :func:`statistical_neighbours`, by rank, index 0..k-1.

    Raises
    ------
    ValueError
        If ``code`` is not one of the 153 councils, or as for :func:`statistical_neighbours`.
    """
    table = statistical_neighbours(k, weights, data_dir)
    rows = table[table["council_code"] == code]
    if rows.empty:
        raise ValueError(f"unknown council code {code!r}; expected one of the 153 council codes")
    return rows.reset_index(drop=True)
