"""Support infrastructure figures: the council coverage map, the organisations-by-type chart."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sasci_map.choropleth import SEQUENTIAL_5, VALUES_TRACE, apply_updates, map_figure

COVERAGE_UNIT = "organisations covering the council"
#: Outline of councils flagged as deserts: a dark orange that stays distinct from the blue-green
#: palette for the common colour-vision deficiencies, drawn thick so shape, not colour, tells.
DESERT_OUTLINE = "#d94801"
DESERT_OUTLINE_WIDTH = 3
TRANSPARENT = "rgba(0,0,0,0)"
#: Index of the desert outline trace, drawn over the two traces of ``choropleth.map_figure``.
OUTLINE_TRACE = 2
#: Longest line of the colour bar's (small-print) type label, in characters: a longer title
#: widens the colour bar and shrinks the map.
COLORBAR_LINE = 32


def _class_ranges(values: np.ndarray) -> list[tuple[int, int]]:
    """One class per distinct count when there are at most five, else five ranges of counts."""
    distinct = np.unique(values)
    if len(distinct) <= len(SEQUENTIAL_5):
        return [(int(v), int(v)) for v in distinct]
    return [(int(g[0]), int(g[-1])) for g in np.array_split(distinct, len(SEQUENTIAL_5))]


def _range_label(lo: int, hi: int) -> str:
    noun = "organisation" if lo == hi == 1 else "organisations"
    return f"{lo} {noun}" if lo == hi else f"{lo}–{hi} {noun}"


def _colorbar_title(type_label: str) -> str:
    """Title the colour bar with the unit, in short lines so it never squeezes the map."""
    title = "Number of organisations<br>covering the council"
    if type_label:
        title += "<br><sup>" + "<br>".join(textwrap.wrap(type_label, COLORBAR_LINE)) + "</sup>"
    return title


def coverage_map_state(counts: pd.DataFrame, flags: pd.DataFrame,
                       type_label: str = "") -> dict[str, Any]:
    """Compute the coverage choropleth: classes, colours, hover text and desert outlines.

    Parameters
    ----------
    counts : pandas.DataFrame
        Output of :func:`sasci_map.infrastructure_views.coverage_counts`.
    flags : pandas.DataFrame
        Output of :func:`sasci_map.infrastructure_views.desert_flags` (the outlined
        councils and their reasons).
    type_label : str
        Label of the counted support type; blank for all types.

    Returns
    -------
    dict
        ``updates`` ((path, value) pairs for the figure, as ``choropleth.map_state`` gives),
        ``legend`` rows (label, colour, count), ``caption`` and ``n_deserts``.
    """
    ranges = _class_ranges(counts["total"].to_numpy())
    k = len(ranges)
    picks = np.linspace(0, len(SEQUENTIAL_5) - 1, k).round().astype(int) if k > 1 else [0]
    colours = [SEQUENTIAL_5[i] for i in picks]
    z = [next(i for i, (lo, hi) in enumerate(ranges) if lo <= t <= hi) for t in counts["total"]]
    hover = [f"<b>{r.name}</b><br>{r.region_name}<br>{r.total} {COVERAGE_UNIT}<br>"
             f"({r.national} national, {r.regional} regional, {r.local} local)"
             for r in counts.itertuples(index=False)]
    desert = flags.loc[flags["desert"]]
    outline_hover = [f"<b>{r.name}</b>: infrastructure desert<br>{r.reasons}"
                     for r in desert.itertuples(index=False)]
    labels = [_range_label(lo, hi) for lo, hi in ranges]
    scale = []
    for i, colour in enumerate(colours):
        scale += [[i / k, colour], [(i + 1) / k, colour]]
    what = f" ({type_label})" if type_label else ""
    v = VALUES_TRACE
    updates: list[tuple[tuple, Any]] = [
        (("data", 0, "locations"), counts["code"].tolist()),
        (("data", 0, "z"), [0] * len(counts)),
        (("data", v, "locations"), counts["code"].tolist()),
        (("data", v, "z"), z), (("data", v, "hovertext"), hover),
        (("data", v, "customdata"), counts["code"].tolist()),
        (("data", v, "colorscale"), scale), (("data", v, "zmin"), -0.5),
        (("data", v, "zmax"), k - 0.5),
        (("data", v, "colorbar", "tickvals"), list(range(k))),
        (("data", v, "colorbar", "ticktext"), labels),
        (("data", v, "colorbar", "title", "text"),
         _colorbar_title(type_label)),
        (("data", OUTLINE_TRACE, "locations"), desert["code"].tolist()),
        (("data", OUTLINE_TRACE, "z"), [1] * len(desert)),
        (("data", OUTLINE_TRACE, "hovertext"), outline_hover),
    ]
    legend = [{"label": lab, "colour": col, "count": z.count(i)}
              for i, (lab, col) in enumerate(zip(labels, colours, strict=True))]
    low, high = int(counts["total"].min()), int(counts["total"].max())
    caption = (f"Number of support organisations{what} covering each of the {len(counts)} "
               f"councils: from {low} to {high}. National bodies count for every council, "
               "regional bodies for the councils of their region, local rows for their council. "
               f"{len(desert)} councils outlined in orange are infrastructure deserts "
               "(rule below; all types).")
    return {"updates": updates, "legend": legend, "caption": caption,
            "n_deserts": int(len(desert))}


def outline_trace(geojson_url: str) -> dict:
    """Return the (empty) trace that outlines desert councils, to append to the map figure.

    Parameters
    ----------
    geojson_url : str
        Same-origin URL of the councils GeoJSON.

    Returns
    -------
    dict
        A plotly choropleth trace dict, filled in by the updates of :func:`coverage_map_state`.
    """
    trace = go.Choropleth(
        geojson=geojson_url, featureidkey="properties.code", locations=[], z=[],
        hoverinfo="text", name="Infrastructure desert", showscale=False,
        colorscale=[[0, TRANSPARENT], [1, TRANSPARENT]],
        marker={"line": {"color": DESERT_OUTLINE, "width": DESERT_OUTLINE_WIDTH}})
    return dict(trace.to_plotly_json())


def coverage_figure(geojson_url: str, state: dict[str, Any]) -> dict:
    """Return the coverage map: the two traces of ``map_figure`` plus the desert outlines.

    Parameters
    ----------
    geojson_url : str
        Same-origin URL of the councils GeoJSON.
    state : dict
        Output of :func:`coverage_map_state`.

    Returns
    -------
    dict
        A plotly figure dict; the geometry is referenced by URL, not embedded.
    """
    figure = map_figure(geojson_url, {"updates": []})
    figure["data"].append(outline_trace(geojson_url))
    return apply_updates(figure, state["updates"])


def type_bar_figure(by_type: pd.DataFrame) -> go.Figure:
    """Return a horizontal bar chart of organisations by support type (typology order).

    Parameters
    ----------
    by_type : pandas.DataFrame
        Output of :func:`sasci_map.infrastructure_views.organisations_by_type`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    frame = by_type.iloc[::-1]
    fig = go.Figure(go.Bar(x=frame["organisations"], y=frame["type_label"], orientation="h",
                           marker_color=SEQUENTIAL_5[3], text=frame["organisations"],
                           textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: %{x} organisations<extra></extra>"))
    fig.update_layout(margin={"l": 10, "r": 30, "t": 10, "b": 40}, height=360,
                      xaxis_title="Organisations in the inventory", yaxis_title=None,
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)")
    fig.update_xaxes(rangemode="tozero", dtick=5, gridcolor="#e0e0e0")
    return fig
