"""Import templates: sheets, header row, Excel tables, drop-downs and the data dictionary."""

import csv

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from sasci_map.config import DEFAULT_DATA_DIR
from sasci_map.survey_format import IMPORT_KINDS, import_columns
from sasci_map.template import (
    MAX_INLINE_LIST,
    MAX_TEMPLATE_ROWS,
    ColumnSpec,
    _list_formula,
    _validation,
    write_template,
)

SHEETS = {
    "survey": ["survey", "data dictionary", "about"],
    "innovations": ["innovations", "data dictionary", "codes", "about"],
    "infrastructure": ["infrastructure", "data dictionary", "codes", "about"],
}


def _codebook():
    with open(DEFAULT_DATA_DIR / "survey" / "codebook.csv", encoding="utf-8-sig") as f:
        return {row["item_id"]: row for row in csv.DictReader(f)}


def _typology(name):
    with open(DEFAULT_DATA_DIR / "survey" / f"typology_{name}.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module", params=IMPORT_KINDS)
def written(request, tmp_path_factory):
    kind = request.param
    path = write_template(kind, tmp_path_factory.mktemp(kind) / f"{kind}.xlsx")
    return kind, path, openpyxl.load_workbook(path)


def _records(ws):
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _validations(ws, column):
    letter = get_column_letter(import_columns(ws.title).index(column) + 1)
    target = f"{letter}2:{letter}{MAX_TEMPLATE_ROWS}"
    return [dv for dv in ws.data_validations.dataValidation if target in str(dv.sqref).split()]


def test_sheets_in_order(written):
    kind, _, wb = written
    assert wb.sheetnames == SHEETS[kind]
    assert all(len(name) <= 31 for name in wb.sheetnames)


def test_data_sheet_is_the_header_row_only(written):
    kind, _, wb = written
    ws = wb[kind]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == import_columns(kind)
    assert all(value is None for row in rows[1:] for value in row)
    assert ws.max_row == 1
    assert ws.freeze_panes == "A2"
    assert all(cell.font.bold for cell in ws[1])


def test_data_sheet_is_an_excel_table(written):
    kind, _, wb = written
    ws = wb[kind]
    assert list(ws.tables) == [f"{kind}_data"]
    table = ws.tables[f"{kind}_data"]
    last = get_column_letter(len(import_columns(kind)))
    assert table.ref == f"A1:{last}2"
    assert [c.name for c in table.tableColumns] == import_columns(kind)


def test_reference_sheets_are_tables_with_frozen_wrapped_headers(written):
    kind, _, wb = written
    for name in wb.sheetnames[1:]:
        ws = wb[name]
        assert len(ws.tables) == 1, name
        assert ws.freeze_panes == "A2", name
        assert ws["A2"].alignment.wrap_text, name
        assert all(ws.column_dimensions[get_column_letter(i)].width >= 10
                   for i in range(1, ws.max_column + 1)), name


def test_dictionary_has_one_row_per_column(written):
    kind, _, wb = written
    records = _records(wb["data dictionary"])
    assert [r["column"] for r in records] == import_columns(kind)
    assert all(r["required"] in ("yes", "no") for r in records)
    assert all(value not in (None, "") for r in records for value in r.values())


def test_survey_dictionary_matches_the_codebook(tmp_path):
    wb = openpyxl.load_workbook(write_template("survey", tmp_path / "s.xlsx"))
    records = {r["column"]: r for r in _records(wb["data dictionary"])}
    book = _codebook()
    for item in ("collab_partnerships", "activity_generated", "reasons_innovating",
                 "free_commissioning"):
        assert records[item]["question or description"] == book[item]["question"]
        assert records[item]["questionnaire"] == book[item]["questionnaire"]
        assert records[item]["response type"] == book[item]["response_type"]
        assert records[item]["required"] == "no"
        assert records[item]["how several respondents combine"].startswith(
            book[item]["combine_rule"])
    assert records["collab_partnerships"]["code labels"].startswith(
        "1 = Strongly disagree; 2 = Disagree;")
    assert records["activity_generated"]["range"] == (
        f"{book['activity_generated']['min']} to {book['activity_generated']['max']}")
    assert "';'" in records["reasons_innovating"]["notes"]
    for column in ("respondent_id", "org_id", "org_type", "council_code", "wave"):
        assert records[column]["required"] == "yes"
    assert records["synthetic"]["required"] == "no"
    assert "GSS code" in records["council_code"]["notes"]


def test_survey_drop_downs(tmp_path):
    wb = openpyxl.load_workbook(write_template("survey", tmp_path / "s.xlsx"))
    ws = wb["survey"]
    (org_type,) = _validations(ws, "org_type")
    assert org_type.type == "list" and org_type.formula1 == '"council,provider"'
    (likert,) = _validations(ws, "collab_partnerships")
    assert likert.formula1 == '"1,2,3,4,5"'
    (yes_no,) = _validations(ws, "activity_spread")
    assert yes_no.formula1 == '"yes,no,dont_know"'
    (synthetic,) = _validations(ws, "synthetic")
    assert synthetic.formula1 == '"true,false"'
    (count,) = _validations(ws, "activity_generated")
    assert (count.type, count.formula1, count.formula2) == ("whole", "0", "500")
    assert _validations(ws, "reasons_innovating") == []  # multi-select: no drop-down
    assert _validations(ws, "free_commissioning") == []


def test_inventory_drop_downs_and_codes(tmp_path):
    wb = openpyxl.load_workbook(write_template("innovations", tmp_path / "i.xlsx"))
    ws = wb["innovations"]
    stages = [row["code"] for row in _typology("stage")]
    (stage,) = _validations(ws, "stage")
    assert stage.formula1 == f'"{",".join(stages)}"'
    assert _validations(ws, "client_groups") == []
    (start,) = _validations(ws, "start_year")
    assert (start.type, start.formula1, start.formula2) == ("whole", "1990", "2030")
    codes = _records(wb["codes"])
    assert [r["code"] for r in codes if r["typology"] == "stage"] == stages
    assert {r["typology"] for r in codes} == {
        "innovation_type", "journey", "stage", "change", "actor", "client_group", "evidence"}
    dictionary = {r["column"]: r for r in _records(wb["data dictionary"])}
    assert dictionary["partner_actors"]["required"] == "no"
    assert dictionary["innovation_id"]["required"] == "yes"
    assert dictionary["stage"]["allowed codes"] == ", ".join(stages)


def test_infrastructure_codes_and_levels(tmp_path):
    wb = openpyxl.load_workbook(write_template("infrastructure", tmp_path / "o.xlsx"))
    (level,) = _validations(wb["infrastructure"], "area_level")
    assert level.formula1 == '"national,region,council"'
    assert {r["typology"] for r in _records(wb["codes"])} == {"support_type",
                                                              "support_function"}


def test_about_sheet(written):
    kind, _, wb = written
    text = " ".join(str(v) for row in wb["about"].iter_rows(values_only=True) for v in row)
    assert f"sasci-map import {kind} FILE.xlsx" in text
    assert "This template contains no data." in text
    assert "Open Government Licence" in text
    assert ("an older code" in text) == ("council_code" in import_columns(kind))


def test_round_trip_with_pandas(written):
    kind, path, _ = written
    frame = pd.read_excel(path, sheet_name=kind, dtype=str)
    assert list(frame.columns) == import_columns(kind)
    assert len(frame) == 0


def test_overwrites(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_text("not a workbook")
    assert write_template("survey", str(path)) == path
    assert openpyxl.load_workbook(path).sheetnames == SHEETS["survey"]


def test_bad_extension(tmp_path):
    with pytest.raises(ValueError, match=r"t\.csv.*\.xlsx"):
        write_template("survey", tmp_path / "t.csv")


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_template("survey", tmp_path / "nowhere" / "t.xlsx")


def test_unknown_kind(tmp_path):
    with pytest.raises(ValueError, match="import kind 'people'"):
        write_template("people", tmp_path / "t.xlsx")


def test_long_code_lists_get_no_inline_drop_down():
    long_codes = tuple(f"code_{i:03d}" for i in range(40))
    assert len(",".join(long_codes)) > MAX_INLINE_LIST
    assert _list_formula(long_codes) is None
    assert _validation(ColumnSpec("x", False, "x", codes=long_codes)) is None
    assert _list_formula(("a", "b")) == '"a,b"'
