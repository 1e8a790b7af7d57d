import math
import shutil

import numpy as np
import pandas as pd
import pytest

from sasci_map import neighbours as nb
from sasci_map.config import DEFAULT_DATA_DIR
from sasci_map.context import context_values
from sasci_map.geography import councils

CAMDEN, KENT = "E09000007", "E10000016"
# Created in 2021 (Northamptonshire) and 2023 (Cumbria): IMD 2019 predates them.
NEW_COUNCILS = ["E06000061", "E06000062", "E06000063", "E06000064"]
IMD_FEATURES = "imd_average_score, imd_extent"


@pytest.fixture(scope="module")
def lookup():
    return councils(DEFAULT_DATA_DIR).set_index("code")


@pytest.fixture(scope="module")
def table():
    return nb.statistical_neighbours(data_dir=DEFAULT_DATA_DIR)


@pytest.fixture(scope="module")
def features():
    return nb.neighbour_features(DEFAULT_DATA_DIR)


def copy_data(tmp_path):
    """The files the neighbours read (lookups and context), copied to a folder a test can edit."""
    for folder in ("lookups", "context"):
        shutil.copytree(DEFAULT_DATA_DIR / folder, tmp_path / folder)
    return tmp_path


def test_default_features_cover_need_deprivation_scale_and_type():
    assert set(nb.DEFAULT_FEATURES) == {*nb.NUMERIC_FEATURES, "council_type"}
    assert all(w > 0 for w in nb.DEFAULT_FEATURES.values())
    assert "CIPFA" in nb.METHOD_TEXT and "NHS England" in nb.METHOD_TEXT
    assert "CIPFA" in nb.__doc__ and "county they were split from" in nb.__doc__


@pytest.mark.parametrize("k", [1, 15, 152])
def test_every_council_gets_exactly_k_other_councils(k, lookup):
    table = nb.statistical_neighbours(k=k, data_dir=DEFAULT_DATA_DIR)
    assert list(table.columns) == ["council_code", "rank", "neighbour_code", "distance"]
    assert len(table) == 153 * k
    assert (table.groupby("council_code").size() == k).all()
    assert set(table["council_code"]) == set(lookup.index)
    assert table["neighbour_code"].isin(lookup.index).all()
    assert not (table["council_code"] == table["neighbour_code"]).any()
    assert not table.duplicated(["council_code", "neighbour_code"]).any()
    assert list(table["rank"]) == list(range(1, k + 1)) * 153
    assert table["council_code"].is_monotonic_increasing


def test_distances_ascend_within_each_council(table):
    steps = table.groupby("council_code")["distance"].diff().dropna()
    assert (steps >= 0).all()
    assert (table["distance"] > 0).all()


def test_distance_is_symmetric():
    full = nb.statistical_neighbours(k=152, data_dir=DEFAULT_DATA_DIR)
    matrix = full.pivot(index="council_code", columns="neighbour_code", values="distance")
    np.testing.assert_allclose(matrix.to_numpy(), matrix.T.to_numpy(), equal_nan=True)


def test_deterministic_and_cached_results_are_copies(table):
    again = nb.statistical_neighbours(data_dir=DEFAULT_DATA_DIR)
    pd.testing.assert_frame_equal(table, again)
    again.loc[0, "neighbour_code"] = "changed"
    pd.testing.assert_frame_equal(table, nb.statistical_neighbours(data_dir=DEFAULT_DATA_DIR))


def test_features_are_z_scores_and_one_hot_types(features, lookup):
    assert list(features.index) == sorted(lookup.index)
    numeric = features[list(nb.NUMERIC_FEATURES)]
    np.testing.assert_allclose(numeric.mean(), 0, atol=1e-12)
    np.testing.assert_allclose(numeric.std(ddof=0), 1)
    onehot = features[list(nb.TYPE_COLUMNS.values())]
    assert (onehot.sum(axis=1) == 1).all()
    types = onehot.idxmax(axis=1).map({c: t for t, c in nb.TYPE_COLUMNS.items()})
    assert (types == lookup["council_type"]).all()


def test_imputed_cells_flagged_for_the_four_new_councils(features, lookup):
    flagged = features.index[features["imputed"] != ""]
    assert list(flagged) == NEW_COUNCILS
    assert (features.loc[NEW_COUNCILS, "imputed"] == IMD_FEATURES).all()
    # The split councils take their parent county's published 2019 score (read independently).
    raw = pd.read_csv(DEFAULT_DATA_DIR / "context" / "imd2019_utla.csv").set_index("utla19_code")
    imd = imd_raw(lookup)
    z = features["imd_average_score"]
    for code, parent in (("E06000063", "E10000006"), ("E06000064", "E10000006"),
                         ("E06000061", "E10000021"), ("E06000062", "E10000021")):
        expected = (raw.at[parent, "imd_average_score"] - imd.mean()) / imd.std(ddof=0)
        assert z[code] == pytest.approx(expected)


def imd_raw(lookup):
    """IMD 2019 average score of the 153 councils, split councils given their parent's value."""
    raw = pd.read_csv(DEFAULT_DATA_DIR / "context" / "imd2019_utla.csv").set_index("utla19_code")
    values = context_values(DEFAULT_DATA_DIR)
    imd = values[values["indicator_id"] == "imd_average_score"].set_index("area_code")["value"]
    imd = imd.reindex(lookup.index)
    for parent, children in (("E10000006", ["E06000063", "E06000064"]),
                             ("E10000021", ["E06000061", "E06000062"])):
        imd[children] = raw.at[parent, "imd_average_score"]
    return imd


def imd_only_expected(lookup, weight):
    """Neighbours on IMD score alone, computed independently from the raw published values."""
    imd = imd_raw(lookup)
    z = (imd - imd.mean()) / imd.std(ddof=0)
    rows = []
    for code in lookup.index:
        gap = (z.drop(code) - z[code]).abs() * math.sqrt(weight)
        ranked = gap.round(nb.DISTANCE_DECIMALS).rename("distance").rename_axis("neighbour_code")
        ranked = ranked.reset_index().sort_values(["distance", "neighbour_code"]).head(15)
        rows.append(ranked.assign(council_code=code, rank=range(1, 16)))
    expected = pd.concat(rows, ignore_index=True)
    return expected[["council_code", "rank", "neighbour_code", "distance"]]


def test_imd_only_weights_rank_by_imd_difference(lookup, table):
    got = nb.statistical_neighbours(weights={"imd_average_score": 4}, data_dir=DEFAULT_DATA_DIR)
    expected = imd_only_expected(lookup, weight=4)
    assert list(got["neighbour_code"]) == list(expected["neighbour_code"])
    np.testing.assert_allclose(got["distance"], expected["distance"], atol=1e-9)
    camden = got[got["council_code"] == CAMDEN]["neighbour_code"]
    assert list(camden) != list(table[table["council_code"] == CAMDEN]["neighbour_code"])


def test_type_only_weights_tie_and_break_ties_by_code(lookup):
    got = nb.neighbours_of(KENT, k=15, weights={"council_type": 1}, data_dir=DEFAULT_DATA_DIR)
    counties = sorted(lookup.index[lookup["council_type"] == "County council"].drop(KENT))
    assert list(got["neighbour_code"]) == counties[:15]
    assert (got["distance"] == 0).all()


def test_zero_weight_makes_a_feature_irrelevant(tmp_path):
    data = copy_data(tmp_path)
    imd_file = data / "context" / "imd2019_utla.csv"
    imd = pd.read_csv(imd_file, dtype=str, keep_default_na=False)
    imd["imd_extent"] = imd["imd_extent"].to_numpy()[::-1]  # scramble one feature
    imd.to_csv(imd_file, index=False)
    no_extent = {**nb.DEFAULT_FEATURES, "imd_extent": 0}
    pd.testing.assert_frame_equal(
        nb.statistical_neighbours(weights=no_extent, data_dir=data),
        nb.statistical_neighbours(weights=no_extent, data_dir=DEFAULT_DATA_DIR),
    )
    scrambled = nb.statistical_neighbours(data_dir=data)
    assert not scrambled.equals(nb.statistical_neighbours(data_dir=DEFAULT_DATA_DIR))


def test_left_out_features_weigh_zero():
    partial = {"log_pop_18_plus": 1, "imd_average_score": 2}
    explicit = dict.fromkeys(nb.DEFAULT_FEATURES, 0) | partial
    pd.testing.assert_frame_equal(
        nb.statistical_neighbours(weights=partial, data_dir=DEFAULT_DATA_DIR),
        nb.statistical_neighbours(weights=explicit, data_dir=DEFAULT_DATA_DIR),
    )


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"density": 1}, "unknown feature(s) ['density'] in weights; expected some of"),
        ({"imd_extent": -1}, "weight of feature 'imd_extent' is -1; expected a finite number >= 0"),
        ({"pct_65_plus": math.nan}, "weight of feature 'pct_65_plus' is nan; expected a finite"),
        ({"pct_65_plus": "2"}, "weight of feature 'pct_65_plus' is '2'; expected a finite"),
        ({"pct_65_plus": 0, "imd_extent": 0.0}, "all weights are zero ({'pct_65_plus': 0, "),
        ({}, "all weights are zero ({}); expected at least one positive weight"),
    ],
)
def test_invalid_weights_raise_naming_them(weights, message):
    with pytest.raises(ValueError) as info:
        nb.statistical_neighbours(weights=weights, data_dir=DEFAULT_DATA_DIR)
    assert message in str(info.value)


@pytest.mark.parametrize("k", [0, 153, -1, 1.5, True])
def test_k_out_of_range_raises(k):
    message = f"k={k!r}; expected an integer from 1 to 152 (the other councils)"
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        nb.statistical_neighbours(k=k, data_dir=DEFAULT_DATA_DIR)


def test_neighbours_of_one_council(table):
    camden = nb.neighbours_of(CAMDEN, data_dir=DEFAULT_DATA_DIR)
    expected = table[table["council_code"] == CAMDEN].reset_index(drop=True)
    pd.testing.assert_frame_equal(camden, expected)
    assert len(nb.neighbours_of(CAMDEN, k=3, data_dir=DEFAULT_DATA_DIR)) == 3


def test_neighbours_of_unknown_code_raises():
    with pytest.raises(ValueError, match="unknown council code 'E09999999'; expected one of"):
        nb.neighbours_of("E09999999", data_dir=DEFAULT_DATA_DIR)


def test_a_commissioner_would_recognise_the_neighbours(table, lookup):
    types = table.assign(kind=table["neighbour_code"].map(lookup["council_type"]))
    camden = types[types["council_code"] == CAMDEN]["kind"]
    kent = types[types["council_code"] == KENT]["kind"]
    assert (camden == "London borough").sum() >= 10
    assert (kent == "County council").sum() >= 10
    # Westminster, Camden's inner-London neighbour, is its closest statistical neighbour too.
    assert types[types["council_code"] == CAMDEN]["neighbour_code"].iloc[0] == "E09000033"
