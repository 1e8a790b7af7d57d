import ast
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sasci_map import context
from sasci_map.config import DEFAULT_DATA_DIR

CONTEXT = DEFAULT_DATA_DIR / "context"
NUMBERS = ["numerator", "denominator", "value", "lower", "upper"]
# Published ONS MYE2 England total, mid-2020.
ENGLAND_MID2020 = 56_550_138
SPLIT_SUCCESSORS = {
    "E06000063": "Cumbria (E10000006)",  # Cumberland
    "E06000064": "Cumbria (E10000006)",  # Westmorland and Furness
    "E06000061": "Northamptonshire (E10000021)",  # North Northamptonshire
    "E06000062": "Northamptonshire (E10000021)",  # West Northamptonshire
}
MARKERS_TEXT = "'[x]', '[c]', '[z]', '*', '..', ''"


def raw(name):
    """A shipped context file read as text, bypassing the loader."""
    return pd.read_csv(CONTEXT / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def values():
    return context.context_values(DEFAULT_DATA_DIR)


@pytest.fixture(scope="module")
def defs():
    return context.context_definitions(DEFAULT_DATA_DIR)


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of the bundled context and lookup data."""
    for folder in ("context", "lookups"):
        shutil.copytree(DEFAULT_DATA_DIR / folder, tmp_path / folder)
    return tmp_path


def one(values, indicator_id, area_code):
    row = values[(values["indicator_id"] == indicator_id) & (values["area_code"] == area_code)]
    assert len(row) == 1
    return row.iloc[0]


def rewrite(path, edit):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False)


def set_cell(path, row, column, text):
    """Overwrite one cell (0-based data row) of a CSV copy."""

    def edit(frame):
        frame.loc[row, column] = text

    rewrite(path, edit)


# --- registry -----------------------------------------------------------------------------


def test_registry_is_valid(defs):
    assert list(defs.columns) == list(context.REGISTRY_COLUMNS)
    assert defs["indicator_id"].is_unique
    assert set(defs["polarity"]) <= set(context.POLARITIES)
    assert set(defs["domain"]) == {"context"}
    assert set(defs["source"]) == {"ONS", "MHCLG IMD 2019", "NHS Digital ASCOF"}
    expected = {
        "pop_all_ages", "pop_18_plus", "pop_65_plus", "pop_85_plus", "pct_65_plus",
        "pct_85_plus", "imd_average_score", "imd_pct_lsoas_most_deprived_10pct", "imd_extent",
    }  # fmt: skip
    assert expected <= set(defs["indicator_id"])


def test_registry_has_every_ascof_total_measure(defs):
    measures = set(raw("ascof_2020_21.csv")["measure_code"])
    ascof = defs[defs["source"] == "NHS Digital ASCOF"]
    assert set(ascof["column_or_measure"]) == measures
    polarity = dict(zip(ascof["column_or_measure"], ascof["polarity"], strict=True))
    assert polarity["2A1"] == polarity["2A2"] == "lower_is_better"
    assert polarity["1A"] == "higher_is_better"
    unit = dict(zip(ascof["column_or_measure"], ascof["unit"], strict=True))
    assert unit["1A"] == "score" and unit["2A2"] == "per 100,000" and unit["1B"] == "%"


def test_registry_bad_polarity_names_file_row_column_value(data_copy):
    set_cell(data_copy / "context/indicators.csv", 0, "polarity", "up")
    expected = (
        "context/indicators.csv, row 1, column 'polarity': value 'up': "
        "expected one of ['higher_is_better', 'lower_is_better', 'neutral']"
    )
    with pytest.raises(ValueError, match=re.escape(expected)):
        context.context_definitions(data_copy)


def test_registry_duplicate_id(data_copy):
    def dup(frame):
        frame.loc[2, "indicator_id"] = frame.loc[0, "indicator_id"]

    rewrite(data_copy / "context/indicators.csv", dup)
    expected = (
        "context/indicators.csv, row 3, column 'indicator_id': value 'pop_all_ages': "
        "expected a unique id (row 1)"
    )
    with pytest.raises(ValueError, match=re.escape(expected)):
        context.context_definitions(data_copy)


def test_registry_unknown_measure(data_copy):
    def bad(frame):
        frame.loc[frame["column_or_measure"] == "1B", "column_or_measure"] = "9Z"

    rewrite(data_copy / "context/indicators.csv", bad)
    with pytest.raises(ValueError, match=r"column 'column_or_measure': value '9Z': expected a"):
        context.context_values(data_copy)


# --- shape and status rules ---------------------------------------------------------------


def test_exactly_153_councils_per_indicator(values, defs):
    councils = pd.read_csv(DEFAULT_DATA_DIR / "lookups/councils.csv", dtype=str)["code"]
    assert list(values.columns) == list(context.VALUE_COLUMNS)
    assert list(values["indicator_id"].unique()) == list(defs["indicator_id"])
    for _, group in values.groupby("indicator_id"):
        assert len(group) == 153
        assert sorted(group["area_code"]) == sorted(councils)
    assert set(values["area_level"]) == {"council"}
    assert set(values["status"]) == {context.STATUS_VALUE, context.STATUS_MISSING}


def test_non_value_rows_carry_no_numbers(values):
    missing = values[values["status"] != context.STATUS_VALUE]
    assert len(missing) > 0
    assert missing[NUMBERS].isna().all().all()
    assert missing["status_reason"].notna().all()
    present = values[values["status"] == context.STATUS_VALUE]
    assert present["value"].notna().all() and present["status_reason"].isna().all()
    assert values[["lower", "upper"]].isna().all().all()  # no source publishes intervals


@pytest.mark.parametrize(
    ("indicator_id", "area_code", "marker", "reason"),
    [
        ("ascof_2a2", "E09000012", "[x]", "publisher: not available [x]"),  # Hackney
        ("ascof_1f", "E06000017", "[c]", "publisher suppressed [c] (confidential)"),  # Rutland
        ("ascof_1h", "E09000001", "[c]", "publisher suppressed [c] (confidential)"),  # City
    ],
)
def test_publisher_marker_is_missing_with_reason(values, indicator_id, area_code, marker, reason):
    source = raw("ascof_2020_21.csv")
    code = indicator_id.removeprefix("ascof_").upper()
    cell = source[(source["ons_code"] == area_code) & (source["measure_code"] == code)]
    assert cell["value_raw"].tolist() == [marker]
    row = one(values, indicator_id, area_code)
    assert row["status"] == "missing" and row["status_reason"] == reason
    assert math.isnan(row["value"])


def test_markers_never_become_zero(values):
    source = raw("ascof_2020_21.csv")
    zeros = source[source["value_raw"].isin(["0", "0.0"])]
    ascof = values[values["source"] == "NHS Digital ASCOF"]
    # every zero in the output is a published zero, of a council that kept its code
    got = ascof[ascof["value"] == 0]
    assert len(got) == len(zeros[~zeros["ons_code"].isin(["E10000006", "E10000021"])])
    markers = source["value_raw"].isin(context.MARKER_REASONS)
    flagged = ascof["status_reason"].str.startswith("publisher", na=False)
    split = source["ons_code"].isin(["E10000006", "E10000021"])
    assert flagged.sum() == (markers & ~split).sum()


# --- geography ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new_code", "old_code"),
    [("E06000065", "E10000023"), ("E06000066", "E10000027"), ("E06000060", "E10000002")],
)
def test_same_area_recode_carries_the_source_value(values, new_code, old_code):
    imd = raw("imd2019_utla.csv").set_index("utla19_code")
    assert new_code not in imd.index
    row = one(values, "imd_average_score", new_code)
    assert row["status"] == "value"
    assert row["value"] == float(imd.loc[old_code, "imd_average_score"])
    extent = one(values, "imd_extent", new_code)["value"]
    assert extent == pytest.approx(float(imd.loc[old_code, "imd_extent"]) * 100)


def test_north_yorkshire_ascof_from_county_row(values):
    source = raw("ascof_2020_21.csv")
    cell = source[(source["ons_code"] == "E10000023") & (source["measure_code"] == "2A2")]
    assert one(values, "ascof_2a2", "E06000065")["value"] == float(cell["value_raw"].iloc[0])


@pytest.mark.parametrize("area_code", sorted(SPLIT_SUCCESSORS))
def test_split_successors_missing_with_boundary_reason(values, area_code):
    parent = SPLIT_SUCCESSORS[area_code]
    for indicator_id, label in [
        ("imd_average_score", "MHCLG IMD 2019"),
        ("ascof_2d", "NHS Digital ASCOF 2020-21"),
    ]:
        row = one(values, indicator_id, area_code)
        assert row["status"] == "missing"
        assert row["status_reason"] == (f"boundary change: {label} predates the split of {parent}")
        assert np.isnan(row[NUMBERS].astype(float)).all()
    assert one(values, "pop_all_ages", area_code)["status"] == "value"  # built on 2023 areas


def test_council_absent_from_source_is_not_in_source(data_copy):
    path = data_copy / "context/imd2019_utla.csv"
    raw("imd2019_utla.csv").iloc[1:].to_csv(path, index=False)  # Hartlepool dropped
    row = one(context.context_values(data_copy), "imd_average_score", "E06000001")
    assert (row["status"], row["status_reason"]) == ("missing", "not in source")


def test_2025_codes_recoded_to_2023(data_copy):
    def recode(frame):
        frame.loc[frame["utla19_code"] == "E08000016", "utla19_code"] = "E08000038"

    rewrite(data_copy / "context/imd2019_utla.csv", recode)
    imd = raw("imd2019_utla.csv").set_index("utla19_code")
    row = one(context.context_values(data_copy), "imd_average_score", "E08000016")
    assert row["value"] == float(imd.loc["E08000016", "imd_average_score"])


def test_unknown_source_code_raises(data_copy):
    set_cell(data_copy / "context/imd2019_utla.csv", 4, "utla19_code", "X1")
    expected = "context/imd2019_utla.csv, row 5, column 'utla19_code': value 'X1': expected a"
    with pytest.raises(ValueError, match=re.escape(expected)):
        context.context_values(data_copy)


# --- population ---------------------------------------------------------------------------


def test_england_population_total(values):
    pop = values[values["indicator_id"] == "pop_all_ages"]
    assert (pop["status"] == "value").all()
    assert pop["value"].sum() == ENGLAND_MID2020


def test_percent_65_plus_hartlepool(values):
    row = one(values, "pct_65_plus", "E06000001")
    assert row["numerator"] == 18371 and row["denominator"] == 93836
    assert row["value"] == pytest.approx(18371 / 93836 * 100)


# --- loud errors --------------------------------------------------------------------------


def test_bad_ascof_value_raises_exact_message(data_copy):
    source = raw("ascof_2020_21.csv")
    idx = source.index[(source["ons_code"] == "E09000012") & (source["measure_code"] == "2A2")][0]
    set_cell(data_copy / "context/ascof_2020_21.csv", idx, "value_raw", "n/a")
    expected = (
        f"context/ascof_2020_21.csv, row {idx + 1}, column 'value_raw': value 'n/a': "
        f"expected a number or one of the publisher markers {MARKERS_TEXT}"
    )
    with pytest.raises(ValueError, match=re.escape(expected)):
        context.context_values(data_copy)


@pytest.mark.parametrize("bad", ["12,3", "nan", "inf", "x"])
def test_bad_population_value_raises(data_copy, bad):
    set_cell(data_copy / "context/population_mid2020.csv", 2, "aged_65_plus", bad)
    expected = (
        f"context/population_mid2020.csv, row 3, column 'aged_65_plus': value {bad!r}: "
        f"expected a number or one of the publisher markers {MARKERS_TEXT}"
    )
    with pytest.raises(ValueError, match=re.escape(expected)):
        context.context_values(data_copy)


def test_population_marker_missing_in_ratio(data_copy):
    set_cell(data_copy / "context/population_mid2020.csv", 0, "all_ages", "..")
    values = context.context_values(data_copy)
    row = one(values, "pct_65_plus", "E06000001")
    assert (row["status"], row["status_reason"]) == ("missing", "publisher: not available ..")
    assert np.isnan(row[NUMBERS].astype(float)).all()


# --- datasets and module hygiene ----------------------------------------------------------


def test_datasets_describe_each_source(defs):
    datasets = context.context_datasets()
    assert {d["source"] for d in datasets} == set(defs["source"])
    for d in datasets:
        assert set(d) == {"source", "title", "vintage", "licence", "publisher", "file"}
        assert d["licence"] == "Open Government Licence v3.0"
        assert (DEFAULT_DATA_DIR / d["file"]).is_file()
    assert context.context_datasets() is not context.context_datasets()


def test_library_module_has_no_dash_import():
    tree = ast.parse(Path(context.__file__).read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    assert not any(name.split(".")[0] == "dash" for name in names)
