"""Validate a survey response file against the codebook and turn it into database rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sasci_map.codebook import MULTI_SEPARATOR, invalid_answers, load_codebook
from sasci_map.problems import Problems
from sasci_map.resolver import ALIAS, DISTRICT, EXACT, RECODED, resolve_councils
from sasci_map.survey_format import (
    BOOLEAN_TEXT,
    MAX_WAVE,
    MIN_WAVE,
    ORG_TYPES,
    SURVEY_ID_COLUMNS,
    SURVEY_OPTIONAL_COLUMNS,
)
from sasci_map.survey_store import ID_LENGTH, INTEGER_TYPES
from sasci_map.tabular import Table, TableError

#: Id cells every row must fill.
REQUIRED_CELLS = tuple(c for c in SURVEY_ID_COLUMNS if c not in SURVEY_OPTIONAL_COLUMNS)
#: Resolver outcomes accepted for a council's own response; a former district is not a council
#: with adult social services responsibilities, so a council organisation must name its council.
COUNCIL_ORG_STATUSES = (EXACT, ALIAS, RECODED)
#: A provider's location may be given as its (former) district: it lies in exactly one council.
PROVIDER_STATUSES = (EXACT, ALIAS, RECODED, DISTRICT)
#: Which questionnaires ask an item, by the item's ``questionnaire`` in the codebook.
ASKED_BY = {"council": ("council",), "provider": ("provider",), "both": ORG_TYPES}
#: How many example rows a note about a recoded council name lists.
NOTE_ROWS = 5


@dataclass(frozen=True)
class SurveyBatch:
    """A validated survey file, as rows for ``survey_waves`` and ``survey_responses``."""

    waves: pd.DataFrame
    responses: pd.DataFrame
    notes: list[str]


def _blank(text: pd.Series) -> np.ndarray:
    return (text.fillna("") == "").to_numpy(dtype=bool)


def _check_ids(frame: pd.DataFrame, rows: np.ndarray, problems: Problems) -> None:
    """Check required cells, id lengths, org type, wave and the synthetic flag."""
    for column in REQUIRED_CELLS:
        problems.cells(_blank(frame[column]), rows, column, frame[column], "a non-blank value")
    for column in ("respondent_id", "org_id"):
        long = frame[column].str.len().to_numpy() > ID_LENGTH
        problems.cells(long, rows, column, frame[column], f"at most {ID_LENGTH} characters")
    org_type = frame["org_type"]
    bad = ~org_type.isin(ORG_TYPES).to_numpy() & ~_blank(org_type)
    problems.cells(bad, rows, "org_type", org_type, f"one of {list(ORG_TYPES)}")
    wave = frame["wave"]
    number = pd.to_numeric(wave.where(wave.str.fullmatch(r"\d{4}")), errors="coerce")
    bad = ~number.between(MIN_WAVE, MAX_WAVE).to_numpy() & ~_blank(wave)
    problems.cells(bad, rows, "wave", wave, f"a year from {MIN_WAVE} to {MAX_WAVE}")
    if "synthetic" in frame:
        flag = frame["synthetic"].str.lower()
        bad = ~flag.isin([*BOOLEAN_TEXT, ""]).to_numpy()
        problems.cells(bad, rows, "synthetic", frame["synthetic"], "true, false or blank")


def _check_unique_respondents(frame: pd.DataFrame, rows: np.ndarray, problems: Problems) -> None:
    key = frame[["wave", "respondent_id"]]
    dup = key.duplicated(keep="first").to_numpy() & ~_blank(frame["respondent_id"])
    if not dup.any():
        return
    first_row = pd.Series(rows, index=frame.index).groupby(
        [frame["wave"], frame["respondent_id"]]).transform("first").to_numpy()
    expected = np.full(len(frame), "", dtype=object)
    expected[dup] = [f"a respondent_id not used before in wave {w} (already on row {r})"
                     for w, r in zip(frame["wave"].to_numpy()[dup], first_row[dup], strict=True)]
    problems.cells(dup, rows, "respondent_id", frame["respondent_id"], expected)


def _resolve_councils(frame: pd.DataFrame, rows: np.ndarray, problems: Problems,
                      data_dir: Path | None) -> tuple[pd.Series, list[str]]:
    """Resolve ``council_code`` cells; return the 2023 code per row and notes on recodes."""
    given = frame["council_code"]
    lookup = resolve_councils(pd.unique(given), data_dir).set_index("input")
    status = given.map(lookup["status"])
    code = given.map(lookup["code"])
    allowed = np.where(frame["org_type"] == "council",
                       status.isin(COUNCIL_ORG_STATUSES), status.isin(PROVIDER_STATUSES))
    bad = ~allowed & ~_blank(given)
    if bad.any():
        note = given.map(lookup["note"]).astype(str)
        district_council = (status == DISTRICT) & (frame["org_type"] == "council")
        expected = np.where(
            district_council,
            "the council itself (a council organisation cannot be a former district): " + note,
            "a 2023 council GSS code, an older code or a council name: "
            + status.astype(str) + ", " + note,
        )
        problems.cells(bad, rows, "council_code", given, expected)
    notes = []
    changed = status.isin((ALIAS, RECODED, DISTRICT)) & allowed
    for text, where in pd.Series(rows[changed.to_numpy()]).groupby(
            given[changed].to_numpy(), sort=True):
        hit = lookup.loc[text]
        examples = ", ".join(str(r) for r in where.to_numpy()[:NOTE_ROWS])
        more = " ..." if len(where) > NOTE_ROWS else ""
        notes.append(f"council_code {text!r} read as {hit['code']} {hit['name']} "
                     f"({hit['status']}: {hit['note']}) on {len(where)} row(s): {examples}{more}")
    return code.where(allowed & ~_blank(given)), notes


def _check_organisations(frame: pd.DataFrame, rows: np.ndarray, problems: Problems,
                         code: pd.Series) -> None:
    """One org_type and council per organisation and wave; one council org per council."""
    org = [frame["wave"], frame["org_id"]]
    problems.differing(rows, org, "org_type", frame["org_type"], frame["org_type"],
                       "one organisation has one type in a wave")
    problems.differing(rows, org, "council_code", code, frame["council_code"],
                       "one organisation is in one council in a wave")
    council_org = frame["org_id"].where(frame["org_type"] == "council")
    problems.differing(rows, [frame["wave"], code], "org_id", council_org, frame["org_id"],
                       "a council answers as one organisation per wave")


def _on_uniques(text: pd.Series, convert) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """Apply ``convert`` to the distinct values of ``text`` only, then spread back to every row.

    Survey columns hold a handful of codes over up to millions of rows, so checking and
    converting each distinct value once is what keeps a large import fast.
    """
    codes, uniques = pd.factorize(text.fillna(""))
    return pd.array(convert(pd.Series(uniques, dtype=str))).take(codes)


def _check_items(frame: pd.DataFrame, rows: np.ndarray, problems: Problems,
                 book: pd.DataFrame) -> None:
    """Each answered item: allowed for its item, and asked in the row's questionnaire."""
    org_type = frame["org_type"]
    items = book.set_index("item_id")
    for item_id, item in items.iterrows():
        if item_id not in frame:
            continue
        text = frame[item_id]
        asked = org_type.isin(ASKED_BY[item["questionnaire"]]).to_numpy()
        expected = invalid_answers(pd.Series([""], dtype=str), item)[1]
        bad = np.asarray(_on_uniques(text, lambda u, it=item: invalid_answers(u, it)[0]),
                         dtype=bool)
        problems.cells(bad & asked, rows, item_id, text, expected)
        unasked = ~asked & ~_blank(text) & org_type.isin(ORG_TYPES).to_numpy()
        problems.cells(unasked, rows, item_id, text,
                       f"blank: the item is in the {item['questionnaire']} questionnaire only")


def _check_waves(frame: pd.DataFrame, problems: Problems) -> None:
    """All rows of one wave agree on whether the data are synthetic."""
    if "synthetic" not in frame:
        return
    flag = frame["synthetic"].str.lower().replace("", "false")
    mixed = flag.groupby(frame["wave"]).nunique()
    for wave in mixed.index[mixed > 1]:
        problems.file(f"wave {wave}: rows disagree in column 'synthetic'; a wave is either all "
                      "synthetic demo data or all real data")


def _responses(frame: pd.DataFrame, code: pd.Series, book: pd.DataFrame) -> pd.DataFrame:
    """Build ``survey_responses`` rows from a validated frame."""
    out = pd.DataFrame({
        "wave": frame["wave"].astype(int),
        "respondent_id": frame["respondent_id"],
        "org_id": frame["org_id"],
        "org_type": frame["org_type"],
        "council_code": code,
    })
    for item in book.itertuples(index=False):
        text = frame[item.item_id] if item.item_id in frame else pd.Series("", index=frame.index)
        if item.response_type in INTEGER_TYPES:
            out[item.item_id] = _on_uniques(text, lambda u: pd.to_numeric(
                u.replace("", None)).astype("Int64"))
            continue
        if item.response_type == "multi_select":
            text = pd.Series(_on_uniques(text, lambda u: u.str.replace(
                rf"\s*{MULTI_SEPARATOR}\s*", MULTI_SEPARATOR, regex=True)), index=frame.index)
        out[item.item_id] = _on_uniques(text, lambda u: u.astype(object).where(u != "", None))
    return out.reset_index(drop=True)


def _waves(frame: pd.DataFrame, responses: pd.DataFrame, source: str, digest: str,
           when) -> pd.DataFrame:
    """Return one ``survey_waves`` row per wave, with counts of respondents and organisations."""
    synthetic = (frame["synthetic"].str.lower() == "true") if "synthetic" in frame else (
        pd.Series(False, index=frame.index))
    ids = responses[["wave", "org_id", "org_type", "council_code"]].assign(
        synthetic=synthetic.to_numpy())
    by = ids.groupby("wave")
    orgs = ids.drop_duplicates(["wave", "org_id"])
    types = pd.crosstab(orgs["wave"], orgs["org_type"]).reindex(columns=list(ORG_TYPES),
                                                                 fill_value=0)
    out = pd.DataFrame({
        "synthetic": by["synthetic"].all(),
        "source_file": source,
        "content_hash": digest,
        "n_respondents": by.size(),
        "n_organisations": orgs.groupby("wave").size(),
        "n_council_orgs": types["council"],
        "n_provider_orgs": types["provider"],
        "n_council_areas": by["council_code"].nunique(),
        "imported_at": when,
    })
    return out.rename_axis("wave").reset_index().astype({"wave": int})


def validate_survey(table: Table, digest: str, when, data_dir: Path | None = None) -> SurveyBatch:
    """Check a survey file cell by cell and build its database rows.

    Parameters
    ----------
    table : Table
        The file as read by :func:`sasci_map.tabular.read_table` (all cells text).
    digest : str
        Content hash of the file, stored with each wave.
    when : datetime
        Import timestamp stored with each wave.
    data_dir : Path, optional
        Bundled data folder (codebook and council lookups).

    Returns
    -------
    SurveyBatch

    Raises
    ------
    TableError
        Listing every problem found (capped): blank or too long ids, unknown org types,
        waves out of range, repeated respondent ids, councils that are ambiguous or unknown,
        organisations that change type or council, answers not allowed by the codebook, and
        answers to the other questionnaire's items.
    """
    frame, rows = table.frame, table.rows
    book = load_codebook(data_dir)
    problems = Problems()
    _check_ids(frame, rows, problems)
    _check_unique_respondents(frame, rows, problems)
    code, notes = _resolve_councils(frame, rows, problems, data_dir)
    _check_organisations(frame, rows, problems, code)
    _check_items(frame, rows, problems, book)
    _check_waves(frame, problems)
    if problems:
        raise TableError(table.path, problems.messages())
    responses = _responses(frame, code, book)
    return SurveyBatch(_waves(frame, responses, table.path.name, digest, when), responses, notes)
