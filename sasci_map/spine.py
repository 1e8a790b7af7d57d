"""The spine chart of a council profile: each indicator against England, as Fingertips draws it.

Each row is one indicator. England (or, where no England figure is loaded, the councils' median)
sits on the centre line; the grey bars are the range of councils (light: lowest to highest;
dark: 25th to 75th percentile); the diamond is the council's region and the circle the council,
coloured by its comparison with England, with its 95 % interval. Each row is scaled on its own:
the furthest of the range ends and the markers from the centre reaches the chart's edge, so rows
are comparable in position (above or below England, inside or outside the range), not in units.
Better is to the right: a lower-is-better indicator is drawn reversed; a neutral one has its
higher values to the right. A council without a value gets its state in words, never a marker.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from sasci_map.palette import (
    BENCHMARK_COLOURS,
    BENCHMARK_LABELS,
    ENGLAND_LINE,
    REGION_LINE,
    STATUS_COLOURS,
    STATUS_VALUE,
)
from sasci_map.profile_views import number_text as _number

CENTRE = 0.5
#: Polarity whose better values are the lower ones: drawn right to left.
REVERSED = "lower_is_better"
#: Pixels per indicator row, and around the rows (legend, axis labels).
ROW_PX = 34
FRAME_PX = 150
#: Share of the width for the spine; the council's value (or state) is written in the rest.
SPINE_DOMAIN = (0.0, 0.55)
TEXT_DOMAIN = (0.59, 1.0)
#: Fixed room for the row labels, so that the spines of every group line up on the page.
LABEL_MARGIN_PX = 280
#: Longer row labels are shortened with "…" (the table gives each indicator's full title).
LABEL_MAX_CHARS = 42
#: The council's state is wrapped at this many characters a line (two lines fit a row).
TEXT_WRAP_CHARS = 34
RANGE_COLOUR = "#d9d9d9"
QUARTILE_COLOUR = "#969696"
#: Outline of the regions' range, drawn where too few councils have a value for theirs.
REGION_RANGE_OUTLINE = STATUS_COLOURS["suppressed"]
MARKER_OUTLINE = "#000000"
#: Trace names (also the legend's words).
RANGE_NAME = "Range of councils: lowest to highest"
QUARTILE_NAME = "Councils' 25th to 75th percentile"
REGION_RANGE_NAME = "Range of the 9 regions (too few councils have a value to show theirs)"
REGION_NAME = "Region"
TEXT_NAME = "This council: value or why there is none"
INTERVAL_NOTE = "Intervals wider than the chart are cut at its edge."


#: Spine-row columns that hold numbers in the indicator's units.
NUMBER_COLUMNS = ("value", "lower", "upper", "centre", "region_value", "council_min",
                  "council_q25", "council_q75", "council_max", "region_min", "region_max")


def _numbers(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return the rows' number columns as float arrays (NaN where missing).

    The spine is drawn from plain arrays: a profile draws a dozen charts of a few rows each,
    where pandas' per-operation overhead cost ten times the arithmetic.
    """
    return {c: rows[c].to_numpy(dtype=float, na_value=np.nan) for c in NUMBER_COLUMNS}


def spine_positions(rows: pd.DataFrame) -> pd.DataFrame:
    """Place every drawn point of every row on the spine's 0-1 scale (0.5 = the centre).

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows of :func:`sasci_map.profile_views.spine_rows` (``polarity, value, lower, upper,
        status, centre, region_value, council_min, council_q25, council_q75, council_max,
        region_min, region_max, range_basis``).

    Returns
    -------
    pandas.DataFrame
        Same index: ``direction`` (+1, or -1 for lower-is-better), ``half_width`` (the
        furthest drawn point from the centre, in the indicator's units; 1 when there is none)
        and ``value, lower, upper, region, range_low, q25, q75, range_high`` as positions, where
        ``position = 0.5 + direction * (x - centre) / (2 * half_width)``. ``lower``/``upper`` and
        ``range_low``/``range_high`` are the left and right ends after any reversal; intervals
        are clipped to 0-1; the range is that of the councils or, failing enough of them, the
        regions (``range_basis``); quartiles only for councils. NaN where nothing is drawn.
    """
    n = _numbers(rows)
    nothing = np.full(len(rows), np.nan)
    direction = np.where(rows["polarity"].to_numpy(dtype=object) == REVERSED, -1.0, 1.0)
    basis = rows["range_basis"].to_numpy(dtype=object)
    councils, regions = basis == "councils", basis == "regions"
    has_value = rows["status"].to_numpy(dtype=object) == STATUS_VALUE
    low = np.where(councils, n["council_min"], np.where(regions, n["region_min"], nothing))
    high = np.where(councils, n["council_max"], np.where(regions, n["region_max"], nothing))
    value = np.where(has_value, n["value"], nothing)
    drawn = np.column_stack([low, high, value, n["region_value"]])
    with np.errstate(invalid="ignore"):
        reach = np.fmax.reduce(np.abs(drawn - n["centre"][:, None]), axis=1)
        half = np.where(reach > 0, reach, 1.0)  # NaN (nothing drawn) is not > 0

    def at(x: np.ndarray) -> np.ndarray:
        return CENTRE + direction * (x - n["centre"]) / (2 * half)

    lower, upper = at(n["lower"]), at(n["upper"])
    range_a, range_b = at(low), at(high)
    q25, q75 = at(n["council_q25"]), at(n["council_q75"])
    return pd.DataFrame({
        "direction": direction, "half_width": half,
        "value": at(value),
        "lower": np.where(has_value, np.clip(np.minimum(lower, upper), 0, 1), nothing),
        "upper": np.where(has_value, np.clip(np.maximum(lower, upper), 0, 1), nothing),
        "region": at(n["region_value"]),
        "range_low": np.minimum(range_a, range_b),
        "range_high": np.maximum(range_a, range_b),
        "q25": np.where(councils, np.minimum(q25, q75), nothing),
        "q75": np.where(councils, np.maximum(q25, q75), nothing),
    }, index=rows.index)


def _row_text(row) -> str:
    if row.status != STATUS_VALUE:
        # Two lines fit a row; the hover text and the table below give the state in full.
        lines = textwrap.wrap(row.state, TEXT_WRAP_CHARS, max_lines=2, placeholder=" …")
        return "<br>".join(lines)
    word = BENCHMARK_LABELS.get(row.vs_england, "") if row.vs_england else ""
    word = word[:1].lower() + word[1:]
    return _number(row.value, row.unit) + (f" ({word})" if word else "")


def _hover(row) -> str:
    parts = [f"<b>{row.short_title}</b> ({row.period})"]
    parts.append("This council: " + (_number(row.value, row.unit) if row.status == STATUS_VALUE
                                      else row.state))
    if pd.notna(row.lower) and row.status == STATUS_VALUE:
        parts.append(f"95% interval: {_number(row.lower, row.unit)} to "
                     f"{_number(row.upper, row.unit)}")
    centre = "England" if row.centre_basis == "England" else "Median of councils"
    if pd.notna(row.centre):
        parts.append(f"{centre}: {_number(row.centre, row.unit)}")
    if pd.notna(row.region_value):
        parts.append(f"Region: {_number(row.region_value, row.unit)}")
    if row.range_basis == "councils":
        parts.append(f"Councils ({row.n_councils}): {_number(row.council_min, row.unit)} to "
                     f"{_number(row.council_max, row.unit)}")
    elif row.range_basis == "regions":
        parts.append(f"Council range not shown: {row.n_councils} of 153 councils have a value; "
                     f"regions: {_number(row.region_min, row.unit)} to "
                     f"{_number(row.region_max, row.unit)}")
    return "<br>".join(parts)


def row_labels(rows: pd.DataFrame) -> list[str]:
    """Return the y-axis label of each row: short title, with the unit unless it is "%".

    Labels longer than :data:`LABEL_MAX_CHARS` are shortened at a word with "…".
    """
    labels = []
    for r in rows.itertuples(index=False):
        unit = "" if str(r.unit).startswith("%") or r.unit in r.short_title else f" [{r.unit}]"
        labels.append(textwrap.shorten(f"{r.short_title}{unit}", LABEL_MAX_CHARS,
                                       placeholder="…"))
    return labels


def _list(values: np.ndarray) -> list:
    return [None if np.isnan(v) else float(v) for v in np.asarray(values, dtype=float)]


def _bar(y, low, high, name, colour, width, hover, outline=None) -> dict:
    keep = ~np.isnan(low) & ~np.isnan(high)
    return {
        "type": "bar", "orientation": "h", "y": _list(y[keep]), "base": _list(low[keep]),
        "x": _list((high - low)[keep]), "width": width, "name": name,
        "marker": {"color": colour, "line": {"color": outline or colour,
                                             "width": 1 if outline else 0}},
        "hovertext": [hover[i] for i in np.flatnonzero(keep)], "hoverinfo": "text",
        "showlegend": bool(keep.any())}


def spine_figure(rows: pd.DataFrame, region_name: str = REGION_NAME,
                 council_name: str = "This council") -> dict:
    """Draw the spine chart of some indicator rows (one domain, say) for one council.

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows of :func:`sasci_map.profile_views.spine_rows`, in display order (top first).
    region_name, council_name : str
        Names for the legend.

    Returns
    -------
    dict
        A plotly figure as plain JSON (``data``, ``layout``; ``plotly.graph_objects.Figure``
        accepts it; built as dicts because a profile draws a dozen of these). Traces: the
        councils' range and quartile bars (or the regions' range), an England line,
        the region's diamonds, one circle trace per benchmark result (named e.g. "<council>:
        better than England", with ``error_x`` intervals) and a text trace writing each row's
        value and benchmark, or its state where there is no value. Rows are at y = 0, 1, ...
        (top to bottom); the spine's x axis runs 0-1 with England at 0.5 and better to the right.
    """
    rows = rows.reset_index(drop=True)
    pos = {c: column.to_numpy() for c, column in spine_positions(rows).items()}
    records = list(rows.itertuples(index=False))
    y = np.arange(len(rows), dtype=float)
    nothing = np.full(len(rows), np.nan)
    hover = [_hover(r) for r in records]
    basis = rows["range_basis"].to_numpy(dtype=object)
    councils, regions = basis == "councils", basis == "regions"
    traces = [
        _bar(y, np.where(councils, pos["range_low"], nothing),
             np.where(councils, pos["range_high"], nothing), RANGE_NAME, RANGE_COLOUR, 0.6,
             hover),
        _bar(y, pos["q25"], pos["q75"], QUARTILE_NAME, QUARTILE_COLOUR, 0.6, hover),
        _bar(y, np.where(regions, pos["range_low"], nothing),
             np.where(regions, pos["range_high"], nothing), REGION_RANGE_NAME,
             "rgba(255,255,255,0)", 0.36, hover, REGION_RANGE_OUTLINE),
    ]
    all_england = all(r.centre_basis == "England" for r in records)
    centre_name = "England" if all_england else (
        "Centre: England, or the median of councils where no England figure is loaded")
    traces.append({"type": "scatter", "x": [CENTRE, CENTRE], "y": [-0.5, len(rows) - 0.5],
                   "mode": "lines", "line": {"color": ENGLAND_LINE, "width": 2},
                   "name": centre_name, "hoverinfo": "skip"})
    has_region = ~np.isnan(pos["region"])
    traces.append({
        "type": "scatter", "x": _list(pos["region"][has_region]), "y": _list(y[has_region]),
        "mode": "markers", "name": region_name,
        "marker": {"symbol": "diamond", "size": 10, "color": REGION_LINE,
                   "line": {"color": MARKER_OUTLINE, "width": 1}},
        "hovertext": [hover[i] for i in np.flatnonzero(has_region)], "hoverinfo": "text",
        "showlegend": bool(has_region.any())})
    vs_england = rows["vs_england"].to_numpy(dtype=object)
    for word, label in BENCHMARK_LABELS.items():
        mine = ~np.isnan(pos["value"]) & (vs_england == word)
        if not mine.any():
            continue
        traces.append({
            "type": "scatter", "x": _list(pos["value"][mine]), "y": _list(y[mine]),
            "mode": "markers", "name": f"{council_name}: {label[0].lower() + label[1:]}",
            "marker": {"symbol": "circle", "size": 12, "color": BENCHMARK_COLOURS[word],
                       "line": {"color": MARKER_OUTLINE, "width": 1.2}},
            "error_x": {"type": "data", "symmetric": False, "color": MARKER_OUTLINE,
                        "thickness": 1.2, "width": 4,
                        "array": _list(np.nan_to_num((pos["upper"] - pos["value"])[mine])),
                        "arrayminus": _list(np.nan_to_num((pos["value"] - pos["lower"])[mine]))},
            "hovertext": [hover[i] for i in np.flatnonzero(mine)], "hoverinfo": "text"})
    traces.append({
        "type": "scatter", "x": [0.0] * len(rows), "y": _list(y), "mode": "text",
        "text": [_row_text(r) for r in records], "textposition": "middle right",
        "xaxis": "x2", "name": TEXT_NAME, "showlegend": False, "hovertext": hover,
        "hoverinfo": "text", "textfont": {"size": 11}})
    centre_tick = "England" if all_england else "England / median"
    layout = {
        "barmode": "overlay", "height": FRAME_PX + ROW_PX * len(rows),
        "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
        "margin": {"l": LABEL_MARGIN_PX, "r": 10, "t": 40, "b": 10},
        "hoverlabel": {"align": "left"},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.02, "x": 0,
                   "font": {"size": 11}},
        "xaxis": {"domain": list(SPINE_DOMAIN), "range": [-0.02, 1.02], "side": "top",
                  "tickvals": [0, CENTRE, 1], "showgrid": False, "zeroline": False,
                  "ticktext": ["◀ worse (or lower)", centre_tick, "better (or higher) ▶"],
                  "fixedrange": True},
        "xaxis2": {"domain": list(TEXT_DOMAIN), "range": [0, 1], "visible": False,
                   "fixedrange": True},
        "yaxis": {"tickvals": _list(y), "ticktext": row_labels(rows),
                  "range": [len(rows) - 0.5, -0.5], "showgrid": False, "automargin": False,
                  "fixedrange": True},
        "annotations": [{"text": f"<b>{council_name}</b>", "x": 1.0, "xref": "paper",
                         "xanchor": "right", "y": 1, "yref": "paper", "yanchor": "bottom",
                         "showarrow": False}],
    }
    return {"data": traces, "layout": layout}
