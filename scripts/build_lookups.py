"""Rebuild data/lookups/ (councils, code changes, districts, aliases) from the shared sources.

Usage: python scripts/build_lookups.py [--source-dir DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a plain script: make sasci_map importable
    sys.path.insert(0, str(REPO_ROOT))

from sasci_map.resolver import simple_key  # noqa: E402

DEFAULT_SOURCE_DIR = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT_DIR = REPO_ROOT / "data" / "lookups"
#: councils.csv and regions.csv were first shipped with CRLF line ends (as in the ONS-derived
#: source); they are rebuilt byte-identically. Files first written by this script use LF.
CRLF, LF = "\r\n", "\n"
#: Barnsley and Sheffield got new codes in 2025 (code only). The boundaries the map draws are
#: 2023's, so incoming 2025 codes are mapped back to the 2023 codes.
CODES_2025_TO_2023 = {"E08000038": "E08000016", "E08000039": "E08000019"}
#: Old codes in la_all_codes.csv that the ONS changes file (2018 onwards) lacks: boundary changes
#: that gave a council a new code. The year is not in any source file; it is from the ONS code
#: history (Register of Geographic Codes).
EARLIER_RECODE_YEARS = {
    "E07000100": 2012, "E07000104": 2012,  # St Albans, Welwyn Hatfield
    "E07000097": 2013, "E07000101": 2013,  # East Hertfordshire, Stevenage
    "E06000048": 2013, "E08000020": 2013,  # Northumberland, Gateshead
}
#: Council codes of upper-tier councils (a LAD code with one of these prefixes is a council).
COUNCIL_PREFIXES = ("E06", "E08", "E09", "E10")
#: Everyday names of councils that the sources lack (DOMAIN.md's list and common short forms).
CURATED_ALIASES = {
    "E06000003": ("Redcar",),
    "E06000004": ("Stockton", "Stockton on Tees"),
    "E06000010": ("Hull", "Kingston upon Hull", "Kingston upon Hull City Council"),
    "E06000011": ("East Riding",),
    "E06000019": ("County of Herefordshire", "Herefordshire Council"),
    "E06000020": ("Telford & Wrekin", "Telford"),
    "E06000021": ("Stoke", "Stoke on Trent"),
    "E06000022": ("BANES", "B&NES", "Bath"),
    "E06000023": ("Bristol", "City of Bristol", "Bristol City"),
    "E06000033": ("Southend", "Southend on Sea"),
    "E06000040": ("Royal Borough of Windsor and Maidenhead", "RBWM", "Windsor & Maidenhead"),
    "E06000043": ("Brighton", "Brighton & Hove"),
    "E06000047": ("Durham", "Durham County"),
    "E06000053": ("Scilly",),
    "E06000058": ("BCP", "BCP Council", "Bournemouth Christchurch and Poole"),
    "E06000064": ("Westmorland & Furness",),
    "E08000013": ("St Helens", "Saint Helens"),
    "E08000021": ("Newcastle upon Tyne City Council",),
    "E09000001": ("Corporation of London",),
    "E09000020": ("RBKC", "Kensington & Chelsea"),
    "E09000033": ("City of Westminster", "Westminster City Council"),
}
#: Names that must never resolve to one council: (name, council codes, why).
CURATED_AMBIGUOUS = (
    ("Kingston", ("E09000021", "E06000010"), "Kingston upon Thames or Kingston upon Hull"),
    ("Newcastle", ("E08000021", "E10000028"),
     "Newcastle upon Tyne, or the district Newcastle-under-Lyme (E07000195) in Staffordshire"),
    ("Cheshire", ("E06000049", "E06000050"), "county split in 2009"),
    ("Bedfordshire", ("E06000055", "E06000056"), "county split in 2009"),
)


def read_csv(path: Path) -> pd.DataFrame:
    """Read a source CSV as strings (BOM dropped, empty cells as "")."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def check(condition: bool, message: str) -> None:
    """Raise ValueError with ``message`` unless ``condition`` holds."""
    if not condition:
        raise ValueError(message)


def build_councils(lookups: Path) -> pd.DataFrame:
    """Return the 153 councils: code, name, council_type, region_code, region_name."""
    source = read_csv(lookups / "ctyua23_england_councils.csv")
    councils = source.rename(columns={"CTYUA23CD": "code", "CTYUA23NM": "name",
                                      "RGN23CD": "region_code", "RGN23NM": "region_name"})
    councils = councils[["code", "name", "council_type", "region_code", "region_name"]]
    check(len(councils) == 153 and councils["code"].is_unique,
          f"ctyua23_england_councils.csv: expected 153 unique codes, got {len(councils)}")
    return councils.sort_values("code", ignore_index=True)


def build_regions(lookups: Path) -> pd.DataFrame:
    """Return the 9 ONS regions: code, name."""
    regions = read_csv(lookups / "rgn_all_codes.csv").rename(columns={"RGNCD": "code",
                                                                      "RGNNM": "name"})
    check(len(regions) == 9, f"rgn_all_codes.csv: expected 9 regions, got {len(regions)}")
    return regions[["code", "name"]].sort_values("code", ignore_index=True)


def _upper_tier(la: pd.DataFrame) -> dict[str, str]:
    """Map every LAD code of la_all_codes.csv to its 2023 upper-tier council code."""
    return {lad: CODES_2025_TO_2023.get(utla, utla) for lad, utla in zip(la["LADCD"], la["UTLACD"],
                                                                         strict=True)}


def _county_rows(old: pd.Series, ons: pd.DataFrame, members: set[str], la: pd.DataFrame,
                 names: dict[str, str]) -> list[dict]:
    """Rows for a terminated county: one per unitary formed wholly from its districts."""
    year = old["start"]
    merged = ons[(ons["type"] == "merger") & (ons["start"] == year)]
    successors = []
    for new_code, parts in merged.groupby("newcd", sort=True):
        if new_code in names and set(parts["oldcd"]) <= members:
            successors.append((new_code, sorted(parts["oldnm"])))
    check(bool(successors), f"ons_la_changes: no successor found for county {old['oldcd']}")
    kind = "split" if len(successors) > 1 else "county_to_unitary"
    upper, lad_names = _upper_tier(la), dict(zip(la["LADCD"], la["LADNM"], strict=True))
    elsewhere = sorted(f"{lad_names[lad]} ({lad}), now in {upper[lad]} {names[upper[lad]]}"
                       for lad in members if upper[lad] not in {code for code, _ in successors})
    rows = []
    for new_code, parts in successors:
        if kind == "split":
            note = "area of districts " + ", ".join(parts)
        else:
            note = "same area" if not elsewhere else "except " + "; ".join(elsewhere)
        rows.append({"old_code": old["oldcd"], "old_name": old["oldnm"], "new_code": new_code,
                     "new_name": names[new_code], "year": int(year), "kind": kind, "note": note})
    return rows


def build_code_changes(lookups: Path, councils: pd.DataFrame) -> pd.DataFrame:
    """Return every code change of an English council or district the map must translate."""
    names = dict(zip(councils["code"], councils["name"], strict=True))
    ons = read_csv(lookups / "ons_la_changes_2014_2025.csv")
    la = read_csv(lookups / "la_all_codes.csv")
    lt14 = read_csv(lookups / "ltla14_lookup.csv")
    lt22 = read_csv(lookups / "Lower_Tier_Local_Authority_to_Upper_Tier_Local_Authority_"
                              "(December_2022)_Lookup_in_England_and_Wales.csv")
    rows: list[dict] = []
    # new_geo rows are combined-authority memberships; S/W codes and E47 are not councils.
    local = ons[ons["oldcd"].str.match(r"E(0[6-9]|10)") & (ons["type"] != "new_geo")]
    for _, row in local.iterrows():
        year = int(row["start"])
        if row["type"] == "new_code":
            check(row["newcd"] in CODES_2025_TO_2023, f"ons_la_changes: unexpected recode {row}")
            rows.append({"old_code": row["newcd"], "old_name": row["newnm"],
                         "new_code": row["oldcd"], "new_name": names[row["oldcd"]], "year": year,
                         "kind": "recode", "note": "code-only change; the map keeps the 2023 code"})
        elif row["type"] == "merger":
            to_unitary = row["oldcd"].startswith("E07") and row["newcd"].startswith("E06")
            rows.append({"old_code": row["oldcd"], "old_name": row["oldnm"],
                         "new_code": row["newcd"], "new_name": row["newnm"], "year": year,
                         "kind": "district_to_unitary" if to_unitary else "merger", "note": ""})
        else:
            check(row["type"] == "termination", f"ons_la_changes: unexpected type {row['type']}")
            members = set(lt14.loc[lt14["ctycd"] == row["oldcd"], "ltlacd"])
            members |= set(lt22.loc[lt22["UTLA22CD"] == row["oldcd"], "LTLA22CD"])
            rows.extend(_county_rows(row, ons, members, la, names))
    covered = {r["old_code"] for r in rows} | set(CODES_2025_TO_2023.values())
    gone = la[(la["Current"] == "FALSE") & la["LADCD"].str.startswith("E")]
    for _, row in gone[~gone["LADCD"].isin(covered)].iterrows():
        check(row["LADCD"] in EARLIER_RECODE_YEARS and row["LADNM"] == row["LADNM_ACTIVE"],
              f"la_all_codes.csv: former code {row['LADCD']} {row['LADNM']} is not handled")
        rows.append({"old_code": row["LADCD"], "old_name": row["LADNM"],
                     "new_code": row["LADCD_ACTIVE"], "new_name": row["LADNM_ACTIVE"],
                     "year": EARLIER_RECODE_YEARS[row["LADCD"]], "kind": "recode",
                     "note": "boundary change"})
    changes = pd.DataFrame(rows).sort_values(["year", "old_code", "new_code"], ignore_index=True)
    final = changes[~changes["new_code"].isin(changes["old_code"])]
    check(all(c.startswith("E07") or c in names for c in final["new_code"]),
          "code_changes: a final successor is not one of the 153 councils")
    return changes


def _history(code: str, changes: pd.DataFrame) -> str:
    """Describe what became of a former district code, following the chain of changes."""
    steps, by_old = [], changes.set_index("old_code")
    while code in by_old.index:
        row = by_old.loc[code]
        code, name, year = row["new_code"], row["new_name"], row["year"]
        steps.append({"recode": f"recoded {year} to {code}",
                      "merger": f"merged {year} into {code} {name}",
                      "district_to_unitary": f"abolished {year}, area now wholly in {code} {name}",
                      }[row["kind"]])
    return "; ".join(steps)


def build_districts(lookups: Path, councils: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Return every English lower-tier district (current and former) with its 2023 council."""
    names = dict(zip(councils["code"], councils["name"], strict=True))
    la = read_csv(lookups / "la_all_codes.csv")
    upper = _upper_tier(la)
    lad24 = read_csv(lookups / "lad24_to_ctyua23_rgn23_england.csv")
    current = lad24[lad24["LAD24CD"].str.startswith("E07")]
    rows = [{"code": r.LAD24CD, "name": r.LAD24NM, "council_code": r.CTYUA23CD,
             "council_name": r.CTYUA23NM, "current": True, "note": ""}
            for r in current.itertuples(index=False)]
    for row in rows:
        check(upper.get(row["code"]) == row["council_code"],
              f"la_all_codes.csv and lad24 disagree on the council of {row['code']}")
    former = la[la["LADCD"].str.startswith("E07") & (la["Current"] == "FALSE")]
    rows += [{"code": r.LADCD, "name": r.LADNM, "council_code": upper[r.LADCD],
              "council_name": names[upper[r.LADCD]], "current": False,
              "note": _history(r.LADCD, changes)} for r in former.itertuples(index=False)]
    districts = pd.DataFrame(rows).sort_values("code", ignore_index=True)
    check(districts["code"].is_unique and districts["council_code"].isin(names).all(),
          "districts: duplicate code or council not among the 153")
    live = la[la["LADCD"].str.startswith("E07") & (la["Current"] == "TRUE")]
    check(set(live["LADCD"]) == set(current["LAD24CD"]), "la_all_codes and lad24 list other E07s")
    return districts


def _split_alt_names(text: str) -> list[str]:
    """Split mySociety ``alt-names``: names are joined by "," with no space after it."""
    return [part.strip() for part in re.split(r",(?! )", text) if part.strip()]


def build_aliases(lookups: Path, councils: pd.DataFrame, districts: pd.DataFrame,
                  changes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (aliases, ambiguous names): unambiguous alternative names of the 153 councils."""
    names = dict(zip(councils["code"], councils["name"], strict=True))
    society = read_csv(lookups / "mysociety_uk_local_authorities_current.csv")
    society["code"] = society["gss-code"].replace(CODES_2025_TO_2023)
    society = society[society["code"].isin(names)].sort_values("code")
    check(len(society) == 153, f"mySociety: expected the 153 councils, got {len(society)}")
    found = []
    columns = ["code", "official-name", "nice-name", "alt-names"]
    alts = []
    for code, official, nice, alt_names in society[columns].itertuples(index=False, name=None):
        found.append((code, official, "mysociety:official-name"))
        found.append((code, nice, "mysociety:nice-name"))
        alts += [(code, alt, "mysociety:alt-names") for alt in _split_alt_names(alt_names)]
    found += [(code, alias, "curated") for code, aliases in CURATED_ALIASES.items()
              for alias in aliases]
    # Of spellings differing only in case, keep the first: official, nice, curated, then
    # alt-names with capitals before all-lower-case ones.
    found += sorted(alts, key=lambda item: item[1].islower())
    # Which councils each simple key can mean: names, aliases, districts, former councils.
    means: dict[str, set[str]] = {}
    for code, text, _ in found:
        means.setdefault(simple_key(text), set()).add(code)
    for text, code in [*zip(councils["name"], councils["code"], strict=True),
                       *zip(districts["name"], districts["council_code"], strict=True),
                       *zip(changes["old_name"], changes["new_code"], strict=True)]:
        means.setdefault(simple_key(text), set()).add(code)
    curated = {simple_key(name) for name, _, _ in CURATED_AMBIGUOUS}
    aliases, seen, dropped = [], set(), {}
    for code, text, source in found:
        key = (code, " ".join(text.split()).casefold())
        if key in seen or key[1] == " ".join(names[code].split()).casefold():
            continue
        seen.add(key)
        if simple_key(text) in curated or len(means[simple_key(text)]) > 1:
            dropped.setdefault(simple_key(text), (text, means[simple_key(text)]))
            continue
        aliases.append({"code": code, "alias": " ".join(text.split()), "source": source})
    ambiguous = [{"name": name, "codes": ";".join(codes), "reason": why}
                 for name, codes, why in CURATED_AMBIGUOUS]
    ambiguous += [{"name": text, "codes": ";".join(sorted(codes)),
                   "reason": "alias or name of several councils"}
                  for key, (text, codes) in sorted(dropped.items()) if key not in curated]
    alias_frame = pd.DataFrame(aliases).sort_values(["code", "alias", "source"], ignore_index=True)
    return alias_frame, pd.DataFrame(ambiguous).sort_values("name", ignore_index=True)


def write(frame: pd.DataFrame, path: Path, eol: str = LF) -> None:
    """Write ``frame`` as UTF-8 CSV without index."""
    frame.to_csv(path, index=False, lineterminator=eol, encoding="utf-8")
    print(f"{path.name}: {len(frame)} rows")


def main(argv: list[str] | None = None) -> int:
    """Build every lookup file; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", type=Path, default=DEFAULT_SOURCE_DIR,
                        help="shared source data (read-only); default %(default)s")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help="where to write the lookups; default %(default)s")
    args = parser.parse_args(argv)
    lookups = args.source_dir / "lookups"
    args.out_dir.mkdir(parents=True, exist_ok=True)
    councils = build_councils(lookups)
    changes = build_code_changes(lookups, councils)
    districts = build_districts(lookups, councils, changes)
    aliases, ambiguous = build_aliases(lookups, councils, districts, changes)
    write(councils, args.out_dir / "councils.csv", CRLF)
    write(build_regions(lookups), args.out_dir / "regions.csv", CRLF)
    write(changes, args.out_dir / "code_changes.csv")
    write(districts, args.out_dir / "districts.csv")
    write(aliases, args.out_dir / "aliases.csv")
    write(ambiguous, args.out_dir / "ambiguous_names.csv")
    print(f"code changes by kind: {changes['kind'].value_counts().sort_index().to_dict()}")
    print(f"districts: {int(districts['current'].sum())} current, "
          f"{int((~districts['current']).sum())} former")
    print(f"aliases by source: {aliases['source'].value_counts().sort_index().to_dict()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
