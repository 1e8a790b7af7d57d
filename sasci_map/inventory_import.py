"""Validate an innovations or infrastructure import file and turn it into database rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sasci_map.geography import regions
from sasci_map.inventory import (
    ADOPTION_COLUMNS,
    AREA_LEVELS,
    COVERAGE_COLUMNS,
    INNOVATION_CODES,
    INNOVATION_COLUMNS,
    LIST_SEP,
    MAX_YEAR,
    MIN_YEAR,
    NATIONAL_CODE,
    ORGANISATION_CODES,
    ORGANISATION_COLUMNS,
    typology,
)
from sasci_map.problems import Problems
from sasci_map.resolver import ALIAS, EXACT, RECODED, resolve_councils
from sasci_map.survey_format import (
    BOOLEAN_TEXT,
    INNOVATION_ADOPTION_COLUMNS,
    OPTIONAL_CELLS,
    ORGANISATION_COVERAGE_COLUMNS,
)
from sasci_map.survey_store import ID_LENGTH
from sasci_map.tabular import Table, TableError

#: An inventory names councils, not former districts: where an innovation runs or a body works
#: is a council-level fact, so a district name is reported rather than silently widened.
COUNCIL_STATUSES = (EXACT, ALIAS, RECODED)
#: Per kind: the id column, the columns describing the item (repeated on each of its rows),
#: the columns of where it applies, and the typology-coded columns.
SPECS = {
    "innovations": ("innovation_id", INNOVATION_COLUMNS, INNOVATION_ADOPTION_COLUMNS,
                    INNOVATION_CODES),
    "infrastructure": ("org_id", ORGANISATION_COLUMNS, ORGANISATION_COVERAGE_COLUMNS,
                       ORGANISATION_CODES),
}
#: Import columns of the "where" part -> the stored table's column names.
CHILD_RENAMES = {
    "adoption_source": "source", "adoption_synthetic": "synthetic",
    "coverage_source": "source", "coverage_synthetic": "synthetic",
}


@dataclass(frozen=True)
class InventoryBatch:
    """A validated inventory file: the items and where each applies."""

    kind: str
    parent: pd.DataFrame
    children: pd.DataFrame
    notes: list[str]


def _blank(text: pd.Series) -> np.ndarray:
    return (text.fillna("") == "").to_numpy(dtype=bool)


def _check_required(frame: pd.DataFrame, rows: np.ndarray, problems: Problems, kind: str,
                    columns: tuple[str, ...] | list[str]) -> None:
    for column in columns:
        if column not in OPTIONAL_CELLS[kind]:
            problems.cells(_blank(frame[column]), rows, column, frame[column], "a non-blank value")


def _check_boolean(frame: pd.DataFrame, rows: np.ndarray, problems: Problems, column: str,
                   needed: np.ndarray) -> None:
    text = frame[column].str.lower()
    bad = needed & ~text.isin(list(BOOLEAN_TEXT)).to_numpy()
    problems.cells(bad & ~_blank(frame[column]), rows, column, frame[column], "true or false")


def _check_codes(frame: pd.DataFrame, rows: np.ndarray, problems: Problems,
                 spec: dict[str, tuple[str, bool, bool]], data_dir: Path | None) -> None:
    """Every typology cell (each element of ``;``-lists) must be a code of its typology."""
    for column, (name, is_list, _may_be_blank) in spec.items():
        codes = set(typology(name, data_dir)["code"])
        unique = pd.unique(frame[column])
        bad_values = {v for v in unique if v and not all(
            part.strip() in codes for part in (v.split(LIST_SEP) if is_list else [v]))}
        expected = f"codes of typology_{name}.csv {sorted(codes)}"
        if is_list:
            expected += f", several separated by {LIST_SEP!r}"
        problems.cells(frame[column].isin(bad_values).to_numpy(), rows, column, frame[column],
                       expected)


def _check_years(frame: pd.DataFrame, rows: np.ndarray, problems: Problems) -> None:
    numbers = {}
    for column in ("start_year", "end_year"):
        text = frame[column]
        number = pd.to_numeric(text.where(text.str.fullmatch(r"\d{4}")), errors="coerce")
        bad = ~number.between(MIN_YEAR, MAX_YEAR).to_numpy() & ~_blank(text)
        problems.cells(bad, rows, column, text, f"a year from {MIN_YEAR} to {MAX_YEAR}")
        numbers[column] = number
    before = (numbers["end_year"] < numbers["start_year"]).to_numpy()
    problems.cells(before, rows, "end_year", frame["end_year"], "a year not before start_year")


def _resolve_areas(frame: pd.DataFrame, rows: np.ndarray, problems: Problems,
                   kind: str, data_dir: Path | None) -> pd.Series:
    """Resolve the area of each "where" row to its code; return the codes (NaN where bad)."""
    if kind == "innovations":
        given = frame["council_code"]
        level = pd.Series("council", index=frame.index)
    else:
        given, level = frame["area_code"], frame["area_level"]
        bad_level = ~level.isin(AREA_LEVELS).to_numpy() & ~_blank(level)
        problems.cells(bad_level, rows, "area_level", level, f"one of {list(AREA_LEVELS)}")
    column = given.name
    code = pd.Series(np.nan, index=frame.index, dtype=object)
    council = (level == "council").to_numpy() & ~_blank(given)
    lookup = resolve_councils(pd.unique(given[council]), data_dir).set_index("input")
    ok = given[council].map(lookup["status"]).isin(COUNCIL_STATUSES)
    code[council] = given[council].map(lookup["code"]).where(ok)
    expected = ("a 2023 council GSS code, an older code or a council name: "
                + given[council].map(lookup["status"]).astype(str) + ", "
                + given[council].map(lookup["note"]).astype(str))
    bad = np.zeros(len(frame), dtype=bool)
    bad[council] = ~ok.to_numpy()
    full_expected = np.full(len(frame), "", dtype=object)
    full_expected[council] = expected.to_numpy()
    problems.cells(bad, rows, column, given, full_expected)
    region_codes = regions(data_dir).set_index("code")["name"]
    by_name = pd.Series(region_codes.index, index=region_codes.str.casefold())
    for wanted, allowed, expect in (
        ("national", pd.Series({NATIONAL_CODE: NATIONAL_CODE, "england": NATIONAL_CODE}),
         f"{NATIONAL_CODE} (England) for a national row"),
        ("region", pd.concat([pd.Series(region_codes.index, index=region_codes.index), by_name]),
         f"a region code {sorted(region_codes.index)} or region name"),
    ):
        here = (level == wanted).to_numpy() & ~_blank(given)
        found = given[here].str.casefold().map(allowed.rename(index=str.casefold))
        code[here] = found
        miss = np.zeros(len(frame), dtype=bool)
        miss[here] = found.isna().to_numpy()
        problems.cells(miss, rows, column, given, expect)
    return code


def _notes(frame: pd.DataFrame, code: pd.Series, column: str) -> list[str]:
    """Say which area cells were read as a different code (aliases, old codes, names)."""
    changed = code.notna() & (code != frame[column])
    pairs = pd.DataFrame({"given": frame.loc[changed, column], "code": code[changed]})
    return [f"{column} {g!r} read as {c} ({n} row(s))"
            for (g, c), n in pairs.value_counts(sort=False).sort_index().items()]


def validate_inventory(table: Table, kind: str, data_dir: Path | None = None) -> InventoryBatch:
    """Check an inventory import file and build the rows of its two tables.

    Parameters
    ----------
    table : Table
        The file as read by :func:`sasci_map.tabular.read_table`.
    kind : {"innovations", "infrastructure"}
    data_dir : Path, optional
        Bundled data folder (typologies, council and region lookups).

    Returns
    -------
    InventoryBatch

    Raises
    ------
    TableError
        Listing every problem: blank required cells, codes missing from a typology, item
        fields that differ between rows of one item, councils or regions that do not resolve,
        years out of range or in the wrong order, repeated rows, half-filled "where" columns.
    """
    frame, rows = table.frame, table.rows
    id_column, item_columns, where_columns, codes = SPECS[kind]
    problems = Problems()
    _check_required(frame, rows, problems, kind, item_columns)
    long = frame[id_column].str.len().to_numpy() > ID_LENGTH
    problems.cells(long, rows, id_column, frame[id_column], f"at most {ID_LENGTH} characters")
    _check_codes(frame, rows, problems, codes, data_dir)
    _check_boolean(frame, rows, problems, "synthetic", np.ones(len(frame), dtype=bool))
    for column in item_columns[1:]:
        problems.differing(rows, [frame[id_column]], column, frame[column], frame[column],
                           f"every row of one {id_column} describes it the same way")
    anchor = where_columns[:1] if kind == "innovations" else where_columns[:2]
    where = np.logical_or.reduce([~_blank(frame[c]) for c in anchor])
    given = " and ".join(anchor)
    for column in where_columns:
        if column != "end_year":
            problems.cells(where & _blank(frame[column]), rows, column, frame[column],
                           f"a non-blank value when {given} is given")
        if column not in anchor:
            problems.cells(~where & ~_blank(frame[column]), rows, column, frame[column],
                           f"blank when {given} is blank")
    _check_boolean(frame, rows, problems, where_columns[-1], where)
    if kind == "innovations":
        _check_years(frame, rows, problems)
    code = _resolve_areas(frame, rows, problems, kind, data_dir)
    area = anchor[-1]
    keys = pd.DataFrame({"id": frame[id_column], "code": code, "level": frame[anchor[0]]})
    dup = keys.duplicated().to_numpy() & where & code.notna().to_numpy()
    problems.cells(dup, rows, area, frame[area],
                   f"each place listed once per {id_column} (this one is repeated)")
    if problems:
        raise TableError(table.path, problems.messages())
    return _batch(frame, kind, code, where)


def _batch(frame: pd.DataFrame, kind: str, code: pd.Series, where: np.ndarray) -> InventoryBatch:
    id_column, item_columns, where_columns, _codes = SPECS[kind]
    parent = frame.drop_duplicates(id_column)[list(item_columns)].copy()
    parent["synthetic"] = parent["synthetic"].str.lower().map(BOOLEAN_TEXT)
    for column in item_columns:
        parent[column] = parent[column].where(parent[column] != "", None)
    child = frame.loc[where, [id_column, *where_columns]].rename(columns=CHILD_RENAMES)
    area = "council_code" if kind == "innovations" else "area_code"
    child[area] = code[where]
    child["synthetic"] = child["synthetic"].str.lower().map(BOOLEAN_TEXT)
    if kind == "innovations":
        for column in ("start_year", "end_year"):
            child[column] = pd.to_numeric(child[column].replace("", None)).astype("Int64")
    columns = ADOPTION_COLUMNS if kind == "innovations" else COVERAGE_COLUMNS
    notes = _notes(frame.loc[where], code[where], area)
    return InventoryBatch(kind, parent.reset_index(drop=True),
                          child[columns].reset_index(drop=True), notes)
