"""Context indicators (ONS population, IMD 2019, ASCOF 2020-21) as long-form values per council."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sasci_map.config import get_settings

CONTEXT_DIR = "context"
REGISTRY_FILE = "indicators.csv"
COUNCILS_FILE = Path("lookups") / "councils.csv"
POPULATION_FILE = "population_mid2020.csv"
IMD_FILE = "imd2019_utla.csv"
ASCOF_FILE = "ascof_2020_21.csv"

DOMAIN = "context"
AREA_LEVEL = "council"
STATUS_VALUE = "value"
STATUS_MISSING = "missing"
#: Polarity drives benchmark wording and colours; neutral = higher/similar/lower, no judgement.
POLARITIES = ("higher_is_better", "lower_is_better", "neutral")
REGISTRY_COLUMNS = (
    "indicator_id", "title", "short_title", "definition", "domain", "source", "unit",
    "polarity", "method", "period", "file", "column_or_measure",
)  # fmt: skip
VALUE_COLUMNS = (
    "indicator_id", "area_code", "area_level", "period", "numerator", "denominator", "value",
    "lower", "upper", "status", "status_reason", "source",
)  # fmt: skip
_NUMBER_COLUMNS = ["numerator", "denominator", "value", "lower", "upper"]
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

#: Publisher markers (GSS symbols and older styles): missing with a reason, never zero.
MARKER_REASONS = {
    "[x]": "publisher: not available [x]",
    "[c]": "publisher suppressed [c] (confidential)",
    "[z]": "publisher: not applicable [z]",
    "*": "publisher suppressed *",
    "..": "publisher: not available ..",
    "": "publisher: blank cell",
}
NOT_IN_SOURCE = "not in source"
ZERO_DENOMINATOR = "denominator is zero"
#: Ratios of two columns are shown as percentages.
PERCENT = 100.0
#: IMD summary columns published as fractions 0-1, shown as percentages.
IMD_FRACTION_COLUMNS = frozenset({"imd_proportion_lsoas_most_deprived_10pct", "imd_extent"})

#: Old code -> 2023 code of the same area: Buckinghamshire (2020), North Yorkshire and Somerset
#: (2023) became unitaries on the county's boundary; Barnsley and Sheffield took 2025 codes that
#: the December 2023 boundaries (data/lookups/councils.csv) do not use yet.
SAME_AREA_RECODES = {
    "E10000023": "E06000065",
    "E10000027": "E06000066",
    "E10000002": "E06000060",
    "E08000038": "E08000016",
    "E08000039": "E08000019",
}
#: Old county -> its successor unitaries: a council summary cannot be apportioned between them.
SPLITS = {"E10000006": ("E06000063", "E06000064"), "E10000021": ("E06000061", "E06000062")}
SPLIT_PARENT_NAMES = {"E10000006": "Cumbria", "E10000021": "Northamptonshire"}

#: How each source file is named in status reasons (e.g. the boundary-change reason).
SOURCE_LABELS = {
    POPULATION_FILE: "ONS mid-2020 population estimates",
    IMD_FILE: "MHCLG IMD 2019",
    ASCOF_FILE: "NHS Digital ASCOF 2020-21",
}
_OGL = "Open Government Licence v3.0"
DATASETS = (
    {
        "source": "ONS",
        "title": "Population estimates for the UK, England and Wales, Scotland and Northern "
        "Ireland: mid-2020 (MYE2, 2021 local authority geography)",
        "vintage": "mid-2020",
        "licence": _OGL,
        "publisher": "Office for National Statistics",
        "file": f"{CONTEXT_DIR}/{POPULATION_FILE}",
    },
    {
        "source": "MHCLG IMD 2019",
        "title": "English Indices of Deprivation 2019, File 11: upper-tier local authority "
        "summaries (IMD)",
        "vintage": "2019 (2019 upper-tier authorities)",
        "licence": _OGL,
        "publisher": "Ministry of Housing, Communities and Local Government",
        "file": f"{CONTEXT_DIR}/{IMD_FILE}",
    },
    {
        "source": "NHS Digital ASCOF",
        "title": "Measures from the Adult Social Care Outcomes Framework, England 2020-21",
        "vintage": "2020-21 (2021 councils)",
        "licence": _OGL,
        "publisher": "NHS Digital",
        "file": f"{CONTEXT_DIR}/{ASCOF_FILE}",
    },
)


def _data_dir(data_dir: Path | str | None) -> Path:
    return Path(data_dir) if data_dir is not None else get_settings().data_dir


def _read_text(path: Path, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    # Text only, blanks kept as "": a marker must reach _parse_cell as the publisher wrote it.
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}; found {list(table.columns)}")
    return table


def _error(file: str, row: int, column: str, value: object, expected: str) -> ValueError:
    return ValueError(f"{file}, row {row}, column {column!r}: value {value!r}: expected {expected}")


def context_definitions(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Read and validate the registry of context indicators, ``context/indicators.csv``.

    Parameters
    ----------
    data_dir : path, optional
        Folder of bundled data; defaults to ``get_settings().data_dir``.

    Returns
    -------
    pandas.DataFrame
        One row per indicator with the columns of ``REGISTRY_COLUMNS``, in file order.

    Raises
    ------
    ValueError
        If a column is missing, a cell is blank, an id is malformed or repeated, or the polarity,
        domain or file is not an allowed value; the message names file, row, column and value.
    """
    file = f"{CONTEXT_DIR}/{REGISTRY_FILE}"
    registry = _read_text(_data_dir(data_dir) / file, REGISTRY_COLUMNS)[list(REGISTRY_COLUMNS)]
    allowed = {"polarity": POLARITIES, "domain": (DOMAIN,), "file": tuple(_LOADERS)}
    first_row: dict[str, int] = {}
    for idx, rec in registry.iterrows():
        row = idx + 1
        for column in REGISTRY_COLUMNS:
            if not rec[column].strip():
                raise _error(file, row, column, rec[column], "a non-empty value")
        for column, values in allowed.items():
            if rec[column] not in values:
                raise _error(file, row, column, rec[column], f"one of {list(values)}")
        ind = rec["indicator_id"]
        if not _ID_PATTERN.match(ind):
            raise _error(file, row, "indicator_id", ind, "lower-case letters, digits and _")
        if ind in first_row:
            raise _error(file, row, "indicator_id", ind, f"a unique id (row {first_row[ind]})")
        first_row[ind] = row
    return registry


def _parse_cell(raw: str, file: str, row: int, column: str) -> tuple[float, str, str | None]:
    text = raw.strip()
    if text in MARKER_REASONS:
        return np.nan, STATUS_MISSING, MARKER_REASONS[text]
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        markers = ", ".join(repr(m) for m in MARKER_REASONS)
        raise _error(file, row, column, raw, f"a number or one of the publisher markers {markers}")
    return number, STATUS_VALUE, None


def _parse_column(table: pd.DataFrame, column: str, file: str) -> pd.DataFrame:
    cells = [_parse_cell(raw, file, idx + 1, column) for idx, raw in table[column].items()]
    return pd.DataFrame(cells, index=table.index, columns=["value", "status", "status_reason"])


def _map_codes(
    table: pd.DataFrame, column: str, file: str, councils: pd.Index
) -> tuple[pd.Series, dict[str, str]]:
    """Map source codes to 2023 council codes; give every council without a row its reason."""
    mapped, parents = {}, {}
    for idx, raw in table[column].items():
        code = raw.strip()
        if code in councils:
            mapped[idx] = code
        elif code in SAME_AREA_RECODES:
            mapped[idx] = SAME_AREA_RECODES[code]
        elif code in SPLITS:
            parents[code] = idx
        else:
            raise _error(
                file, idx + 1, column, raw,
                "a council code of data/lookups/councils.csv, a same-area older code "
                f"{sorted(SAME_AREA_RECODES)} or a split county {sorted(SPLITS)}",
            )  # fmt: skip
    codes = pd.Series(mapped, dtype="str")
    repeated = codes[codes.duplicated(keep=False)]
    if not repeated.empty:
        rows = [i + 1 for i in repeated.index]
        raise _error(
            file, rows[-1], column, repeated.iloc[-1], f"one row per council (rows {rows})"
        )
    reasons = {code: NOT_IN_SOURCE for code in councils.difference(codes)}
    label = SOURCE_LABELS[file.rsplit("/", 1)[-1]]
    for parent in parents:
        for child in SPLITS[parent]:
            if child in reasons:
                reasons[child] = (
                    f"boundary change: {label} predates the split of "
                    f"{SPLIT_PARENT_NAMES[parent]} ({parent})"
                )
    return codes, reasons


def _complete(
    parsed: pd.DataFrame, codes: pd.Series, reasons: dict[str, str], defn: pd.Series,
    councils: pd.Index,
) -> pd.DataFrame:  # fmt: skip
    """Put one indicator's parsed source rows on the 153 councils, absent ones with a reason."""
    frame = parsed.loc[codes.index].set_index(pd.Index(codes.to_numpy(), name="area_code"))
    frame = frame.reindex(councils)
    absent = frame["status"].isna()
    frame.loc[absent, "status"] = STATUS_MISSING
    frame.loc[absent, "status_reason"] = frame.index[absent].map(reasons)
    for column in _NUMBER_COLUMNS:
        if column not in frame:
            frame[column] = np.nan
        frame[column] = frame[column].astype("float64")
        frame.loc[frame["status"] != STATUS_VALUE, column] = np.nan
    frame = frame.reset_index()
    frame["indicator_id"] = defn["indicator_id"]
    frame["area_level"] = AREA_LEVEL
    frame["period"] = defn["period"]
    frame["source"] = defn["source"]
    frame["status_reason"] = frame["status_reason"].astype("str")
    return frame[list(VALUE_COLUMNS)]


def _column_of(table: pd.DataFrame, column: str, defn: pd.Series) -> str:
    if column not in table.columns:
        expected = f"a column of {defn['file']} {list(table.columns)}"
        raise _error(
            f"{CONTEXT_DIR}/{REGISTRY_FILE}", defn.name + 1, "column_or_measure", column, expected
        )
    return column


def _population_values(defs: pd.DataFrame, context_dir: Path, councils: pd.Index) -> list:
    """ONS counts, and ``numerator/denominator`` ratios shown as percentages."""
    file = f"{CONTEXT_DIR}/{POPULATION_FILE}"
    table = _read_text(context_dir / POPULATION_FILE, ("code",))
    codes, reasons = _map_codes(table, "code", file, councils)
    frames = []
    for _, defn in defs.iterrows():
        parts = [_column_of(table, c, defn) for c in defn["column_or_measure"].split("/", 1)]
        parsed = _parse_column(table, parts[0], file)
        if len(parts) == 2:
            den = _parse_column(table, parts[1], file)
            parsed["numerator"], parsed["denominator"] = parsed["value"], den["value"]
            parsed["value"] = parsed["numerator"] / parsed["denominator"] * PERCENT
            den_missing = (den["status"] != STATUS_VALUE) & (parsed["status"] == STATUS_VALUE)
            parsed.loc[den_missing, "status_reason"] = den["status_reason"]
            parsed.loc[den_missing, "status"] = STATUS_MISSING
            zero = (parsed["status"] == STATUS_VALUE) & (den["value"] == 0)
            parsed.loc[zero, ["status", "status_reason"]] = [STATUS_MISSING, ZERO_DENOMINATOR]
        frames.append(_complete(parsed, codes, reasons, defn, councils))
    return frames


def _imd_values(defs: pd.DataFrame, context_dir: Path, councils: pd.Index) -> list:
    """MHCLG IMD 2019 upper-tier summaries; fractions shown as percentages."""
    file = f"{CONTEXT_DIR}/{IMD_FILE}"
    table = _read_text(context_dir / IMD_FILE, ("utla19_code",))
    codes, reasons = _map_codes(table, "utla19_code", file, councils)
    frames = []
    for _, defn in defs.iterrows():
        column = _column_of(table, defn["column_or_measure"], defn)
        parsed = _parse_column(table, column, file)
        if column in IMD_FRACTION_COLUMNS:
            parsed["value"] = parsed["value"] * PERCENT
        frames.append(_complete(parsed, codes, reasons, defn, councils))
    return frames


def _ascof_values(defs: pd.DataFrame, context_dir: Path, councils: pd.Index) -> list:
    """NHS Digital ASCOF 2020-21 Total rows, one measure code per indicator."""
    file = f"{CONTEXT_DIR}/{ASCOF_FILE}"
    table = _read_text(context_dir / ASCOF_FILE, ("ons_code", "measure_code", "value_raw"))
    frames = []
    for _, defn in defs.iterrows():
        rows = table[table["measure_code"] == defn["column_or_measure"]]
        if rows.empty:
            expected = f"a measure code of {file} {sorted(table['measure_code'].unique())}"
            raise _error(
                f"{CONTEXT_DIR}/{REGISTRY_FILE}", defn.name + 1, "column_or_measure",
                defn["column_or_measure"], expected,
            )  # fmt: skip
        codes, reasons = _map_codes(rows, "ons_code", file, councils)
        parsed = _parse_column(rows, "value_raw", file)
        frames.append(_complete(parsed, codes, reasons, defn, councils))
    return frames


_LOADERS: dict[str, Callable[[pd.DataFrame, Path, pd.Index], list]] = {
    POPULATION_FILE: _population_values,
    IMD_FILE: _imd_values,
    ASCOF_FILE: _ascof_values,
}


def context_values(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Long-form values of every context indicator, one row per indicator and council.

    Source codes are recoded to the 153 councils of December 2023 (``SAME_AREA_RECODES``);
    successors of a split county (``SPLITS``) and councils absent from a source are missing with a
    reason, as are publisher markers (``MARKER_REASONS``), never zero.

    Parameters
    ----------
    data_dir : path, optional
        Folder of bundled data; defaults to ``get_settings().data_dir``.

    Returns
    -------
    pandas.DataFrame
        Columns ``VALUE_COLUMNS``; exactly 153 rows per indicator, in registry then council
        order. ``status`` is ``"value"`` or ``"missing"``; rows not of value status carry no
        numbers. ``lower`` and ``upper`` are empty: the sources publish no intervals.

    Raises
    ------
    ValueError
        If the registry is invalid, a source cell is neither a number nor a publisher marker, a
        source code is not a known council code, or a council appears twice in a source.
    """
    root = _data_dir(data_dir)
    defs = context_definitions(root)
    councils = _read_text(root / COUNCILS_FILE, ("code",))["code"].str.strip()
    councils = pd.Index(councils, name="area_code")
    frames = []
    for file, loader in _LOADERS.items():
        chosen = defs[defs["file"] == file]
        if not chosen.empty:
            frames.extend(loader(chosen, root / CONTEXT_DIR, councils))
    values = pd.concat(frames, ignore_index=True)
    order = {ind: i for i, ind in enumerate(defs["indicator_id"])}
    values = values.sort_values("indicator_id", key=lambda s: s.map(order), kind="stable")
    counts = values.groupby("indicator_id").size()
    if (counts != len(councils)).any() or len(counts) != len(defs):
        raise ValueError(f"context values: expected {len(councils)} rows per indicator: {counts}")
    return values.reset_index(drop=True)


def context_datasets() -> list[dict[str, str]]:
    """Describe each source of the context indicators, for a datasets table.

    Returns
    -------
    list of dict
        One dict per source with keys ``source, title, vintage, licence, publisher, file``
        (``file`` relative to the data folder).
    """
    return [dict(d) for d in DATASETS]
