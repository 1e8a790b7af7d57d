"""Disclosure audit tools: what each withheld survey cell would have shown, and a detector that
finds those figures in anything the web surface returns (JSON, Dash layouts and callback
responses, plotly figures and patches, downloads, CSV, XLSX, GeoJSON).

A *withheld cell* is an (indicator, area, period) whose stored status is ``suppressed`` (fewer
organisations than the indicator's minimum, or secondary suppression) or ``missing`` because
the indicator is not reported at that level (provider indicators pooled to region). Its hidden
figures are recomputed by the survey indicator engine itself with every minimum set to 1 and
every level reported, from the stored responses.

The detector splits an output into *records* (a JSON object or table row, one point of a
plotly trace, one row-like Dash component such as a table row or paragraph) and, for each
record about an area with withheld cells (it names the area's code or name, or the output was
asked for about that area), looks for the hidden value, interval limits or numerator/denominator
pair of that area's cells, in the record's numbers and in its text as a raw float, with 1 or 2
decimals, or as a whole percentage. A record is checked against the indicator it names (id or
title), else the indicator the output was asked for (a selector's value, an API parameter);
a record about no indicator at all is only checked structurally (its numbers are counts,
context figures and the like, and would match by chance). Records naming a period are checked
against that period only. A number that equals, at the precision
shown, a *published* figure of the same indicator for an area the record is about (or its
region or England) is not counted: it cannot be told apart from that figure.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import numpy as np
import openpyxl
import pandas as pd
from plotly.utils import PlotlyJSONEncoder

from sasci_map import db, survey_indicators, survey_store
from sasci_map.aggregate import organisation_answers
from sasci_map.geography import councils, regions
from sasci_map.indicator_registry import LIST_SEP, load_registry

ENGLAND = survey_indicators.ENGLAND
WITHHELD_STATUSES = (survey_indicators.STATUS_SUPPRESSED, survey_indicators.STATUS_MISSING)
#: Columns of a figure; a row whose status is not ``value`` must leave them all empty.
NUMBER_KEYS = ("value", "lower", "upper", "numerator", "denominator")
#: Keys naming the indicator, the period and the area of a JSON record.
INDICATOR_KEYS = ("indicator_id", "indicator", "id", "x_indicator", "y_indicator")
PERIOD_KEYS = ("period", "wave")
#: Plotly trace fields that hold one entry per point.
POINT_FIELDS = ("locations", "x", "y", "z", "customdata", "text", "hovertext", "ids", "labels",
                "values", "error_x", "error_y", "marker")
#: Dash components whose whole text is one record (a row, an item, a sentence).
ROW_COMPONENTS = {"Tr", "Li", "P", "Dt", "Dd", "Caption", "Figcaption", "Label", "H1", "H2",
                  "H3", "H4", "H5", "H6", "Summary", "Alert", "Badge", "ListGroupItem",
                  "CardHeader", "CardFooter", "Tooltip", "Popover"}
NUMBER_TOKEN = re.compile(r"(?<![\w.])-?\d+(?:\.(\d+))?(\s?%)?")
OF_PAIR = re.compile(r"\b(\d+)\s*(?:of|out of|/)\s*(\d+)\b")
CODE_TOKEN = re.compile(r"\bE\d{8}\b")
PERCENT_UNIT = "%"
#: Licence names with a version number ("CC BY 4.0", "OGL v3.0", "version 3").
LICENCE_VERSION = re.compile(
    r"(?:CC[ -]BY(?:-[A-Z]+)*|[Vv]ersion|OGL|[Ll]icen[cs]e)\s*v?\d+(?:\.\d+)?")
#: The name of an interval ("95% interval", "99.8% limits", "95% CI").
INTERVAL_NAME = re.compile(r"\b(?:9[05]|99(?:\.8)?)\s?%\s*(?:confidence\s*)?"
                           r"(?:interval|CI|limits?|control)", re.IGNORECASE)
#: Texts longer than this that the app repeats verbatim (titles, definitions) are boilerplate.
BOILERPLATE_MIN = 12


def to_json(payload) -> object:
    """Serialise ``payload`` as the web would (plotly's encoder: figures, numpy, NaN) and back."""
    return json.loads(json.dumps(payload, cls=PlotlyJSONEncoder))


def withheld_cells(engine, data_dir: Path) -> pd.DataFrame:
    """Return every withheld survey cell with the figures it would have shown.

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, area_code, area_level, period, status`` (as stored) and the hidden
        ``value, lower, upper, numerator, denominator``; only cells with a hidden value.
    """
    registry = load_registry(data_dir)
    stored = db.read_values(engine, list(registry["indicator_id"]), area_level=None)
    withheld = stored[stored["status"].isin(WITHHELD_STATUSES)]
    every_level = LIST_SEP.join(db.AREA_LEVELS)
    open_registry = registry.assign(min_orgs=1, levels=every_level)
    responses = survey_store.read_responses(engine)
    orgs = organisation_answers(responses, data_dir)
    with mock.patch.object(survey_indicators, "load_registry", lambda *_a, **_k: open_registry):
        raw = survey_indicators.indicator_values(orgs, councils(data_dir), data_dir)
    keys = ["indicator_id", "area_code", "area_level", "period"]
    hidden = withheld[[*keys, "status", "status_reason"]].merge(
        raw[[*keys, *NUMBER_KEYS]], on=keys, how="left")
    return hidden[hidden["value"].notna()].reset_index(drop=True)


def boilerplate_texts(engine) -> tuple[str, ...]:
    """Texts repeated verbatim whose numbers are not figures: every indicator definition's
    text fields, the licence and attribution lines."""
    from sasci_map.exports import licence_lines
    from sasci_map.provenance import attribution_lines

    defs = db.read_definitions(engine)
    texts = [v for column in ("title", "short_title", "definition", "method", "source", "unit",
                              "period") for v in defs[column].dropna()]
    return tuple({*texts, *licence_lines(True), *licence_lines(False), *attribution_lines()})


def published_values(engine) -> pd.DataFrame:
    """Return every stored figure with status ``value`` (any indicator, area and period)."""
    values = db.read_values(engine, None, area_level=None)
    return values[values["status"] == db.STATUS_VALUE]


@dataclass
class Record:
    """One unit of output: its named fields (numbers and text) and its free text."""

    fields: dict[str, object] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)

    def all_text(self) -> str:
        parts = [str(v) for v in self.fields.values() if isinstance(v, str)]
        return " | ".join([*parts, *self.texts])


@dataclass(frozen=True)
class Context:
    """What an output was asked for: areas, indicator and period (None when not one)."""

    areas: tuple[str, ...] = ()
    indicator: str | tuple[str, ...] | None = None
    period: str | None = None

    def indicators(self) -> set[str]:
        """The indicator(s) asked for, as a set (empty when none)."""
        if not self.indicator:
            return set()
        return {self.indicator} if isinstance(self.indicator, str) else set(self.indicator)


@dataclass
class Finding:
    """A withheld figure found in an output, or a withheld row carrying a number."""

    where: str
    what: str
    record: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}\n    in: {self.record[:300]}"


# ---------------------------------------------------------------------------------------------
# Turning outputs into records


def _is_component(node: dict) -> bool:
    return "props" in node and "type" in node and "namespace" in node


def _text_of(node) -> list[str]:
    """All strings under a Dash component (children only), in order."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, int | float) and not isinstance(node, bool):
        return [str(node)]
    if isinstance(node, list):
        return [t for item in node for t in _text_of(item)]
    if isinstance(node, dict) and _is_component(node):
        return _text_of(node["props"].get("children"))
    return []


def _decode_download(node: dict) -> Iterator[Record]:
    """Records of a dcc.Download payload (``content`` + ``filename``)."""
    raw = node["content"]
    data = base64.b64decode(raw) if node.get("base64") else str(raw).encode()
    yield from records_of_file(data, str(node.get("filename", "")))


def records_of_file(data: bytes, filename: str) -> Iterator[Record]:
    """Records of a downloaded or exported file: CSV rows, XLSX rows, GeoJSON/JSON objects."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None) or ()
            for row in rows:
                yield Record({str(h): v for h, v in zip(header, row, strict=False)
                              if h is not None})
        return
    if name.endswith((".json", ".geojson")):
        yield from records_of(json.loads(data))
        return
    text = data.decode("utf-8-sig", errors="replace")
    for row in csv.DictReader(io.StringIO(text)):
        yield Record({k: _number_or_text(v) for k, v in row.items() if k is not None})


def _number_or_text(value):
    if value is None or value == "":
        return None
    try:
        return float(value) if any(c in value for c in ".eE") else int(value)
    except (TypeError, ValueError):
        return value


def _patch_traces(node: dict) -> Iterator[dict]:
    """Pseudo-traces of a Dash Patch: the assigned fields of each ``data[i]``."""
    traces: dict[int, dict] = {}
    for op in node.get("operations", []):
        location = op.get("location", [])
        value = (op.get("params") or {}).get("value")
        if len(location) >= 3 and location[0] == "data" and isinstance(location[1], int):
            traces.setdefault(location[1], {})[location[2]] = value
    yield from traces.values()


def _trace_points(trace: dict) -> Iterator[Record]:
    """One record per point of a plotly trace (entries at the same index of its arrays)."""
    arrays = {k: v for k, v in trace.items() if k in POINT_FIELDS and isinstance(v, list)}
    if "marker" in trace and isinstance(trace["marker"], dict):
        arrays |= {f"marker.{k}": v for k, v in trace["marker"].items() if isinstance(v, list)}
    shared = {k: v for k, v in trace.items() if k in ("name", "legendgroup", "hovertemplate")
              and isinstance(v, str)}
    size = max((len(v) for v in arrays.values()), default=0)
    for i in range(size):
        point = dict(shared)
        for key, values in arrays.items():
            if len(values) == size:
                item = values[i]
                if isinstance(item, list):
                    point |= {f"{key}[{j}]": x for j, x in enumerate(item)}
                else:
                    point[key] = item
        yield Record(point)


def records_of(node) -> Iterator[Record]:
    """Split a serialised output (JSON types only) into records, depth first."""
    if isinstance(node, list):
        for item in node:
            yield from records_of(item)
        return
    if not isinstance(node, dict):
        return
    if "content" in node and "filename" in node:
        yield from _decode_download(node)
        return
    if "__dash_patch_update" in node:
        for trace in _patch_traces(node):
            yield from _trace_points(trace)
        yield from records_of(node.get("operations", []))
        return
    if _is_component(node):
        props = node["props"]
        own = [c for c in (props.get("children") if isinstance(props.get("children"), list)
                           else [props.get("children")]) if isinstance(c, str | int | float)]
        text = _text_of(node) if node["type"] in ROW_COMPONENTS else [str(c) for c in own]
        if text:
            yield Record(texts=[" ".join(text)])
        for key, value in props.items():
            if key != "children" and isinstance(value, str):
                yield Record(texts=[value])  # title=, aria-label=, href=...
            yield from records_of(value)
        return
    if isinstance(node.get("data"), list) and isinstance(node.get("layout"), dict):  # figure
        for trace in node["data"]:
            if isinstance(trace, dict):
                yield from _trace_points(trace)
    scalars = {k: v for k, v in node.items() if not isinstance(v, dict | list)}
    if scalars:
        yield Record(scalars)
    for value in node.values():
        if isinstance(value, dict | list):
            yield from records_of(value)


# ---------------------------------------------------------------------------------------------
# The detector


def _decimals(token: re.Match) -> int:
    return len(token.group(1) or "")


def _same(x: float, hidden: float, decimals: int) -> bool:
    """True if ``x``, shown with ``decimals`` decimals, is ``hidden`` rounded the same way."""
    if decimals >= 6:
        return math.isclose(x, hidden, rel_tol=1e-9, abs_tol=1e-9)
    return abs(round(hidden, decimals) - x) < 0.5 * 10 ** -(decimals + 2)


def _numeric_decimals(x: float) -> int:
    text = repr(float(x))
    if "e" in text:
        return 9
    return len(text.split(".")[1]) if "." in text else 0


class Audit:
    """Find withheld figures in outputs.

    Parameters
    ----------
    cells : pandas.DataFrame
        :func:`withheld_cells`.
    published : pandas.DataFrame
        :func:`published_values`.
    data_dir : Path
        Bundled data (area names, indicator titles and units).
    boilerplate : tuple of str
        Texts the app repeats verbatim whose own numbers are not figures (definitions,
        methods, licence lines); removed before looking for numbers in text.
    """

    def __init__(self, cells: pd.DataFrame, published: pd.DataFrame, data_dir: Path,
                 boilerplate: tuple[str, ...] = ()) -> None:
        self.cells = cells
        area_names = pd.concat([councils(data_dir)[["code", "name", "region_code"]],
                                regions(data_dir)[["code", "name"]].assign(
                                    region_code=ENGLAND)])
        self.name_of = dict(zip(area_names["code"], area_names["name"], strict=True))
        self.region_of = dict(zip(area_names["code"], area_names["region_code"], strict=True))
        names = sorted(self.name_of.values(), key=len, reverse=True)
        self.name_pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
        self.code_of_name = {n: c for c, n in self.name_of.items()}
        registry = load_registry(data_dir)
        self.unit = dict(zip(registry["indicator_id"], registry["unit"], strict=True))
        titles = {}
        for rec in registry.itertuples(index=False):
            titles[rec.title] = rec.indicator_id
            titles[rec.short_title] = rec.indicator_id
        self.title_pattern = re.compile("|".join(
            map(re.escape, sorted(titles, key=len, reverse=True))))
        self.id_of_title = titles
        self.by_area = {code: list(frame.itertuples(index=False))
                        for code, frame in cells.groupby("area_code")}
        self.boilerplate = sorted(
            {t for t in [*registry["title"], *registry["short_title"], *registry["definition"],
                         *published.get("source", pd.Series(dtype=str)).dropna().unique(),
                         *boilerplate]
             if isinstance(t, str) and len(t) > BOILERPLATE_MIN}, key=len, reverse=True)
        self.published = {key: frame["value"].to_numpy(dtype=float)
                          for key, frame in published.groupby(["area_code", "indicator_id"])}

    # -- what a record is about --------------------------------------------------------------

    def _areas(self, record: Record) -> set[str]:
        """The areas a record names (code or name)."""
        text = record.all_text()
        found = set(CODE_TOKEN.findall(text)) & set(self.name_of)
        found |= {self.code_of_name[m] for m in self.name_pattern.findall(text)}
        return found

    def _indicators(self, record: Record, context: Context) -> set[str] | None:
        found = {v for k, v in record.fields.items()
                 if k in INDICATOR_KEYS and isinstance(v, str) and v in self.unit}
        if not found:
            found = {self.id_of_title[m] for m in self.title_pattern.findall(
                " ".join(record.texts + [v for v in record.fields.values() if isinstance(v, str)]))}
        if not found:
            found = context.indicators()
        return found or None

    def _periods(self, record: Record, context: Context) -> set[str] | None:
        found = {str(v).removesuffix(".0") for k, v in record.fields.items()
                 if k in PERIOD_KEYS and v not in (None, "")}
        if not found and context.period:
            found = {context.period}
        return found or None

    def _plain(self, text: str) -> str:
        """``text`` without boilerplate that holds numbers of its own (licence versions,
        indicator titles and definitions such as "95% interval", "(1 to 5)")."""
        text = INTERVAL_NAME.sub(" ", LICENCE_VERSION.sub(" ", text))
        if any(ch.isdigit() for ch in text):
            for piece in self.boilerplate:
                if piece in text:
                    text = text.replace(piece, " ")
        return text

    def _explains(self, x: float, decimals: int, areas: set[str], indicator: str) -> bool:
        """True if ``x`` is, at this precision, a published figure of ``indicator`` for one of
        ``areas``, their regions or England."""
        around = set(areas) | {self.region_of.get(a) for a in areas} | {ENGLAND}
        for area in around:
            for p in self.published.get((area, indicator), ()):
                if _same(x, p, decimals):
                    return True
        return False

    # -- the check ----------------------------------------------------------------------------

    def check(self, payload, where: str, context: Context = Context()) -> list[Finding]:
        """Return every withheld figure found in ``payload`` (JSON types), and every row with a
        withheld status that carries a number."""
        findings = []
        for record in records_of(payload):
            findings += self.check_record(record, where, context)
        return findings

    def check_file(self, data: bytes, filename: str, where: str,
                   context: Context = Context()) -> list[Finding]:
        """:meth:`check` for a file (CSV, XLSX, GeoJSON)."""
        findings = []
        for record in records_of_file(data, filename):
            findings += self.check_record(record, where, context)
        return findings

    def check_record(self, record: Record, where: str, context: Context) -> list[Finding]:
        """Return the findings of one record."""
        findings = self._structural(record, where)
        named = self._areas(record)
        # A record that does not name its area is attributed to the area the output was asked
        # for (a council page, a council selector); it may be about another one (a legend, an
        # axis), so only numbers shown with 2 or more decimals count there.
        least = 1 if named else 2
        areas = (named or set(context.areas)) & set(self.by_area)
        if not areas:
            return findings
        indicators = self._indicators(record, context)
        if indicators is None:  # about no indicator in particular: its numbers are not figures
            return findings
        periods = self._periods(record, context)
        text = self._plain(record.all_text())
        tokens = [(float(m.group(0).rstrip("% ").strip()), _decimals(m), bool(m.group(2)))
                  for m in NUMBER_TOKEN.finditer(text)]
        pairs = [(int(a), int(b)) for a, b in OF_PAIR.findall(text)]
        numbers = [(k, v) for k, v in record.fields.items()
                   if isinstance(v, int | float) and not isinstance(v, bool)
                   and not (isinstance(v, float) and math.isnan(v))]
        for area in sorted(areas):
            for cell in self.by_area[area]:
                if (indicators is not None and cell.indicator_id not in indicators) or (
                        periods is not None and cell.period not in periods):
                    continue
                what = self._match(cell, tokens, pairs, numbers, areas, least)
                if what:
                    findings.append(Finding(where, (
                        f"{cell.status} cell {cell.indicator_id} / {area} "
                        f"({self.name_of.get(area)}) / {cell.period}: {what}"), _describe(record)))
        return findings

    def _match(self, cell, tokens, pairs, numbers, areas: set[str], least: int) -> str | None:
        """Say how a record shows a hidden figure of ``cell``, or None. Shown numbers need
        ``least`` decimals (a whole percentage counts as 1); an interval limit alone needs 2,
        or both limits must be shown."""
        percent = PERCENT_UNIT in self.unit.get(cell.indicator_id, "")
        shown = [(x, d, max(d, 1) if (p and percent) else d, f"text shows {x:g}")
                 for x, d, p in tokens if d > 0 or (p and percent)]
        for key, x in numbers:
            if isinstance(x, int):  # a count or a whole number: only as a figure's own field
                if key in NUMBER_KEYS:
                    shown.append((float(x), 0, 9, f"field {key}={x!r}"))
            else:
                d = _numeric_decimals(x)
                shown.append((x, d, d, f"field {key}={x!r}"))
        hits = {}
        for name in ("value", "lower", "upper"):
            h = getattr(cell, name)
            if h is None or math.isnan(h):
                continue
            for x, decimals, weight, how in shown:
                if weight >= least and _same(x, h, decimals) and not self._explains(
                        x, decimals, areas, cell.indicator_id):
                    hits.setdefault(name, (weight, f"{how} = hidden {name} {h!r}"))
                    break
        if "value" in hits:
            return hits["value"][1]
        limits = [hits[n] for n in ("lower", "upper") if n in hits]
        if len(limits) == 2 or any(weight >= 2 for weight, _ in limits):
            return "; ".join(how for _, how in limits)
        numerator, denominator = cell.numerator, cell.denominator
        if not (math.isnan(numerator) or math.isnan(denominator)):
            if (round(numerator), round(denominator)) in pairs and float(numerator).is_integer():
                return f"text shows {round(numerator)} of {round(denominator)} (hidden counts)"
            fields = dict(numbers)
            if fields.get("numerator") == numerator or fields.get("denominator") == denominator:
                return (f"fields numerator/denominator {fields.get('numerator')}/"
                        f"{fields.get('denominator')} = hidden {numerator}/{denominator}")
        return None

    def _structural(self, record: Record, where: str) -> list[Finding]:
        status = record.fields.get("status")
        if not isinstance(status, str) or status.strip().lower() == db.STATUS_VALUE:
            return []
        carried = {k: record.fields.get(k) for k in NUMBER_KEYS
                   if record.fields.get(k) not in (None, "")
                   and not (isinstance(record.fields.get(k), float)
                            and math.isnan(record.fields[k]))}
        if not carried:
            return []
        return [Finding(where, f"a row with status {status!r} carries numbers {carried}",
                        _describe(record))]


def _describe(record: Record) -> str:
    shown = {k: v for k, v in record.fields.items() if v not in (None, "")}
    return json.dumps(shown, default=str)[:250] + (f" {record.texts}" if record.texts else "")


def example_cells(cells: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """Return ``n`` suppressed council cells with a non-integer hidden value, for self-checks."""
    council = cells[(cells["area_level"] == "council") & (cells["status"] == "suppressed")]
    fractional = council[~np.isclose(council["value"], council["value"].round())]
    return fractional.sort_values(["indicator_id", "area_code", "period"]).head(n)
