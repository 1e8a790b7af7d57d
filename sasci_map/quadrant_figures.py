"""The capacity x support-use view: URL state, the scatter with intervals, and its tables."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sasci_map.capacity_index import DEFAULT_WEIGHTS, normalise_weights, rank_stability
from sasci_map.codebook import CAPABILITY_CLUSTERS
from sasci_map.geography import councils, regions
from sasci_map.palette import BENCHMARK_COLOURS, ENGLAND_LINE, REGION_LINE, STATUS_LABELS
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
#: Quadrant colours: Okabe-Ito hues from the shared palette (blue, purple, orange, vermillion),
#: each with its own marker symbol, so colour is never the only cue.
QUADRANT_STYLE = {
    QUADRANTS[(True, True)]: (BENCHMARK_COLOURS["better"], "circle"),
    QUADRANTS[(True, False)]: (BENCHMARK_COLOURS["higher"], "square"),
    QUADRANTS[(False, True)]: (REGION_LINE, "diamond"),
    QUADRANTS[(False, False)]: (BENCHMARK_COLOURS["worse"], "triangle-up"),
}
#: Where each quadrant's name sits in the plot (x, y as fractions of the axes).
QUADRANT_CORNERS = {
    QUADRANTS[(True, True)]: (0.99, 0.99, "right", "top"),
    QUADRANTS[(True, False)]: (0.99, 0.01, "right", "bottom"),
    QUADRANTS[(False, True)]: (0.01, 0.99, "left", "top"),
    QUADRANTS[(False, False)]: (0.01, 0.01, "left", "bottom"),
}
#: More points than this and names are left to hover and the table (they would cover the plot).
MAX_LABELLED = 20
#: Nominal plot area and label font (px), used only to keep point labels from overlapping.
PLOT_W_PX, PLOT_H_PX, CHAR_PX, LINE_PX, MARKER_PX, GAP_PX = 640.0, 420.0, 6.6, 15.0, 12.0, 6.0
LABEL_POSITIONS = ("middle right", "middle left", "top center", "bottom center", "top right",
                   "bottom right", "top left", "bottom left")
FIGURE_HEIGHT_PX = 600
DECIMALS = 2
#: Whether an area's 95% interval lies clear of England's figure.
VERSUS_HIGHER, VERSUS_LOWER, VERSUS_OVERLAPS = ("higher (clear)", "lower (clear)",
                                                "overlaps England")


def _fmt(value: float, decimals: int = DECIMALS) -> str:
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


def _label_positions(x: np.ndarray, y: np.ndarray, names: list[str], x_range, y_range
                     ) -> list[str]:
    # Greedy: each label takes the first position whose box overlaps no marker and no label
    # placed before it (else the least overlap), in nominal pixels of the plot area.
    px = (x - x_range[0]) / (x_range[1] - x_range[0]) * PLOT_W_PX
    py = (y - y_range[0]) / (y_range[1] - y_range[0]) * PLOT_H_PX
    half = MARKER_PX / 2
    markers = [(a - half, b - half, a + half, b + half) for a, b in zip(px, py, strict=True)]
    boxes: list[tuple] = []
    chosen = []
    for a, b, name in zip(px, py, names, strict=True):
        w, h = CHAR_PX * len(name), LINE_PX
        best, best_cost = LABEL_POSITIONS[0], math.inf
        for position in LABEL_POSITIONS:
            vertical, horizontal = position.split()
            left = {"right": a + GAP_PX, "left": a - GAP_PX - w, "center": a - w / 2}[horizontal]
            bottom = {"middle": b - h / 2, "top": b + GAP_PX, "bottom": b - GAP_PX - h}[vertical]
            box = (left, bottom, left + w, bottom + h)
            cost = sum(_overlap(box, other) for other in boxes + markers)
            cost += 4 * (max(0, -box[0]) + max(0, box[2] - PLOT_W_PX)) * h
            cost += 4 * (max(0, -box[1]) + max(0, box[3] - PLOT_H_PX)) * w
            if cost < best_cost:
                best, best_cost, best_box = position, cost, box
            if cost == 0:
                break
        boxes.append(best_box)
        chosen.append(best)
    return chosen


def _overlap(a: tuple, b: tuple) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _axis_range(centres, lowers, uppers, reference: float) -> list[float]:
    points = [v for v in [*centres, *lowers, *uppers, reference] if math.isfinite(v)]
    low, high = (min(points), max(points)) if points else (0.0, 1.0)
    pad = max((high - low) * 0.08, 0.05)
    return [low - pad, high + pad]


def scatter_figure(table: pd.DataFrame, x_measure: str, england: tuple[float, float],
                   synthetic: bool = True, message: str = "") -> go.Figure:
    """Return the capacity x support scatter: one trace per quadrant, intervals, England lines.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`quadrant_table`; only placed areas are drawn.
    x_measure : {"score", "index"}
    england : (float, float)
        England's capacity score and support use: the lines that split the quadrants (the
        index splits at 0, the average of the areas).
    synthetic : bool
        Whether to say the figures are synthetic demo data (title and hover).
    message : str
        Shown in the middle of an empty plot (e.g. why nothing can be placed).
    """
    placed = table[table["placed"]]
    x_ref = 0.0 if x_measure == X_INDEX else england[0]
    x_range = _axis_range(placed["x"], placed["x_lower"], placed["x_upper"], x_ref)
    y_range = _axis_range(placed["support"], placed["support_lower"], placed["support_upper"],
                          england[1])
    labelled = len(placed) <= MAX_LABELLED
    positions = pd.Series(_label_positions(
        placed["x"].to_numpy(), placed["support"].to_numpy(), placed["name"].tolist(), x_range,
        y_range) if labelled else "middle right", index=placed.index, dtype=object)
    demo = f"<br><i>{SYNTHETIC_LABEL}</i>" if synthetic else ""
    figure = go.Figure()
    for quadrant, (colour, symbol) in QUADRANT_STYLE.items():
        part = placed[placed["quadrant"] == quadrant]
        has_x_bars = part["x_upper"].notna().any()
        figure.add_trace(go.Scatter(
            x=part["x"], y=part["support"], name=sentence(quadrant), customdata=part.index,
            mode="markers+text" if labelled else "markers",
            text=part["name"] if labelled else None,
            textposition=positions.reindex(part.index).tolist() if labelled else None,
            textfont={"size": 11, "color": "#222"}, cliponaxis=False,
            marker={"color": colour, "symbol": symbol, "size": 11,
                    "line": {"color": "#ffffff", "width": 1}},
            error_x={"type": "data", "array": part["x_upper"] - part["x"],
                     "arrayminus": part["x"] - part["x_lower"], "color": colour,
                     "thickness": 1.2, "width": 3, "visible": bool(has_x_bars)},
            error_y={"type": "data", "array": part["support_upper"] - part["support"],
                     "arrayminus": part["support"] - part["support_lower"], "color": colour,
                     "thickness": 1.2, "width": 3},
            hovertext=[_hover(r) + demo for _, r in part.iterrows()],
            hoverinfo="text",
        ))
    _reference_lines(figure, x_ref, england[1], x_measure)
    x_title = (X_MEASURES[X_INDEX] + " (0 = average of the areas)" if x_measure == X_INDEX
               else X_MEASURES[X_SCORE] + ", with 95% interval")
    figure.update_layout(
        height=FIGURE_HEIGHT_PX, template="plotly_white", margin={"l": 70, "r": 70, "t": 40,
                                                                   "b": 60},
        xaxis={"title": {"text": x_title}, "range": x_range, "zeroline": False},
        yaxis={"title": {"text": "Kinds of support used per organisation (0 to 10), with 95% "
                                 "interval"}, "range": y_range, "zeroline": False},
        legend={"title": {"text": "Quadrant (symbol and colour)"}, "orientation": "h",
                "y": -0.14, "x": 0},
        hoverlabel={"align": "left"},
    )
    if message:
        figure.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper",
                              showarrow=False, font={"size": 14}, bgcolor="#fff3cd")
    return figure


def _reference_lines(figure: go.Figure, x_ref: float, y_ref: float, x_measure: str) -> None:
    x_name = "Average of the areas (0)" if x_measure == X_INDEX else f"England {_fmt(x_ref)}"
    line = {"color": ENGLAND_LINE, "width": 1.2, "dash": "dash"}
    if math.isfinite(x_ref):
        figure.add_shape(type="line", x0=x_ref, x1=x_ref, y0=0, y1=1, xref="x",
                         yref="y domain", line=line)
        figure.add_annotation(text=x_name, x=x_ref, y=1, xref="x", yref="y domain",
                              yanchor="bottom", showarrow=False, font={"size": 11})
    if math.isfinite(y_ref):
        figure.add_shape(type="line", x0=0, x1=1, y0=y_ref, y1=y_ref, xref="x domain",
                         yref="y", line=line)
        figure.add_annotation(text=f"England<br>{_fmt(y_ref)}", x=1, y=y_ref,
                              xref="x domain", yref="y", xanchor="left", xshift=4,
                              showarrow=False, font={"size": 11}, align="left")
    for quadrant, (x, y, xanchor, yanchor) in QUADRANT_CORNERS.items():
        colour, _symbol = QUADRANT_STYLE[quadrant]
        figure.add_annotation(text=f"<b>{sentence(quadrant)}</b>", x=x, y=y, xref="x domain",
                              yref="y domain", xanchor=xanchor, yanchor=yanchor,
                              showarrow=False, font={"size": 11, "color": colour},
                              bgcolor="rgba(255,255,255,0.8)")


def _hover(r: pd.Series) -> str:
    rank = (f"<br>Capacity index {_fmt(r['index'])}, rank {_fmt(r['rank'], 0)} "
            f"(interval {rank_interval_text(r['rank_lower'], r['rank_upper'])})"
            if math.isfinite(r["rank"]) else "")
    return (f"<b>{r['name']}</b><br>Capability score {_fmt(r['capacity'])} "
            f"({_interval_text(r['capacity_lower'], r['capacity_upper'])})<br>Support kinds "
            f"used {_fmt(r['support'])} ({_interval_text(r['support_lower'], r['support_upper'])})"
            f"{rank}<br>{_fmt(r['n_orgs'], 0)} organisations<br>{sentence(r['quadrant'])}")


def rank_interval_text(lower: float, upper: float) -> str:
    """Return a rank interval as ``"2–5"`` (``"3"`` when it is a single rank, "" if none)."""
    if not (math.isfinite(lower) and math.isfinite(upper)):
        return ""
    return f"{lower:.0f}" if lower == upper else f"{lower:.0f}–{upper:.0f}"


def _interval_text(lower: float, upper: float) -> str:
    return f"{_fmt(lower)} to {_fmt(upper)}" if math.isfinite(lower) else ""


def table_rows(table: pd.DataFrame) -> list[dict]:
    """Return the grid rows of the placed areas: the numbers the scatter shows, as text too."""
    rows = []
    for code, r in table[table["placed"]].iterrows():
        rows.append({
            "code": code, "area": r["name"], "capacity": _round(r["capacity"]),
            "capacity_ci": _interval_text(r["capacity_lower"], r["capacity_upper"]),
            "capacity_vs_england": r["capacity_vs_england"], "support": _round(r["support"]),
            "support_ci": _interval_text(r["support_lower"], r["support_upper"]),
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


@dataclass
class QuadrantResult:
    """Everything the page shows for one view."""

    level: str
    level_note: str
    weights: dict | None
    weight_message: str
    table: pd.DataFrame
    figure: go.Figure
    caption: str
    synthetic: bool


def build_view(values: pd.DataFrame, view: QuadrantView, data_dir: Path | None = None
               ) -> QuadrantResult:
    """Compute the whole quadrant view (level, weights, table, figure, caption) for a state."""
    level, note = choose_level(values, view)
    weights, message = checked_weights(view.weights)
    table = quadrant_table(values, level, view.wave, view.x_measure, weights, data_dir)
    england = england_figures(values, view.wave)
    synthetic = is_synthetic(values, view.wave)
    empty = ""
    if not table["placed"].any():
        empty = ("No valid weights: no capacity index to plot" if weights is None
                 and view.x_measure == X_INDEX else "No area can be placed: see the list below")
    figure = scatter_figure(table, view.x_measure, england, synthetic, empty)
    caption = _caption(table, level, view, england)
    return QuadrantResult(level, note, weights, message, table, figure, caption, synthetic)


def _caption(table: pd.DataFrame, level: str, view: QuadrantView, england) -> str:
    n = int(table["placed"].sum())
    split = ("at 0, the average of the areas, on the index" if view.x_measure == X_INDEX
             else f"at England's capability score ({_fmt(england[0])})")
    bars = ("Vertical bars are 95% intervals; the index has no sampling interval, its "
            "uncertainty from the weights is the rank interval in the table."
            if view.x_measure == X_INDEX else "Bars are 95% intervals.")
    noun = LEVELS[level].lower()
    noun = noun if n != 1 else noun[:-1]
    return (f"{n} {noun} placed, wave {view.wave}. Quadrants split {split} and at England's "
            f"support use ({_fmt(england[1])} kinds). {bars} An area whose bar "
            "crosses a dashed line is not clearly on one side of England.")
