"""Survey indicators: organisation scores, area figures with intervals, states, suppression."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sasci_map import stats
from sasci_map.codebook import load_codebook
from sasci_map.indicator_registry import LIST_SEP, SUCCESS_PATTERN, load_registry

#: Scale of a proportion shown as a percentage.
PERCENT = 100.0
#: Likert answers run 1..5; a negatively worded item is reversed as (LIKERT_FLIP - answer).
LIKERT_FLIP = 6
ENGLAND = "E92000001"
STATUS_VALUE, STATUS_SUPPRESSED, STATUS_NO_RESPONSE = "value", "suppressed", "no_response"
REASON_SECONDARY = ("suppressed so that another area's suppressed figure cannot be worked out "
                    "by subtraction (secondary suppression)")
STATUS_MISSING = "missing"
REASON_NOT_AT_LEVEL = ("reported for {levels} only: too few organisations of this kind per "
                       "{level} to report them here")
LEVEL_NAMES = {"council": "councils", "region": "regions", "england": "England"}
VALUE_COLUMNS = ["indicator_id", "area_code", "area_level", "period", "numerator", "denominator",
                 "value", "lower", "upper", "status", "status_reason"]
_NUMBERS = ["numerator", "denominator", "value", "lower", "upper"]


def _success(values: pd.Series, rule: str) -> np.ndarray:
    """Return True where an answered value meets the registry's success rule.

    Coded answers are tested once per distinct answer and spread back to the rows.
    """
    match = SUCCESS_PATTERN.match(rule)
    if match["number"]:
        number = values.astype(float).to_numpy()
        with np.errstate(invalid="ignore"):
            return np.nan_to_num(number, nan=-np.inf) >= float(match["number"])
    codes, uniques = pd.factorize(values)  # missing answers get code -1
    if match["codes"]:
        hit = np.isin(np.asarray(uniques, dtype=object), match["codes"].split(LIST_SEP))
    else:
        wanted = match["code"]
        hit = np.array([wanted in str(u).split(LIST_SEP) for u in uniques], dtype=bool)
    return np.append(hit, False)[codes]


def organisation_scores(orgs: pd.DataFrame, registry: pd.DataFrame,
                        data_dir: Path | None = None) -> pd.DataFrame:
    """Score every organisation on every indicator.

    Parameters
    ----------
    orgs : pandas.DataFrame
        One row per (wave, org_id) with combined answers (``aggregate.organisation_answers``).
    registry : pandas.DataFrame
        The indicator registry (``indicator_registry.load_registry``).
    data_dir : Path, optional
        Bundled data folder (the codebook says which likert items are reversed).

    Returns
    -------
    pandas.DataFrame
        Columns ``wave, org_id, org_type, council_code``, then one float column per indicator:
        the organisation's score (1/0 for a proportion), NaN where it did not answer or its
        type is not counted by the indicator.
    """
    book = load_codebook(data_dir).set_index("item_id")
    out = orgs[["wave", "org_id", "org_type", "council_code"]].copy()
    answered_of = _Cache(lambda i: orgs[i].notna().to_numpy())
    number_of = _Cache(lambda i: (LIKERT_FLIP - orgs[i].astype(float)).to_numpy()
                       if book.at[i, "polarity"] == "lower_is_better"
                       and book.at[i, "response_type"] == "likert5"
                       else orgs[i].astype(float).to_numpy())
    hit_of = _Cache(lambda key: _success(orgs[key[0]], key[1]))
    type_of = _Cache(lambda types: orgs["org_type"].isin(types.split(LIST_SEP)).to_numpy())
    for rec in registry.itertuples(index=False):
        items = rec.items.split(LIST_SEP)
        answered = np.column_stack([answered_of[i] for i in items])
        if rec.method == "mean":
            score = _nanmean_rows(np.column_stack([number_of[i] for i in items]), answered)
        else:
            hits = np.column_stack([hit_of[(i, rec.success)] for i in items])
            score = hits.sum(axis=1).astype(float) if rec.method == "mean_count" else (
                hits.any(axis=1).astype(float))
            score[~answered.any(axis=1)] = np.nan
        out[rec.indicator_id] = np.where(type_of[rec.org_types], score, np.nan)
    return out


class _Cache(dict):
    """A dict that computes each missing value once with ``make(key)``.

    Items recur across indicators (the ten support items feed thirteen of them).
    """

    def __init__(self, make) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


def _nanmean_rows(numbers: np.ndarray, answered: np.ndarray) -> np.ndarray:
    """Row means over answered cells, NaN for rows with none (without a RuntimeWarning)."""
    total = np.where(answered, numbers, 0.0).sum(axis=1)
    count = answered.sum(axis=1)
    return np.divide(total, count, out=np.full(len(total), np.nan), where=count > 0)


def _figures(n: np.ndarray, total: np.ndarray, squares: np.ndarray, method: str,
             confidence: float) -> dict[str, np.ndarray]:
    """Numerator, denominator, value and interval from each group's count, sum, sum of squares."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / np.where(n > 0, n, 1), np.nan)
        if method == "proportion":
            lower, upper = stats.wilson_interval(total, n, confidence)
            return {"numerator": total, "denominator": n, "value": mean * PERCENT,
                    "lower": np.asarray(lower) * PERCENT, "upper": np.asarray(upper) * PERCENT}
        variance = np.where(n > 1, (squares - n * mean**2) / np.where(n > 1, n - 1, 1), np.nan)
        sd = np.sqrt(np.clip(variance, 0, None))
    half = np.asarray(stats.t_half_width(sd, n, confidence))
    return {"numerator": np.where(n > 0, total, np.nan), "denominator": n, "value": mean,
            "lower": mean - half, "upper": mean + half}


def _groups(waves: pd.Series, keys: pd.Series) -> tuple[np.ndarray, pd.MultiIndex]:
    """Return each row's (wave, area) group number (-1 where the area is missing)."""
    wave_code, wave_values = pd.factorize(waves)
    key_code, key_values = pd.factorize(keys)
    combined = np.where(key_code >= 0, wave_code * (len(key_values) + 1) + key_code, -1)
    present = combined >= 0
    uniques, inverse = np.unique(combined[present], return_inverse=True)
    group = np.full(len(combined), -1, dtype=np.int64)
    group[present] = inverse
    index = pd.MultiIndex.from_arrays(
        [np.asarray(wave_values)[uniques // (len(key_values) + 1)],
         np.asarray(key_values)[uniques % (len(key_values) + 1)]], names=["wave", "area_code"])
    return group, index


def _sums(scores: pd.DataFrame, keys: pd.Series, ids: list[str],
          type_masks: dict[str, np.ndarray]) -> pd.DataFrame:
    """Count, sum and sum of squares of every indicator per (wave, area), and who took part.

    Rows are grouped once; all indicators are summed with three ``np.bincount`` calls over
    (group, indicator) cells. Columns are ``(statistic, indicator)`` pairs, plus
    ``("took_part", org_types)``.
    """
    group, index = _groups(scores["wave"], keys)
    size, width = len(index), len(ids)
    matrix = scores[ids].to_numpy(dtype=float)
    valid = ~np.isnan(matrix) & (group >= 0)[:, None]
    # int32 cell numbers halve the largest temporary (rows x indicators) for big surveys.
    dtype = np.int32 if size * width < np.iinfo(np.int32).max else np.int64
    cell = (group.astype(dtype)[:, None] * dtype(width) + np.arange(width, dtype=dtype))[valid]
    x = matrix[valid]
    del matrix, valid
    parts = {
        "n": np.bincount(cell, minlength=size * width),
        "total": np.bincount(cell, weights=x, minlength=size * width),
        "squares": np.bincount(cell, weights=x * x, minlength=size * width),
    }
    columns = {(name, i): values.reshape(size, width)[:, k]
               for name, values in parts.items() for k, i in enumerate(ids)}
    for types, mask in type_masks.items():
        columns[("took_part", types)] = np.bincount(group[mask & (group >= 0)], minlength=size)
    return pd.DataFrame(columns, index=index).astype(float)


def _roll_up(sums: pd.DataFrame, parent_of: pd.Series) -> pd.DataFrame:
    """Add council sums up to their parents (regions, or England): sums are additive."""
    waves = sums.index.get_level_values("wave")
    parents = sums.index.get_level_values("area_code").map(parent_of)
    rolled = sums.groupby([waves, parents]).sum()
    rolled.index.names = ["wave", "area_code"]
    return rolled


def _level(sums: pd.DataFrame, registry: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Figures of every indicator for every area of one level, from its sums."""
    frames = []
    for rec in registry.itertuples(index=False):
        i = rec.indicator_id
        figures = _figures(sums[("n", i)].to_numpy(), sums[("total", i)].to_numpy(),
                           sums[("squares", i)].to_numpy(), rec.method, confidence)
        figures["took_part"] = sums[("took_part", rec.org_types)].to_numpy()
        frame = pd.DataFrame(figures, index=sums.index).reset_index()
        frames.append(frame.assign(indicator_id=i))
    return pd.concat(frames, ignore_index=True)


def _states(frame: pd.DataFrame) -> pd.DataFrame:
    """Give each figure its status; blank the numbers of every row that is not a value."""
    n = frame["denominator"].fillna(0)
    frame["status"] = np.select(
        [frame["took_part"] == 0, n == 0, n < frame["min_orgs"]],
        [STATUS_NO_RESPONSE, STATUS_NO_RESPONSE, STATUS_SUPPRESSED], STATUS_VALUE)
    frame["status_reason"] = np.select(
        [frame["took_part"] == 0, n == 0, n < frame["min_orgs"]],
        ["no " + frame["types"] + " organisation in this area took part in wave "
         + frame["wave"].astype(str),
         "no responding organisation answered this question",
         "fewer than " + frame["min_orgs"].astype(str) + " responding organisations"], "")
    frame.loc[frame["status"] != STATUS_VALUE, _NUMBERS] = np.nan
    return frame


def _not_here(levels: str, level: str) -> str:
    """Say which levels an indicator is reported at, for a row at another level."""
    names = " and ".join(LEVEL_NAMES[name] for name in levels.split(LIST_SEP))
    return REASON_NOT_AT_LEVEL.format(levels=names, level=level)


def _secondary(children: pd.DataFrame, parent_of: pd.Series,
               parents: pd.DataFrame) -> pd.DataFrame:
    """Suppress one more child where a parent total minus the others would reveal a child.

    Within each parent, indicator and wave, the published child with the fewest organisations
    is also suppressed when (a) exactly one child is suppressed and the parent is published
    (parent minus the published children would reveal it), or (b) the parent is suppressed,
    no child is, and the published children add up to it (they would reveal the parent).
    """
    kids = children.assign(parent=children["area_code"].map(parent_of))
    keys = ["indicator_id", "wave", "parent"]
    primary = kids["status"].eq(STATUS_SUPPRESSED)
    n_primary = primary.groupby([kids[k] for k in keys]).transform("sum")
    parent_status = parents.set_index(["indicator_id", "wave", "area_code"])["status"]
    hidden_parent = pd.MultiIndex.from_frame(kids[keys]).map(parent_status).to_numpy()
    hidden_parent = pd.Series(hidden_parent, index=kids.index).eq(STATUS_SUPPRESSED)
    published = kids["status"].eq(STATUS_VALUE)
    exposed = published & ((n_primary.eq(1) & ~hidden_parent)
                           | (n_primary.eq(0) & hidden_parent))
    candidates = kids.loc[exposed].sort_values([*keys, "denominator", "area_code"])
    chosen = candidates.drop_duplicates(keys).index
    children.loc[chosen, "status"] = STATUS_SUPPRESSED
    children.loc[chosen, "status_reason"] = REASON_SECONDARY
    children.loc[chosen, _NUMBERS] = np.nan
    return children


def indicator_values(orgs: pd.DataFrame, councils: pd.DataFrame, data_dir: Path | None = None,
                     confidence: float = stats.CONFIDENCE_95) -> pd.DataFrame:
    """Compute every survey indicator for every council, region and England, every wave.

    Parameters
    ----------
    orgs : pandas.DataFrame
        Combined answers, one row per (wave, org_id).
    councils : pandas.DataFrame
        The 153 councils (``geography.councils``): code and region_code.
    data_dir : Path, optional
        Bundled data folder (registry and codebook).
    confidence : float
        Interval level (95 % by default).

    Returns
    -------
    pandas.DataFrame
        :data:`VALUE_COLUMNS`, one row per indicator x area x wave for all 153 councils, the
        9 regions and England (``period`` is the wave as text). Status ``value``,
        ``suppressed`` (fewer than ``min_orgs`` organisations, or secondary suppression),
        ``no_response``, or ``missing`` at a level the registry does not report (provider
        indicators pooled to region); rows that are not values carry no numbers.
    """
    registry = load_registry(data_dir)
    scores = organisation_scores(orgs, registry, data_dir)
    region_of = councils.set_index("code")["region_code"]
    waves = sorted(scores["wave"].unique())
    levels = {"council": list(councils["code"]), "region": sorted(region_of.unique()),
              "england": [ENGLAND]}
    type_masks = {types: scores["org_type"].isin(types.split(LIST_SEP)).to_numpy()
                  for types in registry["org_types"].unique()}
    council_sums = _sums(scores, scores["council_code"], list(registry["indicator_id"]),
                         type_masks)
    sums = {"council": council_sums, "region": _roll_up(council_sums, region_of),
            "england": _roll_up(council_sums, pd.Series(ENGLAND, index=region_of.index))}
    frames = []
    for level, areas in levels.items():
        frame = _level(sums[level], registry, confidence)
        full = pd.MultiIndex.from_product(
            [registry["indicator_id"], waves, areas], names=["indicator_id", "wave", "area_code"])
        frame = frame.set_index(["indicator_id", "wave", "area_code"]).reindex(full)
        frame = frame.reset_index()
        spec = registry.set_index("indicator_id")
        frame["area_level"] = level
        frame["took_part"] = frame["took_part"].fillna(0)
        frame["min_orgs"] = frame["indicator_id"].map(spec["min_orgs"])
        frame["types"] = frame["indicator_id"].map(
            spec["org_types"].str.replace(LIST_SEP, " or "))
        frame = _states(frame)
        levels_of = frame["indicator_id"].map(spec["levels"].str.split(LIST_SEP))
        elsewhere = np.array([level not in allowed for allowed in levels_of])
        frame.loc[elsewhere, "status"] = STATUS_MISSING
        frame.loc[elsewhere, "status_reason"] = frame.loc[elsewhere, "indicator_id"].map(
            spec["levels"].map(lambda text, lv=level: _not_here(text, lv)))
        frame.loc[elsewhere, _NUMBERS] = np.nan
        frames.append(frame)
    council, region, england = frames
    region = _secondary(region, pd.Series(ENGLAND, index=region["area_code"].unique()), england)
    council = _secondary(council, region_of, region)
    out = pd.concat([council, region, england], ignore_index=True)
    out["period"] = out["wave"].astype(int).astype(str)
    return out[VALUE_COLUMNS].reset_index(drop=True)
