"""The XLSX renderer: an accessible workbook that renders the same tables as the CSV export."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest
from openpyxl import load_workbook

from sasci_map.config import DEFAULT_DATA_DIR
from sasci_map.demo import inventory_import_frames
from sasci_map.export_xlsx import (
    DEFINITION_COLUMNS,
    MAX_SHEET_NAME,
    NOTES_SHEET,
    SHEETS,
    workbook_bytes,
)
from sasci_map.exports import CITATION, TABLES, csv_bytes, licence_lines, table_frame
from sasci_map.importer import import_file
from sasci_map.loading import init_database
from sasci_map.provenance import ONS_ATTRIBUTION, OS_ATTRIBUTION

#: A survey indicator with value, suppressed and no-response councils, and a context one.
INDICATORS = ["activity_generated_any", "pop_all_ages"]
NUMBERS = ["numerator", "denominator", "value", "lower", "upper", "england_value",
           "region_value"]
SYNTHETIC_NOTICE = [line for line in licence_lines(True) if line not in licence_lines(False)]
INJECTED = {"name": '=HYPERLINK("x")', "description": "@SUM(1)", "source": "+44 report"}


def _open(data: bytes):
    return load_workbook(io.BytesIO(data))


def _sheet_rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def _columns(ws) -> dict[str, list]:
    """Return each column's cells as stored (None for an empty cell), by header."""
    header, *rows = _sheet_rows(ws)
    return {name: [row[i] for row in rows] for i, name in enumerate(header)}


def _cover_text(wb) -> list[str]:
    return [row[0] for row in _sheet_rows(wb["cover"])]


@pytest.fixture(scope="module")
def workbook(engine, settings):
    data = workbook_bytes(engine, INDICATORS, data_dir=settings.data_dir)
    return _open(data)


@pytest.fixture(scope="module")
def frames(engine, settings):
    return {t: table_frame(engine, t, INDICATORS, data_dir=settings.data_dir) for t in TABLES}


def test_sheets_come_in_order_with_names_excel_accepts(workbook):
    assert workbook.sheetnames == ["cover", "indicators", "councils", "innovations",
                                   "infrastructure", "indicator definitions", "codebook", "notes"]
    assert list(SHEETS) == workbook.sheetnames
    assert all(len(name) <= MAX_SHEET_NAME for name in workbook.sheetnames)


@pytest.mark.parametrize("table", TABLES)
def test_each_data_sheet_is_one_excel_table_of_its_frame(workbook, frames, table):
    ws, frame = workbook[table], frames[table]
    assert list(ws.tables) == [table]
    last_row = len(frame) + 1
    assert ws.tables[table].ref == f"A1:{ws.cell(1, len(frame.columns)).column_letter}{last_row}"
    rows = _sheet_rows(ws)
    assert list(rows[0]) == list(frame.columns)
    assert len(rows) == last_row
    assert ws.freeze_panes == "A2"
    assert not ws.merged_cells.ranges
    assert all(cell.font.bold for cell in ws[1])
    assert all(ws.column_dimensions[cell.column_letter].width >= 10 for cell in ws[1])


@pytest.mark.parametrize("sheet", ["indicator definitions", "codebook", "notes"])
def test_reference_sheets_are_excel_tables_too(workbook, sheet):
    ws = workbook[sheet]
    assert len(ws.tables) == 1
    assert next(iter(ws.tables.values())).ref.startswith("A1:")
    assert ws.freeze_panes == "A2"
    assert all(row[0] is not None for row in _sheet_rows(ws))  # no blank rows


def test_numbers_are_numbers_and_missing_values_are_empty_cells(workbook, frames):
    frame = frames["indicators"]
    sheet = _columns(workbook["indicators"])
    for column in NUMBERS:
        for got, want in zip(sheet[column], frame[column].tolist(), strict=True):
            if math.isnan(want):
                assert got is None, column
            else:
                assert isinstance(got, int | float) and got == pytest.approx(want), column
    assert all(type(c) is bool for c in sheet["synthetic"])
    statuses = sheet["status"]
    assert "suppressed" in statuses and "value" in statuses
    for i, status in enumerate(statuses):
        own = [sheet[c][i] for c in ("numerator", "denominator", "value", "lower", "upper")]
        if status == "suppressed":
            assert own == [None] * 5
        if status == "value":
            assert isinstance(sheet["value"][i], int | float)


def test_text_cells_match_the_frame(workbook, frames):
    frame = frames["indicators"]
    sheet = _columns(workbook["indicators"])
    for column in ["indicator_id", "area_code", "area_name", "period", "status", "method"]:
        assert sheet[column] == frame[column].tolist()
    assert sheet["status_reason"] == [r or None for r in frame["status_reason"]]


def test_definitions_sheet_holds_the_chosen_indicators(workbook):
    rows = _sheet_rows(workbook["indicator definitions"])
    assert list(rows[0]) == DEFINITION_COLUMNS
    assert sorted(row[0] for row in rows[1:]) == sorted(INDICATORS)


def test_notes_explain_every_status(workbook):
    terms = {row[1] for row in _sheet_rows(workbook[NOTES_SHEET])[1:]}
    assert {"value", "suppressed", "no_response", "missing"} <= terms


def test_cover_has_title_synthetic_notice_licence_and_sheet_list(workbook):
    cover = workbook["cover"]
    text = _cover_text(workbook)
    assert cover["A1"].style == "Headline 1"
    assert text[0] == "SASCI capacity map: indicator export"
    assert SYNTHETIC_NOTICE and all(line in text for line in SYNTHETIC_NOTICE)
    assert {CITATION, ONS_ATTRIBUTION, OS_ATTRIBUTION} <= set(text)
    assert all(any(line.startswith(f"{name}: ") for line in text) for name in SHEETS)
    assert not cover.tables and not cover.merged_cells.ranges
    assert None not in text  # no blank rows


def test_real_only_database_has_no_synthetic_notice(empty_engine):
    init_database(empty_engine, DEFAULT_DATA_DIR, demo=False)
    wb = _open(workbook_bytes(empty_engine, ["pop_all_ages"], data_dir=DEFAULT_DATA_DIR))
    text = _cover_text(wb)
    assert not any(line in text for line in SYNTHETIC_NOTICE)
    assert CITATION in text
    # An empty inventory is still a table: the header and one empty row.
    ws = wb["innovations"]
    assert [c.value for c in ws[1]][:2] == ["innovation_id", "name"]
    assert ws.tables["innovations"].ref.endswith("2") and ws.max_row <= 2


def test_unknown_indicator_is_refused_by_name(engine):
    with pytest.raises(ValueError, match="no_such_indicator"):
        workbook_bytes(engine, ["no_such_indicator"], data_dir=DEFAULT_DATA_DIR)


def _import_injection(engine, tmp_path) -> None:
    """Load an innovations inventory whose text fields look like spreadsheet formulas."""
    innovations, _ = inventory_import_frames(DEFAULT_DATA_DIR)
    rows = innovations[innovations["innovation_id"] == innovations["innovation_id"].iloc[0]]
    rows = rows.head(2).assign(**INJECTED)
    path = tmp_path / "innovations.csv"
    rows.to_csv(path, index=False)
    import_file(engine, "innovations", path, data_dir=DEFAULT_DATA_DIR)


def test_formula_text_is_neutralised_in_csv_and_xlsx_and_numbers_stay_numbers(empty_engine,
                                                                              tmp_path):
    init_database(empty_engine, DEFAULT_DATA_DIR, demo=False)
    _import_injection(empty_engine, tmp_path)

    csv = pd.read_csv(io.BytesIO(csv_bytes(table_frame(empty_engine, "innovations"))),
                      dtype=str, keep_default_na=False)
    for column, text in INJECTED.items():
        assert set(csv[column]) == {"'" + text}
    assert csv["start_year"].str.fullmatch(r"\d{4}").all()

    wb = _open(workbook_bytes(empty_engine, ["pop_all_ages"], data_dir=DEFAULT_DATA_DIR))
    ws = wb["innovations"]
    header = [cell.value for cell in ws[1]]
    data = list(ws.iter_rows(min_row=2))
    assert len(data) == 2
    for row in data:
        cells = dict(zip(header, row, strict=True))
        for column, text in INJECTED.items():
            assert cells[column].value == "'" + text
            assert cells[column].data_type == "s"  # text, not a formula
        assert isinstance(cells["start_year"].value, int)
        assert cells["start_year"].data_type == "n"
        assert cells["end_year"].value is None
        assert cells["synthetic"].value is False
