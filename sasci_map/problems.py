"""Collect every problem of one import file, cell by cell, in row order, with a sensible cap."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: The most problems listed for one file: enough to see every kind of mistake, short enough
#: to read; a file with a million bad rows says "... and N more" instead of a million lines.
MAX_PROBLEMS = 200
#: Row number given to problems of the whole file (columns, waves) so they are listed first.
FILE_LEVEL = 0


def cell_message(row: int, column: str, value: object, expected: str) -> str:
    """Return the one message shape of a bad cell: row, column, value and what was expected."""
    return f"row {row}, column {column!r}: value {value!r}: expected {expected}"


def _group_ids(keys: list[pd.Series]) -> np.ndarray:
    """Return one integer per row naming its group, for rows keyed by several columns."""
    group = np.zeros(len(keys[0]), dtype=np.int64)
    for key in keys:
        codes, uniques = pd.factorize(key)
        group = np.unique(group * (len(uniques) + 1) + codes, return_inverse=True)[1]
    return group  # 0 .. number of groups - 1, so it stays small however many keys


class Problems:
    """Problems of one file: whole-file messages first, then bad cells by row.

    Each check keeps only its first :data:`MAX_PROBLEMS` rows (the first ``MAX_PROBLEMS`` of
    all checks together are among them) but counts every one, so memory stays small even when
    every row of a huge file is wrong.
    """

    def __init__(self, cap: int = MAX_PROBLEMS) -> None:
        self.cap = cap
        self.total = 0
        self._items: list[tuple[int, int, str]] = []

    def __bool__(self) -> bool:
        """Return True when at least one problem was recorded."""
        return self.total > 0

    def file(self, message: str) -> None:
        """Record a problem of the whole file (a column, a wave, the header)."""
        self.total += 1
        self._items.append((FILE_LEVEL, len(self._items), message))

    def cell(self, row: int, column: str, value: object, expected: str) -> None:
        """Record one bad cell at spreadsheet ``row``."""
        self.total += 1
        self._items.append((int(row), len(self._items), cell_message(row, column, value, expected)))

    def cells(self, mask: Sequence[bool] | np.ndarray | pd.Series, rows: np.ndarray, column: str,
              values: Sequence | pd.Series, expected: str | Sequence[str] | pd.Series) -> None:
        """Record every flagged cell of one column.

        Parameters
        ----------
        mask : array of bool
            True where the cell is bad; aligned with ``rows`` and ``values``.
        rows : numpy.ndarray
            Spreadsheet row number of each position (header = row 1).
        column : str
            Column name, as in the file.
        values : array-like
            The cells as read.
        expected : str or array-like of str
            What was expected: one text for all, or one per position.
        """
        flagged = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(flagged):
            return
        self.total += len(flagged)
        keep = flagged[: self.cap]  # positions are in row order
        texts = np.asarray(values, dtype=object)
        wants = None if isinstance(expected, str) else np.asarray(expected, dtype=object)
        for pos in keep:
            want = expected if wants is None else wants[pos]
            self.cell(int(rows[pos]), column, texts[pos], str(want))
            self.total -= 1  # counted above, with the rows not kept

    def differing(self, rows: np.ndarray, keys: list[pd.Series], column: str, values: pd.Series,
                  shown: pd.Series, what: str) -> None:
        """Record rows whose ``values`` differ from the first row of their group.

        Parameters
        ----------
        rows : numpy.ndarray
            Spreadsheet row number of each position.
        keys : list of pandas.Series
            The columns that form a group (e.g. wave and org_id).
        column : str
            Column named in the message.
        values : pandas.Series
            What must agree within a group (e.g. the resolved council code).
        shown : pandas.Series
            The cells as read, quoted in the message.
        what : str
            The rule, e.g. "one organisation is in one council in a wave".

        Rows with a blank value or key are skipped: they have a problem of their own.
        """
        valid = values.notna() & (values != "")
        for key in keys:
            valid &= key.notna() & (key != "")
        mask = valid.to_numpy(dtype=bool)
        if not mask.any():
            return
        group = _group_ids([key[mask] for key in keys])
        value = pd.factorize(values[mask])[0]
        _, first_pos = np.unique(group, return_index=True)  # first row of each group id
        first = first_pos[group]
        inner = value != value[first]
        if not inner.any():
            return
        positions = np.flatnonzero(mask)
        differs = np.zeros(len(values), dtype=bool)
        differs[positions[inner]] = True
        firsts = positions[first[inner]]
        expected = np.full(len(values), "", dtype=object)
        expected[differs] = [f"{values.iat[f]!r} as on row {rows[f]} ({what})" for f in firsts]
        self.cells(differs, rows, column, shown, expected)

    def messages(self) -> list[str]:
        """Return the problems in row order, capped, with "... and N more" when cut."""
        ordered = [text for _, _, text in sorted(self._items)][: self.cap]
        if self.total > len(ordered):
            ordered.append(f"... and {self.total - len(ordered)} more")
        return ordered
