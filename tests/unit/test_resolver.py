"""Council resolver: names, aliases, old codes, districts, ambiguity and junk."""

import csv
import importlib.util
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sasci_map.config import DEFAULT_DATA_DIR, REPO_ROOT
from sasci_map.resolver import (
    ALIAS,
    AMBIGUOUS,
    COLUMNS,
    DISTRICT,
    EXACT,
    RECODED,
    UNKNOWN,
    Resolution,
    name_key,
    resolve_council,
    resolve_councils,
    resolve_councils_csv,
    simple_key,
    suggest_councils,
)

LOOKUPS = DEFAULT_DATA_DIR / "lookups"


@pytest.fixture(scope="module")
def data_dir():
    return DEFAULT_DATA_DIR


def _lookup(name):
    return pd.read_csv(LOOKUPS / name, dtype=str, keep_default_na=False)


CASES = [
    # exact: 2023 code or official name, any case / spacing
    ("E06000065", "E06000065", EXACT),
    ("  e06000065 ", "E06000065", EXACT),
    ("North Yorkshire", "E06000065", EXACT),
    ("Somerset", "E06000066", EXACT),
    ("Dorset", "E06000059", EXACT),
    ("Buckinghamshire", "E06000060", EXACT),
    ("Barnsley", "E08000016", EXACT),
    ("E08000016", "E08000016", EXACT),
    ("Bristol, City of", "E06000023", EXACT),
    ("kingston upon hull, city of", "E06000010", EXACT),
    ("St. Helens", "E08000013", EXACT),
    ("County Durham", "E06000047", EXACT),
    ("Westminster", "E09000033", EXACT),
    ("Windsor and Maidenhead", "E06000040", EXACT),
    ("Kingston upon Thames", "E09000021", EXACT),
    ("City of London", "E09000001", EXACT),
    ("Newcastle upon Tyne", "E08000021", EXACT),
    # alias: normalised spelling or a listed alternative name
    ("Durham", "E06000047", ALIAS),
    ("Durham County Council", "E06000047", ALIAS),
    ("Bristol", "E06000023", ALIAS),
    ("City of Bristol", "E06000023", ALIAS),
    ("Hull", "E06000010", ALIAS),
    ("Kingston upon Hull", "E06000010", ALIAS),
    ("Kingston upon Hull City Council", "E06000010", ALIAS),
    ("Herefordshire", "E06000019", ALIAS),
    ("County of Herefordshire", "E06000019", ALIAS),
    ("St Helens", "E08000013", ALIAS),
    ("Saint Helens", "E08000013", ALIAS),
    ("Telford & Wrekin", "E06000020", ALIAS),
    ("Southend", "E06000033", ALIAS),
    ("Southend on Sea", "E06000033", ALIAS),
    ("BCP", "E06000058", ALIAS),
    ("Bournemouth Christchurch & Poole", "E06000058", ALIAS),
    ("Royal Borough of Windsor and Maidenhead", "E06000040", ALIAS),
    ("City of Westminster", "E09000033", ALIAS),
    ("Royal Borough of Kingston upon Thames", "E09000021", ALIAS),
    ("London Borough of Barnet", "E09000003", ALIAS),
    ("Barnsley Metropolitan Borough Council", "E08000016", ALIAS),
    ("Leicester City Council", "E06000016", ALIAS),
    ("Newcastle City Council", "E08000021", ALIAS),
    ("Stoke-on-Trent City Council", "E06000021", ALIAS),
    ("City of London Corporation", "E09000001", ALIAS),
    # recoded: former council codes and names
    ("E10000023", "E06000065", RECODED),
    ("North Yorkshire County Council", "E06000065", RECODED),
    ("E10000027", "E06000066", RECODED),
    ("E10000009", "E06000059", RECODED),
    ("E10000002", "E06000060", RECODED),
    ("E06000028", "E06000058", RECODED),
    ("Bournemouth", "E06000058", RECODED),
    ("Poole", "E06000058", RECODED),
    ("E08000038", "E08000016", RECODED),
    ("E08000039", "E08000019", RECODED),
    ("E08000020", "E08000037", RECODED),
    ("E06000048", "E06000057", RECODED),
    # district: lower-tier districts, current and former
    ("Cambridge", "E10000003", DISTRICT),
    ("E07000008", "E10000003", DISTRICT),
    ("Allerdale", "E06000063", DISTRICT),
    ("Eden", "E06000064", DISTRICT),
    ("Harrogate", "E06000065", DISTRICT),
    ("Christchurch", "E06000058", DISTRICT),
    ("Aylesbury Vale", "E06000060", DISTRICT),
    ("Kettering", "E06000061", DISTRICT),
    ("Mendip", "E06000066", DISTRICT),
    ("Craven", "E06000065", DISTRICT),
    ("Newcastle-under-Lyme", "E10000028", DISTRICT),
    ("E07000100", "E10000015", DISTRICT),
    ("Taunton Deane", "E06000066", DISTRICT),
    # ambiguous: splits and names of several councils
    ("Cumbria", "", AMBIGUOUS),
    ("E10000006", "", AMBIGUOUS),
    ("Cumbria County Council", "", AMBIGUOUS),
    ("Northamptonshire", "", AMBIGUOUS),
    ("E10000021", "", AMBIGUOUS),
    ("Kingston", "", AMBIGUOUS),
    ("kingston ", "", AMBIGUOUS),
    ("Newcastle", "", AMBIGUOUS),
    ("Cheshire", "", AMBIGUOUS),
    # unknown: junk, other nations, other kinds of area
    ("", "", UNKNOWN),
    ("   ", "", UNKNOWN),
    ("!!!", "", UNKNOWN),
    ("asdfgh", "", UNKNOWN),
    ("London", "", UNKNOWN),
    ("W06000001", "", UNKNOWN),
    ("S12000015", "", UNKNOWN),
    ("E12000001", "", UNKNOWN),
    ("E06000099", "", UNKNOWN),
    ("Barnett", "", UNKNOWN),
]


@pytest.mark.parametrize(("value", "code", "status"), CASES)
def test_awkward_inputs(data_dir, value, code, status):
    found = resolve_council(value, data_dir)
    assert (found.code, found.status) == (code, status), found.note
    assert found.input == value
    if code:
        assert found.name == _lookup("councils.csv").set_index("code").loc[code, "name"]
    else:
        assert found.name == ""


@pytest.mark.parametrize(("value", "codes"), [
    ("Cumbria", ["E06000063", "E06000064"]),
    ("E10000021", ["E06000061", "E06000062"]),
    ("Kingston", ["E09000021", "E06000010"]),
    ("Newcastle", ["E08000021", "E10000028"]),
])
def test_ambiguous_notes_list_every_candidate(data_dir, value, codes):
    note = resolve_council(value, data_dir).note
    names = _lookup("councils.csv").set_index("code")["name"]
    for code in codes:
        assert f"{code} {names[code]}" in note


def test_notes_say_how(data_dir):
    assert resolve_council("Hull", data_dir).note == "matched alias 'Hull'"
    assert "2025" in resolve_council("E08000038", data_dir).note
    assert "E10000023" in resolve_council("E10000023", data_dir).note
    assert "Allerdale" in resolve_council("Allerdale", data_dir).note
    assert "Christchurch" in resolve_council("E10000009", data_dir).note
    assert resolve_council("W06000001", data_dir).note == (
        "not an English council (W06000001 is a Welsh code)")
    assert resolve_council("", data_dir).note == "empty input"


def test_unknown_note_suggests_names_never_a_code(data_dir):
    found = resolve_council("Sheffeld", data_dir)
    assert (found.code, found.status) == ("", UNKNOWN)
    assert "Sheffield" in found.note


def test_very_long_input_is_unknown(data_dir):
    found = resolve_council("x" * 10_000, data_dir)
    assert (found.code, found.status) == ("", UNKNOWN)
    assert "too long" in found.note


def test_none_and_nan_count_as_empty(data_dir):
    frame = resolve_councils([None, float("nan")], data_dir)
    assert frame["status"].tolist() == [UNKNOWN, UNKNOWN]
    assert frame["input"].tolist() == ["", ""]


@pytest.mark.parametrize("value", ["\x00", "é", "E0600006", "E06000065E06000065", "%s", "{how}",
                                   "Royal Borough of", "Council", "City of", "; DROP TABLE x"])
def test_never_raises(data_dir, value):
    assert isinstance(resolve_council(value, data_dir), Resolution)


def test_resolve_councils_keeps_order_and_duplicates(data_dir):
    values = ["Hull", "asdfgh", "Hull", "E10000023", "Cumbria", "Hull"]
    frame = resolve_councils(values, data_dir)
    assert list(frame.columns) == list(COLUMNS) == ["input", "code", "name", "status", "note"]
    assert frame["input"].tolist() == values
    assert frame["code"].tolist() == ["E06000010", "", "E06000010", "E06000065", "", "E06000010"]


def test_resolve_councils_of_nothing_has_the_columns(data_dir):
    frame = resolve_councils([], data_dir)
    assert list(frame.columns) == list(COLUMNS) and frame.empty


def test_csv_export(data_dir):
    text = resolve_councils_csv(["Hull", "Kingston"], data_dir)
    assert text.splitlines()[0] == "input,code,name,status,note"
    assert "\r" not in text and text.endswith("\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0] == {"input": "Hull", "code": "E06000010", "name": "Kingston upon Hull, City of",
                       "status": ALIAS, "note": "matched alias 'Hull'"}
    assert (rows[1]["code"], rows[1]["status"]) == ("", AMBIGUOUS)


def test_default_data_dir_comes_from_settings(monkeypatch):
    monkeypatch.delenv("SASCI_DATA_DIR", raising=False)
    assert resolve_council("Hull").code == "E06000010"


def test_every_council_code_and_name_is_exact(data_dir):
    councils = _lookup("councils.csv")
    assert len(councils) == 153
    for code, name in zip(councils["code"], councils["name"], strict=True):
        assert resolve_council(code, data_dir) == Resolution(code, code, name, EXACT, "")
        assert resolve_council(name, data_dir) == Resolution(name, code, name, EXACT, "")


def test_every_district_resolves_to_its_council(data_dir):
    districts = _lookup("districts.csv")
    for row in districts.itertuples(index=False):
        for value in (row.code, row.name):
            found = resolve_council(value, data_dir)
            assert (found.code, found.status) == (row.council_code, DISTRICT), value


def test_every_old_code_resolves(data_dir):
    changes = _lookup("code_changes.csv")
    districts = _lookup("districts.csv").set_index("code")
    for row in changes.itertuples(index=False):
        found = resolve_council(row.old_code, data_dir)
        if row.old_code in districts.index:
            assert (found.status, found.code) == (DISTRICT, districts.loc[row.old_code,
                                                                          "council_code"])
        elif row.kind == "split":
            assert found.status == AMBIGUOUS and row.new_code in found.note
        else:
            assert (found.status, found.code) == (RECODED, row.new_code), row.old_code


def test_aliases_are_unambiguous_and_never_bare_kingston():
    aliases = _lookup("aliases.csv")
    assert set(aliases["code"]) <= set(_lookup("councils.csv")["code"])
    assert "kingston" not in {simple_key(a) for a in aliases["alias"]}
    for name in _lookup("ambiguous_names.csv")["name"]:
        assert simple_key(name) not in {simple_key(a) for a in aliases["alias"]}


def test_every_alias_resolves_to_its_council(data_dir):
    for row in _lookup("aliases.csv").itertuples(index=False):
        found = resolve_council(row.alias, data_dir)
        assert (found.code, found.status) in {(row.code, ALIAS), (row.code, EXACT),
                                              (row.code, RECODED)}, row.alias


@pytest.mark.parametrize(("text", "key"), [
    ("Kingston upon Hull, City of", "kingston upon hull"),
    ("Kingston-upon-Hull City Council", "kingston upon hull"),
    ("Herefordshire, County of", "herefordshire"),
    ("London Borough of Hammersmith & Fulham", "hammersmith and fulham"),
    ("Barnsley Metropolitan Borough Council", "barnsley"),
    ("City of London", "city of london"),
    ("City of London Corporation", "city of london"),
    ("St. Helens", "st helens"),
    ("County Durham", "durham"),
])
def test_name_key(text, key):
    assert name_key(text) == key


def test_suggestions(data_dir):
    assert suggest_councils("Kingston", data_dir=data_dir)[:2] == [
        ("E06000010", "Kingston upon Hull, City of"), ("E09000021", "Kingston upon Thames")]
    assert suggest_councils("Sheffeld", 1, data_dir) == [("E08000019", "Sheffield")]
    assert ("E10000003", "Cambridgeshire") in suggest_councils("camb", data_dir=data_dir)
    assert suggest_councils("", data_dir=data_dir) == []
    assert suggest_councils("qqqqqqqq", data_dir=data_dir) == []
    assert suggest_councils("x" * 10_000, data_dir=data_dir) == []


def test_missing_lookup_file_is_named(tmp_path):
    (tmp_path / "lookups").mkdir()
    with pytest.raises(FileNotFoundError, match=r"councils\.csv: lookup file not found"):
        resolve_council("Hull", tmp_path)


def test_wrong_columns_are_named(tmp_path):
    shutil.copytree(LOOKUPS, tmp_path / "lookups")
    (tmp_path / "lookups" / "aliases.csv").write_text("code,name\nE06000010,Hull\n")
    with pytest.raises(ValueError, match=r"aliases\.csv: expected columns \['code', 'alias'"):
        resolve_council("Hull", tmp_path)


SOURCE_DIR = REPO_ROOT.parent / "shared" / "data"


@pytest.mark.skipif(not SOURCE_DIR.is_dir(), reason="shared source data not present")
def test_builder_reproduces_the_shipped_lookups(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location(
        "build_lookups", REPO_ROOT / "scripts" / "build_lookups.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--source-dir", str(SOURCE_DIR), "--out-dir", str(tmp_path)]) == 0
    for path in sorted(Path(tmp_path).glob("*.csv")):
        assert path.read_bytes() == (LOOKUPS / path.name).read_bytes(), path.name
    assert "councils.csv: 153 rows" in capsys.readouterr().out
