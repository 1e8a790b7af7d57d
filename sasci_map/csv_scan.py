"""Low-level checks of a CSV file's bytes and counts of the fields in each of its records."""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path
from typing import NamedTuple, NoReturn

import numpy as np

#: Bytes scanned at a time: big enough for numpy to be fast, small enough that the scan's
#: temporary arrays stay far below the frame's own memory.
_SCAN_CHUNK = 1 << 24
#: Bytes inspected to recognise UTF-16 text without a byte-order mark.
_SNIFF_BYTES = 4096
COMMA, QUOTE, LF, CR = b","[0], b'"'[0], b"\n"[0], b"\r"[0]
#: Bytes that may stand next to a quote opening or closing a quoted cell (RFC 4180).
_QUOTE_NEIGHBOURS = np.array([COMMA, QUOTE, LF, CR], dtype=np.uint8)
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
#: The problem reported for a quote never closed.
UNCLOSED = "a quoted cell opened here is never closed; every opening '\"' needs a closing '\"'"
_EOF_IN_QUOTES = "unexpected end of data"  # what the csv module says of a quote never closed
_NOT_SPACE = re.compile(rb"[^ \t\r\n\x0b\x0c]")


class ScanError(Exception):
    """One fatal problem of a CSV file, without its path; the caller adds the path."""


def _fail(problem: str) -> NoReturn:
    raise ScanError(problem)


class Scan(NamedTuple):
    """The field count of each record of a CSV file.

    Attributes
    ----------
    counts : numpy.ndarray
        Fields per record, header first; an empty line counts as one empty field.
    blank : set of int
        Records (indices into counts) with a wrong field count whose cells are all blank.
    unclosed : tuple of (int, int) or None
        The (row, line) where a quote opens that never closes; None when every quote closes.
    """

    counts: np.ndarray
    blank: set[int]
    unclosed: tuple[int, int] | None


def check_bytes(data: bytes) -> int:
    """Check that a file's bytes are UTF-8 CSV text.

    Parameters
    ----------
    data : bytes
        The whole file.

    Returns
    -------
    int
        The offset past a UTF-8 byte-order mark: 3 when the file has one, else 0.

    Raises
    ------
    ScanError
        For an empty or blank file, another encoding (UTF-16, UTF-32, Windows or Latin-1), a
        binary file, or a file of a known other type (zip, PDF, XLS, gzip, HTML or XML).
    """
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


def read_header(path: Path) -> list[str]:
    """Read the first record of a CSV file, unstripped.

    Parameters
    ----------
    path : Path
        A UTF-8 CSV file, with or without a byte-order mark.

    Returns
    -------
    list of str
        The header's cells as written.

    Raises
    ------
    ScanError
        When the header's quotes are wrong, or a quote in it is never closed.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        try:
            return next(csv.reader(handle, strict=True))
        except csv.Error as exc:
            _fail(f"row 1 (the header): {UNCLOSED if str(exc) == _EOF_IN_QUOTES else exc}")


def scan_slow(path: Path, n: int) -> Scan:
    """Count the fields of each record with the csv module: exact, about 3 s per 1M rows.

    Parameters
    ----------
    path : Path
        A UTF-8 CSV file, with or without a byte-order mark.
    n : int
        The header's field count; records with another count are checked for blankness.

    Returns
    -------
    Scan
        The field counts; a quote never closed ends the scan, the rest of the file counting
        as one last record of n fields.

    Raises
    ------
    ScanError
        For a quote the csv module rejects in strict mode, such as ``"a"b``.
    """
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
            return Scan(np.array([*counts, n]), blank, (len(counts) + 1, first))
    return Scan(np.array(counts, dtype=np.int64), blank, None)


def scan_fast(data: bytes, start: int, n: int) -> Scan | None:
    """Count fields per record with numpy; None when quotes or line ends need the exact scan.

    When every quote stands where RFC 4180 puts one (opening a cell, closing it, or doubled
    inside it), a comma or line feed separates exactly when an even number of quotes precede it.

    Parameters
    ----------
    data : bytes
        The whole file, already passed by :func:`check_bytes`.
    start : int
        The offset of the first record, past any byte-order mark.
    n : int
        The header's field count; records with another count are checked for blankness.

    Returns
    -------
    Scan or None
        The field counts, as :func:`scan_slow` gives them; None when a quote stands where
        RFC 4180 puts none, or a lone carriage return ends a line, so that
        :func:`scan_slow` must decide.
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
    return Scan(counts, blank, unclosed)


def _unquoted(positions: np.ndarray, opens: np.ndarray, closes: np.ndarray) -> np.ndarray:
    """Keep the sorted positions outside every quoted span (opens[i], closes[i])."""
    first, stop = np.searchsorted(positions, opens), np.searchsorted(positions, closes)
    sizes = stop - first  # positions[first[i]:stop[i]] lie inside span i
    inside = np.repeat(first - (np.cumsum(sizes) - sizes), sizes) + np.arange(sizes.sum())
    return np.delete(positions, inside)
