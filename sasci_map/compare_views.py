"""The compare page's view model: the chosen councils' figures, references, funnel and scatter.

A commissioner compares a set of councils on one indicator in one period (wave); which
councils, indicator and wave the page's URL asks for is ``sasci_map/compare_state.py``'s.
Every chosen council stays in view: councils without a value are listed with their state
(suppressed, no response, not available), never dropped silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
from scipy.stats import spearmanr
from sqlalchemy.engine import Engine

from sasci_map import funnel
from sasci_map.geography import councils, regions
from sasci_map.indicators import REASON_NOT_LOADED, catalogue, periods_by_indicator
from sasci_map.map_hover import format_value
from sasci_map.palette import BENCHMARK_LABELS, STATUS_LABELS, STATUS_MISSING, STATUS_VALUE
from sasci_map.tidy import ENGLAND, TIDY_COLUMNS, indicator_table

#: Below this share of chosen councils with a value, the page suggests other views.
SPARSE_SHARE = 0.5
#: Words for the benchmark column when a figure is not compared.
NOT_COMPARED_WORDS = "not compared"


@dataclass(frozen=True)
class Reference:
    """A reference line: its value (NaN when there is none), label and how it was obtained."""

    value: float
    label: str
    note: str = ""

    @property
    def present(self) -> bool:
        """Whether there is a value to draw."""
        return not math.isnan(self.value)


def _pooled(rows: pd.DataFrame, scale: float) -> float:
    """Sum of numerators over sum of denominators of councils that all have both."""
    if rows.empty or not rows["status"].eq(STATUS_VALUE).all():
        return float("nan")
    if rows[["numerator", "denominator"]].isna().any().any():
        return float("nan")
    return float(rows["numerator"].sum() / rows["denominator"].sum() * scale)


def _reference(stored: pd.DataFrame, code: str, name: str, pool: pd.DataFrame,
               unit: str) -> Reference:
    """Return the stored value of ``code``, else its councils pooled (percentages), else none."""
    row = stored.loc[(stored["area_code"] == code) & stored["status"].eq(STATUS_VALUE)]
    if not row.empty:
        return Reference(float(row["value"].iloc[0]), name)
    if unit.startswith(funnel.PERCENT_UNIT_PREFIX):
        value = _pooled(pool, funnel.PERCENT_SCALE)
        if not math.isnan(value):
            return Reference(value, name, f"{name} figure = all its councils' numerators over "
                                          "their denominators")
    return Reference(float("nan"), name, f"no {name} figure is stored for this indicator")


@dataclass
class CompareView:
    """One indicator in one period for the chosen councils, with England and region lines."""

    definition: dict
    period: str
    codes: list[str]
    frame: pd.DataFrame  # tidy rows of the chosen councils (chosen order) + region_name, focus
    england: Reference
    region: Reference
    england_row: dict = field(default_factory=dict)
    description: str = ""

    @property
    def unit(self) -> str:
        """The indicator's unit."""
        return self.definition["unit"]

    @property
    def synthetic(self) -> bool:
        """Whether any figure shown comes from synthetic demo data."""
        return bool(self.frame["synthetic"].any()) if len(self.frame) else False

    @cached_property
    def valued(self) -> pd.DataFrame:
        """Councils with a value, highest first (ties by name): the bars, top to bottom."""
        rows = self.frame.loc[self.frame["status"].eq(STATUS_VALUE)]
        return rows.sort_values(["value", "area_name"], ascending=[False, True])

    @cached_property
    def without_value(self) -> pd.DataFrame:
        """Chosen councils without a value, by state then name, with ``state`` in words."""
        rows = self.frame.loc[~self.frame["status"].eq(STATUS_VALUE)]
        return rows.sort_values(["status", "area_name"])

    def coverage(self) -> str:
        """One sentence: how many chosen councils have a value."""
        d = self.definition
        n, k = len(self.frame), len(self.valued)
        return (f"{k} of {n} chosen councils have a value for {d['short_title']} in "
                f"{self.period}.")

    @property
    def sparse(self) -> bool:
        """Whether fewer than half the chosen councils have a value (suggest other views)."""
        return len(self.frame) > 0 and len(self.valued) < SPARSE_SHARE * len(self.frame)

    def bars_caption(self) -> str:
        """Describe the ranked bar chart in one sentence, for screen readers and the page."""
        d = self.definition
        if self.valued.empty:
            return (f"No bars: none of {self.description} has a value for {d['title']} in "
                    f"{self.period}; the list below says why for each council.")
        top, bottom = self.valued.iloc[0], self.valued.iloc[-1]
        parts = [f"{d['title']} ({self.period}) for {self.description}, highest first: "
                 f"{len(self.valued)} bars from {top['area_name']} "
                 f"({format_value(top['value'], self.unit)}) to {bottom['area_name']} "
                 f"({format_value(bottom['value'], self.unit)})."]
        for ref in (self.england, self.region):
            parts.append(f"{ref.label}: {format_value(ref.value, self.unit)}."
                         if ref.present else f"No {ref.label} line: {ref.note}.")
        if self.valued["lower"].isna().all():
            parts.append("No intervals: the figures are published without them.")
        missing = len(self.without_value)
        if missing:
            parts.append(f"{missing} council{'s' if missing != 1 else ''} without a value "
                         "listed below the chart.")
        return " ".join(parts)

    def missing_items(self) -> list[dict]:
        """Return each council without a value: ``name, state`` (words) and ``reason``."""
        return [{"code": r.area_code, "name": r.area_name,
                 "state": STATUS_LABELS.get(r.status, r.status), "reason": r.status_reason}
                for r in self.without_value.itertuples(index=False)]

    def table_rows(self) -> list[dict]:
        """Return one dict per chosen council (valued first, ranked), as the table shows."""
        rows = pd.concat([self.valued, self.without_value])
        out = []
        for r in rows.itertuples(index=False):
            out.append({
                "code": r.area_code, "council": r.area_name, "region": r.region_name,
                "value": _num(r.value), "lower": _num(r.lower), "upper": _num(r.upper),
                "numerator": _num(r.numerator), "denominator": _num(r.denominator),
                "status": STATUS_LABELS.get(r.status, r.status), "reason": r.status_reason,
                "vs_england": _versus(r.vs_england, r.status),
                "vs_region": _versus(r.vs_region, r.status),
            })
        return out

    def export_frame(self) -> pd.DataFrame:
        """Return the tidy rows of the chosen councils, as the CSV download holds them."""
        return self.frame[TIDY_COLUMNS].reset_index(drop=True)


def _num(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) \
        else float(value)


def _versus(word: str, status: str) -> str:
    if status != STATUS_VALUE:
        return ""
    return word or NOT_COMPARED_WORDS


def compare_view(engine: Engine, indicator_id: str, period: str | None, codes: list[str],
                 data_dir: Path | None = None, focus: str | None = None,
                 region: str | None = None, description: str = "") -> CompareView:
    """Build the view of one indicator in one period for the chosen councils.

    Parameters
    ----------
    engine : Engine
    indicator_id : str
    period : str or None
        The period (wave); the indicator's latest when None or not one of its periods.
    codes : list of str
        Chosen council codes (order kept in ``frame``).
    data_dir : Path, optional
    focus : str, optional
        The council the view is about (neighbours mode), flagged in ``frame["focus"]``.
    region : str, optional
        Region code of the region line; by default the focus council's, else the first
        chosen council's region.
    description : str
        The chosen councils in words (for captions).

    Returns
    -------
    CompareView
        Every chosen council appears in ``frame``, whatever its state.
    """
    definition = catalogue(engine).set_index("indicator_id").loc[indicator_id].to_dict()
    definition["indicator_id"] = indicator_id
    periods = periods_by_indicator(engine).get(indicator_id, [])
    period = period if period in periods else (periods[-1] if periods else "")
    every = indicator_table(engine, [indicator_id], None, [period] if period else None,
                            data_dir)
    table = councils(data_dir)
    region_of = table.set_index("code")["region_code"]
    council_rows = every.loc[every["area_level"].eq("council")]
    chosen = council_rows.set_index("area_code").reindex(codes).reset_index()
    absent = chosen["status"].isna()
    chosen.loc[absent, "status"] = STATUS_MISSING
    chosen.loc[absent, "status_reason"] = REASON_NOT_LOADED
    chosen.loc[absent, "area_name"] = chosen.loc[absent, "area_code"].map(
        table.set_index("code")["name"])
    chosen["region_code"] = chosen["area_code"].map(region_of)
    chosen["region_name"] = chosen["area_code"].map(table.set_index("code")["region_name"])
    chosen["focus"] = chosen["area_code"].eq(focus)
    unit = definition["unit"]
    england = _reference(every, ENGLAND, "England", council_rows, unit)
    region = region or (region_of.get(focus) if focus else None) or (
        region_of.get(codes[0]) if codes else None)
    region_name = regions(data_dir).set_index("code")["name"].get(region, "")
    in_region = council_rows.loc[council_rows["area_code"].map(region_of).eq(region)]
    region_ref = (_reference(every, region, f"{region_name} region", in_region, unit)
                  if region else Reference(float("nan"), "region", "no region chosen"))
    england_row = every.loc[every["area_code"].eq(ENGLAND)]
    return CompareView(definition=definition, period=period, codes=list(codes), frame=chosen,
                       england=england, region=region_ref,
                       england_row=england_row.iloc[0].to_dict() if len(england_row) else {},
                       description=description or f"{len(codes)} councils")


# --- Funnel plot -------------------------------------------------------------------------


@dataclass
class FunnelView:
    """A funnel plot's content: the kind of limits (or why none), curves, points and words."""

    kind: funnel.FunnelKind
    target: float = float("nan")
    sd: float | None = None
    curves: pd.DataFrame = field(default_factory=pd.DataFrame)
    points: pd.DataFrame = field(default_factory=pd.DataFrame)
    x_title: str = ""
    note: str = ""
    caption: str = ""

    @property
    def drawn(self) -> bool:
        """Whether there is a funnel to draw."""
        return self.kind.kind is not None and not self.points.empty


#: Slack on each side of the funnel's x range, so the outermost points are not on the edge.
X_PADDING = 1.25
#: Above this ratio of the largest to the smallest group size, the x axis is logarithmic.
LOG_AXIS_RATIO = 20


def funnel_view(view: CompareView) -> FunnelView:
    """Work out the funnel plot of a compare view around England's figure.

    The x axis is the denominator: responding organisations for survey figures, the population
    for a population share. Without a defensible funnel (see :func:`funnel.funnel_kind`), or
    without an England figure or council values, ``drawn`` is False and ``note`` says why.
    """
    d = view.definition
    council_rows = view.frame
    valued = view.valued
    has_counts = bool(len(valued)) and valued[["numerator", "denominator"]].notna().all().all()
    sd = None
    row = view.england_row
    if row and row.get("status") == STATUS_VALUE and d["method"].lower().startswith("mean"):
        sd = funnel.sd_from_t_interval(row["lower"], row["upper"], row["denominator"])
    kind = funnel.funnel_kind(d["unit"], d["method"], has_counts or valued.empty, sd)
    if kind.kind is None:
        return FunnelView(kind, note=f"No funnel plot for {d['short_title']}: {kind.reason}. "
                                     "The ranked bars and the table show its figures.")
    if not view.england.present:
        return FunnelView(kind, note=f"No funnel plot: {view.england.note}.")
    if valued.empty:
        return FunnelView(kind, note=f"No funnel plot: none of the {len(council_rows)} chosen "
                                     "councils has a value in this period.")
    n = valued["denominator"].to_numpy(dtype=float)
    place = funnel.positions(kind, view.england.value, valued["value"], n, sd)
    points = pd.concat([valued[["area_code", "area_name", "value", "numerator", "denominator",
                                "focus"]].reset_index(drop=True), place], axis=1)
    curves = funnel.limit_curves(kind, view.england.value, n.min() / X_PADDING,
                                 n.max() * X_PADDING, sd)
    survey = kind.kind == funnel.MEAN or "organisations" in d["unit"]
    x_title = "Responding organisations" if survey else "Population (denominator)"
    outside = points.loc[points["position"] != funnel.WITHIN]
    note = funnel.METHOD_TEXT[kind.kind]
    if not survey:
        note += (" These figures count whole populations, not a sample: with denominators in "
                 "the hundreds of thousands the limits are very narrow, so most councils fall "
                 "outside them. Read that as real differences in population, not as chance.")
    caption = (f"Funnel plot of {d['title']} ({view.period}) against "
               f"{x_title.lower()}, {len(points)} councils, around {view.england.label} "
               f"({format_value(view.england.value, d['unit'])}) with 95% and 99.8% control "
               f"limits. {_outside_text(outside)}")
    return FunnelView(kind, view.england.value, sd, curves, points, x_title, note, caption)


#: Up to this many councils outside the limits are named in the caption; more are counted.
MAX_NAMED_OUTSIDE = 6


def _outside_text(outside: pd.DataFrame) -> str:
    """Say which councils lie outside the 95% limits (named when few, else counted)."""
    if outside.empty:
        return "All lie within the 95% limits."
    if len(outside) <= MAX_NAMED_OUTSIDE:
        return (f"{len(outside)} outside the 95% limits: "
                + "; ".join(f"{r.area_name} {r.position}"
                            for r in outside.itertuples(index=False)) + ".")
    above = int(outside["position"].isin([funnel.ABOVE_95, funnel.ABOVE_998]).sum())
    beyond = int(outside["position"].isin([funnel.ABOVE_998, funnel.BELOW_998]).sum())
    return (f"{len(outside)} outside the 95% limits ({above} above, {len(outside) - above} "
            f"below; {beyond} outside the 99.8% limits too); the table lists each.")


def funnel_log_axis(fv: FunnelView) -> bool:
    """Whether the funnel's x axis should be logarithmic (group sizes spanning > 20-fold)."""
    if fv.points.empty:
        return False
    n = fv.points["denominator"]
    return n.max() / max(n.min(), 1) > LOG_AXIS_RATIO


def funnel_table_rows(fv: FunnelView) -> list[dict]:
    """Return the funnel's points with their limits at their own size, for a table."""
    return [{"council": r["area_name"], "value": r["value"], "denominator": r["denominator"],
             "lower_95": r["lower_95"], "upper_95": r["upper_95"],
             "lower_998": r["lower_99.8"], "upper_998": r["upper_99.8"],
             "position": r["position"]} for _, r in fv.points.iterrows()]


# --- Scatter of two indicators -----------------------------------------------------------


@dataclass
class ScatterView:
    """Two indicators over the chosen councils, with Spearman's rho and what is missing."""

    x: CompareView
    y: CompareView
    points: pd.DataFrame
    missing: list[dict]
    rho: float
    p_value: float

    @property
    def n(self) -> int:
        """Number of councils with a value on both axes."""
        return len(self.points)

    def correlation_text(self) -> str:
        """Spearman's rank correlation and n in words (or why there is none)."""
        if self.n < 3 or math.isnan(self.rho):
            return (f"n = {self.n}: too few councils with both values for a rank "
                    "correlation (at least 3 needed).")
        return f"Spearman's rank correlation ρ = {self.rho:.2f} (n = {self.n}, p = " \
               f"{self.p_value:.2g})."

    def caption(self) -> str:
        """Describe the scatter in one sentence, for screen readers and the page."""
        dx, dy = self.x.definition, self.y.definition
        text = (f"Scatter of {dy['title']} ({self.y.period}, vertical) against {dx['title']} "
                f"({self.x.period}, horizontal) for {self.x.description}. "
                f"{self.correlation_text()}")
        if self.missing:
            text += (f" {len(self.missing)} council{'s' if len(self.missing) != 1 else ''} "
                     "without a value on one axis or both, listed below.")
        return text


def scatter_view(engine: Engine, x_id: str, y_id: str, wave: str | None, codes: list[str],
                 data_dir: Path | None = None, focus: str | None = None,
                 description: str = "", known: CompareView | None = None) -> ScatterView:
    """Build the scatter of two indicators over the chosen councils.

    Each axis uses ``wave`` when the indicator has it, else its latest period. Councils
    without a value on either axis are counted and listed with their states, never dropped
    silently. ``known`` is a view already built for the same councils and wave (reused for
    an axis showing its indicator).
    """
    def axis(indicator_id: str) -> CompareView:
        if known is not None and known.definition["indicator_id"] == indicator_id \
                and known.codes == list(codes):
            return known
        return compare_view(engine, indicator_id, wave, codes, data_dir, focus,
                            description=description)

    x, y = axis(x_id), axis(y_id)
    both = x.frame[["area_code", "area_name", "status", "value", "focus"]].merge(
        y.frame[["area_code", "status", "value"]], on="area_code", suffixes=("_x", "_y"),
        validate="1:1")
    ok = both["status_x"].eq(STATUS_VALUE) & both["status_y"].eq(STATUS_VALUE)
    points = both.loc[ok].rename(columns={"value_x": "x", "value_y": "y"}).reset_index(
        drop=True)
    missing = [{"code": r.area_code, "name": r.area_name,
                "x_state": STATUS_LABELS.get(r.status_x, r.status_x),
                "y_state": STATUS_LABELS.get(r.status_y, r.status_y)}
               for r in both.loc[~ok].itertuples(index=False)]
    rho = p_value = float("nan")
    if len(points) >= 3 and points["x"].nunique() > 1 and points["y"].nunique() > 1:
        result = spearmanr(points["x"], points["y"])
        rho, p_value = float(result.statistic), float(result.pvalue)
    return ScatterView(x, y, points, missing, rho, p_value)


def benchmark_words(word: str) -> str:
    """Return the legend words of a benchmark flag ("" = not compared)."""
    return BENCHMARK_LABELS.get(word or "", BENCHMARK_LABELS[""])
