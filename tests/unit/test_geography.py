"""Councils, regions and boundaries load, validate and cache as sasci_map.geography promises."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from sasci_map import geography
from sasci_map.config import DEFAULT_DATA_DIR
from sasci_map.errors import DataValidationError

MAX_COUNCILS_BYTES = 250_000


@pytest.fixture(scope="module")
def data_dir() -> Path:
    return DEFAULT_DATA_DIR


@pytest.fixture
def tmp_data_dir(tmp_path: Path) -> Path:
    """A private copy of the bundled lookups and boundaries, safe to break."""
    target = tmp_path / "data"
    for folder in ("lookups", "boundaries"):
        shutil.copytree(DEFAULT_DATA_DIR / folder, target / folder)
    return target


def test_councils_has_153_sorted_rows(data_dir):
    frame = geography.councils(data_dir)
    assert len(frame) == geography.N_COUNCILS == 153
    assert list(frame.columns) == ["code", "name", "council_type", "region_code", "region_name"]
    assert frame["code"].is_unique
    assert list(frame["code"]) == sorted(frame["code"])


def test_council_type_counts(data_dir):
    frame = geography.councils(data_dir)
    assert frame["code"].str[:3].value_counts().to_dict() == {
        "E06": 63, "E08": 36, "E09": 33, "E10": 21,
    }
    assert frame["council_type"].value_counts().to_dict() == {
        geography.UNITARY: 63, geography.METROPOLITAN: 36,
        geography.LONDON_BOROUGH: 33, geography.COUNTY: 21,
    }


def test_regions_and_every_council_in_one(data_dir):
    regs = geography.regions(data_dir)
    assert len(regs) == geography.N_REGIONS == 9
    assert list(regs.columns) == ["code", "name"]
    assert set(geography.councils(data_dir)["region_code"]) == set(regs["code"])


def test_boundaries_valid_and_complete(data_dir):
    gdf = geography.boundaries(data_dir)
    assert len(gdf) == 153
    assert gdf.crs.equals(geography.CRS_WEB)
    assert list(gdf.columns) == [
        "code", "name", "council_type", "region_code", "region_name", "geometry",
    ]
    geoms = gdf.geometry.values
    assert shapely.is_valid(geoms).all()
    assert not shapely.is_empty(geoms).any()
    assert shapely.coverage_is_valid(geoms)
    assert list(gdf["code"]) == list(geography.councils(data_dir)["code"])


def test_region_boundaries_valid_and_complete(data_dir):
    gdf = geography.region_boundaries(data_dir)
    assert list(gdf["code"]) == list(geography.regions(data_dir)["code"])
    assert gdf.crs.equals(geography.CRS_WEB)
    assert shapely.is_valid(gdf.geometry.values).all()
    assert shapely.coverage_is_valid(gdf.geometry.values)


def test_boundaries_file_is_small(data_dir):
    path = geography.boundaries_path(data_dir)
    assert path == (data_dir / "boundaries" / "councils.geojson").resolve()
    assert path.stat().st_size < MAX_COUNCILS_BYTES


@pytest.mark.parametrize("loader", [geography.boundaries, geography.region_boundaries])
def test_outer_rings_are_clockwise(data_dir, loader):
    # plotly's go.Choropleth fills the whole globe around a counter-clockwise outer ring.
    parts = shapely.get_parts(loader(data_dir).geometry.values)
    assert not shapely.is_ccw(shapely.get_exterior_ring(parts)).any()


@pytest.mark.parametrize("code", ["E06000053", "E09000001"])  # Isles of Scilly, City of London
def test_small_councils_survive(data_dir, code):
    gdf = geography.boundaries(data_dir).set_index("code")
    assert code in gdf.index
    geom = gdf.loc[code, "geometry"]
    assert not geom.is_empty and geom.area > 0


def test_isles_of_scilly_keep_their_islands(data_dir):
    geom = geography.boundaries(data_dir).set_index("code").loc["E06000053", "geometry"]
    assert shapely.get_num_geometries(geom) == 9  # as many islands as the ONS BSC source


def test_region_bounds_london(data_dir):
    minx, miny, maxx, maxy = geography.region_bounds("E12000007", data_dir)
    assert -0.6 < minx < maxx < 0.4
    assert 51.2 < miny < maxy < 51.8


def test_council_bounds_of_one_council_inside_its_region(data_dir):
    city = geography.council_bounds(["E09000001"], data_dir)
    london = geography.region_bounds("E12000007", data_dir)
    assert london[0] <= city[0] < city[2] <= london[2]
    assert london[1] <= city[1] < city[3] <= london[3]


def test_unknown_region_raises(data_dir):
    with pytest.raises(KeyError, match="unknown region code 'E12000099'"):
        geography.region_bounds("E12000099", data_dir)


def test_unknown_council_raises(data_dir):
    with pytest.raises(KeyError, match="E09999999"):
        geography.council_bounds(["E09000001", "E09999999"], data_dir)
    with pytest.raises(ValueError, match="at least one"):
        geography.council_bounds([], data_dir)


def _rewrite(path: Path, row: int, column: str, value: str) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row - 1, column] = value
    frame.to_csv(path, index=False)


@pytest.mark.parametrize(
    ("row", "column", "value", "expected"),
    [
        (5, "code", "X06000005", "a GSS code matching"),
        (7, "code", "E06000001", "a unique code (already on row 1)"),
        (3, "council_type", "County council", "'Unitary authority' for a E06 code"),
        (2, "region_code", "E12000099", "one of the 9 codes"),
        (4, "region_name", "North Yeast", "'North East', the name of E12000001"),
        (9, "name", "", "a non-blank value"),
    ],
)
def test_bad_council_row_names_file_row_column_value(tmp_data_dir, row, column, value, expected):
    path = tmp_data_dir / "lookups" / "councils.csv"
    _rewrite(path, row, column, value)
    with pytest.raises(DataValidationError) as info:
        geography.councils(tmp_data_dir)
    message = str(info.value)
    assert str(path.resolve()) in message
    assert f"row {row} (line {row + 1})" in message
    assert f"column {column!r}" in message
    assert f"got {value!r}" in message
    assert expected in message
    assert isinstance(info.value, ValueError)


def test_wrong_council_count_raises(tmp_data_dir):
    path = tmp_data_dir / "lookups" / "councils.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.iloc[:-1].to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"councils\.csv: 152 data rows, expected 153"):
        geography.councils(tmp_data_dir)


def test_bad_region_row_raises(tmp_data_dir):
    _rewrite(tmp_data_dir / "lookups" / "regions.csv", 3, "code", "E13000003")
    with pytest.raises(ValueError, match=r"regions\.csv: row 3 \(line 4\), column 'code'"):
        geography.regions(tmp_data_dir)


def test_boundaries_with_a_missing_council_raise(tmp_data_dir):
    path = tmp_data_dir / "boundaries" / "councils.geojson"
    gdf = gpd.read_file(path)
    path.unlink()
    gdf.loc[gdf["code"] != "E09000001"].to_file(path, driver="GeoJSON")
    with pytest.raises(ValueError, match=r"152 features, codes \['E09000001'\] differ"):
        geography.boundaries(tmp_data_dir)


def test_boundaries_path_missing_file_raises(tmp_data_dir):
    (tmp_data_dir / "boundaries" / "councils.geojson").unlink()
    with pytest.raises(FileNotFoundError, match="build_boundaries.py"):
        geography.boundaries_path(tmp_data_dir)


def test_default_data_dir_comes_from_settings(data_dir, monkeypatch):
    monkeypatch.delenv("SASCI_DATA_DIR", raising=False)
    pd.testing.assert_frame_equal(geography.councils(), geography.councils(data_dir))


def test_cache_returns_equal_independent_copies(data_dir):
    first = geography.councils(data_dir)
    first.loc[0, "name"] = "Corrupted"
    second = geography.councils(data_dir)
    assert second.loc[0, "name"] != "Corrupted"
    pd.testing.assert_frame_equal(second, geography.councils(data_dir))

    gdf = geography.boundaries(data_dir)
    gdf.loc[0, "geometry"] = None
    again = geography.boundaries(data_dir)
    assert again.geometry.notna().all()
    assert again.geom_equals(geography.boundaries(data_dir)).all()
    assert geography._boundaries.cache_info().hits >= 2


def test_library_module_does_not_import_dash():
    source = Path(geography.__file__).read_text(encoding="utf-8")
    assert "import dash" not in source and "from dash" not in source
