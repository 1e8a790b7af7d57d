"""The XLSX renderer: every export table in one accessible workbook, with definitions and notes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.engine import Engine

from sasci_map import db, stats
from sasci_map.codebook import load_codebook
from sasci_map.comparison import POLARITY_WORDS
from sasci_map.exports import (
    FORMULA_STARTS,
    NEUTRALISER,
    TABLES,
    licence_lines,
    neutralise_frame,
    table_frame,
)
from sasci_map.indicator_registry import MIN_ORGS_FLOOR
from sasci_map.template import _add_table

TITLE = "SASCI capacity map: indicator export"
COVER_SHEET, DEFINITIONS_SHEET, CODEBOOK_SHEET, NOTES_SHEET = (
    "cover", "indicator definitions", "codebook", "notes")
#: Every sheet, in workbook order: the cover, one per export table, then the reference sheets.
SHEETS = (COVER_SHEET, *TABLES, DEFINITIONS_SHEET, CODEBOOK_SHEET, NOTES_SHEET)
#: Excel refuses sheet names longer than this.
MAX_SHEET_NAME = 31
#: What each sheet holds, as the cover lists it.
SHEET_NOTES = {
    COVER_SHEET: "what the workbook holds, any synthetic-data notice, licence and citation "
                 "(this sheet)",
    "indicators": "the tidy indicator table: one row per indicator x area x period with "
                  "numerator, denominator, value, interval, method, status, benchmarks, source "
                  "and whether the figure is synthetic",
    "councils": "the 153 councils with adult social services responsibilities (2023 GSS codes), "
                "their type and region",
    "innovations": "the innovation inventory: one row per innovation x council where it is in "
                   "use (one row with an empty council_code for an innovation in use nowhere)",
    "infrastructure": "the support-infrastructure inventory: one row per support organisation "
                      "x area it covers",
    DEFINITIONS_SHEET: "what each indicator measures, its unit, polarity, method, source and "
                       "period",
    CODEBOOK_SHEET: "the SASCI survey codebook: every question, its codes and how answers of "
                    "several respondents combine",
    NOTES_SHEET: "what the status values, benchmark words, interval methods and empty cells "
                 "mean",
}
#: Columns of the definitions sheet, from ``db.read_definitions``.
DEFINITION_COLUMNS = ["indicator_id", "title", "domain", "definition", "unit", "polarity",
                      "method", "source", "period"]
NOTES_COLUMNS = ["topic", "term", "meaning"]
#: Excel table names (letters, digits, underscores; unique in the workbook).
TABLE_NAMES = {DEFINITIONS_SHEET: "indicator_definitions", CODEBOOK_SHEET: "codebook",
               NOTES_SHEET: "notes"}
#: Column widths in characters: a data column fits its longest cell between these bounds
#: (the lower one leaves room for the filter button); reference sheets wrap longer text.
MIN_WIDTH, MAX_DATA_WIDTH, MAX_TEXT_WIDTH = 10, 50, 80
FILTER_BUTTON = 4
COVER_WIDTH = 120
#: Excel's built-in "Heading 1" and "Heading 2" cell styles (openpyxl's names for them).
HEADING_1, HEADING_2 = "Headline 1", "Headline 2"
#: Formula starts that are invisible characters, in words.
FORMULA_WORDS = {"\t": "a tab", "\r": "a carriage return"}


def _notes_rows() -> list[list[str]]:
    """Return (topic, term, meaning) rows explaining the vocabulary of the tables."""
    better = POLARITY_WORDS["higher_is_better"]
    neutral = POLARITY_WORDS["neutral"]
    pct = f"{stats.CONFIDENCE_95:.0%}"
    return [
        ["status", "value", "A figure: value, with numerator, denominator and confidence "
                            "limits (lower, upper) where the method gives them."],
        ["status", "suppressed", f"Withheld for disclosure control: based on fewer than "
                                 f"{MIN_ORGS_FLOOR} responding organisations (or the "
                                 "indicator's higher minimum), or secondary suppression so "
                                 "that another suppressed figure cannot be worked out by "
                                 "subtraction. No numbers; status_reason says which."],
        ["status", "no_response", "No council or provider organisation in this area took part "
                                  "in that survey wave. No numbers."],
        ["status", "missing", "No figure: the publisher marked it unavailable (for example [x], "
                              "[c], * or ..), or the indicator is not reported at this area "
                              "level. Kept as missing with status_reason, never as zero."],
        ["empty cell", "(empty)", "No number (see status); in vs_england and vs_region, not "
                                  "compared; in other text columns, nothing recorded."],
        ["benchmark", " / ".join(better.values()),
         "For an indicator with a polarity (higher_is_better or lower_is_better): the area's "
         f"{pct} interval lies wholly on the better side of the benchmark value (England in "
         "vs_england, the council's region in vs_region), overlaps it, or lies wholly on the "
         "worse side (OHID Fingertips' interval-overlap method)."],
        ["benchmark", " / ".join(neutral.values()),
         "The same comparison for a neutral indicator (no better or worse direction)."],
        ["benchmark", "(empty)", "Not compared: the area or the benchmark has no value or no "
                                 "interval (published context figures carry none)."],
        ["interval", "Wilson score", f"Proportions (share of responding organisations): "
                                     f"{pct} Wilson score interval."],
        ["interval", "Student's t", f"Means over responding organisations: {pct} t-interval."],
        ["interval", "Byar's method", "Counts and rates per 100,000, where an indicator is one: "
                                      "Byar's approximation, exact Poisson limits below "
                                      f"{stats.BYAR_MIN_COUNT} events."],
        ["interval", "none", "Published context figures (population, deprivation, adult social "
                             "care outcomes) are not samples: no interval. The method column "
                             "names each indicator's method."],
        ["synthetic", "TRUE / FALSE", "TRUE marks a figure computed from synthetic demo data, "
                                      "or an inventory row that is demo data; never real "
                                      "responses."],
        ["period", "2023, 2025, mid-2020 ...", "A survey wave (the calendar year fieldwork "
                                                "began) or the vintage of a published source."],
        ["text", NEUTRALISER, "Text starting with " + ", ".join(
            FORMULA_WORDS.get(s, s) for s in FORMULA_STARTS) + " is shown with a leading "
            "apostrophe so that spreadsheet programs do not run it as a formula."],
    ]


def _cell(value: object) -> object:
    """Return a value as openpyxl should store it: None when missing, text made storable."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value) or None
    return value


def _rows(frame: pd.DataFrame) -> list[list[object]]:
    """Return the cells of ``frame``, neutralised, as Python values (numbers stay numbers)."""
    safe = neutralise_frame(frame)
    columns = [[_cell(v) for v in safe[c].tolist()] for c in safe.columns]
    return [list(row) for row in zip(*columns, strict=True)]


def _width(frame: pd.DataFrame, column: str, cap: int) -> int:
    longest = frame[column].dropna().astype(str).str.len().max() if len(frame) else 0
    longest = 0 if pd.isna(longest) else int(longest)
    return max(MIN_WIDTH, len(column) + FILTER_BUTTON, min(longest + 2, cap))


def _add_frame(wb: Workbook, sheet: str, table: str, frame: pd.DataFrame,
               wrap: bool = False) -> Worksheet:
    """Write ``frame`` as one Excel table on a new sheet: header in row 1, frozen, fitted."""
    ws = wb.create_sheet(sheet)
    _add_table(ws, table, list(frame.columns), _rows(frame))
    cap = MAX_TEXT_WIDTH if wrap else MAX_DATA_WIDTH
    for number, column in enumerate(frame.columns, start=1):
        ws.column_dimensions[get_column_letter(number)].width = _width(frame, column, cap)
    if wrap:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    return ws


def _add_cover(ws: Worksheet, synthetic: bool, synthetic_places: bool,
               filters: dict[str, Sequence[str] | None]) -> None:
    """Write the cover: title, contents, synthetic notice, licence and citation, sheet list."""
    plain, with_notice = licence_lines(False), licence_lines(True)
    notices = [line for line in with_notice if line not in plain] if synthetic else []
    if synthetic_places:
        notices.append("Some inventory rows are synthetic demo data: see the synthetic and "
                       "place_synthetic columns of the innovations and infrastructure sheets.")
    chosen = [f"{name}: {', '.join(values)}" for name, values in filters.items() if values]
    about = ("This workbook holds the export tables of the SASCI capacity map, each as one "
             "table on its own sheet with its header in row 1, followed by the indicator "
             "definitions, the survey codebook and notes on the terms used.")
    if chosen:
        about += " The indicators sheet is filtered to " + "; ".join(chosen) + "."
    lines: list[tuple[str | None, str]] = [(HEADING_1, TITLE), (None, about)]
    if notices:
        lines += [(HEADING_2, "Synthetic data"), *((None, n) for n in notices)]
    lines += [(HEADING_2, "Licence, attribution and citation"), *((None, n) for n in plain)]
    lines += [(HEADING_2, "Sheets in this workbook"),
              *((None, f"{name}: {SHEET_NOTES[name]}") for name in SHEETS)]
    for style, text in lines:
        ws.append([text])
        cell = ws.cell(row=ws.max_row, column=1)
        if style:
            cell.style = style
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = COVER_WIDTH


def workbook_bytes(engine: Engine, indicators: Sequence[str] | None = None,
                   levels: Sequence[str] | None = None, periods: Sequence[str] | None = None,
                   data_dir: Path | None = None) -> bytes:
    """Render every export table as one accessible XLSX workbook (GOV.UK spreadsheet guidance).

    Parameters
    ----------
    engine : Engine
    indicators, levels, periods : sequence of str, optional
        Filters of the indicators sheet (as :func:`sasci_map.exports.table_frame`); the
        definitions sheet keeps the chosen indicators. Other sheets are never filtered.
    data_dir : Path, optional
        Bundled data folder (area names, codebook).

    Returns
    -------
    bytes
        The ``.xlsx`` file. Sheets, in order: :data:`SHEETS`: ``cover``, one per
        :data:`sasci_map.exports.TABLES`, ``indicator definitions``, ``codebook``, ``notes``.
        Each sheet after the cover is one native Excel table (header row 1, frozen, no merged
        cells); numbers are numbers, missing values empty cells, and formula-looking text is
        neutralised with a leading apostrophe.

    Raises
    ------
    ValueError
        On an unknown indicator, level or period.
    """
    frames = {t: table_frame(engine, t, indicators, levels, periods, data_dir) for t in TABLES}
    definitions = db.read_definitions(engine)
    if indicators is not None:
        definitions = definitions[definitions["indicator_id"].isin(indicators)]
    synthetic = bool(frames["indicators"]["synthetic"].any())
    synthetic_places = any(
        bool(frames[t][c].eq(True).any())
        for t in ("innovations", "infrastructure") for c in ("synthetic", "place_synthetic"))
    wb = Workbook()
    cover = wb.active
    cover.title = COVER_SHEET
    _add_cover(cover, synthetic, synthetic_places,
               {"indicator": indicators, "level": levels, "period": periods})
    for table, frame in frames.items():
        _add_frame(wb, table, table, frame)
    _add_frame(wb, DEFINITIONS_SHEET, TABLE_NAMES[DEFINITIONS_SHEET],
               definitions[DEFINITION_COLUMNS].reset_index(drop=True), wrap=True)
    _add_frame(wb, CODEBOOK_SHEET, TABLE_NAMES[CODEBOOK_SHEET], load_codebook(data_dir),
               wrap=True)
    _add_frame(wb, NOTES_SHEET, TABLE_NAMES[NOTES_SHEET],
               pd.DataFrame(_notes_rows(), columns=NOTES_COLUMNS), wrap=True)
    wb.properties.title = TITLE
    wb.properties.creator = "sasci-map"
    wb.properties.language = "en-GB"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
