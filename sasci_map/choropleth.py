"""The council choropleth: a plotly figure whose geometry is fetched once, values patched."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from sasci_map.classing import QUANTILES, classify
from sasci_map.palette import SEQUENTIAL_5

#: Councils without a value: a mid grey that no palette class uses, named in the legend.
MISSING_COLOUR = "#9e9e9e"
BORDER_COLOUR = "#ffffff"
#: Index of each trace in the figure: the grey "no value" layer under the coloured values.
MISSING_TRACE, VALUES_TRACE = 0, 1
#: England, in lon/lat, as the initial view (the map fits these ranges).
ENGLAND_LON = (-6.5, 2.0)
ENGLAND_LAT = (49.85, 55.85)
#: Margin added around a region's bounds when zooming, in degrees.
ZOOM_PAD_DEG = 0.25
MAP_HEIGHT_PX = 680
#: The map's share of the figure width; the colour bar sits in the rest.
GEO_DOMAIN_X = (0.0, 0.8)


def format_value(value: float, unit: str) -> str:
    """Format a value for hover and legend, with its unit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no value"
    decimals = 0 if abs(value) >= 1000 or float(value).is_integer() else 1
    text = f"{value:,.{decimals}f}"
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}" if unit else text


def _legend_number(value: float, unit: str) -> str:
    decimals = 0 if abs(value) >= 1000 else 1
    text = f"{value:,.{decimals}f}"
    return f"{text}%" if unit == "%" else text


def rank_values(values: pd.Series) -> pd.Series:
    """Rank values, 1 = highest, ties sharing the best rank; NaN stays unranked."""
    return values.rank(ascending=False, method="min")


def map_state(frame: pd.DataFrame, definition: dict, method: str = QUANTILES) -> dict[str, Any]:
    """Compute everything the map shows for one indicator: classes, colours and hover text.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per council: ``code, name, region_name, value, lower, upper, status,
        status_reason`` (``value`` is NaN where status is not ``"value"``).
    definition : dict
        The indicator's definition: ``short_title``, ``unit``, ``period``, ``title``.
    method : str
        Class method (see ``sasci_map.classing.CLASS_METHODS``).

    Returns
    -------
    dict
        ``updates``: list of (path, value) pairs to set on the figure (the same pairs a
        ``dash.Patch`` applies), plus ``legend`` rows and ``n_value`` / ``n_missing`` counts.
    """
    unit = definition.get("unit", "")
    has_value = frame["status"].eq("value") & frame["value"].notna()
    valued = frame.loc[has_value].reset_index(drop=True)
    ranks = rank_values(valued["value"])
    n_ranked = int(len(valued))
    if n_ranked:
        classes = classify(valued["value"].to_numpy(), method)
        k = classes.k
        colours = list(SEQUENTIAL_5[-k:]) if k < len(SEQUENTIAL_5) else list(SEQUENTIAL_5)
        z = classes.index.tolist()
        labels = [f"{_legend_number(lo, unit)} – {_legend_number(hi, unit)}"
                  for lo, hi in zip(classes.lower, classes.bins, strict=True)]
        counts = classes.counts.tolist()
        method_title = classes.title
    else:
        k, colours, z, labels, counts, method_title = 1, [MISSING_COLOUR], [], [], [], ""
    value_hover = [
        _value_hover(row, int(rank), n_ranked, unit)
        for row, rank in zip(valued.itertuples(index=False), ranks, strict=True)
    ]
    missing_hover = [
        f"<b>{row.name}</b><br>{row.region_name}<br>No value: {row.status_reason or row.status}"
        for row in frame.itertuples(index=False)
    ]
    colorscale = _stepped_colorscale(colours)
    title = definition.get("short_title", "")
    unit_text = f" ({unit})" if unit and f"({unit})" not in title else ""
    colorbar_title = f"{title}{unit_text}<br><sup>{method_title}</sup>"
    v, m = VALUES_TRACE, MISSING_TRACE
    updates: list[tuple[tuple, Any]] = [
        (("data", m, "locations"), frame["code"].tolist()),
        (("data", m, "z"), [0] * len(frame)),
        (("data", m, "hovertext"), missing_hover),
        (("data", v, "locations"), valued["code"].tolist()),
        (("data", v, "z"), z),
        (("data", v, "hovertext"), value_hover),
        (("data", v, "customdata"), valued["code"].tolist()),
        (("data", v, "colorscale"), colorscale),
        (("data", v, "zmin"), -0.5),
        (("data", v, "zmax"), k - 0.5),
        (("data", v, "colorbar", "tickvals"), list(range(k))),
        (("data", v, "colorbar", "ticktext"), labels),
        (("data", v, "colorbar", "title", "text"), colorbar_title),
    ]
    legend = [
        {"label": lab, "colour": col, "count": n}
        for lab, col, n in zip(labels, colours, counts, strict=True)
    ]
    n_missing = int(len(frame) - n_ranked)
    legend.append({"label": "No value (reason on hover)", "colour": MISSING_COLOUR,
                   "count": n_missing})
    return {"updates": updates, "legend": legend, "n_value": n_ranked, "n_missing": n_missing,
            "method_title": method_title, "unit": unit}


def _value_hover(row, rank: int, n_ranked: int, unit: str) -> str:
    interval = ""
    if not (math.isnan(row.lower) or math.isnan(row.upper)):
        interval = f"<br>95% CI {format_value(row.lower, unit)} – {format_value(row.upper, unit)}"
    return (f"<b>{row.name}</b><br>{row.region_name}<br>Value: {format_value(row.value, unit)}"
            f"{interval}<br>Rank {rank} of {n_ranked} (1 = highest)")


def _stepped_colorscale(colours: list[str]) -> list[list]:
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


def map_figure(geojson_url: str, state: dict[str, Any],
               bounds: tuple[float, float, float, float] | None = None) -> dict:
    """Build the choropleth figure as a dict; the geometry is referenced by URL, not embedded.

    Parameters
    ----------
    geojson_url : str
        Same-origin URL of the councils GeoJSON (features keyed by ``properties.code``).
    state : dict
        Output of :func:`map_state`.
    bounds : tuple, optional
        Lon/lat bounds to zoom to (a region); England when omitted.

    Returns
    -------
    dict
        A plotly figure dict ready for ``dcc.Graph``.
    """
    common = dict(geojson=geojson_url, featureidkey="properties.code", hoverinfo="text",
                  marker={"line": {"color": BORDER_COLOUR, "width": 0.5}})
    missing = go.Choropleth(
        **common, locations=[], z=[], name="No value", showscale=False,
        colorscale=[[0, MISSING_COLOUR], [1, MISSING_COLOUR]],
    )
    values = go.Choropleth(
        **common, locations=[], z=[], name="Value",
        colorbar={"thickness": 14, "len": 0.6, "y": 0.55, "x": GEO_DOMAIN_X[1] + 0.02,
                  "xanchor": "left", "outlinewidth": 0},
    )
    fig = go.Figure([missing, values])
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
    apply_updates(figure, state["updates"])
    apply_updates(figure, zoom_updates(bounds))
    return figure

