import csv
import datetime as dt
import io
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from sasci_map import tabular
from sasci_map.csv_scan import scan_fast, scan_slow
from sasci_map.errors import DataValidationError
from sasci_map.tabular import MAX_PROBLEMS, TableError, read_table


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def problems_of(path, **kwargs):
    with pytest.raises(TableError) as caught:
        read_table(path, **kwargs)
    return caught.value


def xlsx_bytes(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["id", "name"])
    book.active.append([1, "a"])
    book.save(tmp_path / "made.xlsx")
    return (tmp_path / "made.xlsx").read_bytes()


def random_binary():
    rng = np.random.default_rng(7)
    return b"id\x00\x01" + rng.integers(0, 256, 2000, dtype=np.uint8).tobytes()


# (file name, content, words every one of which the message must hold)
CORPUS = {
    "empty": ("a.csv", b"", ["a.csv: 1 problem(s):", "the file is empty"]),
    "whitespace only": ("a.csv", " \n\n\t \r\n  ", ["the file is empty", "only blank lines"]),
    "header only": ("a.csv", "id,name\n", ["has a header but no data rows"]),
    "header and blank lines": ("a.csv", "id,name\n\n,\n \n", ["has a header but no data rows"]),
    "binary": ("a.csv", random_binary(), ["binary file", "NUL bytes", "byte offset 2, line 1"]),
    "pdf": ("a.csv", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", ["looks like a PDF document"]),
    "old xls": ("a.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(50), [".xls workbook"]),
    "utf-16 with bom": (
        "a.csv",
        "id,name\n1,Zoë\n".encode("utf-16"),
        ["the file is UTF-16 encoded; save it as 'CSV UTF-8'"],
    ),
    "utf-16 without bom": (
        "a.csv",
        "id,name\n1,Zoë\n".encode("utf-16-le"),
        ["UTF-16 encoded; save it as 'CSV UTF-8'"],
    ),
    "utf-32": ("a.csv", "id,name\n1,a\n".encode("utf-32"), ["UTF-32 encoded"]),
    "latin-1": (
        "a.csv",
        b"id,name\n1,Bob\n2,Ren\xe9e\n",
        ["line 3: byte 0xE9 (byte offset 19, after '2,Ren') is not valid UTF-8", "'CSV UTF-8'"],
    ),
    "cp1252 after multi-byte text": (
        "a.csv",
        b"id,name\n1," + ("é" * 20 + "x").encode() + b"\x96\n",
        ["line 2: byte 0x96 (byte offset 51, after '\ufffd" + "é" * 14 + "x')"],
    ),
    "html": (
        "a.csv",
        "\n  <!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table>",
        ["looks like an HTML/XML page, not a CSV", "'<!DOCTYPE html>'"],
    ),
    "xml": ("a.csv", '<?xml version="1.0"?>\n<rows/>', ["HTML/XML page"]),
    "semicolons": (
        "a.csv",
        "id;name;score\n1;a;3\n",
        ["appears to be ';'-separated; expected commas"],
    ),
    "tabs": (
        "a.csv",
        "id\tname\tscore\n1\ta\t3\n",
        ["appears to be tab-separated; expected commas"],
    ),
    "pipes": ("a.txt", "id|name\n1|a\n", ["appears to be '|'-separated; expected commas"]),
    "duplicate headers": (
        "a.csv",
        "id,name,score,id\n1,a,3,4\n",
        ["duplicate column 'id' in columns 1 (A) and 4 (D)"],
    ),
    "duplicate after strip": (
        "a.csv",
        "score, name,score \n1,a,3\n",
        ["duplicate column 'score' in columns 1 (A) and 3 (C)"],
    ),
    "blank headers": (
        "a.csv",
        "id,,score, \n1,a,3,4\n",
        ["blank header in column(s) 2 (B), 4 (D)"],
    ),
    "blank header row": ("a.csv", "\nid,name\n1,a\n", ["row 1 (the header) is blank"]),
    "unclosed quote": (
        "a.csv",
        'id,name,score\n1,a,3\n2,"b,3\n4,d,5\n',
        ["1 problem(s)", "row 3 (line 3): a quoted cell opened here is never closed"],
    ),
    "unclosed quote after a multi-line cell": (
        "a.csv",
        'id,name\n1,"two\nlines"\n2,"open\n3,c\n',
        ["row 3 (line 4): a quoted cell opened here is never closed"],
    ),
    "text after a closing quote": (
        "a.csv",
        'id,name\n1,"Smith" Jr\n',
        ["row 2 (line 2): ',' expected after '\"'; check the quotes on this row"],
    ),
    "unclosed quote in the header": (
        "a.csv",
        'id,"name\n1,a\n',
        ["row 1 (the header): a quoted cell opened here is never closed; every opening"],
    ),
}


@pytest.mark.parametrize("case", list(CORPUS))
def test_malformed_file_is_refused_with_a_specific_message(tmp_path, case):
    name, content, words = CORPUS[case]
    error = problems_of(write(tmp_path, name, content))
    assert isinstance(error, DataValidationError)
    for word in words:
        assert word in str(error)
    assert "Traceback" not in str(error)


def test_zip_renamed_to_csv_says_rename_it(tmp_path):
    error = problems_of(write(tmp_path, "answers.csv", xlsx_bytes(tmp_path)))
    assert "looks like a zip file, probably an Excel .xlsx workbook renamed" in str(error)
    assert "rename it to .xlsx" in str(error)


def test_short_and_long_rows_are_all_listed_with_spreadsheet_row_numbers(tmp_path):
    text = "id,name,score\n1,a,3\n2,b\n3,c,5,6\n4,d,7\n\n5\n6,f,8,9,10\n7,g,1\n"
    error = problems_of(write(tmp_path, "a.csv", text))
    assert error.problems == [
        "row 3: 2 fields, but the header has 3 (too few: a missing comma?)",
        "row 4: 4 fields, but the header has 3 (too many: a cell holding a comma must be in "
        "double quotes)",
        "row 7: 1 field, but the header has 3 (too few: a missing comma?)",
        "row 8: 5 fields, but the header has 3 (too many: a cell holding a comma must be in "
        "double quotes)",
    ]
    assert str(error).startswith("a.csv: 4 problem(s):\n  - row 3: 2 fields")


def test_row_numbers_count_records_past_multi_line_cells(tmp_path):
    text = 'id,note\n1,"one\ntwo\nthree"\n2,ok\n3\n'
    error = problems_of(write(tmp_path, "a.csv", text))
    assert error.problems == ["row 4: 1 field, but the header has 2 (too few: a missing comma?)"]


def test_problems_are_capped_with_a_count_of_the_rest(tmp_path):
    text = "id,name\n" + "".join(f"{i}\n" for i in range(300))
    error = problems_of(write(tmp_path, "a.csv", text))
    assert len(error.problems) == MAX_PROBLEMS + 1 == 201
    assert error.problems[-1] == "... and 100 more"
    lines = str(error).splitlines()
    assert lines[0] == "a.csv: 300 problem(s):"
    assert lines[1] == "  - row 2: 1 field, but the header has 2 (too few: a missing comma?)"
    assert lines[200].startswith("  - row 201: 1 field")
    assert lines[-1] == "  - ... and 100 more"
    assert len(lines) == 202


def test_header_and_row_problems_are_reported_together(tmp_path):
    text = "id,id,score\n1,2\n"
    error = problems_of(write(tmp_path, "a.csv", text), expected_columns=["id", "score"])
    assert error.problems == [
        "duplicate column 'id' in columns 1 (A) and 2 (B); names must be unique",
        "row 2: 2 fields, but the header has 3 (too few: a missing comma?)",
    ]


def test_unknown_column_suggests_the_closest_expected_one(tmp_path):
    path = write(tmp_path, "a.csv", "council_code,scroe,colour\nE1,3,red\n")
    error = problems_of(path, expected_columns=["score", "council_code", "weight"])
    assert error.problems == [
        "missing column(s): 'score', 'weight'",
        "unknown column 'scroe' (column 2 (B)); did you mean 'score'?",
        "unknown column 'colour' (column 3 (C)); not an expected column",
    ]


def test_optional_columns_may_be_absent_and_are_not_unknown(tmp_path):
    optional = ["q1", "q2", "notes"]
    path = write(tmp_path, "a.csv", "id,q2,notes\n1,3,x\n")
    table = read_table(path, expected_columns=["id", "q1", "q2"], optional_columns=optional)
    assert list(table.frame.columns) == ["id", "q2", "notes"]
    path = write(tmp_path, "b.csv", "id,q2,note\n1,3,x\n")
    error = problems_of(
        path, expected_columns=["id", "wave", "q1", "q2"], optional_columns=optional
    )
    assert error.problems == [
        "missing column(s): 'wave'",
        "unknown column 'note' (column 3 (C)); did you mean 'notes'?",
    ]


def test_expected_columns_in_any_order_keep_the_file_order(tmp_path):
    path = write(tmp_path, "a.csv", "b,a,c\n1,2,3\n")
    table = read_table(path, expected_columns=["a", "c", "b"])
    assert list(table.frame.columns) == ["b", "a", "c"]


def test_too_large_names_size_limit_and_how_to_raise_it(tmp_path):
    path = write(tmp_path, "a.csv", "id,name\n1,a\n2,b\n")
    error = problems_of(path, max_bytes=10)
    assert "the file is 16 bytes, larger than the 10 bytes import limit" in str(error)
    assert "to raise it, set SASCI_MAX_IMPORT_MB or pass --max-mb" in str(error)
    big = 600 * tabular.BYTES_PER_MB
    assert tabular._size(big) == "600.0 MB"
    assert tabular._size(tabular.DEFAULT_MAX_BYTES) == "500.0 MB"
    assert tabular.DEFAULT_MAX_BYTES == 500_000_000


def test_wrong_extension_and_missing_file(tmp_path):
    error = problems_of(write(tmp_path, "a.json", "{}"))
    assert "expected a .csv or .xlsx file (got '.json')" in str(error)
    error = problems_of(write(tmp_path, "a.xls", b"\xd0\xcf\x11\xe0"))
    assert "expected a .csv or .xlsx file (got '.xls')" in str(error)
    error = problems_of(tmp_path / "nowhere.csv")
    assert (
        str(error) == f"nowhere.csv: 1 problem(s):\n  - file not found: {tmp_path / 'nowhere.csv'}"
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            b"\x8f\x00random bytes" * 50,
            ["not a zip archive (password-protected, or another file renamed"],
        ),
        (b"id,name\n1,a\n", ["not a valid .xlsx workbook: not a zip archive"]),
    ],
)
def test_corrupt_xlsx_is_refused(tmp_path, content, words):
    error = problems_of(write(tmp_path, "a.xlsx", content))
    assert "not a valid .xlsx workbook" in str(error)
    assert "open it in Excel and save it again as .xlsx" in str(error)
    for word in words:
        assert word in str(error)


def test_zip_without_workbook_parts_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "a.xlsx", "w") as archive:
        archive.writestr("hello.txt", "hi")
    error = problems_of(tmp_path / "a.xlsx")
    assert "not a valid .xlsx workbook (KeyError" in str(error)


def test_xlsx_with_broken_sheet_xml_is_refused(tmp_path):
    good = tmp_path / "made.xlsx"
    good.write_bytes(xlsx_bytes(tmp_path))
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(tmp_path / "a.xlsx", "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    error = problems_of(tmp_path / "a.xlsx")
    assert "not a valid .xlsx workbook (ParseError" in str(error)


# ---- files that read ----


def test_good_csv_reads_as_stripped_text_with_record_row_numbers(tmp_path):
    text = (
        "\ufeff id , name ,score\r\n"
        "1, Alice ,NA\r\n"
        '2,"Smith, Bob\r\nsecond line",\r\n'
        "\r\n"
        ",,\r\n"
        '3,"say ""hi""",N/A\r\n'
        "\r\n\r\n"
    )
    table = read_table(write(tmp_path, "a.csv", text))
    assert list(table.frame.columns) == ["id", "name", "score"]
    assert table.frame.to_dict("list") == {
        "id": ["1", "2", "3"],
        "name": ["Alice", "Smith, Bob\r\nsecond line", 'say "hi"'],
        "score": ["NA", "", "N/A"],
    }
    assert table.rows.tolist() == [2, 3, 6]
    assert table.rows.dtype == np.int64
    assert isinstance(table.frame.index, pd.RangeIndex)
    assert all(dtype == "str" for dtype in table.frame.dtypes)
    assert table.sheet is None
    assert table.path == tmp_path / "a.csv"


def test_bom_before_a_quoted_header_takes_the_fast_path(tmp_path):
    path = write(tmp_path, "a.CSV", '\ufeff"id","na,me"\r\n"1",a\r\n')
    assert scan_fast(path.read_bytes(), 3, 2) is not None
    table = read_table(path)
    assert table.frame.to_dict("list") == {"id": ["1"], "na,me": ["a"]}


def test_blank_rows_in_the_middle_are_skipped_keeping_row_numbers(tmp_path):
    text = "id,name\n1,a\n\n   \n,\n,,,,\n2,b\n"
    table = read_table(write(tmp_path, "a.csv", text))
    assert table.frame["id"].tolist() == ["1", "2"]
    assert table.rows.tolist() == [2, 7]


def test_file_without_final_line_end_and_single_column(tmp_path):
    table = read_table(write(tmp_path, "a.csv", "id\n1\n\n2"))
    assert table.frame["id"].tolist() == ["1", "2"]
    assert table.rows.tolist() == [2, 4]


def test_stray_quotes_take_the_exact_path_and_read_like_pandas(tmp_path):
    text = 'id,height,note\n1,5\'11",tall\n2,6,"a ""quoted"" word"\n3,4, he said "hi"\n'
    path = write(tmp_path, "a.csv", text)
    data = path.read_bytes()
    assert scan_fast(data, 0, 3) is None
    table = read_table(path)
    assert table.frame["height"].tolist() == ["5'11\"", "6", "4"]
    assert table.frame["note"].tolist() == ["tall", 'a "quoted" word', 'he said "hi"']
    assert table.rows.tolist() == [2, 3, 4]
    table = read_table(write(tmp_path, "b.csv", 'id,height\n1,5"11\n\n2,x'))
    assert table.frame.to_dict("list") == {"id": ["1", "2"], "height": ['5"11', "x"]}
    assert table.rows.tolist() == [2, 4]


def test_old_mac_line_ends_read_through_the_exact_path(tmp_path):
    path = write(tmp_path, "a.csv", "id,name\r1,a\r2,b\r")
    assert scan_fast(path.read_bytes(), 0, 2) is None
    table = read_table(path)
    assert table.frame.to_dict("list") == {"id": ["1", "2"], "name": ["a", "b"]}
    assert table.rows.tolist() == [2, 3]


@pytest.mark.parametrize(
    "text",
    [
        "id,name,score\n1,a,3\n2,b\n3,c,5,6\n\n,,\n4\n",
        'id,name\n1,"x\ny"\n2,"a,b",c\n"3",""\n\r\n5,"q""q"',
        'id,name\r\n1,"open\r\n2,b\r\n',
        'a,b\n1,"two\nlines"\n2,"open\n3,c\n',
        "id,name\n,\n \n\n1,a\n",
        'id,name,score\n1,a\n2,"x,y\n3,c,d\n',
    ],
)
def test_fast_and_exact_scans_agree(tmp_path, text):
    path = write(tmp_path, "a.csv", text)
    n = len(text.split("\n")[0].split(","))
    fast, exact = scan_fast(path.read_bytes(), 0, n), scan_slow(path, n)
    assert fast is not None
    assert fast.unclosed == exact.unclosed
    # the record with a quote never closed runs to the end: its count means nothing
    cut = exact.unclosed[0] - 1 if exact.unclosed else len(exact.counts)
    assert fast.counts[:cut].tolist() == exact.counts[:cut].tolist()
    assert {i for i in fast.blank if i < cut} == exact.blank


def test_unicode_whitespace_is_stripped(tmp_path):
    table = read_table(write(tmp_path, "a.csv", "id,name\n1,\u00a0Zoë\u2003\n2,\tx \n"))
    assert table.frame["name"].tolist() == ["Zoë", "x"]


def test_xlsx_round_trip_reads_cells_as_csv_text(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["ignored"])
    book.active.append(["x"])
    sheet = book.create_sheet("Responses")
    sheet.append([" id ", "count", "ratio", "when", "flag", "note", None])
    sheet.append([1, 3.0, 0.25, dt.date(2024, 3, 1), True, " text ", None])
    sheet.append([2, None, 1e-05, dt.datetime(2024, 3, 1, 9, 30), False, "NA"])
    sheet.append([])
    sheet.append([3, 12, 2.5, None, None, None])
    sheet.append([None, None])
    book.save(tmp_path / "a.xlsx")
    table = read_table(tmp_path / "a.xlsx", sheet="Responses")
    assert table.sheet == "Responses"
    assert table.frame.to_dict("list") == {
        "id": ["1", "2", "3"],
        "count": ["3", "", "12"],
        "ratio": ["0.25", "1e-05", "2.5"],
        "when": ["2024-03-01", "2024-03-01T09:30:00", ""],
        "flag": ["true", "false", ""],
        "note": ["text", "NA", ""],
    }
    assert table.rows.tolist() == [2, 3, 5]
    assert all(dtype == "str" for dtype in table.frame.dtypes)
    assert read_table(tmp_path / "a.xlsx").sheet == "Notes"


def test_xlsx_problems_name_sheets_rows_and_columns(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Data"
    book.active.append(["id", "name", "id", None])
    book.active.append([1, "a", 2, None, "stray"])
    book.save(tmp_path / "a.xlsx")
    error = problems_of(tmp_path / "a.xlsx", expected_columns=["id", "name", "score"])
    assert error.problems == [
        "duplicate column 'id' in columns 1 (A) and 3 (C); names must be unique",
        "missing column(s): 'score'",
        "row 2: column 5 (E) holds 'stray' but has no header",
    ]
    error = problems_of(tmp_path / "a.xlsx", sheet="Answers")
    assert "no sheet named 'Answers'; the workbook has: 'Data'" in str(error)


def test_xlsx_empty_and_header_only_sheets(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Empty"
    book.create_sheet("Header").append(["id", "name"])
    book.save(tmp_path / "a.xlsx")
    assert "sheet 'Empty' is empty" in str(problems_of(tmp_path / "a.xlsx"))
    error = problems_of(tmp_path / "a.xlsx", sheet="Header")
    assert "sheet 'Header' has a header but no data rows" in str(error)


def test_table_error_formats_every_problem_on_its_own_line(tmp_path):
    error = TableError(tmp_path / "x.csv", ["one", "two"])
    assert str(error) == "x.csv: 2 problem(s):\n  - one\n  - two"
    assert error.problems == ["one", "two"]
    assert isinstance(error, DataValidationError)
    error = TableError("x.csv", ["one", "two"], omitted=5)
    assert str(error) == "x.csv: 7 problem(s):\n  - one\n  - two\n  - ... and 5 more"
    assert error.problems == ["one", "two", "... and 5 more"]
    # a list its maker already capped is kept whole, and counted in full
    error = TableError("x.csv", ["one", "... and 9 more"])
    assert str(error).splitlines()[0] == "x.csv: 10 problem(s):"
    assert len(TableError("x.csv", ["p"] * 300).problems) == 300


def random_csv(rng, n_columns, n_rows, irregular):
    """Rows of random cells (commas, quotes, line breaks, spaces); some short or long rows."""
    pieces = ["a", "b c", ",", '"', "\n", "\r\n", " ", "é", "NA", "1", ""]
    rows = [[f"c{i}" for i in range(n_columns)]]
    for _ in range(n_rows):
        width = n_columns + (int(rng.integers(-2, 3)) if rng.random() < irregular else 0)
        rows.append(["".join(rng.choice(pieces, rng.integers(0, 4))) for _ in range(max(width, 0))])
    return rows


@pytest.mark.parametrize("seed", range(20))
def test_fast_scan_agrees_with_the_csv_module_and_pandas_on_random_files(tmp_path, seed):
    rng = np.random.default_rng(seed)
    rows = random_csv(rng, n_columns=4, n_rows=60, irregular=0.1 * (seed % 2))
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n" if seed % 4 < 2 else "\n").writerows(rows)
    path = write(tmp_path, "a.csv", buffer.getvalue())
    fast, exact = scan_fast(path.read_bytes(), 0, 4), scan_slow(path, 4)
    assert fast is not None
    assert fast.counts.tolist() == exact.counts.tolist()
    assert (fast.blank, fast.unclosed) == (exact.blank, exact.unclosed)
    good = [(number, row) for number, row in enumerate(rows[1:], 2) if len(row) == 4]
    wanted = [(n, [c.strip() for c in row]) for n, row in good if any(c.strip() for c in row)]
    if len(good) == len(rows) - 1:
        table = read_table(path)
        assert table.rows.tolist() == [n for n, _ in wanted]
        assert table.frame.to_numpy().tolist() == [cells for _, cells in wanted]
    else:
        bad = [n for n, row in enumerate(rows[1:], 2) if len(row) != 4 and any(map(str.strip, row))]
        assert [int(p.split(":")[0][4:]) for p in problems_of(path).problems] == bad


def test_unclosed_quote_found_by_the_exact_path_too(tmp_path):
    path = write(tmp_path, "a.csv", 'id,height\n1,5"11\n2,"open\n3,x\n')
    assert scan_fast(path.read_bytes(), 0, 2) is None
    error = problems_of(path)
    assert error.problems == [
        "row 3 (line 3): a quoted cell opened here is never closed; every opening '\"' needs a "
        "closing '\"'"
    ]
    long_tail = 'id,height\n1,5"11\n2,"open\n' + "x,y\n" * 40_000
    error = problems_of(write(tmp_path, "b.csv", long_tail))
    assert "row 3 (line 3): field larger than field limit (131072); check the quotes" in str(error)
    error = problems_of(write(tmp_path, "c.csv", 'id,height\n1,"open\n' + "x,y\n" * 40_000))
    assert "row 2 (line 2): a quoted cell opened here is never closed" in str(error)
