"""The survey indicator registry (data/survey/indicators.csv): loading and validation."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sasci_map.codebook import CAPABILITY_CLUSTERS, POLARITIES, allowed_values, load_codebook
from sasci_map.config import get_settings
from sasci_map.errors import DataValidationError
from sasci_map.survey_format import ORG_TYPES

REGISTRY_FILE = "survey/indicators.csv"
COLUMNS = ("indicator_id", "title", "short_title", "definition", "domain", "org_types", "items",
           "method", "success", "unit", "polarity", "min_orgs", "levels")
#: How an organisation's combined answers become its score on an indicator:
#: ``proportion`` 1 if any listed item meets ``success`` (else 0), shown as a percentage;
#: ``mean`` the mean of the listed items (negatively worded likert items reversed);
#: ``mean_count`` how many of the listed items meet ``success``.
METHODS = ("proportion", "mean", "mean_count")
#: Survey indicator domains, in the order a selector groups them.
DOMAINS = ("capacity", *CAPABILITY_CLUSTERS, "support_use", "innovation_activity", "barriers")
#: ``success`` rules: ``>=N`` (a number at least N), ``in:a;b`` (one of the codes),
#: ``has:a`` (a multi-select answer that includes the code).
SUCCESS_PATTERN = re.compile(r"^(>=(?P<number>\d+(\.\d+)?)|in:(?P<codes>[a-z0-9_;]+)|"
                             r"has:(?P<code>[a-z0-9_]+))$")
#: Fewer responding organisations than this and a figure is suppressed (DOMAIN.md,
#: "Disclosure control"); the registry may only raise it.
MIN_ORGS_FLOOR = 5
LIST_SEP = ";"
#: Area levels a survey indicator can be reported at.
LEVELS = ("council", "region", "england")


def _fail(row: int, column: str, value: object, expected: str) -> DataValidationError:
    return DataValidationError(
        f"{REGISTRY_FILE}, row {row}, column {column!r}: value {value!r}: expected {expected}")


def _check_success(row: int, rec: pd.Series, book: pd.DataFrame) -> None:
    rule = rec["success"]
    if rec["method"] == "mean":
        if rule:
            raise _fail(row, "success", rule, "blank for a mean indicator")
        return
    match = SUCCESS_PATTERN.match(rule)
    if not match:
        raise _fail(row, "success", rule, "'>=N', 'in:code;code' or 'has:code'")
    for item in rec["items"].split(LIST_SEP):
        item_row = book.loc[item]
        numeric = item_row["response_type"] in ("likert5", "count")
        if match["number"] and not numeric:
            raise _fail(row, "success", rule, f"a code rule for the coded item {item!r}")
        codes = (match["codes"] or "").split(LIST_SEP) if match["codes"] else (
            [match["code"]] if match["code"] else [])
        if codes and (numeric or not set(codes) <= set(allowed_values(item_row))):
            raise _fail(row, "success", rule,
                        f"codes of item {item!r}: {allowed_values(item_row)}")
        if match["code"] and item_row["response_type"] != "multi_select":
            raise _fail(row, "success", rule, f"'in:' for the single-answer item {item!r}")


def _check_row(row: int, rec: pd.Series, book: pd.DataFrame) -> None:
    for column in ("indicator_id", "title", "short_title", "definition", "items", "unit"):
        if not rec[column].strip():
            raise _fail(row, column, rec[column], "a non-blank value")
    for column, allowed in (("domain", DOMAINS), ("method", METHODS),
                            ("polarity", POLARITIES)):
        if rec[column] not in allowed:
            raise _fail(row, column, rec[column], f"one of {list(allowed)}")
    types = rec["org_types"].split(LIST_SEP)
    if not types or not set(types) <= set(ORG_TYPES):
        raise _fail(row, "org_types", rec["org_types"], f"';'-separated from {list(ORG_TYPES)}")
    for item in rec["items"].split(LIST_SEP):
        if item not in book.index:
            raise _fail(row, "items", item, "an item_id of survey/codebook.csv")
        asked = book.at[item, "questionnaire"]
        if asked != "both" and any(t != asked for t in types):
            raise _fail(row, "org_types", rec["org_types"],
                        f"only {asked!r}: item {item!r} is in the {asked} questionnaire only")
        if rec["method"] == "mean" and book.at[item, "response_type"] not in ("likert5", "count"):
            raise _fail(row, "items", item, "likert or count items for a mean indicator")
    _check_success(row, rec, book)
    levels = rec["levels"].split(LIST_SEP)
    if not levels or not set(levels) <= set(LEVELS) or "england" not in levels:
        raise _fail(row, "levels", rec["levels"], f"';'-separated from {list(LEVELS)}, "
                    "including england")
    if not rec["min_orgs"].isdigit() or int(rec["min_orgs"]) < MIN_ORGS_FLOOR:
        raise _fail(row, "min_orgs", rec["min_orgs"], f"a whole number of at least "
                    f"{MIN_ORGS_FLOOR}")


@lru_cache(maxsize=8)
def _load(path: Path, data_dir: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataValidationError(f"{REGISTRY_FILE}: file not found in {data_dir}")
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if list(table.columns) != list(COLUMNS):
        raise DataValidationError(f"{REGISTRY_FILE}: columns {list(table.columns)}, expected "
                                  f"{list(COLUMNS)}")
    book = load_codebook(data_dir).set_index("item_id")
    seen: dict[str, int] = {}
    for idx, rec in table.iterrows():
        row = int(idx) + 1
        _check_row(row, rec, book)
        if rec["indicator_id"] in seen:
            raise _fail(row, "indicator_id", rec["indicator_id"],
                        f"a unique id (already on row {seen[rec['indicator_id']]})")
        seen[rec["indicator_id"]] = row
    return table.assign(min_orgs=table["min_orgs"].astype(int))


def load_registry(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Read and validate the survey indicator registry.

    Parameters
    ----------
    data_dir : path, optional
        Folder of bundled data; defaults to the configured one.

    Returns
    -------
    pandas.DataFrame
        One row per indicator with the columns of :data:`COLUMNS` in file order; ``min_orgs``
        is an int. A fresh copy on every call.

    Raises
    ------
    DataValidationError
        Naming the row, column, value and what was expected: unknown items, an item of one
        questionnaire used for the other's organisations, a success rule that does not fit
        the item, a minimum below 5 organisations, a repeated id.
    """
    folder = Path(data_dir if data_dir is not None else get_settings().data_dir).resolve()
    return _load(folder / REGISTRY_FILE, folder).copy()
