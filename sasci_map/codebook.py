"""The SASCI survey codebook (data/survey/codebook.csv): loading, validation and response checks."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sasci_map.config import get_settings
from sasci_map.errors import DataValidationError

CODEBOOK_FILE = "survey/codebook.csv"
COLUMNS = (
    "item_id", "questionnaire", "domain", "question", "response_type", "allowed_values",
    "value_labels", "min", "max", "polarity", "combine_rule", "capability_cluster",
    "support_type", "notes",
)  # fmt: skip
#: The two linked SASCI questionnaires; ``both`` marks an item asked in each.
QUESTIONNAIRES = ("council", "provider", "both")
#: The five clusters of the SASCI capabilities review; each is also a domain.
CAPABILITY_CLUSTERS = ("collaboration", "leadership", "knowledge", "resources", "culture")
#: Domains whose items ask about one support-infrastructure type.
SUPPORT_DOMAINS = ("support_awareness", "support_use")
DOMAINS = (
    *CAPABILITY_CLUSTERS, *SUPPORT_DOMAINS, "innovation_activity", "reasons", "barriers",
    "respondent", "free_text",
)  # fmt: skip
#: Support-infrastructure types, as in the support-infrastructure typology.
SUPPORT_TYPES = (
    "funder", "network_membership", "improvement_agency", "health_innovation_network",
    "university_research", "regulator", "consultancy_social_investor", "digital_tech_support",
    "peer_learning", "incubator_accelerator",
)  # fmt: skip
RESPONSE_TYPES = ("likert5", "yes_no_dk", "multi_select", "count", "single_select", "free_text")
#: How answers of several respondents of one organisation combine into one organisation value.
COMBINE_RULES = ("mean", "max", "any", "most_senior", "none")
#: Rules that make sense for each response type (free text is never combined).
RULES_BY_TYPE = {
    "likert5": ("mean", "max", "most_senior"),
    "count": ("mean", "max", "most_senior"),
    "yes_no_dk": ("any", "most_senior"),
    "single_select": ("max", "most_senior", "none"),
    "multi_select": ("any", "most_senior", "none"),
    "free_text": ("none",),
}
POLARITIES = ("higher_is_better", "lower_is_better", "neutral")
#: Value lists that are fixed by the response type itself.
FIXED_VALUES = {"likert5": ("1", "2", "3", "4", "5"), "yes_no_dk": ("yes", "no", "dont_know")}
CODED_TYPES = ("likert5", "yes_no_dk", "single_select", "multi_select")
#: Separator of the codes of one multi-select answer in a response cell.
MULTI_SEPARATOR = ";"
MAX_ERRORS = 200
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_ENUMS = {
    "questionnaire": QUESTIONNAIRES,
    "domain": DOMAINS,
    "response_type": RESPONSE_TYPES,
    "polarity": POLARITIES,
    "combine_rule": COMBINE_RULES,
}


def _error(row: int, column: str, value: object, expected: str) -> DataValidationError:
    return DataValidationError(
        f"{CODEBOOK_FILE}, row {row}, column {column!r}: value {value!r}: expected {expected}"
    )


def _split(text: str) -> list[str]:
    return [] if not text.strip() else text.split("|")


def _check_values(row: int, rec: pd.Series) -> None:
    rtype, values, labels = rec["response_type"], rec["allowed_values"], rec["value_labels"]
    codes = _split(values)
    if rtype not in CODED_TYPES:
        for column in ("allowed_values", "value_labels"):
            if rec[column].strip():
                raise _error(row, column, rec[column], f"blank for a {rtype} item")
        return
    if rtype in FIXED_VALUES and codes != list(FIXED_VALUES[rtype]):
        raise _error(row, "allowed_values", values, "|".join(FIXED_VALUES[rtype]))
    bad = [c for c in codes if not _CODE_PATTERN.match(c)]
    if not codes or bad or len(set(codes)) != len(codes):
        raise _error(row, "allowed_values", values, "unique '|'-separated codes of a-z, 0-9, _")
    if len(_split(labels)) != len(codes) or not all(s.strip() for s in _split(labels)):
        raise _error(row, "value_labels", labels, f"{len(codes)} '|'-separated labels")


def _check_range(row: int, rec: pd.Series) -> None:
    if rec["response_type"] != "count":
        for column in ("min", "max"):
            if rec[column].strip():
                raise _error(row, column, rec[column], f"blank for a {rec['response_type']} item")
        return
    bounds = {}
    for column in ("min", "max"):
        number = pd.to_numeric(rec[column], errors="coerce")
        if pd.isna(number) or number != int(number):
            raise _error(row, column, rec[column], "a whole number for a count item")
        bounds[column] = int(number)
    if bounds["min"] > bounds["max"]:
        raise _error(row, "max", rec["max"], f"at least min ({bounds['min']})")


def _check_row(row: int, rec: pd.Series) -> None:
    for column in ("item_id", "question"):
        if not rec[column].strip():
            raise _error(row, column, rec[column], "a non-empty value")
    if not _ID_PATTERN.match(rec["item_id"]):
        raise _error(row, "item_id", rec["item_id"], "snake_case: a-z first, then a-z, 0-9, _")
    for column, values in _ENUMS.items():
        if rec[column] not in values:
            raise _error(row, column, rec[column], f"one of {list(values)}")
    rules = RULES_BY_TYPE[rec["response_type"]]
    if rec["combine_rule"] not in rules:
        raise _error(
            row, "combine_rule", rec["combine_rule"],
            f"one of {list(rules)} for a {rec['response_type']} item",
        )  # fmt: skip
    _check_values(row, rec)
    _check_range(row, rec)
    domain, cluster, support = rec["domain"], rec["capability_cluster"], rec["support_type"]
    if domain in CAPABILITY_CLUSTERS and cluster != domain:
        raise _error(row, "capability_cluster", cluster, f"{domain!r}, the item's domain")
    if domain not in CAPABILITY_CLUSTERS and cluster:
        raise _error(row, "capability_cluster", cluster, f"blank for domain {domain!r}")
    if domain in SUPPORT_DOMAINS and support not in SUPPORT_TYPES:
        raise _error(row, "support_type", support, f"one of {list(SUPPORT_TYPES)}")
    if domain not in SUPPORT_DOMAINS and support:
        raise _error(row, "support_type", support, f"blank for domain {domain!r}")


@lru_cache(maxsize=8)
def _load(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise DataValidationError(
            f"{CODEBOOK_FILE}, header: missing columns {missing}: expected columns {list(COLUMNS)}"
        )
    table = table[list(COLUMNS)]
    first_row: dict[str, int] = {}
    for idx, rec in table.iterrows():
        row = int(idx) + 1
        _check_row(row, rec)
        item = rec["item_id"]
        if item in first_row:
            raise _error(row, "item_id", item, f"a unique id (already on row {first_row[item]})")
        first_row[item] = row
    for column in ("min", "max"):
        table[column] = pd.to_numeric(table[column].replace("", np.nan)).astype("Int64")
    return table


def load_codebook(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Read and validate the survey codebook, ``survey/codebook.csv``.

    Parameters
    ----------
    data_dir : path, optional
        Folder of bundled data; defaults to ``get_settings().data_dir``.

    Returns
    -------
    pandas.DataFrame
        One row per item with the columns of ``COLUMNS``, in file order; text cells are strings
        (blank = ""), ``min`` and ``max`` are nullable integers. A fresh copy on every call.

    Raises
    ------
    DataValidationError
        If a column is missing or a cell breaks a rule; the message names the file, the 1-based
        data row, the column, the value and what was expected.
    """
    folder = Path(data_dir) if data_dir is not None else get_settings().data_dir
    return _load(Path(folder).resolve() / CODEBOOK_FILE).copy()


def _check_questionnaire(questionnaire: str) -> None:
    if questionnaire not in QUESTIONNAIRES[:2]:
        raise ValueError(f"questionnaire {questionnaire!r}: expected one of {QUESTIONNAIRES[:2]}")


def items_for(questionnaire: str, data_dir: Path | str | None = None) -> pd.DataFrame:
    """Return the items asked in one questionnaire, including those marked ``both``.

    Parameters
    ----------
    questionnaire : {"council", "provider"}
        Which questionnaire.
    data_dir : path, optional
        Folder of bundled data; defaults to ``get_settings().data_dir``.

    Returns
    -------
    pandas.DataFrame
        Codebook rows of that questionnaire, in file order, with a fresh 0-based index.

    Raises
    ------
    ValueError
        If ``questionnaire`` is not ``"council"`` or ``"provider"``.
    """
    _check_questionnaire(questionnaire)
    book = load_codebook(data_dir)
    keep = book["questionnaire"].isin([questionnaire, "both"])
    return book[keep].reset_index(drop=True)


def allowed_values(item_row: pd.Series) -> list[str]:
    """Return the allowed answer codes of one codebook item.

    Parameters
    ----------
    item_row : pandas.Series or mapping
        One row of the codebook.

    Returns
    -------
    list of str
        The codes of ``allowed_values`` in order; empty for count and free-text items.
    """
    return _split(str(item_row["allowed_values"]))


def invalid_answers(text: pd.Series, item: pd.Series) -> tuple[np.ndarray, str]:
    """Flag the answered cells of one item's column that break the item's rule.

    Parameters
    ----------
    text : pandas.Series
        The column's cells as text; blank or missing means not answered and is never flagged.
    item : pandas.Series or mapping
        The item's codebook row.

    Returns
    -------
    mask : numpy.ndarray of bool
        True where an answer is not allowed.
    expected : str
        What the item allows, for the error message ("" for free text, which allows anything).
    """
    answered = text.notna() & (text != "")
    rtype, codes = item["response_type"], allowed_values(item)
    if rtype == "free_text":
        return np.zeros(len(text), dtype=bool), ""
    if rtype == "count":
        lo, hi = int(item["min"]), int(item["max"])
        number = pd.to_numeric(text.where(answered), errors="coerce")
        ok = number.notna() & (number % 1 == 0) & number.between(lo, hi)
        return (answered & ~ok).to_numpy(dtype=bool), f"a whole number from {lo} to {hi}"
    if rtype == "multi_select":
        code = "|".join(re.escape(c) for c in codes)
        sep = rf"\s*{re.escape(MULTI_SEPARATOR)}\s*"
        pattern = rf"\s*(?:{code})(?:{sep}(?:{code}))*\s*"
        ok = text.isin(codes) | text.str.fullmatch(pattern, na=False)
        expected = f"codes separated by {MULTI_SEPARATOR!r} from {codes}"
        return (answered & ~ok).to_numpy(dtype=bool), expected
    return (answered & ~text.isin(codes)).to_numpy(dtype=bool), f"one of {codes}"


def validate_responses(
    frame: pd.DataFrame,
    questionnaire: str,
    data_dir: Path | str | None = None,
    max_errors: int = MAX_ERRORS,
) -> list[str]:
    """Check respondent-level answers against the codebook, column by column.

    A column named after an item of this questionnaire is checked; other columns (ids, weights)
    are ignored, but a column named after an item of the *other* questionnaire only is an error.
    A blank or missing cell means "not answered" and is always allowed.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per respondent; item cells as text (read with ``dtype=str``).
    questionnaire : {"council", "provider"}
        Which questionnaire the frame answers.
    data_dir : path, optional
        Folder of bundled data; defaults to ``get_settings().data_dir``.
    max_errors : int, default 200
        At most this many messages, then a final ``"... and N more"``.

    Returns
    -------
    list of str
        ``"row N, column C: value V: expected ..."`` in row-then-column order, where N is the
        1-based position of the data row (the header is not counted, so a CSV file's line N + 1).
        Empty when every answer is allowed.

    Raises
    ------
    ValueError
        If ``questionnaire`` is not ``"council"`` or ``"provider"``.
    """
    _check_questionnaire(questionnaire)
    book = load_codebook(data_dir).set_index("item_id")
    asked = set(items_for(questionnaire, data_dir)["item_id"])
    messages = [
        f"column {col!r}: item of the {book.at[col, 'questionnaire']} questionnaire only, "
        f"not the {questionnaire} questionnaire"
        for col in frame.columns
        if col in book.index and col not in asked
    ]
    positions, column_numbers = [np.array([], dtype=int)], [np.array([], dtype=int)]
    expectations, texts = {}, {}
    for number, column in enumerate(frame.columns):
        if column not in asked:
            continue
        text = frame[column]
        if not (pd.api.types.is_object_dtype(text) or pd.api.types.is_string_dtype(text)):
            text = text.astype("string")
        texts[number] = text
        bad, expectations[number] = invalid_answers(text, book.loc[column])
        found = np.flatnonzero(bad)
        positions.append(found)
        column_numbers.append(np.full(len(found), number))
    rows, cols = np.concatenate(positions), np.concatenate(column_numbers)
    order = np.lexsort((cols, rows))
    rows, cols = rows[order], cols[order]
    total = len(messages) + len(rows)
    room = max(max_errors - len(messages), 0)
    for pos, num in zip(rows[:room], cols[:room], strict=True):
        value = texts[num].iat[int(pos)]
        messages.append(
            f"row {pos + 1}, column {frame.columns[num]!r}: value {value!r}: "
            f"expected {expectations[num]}"
        )
    messages = messages[:max_errors]
    if total > max_errors:
        messages.append(f"... and {total - max_errors} more")
    return messages
