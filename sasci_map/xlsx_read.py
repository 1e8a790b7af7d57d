"""Reading one XLSX worksheet's cells as the text a CSV export of it would hold."""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple, NoReturn
from xml.etree.ElementTree import ParseError

#: Floats beyond 2**53 are not exact integers: their trailing digits would be noise.
_EXACT_FLOAT = 2.0**53
#: What openpyxl raises for a file that is not a workbook (not a zip, parts missing, bad XML).
_XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, KeyError, ParseError, EOFError)


class XlsxError(Exception):
    """One fatal problem of an XLSX file, without its path; the caller adds the path."""


def _fail(problem: str) -> NoReturn:
    raise XlsxError(problem)


class Sheet(NamedTuple):
    """The text of one worksheet.

    Attributes
    ----------
    name : str
        The worksheet's title.
    header : list of str
        Row 1's cells up to its last non-blank one; empty when row 1 is blank.
    cells : list of (int, list of str)
        For each row after the header holding a non-blank cell, its spreadsheet row number and
        its cells, as long as the row is in the file (shorter or longer than the header).
    """

    name: str
    header: list[str]
    cells: list[tuple[int, list[str]]]


def _cell_text(value: object) -> str:
    """Return an XLSX cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_FLOAT:
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def read_sheet(path: Path, sheet: str | None) -> Sheet:
    """Read every cell of one worksheet as stripped text.

    Parameters
    ----------
    path : Path
        An ``.xlsx`` workbook.
    sheet : str or None
        The worksheet to read; the first one when None.

    Returns
    -------
    Sheet
        The worksheet's title, header and non-blank rows; a whole-number float reads as an
        integer, a date as ISO text, a boolean as ``true``/``false``, an empty cell as ``""``.

    Raises
    ------
    XlsxError
        When the file is not a valid workbook, or has no sheet named ``sheet``.
    """
    import openpyxl  # only XLSX imports need it

    fix = "open it in Excel and save it again as .xlsx"
    with path.open("rb") as handle:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except _XLSX_ERRORS as exc:
            handle.seek(0)
            if handle.read(2) != b"PK":
                _fail(f"not a valid .xlsx workbook: not a zip archive (password-protected, or "
                      f"another file renamed to .xlsx?); {fix}")  # fmt: skip
            _fail(f"not a valid .xlsx workbook ({type(exc).__name__}: {exc}); {fix}")
        try:
            if sheet is not None and sheet not in book.sheetnames:
                _fail(f"no sheet named {sheet!r}; the workbook has: "
                      f"{', '.join(map(repr, book.sheetnames))}")  # fmt: skip
            worksheet = book[sheet] if sheet is not None else book.worksheets[0]
            worksheet.reset_dimensions()  # some writers store a wrong used range; read all rows
            lines = worksheet.iter_rows(min_row=1, values_only=True)
            header = [_cell_text(v) for v in next(lines, ())]
            cells = [(row, [_cell_text(v) for v in values]) for row, values in enumerate(lines, 2)]
        except _XLSX_ERRORS as exc:  # read-only sheets are parsed while iterated
            _fail(f"not a valid .xlsx workbook ({type(exc).__name__}: {exc}); {fix}")
        finally:
            book.close()
    while header and not header[-1]:
        header.pop()
    cells = [(row, texts) for row, texts in cells if any(texts)]
    return Sheet(worksheet.title, header, cells)
