"""Reading a user-supplied CSV or XLSX import file into a frame of text, with exact errors."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd
import pyarrow as pa

from sasci_map.config import DEFAULT_MAX_IMPORT_MB
from sasci_map.csv_scan import (
    UNCLOSED,
    Scan,
    ScanError,
    check_bytes,
    read_header,
    scan_fast,
    scan_slow,
)
from sasci_map.errors import DataValidationError
from sasci_map.xlsx_read import XlsxError, read_sheet

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx",)
#: Decimal megabytes, as the CLI's --max-mb and SASCI_MAX_IMPORT_MB count them.
BYTES_PER_MB = 1_000_000
#: 1M respondents x 45 columns is about 150 MB of CSV; 500 MB leaves room for free text while
#: stopping a wrong file (a database dump, a video) before it is read into memory.
DEFAULT_MAX_BYTES = DEFAULT_MAX_IMPORT_MB * BYTES_PER_MB
#: Problems listed per file; past this a user fixes the pattern, not each row.
MAX_PROBLEMS = 200
#: Bytes that may begin or end a cell needing a strip: ASCII whitespace as str.strip sees it, and
#: any non-ASCII byte, which may belong to a Unicode space.
_EDGE_SPACE = np.zeros(256, dtype=bool)
_EDGE_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32, *range(128, 256)]] = True
_DELIMITERS = {";": "';'", "\t": "tab", "|": "'|'"}
_MORE = re.compile(r"\.\.\. and (\d+) more")


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


def _row_problems(scan: Scan, n: int) -> tuple[list[str], int]:
    bad = [i for i in np.flatnonzero(scan.counts != n).tolist() if i and i not in scan.blank]
    problems = []
    if scan.unclosed:
        row, line = scan.unclosed
        bad = [i for i in bad if i < row - 1]
        problems.append(f"row {row} (line {line}): {UNCLOSED}")
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
    start = check_bytes(data)
    raw = read_header(path)
    header = [name.strip() for name in raw]
    if not any(header):
        _fail("row 1 (the header) is blank; put the column names on the first row")
    found = [d for d in _DELIMITERS if d in raw[0]] if len(raw) == 1 else []
    if found:
        worst = _DELIMITERS[max(found, key=raw[0].count)]
        _fail(f"the file appears to be {worst}-separated; expected commas (the header is one "
              f"cell: {raw[0][:60]!r}); save it as 'CSV UTF-8 (Comma delimited)'")  # fmt: skip
    n = len(header)
    scan = scan_fast(data, start, n)
    del data
    if scan is None or int(scan.counts[0]) != n:
        scan = scan_slow(path, n)
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


def _read_xlsx(
    path: Path, sheet: str | None, expected: Sequence[str] | None, optional: Sequence[str]
) -> tuple[pd.DataFrame, np.ndarray, str]:
    name, header, cells = read_sheet(path, sheet)
    n = len(header)
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
    except (_Bare, ScanError, XlsxError) as exc:
        raise TableError(path, [str(exc)]) from None
