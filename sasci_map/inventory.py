"""Typologies, the innovation inventory and the support-infrastructure inventory, validated."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pandas as pd

from sasci_map.config import get_settings
from sasci_map.errors import DataValidationError
from sasci_map.geography import councils, regions

SURVEY = Path("survey")
INVENTORY = SURVEY / "inventory"
#: Typology names; each is the file ``survey/typology_<name>.csv``.
TYPOLOGIES = ("innovation_type", "journey", "stage", "change", "actor", "client_group",
              "evidence", "support_type", "support_function")
TYPOLOGY_COLUMNS = ["code", "label", "definition"]
#: Separator of multi-valued cells such as ``partner_actors``.
LIST_SEP = ";"
#: GSS code of England, the area of a national body's coverage.
NATIONAL_CODE = "E92000001"
AREA_LEVELS = ("national", "region", "council")
#: Plausible adoption years: adult social care innovation records start after the 1990
#: community care reforms; a little room beyond today allows planned end dates.
MIN_YEAR, MAX_YEAR = 1990, 2030
BOOLEAN = {"true": True, "false": False}

INNOVATIONS_CSV = INVENTORY / "innovations.csv"
ADOPTION_CSV = INVENTORY / "innovation_councils.csv"
ORGANISATIONS_CSV = INVENTORY / "support_organisations.csv"
COVERAGE_CSV = INVENTORY / "support_coverage.csv"
INNOVATION_COLUMNS = ["innovation_id", "name", "description", "innovation_type", "journey",
                      "stage", "change", "lead_actor", "partner_actors", "client_groups",
                      "evidence_level", "source", "synthetic"]
ADOPTION_COLUMNS = ["innovation_id", "council_code", "start_year", "end_year", "source",
                    "synthetic"]
ORGANISATION_COLUMNS = ["org_id", "name", "support_type", "functions", "description", "website",
                        "synthetic"]
COVERAGE_COLUMNS = ["org_id", "area_level", "area_code", "source", "synthetic"]
#: Column -> (typology, is a ``;``-list, may be blank).
INNOVATION_CODES = {
    "innovation_type": ("innovation_type", False, False),
    "journey": ("journey", False, False),
    "stage": ("stage", False, False),
    "change": ("change", False, False),
    "lead_actor": ("actor", False, False),
    "partner_actors": ("actor", True, True),
    "client_groups": ("client_group", True, False),
    "evidence_level": ("evidence", False, False),
}
ORGANISATION_CODES = {
    "support_type": ("support_type", False, False),
    "functions": ("support_function", True, False),
}

Record = dict[str, str]


def _resolve(data_dir: Path | None) -> Path:
    return Path(get_settings().data_dir if data_dir is None else data_dir).resolve()


def _fail(rel: Path, row: int, column: str, value: object, expected: str) -> NoReturn:
    """Raise the one error shape; ``row`` counts data rows from 1 (file line row + 1)."""
    raise DataValidationError(
        f"{rel.as_posix()}: row {row} (line {row + 1}), column {column!r}: got {value!r}, "
        f"expected {expected}")


def _read(data_dir: Path, rel: Path, columns: list[str],
          optional: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read ``rel`` as text: exactly ``columns``, no blank cells outside ``optional``."""
    path = data_dir / rel
    if not path.is_file():
        raise DataValidationError(f"{rel.as_posix()}: file not found in {data_dir}")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if list(frame.columns) != columns:
        raise DataValidationError(
            f"{rel.as_posix()}: columns {list(frame.columns)}, expected {columns}")
    for row, record in enumerate(frame.to_dict("records"), start=1):
        for column in columns:
            if column not in optional and not record[column].strip():
                _fail(rel, row, column, record[column], "a non-blank value")
    return frame


def _check_each(rel: Path, frame: pd.DataFrame, column: str,
                check: Callable[[str], bool], expected: str) -> None:
    """Fail on the first row whose ``column`` value does not pass ``check``."""
    for row, value in enumerate(frame[column], start=1):
        if not check(value):
            _fail(rel, row, column, value, expected)


def _check_unique(rel: Path, frame: pd.DataFrame, columns: list[str]) -> None:
    seen: dict[tuple[str, ...], int] = {}
    for row, key in enumerate(frame[columns].itertuples(index=False, name=None), start=1):
        if key in seen:
            value = key[0] if len(key) == 1 else key
            what = "a unique value" if len(key) == 1 else f"a unique {', '.join(columns)}"
            _fail(rel, row, columns[-1], value, f"{what} (already on row {seen[key]})")
        seen[key] = row


def _synthetic(rel: Path, frame: pd.DataFrame) -> pd.DataFrame:
    _check_each(rel, frame, "synthetic", BOOLEAN.__contains__, "'true' or 'false'")
    return frame.assign(synthetic=frame["synthetic"].map(BOOLEAN).astype(bool))


def _check_codes(data_dir: Path, rel: Path, frame: pd.DataFrame,
                 spec: dict[str, tuple[str, bool, bool]]) -> None:
    """Check every typology field (each element of ``;``-lists) against its typology."""
    for column, (name, is_list, may_be_blank) in spec.items():
        codes = set(_typology(data_dir, name)["code"])
        expected = f"a code of {(SURVEY / f'typology_{name}.csv').as_posix()}"
        if is_list:
            expected += f" (several separated by {LIST_SEP!r})"
        for row, value in enumerate(frame[column], start=1):
            if may_be_blank and not value:
                continue
            parts = value.split(LIST_SEP) if is_list else [value]
            for part in parts:
                if part not in codes:
                    _fail(rel, row, column, part if is_list else value, expected)


def _check_year(rel: Path, frame: pd.DataFrame, column: str) -> None:
    def ok(value: str) -> bool:
        return value.isdigit() and MIN_YEAR <= int(value) <= MAX_YEAR

    _check_each(rel, frame.loc[frame[column] != ""], column, ok,
                f"a year from {MIN_YEAR} to {MAX_YEAR}")


@functools.lru_cache(maxsize=64)
def _typology(data_dir: Path, name: str) -> pd.DataFrame:
    if name not in TYPOLOGIES:
        raise DataValidationError(f"unknown typology {name!r}, expected one of {TYPOLOGIES}")
    rel = SURVEY / f"typology_{name}.csv"
    frame = _read(data_dir, rel, TYPOLOGY_COLUMNS)
    _check_unique(rel, frame, ["code"])
    return frame


@functools.lru_cache(maxsize=8)
def _innovations(data_dir: Path) -> pd.DataFrame:
    rel = INNOVATIONS_CSV
    frame = _read(data_dir, rel, INNOVATION_COLUMNS, optional=("partner_actors",))
    _check_unique(rel, frame, ["innovation_id"])
    _check_codes(data_dir, rel, frame, INNOVATION_CODES)
    return _synthetic(rel, frame)


@functools.lru_cache(maxsize=8)
def _adoption(data_dir: Path) -> pd.DataFrame:
    rel = ADOPTION_CSV
    frame = _read(data_dir, rel, ADOPTION_COLUMNS, optional=("end_year",))
    ids = set(_innovations(data_dir)["innovation_id"])
    _check_each(rel, frame, "innovation_id", ids.__contains__,
                f"an innovation_id of {INNOVATIONS_CSV.as_posix()}")
    codes = set(councils(data_dir)["code"])
    _check_each(rel, frame, "council_code", codes.__contains__,
                "one of the 153 council codes in lookups/councils.csv")
    _check_unique(rel, frame, ["innovation_id", "council_code"])
    _check_year(rel, frame, "start_year")
    _check_year(rel, frame, "end_year")
    for row, (start, end) in enumerate(zip(frame["start_year"], frame["end_year"],
                                           strict=True), start=1):
        if end and int(end) < int(start):
            _fail(rel, row, "end_year", end, f"a year not before start_year {start}")
    frame = _synthetic(rel, frame)
    years = {c: pd.to_numeric(frame[c].replace("", None)).astype("Int64")
             for c in ("start_year", "end_year")}
    return frame.assign(**years).sort_values(["innovation_id", "council_code"],
                                             ignore_index=True)


@functools.lru_cache(maxsize=8)
def _organisations(data_dir: Path) -> pd.DataFrame:
    rel = ORGANISATIONS_CSV
    frame = _read(data_dir, rel, ORGANISATION_COLUMNS, optional=("website",))
    _check_unique(rel, frame, ["org_id"])
    _check_codes(data_dir, rel, frame, ORGANISATION_CODES)
    _check_each(rel, frame, "website", lambda v: "://" not in v and " " not in v,
                "a bare domain such as 'scie.org.uk', or blank")
    return _synthetic(rel, frame)


@functools.lru_cache(maxsize=8)
def _coverage(data_dir: Path) -> pd.DataFrame:
    rel = COVERAGE_CSV
    frame = _read(data_dir, rel, COVERAGE_COLUMNS)
    ids = set(_organisations(data_dir)["org_id"])
    _check_each(rel, frame, "org_id", ids.__contains__,
                f"an org_id of {ORGANISATIONS_CSV.as_posix()}")
    _check_each(rel, frame, "area_level", AREA_LEVELS.__contains__,
                f"one of {', '.join(AREA_LEVELS)}")
    areas = {"national": ({NATIONAL_CODE}, f"{NATIONAL_CODE} (England) for a national row"),
             "region": (set(regions(data_dir)["code"]),
                        "one of the 9 region codes in lookups/regions.csv"),
             "council": (set(councils(data_dir)["code"]),
                         "one of the 153 council codes in lookups/councils.csv")}
    for row, (level, code) in enumerate(zip(frame["area_level"], frame["area_code"],
                                            strict=True), start=1):
        allowed, expected = areas[level]
        if code not in allowed:
            _fail(rel, row, "area_code", code, expected)
    _check_unique(rel, frame, ["org_id", "area_level", "area_code"])
    return _synthetic(rel, frame)


def typology(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Return one typology, ``code, label, definition``, in its display order.

    Parameters
    ----------
    name : str
        One of :data:`TYPOLOGIES`, e.g. ``"stage"``; read from ``survey/typology_<name>.csv``.
    data_dir : Path, optional
        Bundled data folder; default ``get_settings().data_dir`` (same for every function here).

    Returns
    -------
    pandas.DataFrame
        A copy of the cached, validated file.

    Raises
    ------
    DataValidationError
        If the name is unknown, or the file is missing, has other columns, a blank cell or a
        repeated code; the message names file, row, column, value and what was expected.
    """
    return _typology(_resolve(data_dir), name).copy()


def typologies(data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """Return every typology by name, as :func:`typology` does.

    Parameters
    ----------
    data_dir : Path, optional
        Bundled data folder.

    Returns
    -------
    dict of str to pandas.DataFrame
        Keyed by the names in :data:`TYPOLOGIES`, in that order.

    Raises
    ------
    DataValidationError
        If any typology file breaks a rule.
    """
    return {name: typology(name, data_dir) for name in TYPOLOGIES}


def innovations(data_dir: Path | None = None) -> pd.DataFrame:
    """Return the innovation inventory, one row per innovation, in file order.

    Parameters
    ----------
    data_dir : Path, optional
        Bundled data folder.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`INNOVATION_COLUMNS`; list cells (``partner_actors``,
        ``client_groups``) stay ``;``-separated text; ``synthetic`` is bool.

    Raises
    ------
    DataValidationError
        On a blank required cell, a repeated ``innovation_id``, a code missing from its
        typology (each list element is checked) or a ``synthetic`` other than true/false.
    """
    return _innovations(_resolve(data_dir)).copy()


def innovation_councils(data_dir: Path | None = None) -> pd.DataFrame:
    """Return where each innovation is in use: one row per innovation × council.

    Parameters
    ----------
    data_dir : Path, optional
        Bundled data folder.

    Returns
    -------
    pandas.DataFrame
        ``innovation_id, council_code, start_year, end_year, source, synthetic``, sorted by
        innovation and council; years are ``Int64`` (``end_year`` missing while in use).

    Raises
    ------
    DataValidationError
        On an unknown innovation or council, a repeated pair, a year outside 1990..2030, an
        end before the start, or a ``synthetic`` other than true/false.
    """
    return _adoption(_resolve(data_dir)).copy()


def support_organisations(data_dir: Path | None = None) -> pd.DataFrame:
    """Return the support-infrastructure inventory, one row per organisation, in file order.

    Parameters
    ----------
    data_dir : Path, optional
        Bundled data folder.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`ORGANISATION_COLUMNS`; ``functions`` stays ``;``-separated text.

    Raises
    ------
    DataValidationError
        On a repeated ``org_id``, a type or function missing from its typology, a website that
        is not a bare domain, or a ``synthetic`` other than true/false.
    """
    return _organisations(_resolve(data_dir)).copy()


def support_coverage(data_dir: Path | None = None) -> pd.DataFrame:
    """Return where each support organisation works: one row per organisation × area.

    Parameters
    ----------
    data_dir : Path, optional
        Bundled data folder.

    Returns
    -------
    pandas.DataFrame
        ``org_id, area_level, area_code, source, synthetic`` in file order; ``area_level`` is
        national (code E92000001), region (E12 code) or council (one of the 153).

    Raises
    ------
    DataValidationError
        On an unknown organisation, level or area code, a repeated row, or a ``synthetic``
        other than true/false.
    """
    return _coverage(_resolve(data_dir)).copy()
