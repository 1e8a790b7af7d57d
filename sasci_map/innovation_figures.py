"""Innovation map states and charts: councils by innovations in use, one innovation's spread."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from sasci_map.choropleth import MISSING_TRACE, SEQUENTIAL_5, VALUES_TRACE
from sasci_map.innovation_views import (
    ENDED,
    IN_USE,
    LABEL_SEP,
    LATER,
    NO_RECORD,
    STARTED,
    STATUS_ORDER,
)

UNIT = "innovations in use"
#: Councils with none of the selected innovations in use: near-white with a grey outline, so
#: "none" never reads as the lowest class (the palette starts at its second, darker step).
NONE_COLOUR = "#f5f5f5"
NONE_BORDER = "#8a8a8a"
COUNT_COLOURS = SEQUENTIAL_5[1:]
#: Colour of each status shown on the spread map, in display order (blues for in use,
#: Okabe-Ito orange for ended: distinct under the common colour blindnesses).
STATUS_COLOURS = {STARTED: "#253494", IN_USE: "#41b6c4", ENDED: "#e69f00"}
CHART_BAR, CHART_HIGHLIGHT, CHART_LINE = "#7fcdbb", "#253494", "#e69f00"


def count_classes(max_count: int, k: int = len(COUNT_COLOURS)) -> list[tuple[int, int]]:
    """Return at most ``k`` integer classes ``(low, high)`` covering 1..``max_count``.

    Parameters
    ----------
    max_count : int
        The highest count to cover.
    k : int
        The most classes to make (default one per colour of :data:`COUNT_COLOURS`).

    Returns
    -------
    list of (int, int)
        Inclusive ``(low, high)`` bounds, ascending; empty when ``max_count`` is below 1.
    """
    if max_count < 1:
        return []
    if max_count <= k:
        return [(i, i) for i in range(1, max_count + 1)]
    edges = sorted({math.ceil(max_count * i / k) for i in range(k + 1)})
    return [(lo + 1, hi) for lo, hi in zip(edges[:-1], edges[1:], strict=True)]


def _range_text(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}–{high}"


def _stepped(colours: list[str]) -> list[list]:
    k = len(colours)
    return [[(i + j) / k, c] for i, c in enumerate(colours) for j in (0, 1)]


def count_map_state(frame: pd.DataFrame, n_selected: int) -> dict[str, Any]:
    """Compute the map of how many selected innovations each council has in use.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`sasci_map.innovation_views.councils_in_use`.
    n_selected : int
        How many innovations were selected (for the caption).

    Returns
    -------
    dict
        ``updates`` (path, value) pairs for a :func:`sasci_map.choropleth.map_figure` figure,
        ``legend`` rows (label, colour, count, border), ``caption``, ``unit``.
    """
    some = frame.loc[frame["innovations_in_use"] > 0]
    none = frame.loc[frame["innovations_in_use"] == 0]
    classes = count_classes(int(some["innovations_in_use"].max()) if len(some) else 0)
    colours = list(COUNT_COLOURS[-len(classes):]) if classes else [NONE_COLOUR]
    z = [next(i for i, (lo, hi) in enumerate(classes) if lo <= n <= hi)
         for n in some["innovations_in_use"]]
    ticks = [_range_text(lo, hi) for lo, hi in classes]
    demo = [" (demo data)" if d else "" for d in some["demo_rows"]]
    v, m = VALUES_TRACE, MISSING_TRACE
    updates: list[tuple[tuple, Any]] = [
        (("data", m, "locations"), none["code"].tolist()),
        (("data", m, "z"), [0] * len(none)),
        (("data", m, "colorscale"), [[0, NONE_COLOUR], [1, NONE_COLOUR]]),
        (("data", m, "marker", "line"), {"color": NONE_BORDER, "width": 0.6}),
        (("data", m, "hovertext"), [f"<b>{r.council}</b><br>{r.region}<br>None of the "
                                    "selected innovations in use" for r in
                                    none.itertuples(index=False)]),
        (("data", v, "locations"), some["code"].tolist()),
        (("data", v, "z"), z),
        (("data", v, "customdata"), some["code"].tolist()),
        (("data", v, "hovertext"), [
            f"<b>{r.council}</b><br>{r.region}<br>{_count_text(r.innovations_in_use)}{d}:"
            f"<br>{r.innovations.replace(LABEL_SEP, '<br>')}"
            for r, d in zip(some.itertuples(index=False), demo, strict=True)]),
        (("data", v, "colorscale"), _stepped(colours)),
        (("data", v, "zmin"), -0.5),
        (("data", v, "zmax"), max(len(classes), 1) - 0.5),
        (("data", v, "colorbar", "tickvals"), list(range(len(classes)))),
        (("data", v, "colorbar", "ticktext"), ticks),
        (("data", v, "colorbar", "title", "text"), "Innovations<br>in use"),
    ]
    legend = [{"label": _count_text(lo, hi), "colour": colour,
               "count": sum(1 for i in z if i == k), "border": False}
              for k, ((lo, hi), colour) in enumerate(zip(classes, colours, strict=False))]
    legend.append({"label": "none of the selected in use", "colour": NONE_COLOUR,
                   "count": len(none), "border": True})
    caption = (f"Councils by how many of the {n_selected} selected innovations they have in use "
               f"now. {len(some)} of {len(frame)} councils have at least one; {len(none)} have "
               "none (near-white, outlined). Which councils use an innovation is mostly "
               "synthetic demo data.")
    return {"updates": updates, "legend": legend, "caption": caption, "unit": UNIT}


def _count_text(low: int, high: int | None = None) -> str:
    high = low if high is None else high
    return f"{_range_text(low, high)} innovation{'' if high == 1 else 's'} in use"


def spread_map_state(frame: pd.DataFrame, year: int) -> dict[str, Any]:
    """Compute the map of one innovation in one year.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`sasci_map.innovation_views.councils_in_year`.
    year : int
        The year shown (for the labels and caption).

    Returns
    -------
    dict
        ``updates`` for a :func:`sasci_map.choropleth.map_figure` figure, ``legend`` rows,
        ``caption`` and the ``counts`` of each status.
    """
    shown = list(STATUS_COLOURS)
    coloured = frame.loc[frame["status"].isin(shown)]
    rest = frame.loc[~frame["status"].isin(shown)]
    counts = {s: int((frame["status"] == s).sum()) for s in STATUS_ORDER}

    def hover(r) -> str:
        years = f"from {r.start_year}" + (f" to {r.end_year}" if pd.notna(r.end_year) else "")
        demo = " (demo data)" if r.synthetic else ""
        detail = "" if r.status == NO_RECORD else f"<br>{years}{demo}"
        return f"<b>{r.council}</b><br>{r.region}<br>{year}: {r.status}{detail}"

    v, m = VALUES_TRACE, MISSING_TRACE
    labels = [s if s != ENDED else f"ended before {year}" for s in shown]
    updates: list[tuple[tuple, Any]] = [
        (("data", m, "locations"), rest["code"].tolist()),
        (("data", m, "z"), [0] * len(rest)),
        (("data", m, "colorscale"), [[0, NONE_COLOUR], [1, NONE_COLOUR]]),
        (("data", m, "marker", "line"), {"color": NONE_BORDER, "width": 0.6}),
        (("data", m, "hovertext"), [hover(r) for r in rest.itertuples(index=False)]),
        (("data", v, "locations"), coloured["code"].tolist()),
        (("data", v, "z"), [shown.index(s) for s in coloured["status"]]),
        (("data", v, "customdata"), coloured["code"].tolist()),
        (("data", v, "hovertext"), [hover(r) for r in coloured.itertuples(index=False)]),
        (("data", v, "colorscale"), _stepped(list(STATUS_COLOURS.values()))),
        (("data", v, "zmin"), -0.5),
        (("data", v, "zmax"), len(shown) - 0.5),
        (("data", v, "colorbar", "tickvals"), list(range(len(shown)))),
        (("data", v, "colorbar", "ticktext"), labels),
        (("data", v, "colorbar", "title", "text"), f"Councils<br>in {year}"),
    ]
    legend = [{"label": label, "colour": STATUS_COLOURS[s], "count": counts[s], "border": False}
              for s, label in zip(shown, labels, strict=True)]
    legend.append({"label": "not in use (none recorded, or starts later)",
                   "colour": NONE_COLOUR, "count": len(rest), "border": True})
    caption = (f"In {year}, {counts[STARTED] + counts[IN_USE]} councils had it in use "
               f"({counts[STARTED]} started that year); {counts[ENDED]} had ended it; "
               f"{counts[LATER]} started later. Council rows are mostly synthetic demo data.")
    return {"updates": updates, "legend": legend, "caption": caption, "counts": counts}


def spread_chart(by_year: pd.DataFrame, year: int, name: str) -> go.Figure:
    """Return bars of councils using it each year (``year`` highlighted) and a cumulative line.

    Parameters
    ----------
    by_year : pandas.DataFrame
        Output of :func:`sasci_map.innovation_views.adoption_by_year`.
    year : int
        The highlighted year.
    name : str
        The innovation's name, for the title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    colours = [CHART_HIGHLIGHT if y == year else CHART_BAR for y in by_year["year"]]
    fig = go.Figure([
        go.Bar(x=by_year["year"], y=by_year["in_use"], name="Councils with it in use",
               marker_color=colours, hovertemplate="%{x}: %{y} councils in use<extra></extra>"),
        go.Scatter(x=by_year["year"], y=by_year["ever_adopted"], mode="lines+markers",
                   name="Councils ever adopting it (cumulative)",
                   line={"color": CHART_LINE, "width": 2, "dash": "dash"},
                   hovertemplate="%{x}: %{y} councils ever<extra></extra>"),
    ])
    fig.update_layout(title={"text": f"{name}: councils by year", "font": {"size": 15}},
                      height=340, margin={"l": 50, "r": 10, "t": 40, "b": 40},
                      legend={"orientation": "h", "y": -0.2}, bargap=0.15,
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="white")
    fig.update_xaxes(title_text="Year", dtick=2, showgrid=False)
    fig.update_yaxes(title_text="Councils", rangemode="tozero", gridcolor="#e5e5e5")
    return fig
