"""Reading a user-supplied CSV or XLSX import file into a frame of text, with exact errors."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, NoReturn
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd
import pyarrow as pa

from sasci_map.config import DEFAULT_MAX_IMPORT_MB
from sasci_map.errors import DataValidationError

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx",)
#: Decimal megabytes, as the CLI's --max-mb and SASCI_MAX_IMPORT_MB count them.
BYTES_PER_MB = 1_000_000
#: 1M respondents x 45 columns is about 150 MB of CSV; 500 MB leaves room for free text while
#: stopping a wrong file (a database dump, a video) before it is read into memory.
DEFAULT_MAX_BYTES = DEFAULT_MAX_IMPORT_MB * BYTES_PER_MB
#: Problems listed per file; past this a user fixes the pattern, not each row.
MAX_PROBLEMS = 200
#: Bytes scanned at a time: big enough for numpy to be fast, small enough that the scan's
#: temporary arrays stay far below the frame's own memory.
_SCAN_CHUNK = 1 << 24
#: Bytes inspected to recognise UTF-16 text without a byte-order mark.
_SNIFF_BYTES = 4096
COMMA, QUOTE, LF, CR = b","[0], b'"'[0], b"\n"[0], b"\r"[0]
#: Bytes that may stand next to a quote opening or closing a quoted cell (RFC 4180).
_QUOTE_NEIGHBOURS = np.array([COMMA, QUOTE, LF, CR], dtype=np.uint8)
#: Bytes that may begin or end a cell needing a strip: ASCII whitespace as str.strip sees it, and
#: any non-ASCII byte, which may belong to a Unicode space.
_EDGE_SPACE = np.zeros(256, dtype=bool)
_EDGE_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32, *range(128, 256)]] = True
#: Floats beyond 2**53 are not exact integers: their trailing digits would be noise.
_EXACT_FLOAT = 2.0**53
_BOMS = {codecs.BOM_UTF32_LE: "UTF-32", codecs.BOM_UTF32_BE: "UTF-32",
         codecs.BOM_UTF16_LE: "UTF-16", codecs.BOM_UTF16_BE: "UTF-16"}  # fmt: skip
_SIGNATURES = {
    b"PK\x03\x04": "a zip file, probably an Excel .xlsx workbook renamed to .csv; rename it to "
                   ".xlsx, or save it from Excel as 'CSV UTF-8'",
    b"%PDF": "a PDF document, not a CSV; export the data as 'CSV UTF-8' or .xlsx",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook; save it from Excel as .xlsx or 'CSV UTF-8'",
    b"\x1f\x8b": "a gzip-compressed file; decompress it first",
}  # fmt: skip
_HTML_STARTS = ("<!doctype", "<html", "<table", "<?xml", "<head", "<body", "<!--", "<div")
_UNCLOSED = "a quoted cell opened here is never closed; every opening '\"' needs a closing '\"'"
_DELIMITERS = {";": "';'", "\t": "tab", "|": "'|'"}
_EOF_IN_QUOTES = "unexpected end of data"  # what the csv module says of a quote never closed
_MORE = re.compile(r"\.\.\. and (\d+) more")
_NOT_SPACE = re.compile(rb"[^ \t\r\n\x0b\x0c]")
#: What openpyxl raises for a file that is not a workbook (not a zip, parts missing, bad XML).
_XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, KeyError, ParseError, EOFError)


@dataclass(frozen=True)
class Table:
    """A table read from an import file.

    Attributes
    ----------
    path : Path
        The file read.
    frame : pandas.DataFrame
        All cells as stripped text, "" for blank; columns are the stripped header names in file
        order; default RangeIndex. Fully blank rows are left out.
    rows : numpy.ndarray
        For each frame row, its spreadsheet row number: the header is row 1, the first data row 2.
        A CSV row is a record, so a quoted cell spanning lines does not shift later rows.
    sheet : str or None
        The XLSX sheet read; None for a CSV.
    """

    path: Path
    frame: pd.DataFrame
    rows: np.ndarray
    sheet: str | None


class TableError(DataValidationError):
    """All the problems of one import file, one line each.

    ``problems`` is kept as given, plus ``"... and N more"`` when ``omitted``; the first line of
    the message counts every problem, including those a final ``"... and N more"`` stands for.
    """

    def __init__(self, path: Path | str, problems: Sequence[str], omitted: int = 0):
        self.path = Path(path)
        self.problems = [*problems, *([f"... and {omitted} more"] if omitted else [])]
        more = _MORE.fullmatch(self.problems[-1]) if self.problems else None
        total = len(self.problems) - 1 + int(more[1]) if more else len(self.problems)
        lines = [f"{self.path.name}: {total} problem(s):", *(f"  - {p}" for p in self.problems)]
        super().__init__("\n".join(lines))


def _capped(problems: list[str], omitted: int = 0) -> tuple[list[str], int]:
    """Keep the first MAX_PROBLEMS problems and count the rest."""
    return problems[:MAX_PROBLEMS], omitted + max(0, len(problems) - MAX_PROBLEMS)


class _Bare(Exception):
    """One fatal problem, raised where the path is not at hand; read_table adds it."""


def _fail(problem: str) -> NoReturn:
    raise _Bare(problem)


class _Scan(NamedTuple):
    counts: np.ndarray  # fields per record, header first
    blank: set[int]  # records with a wrong field count whose cells are all blank
    unclosed: tuple[int, int] | None  # (row, line) where a quote opens that never closes


def _column(position: int) -> str:
    letters, rest = "", position
    while rest:
        rest, digit = divmod(rest - 1, 26)
        letters = chr(ord("A") + digit) + letters
    return f"{position} ({letters})"


def _size(n_bytes: int) -> str:
    return (
        f"{n_bytes / BYTES_PER_MB:,.1f} MB" if n_bytes >= 0.1 * BYTES_PER_MB else f"{n_bytes} bytes"
    )


def _header_problems(
    header: list[str], expected: Sequence[str] | None, optional: Sequence[str]
) -> list[str]:
    problems = []
    blank = [_column(i) for i, name in enumerate(header, 1) if not name]
    if blank:
        problems.append(f"blank header in column(s) {', '.join(blank)}; give every column a name")
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(header, 1):
        if name:
            seen.setdefault(name, []).append(i)
    for name, where in seen.items():
        if len(where) > 1:
            places = ", ".join(map(_column, where[:-1])) + f" and {_column(where[-1])}"
            problems.append(f"duplicate column {name!r} in columns {places}; names must be unique")
    if expected is not None:
        known = [*expected, *(c for c in optional if c not in expected)]
        missing = [c for c in expected if c not in seen and c not in optional]
        if missing:
            problems.append(f"missing column(s): {', '.join(map(repr, missing))}")
        absent = [c for c in known if c not in seen]
        for name, where in seen.items():
            if name not in known:
                match = difflib.get_close_matches(name, absent or known, n=1)
                hint = f"did you mean {match[0]!r}?" if match else "not an expected column"
                problems.append(f"unknown column {name!r} (column {_column(where[0])}); {hint}")
    return problems


def _check_bytes(data: bytes) -> int:
    """Fail for a file that is not UTF-8 CSV text; return the offset past a UTF-8 BOM."""
    if not data:
        _fail("the file is empty")
    for bom, encoding in _BOMS.items():
        if data.startswith(bom):
            _fail(f"the file is {encoding} encoded; save it as 'CSV UTF-8'")
    for signature, looks_like in _SIGNATURES.items():
        if data.startswith(signature):
            _fail(f"this looks like {looks_like}")
    head = data[:_SNIFF_BYTES]
    odd, even, half = head[1::2].count(0), head[0::2].count(0), len(head) / 2
    if (odd > 0.4 * half and even < 0.1 * half) or (even > 0.4 * half and odd < 0.1 * half):
        _fail("the file is UTF-16 encoded; save it as 'CSV UTF-8'")  # ASCII text as UTF-16
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        _fail(f"this looks like a binary file, not a CSV: it holds NUL bytes (first at byte "
              f"offset {nul}, line {line}); export the data as 'CSV UTF-8'")  # fmt: skip
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    view, pos = memoryview(data), start
    while pos < len(data):
        try:
            final = pos + _SCAN_CHUNK >= len(data)
            pos += codecs.utf_8_decode(view[pos : pos + _SCAN_CHUNK], "strict", final)[1]
        except UnicodeDecodeError as exc:
            bad = pos + exc.start
            line_start = max(data.rfind(b"\n", 0, bad) + 1, bad - 30)
            before = data[line_start:bad].decode("utf-8", "replace")  # may start mid-character
            line = data.count(b"\n", 0, bad) + 1
            _fail(f"line {line}: byte 0x{data[bad]:02X} (byte offset "
                  f"{bad}, after {before!r}) is not valid UTF-8; the file is probably in a "
                  "Windows or Latin-1 encoding: save it as 'CSV UTF-8'")  # fmt: skip
    first = _NOT_SPACE.search(data, start)
    if first is None:
        _fail("the file is empty (it holds only blank lines or spaces)")
    opening = data[first.start() : first.start() + 80].decode("utf-8", "ignore").split("\n")[0]
    if opening.lower().startswith(_HTML_STARTS):
        _fail(f"this looks like an HTML/XML page, not a CSV (it starts {opening[:40]!r}); "
              "download or export the data itself as 'CSV UTF-8'")  # fmt: skip
    return start


def _read_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        try:
            return next(csv.reader(handle, strict=True))
        except csv.Error as exc:
            _fail(f"row 1 (the header): {_UNCLOSED if str(exc) == _EOF_IN_QUOTES else exc}")


def _scan_slow(path: Path, n: int) -> _Scan:
    """Count the fields of each record with the csv module: exact, about 3 s per 1M rows."""
    counts, blank, first = [], set(), 1
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)  # strict: report `"a"b` and unclosed quotes
        try:
            for fields in reader:
                if len(fields) != n and not any(f.strip() for f in fields):
                    blank.add(len(counts))
                counts.append(max(len(fields), 1))  # an empty line is one empty field to pandas
                first = reader.line_num + 1
        except csv.Error as exc:
            if str(exc) != _EOF_IN_QUOTES:
                _fail(f"row {len(counts) + 1} (line {first}): {exc}; check the quotes on this row")
            return _Scan(np.array([*counts, n]), blank, (len(counts) + 1, first))
    return _Scan(np.array(counts, dtype=np.int64), blank, None)


def _scan_fast(data: bytes, start: int, n: int) -> _Scan | None:
    """Count fields per record with numpy; None when quotes or line ends need the exact scan.

    When every quote stands where RFC 4180 puts one (opening a cell, closing it, or doubled
    inside it), a comma or line feed separates exactly when an even number of quotes precede it.
    """
    a = np.frombuffer(data, dtype=np.uint8, offset=start)
    # bytes.find runs at memory speed; numpy looks only when it finds something
    quotes = np.flatnonzero(a == QUOTE) if data.find(b'"', start) >= 0 else np.zeros(0, np.int64)
    # spans of quoted text; a quote never closed is closed by the end of the file
    opens, closes = quotes[0::2], np.concatenate([quotes[1::2], np.full(quotes.size % 2, a.size)])
    if not (np.isin(a[opens[opens > 0] - 1], _QUOTE_NEIGHBOURS).all()
            and np.isin(a[closes[closes < a.size - 1] + 1], _QUOTE_NEIGHBOURS).all()):  # fmt: skip
        return None
    crs = np.flatnonzero(a == CR) if data.find(b"\r", start) >= 0 else np.zeros(0, np.int64)
    lone = crs[a[np.minimum(crs + 1, a.size - 1)] != LF]
    if (np.searchsorted(quotes, lone) % 2 == 0).any():  # old Mac line ends: let csv decide
        return None
    ends, cumulative, total = [], [], 0
    for lo in range(0, a.size, _SCAN_CHUNK):
        part = a[lo : lo + _SCAN_CHUNK]
        commas, feeds = np.flatnonzero(part == COMMA), np.flatnonzero(part == LF)
        first, last = np.searchsorted(closes, lo), np.searchsorted(opens, lo + part.size)
        if last > first:  # quoted spans reach into this chunk
            spans = np.clip(opens[first:last] - lo, 0, None), closes[first:last] - lo
            commas, feeds = _unquoted(commas, *spans), _unquoted(feeds, *spans)
        cumulative.append(np.searchsorted(commas, feeds) + total)
        ends.append(feeds + lo)
        total += commas.size
    end, cum = np.concatenate(ends), np.concatenate(cumulative)
    if end.size == 0 or end[-1] != a.size - 1:  # the last record has no line end
        end, cum = np.append(end, a.size), np.append(cum, total)
    counts = np.diff(cum, prepend=0) + 1
    unclosed = None
    if quotes.size % 2:
        record = int(np.searchsorted(end, quotes[-1]))
        unclosed = (record + 1, data.count(b"\n", 0, start + int(quotes[-1])) + 1)
    blank = set()
    for i in np.flatnonzero(counts != n).tolist():
        text = data[start + (int(end[i - 1]) + 1 if i else 0) : start + int(end[i])].decode()
        try:
            fields = next(csv.reader(io.StringIO(text, newline="")), [])
        except csv.Error:  # a cell past the csv module's size limit is not blank
            continue
        if not any(f.strip() for f in fields):
            blank.add(i)
    return _Scan(counts, blank, unclosed)


def _unquoted(positions: np.ndarray, opens: np.ndarray, closes: np.ndarray) -> np.ndarray:
    """Keep the sorted positions outside every quoted span (opens[i], closes[i])."""
    first, stop = np.searchsorted(positions, opens), np.searchsorted(positions, closes)
    sizes = stop - first  # positions[first[i]:stop[i]] lie inside span i
    inside = np.repeat(first - (np.cumsum(sizes) - sizes), sizes) + np.arange(sizes.sum())
    return np.delete(positions, inside)


def _row_problems(scan: _Scan, n: int) -> tuple[list[str], int]:
    bad = [i for i in np.flatnonzero(scan.counts != n).tolist() if i and i not in scan.blank]
    problems = []
    if scan.unclosed:
        row, line = scan.unclosed
        bad = [i for i in bad if i < row - 1]
        problems.append(f"row {row} (line {line}): {_UNCLOSED}")
    for i in bad[:MAX_PROBLEMS]:
        k = int(scan.counts[i])
        why = ("too few: a missing comma?" if k < n
               else "too many: a cell holding a comma must be in double quotes")  # fmt: skip
        problems.append(f"row {i + 1}: {k} field{'s' * (k != 1)}, but the header has {n} ({why})")
    return problems, max(0, len(bad) - MAX_PROBLEMS)


def _read_csv(
    path: Path, expected: Sequence[str] | None, optional: Sequence[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    data = path.read_bytes()
    start = _check_bytes(data)
    raw = _read_header(path)
    header = [name.strip() for name in raw]
    if not any(header):
        _fail("row 1 (the header) is blank; put the column names on the first row")
    found = [d for d in _DELIMITERS if d in raw[0]] if len(raw) == 1 else []
    if found:
        worst = _DELIMITERS[max(found, key=raw[0].count)]
        _fail(f"the file appears to be {worst}-separated; expected commas (the header is one "
              f"cell: {raw[0][:60]!r}); save it as 'CSV UTF-8 (Comma delimited)'")  # fmt: skip
    n = len(header)
    scan = _scan_fast(data, start, n)
    del data
    if scan is None or int(scan.counts[0]) != n:
        scan = _scan_slow(path, n)
    rows, omitted = _row_problems(scan, n)
    problems = _header_problems(header, expected, optional) + rows
    if problems:
        raise TableError(path, *_capped(problems, omitted))
    skip = sorted({0, *scan.blank})
    kept = np.setdiff1d(np.arange(scan.counts.size), skip)
    if kept.size == 0:
        _fail("the file has a header but no data rows")
    frame = pd.read_csv(
        path, engine="c", header=None, names=header, index_col=False, dtype=str,
        na_filter=False, skiprows=skip if len(skip) > 1 else 1, skip_blank_lines=False,
        encoding="utf-8",
    )  # fmt: skip
    if len(frame) != kept.size:
        raise RuntimeError(f"{path.name}: pandas read {len(frame)} data rows where the row scan "
                           f"found {kept.size}; please report this file")  # fmt: skip
    for name in header:
        if _may_need_strip(frame[name]):
            frame[name] = frame[name].str.strip()
    return _drop_blank(frame, kept + 1)


def _may_need_strip(column: pd.Series) -> bool:
    """Whether a cell may start or end with whitespace, judged from the bytes at its edges.

    Three times faster than stripping every column (0.4 s against 1.2 s for 1M x 45), and a
    column needing no strip is not copied.
    """
    arrow = getattr(column.array, "__arrow_array__", None)
    if arrow is None:
        return True
    for chunk in arrow().chunks:
        wide = pa.types.is_large_string(chunk.type)
        if not (wide or pa.types.is_string(chunk.type)):
            return True
        _, offsets, data = chunk.buffers()
        if data is None or not data.size:  # only empty cells
            continue
        edges = np.frombuffer(offsets, np.int64 if wide else np.int32)
        edges = edges[chunk.offset : chunk.offset + len(chunk) + 1]
        text = np.frombuffer(data, np.uint8)
        # an empty cell reads a neighbour's byte instead: at worst a needless strip
        if (_EDGE_SPACE[text.take(edges[:-1], mode="clip")].any()
                or _EDGE_SPACE[text.take(edges[1:] - 1, mode="clip")].any()):  # fmt: skip
            return True
    return False


def _drop_blank(frame: pd.DataFrame, rows: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    maybe = np.flatnonzero((frame.iloc[:, 0] == "").to_numpy())
    blank = maybe[(frame.iloc[maybe] == "").all(axis=1).to_numpy()]
    if blank.size == len(frame):
        _fail("the file has a header but no data rows")
    keep = np.ones(len(frame), dtype=bool)
    keep[blank] = False
    if blank.size:
        frame = frame[keep].reset_index(drop=True)
    return frame, rows[keep].astype(np.int64)


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


def _read_xlsx(
    path: Path, sheet: str | None, expected: Sequence[str] | None, optional: Sequence[str]
) -> tuple[pd.DataFrame, np.ndarray, str]:
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
    n, name = len(header), worksheet.title
    cells = [(row, texts) for row, texts in cells if any(texts)]
    if not n:
        _fail(f"sheet {name!r} is empty" if not cells else
              "row 1 (the header) is blank; put the column names on the first row")  # fmt: skip
    problems = _header_problems(header, expected, optional)
    for row, texts in cells:
        beyond = next((i for i, text in enumerate(texts[n:], n + 1) if text), None)
        if beyond:
            problems.append(f"row {row}: column {_column(beyond)} holds {texts[beyond - 1]!r} "
                            "but has no header")  # fmt: skip
    if problems:
        raise TableError(path, *_capped(problems))
    if not cells:
        _fail(f"sheet {name!r} has a header but no data rows")
    frame = pd.DataFrame([t[:n] + [""] * (n - len(t)) for _, t in cells], columns=header)
    return frame.astype("str"), np.array([row for row, _ in cells], dtype=np.int64), name


def read_table(
    path: Path | str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sheet: str | None = None,
    expected_columns: Sequence[str] | None = None,
    optional_columns: Sequence[str] = (),
) -> Table:
    """Read a CSV (UTF-8, comma-separated) or XLSX import file into a frame of text.

    Parameters
    ----------
    path : path
        A ``.csv`` (or ``.txt``) or ``.xlsx`` file.
    max_bytes : int, default DEFAULT_MAX_BYTES
        Larger files are refused before reading.
    sheet : str, optional
        XLSX sheet to read; the first sheet when omitted. Ignored for a CSV.
    expected_columns : sequence of str, optional
        Columns the file must have, in any order; any other column is reported as unknown.
    optional_columns : sequence of str, default ()
        Known columns the file may leave out (with expected_columns); absent ones are not added.

    Returns
    -------
    Table
        The frame (all text, stripped, fully blank rows left out), the spreadsheet row number of
        each frame row, and the sheet read.

    Raises
    ------
    TableError
        With every problem found: wrong type, size, encoding or delimiter; a bad header; each
        row with too few or too many fields, by spreadsheet row; a quote never closed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
            got = f"got {suffix!r}" if suffix else "the name has no extension"
            _fail(f"expected a .csv or .xlsx file ({got}); save it as 'CSV UTF-8' or .xlsx")
        if not path.is_file():
            _fail(f"file not found: {path}")
        size = path.stat().st_size
        if size > max_bytes:
            _fail(f"the file is {_size(size)}, larger than the {_size(max_bytes)} import limit; "
                  "to raise it, set SASCI_MAX_IMPORT_MB or pass --max-mb")  # fmt: skip
        if suffix in XLSX_SUFFIXES:
            frame, rows, name = _read_xlsx(path, sheet, expected_columns, optional_columns)
            return Table(path, frame, rows, name)
        frame, rows = _read_csv(path, expected_columns, optional_columns)
        return Table(path, frame, rows, None)
    except _Bare as exc:
        raise TableError(path, [str(exc)]) from None
