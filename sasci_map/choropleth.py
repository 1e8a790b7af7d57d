"""The council choropleth: a plotly figure whose geometry is fetched once, values patched."""

from __future__ import annotations

import copy
import functools
import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from sasci_map.classing import (
    BENCHMARK,
    CLASS_METHODS,
    COLOUR_MODES,
    CONTINUOUS,
    QUANTILES,
    class_of,
    classify,
)
from sasci_map.comparison import POLARITY_WORDS
from sasci_map.map_hover import counts_organisations, state_hover, value_hover
from sasci_map.palette import (
    BENCHMARK_COLOURS,
    BENCHMARK_LABELS,
    SEQUENTIAL_5,
    STATUS_COLOURS,
    STATUS_LABELS,
    STATUS_MISSING,
    STATUS_NO_RESPONSE,
    STATUS_OUTLINES,
    STATUS_SUPPRESSED,
    STATUS_VALUE,
)

#: Councils without a value: a mid grey that no palette class uses, named in the legend.
MISSING_COLOUR = "#9e9e9e"
BORDER_COLOUR = "#ffffff"
BORDER_WIDTH = 0.5
#: Outline of councils coloured "not compared" (white) in benchmark mode, so they stay visible.
NOT_COMPARED_BORDER = "#8a8a8a"
#: Index of each trace in the figure: the grey "no value" layer under the coloured values.
MISSING_TRACE, VALUES_TRACE = 0, 1
#: The map page's figure (``map_figure(..., state_layers=True)``) draws each state without a
#: value on its own layer: "not available" on the first trace, the others over the values (the
#: suppressed layer last, so its dark outline is never hidden under a neighbour's border).
NO_RESPONSE_TRACE, SUPPRESSED_TRACE = 2, 3
STATE_TRACES = {STATUS_MISSING: MISSING_TRACE, STATUS_NO_RESPONSE: NO_RESPONSE_TRACE,
                STATUS_SUPPRESSED: SUPPRESSED_TRACE}
#: Legend order of the states without a value.
NO_VALUE_STATES = (STATUS_SUPPRESSED, STATUS_NO_RESPONSE, STATUS_MISSING)
#: How the legend reads a polarity: darker is always higher; this says which way is better.
DIRECTION_TEXT = {
    "higher_is_better": "darker = higher; higher is better",
    "lower_is_better": "darker = higher; lower is better",
    "neutral": "darker = higher; neither direction is better",
}
#: Most decimals a legend bound gets (scores of 1 to 5 pooled by region can be close).
MAX_LEGEND_DECIMALS = 3
#: Ticks on the colour bar of the continuous scale.
CONTINUOUS_TICKS = 5
#: England, in lon/lat, as the initial view (the map fits these ranges).
ENGLAND_LON = (-6.5, 2.0)
ENGLAND_LAT = (49.85, 55.85)
#: Margin added around a region's bounds when zooming, in degrees.
ZOOM_PAD_DEG = 0.25
MAP_HEIGHT_PX = 680
#: The map's share of the figure width; the colour bar sits in the rest.
GEO_DOMAIN_X = (0.0, 0.8)


def legend_decimals(bounds) -> int:
    """Return the fewest decimals (1 to 3; 0 from 1,000) that keep distinct bounds distinct."""
    values = sorted({float(b) for b in bounds})
    if values and min(abs(v) for v in values) >= 1000:
        return 0
    for decimals in range(1, MAX_LEGEND_DECIMALS):
        if len({round(v, decimals) for v in values}) == len(values):
            return decimals
    return MAX_LEGEND_DECIMALS


def _legend_number(value: float, unit: str, decimals: int | None = None) -> str:
    if decimals is None:
        decimals = 0 if abs(value) >= 1000 else 1
    text = f"{value:,.{decimals}f}"
    return f"{text}%" if unit == "%" else text


def rank_values(values: pd.Series) -> pd.Series:
    """Rank values, 1 = highest, ties sharing the best rank; NaN stays unranked."""
    return values.rank(ascending=False, method="min")


def map_state(frame: pd.DataFrame, definition: dict, method: str = QUANTILES,
              basis: pd.Series | None = None, value_label: str = "Value") -> dict[str, Any]:
    """Compute everything the map shows for one indicator: colours, legend and hover text.

    Councils with a value are drawn on the values trace, coloured by ``method``; every other
    council is drawn on the layer of its state (suppressed, no response, not available), each
    with its own fill and outline (:data:`STATE_TRACES`), so a figure of
    :func:`map_figure` with ``state_layers=True`` is needed.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per council: ``code, name, region_name, value, lower, upper, status,
        status_reason`` (``value`` is NaN where status is not ``"value"``); optional ``rank``
        (NaN = unranked), ``denominator`` and ``vs_england`` (needed for ``benchmark``).
    definition : dict
        The indicator's definition: ``short_title``, ``unit``, ``polarity``.
    method : str
        One of ``sasci_map.classing.COLOUR_MODES``.
    basis : pandas.Series, optional
        The values that set the classes or the scale (default: the councils' own values). The
        pooled view passes the 9 region figures, so a region counts once, not per council.
    value_label : str
        What hover text calls the value (e.g. "Region value, pooled").

    Returns
    -------
    dict
        ``updates``: (path, value) pairs to set on the figure (the same pairs a
        ``dash.Patch`` applies); ``legend``: rows (label, colour, count, optional gradient)
        of the coloured councils; ``states``: rows (status, label, colour, outline, count) of
        the others; ``counts`` by status; ``n_value``; ``method_title``; ``direction``;
        ``note``; ``unit``.
    """
    unit = definition.get("unit", "") or ""
    has_value = frame["status"].eq(STATUS_VALUE) & frame["value"].notna()
    valued = frame.loc[has_value].reset_index(drop=True)
    if basis is None:
        basis = valued["value"]
    basis = pd.Series(basis, dtype="float64").dropna()
    if method == BENCHMARK:
        colouring = _benchmark_colouring(valued, definition.get("polarity", "neutral"))
    elif method == CONTINUOUS:
        colouring = _continuous_colouring(valued, basis, unit)
    else:
        colouring = _classed_colouring(valued, basis, method, unit)
    hover = value_hover(valued, unit, value_label,
                        organisations=counts_organisations(definition))
    title = definition.get("short_title", "")
    unit_text = f" ({unit})" if unit and f"({unit})" not in title else ""
    colouring["colorbar_title"] = f"{title}{unit_text}<br><sup>{colouring['method_title']}</sup>"
    state = layered_state(frame, valued["code"].tolist(), hover, colouring)
    direction = "" if method == BENCHMARK else DIRECTION_TEXT.get(definition.get("polarity"), "")
    state.update(direction=direction, unit=unit)
    return state


def layered_state(frame: pd.DataFrame, codes: list[str], hover: tuple[str, list],
                  colouring: dict[str, Any]) -> dict[str, Any]:
    """Assemble the figure updates and legend of a map: one values trace, three state layers.

    Parameters
    ----------
    frame : pandas.DataFrame
        Every council: ``code, name, region_name, status, status_reason``.
    codes : list of str
        The coloured councils.
    hover : tuple
        (hover template, ``customdata`` in the order of ``codes``) of the coloured councils:
        see :func:`value_hover`.
    colouring : dict
        ``z, colorscale, zmin, zmax, tickvals, ticktext, colorbar_title, legend,
        method_title``, optional ``border`` ((colour, width)) and ``note``.

    Returns
    -------
    dict
        See :func:`map_state`.
    """
    v = VALUES_TRACE
    border_colour, border_width = colouring.get("border", (BORDER_COLOUR, BORDER_WIDTH))
    updates: list[tuple[tuple, Any]] = [
        (("data", v, "locations"), codes),
        (("data", v, "z"), colouring["z"]),
        (("data", v, "hovertemplate"), hover[0]),
        (("data", v, "customdata"), hover[1]),
        (("data", v, "colorscale"), colouring["colorscale"]),
        (("data", v, "zmin"), colouring["zmin"]),
        (("data", v, "zmax"), colouring["zmax"]),
        (("data", v, "marker", "line"), {"color": border_colour, "width": border_width}),
        (("data", v, "colorbar", "tickvals"), colouring["tickvals"]),
        (("data", v, "colorbar", "ticktext"), colouring["ticktext"]),
        (("data", v, "colorbar", "title", "text"), colouring["colorbar_title"]),
    ]
    counts = {STATUS_VALUE: len(codes)}
    states = []
    for status in NO_VALUE_STATES:
        rows = frame.loc[frame["status"] == status]
        trace = STATE_TRACES[status]
        template, customdata = state_hover(status, rows["status_reason"].fillna("").tolist())
        updates += [
            (("data", trace, "locations"), rows["code"].tolist()),
            (("data", trace, "z"), [0] * len(rows)),
            (("data", trace, "hovertemplate"), template),
            (("data", trace, "customdata"), customdata),
        ]
        counts[status] = int(len(rows))
        outline, width = STATUS_OUTLINES[status]
        states.append({"status": status, "label": STATUS_LABELS[status],
                       "colour": STATUS_COLOURS[status], "outline": outline, "width": width,
                       "count": int(len(rows))})
    return {"updates": updates, "legend": colouring["legend"], "states": states,
            "counts": counts, "n_value": len(codes), "method_title": colouring["method_title"],
            "note": colouring.get("note", ""), "direction": "", "unit": ""}


def _classed_colouring(valued: pd.DataFrame, basis: pd.Series, method: str, unit: str) -> dict:
    if basis.empty or valued.empty:
        return _no_colouring(CLASS_METHODS.get(method, ""))
    classes = classify(basis.to_numpy(), method)
    k = classes.k
    colours = list(SEQUENTIAL_5[-k:]) if k < len(SEQUENTIAL_5) else list(SEQUENTIAL_5)
    z = class_of(valued["value"].to_numpy(), classes).tolist()
    decimals = legend_decimals([*classes.lower, *classes.bins])
    labels = [_legend_number(hi, unit, decimals) if lo == hi else
              f"{_legend_number(lo, unit, decimals)} – {_legend_number(hi, unit, decimals)}"
              for lo, hi in zip(classes.lower, classes.bins, strict=True)]
    legend = [{"label": lab, "colour": col, "count": z.count(i)}
              for i, (lab, col) in enumerate(zip(labels, colours, strict=True))]
    return {"z": z, "colorscale": stepped_colorscale(colours), "zmin": -0.5, "zmax": k - 0.5,
            "tickvals": list(range(k)), "ticktext": labels, "legend": legend,
            "method_title": classes.title}


def _continuous_colouring(valued: pd.DataFrame, basis: pd.Series, unit: str) -> dict:
    if basis.empty or valued.empty:
        return _no_colouring(COLOUR_MODES[CONTINUOUS])
    low, high = float(basis.min()), float(basis.max())
    if high == low:
        high = low + 1.0
    ticks = [low + (high - low) * i / (CONTINUOUS_TICKS - 1) for i in range(CONTINUOUS_TICKS)]
    decimals = legend_decimals(ticks)
    n = len(SEQUENTIAL_5)
    scale = [[i / (n - 1), colour] for i, colour in enumerate(SEQUENTIAL_5)]
    gradient = f"linear-gradient(to right, {', '.join(SEQUENTIAL_5)})"
    legend = [{"label": f"{_legend_number(low, unit, decimals)} (lightest) to "
                        f"{_legend_number(float(basis.max()), unit, decimals)} (darkest)",
               "colour": SEQUENTIAL_5[-1], "gradient": gradient, "count": int(len(valued))}]
    return {"z": valued["value"].round(6).tolist(), "colorscale": scale, "zmin": low,
            "zmax": high, "tickvals": ticks,
            "ticktext": [_legend_number(t, unit, decimals) for t in ticks],
            "legend": legend, "method_title": COLOUR_MODES[CONTINUOUS]}


def benchmark_order(polarity: str) -> list[str]:
    """Return the benchmark words of a polarity in legend order, "" (not compared) last."""
    words = POLARITY_WORDS.get(polarity, POLARITY_WORDS["neutral"])
    return [words["higher"] if polarity == "higher_is_better" else words["lower"],
            words["similar"],
            words["lower"] if polarity == "higher_is_better" else words["higher"], ""]


def _benchmark_colouring(valued: pd.DataFrame, polarity: str) -> dict:
    order = benchmark_order(polarity)
    flags = valued["vs_england"].fillna("").tolist() if "vs_england" in valued else \
        [""] * len(valued)
    colouring = categorical_colouring(
        flags, order, [BENCHMARK_COLOURS[w] for w in order], [BENCHMARK_LABELS[w] for w in order],
        COLOUR_MODES[BENCHMARK])
    colouring["border"] = (NOT_COMPARED_BORDER, BORDER_WIDTH)
    if flags.count("") == len(flags) and flags:
        colouring["note"] = ("No council figure could be compared with England: this indicator "
                             "has no interval or no England figure. Choose quintiles to see "
                             "its spread.")
    elif "" in flags:
        colouring["note"] = ("Not compared: a value without an interval, or no England figure "
                             "to compare with.")
    return colouring


def categorical_colouring(categories: list[str], order: list[str], colours: list[str],
                          labels: list[str], title: str) -> dict[str, Any]:
    """Colour councils by a category (a benchmark word, a coverage class): one step each.

    Parameters
    ----------
    categories : list of str
        Category of each coloured council; each must be one of ``order``.
    order, colours, labels : list of str
        The categories in legend order, their colours and their legend labels.
    title : str
        The colouring's name, for the legend and colour bar.

    Returns
    -------
    dict
        The ``colouring`` :func:`layered_state` takes.
    """
    index = {c: i for i, c in enumerate(order)}
    z = [index[c] for c in categories]
    legend = [{"label": lab, "colour": col, "count": z.count(i)}
              for i, (lab, col) in enumerate(zip(labels, colours, strict=True))]
    return {"z": z, "colorscale": stepped_colorscale(colours), "zmin": -0.5,
            "zmax": len(order) - 0.5, "tickvals": list(range(len(order))),
            "ticktext": [lab.split(" (")[0] for lab in labels], "legend": legend,
            "method_title": title}


def _no_colouring(title: str) -> dict:
    return {"z": [], "colorscale": stepped_colorscale([MISSING_COLOUR]), "zmin": -0.5,
            "zmax": 0.5, "tickvals": [], "ticktext": [], "legend": [], "method_title": title}


def stepped_colorscale(colours: list[str]) -> list[list]:
    """Return a plotly colorscale with one flat step per class (no blending between classes)."""
    k = len(colours)
    if k == 1:
        return [[0.0, colours[0]], [1.0, colours[0]]]
    scale = []
    for i, colour in enumerate(colours):
        scale.append([i / k, colour])
        scale.append([(i + 1) / k, colour])
    return scale


def apply_updates(figure: dict, updates: list[tuple[tuple, Any]]) -> dict:
    """Set each (path, value) of ``updates`` on a figure dict, creating nested dicts as needed."""
    for path, value in updates:
        node = figure
        for key in path[:-1]:
            node = node[key] if isinstance(key, int) else node.setdefault(key, {})
        node[path[-1]] = value
    return figure


def _mercator_y(lat_deg: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat_deg) / 2))


def _inverse_mercator_y(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def fit_ranges(bounds: tuple[float, float, float, float], aspect: float
               ) -> tuple[tuple[float, float], tuple[float, float]]:
    """Widen lon/lat bounds so that, in Mercator, their width/height equals ``aspect``.

    Plotly fits the ranges inside the frame; matching the frame's aspect makes the area of
    interest fill it, centred, instead of leaving a narrow strip at one side.
    """
    minx, miny, maxx, maxy = bounds
    x0, x1 = math.radians(minx), math.radians(maxx)
    y0, y1 = _mercator_y(miny), _mercator_y(maxy)
    width, height = x1 - x0, y1 - y0
    if width / height < aspect:
        grow = (height * aspect - width) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = (width / aspect - height) / 2
        y0, y1 = y0 - grow, y1 + grow
    return ((math.degrees(x0), math.degrees(x1)),
            (_inverse_mercator_y(y0), _inverse_mercator_y(y1)))


def _england_ranges() -> tuple[tuple[float, float], tuple[float, float]]:
    return ENGLAND_LON, ENGLAND_LAT


def zoom_updates(bounds: tuple[float, float, float, float] | None) -> list[tuple[tuple, Any]]:
    """Return the layout updates that fit the map to ``bounds`` (England when None).

    The axis ranges always frame England (plotly sizes the map frame to them); a region is
    shown by centring on it and scaling the projection until it fills that frame, which plotly
    applies without re-sending the geometry.
    """
    (ex0, ex1), (ey0, ey1) = _england_ranges()
    aspect = (math.radians(ex1) - math.radians(ex0)) / (_mercator_y(ey1) - _mercator_y(ey0))
    if bounds is None:
        lon, lat, scale = (ex0, ex1), (ey0, ey1), 1.0
    else:
        minx, miny, maxx, maxy = bounds
        lon, lat = fit_ranges((minx - ZOOM_PAD_DEG, miny - ZOOM_PAD_DEG, maxx + ZOOM_PAD_DEG,
                               maxy + ZOOM_PAD_DEG), aspect)
        scale = (ex1 - ex0) / (lon[1] - lon[0])
    centre = {"lon": round((lon[0] + lon[1]) / 2, 4),
              "lat": round(_inverse_mercator_y((_mercator_y(lat[0]) + _mercator_y(lat[1])) / 2), 4)}
    return [(("layout", "geo", "center"), centre),
            (("layout", "geo", "projection", "scale"), round(scale, 4))]


def _state_trace(geojson_url: str, status: str) -> go.Choropleth:
    """One state's layer: a flat fill and the state's outline (the cue that is not colour)."""
    colour = STATUS_COLOURS[status]
    outline, width = STATUS_OUTLINES[status]
    return go.Choropleth(geojson=geojson_url, featureidkey="properties.code", hoverinfo="text",
                         locations=[], z=[], name=STATUS_LABELS[status], showscale=False,
                         colorscale=[[0, colour], [1, colour]], zmin=0, zmax=1,
                         marker={"line": {"color": outline, "width": width}})


@functools.lru_cache(maxsize=4)
def _base_figure(geojson_url: str, state_layers: bool) -> dict:
    """Build the figure without values once per process (plotly's validation is slow)."""
    common = dict(geojson=geojson_url, featureidkey="properties.code", hoverinfo="text",
                  marker={"line": {"color": BORDER_COLOUR, "width": 0.5}})
    values = go.Choropleth(
        **common, locations=[], z=[], name="Value",
        colorbar={"thickness": 14, "len": 0.6, "y": 0.55, "x": GEO_DOMAIN_X[1] + 0.02,
                  "xanchor": "left", "outlinewidth": 0},
    )
    if state_layers:
        layers = {status: _state_trace(geojson_url, status) for status in STATE_TRACES}
        traces = [layers[STATUS_MISSING], values, layers[STATUS_NO_RESPONSE],
                  layers[STATUS_SUPPRESSED]]
    else:
        traces = [go.Choropleth(**common, locations=[], z=[], name="No value", showscale=False,
                                colorscale=[[0, MISSING_COLOUR], [1, MISSING_COLOUR]]),
                  values]
    fig = go.Figure(traces)
    fig.update_geos(visible=False, projection_type="mercator", bgcolor="rgba(0,0,0,0)",
                    showframe=False, fitbounds=False, domain={"x": list(GEO_DOMAIN_X), "y": [0, 1]})
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=MAP_HEIGHT_PX,
                      dragmode=False, paper_bgcolor="rgba(0,0,0,0)",
                      hoverlabel={"bgcolor": "white", "font": {"size": 13}})
    figure = fig.to_plotly_json()
    figure["data"] = [dict(trace) for trace in figure["data"]]
    lon, lat = _england_ranges()
    apply_updates(figure, [(("layout", "geo", "lonaxis", "range"), [round(v, 4) for v in lon]),
                           (("layout", "geo", "lataxis", "range"), [round(v, 4) for v in lat])])
    return figure


def map_figure(geojson_url: str, state: dict[str, Any],
               bounds: tuple[float, float, float, float] | None = None,
               state_layers: bool = False) -> dict:
    """Build the choropleth figure as a dict; the geometry is referenced by URL, not embedded.

    Parameters
    ----------
    geojson_url : str
        Same-origin URL of the councils GeoJSON (features keyed by ``properties.code``).
    state : dict
        Output of :func:`map_state`.
    bounds : tuple, optional
        Lon/lat bounds to zoom to (a region); England when omitted.
    state_layers : bool
        False (default): two traces, one grey "no value" layer under the values. True: four
        traces, one per state without a value (:data:`STATE_TRACES`), each with the fill and
        outline of ``palette.STATUS_COLOURS`` / ``STATUS_OUTLINES``, as :func:`map_state`
        fills them.

    Returns
    -------
    dict
        A plotly figure dict ready for ``dcc.Graph``.
    """
    figure = copy.deepcopy(_base_figure(geojson_url, state_layers))
    apply_updates(figure, state["updates"])
    apply_updates(figure, zoom_updates(bounds))
    return figure

