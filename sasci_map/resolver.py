"""Resolve council names and GSS codes, old or new, to the 153 English councils of 2023."""

from __future__ import annotations

import csv
import difflib
import functools
import io
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from sasci_map.config import get_settings

EXACT = "exact"
ALIAS = "alias"
RECODED = "recoded"
DISTRICT = "district"
AMBIGUOUS = "ambiguous"
UNKNOWN = "unknown"
#: Columns of ``resolve_councils`` and of its CSV export, in this order.
COLUMNS = ("input", "code", "name", "status", "note")
#: The longest council name is under 50 characters; longer input is refused before fuzzy matching.
MAX_INPUT_CHARS = 200
#: How many close names an ``unknown`` note offers.
NOTE_SUGGESTIONS = 3
#: difflib ratio below which a name is not offered as a suggestion.
SUGGEST_CUTOFF = 0.6
_GSS = re.compile(r"[EWSNK]\d{8}")
_NATIONS = {"W": "a Welsh", "S": "a Scottish", "N": "a Northern Irish", "K": "a UK-wide"}
#: GSS prefixes of areas that are pasted by mistake, so the note can say what the code is.
_ENTITIES = {
    "E01": "an LSOA", "E02": "an MSOA", "E05": "a ward", "E12": "a region",
    "E14": "a constituency", "E38": "a sub-ICB location", "E47": "a combined authority",
    "E54": "an integrated care board", "E92": "England",
}
# Words dropped from the start / end of a name by ``name_key`` (longest first; applied repeatedly).
_PREFIXES = tuple(tuple(p.split()) for p in (
    "city and county of", "council of the", "metropolitan borough of", "royal borough of",
    "london borough of", "borough of", "city of", "county of", "district of", "the", "county",
))
_SUFFIXES = tuple(tuple(s.split()) for s in (
    "london borough", "london boro", "council", "corporation", "metropolitan", "borough",
    "district", "county", "city", "ua", "mdc", "mbc",
))
_INVERTED = re.compile(
    r"(?P<body>.+?)\s*,\s*(?:the\s+)?(?:city and county|city|county|royal borough|borough) of\s*"
)


@dataclass(frozen=True)
class Resolution:
    """How one input string resolved to a council.

    Attributes
    ----------
    input : str
        The string as given.
    code, name : str
        The 2023 GSS code and ONS name of the council; ``""`` when ambiguous or unknown.
    status : str
        One of EXACT, ALIAS, RECODED, DISTRICT, AMBIGUOUS, UNKNOWN.
    note : str
        How the match was made, the candidates of an ambiguity, or closest names.
    """

    input: str
    code: str
    name: str
    status: str
    note: str


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"['’`]", "", text.replace("&", " and "))


def simple_key(text: str) -> str:
    """Return ``text`` case-folded, with "&" as "and", "St." as "st" and punctuation as spaces.

    Parameters
    ----------
    text : str
        A council name or alias.

    Returns
    -------
    str
        Lower-case words separated by single spaces (``"Southend-on-Sea"`` → ``"southend on sea"``).
    """
    words = re.sub(r"[^a-z0-9]+", " ", _fold(text)).split()
    return " ".join("st" if word == "saint" else word for word in words)


def _strip(words: list[str], affix: tuple[str, ...], at_start: bool) -> list[str] | None:
    n = len(affix)
    if len(words) <= n or tuple(words[:n] if at_start else words[-n:]) != affix:
        return None
    rest = words[n:] if at_start else words[:-n]
    return None if rest == ["london"] else rest  # "City of London" must not become "London"


def name_key(text: str) -> str:
    """Return the ``simple_key`` of ``text`` without council-type prefixes and suffixes.

    Parameters
    ----------
    text : str
        A council name or alias.

    Returns
    -------
    str
        E.g. ``"Kingston upon Hull, City of"`` and ``"Kingston upon Hull City Council"`` both give
        ``"kingston upon hull"``; ``"London Borough of Barnet"`` gives ``"barnet"``.
    """
    folded = _fold(text).strip()
    inverted = _INVERTED.fullmatch(folded)
    words = simple_key(inverted["body"] if inverted else folded).split()
    changed = True
    while changed:
        changed = False
        for affixes, at_start in ((_SUFFIXES, False), (_PREFIXES, True)):
            for affix in affixes:
                rest = _strip(words, affix, at_start)
                if rest is not None:
                    words, changed = rest, True
                    break
    return " ".join(words)


@dataclass(frozen=True)
class _Hit:
    rank: int  # 0 council name or alias, 1 former council, 2 district
    codes: tuple[str, ...]
    status: str
    note: str


@dataclass(frozen=True)
class _Index:
    names: dict[str, str]
    codes: dict[str, Resolution]
    exact: dict[str, Resolution]
    tiers: tuple[dict[str, Resolution], dict[str, Resolution]]
    county_recodes: dict[str, Resolution]
    search: tuple[tuple[str, str, int], ...]  # (name_key, council code, _Hit.rank)


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: lookup file not found; run scripts/build_lookups.py")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if tuple(frame.columns[: len(columns)]) != columns:
        raise ValueError(f"{path}: expected columns {list(columns)}, found {list(frame.columns)}")
    return frame


def _candidates(codes: Iterable[str], names: dict[str, str]) -> str:
    return "; ".join(f"{code} {names[code]}" for code in codes)


def _change_note(old_code: str, old_name: str, rows: list[dict], names: dict[str, str]) -> str:
    year, kind, note = rows[0]["year"], rows[0]["kind"], rows[0]["note"]
    targets = _candidates(sorted(r["new_code"] for r in rows), names)
    if kind == "split":
        return f"{old_code} {old_name} (county) was split in {year} into {targets}"
    if kind == "recode" and int(year) > 2023:
        return f"{old_code} is the {year} code for {old_name}; the map uses the 2023 code {targets}"
    verb = {"county_to_unitary": "(county) replaced by", "merger": "merged into",
            "recode": "recoded to"}.get(kind, "absorbed into")
    return f"{old_code} {old_name} {verb} {targets} in {year}" + (f" ({note})" if note else "")


def _collapse(hits: list[_Hit], names: dict[str, str]) -> Resolution:
    codes = sorted({code for hit in hits for code in hit.codes})
    if len(codes) > 1:
        own = [h.note for h in hits if h.status == AMBIGUOUS and sorted(h.codes) == codes]
        note = own[0] if own else f"matches several councils: {_candidates(codes, names)}"
        return Resolution("", "", "", AMBIGUOUS, note)
    best = min(hits, key=lambda hit: hit.rank)
    return Resolution("", codes[0], names[codes[0]], best.status, best.note)


@functools.lru_cache(maxsize=8)
def _load_index(lookups: str) -> _Index:
    folder = Path(lookups)
    councils = _read(folder / "councils.csv", ("code", "name"))
    names = dict(zip(councils["code"], councils["name"], strict=True))
    aliases = _read(folder / "aliases.csv", ("code", "alias", "source"))
    changes = _read(folder / "code_changes.csv",
                    ("old_code", "old_name", "new_code", "new_name", "year", "kind", "note"))
    districts = _read(folder / "districts.csv", ("code", "name", "council_code", "council_name",
                                                 "current", "note"))
    ambiguous = _read(folder / "ambiguous_names.csv", ("name", "codes", "reason"))
    codes = {code: Resolution("", code, name, EXACT, "") for code, name in names.items()}
    exact = {" ".join(name.split()).casefold(): codes[code] for code, name in names.items()}
    tiers: tuple[dict[str, list[_Hit]], dict[str, list[_Hit]]] = ({}, {})

    def add(text: str, hit: _Hit) -> None:
        for tier, key in zip(tiers, (simple_key(text), name_key(text)), strict=True):
            how = "" if tier is tiers[0] else " after normalisation"
            note = hit.note.replace("{how}", how)
            tier.setdefault(key, []).append(replace(hit, note=note))

    for code, name in sorted(names.items()):
        add(name, _Hit(0, (code,), ALIAS, f"matched name '{name}'{{how}}"))
    for row in aliases.itertuples(index=False):
        add(row.alias, _Hit(0, (row.code,), ALIAS, f"matched alias '{row.alias}'{{how}}"))
    county_recodes: dict[str, Resolution] = {}
    district_codes = set(districts["code"])
    for old_code, group in changes.groupby("old_code", sort=True):
        if old_code in district_codes:  # former districts resolve through districts.csv
            continue
        rows = group.to_dict("records")
        old_name, new_codes = rows[0]["old_name"], tuple(sorted(r["new_code"] for r in rows))
        hit = _Hit(1, new_codes, AMBIGUOUS if len(new_codes) > 1 else RECODED,
                   _change_note(old_code, old_name, rows, names))
        codes[old_code] = _collapse([hit], names)
        add(old_name, hit)
        if rows[0]["kind"] == "county_to_unitary":
            county_recodes[new_codes[0]] = codes[old_code]
    ordered = districts.sort_values(["current", "code"], ascending=[False, True])
    for row in ordered.itertuples(index=False):
        where = f"{row.council_code} {names[row.council_code]}"
        if row.current == "True":
            note = f"district {row.name} ({row.code}) is in {where}"
        else:
            tail = "" if where in row.note else f"; in {where}"
            note = f"former district {row.name} ({row.code}): {row.note}{tail}"
        hit = _Hit(2, (row.council_code,), DISTRICT, note)
        codes.setdefault(row.code, _collapse([hit], names))
        add(row.name, hit)
    built = tuple({key: _collapse(hits, names) for key, hits in tier.items()} for tier in tiers)
    search = sorted({(key, code, h.rank) for key, hits in tiers[1].items() for h in hits
                     for code in h.codes if key})
    for row in ambiguous.itertuples(index=False):
        options = row.codes.split(";")
        note = f"'{row.name}' is ambiguous ({row.reason}): {_candidates(options, names)}"
        for tier, key in zip(built, (simple_key(row.name), name_key(row.name)), strict=True):
            tier[key] = Resolution("", "", "", AMBIGUOUS, note)
    return _Index(names, codes, exact, built, county_recodes, tuple(search))


def _lookups(data_dir: str | Path | None) -> str:
    root = Path(data_dir) if data_dir is not None else get_settings().data_dir
    return str((root / "lookups").resolve())


def _as_text(value: object) -> str:
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    return "" if missing else str(value)


def _code_note(code: str) -> str:
    if code[0] in _NATIONS:
        return f"not an English council ({code} is {_NATIONS[code[0]]} code)"
    if entity := _ENTITIES.get(code[:3]):
        return f"not a council ({code} is the code of {entity})"
    return f"{code} is not the code of an English council or district"


def resolve_council(value: str, data_dir: str | Path | None = None) -> Resolution:
    """Resolve one council name or GSS code to a 2023 council, saying how.

    Parameters
    ----------
    value : str
        A code (``"E06000065"``, ``"e10000023"``) or a name (``"Hull"``, ``"Allerdale"``).
        Any string is accepted; ``None`` and NaN count as empty.
    data_dir : str or Path, optional
        Folder holding ``lookups/``; defaults to ``get_settings().data_dir``.

    Returns
    -------
    Resolution
        ``status`` is EXACT, ALIAS, RECODED, DISTRICT, AMBIGUOUS or UNKNOWN; ``code`` and
        ``name`` are empty unless one council was identified. A fuzzy match is never a code:
        it only appears as a suggestion in the ``note`` of an UNKNOWN result.
    """
    index = _load_index(_lookups(data_dir))
    text = _as_text(value)
    clean = " ".join(text.split())
    if not clean:
        return Resolution(text, "", "", UNKNOWN, "empty input")
    if len(clean) > MAX_INPUT_CHARS:
        note = f"input too long ({len(clean)} characters) to be a council name or code"
        return Resolution(text, "", "", UNKNOWN, note)
    compact = "".join(clean.split()).upper()
    if _GSS.fullmatch(compact):
        found = index.codes.get(compact)
        return replace(found, input=text) if found else Resolution(
            text, "", "", UNKNOWN, _code_note(compact))
    if clean.casefold() in index.exact:
        return replace(index.exact[clean.casefold()], input=text)
    for tier, key in zip(index.tiers, (simple_key(clean), name_key(clean)), strict=True):
        found = tier.get(key) if key else None
        if found is None:
            continue
        county = index.county_recodes.get(found.code)
        if found.status == ALIAS and county and re.search(r"\bcounty\b", clean.casefold()):
            found = county
        return replace(found, input=text)
    close = [name for _, name in suggest_councils(clean, NOTE_SUGGESTIONS, data_dir)]
    note = "no council matches" + (f"; did you mean: {'; '.join(close)}?" if close else "")
    return Resolution(text, "", "", UNKNOWN, note)


def resolve_councils(values: Iterable[str], data_dir: str | Path | None = None) -> pd.DataFrame:
    """Resolve many names or codes, one row per input, in input order (duplicates kept).

    Parameters
    ----------
    values : iterable of str
        Names or codes, e.g. a column of an uploaded file.
    data_dir : str or Path, optional
        Folder holding ``lookups/``; defaults to ``get_settings().data_dir``.

    Returns
    -------
    pandas.DataFrame
        Columns ``input, code, name, status, note`` (see ``resolve_council``).
    """
    rows = [resolve_council(value, data_dir) for value in values]
    return pd.DataFrame([[getattr(r, c) for c in COLUMNS] for r in rows], columns=list(COLUMNS))


def resolve_councils_csv(values: Iterable[str], data_dir: str | Path | None = None) -> str:
    """Render ``resolve_councils`` as CSV text with a header and Unix newlines.

    Parameters
    ----------
    values : iterable of str
        Names or codes.
    data_dir : str or Path, optional
        Folder holding ``lookups/``; defaults to ``get_settings().data_dir``.

    Returns
    -------
    str
        ``input,code,name,status,note`` then one line per input.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(resolve_councils(values, data_dir).itertuples(index=False, name=None))
    return buffer.getvalue()


@functools.lru_cache(maxsize=4096)
def _suggest(lookups: str, key: str, limit: int) -> tuple[tuple[str, str], ...]:
    index = _load_index(lookups)
    best: dict[str, float] = {}
    matcher = difflib.SequenceMatcher(b=key, autojunk=False)
    for candidate, code, rank in index.search:
        matcher.set_seq1(candidate)
        if candidate.startswith(key):
            base = 2.0
        elif f" {key}" in f" {candidate}":
            base = 1.0
        elif min(matcher.real_quick_ratio(), matcher.quick_ratio()) >= SUGGEST_CUTOFF:
            base = 0.0
        else:
            continue
        ratio = matcher.ratio()
        if base or ratio >= SUGGEST_CUTOFF:
            # Closer in length and spelling first; councils' own names before districts'.
            score = base + ratio - 0.25 * rank
            best[code] = max(score, best.get(code, -1.0))
    ranked = sorted(best, key=lambda code: (-best[code], index.names[code]))
    return tuple((code, index.names[code]) for code in ranked[:limit])


def suggest_councils(
    value: str, limit: int = 5, data_dir: str | Path | None = None
) -> list[tuple[str, str]]:
    """Return the councils whose names or aliases look most like ``value``.

    Parameters
    ----------
    value : str
        Free text, typically one that did not resolve (for a search box or a friendly 404).
    limit : int, default 5
        Most suggestions to return.
    data_dir : str or Path, optional
        Folder holding ``lookups/``; defaults to ``get_settings().data_dir``.

    Returns
    -------
    list of (str, str)
        ``(code, name)`` pairs, best first: names starting with the text, then names with a word
        starting with it, then difflib matches; empty when nothing is close.
    """
    text = _as_text(value)
    key = name_key(text) if len(text) <= MAX_INPUT_CHARS else ""
    if not key or limit <= 0:
        return []
    return list(_suggest(_lookups(data_dir), key, limit))
