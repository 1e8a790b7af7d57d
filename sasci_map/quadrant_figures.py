"""The capacity x support-use scatter: quadrants, intervals, England lines, and the whole view."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sasci_map.palette import BENCHMARK_COLOURS, ENGLAND_LINE, REGION_LINE
from sasci_map.quadrant import QUADRANTS
from sasci_map.quadrant_views import (
    LEVELS,
    X_INDEX,
    X_MEASURES,
    X_SCORE,
    QuadrantView,
    checked_weights,
    choose_level,
    england_figures,
    interval_text,
    is_synthetic,
    number_text,
    quadrant_table,
    rank_interval_text,
    sentence,
)
from sasci_map.tidy import SYNTHETIC_LABEL

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
    x_name = "Average of the areas (0)" if x_measure == X_INDEX else f"England {number_text(x_ref)}"
    line = {"color": ENGLAND_LINE, "width": 1.2, "dash": "dash"}
    if math.isfinite(x_ref):
        figure.add_shape(type="line", x0=x_ref, x1=x_ref, y0=0, y1=1, xref="x",
                         yref="y domain", line=line)
        figure.add_annotation(text=x_name, x=x_ref, y=1, xref="x", yref="y domain",
                              yanchor="bottom", showarrow=False, font={"size": 11})
    if math.isfinite(y_ref):
        figure.add_shape(type="line", x0=0, x1=1, y0=y_ref, y1=y_ref, xref="x domain",
                         yref="y", line=line)
        figure.add_annotation(text=f"England<br>{number_text(y_ref)}", x=1, y=y_ref,
                              xref="x domain", yref="y", xanchor="left", xshift=4,
                              showarrow=False, font={"size": 11}, align="left")
    for quadrant, (x, y, xanchor, yanchor) in QUADRANT_CORNERS.items():
        colour, _symbol = QUADRANT_STYLE[quadrant]
        figure.add_annotation(text=f"<b>{sentence(quadrant)}</b>", x=x, y=y, xref="x domain",
                              yref="y domain", xanchor=xanchor, yanchor=yanchor,
                              showarrow=False, font={"size": 11, "color": colour},
                              bgcolor="rgba(255,255,255,0.8)")


def _hover(r: pd.Series) -> str:
    rank = (f"<br>Capacity index {number_text(r['index'])}, rank {number_text(r['rank'], 0)} "
            f"(interval {rank_interval_text(r['rank_lower'], r['rank_upper'])})"
            if math.isfinite(r["rank"]) else "")
    capacity = interval_text(r["capacity_lower"], r["capacity_upper"])
    support = interval_text(r["support_lower"], r["support_upper"])
    return (f"<b>{r['name']}</b><br>Capability score {number_text(r['capacity'])} "
            f"({capacity})<br>Support kinds used {number_text(r['support'])} ({support})"
            f"{rank}<br>{number_text(r['n_orgs'], 0)} organisations<br>{sentence(r['quadrant'])}")


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
             else f"at England's capability score ({number_text(england[0])})")
    bars = ("Vertical bars are 95% intervals; the index has no sampling interval, its "
            "uncertainty from the weights is the rank interval in the table."
            if view.x_measure == X_INDEX else "Bars are 95% intervals.")
    noun = LEVELS[level].lower()
    noun = noun if n != 1 else noun[:-1]
    return (f"{n} {noun} placed, wave {view.wave}. Quadrants split {split} and at England's "
            f"support use ({number_text(england[1])} kinds). {bars} An area whose bar "
            "crosses a dashed line is not clearly on one side of England.")
