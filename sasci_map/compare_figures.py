"""Figures of the compare page: ranked bars with intervals, funnel plot, scatter of two indicators.

Colours come from :mod:`sasci_map.palette`; every figure also says in words what colour says
(legend entries, hover text), and the page gives each a caption and a table.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from sasci_map import funnel
from sasci_map.compare_views import CompareView, FunnelView, Reference, ScatterView
from sasci_map.comparison import POLARITY_WORDS
from sasci_map.map_hover import format_value
from sasci_map.palette import BENCHMARK_COLOURS, BENCHMARK_LABELS, ENGLAND_LINE, REGION_LINE

#: Height of one bar row, and the space around the bars (title, legend, axis), in pixels.
BAR_ROW_PX = 26
FRAME_PX = 190
#: Margins (pixels): room above the plot for two stacked line labels, below for the axis.
TOP_PX, BOTTOM_PX, LEGEND_PX, AXIS_TITLE_PX = 52, 50, 44, 58
LABEL_ROW_PX = 18
#: A line label sits left of its line when the line is in the right part of the axis.
LABEL_FLIP_SHARE = 0.6
MIN_HEIGHT_PX = 320
CHART_HEIGHT_PX = 520
#: Outline of every bar and marker, so pale fills (similar, not compared) stay visible.
OUTLINE = "#444444"
#: Benchmark words in legend order.
BENCHMARK_ORDER = ("better", "higher", "similar", "lower", "worse", "")
NOT_COMPARED_LEGEND = "Not compared with England (no interval)"
#: Funnel limits: both black (the England line's colour), told apart by dash, not colour.
LIMIT_DASH = {funnel.CONFIDENCE_95: "dash", funnel.CONFIDENCE_998: "dot"}
#: Position of a funnel point -> interval-overlap word (then worded by polarity).
POSITION_WORD = {
    funnel.ABOVE_998: "higher", funnel.ABOVE_95: "higher", funnel.WITHIN: "similar",
    funnel.BELOW_95: "lower", funnel.BELOW_998: "lower",
}
POSITION_ORDER = (funnel.ABOVE_998, funnel.ABOVE_95, funnel.WITHIN, funnel.BELOW_95,
                  funnel.BELOW_998)
#: Scatter points are named on the chart up to this many; beyond, only on hover.
MAX_LABELLED_POINTS = 20
FOCUS_SYMBOL, POINT_SYMBOL = "diamond", "circle"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}
GRID = "#e5e5e5"
#: A small white template: plotly's named templates cost most of a second to apply per figure.
TEMPLATE = go.layout.Template(layout={
    "plot_bgcolor": "white", "paper_bgcolor": "white",
    "xaxis": {"gridcolor": GRID, "zerolinecolor": "#9e9e9e", "linecolor": "#9e9e9e",
              "automargin": True},
    "yaxis": {"gridcolor": GRID, "zerolinecolor": "#9e9e9e", "linecolor": "#9e9e9e",
              "automargin": True},
})


def axis_title(definition: dict) -> str:
    """Return a short axis title with the unit ("Aged 65+ (%)", "IMD score (score)")."""
    short, unit = definition["short_title"], definition["unit"]
    return short if not unit or unit in short else f"{short} ({unit})"


def _base(fig: go.Figure, height: int, legend_below: bool = False) -> go.Figure:
    """Apply the shared look; the legend goes above the plot, or below the x axis title."""
    margin = {"l": 10, "r": 30, "t": TOP_PX, "b": BOTTOM_PX + (LEGEND_PX if legend_below else 0)}
    plot_px = max(height - margin["t"] - margin["b"], 1)
    legend = ({"y": -AXIS_TITLE_PX / plot_px, "yanchor": "top"} if legend_below
              else {"y": 1.04, "yanchor": "bottom"})
    fig.update_layout(template=TEMPLATE, height=height, font=FONT, margin=margin,
                      legend={"orientation": "h", "x": 0, "xanchor": "left", **legend},
                      hoverlabel={"namelength": -1})
    return fig


def message_figure(text: str, height: int = MIN_HEIGHT_PX) -> go.Figure:
    """Return an empty chart that says ``text`` (e.g. why nothing can be drawn)."""
    fig = go.Figure(layout={"template": TEMPLATE})
    fig.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 15})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _base(fig, height)


def _line_label(ref: Reference, unit: str, dash: str) -> str:
    style = "solid line" if dash == "solid" else "dashed line"
    return f"{ref.label} ({style}): {format_value(ref.value, unit)}"


def _reference_line(fig: go.Figure, ref: Reference, unit: str, colour: str, dash: str,
                    position: str, vertical: bool = True) -> None:
    """Draw a labelled reference line across the plot (vertical at x, or horizontal at y)."""
    if not ref.present:
        return
    style = {"line_color": colour, "line_dash": dash, "line_width": 2,
             "annotation_text": _line_label(ref, unit, dash),
             "annotation_position": position, "annotation_font_color": ENGLAND_LINE}
    if vertical:
        fig.add_vline(x=ref.value, **style)
    else:
        fig.add_hline(y=ref.value, **style)


def _bar_reference(fig: go.Figure, ref: Reference, unit: str, colour: str, dash: str,
                   row: int, x_max: float) -> None:
    """Draw a vertical reference line with its label stacked above the plot (row 0, 1...)."""
    if not ref.present:
        return
    fig.add_vline(x=ref.value, line_color=colour, line_dash=dash, line_width=2)
    right = ref.value > LABEL_FLIP_SHARE * x_max
    fig.add_annotation(x=ref.value, y=1, xref="x", yref="paper", yanchor="bottom",
                       yshift=2 + LABEL_ROW_PX * row, xanchor="right" if right else "left",
                       text=_line_label(ref, unit, dash), showarrow=False,
                       font={"color": ENGLAND_LINE, "size": 12})


def _label(row, bold: bool) -> str:
    return f"<b>{row.area_name} ▸</b>" if bold else row.area_name


def ranked_bars(view: CompareView) -> go.Figure:
    """Draw horizontal bars of the chosen councils, highest at the top, with 95% intervals.

    Bars are coloured by the figure's benchmark against England (palette.BENCHMARK_COLOURS,
    one legend entry per result); the England line (solid black) and the region line (dashed
    orange) are labelled with their values. The focus council is in bold with a marker.
    Councils without a value are not bars: the page lists them under the chart.
    """
    valued = view.valued
    if valued.empty:
        return message_figure("No council of this selection has a value in this period; "
                              "see the list below.")
    unit = view.unit
    labels = [_label(r, r.focus) for r in valued.itertuples(index=False)]
    valued = valued.assign(label=labels, word=valued["vs_england"].fillna(""))
    fig = go.Figure(layout={"template": TEMPLATE})
    for word in BENCHMARK_ORDER:
        rows = valued.loc[valued["word"].eq(word)]
        if rows.empty:
            continue
        has_ci = rows["lower"].notna() & rows["upper"].notna()
        error = ({"type": "data", "symmetric": False, "color": "#222222", "thickness": 1.5,
                  "width": 4, "array": (rows["upper"] - rows["value"]).where(has_ci).tolist(),
                  "arrayminus": (rows["value"] - rows["lower"]).where(has_ci).tolist()}
                 if has_ci.any() else None)
        hover = [f"<b>{r.area_name}</b><br>{format_value(r.value, unit)}"
                 + (f" (95% CI {format_value(r.lower, unit)} to {format_value(r.upper, unit)})"
                    if not math.isnan(r.lower) else "")
                 + f"<br>{BENCHMARK_LABELS.get(word, '')}"
                 for r in rows.itertuples(index=False)]
        fig.add_trace(go.Bar(
            x=rows["value"], y=rows["label"], orientation="h", error_x=error,
            name=BENCHMARK_LABELS[word] if word else NOT_COMPARED_LEGEND,
            marker={"color": BENCHMARK_COLOURS[word], "line": {"color": OUTLINE, "width": 1}},
            hovertext=hover, hoverinfo="text", meta={"benchmark": word}))
    x_max = max([*valued["upper"].fillna(valued["value"]), view.england.value if
                 view.england.present else 0, view.region.value if view.region.present else 0])
    _bar_reference(fig, view.england, unit, ENGLAND_LINE, "solid", 1, x_max)
    _bar_reference(fig, view.region, unit, REGION_LINE, "dash", 0, x_max)
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed",
                     title=None, automargin=True)
    fig.update_xaxes(title=axis_title(view.definition), rangemode="tozero", zeroline=True)
    fig.update_layout(barmode="overlay", bargap=0.25, showlegend=True,
                      legend_title_text="Compared with England: ")
    return _base(fig, max(MIN_HEIGHT_PX, FRAME_PX + BAR_ROW_PX * len(valued)),
                 legend_below=True)


def funnel_figure(fv: FunnelView, definition: dict, log_x: bool) -> go.Figure:
    """Draw the funnel plot: councils by size and value, England line, 95%/99.8% limits.

    Points outside the 95% limits are named on the chart; points are coloured by where they
    lie (above / within / below, worded by the indicator's polarity) and the focus council
    is a diamond.
    """
    if not fv.drawn:
        return message_figure(fv.note or "No funnel plot for this selection.")
    unit = definition["unit"]
    words = POLARITY_WORDS.get(definition["polarity"], POLARITY_WORDS["neutral"])
    curves = fv.curves
    fig = go.Figure(layout={"template": TEMPLATE})
    fig.add_trace(go.Scatter(x=curves["n"], y=[fv.target] * len(curves), mode="lines",
                             name=f"England: {format_value(fv.target, unit)}",
                             line={"color": ENGLAND_LINE, "width": 2}, hoverinfo="skip"))
    for level in funnel.LEVELS:
        key = funnel.LEVEL_NAMES[level]
        for side in ("upper", "lower"):
            fig.add_trace(go.Scatter(
                x=curves["n"], y=curves[f"{side}_{key.rstrip('%')}"], mode="lines",
                name=f"{key} control limits", legendgroup=key, showlegend=side == "upper",
                line={"color": ENGLAND_LINE, "width": 1.3, "dash": LIMIT_DASH[level]},
                hoverinfo="skip", meta={"limit": key, "side": side}))
    points = fv.points
    for i, position in enumerate(POSITION_ORDER):
        rows = points.loc[points["position"].eq(position)]
        if rows.empty:
            continue
        word = words[POSITION_WORD[position]]
        outside = position != funnel.WITHIN
        text = [r.area_name if outside else "" for r in rows.itertuples(index=False)]
        hover = [f"<b>{r.area_name}</b><br>{format_value(r.value, unit)} from "
                 f"{r.denominator:,.0f}<br>{position}" for r in rows.itertuples(index=False)]
        fig.add_trace(go.Scatter(
            x=rows["denominator"], y=rows["value"], mode="markers+text" if outside else "markers",
            text=text, textposition=["top center", "bottom center"][i % 2],
            textfont={"size": 11}, name=position[0].upper() + position[1:],
            marker={"color": BENCHMARK_COLOURS[word],
                    "size": [13 if f else 9 for f in rows["focus"]],
                    "symbol": [FOCUS_SYMBOL if f else POINT_SYMBOL for f in rows["focus"]],
                    "line": {"color": OUTLINE, "width": 1}},
            hovertext=hover, hoverinfo="text", cliponaxis=False))
    fig.update_xaxes(title=fv.x_title, type="log" if log_x else "linear")
    fig.update_yaxes(title=axis_title(definition))
    return _base(fig, CHART_HEIGHT_PX)


def scatter_figure(sv: ScatterView) -> go.Figure:
    """Draw one indicator against another over the chosen councils, with England lines.

    Councils are named beside their points when there are at most 20; the focus council is a
    diamond. Spearman's rank correlation and n are in the title.
    """
    points = sv.points
    if points.empty:
        return message_figure("No council of this selection has a value on both axes; "
                              "see the list below.")
    dx, dy = sv.x.definition, sv.y.definition
    labelled = len(points) <= MAX_LABELLED_POINTS
    hover = [f"<b>{r.area_name}</b><br>{dx['short_title']}: {format_value(r.x, dx['unit'])}"
             f"<br>{dy['short_title']}: {format_value(r.y, dy['unit'])}"
             for r in points.itertuples(index=False)]
    fig = go.Figure(layout={"template": TEMPLATE})
    fig.add_trace(go.Scatter(
        x=points["x"], y=points["y"], mode="markers+text" if labelled else "markers",
        text=points["area_name"] if labelled else None, textposition="top center",
        textfont={"size": 11}, name="Councils", hovertext=hover, hoverinfo="text",
        marker={"color": BENCHMARK_COLOURS["better"], "opacity": 0.85,
                "size": [14 if f else 10 for f in points["focus"]],
                "symbol": [FOCUS_SYMBOL if f else POINT_SYMBOL for f in points["focus"]],
                "line": {"color": OUTLINE, "width": 1}}, cliponaxis=False))
    _reference_line(fig, sv.x.england, dx["unit"], ENGLAND_LINE, "dash", "top left")
    _reference_line(fig, sv.y.england, dy["unit"], ENGLAND_LINE, "dash", "bottom right",
                    vertical=False)
    fig.update_xaxes(title=f"{axis_title(dx)}, {sv.x.period}")
    fig.update_yaxes(title=f"{axis_title(dy)}, {sv.y.period}")
    fig.update_layout(title={"text": sv.correlation_text(), "x": 0, "font": {"size": 14}},
                      showlegend=False)
    return _base(fig, CHART_HEIGHT_PX)

