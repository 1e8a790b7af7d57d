"""Organisation answers: the respondents of one organisation combined by the codebook's rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sasci_map.codebook import MULTI_SEPARATOR, allowed_values, load_codebook
from sasci_map.survey_store import INTEGER_TYPES

#: Columns of an organisation row before the combined items, in output order.
ORG_COLUMNS = ("wave", "org_id", "org_type", "council_code", "n_respondents")
#: Respondent columns needed besides the items: the organisation key (wave, org_id), the
#: attributes copied to the organisation row, and the id that breaks seniority ties.
ID_COLUMNS = ("wave", "respondent_id", "org_id", "org_type", "council_code")
#: The item whose codes, most senior first, rank respondents for the ``most_senior`` rule.
ROLE_ITEM = "resp_role"
#: Codes of one multi-select item at most: answers are combined as bit sets in an int64.
MAX_MULTI_CODES = 62
#: Organisations named at most in a "mixed type or council" error, so the message stays short.
MAX_NAMED = 5


def combined_columns(data_dir: Path | str | None = None) -> list[str]:
    """Return the items that :func:`organisation_answers` combines, in codebook order.

    Parameters
    ----------
    data_dir : path, optional
        Folder of bundled data; defaults to the configured one.

    Returns
    -------
    list of str
        Ids of the codebook items whose ``combine_rule`` is not ``"none"`` (free text and the
        respondent's role are left out). The output columns of :func:`organisation_answers`
        are ``[*ORG_COLUMNS, *combined_columns()]``.
    """
    book = load_codebook(data_dir)
    return book.loc[book["combine_rule"] != "none", "item_id"].tolist()


def organisation_answers(responses: pd.DataFrame, data_dir: Path | str | None = None,
                         ) -> pd.DataFrame:
    """Combine respondent answers into one row per organisation and wave.

    Each item is combined by its codebook ``combine_rule`` over the organisation's respondents,
    ignoring those who left it blank:

    - ``mean``: the mean of the answers (float; NaN if nobody answered).
    - ``max``: the largest number (likert, count; nullable ``Int64``), or for coded items the
      code furthest along ``allowed_values`` (for example ``used`` over ``aware_not_used``).
    - ``any``: yes/no/don't know gives ``yes`` if anyone said yes, else ``no`` if anyone said
      no, else ``dont_know``; a multi-select gives the union of the codes, in
      ``allowed_values`` order, joined with ``MULTI_SEPARATOR``.
    - ``most_senior``: the answer of the most senior respondent who answered, by the order of
      ``resp_role`` codes (blank role last); ties go to the smallest ``respondent_id``.
    - ``none``: not in the output.

    Text results are Python ``str`` or ``None`` (nobody answered) in object columns.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per respondent as :func:`sasci_map.survey_store.read_responses` returns it: the
        ``ID_COLUMNS``, ``resp_role`` and every combined item (likert and count items numeric,
        other items text codes, missing = not answered).
    data_dir : path, optional
        Folder of bundled data; defaults to the configured one.

    Returns
    -------
    pandas.DataFrame
        One row per (wave, org_id), sorted by wave then org_id, with the columns
        ``[*ORG_COLUMNS, *combined_columns(data_dir)]``.

    Raises
    ------
    ValueError
        If a needed column is missing, ``wave`` or ``org_id`` is blank, an answer is not one of
        its item's codes, or one organisation's respondents differ in ``org_type`` or
        ``council_code`` within a wave (the message names the organisations).
    """
    book = load_codebook(data_dir)
    items = book[book["combine_rule"] != "none"]
    needed = [*ID_COLUMNS, ROLE_ITEM, *items["item_id"]]
    missing = [c for c in needed if c not in responses.columns]
    if missing:
        raise ValueError(f"responses: missing columns {missing}: expected columns {needed}")
    for column in ("wave", "org_id"):
        if responses[column].isna().any():
            raise ValueError(f"responses, column {column!r}: blank values; every respondent "
                             "needs a wave and an org_id")
    frame = responses.reset_index(drop=True)
    roles = allowed_values(book.set_index("item_id").loc[ROLE_ITEM])
    seniority = _ranks(frame[ROLE_ITEM], roles, ROLE_ITEM)
    seniority[seniority < 0] = len(roles)  # a blank role ranks after every role
    order, starts = _sort(frame, seniority)
    group = np.cumsum(np.bincount(starts[1:], minlength=len(frame)))  # output row of each
    _check_consistent(frame, order, starts, group)

    out = {c: frame[c].take(order[starts]).reset_index(drop=True) for c in ORG_COLUMNS[:4]}
    out["n_respondents"] = np.diff(np.append(starts, len(frame)))
    for item in items.itertuples(index=False):
        name, rule = item.item_id, item.combine_rule
        key, decode = _encode(frame[name], item._asdict())
        key = key[order]
        if rule == "mean":
            out[name] = _mean(key, starts)
        elif rule == "most_senior":
            out[name] = decode(_first_answered(key, starts, group))
        else:  # max or any: the largest key, missing ones never win
            ufunc = np.fmax if key.dtype.kind == "f" else np.maximum
            if item.response_type == "multi_select":
                ufunc = np.bitwise_or
            out[name] = decode(ufunc.reduceat(key, starts) if starts.size else key[:0])
    columns = [*ORG_COLUMNS, *items["item_id"]]
    # Keep decoded codes as object (str or None) rather than let pandas infer its str dtype.
    data = {c: pd.Series(v, dtype=object) if isinstance(v, np.ndarray) and v.dtype.kind == "O"
            else v for c, v in out.items()}
    return pd.DataFrame(data, columns=columns)


def _sort(frame: pd.DataFrame, seniority: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order rows by wave, org_id, seniority and respondent_id; return it and group starts.

    One multi-key Arrow sort (strings by code point, as Python sorts them) is several times
    faster than factorizing the id columns with sorting, the slow step at a million rows.
    """
    table = pa.table({"wave": pa.array(frame["wave"]), "org_id": pa.array(frame["org_id"]),
                      "seniority": seniority, "respondent_id": pa.array(frame["respondent_id"])})
    order = pc.sort_indices(table, sort_keys=[(c, "ascending") for c in table.column_names])
    if not len(order):
        return order.to_numpy(), np.array([], dtype=np.intp)
    keys = [table.column(c).take(order) for c in ("wave", "org_id")]
    change = pc.or_(*(pc.not_equal(k[1:], k[:-1]) for k in keys))
    return order.to_numpy(), np.flatnonzero(np.r_[True, change.to_numpy()])


def _check_consistent(frame: pd.DataFrame, order: np.ndarray, starts: np.ndarray,
                      group: np.ndarray) -> None:
    """Raise if the respondents of one organisation and wave differ in type or council."""
    first = order[starts]
    for column in ("org_type", "council_code"):
        codes = pd.factorize(frame[column])[0][order]
        bad = np.unique(group[codes != codes[starts][group]])
        if bad.size:
            named = [f"{frame['org_id'].iat[r]!r} in wave {frame['wave'].iat[r]}"
                     for r in first[bad[:MAX_NAMED]]]
            more = f" and {bad.size - MAX_NAMED} more" if bad.size > MAX_NAMED else ""
            raise ValueError(f"responses, column {column!r}: respondents of one organisation "
                             f"differ within a wave: {', '.join(named)}{more}; one organisation "
                             f"has one {column} in a wave")


def _encode(values: pd.Series, item: dict):
    """Turn an item's answers into sortable keys, and return the decoder of combined keys.

    Numbers become floats (NaN = not answered; decoded to ``Int64``). Codes become their
    position in ``allowed_values`` plus one (0 = not answered), so the largest is the furthest
    code; for the ``any`` rule of yes/no/don't know the order is reversed, so ``yes`` is
    largest. Multi-select answers become bit sets of their codes (0 = not answered), so
    bitwise OR is their union.
    """
    name, codes = item["item_id"], allowed_values(item)
    if item["response_type"] in INTEGER_TYPES:
        return _numbers(values, name), _integers
    if item["response_type"] == "multi_select":
        return _bits(values, codes, name), lambda bits: _union(bits, codes)
    if item["combine_rule"] == "any":
        codes = codes[::-1]
    labels = np.array([None, *codes], dtype=object)
    return _ranks(values, codes, name) + 1, lambda rank: labels[rank]


def _integers(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)


def _mean(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Mean of the answered values of each group of sorted rows; NaN if none answered."""
    if not starts.size:
        return values[:0]
    answered = ~np.isnan(values)
    total = np.add.reduceat(np.where(answered, values, 0.0), starts)
    count = np.add.reduceat(answered.astype(np.int64), starts)
    return np.divide(total, count, out=np.full(len(starts), np.nan), where=count > 0)


def _first_answered(values: np.ndarray, starts: np.ndarray, group: np.ndarray) -> np.ndarray:
    """First answered key of each group of sorted rows; the missing key where none answered."""
    numeric = values.dtype.kind == "f"
    answered = ~np.isnan(values) if numeric else values > 0
    position = np.flatnonzero(answered)
    owner = group[position]
    first = position[np.r_[True, owner[1:] != owner[:-1]]] if position.size else position
    out = np.full(len(starts), np.nan if numeric else 0, dtype=values.dtype)
    out[group[first]] = values[first]
    return out


def _numbers(values: pd.Series, item: str) -> np.ndarray:
    """Return a numeric item as floats, NaN where not answered."""
    if not pd.api.types.is_numeric_dtype(values):
        values = values.astype(object).replace("", None)
    try:
        number = pd.to_numeric(values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"responses, column {item!r}: expected numbers ({exc})") from exc
    return pd.Series(number).to_numpy(dtype=float, na_value=np.nan)


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Row codes (-1 = missing) and distinct answers, stripped: each is checked only once."""
    row_codes, uniques = pd.factorize(values)
    return row_codes, pd.Series(np.asarray(uniques, dtype=object)).astype(str).str.strip()


def _unknown(item: str, value: str, codes: list[str]) -> ValueError:
    return ValueError(f"responses, column {item!r}: value {value!r}: expected one of {codes}")


def _ranks(values: pd.Series, codes: list[str], item: str) -> np.ndarray:
    """Return each row's position in ``codes`` (-1 = not answered); raise on an unknown code."""
    row_codes, text = _distinct(values)
    position = pd.Index(codes).get_indexer(text)
    bad = (position < 0) & (text != "").to_numpy()
    if bad.any():
        raise _unknown(item, text[bad].iat[0], codes)
    return np.append(position, -1)[row_codes]


def _bits(values: pd.Series, codes: list[str], item: str) -> np.ndarray:
    """Return each multi-select answer as a bit set of its codes (bit k = ``codes[k]``)."""
    if len(codes) > MAX_MULTI_CODES:
        raise ValueError(f"item {item!r}: {len(codes)} codes; at most {MAX_MULTI_CODES} combine")
    row_codes, text = _distinct(values)
    tokens = text.str.split(MULTI_SEPARATOR).explode().str.strip()
    tokens = tokens[tokens.notna() & (tokens != "")]
    position = pd.Index(codes).get_indexer(tokens)
    if (position < 0).any():
        raise _unknown(item, tokens[position < 0].iat[0], codes)
    bits = np.zeros(len(text) + 1, dtype=np.int64)  # the last entry: not answered
    np.bitwise_or.at(bits, tokens.index.to_numpy(), np.int64(1) << position.astype(np.int64))
    return bits[row_codes]


def _union(bits: np.ndarray, codes: list[str]) -> np.ndarray:
    """Join the codes of each bit set in codebook order; None for the empty set."""
    distinct, inverse = np.unique(bits, return_inverse=True)
    labels = [MULTI_SEPARATOR.join(c for k, c in enumerate(codes) if b >> k & 1) or None
              for b in distinct.tolist()]  # one per distinct combination, not per row
    return np.array(labels, dtype=object)[inverse]
