"""Hover text of the council maps: plotly templates filled from each council's customdata.

The council's name and region are not sent with the figures: they come from the GeoJSON
feature the browser fetched once (``geography.served_boundaries``). A template holds the
lines every council shares; ``customdata`` holds, per council, only its figures (or the text
of a line that some councils lack), so an indicator change sends numbers, not sentences.
"""

from __future__ import annotations

import math

import pandas as pd

from sasci_map.palette import BENCHMARK_LABELS, STATUS_LABELS
from sasci_map.survey_loading import DATASET_KEY as SURVEY_DATASET

#: Every council's hover text starts with its name and region, read from the GeoJSON feature
#: the browser fetched once (``geography.served_boundaries``), so no indicator change re-sends
#: them; the rest comes from the trace's ``customdata``. No trace name box beside it.
HOVER_HEAD = "<b>%{properties.name}</b><br>%{properties.region}"
HOVER_END = "<extra></extra>"
#: Stands for a ``customdata`` reference while a hover template is assembled.
SLOT = "\x00"


def format_value(value: float, unit: str) -> str:
    """Format a value for hover and legend, with its unit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no value"
    decimals = 0 if abs(value) >= 1000 or float(value).is_integer() else 1
    text = f"{value:,.{decimals}f}"
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}" if unit else text


def counts_organisations(definition: dict) -> bool:
    """Whether an indicator's denominator counts organisations (a survey indicator's does)."""
    return definition.get("dataset_key") == SURVEY_DATASET


def hover_template(lines: list[str]) -> str:
    """Return a hover template: the council's name and region, then ``lines``.

    A line is text with at most one :data:`SLOT`, the ``customdata`` column it shows (slots are
    numbered in order). A line that is only a slot is optional: its values carry their own
    ``<br>`` (or are empty), so a council without that figure shows no empty line.
    """
    text, column = HOVER_HEAD, 0
    for line in lines:
        if SLOT in line:
            line = line.replace(SLOT, f"%{{customdata[{column}]}}")
            column += 1
        text += line if line.startswith("%{") else f"<br>{line}"
    return text + HOVER_END


def text_hover(texts: list[str]) -> tuple[str, list]:
    """Return (template, customdata) showing, under name and region, one text per council."""
    return hover_template([SLOT]), [[f"<br>{text}"] for text in texts]


def state_hover(status: str, reasons: list[str]) -> tuple[str, list]:
    """Return (template, customdata) of a layer of councils without a value.

    The state is in the template; so is the reason when every council of the layer has the
    same one (as is usual), else each council's reason is its ``customdata``.
    """
    label = STATUS_LABELS[status]
    distinct = set(reasons)
    if len(distinct) == 1:
        reason = distinct.pop()
        return hover_template([label, reason] if reason else [label]), []
    return hover_template([label, SLOT]), [[f"<br>{r}" if r else ""] for r in reasons]


def value_hover(valued: pd.DataFrame, unit: str, value_label: str = "Value",
                organisations: bool = False) -> tuple[str, list[list]]:
    """Return (template, customdata) of the councils with a value, one customdata row each.

    Lines: the value; its 95% interval; the organisations behind it (``organisations``: a
    survey figure, whose denominator counts organisations); its rank; its comparison with
    England. A line every council has is in the
    template with only its figure per council; a line some lack is sent as text per council.
    """
    n = len(valued)
    lines: list[str] = [f"{value_label}: {SLOT}"]
    columns: list[list] = [[format_value(v, unit) for v in valued["value"]]]

    def add(line: str, present: list[bool], values: list, text) -> None:
        if n and all(present):
            lines.append(line)
            columns.append(values)
        elif any(present):
            lines.append(SLOT)
            columns.append([f"<br>{text(v)}" if p else ""
                            for v, p in zip(values, present, strict=True)])

    lower, upper = _column(valued, "lower"), _column(valued, "upper")
    intervals = [f"{format_value(lo, unit)} – {format_value(hi, unit)}"
                 for lo, hi in zip(lower, upper, strict=True)]
    add(f"95% CI {SLOT}", list(lower.notna() & upper.notna()), intervals,
        lambda t: f"95% CI {t}")
    denominator = _column(valued, "denominator")
    if organisations:
        add(f"from {SLOT} organisations", list(denominator.notna()),
            [None if pd.isna(d) else int(d) for d in denominator],
            lambda c: f"from {c} organisations")
    rank, n_ranked = _column(valued, "rank"), _column(valued, "n_ranked")
    ranked = list(rank.notna() & n_ranked.notna())
    totals = {int(t) for t, ok in zip(n_ranked, ranked, strict=True) if ok}
    if len(totals) == 1:
        total = totals.pop()
        add(f"Rank {SLOT} of {total} (1 = highest)", ranked,
            [None if pd.isna(r) else int(r) for r in rank],
            lambda r: f"Rank {r} of {total} (1 = highest)")
    else:  # rare: ranks out of different totals are written out in full
        texts = [f"Rank {int(r)} of {int(t)} (1 = highest)" if ok else ""
                 for r, t, ok in zip(rank, n_ranked, ranked, strict=True)]
        if any(texts):
            lines.append(SLOT)
            columns.append([f"<br>{t}" if t else "" for t in texts])
    words = (valued["vs_england"] if "vs_england" in valued else pd.Series([""] * n))
    labels = [BENCHMARK_LABELS[w] if isinstance(w, str) and w else "" for w in words]
    if any(labels):  # the comparison is written out: a council without one shows no line
        lines.append(SLOT)
        columns.append([f"<br>{label}" if label else "" for label in labels])
    return hover_template(lines), [list(row) for row in zip(*columns, strict=True)]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """Return ``frame[name]`` as floats (all NaN when the column is absent), indexed 0..n-1."""
    if name not in frame:
        return pd.Series([math.nan] * len(frame), dtype="float64")
    return pd.to_numeric(frame[name], errors="coerce").reset_index(drop=True)
