"""The capacity x support-use view's state and tables: URL parameters, levels, weights, rows."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from sasci_map.capacity_index import DEFAULT_WEIGHTS, normalise_weights, rank_stability
from sasci_map.codebook import CAPABILITY_CLUSTERS
from sasci_map.geography import councils, regions
from sasci_map.palette import STATUS_LABELS
from sasci_map.quadrant import (
    CAPACITY_INDICATOR,
    CLUSTER_INDICATORS,
    NO_QUADRANT,
    QUADRANTS,
    SUPPORT_INDICATOR,
    capacity_support,
    cluster_scores,
    index_table,
)
from sasci_map.tidy import ENGLAND, SYNTHETIC_LABEL

LEVELS = {"region": "Regions", "council": "Councils"}
#: The x axis: the overall capability score (with its interval) or the composite index.
X_SCORE, X_INDEX = "score", "index"
X_MEASURES = {X_SCORE: "Overall capability score (1 to 5)",
              X_INDEX: "Composite capacity index (weighted, standardised)"}
#: Below this many placeable councils a council scatter says next to nothing (and on the demo
#: data almost every council figure is suppressed), so the page opens on regions instead.
MIN_PLACED_COUNCILS = 5
#: URL parameter of each cluster's weight (``w_collaboration`` ...).
WEIGHT_PARAMS = {cluster: f"w_{cluster}" for cluster in CAPABILITY_CLUSTERS}
#: Surveys indicators the view reads.
INDICATORS = [CAPACITY_INDICATOR, SUPPORT_INDICATOR, *CLUSTER_INDICATORS.values()]
MAX_WEIGHT = 1000.0
MAX_PARAM_LENGTH = 40
DECIMALS = 2
#: Whether an area's 95% interval lies clear of England's figure.
VERSUS_HIGHER, VERSUS_LOWER, VERSUS_OVERLAPS = ("higher (clear)", "lower (clear)",
                                                "overlaps England")


def number_text(value: float, decimals: int = DECIMALS) -> str:
    """Return ``value`` to ``decimals`` places, or ``""`` when it is missing or not finite."""
    return "" if value is None or not math.isfinite(value) else f"{value:.{decimals}f}"


def percent_text(share: float) -> str:
    """Return a weight share as a percentage: ``0.2`` -> ``"20 %"``, ``1/3`` -> ``"33.3 %"``."""
    return f"{100 * share:.1f}".rstrip("0").rstrip(".") + " %"


def sentence(text: str) -> str:
    """Return ``text`` with its first letter upper case (quadrant names as headings)."""
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class QuadrantView:
    """What the URL of the quadrant page encodes. ``level`` None = not chosen (automatic)."""

    level: str | None
    wave: str
    x_measure: str = X_SCORE
    weights: Mapping[str, float | None] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    def query_string(self, level: str) -> str:
        """Return ``?level=...&wave=...&x=...&w_collaboration=...`` for the shown ``level``."""
        params = {"level": level, "wave": self.wave, "x": self.x_measure}
        for cluster, name in WEIGHT_PARAMS.items():
            weight = self.weights.get(cluster)
            params[name] = "" if weight is None else f"{weight:g}"
        return "?" + urlencode(params)


def _number(value) -> float | None:
    try:
        number = float(str(value)[:MAX_PARAM_LENGTH])
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and 0 <= number <= MAX_WEIGHT else None


def parse_view(params: Mapping[str, object], waves: list[str]) -> QuadrantView:
    """Read a QuadrantView from URL query parameters; bad values fall back to defaults.

    Parameters
    ----------
    params : mapping
        Query parameters, as Dash pages pass them to ``layout(**kwargs)``.
    waves : list of str
        Survey waves held, oldest first; the latest is the default.
    """
    level = params.get("level")
    wave = params.get("wave")
    x_measure = params.get("x")
    weights = {}
    for cluster, name in WEIGHT_PARAMS.items():
        given = _number(params.get(name)) if name in params else None
        weights[cluster] = DEFAULT_WEIGHTS[cluster] if given is None else given
    return QuadrantView(
        level=level if level in LEVELS else None,
        wave=wave if wave in waves else (waves[-1] if waves else ""),
        x_measure=x_measure if x_measure in X_MEASURES else X_SCORE,
        weights=weights,
    )


def survey_waves(periods: pd.DataFrame) -> list[str]:
    """Return the waves with a capacity figure, oldest first, from ``db.indicator_periods``."""
    rows = periods.loc[periods["indicator_id"] == CAPACITY_INDICATOR, "period"]
    return sorted(rows.astype(str).unique().tolist())


def checked_weights(weights: Mapping[str, float | None]) -> tuple[dict | None, str]:
    """Return the normalised weights and ``""``, or ``None`` and a message saying what is wrong.

    An empty box (``None``) or a negative number is named; all zeros get their own message.
    """
    empty = [c for c in CAPABILITY_CLUSTERS if weights.get(c) is None]
    if empty:
        return None, (f"Enter a weight of 0 or more for {', '.join(empty)}; the index and "
                      "ranks wait until every weight is a number.")
    try:
        return normalise_weights({c: weights[c] for c in CAPABILITY_CLUSTERS}), ""
    except ValueError as error:
        if all(weights[c] == 0 for c in CAPABILITY_CLUSTERS):
            return None, ("All five weights are zero, so there is no index to compute: give at "
                          "least one capability cluster a weight above 0 (or reset to equal "
                          "weights).")
        return None, f"These weights cannot be used: {error}."


def placed_councils(values: pd.DataFrame, wave: str) -> int:
    """Return how many councils have both a capacity and a support-use value in ``wave``."""
    return int(capacity_support(values, "council", wave)["status"].eq("value").sum())


def choose_level(values: pd.DataFrame, view: QuadrantView) -> tuple[str, str]:
    """Return the level to show and a note on why (or on how few councils can be placed)."""
    if view.level == "region":
        return "region", ""
    n = placed_councils(values, view.wave)
    few = n < MIN_PLACED_COUNCILS
    why = (f"only {n} of 153 councils {'has' if n == 1 else 'have'} both a capacity and a "
           f"support-use figure in wave {view.wave}; the others are suppressed (fewer than 5 "
           "organisations responded) or had no response")
    if view.level is None:
        if few:
            return "region", (f"Showing regions because {why}. Choose Councils to see them and "
                              "the reason for each.")
        return "council", ""
    if view.level == "council" and few:
        return "council", f"Few councils to compare: {why}. Regions give a fuller picture."
    return view.level, ""


def _names(level: str, data_dir: Path | None) -> pd.Series:
    frame = regions(data_dir) if level == "region" else councils(data_dir)
    return frame.set_index("code")["name"]


def _versus(value, lower, upper, reference) -> str:
    if not (math.isfinite(value) and math.isfinite(reference)):
        return ""
    if math.isfinite(lower) and lower > reference:
        return VERSUS_HIGHER
    if math.isfinite(upper) and upper < reference:
        return VERSUS_LOWER
    return VERSUS_OVERLAPS


def quadrant_table(values: pd.DataFrame, level: str, wave: str, x_measure: str,
                   weights: Mapping[str, float] | None, data_dir: Path | None = None
                   ) -> pd.DataFrame:
    """Return every area of ``level`` with both axes, the index, its rank interval and placing.

    Parameters
    ----------
    values : pandas.DataFrame
        Stored survey figures of all levels (``db.read_values(engine, INDICATORS, None, None)``).
    level : {"council", "region"}
    wave : str
    x_measure : {"score", "index"}
        The x axis: the overall capability score (split at England's score) or the composite
        index (split at 0, the average of the areas).
    weights : mapping or None
        Normalised cluster weights; ``None`` when the user's weights are invalid (no index).
    data_dir : Path, optional

    Returns
    -------
    pandas.DataFrame
        Indexed by area code: ``name``, the ``quadrant.capacity_support`` columns, ``index``,
        ``rank``, ``rank_lower``, ``rank_upper``, ``index_status``, ``index_reason``, ``x``,
        ``x_lower``, ``x_upper``, ``placed`` and ``why_unplaced``; ``quadrant`` is the quadrant
        as plotted; ``capacity_vs_england`` and ``support_vs_england`` say whether each
        interval is clear of England. Sorted by x, highest first, unplaced areas last.
    """
    table = capacity_support(values, level, wave)
    cap_england, sup_england = england_figures(values, wave)
    names = _names(level, data_dir).reindex(table.index)
    table.insert(0, "name", names.fillna(table.index.to_series()))
    if weights is not None:
        index = index_table(values, level, wave, weights)
        stable = rank_stability(cluster_scores(values, level, wave).reindex(index.index), weights)
        table = table.join(index[["index", "rank"]]).join(stable[["rank_lower", "rank_upper"]])
        table["index_status"] = index["status"]
        table["index_reason"] = index["status_reason"]
    else:
        table[["index", "rank", "rank_lower", "rank_upper"]] = np.nan
        table["index_status"], table["index_reason"] = "missing", "no valid weights"
    both = table["status"].eq("value")
    if x_measure == X_INDEX:
        table["x"] = table["index"].where(both)
        table["x_lower"] = table["x_upper"] = np.nan
        reference = 0.0
    else:
        table["x"] = table["capacity"]
        table["x_lower"], table["x_upper"] = table["capacity_lower"], table["capacity_upper"]
        reference = cap_england
    placed = both & table["x"].notna()
    table["placed"] = placed
    table["quadrant"] = [QUADRANTS[(x > reference, s > sup_england)] if ok else NO_QUADRANT
                         for x, s, ok in zip(table["x"], table["support"], placed, strict=True)]
    table["why_unplaced"] = np.where(
        placed, "", np.where(both, "no capacity index: " + table["index_reason"].astype(str),
                             table["status_reason"].astype(str)))
    table["capacity_vs_england"] = [_versus(*r, cap_england) for r in zip(
        table["capacity"], table["capacity_lower"], table["capacity_upper"], strict=True)]
    table["support_vs_england"] = [_versus(*r, sup_england) for r in zip(
        table["support"], table["support_lower"], table["support_upper"], strict=True)]
    return table.sort_values(["placed", "x", "name"], ascending=[False, False, True])


def england_figures(values: pd.DataFrame, wave: str) -> tuple[float, float]:
    """Return England's capacity score and support use in ``wave`` (NaN when not held)."""
    out = []
    for indicator in (CAPACITY_INDICATOR, SUPPORT_INDICATOR):
        rows = values[values["indicator_id"].eq(indicator) & values["area_code"].eq(ENGLAND)
                      & values["period"].eq(wave) & values["status"].eq("value")]
        out.append(float(rows["value"].iloc[0]) if len(rows) else math.nan)
    return out[0], out[1]


def is_synthetic(values: pd.DataFrame, wave: str) -> bool:
    """Return whether the wave's capacity figures come from synthetic demo data."""
    rows = values[values["indicator_id"].eq(CAPACITY_INDICATOR) & values["period"].eq(wave)]
    return bool(rows["source"].astype(str).str.contains(SYNTHETIC_LABEL, regex=False).any())


def rank_interval_text(lower: float, upper: float) -> str:
    """Return a rank interval as ``"2–5"`` (``"3"`` when it is a single rank, "" if none)."""
    if not (math.isfinite(lower) and math.isfinite(upper)):
        return ""
    return f"{lower:.0f}" if lower == upper else f"{lower:.0f}–{upper:.0f}"


def interval_text(lower: float, upper: float) -> str:
    """Return a 95% interval as ``"2.10 to 3.40"`` (``""`` when there is none)."""
    return f"{number_text(lower)} to {number_text(upper)}" if math.isfinite(lower) else ""


def table_rows(table: pd.DataFrame) -> list[dict]:
    """Return the grid rows of the placed areas: the numbers the scatter shows, as text too."""
    rows = []
    for code, r in table[table["placed"]].iterrows():
        rows.append({
            "code": code, "area": r["name"], "capacity": _round(r["capacity"]),
            "capacity_ci": interval_text(r["capacity_lower"], r["capacity_upper"]),
            "capacity_vs_england": r["capacity_vs_england"], "support": _round(r["support"]),
            "support_ci": interval_text(r["support_lower"], r["support_upper"]),
            "support_vs_england": r["support_vs_england"], "quadrant": sentence(r["quadrant"]),
            "index": _round(r["index"]), "rank": _round(r["rank"], 0),
            "rank_interval": rank_interval_text(r["rank_lower"], r["rank_upper"]),
            "index_note": r["index_reason"], "n_orgs": _round(r["n_orgs"], 0),
        })
    return rows


def _round(value: float, decimals: int = DECIMALS):
    return None if not math.isfinite(value) else (
        int(value) if decimals == 0 else round(float(value), decimals))


def unplaced_rows(table: pd.DataFrame) -> list[dict]:
    """Return the areas that cannot be placed, each with its state and the reason."""
    out = table[~table["placed"]]
    return [{"code": code, "area": r["name"],
             "state": STATUS_LABELS.get(r["status"], r["status"]) if r["status"] != "value"
             else "No capacity index", "reason": r["why_unplaced"]}
            for code, r in out.iterrows()]


def unplaced_summary(table: pd.DataFrame, level: str) -> str:
    """Return one sentence counting the unplaced areas by state (or saying all are placed)."""
    out = table[~table["placed"]]
    noun = LEVELS[level].lower()
    if out.empty:
        return f"All {len(table)} {noun} are placed."
    counts = [(STATUS_LABELS.get(s, s) if s != "value" else "No capacity index", n)
              for s, n in out["status"].value_counts().items()]
    parts = "; ".join(f"{label}: {n}" for label, n in counts)
    return f"{len(out)} of {len(table)} {noun} cannot be placed ({parts})."


def export_frame(table: pd.DataFrame, level: str, wave: str, x_measure: str,
                 weights: Mapping[str, float] | None, synthetic: bool) -> pd.DataFrame:
    """Return the table behind the view (every area, placed or not) for CSV export."""
    out = table.rename_axis("area_code").reset_index().rename(columns={"name": "area_name"})
    out.insert(2, "area_level", level)
    out.insert(3, "period", wave)
    out.insert(4, "x_measure", x_measure)
    for cluster in CAPABILITY_CLUSTERS:
        out[f"weight_{cluster}"] = np.nan if weights is None else weights[cluster]
    out["synthetic"] = synthetic
    return out.drop(columns=["x", "x_lower", "x_upper"])
