"""Councils, regions and their boundaries, loaded once per process from the bundled data files."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import geopandas as gpd
import pandas as pd
import shapely

from sasci_map.config import get_settings
from sasci_map.errors import DataValidationError

#: GeoJSON (RFC 7946) and plotly work in lon/lat degrees on WGS84.
CRS_WEB = "EPSG:4326"
#: British National Grid, in metres: use it for areas, distances and simplification.
CRS_BNG = "EPSG:27700"
#: Councils with adult social services responsibilities (2023 counties and unitary authorities
#: of England, City of London and Isles of Scilly included) and the regions they sit in.
N_COUNCILS = 153
N_REGIONS = 9
UNITARY = "Unitary authority"
METROPOLITAN = "Metropolitan district"
LONDON_BOROUGH = "London borough"
COUNTY = "County council"
#: The GSS prefix of a council's code fixes its type.
COUNCIL_TYPE_BY_PREFIX = {"E06": UNITARY, "E08": METROPOLITAN, "E09": LONDON_BOROUGH, "E10": COUNTY}
COUNCIL_TYPES = tuple(COUNCIL_TYPE_BY_PREFIX.values())
COUNCIL_CODE_PATTERN = r"^E(06|08|09|10)\d{6}$"
REGION_CODE_PATTERN = r"^E12\d{6}$"

COUNCILS_CSV = Path("lookups", "councils.csv")
REGIONS_CSV = Path("lookups", "regions.csv")
COUNCILS_GEOJSON = Path("boundaries", "councils.geojson")
REGIONS_GEOJSON = Path("boundaries", "regions.geojson")
COUNCIL_COLUMNS = ["code", "name", "council_type", "region_code", "region_name"]
REGION_COLUMNS = ["code", "name"]
#: A lon/lat bounding box: (minx, miny, maxx, maxy), i.e. west, south, east, north.
Bounds = tuple[float, float, float, float]


def _resolve(data_dir: Path | None) -> Path:
    return Path(get_settings().data_dir if data_dir is None else data_dir).resolve()


def _fail(path: Path, row: int, column: str, value: object, expected: str) -> NoReturn:
    """Raise the loader's one error shape; ``row`` counts data rows from 1 (file line row + 1)."""
    raise DataValidationError(
        f"{path}: row {row} (line {row + 1}), column {column!r}: got {value!r}, expected {expected}"
    )


def _read_csv(path: Path, columns: list[str], n_rows: int, code_pattern: str) -> pd.DataFrame:
    """Read a lookup in file order: exactly ``columns`` and ``n_rows``, no blanks, unique codes."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(frame.columns) != columns:
        raise DataValidationError(f"{path}: columns {list(frame.columns)}, expected {columns}")
    if len(frame) != n_rows:
        raise DataValidationError(f"{path}: {len(frame)} data rows, expected {n_rows}")
    pattern = re.compile(code_pattern)
    seen: dict[str, int] = {}
    for row, record in enumerate(frame.to_dict("records"), start=1):
        for column in columns:
            if not record[column].strip():
                _fail(path, row, column, record[column], "a non-blank value")
        code = record["code"]
        if not pattern.fullmatch(code):
            _fail(path, row, "code", code, f"a GSS code matching {code_pattern}")
        if code in seen:
            _fail(path, row, "code", code, f"a unique code (already on row {seen[code]})")
        seen[code] = row
    return frame


@functools.lru_cache(maxsize=8)
def _regions(data_dir: Path) -> pd.DataFrame:
    frame = _read_csv(data_dir / REGIONS_CSV, REGION_COLUMNS, N_REGIONS, REGION_CODE_PATTERN)
    return frame.sort_values("code", ignore_index=True)


@functools.lru_cache(maxsize=8)
def _councils(data_dir: Path) -> pd.DataFrame:
    path = data_dir / COUNCILS_CSV
    frame = _read_csv(path, COUNCIL_COLUMNS, N_COUNCILS, COUNCIL_CODE_PATTERN)
    lookup = _regions(data_dir)
    region_names = dict(zip(lookup["code"], lookup["name"], strict=True))
    for row, record in enumerate(frame.to_dict("records"), start=1):
        expected_type = COUNCIL_TYPE_BY_PREFIX[record["code"][:3]]
        if record["council_type"] != expected_type:
            _fail(path, row, "council_type", record["council_type"],
                  f"{expected_type!r} for a {record['code'][:3]} code")
        if record["region_code"] not in region_names:
            _fail(path, row, "region_code", record["region_code"],
                  f"one of the {N_REGIONS} codes in {data_dir / REGIONS_CSV}")
        if record["region_name"] != region_names[record["region_code"]]:
            _fail(path, row, "region_name", record["region_name"],
                  f"{region_names[record['region_code']]!r}, the name of {record['region_code']}")
    return frame.sort_values("code", ignore_index=True)


def _read_geojson(path: Path, codes: pd.Series) -> gpd.GeoDataFrame:
    """Read boundary features with properties code, name; check CRS, codes and geometry."""
    if not path.is_file():
        raise DataValidationError(f"{path}: file not found (build it: scripts/build_boundaries.py)")
    gdf = gpd.read_file(path)
    if gdf.crs is None or not gdf.crs.equals(CRS_WEB):
        raise DataValidationError(f"{path}: CRS {gdf.crs}, expected {CRS_WEB}")
    if sorted(gdf.columns) != ["code", "geometry", "name"]:
        raise DataValidationError(f"{path}: properties {list(gdf.columns)}, expected code, name")
    if sorted(gdf["code"]) != list(codes):
        raise DataValidationError(
            f"{path}: {len(gdf)} features, codes {sorted(set(gdf['code']) ^ set(codes))} differ;"
            f" expected exactly the {len(codes)} codes of the lookup, each once")
    bad = shapely.is_empty(gdf.geometry.values) | ~shapely.is_valid(gdf.geometry.values)
    if bad.any():
        raise DataValidationError(f"{path}: empty or invalid geometry for "
                                  f"{list(gdf.loc[bad, 'code'])}, expected valid polygons")
    return gdf


@functools.lru_cache(maxsize=8)
def _boundaries(data_dir: Path, regional: bool = False) -> gpd.GeoDataFrame:
    lookup = _regions(data_dir) if regional else _councils(data_dir)
    path = data_dir / (REGIONS_GEOJSON if regional else COUNCILS_GEOJSON)
    gdf = _read_geojson(path, lookup["code"])
    merged = lookup.merge(gdf[["code", "geometry"]], on="code", how="inner", validate="1:1")
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=CRS_WEB)


def councils(data_dir: Path | None = None) -> pd.DataFrame:
    """Return the 153 councils, one row each, sorted by GSS code.

    Parameters
    ----------
    data_dir : Path, optional
        Bundled data folder; default ``get_settings().data_dir`` (same for every function here).

    Returns
    -------
    pandas.DataFrame
        ``code, name, council_type, region_code, region_name``; a copy of the cached frame.

    Raises
    ------
    DataValidationError
        A ``ValueError`` naming file, row, column, value and what was expected, if
        ``lookups/councils.csv`` or ``lookups/regions.csv`` breaks a rule.
    """
    return _councils(_resolve(data_dir)).copy()


def regions(data_dir: Path | None = None) -> pd.DataFrame:
    """Return the 9 English regions, ``code, name``, sorted by code.

    Parameters
    ----------
    data_dir : Path, optional
        Bundled data folder.

    Returns
    -------
    pandas.DataFrame
        A copy of the cached, validated ``lookups/regions.csv``.

    Raises
    ------
    DataValidationError
        A ``ValueError`` naming file, row, column and value, if the file breaks a rule.
    """
    return _regions(_resolve(data_dir)).copy()


def boundaries(data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Return the 153 council boundaries in EPSG:4326 with the columns of :func:`councils`.

    Parameters
    ----------
    data_dir : Path, optional
        Bundled data folder.

    Returns
    -------
    geopandas.GeoDataFrame
        ``code, name, council_type, region_code, region_name, geometry``, sorted by code.

    Raises
    ------
    DataValidationError
        If ``boundaries/councils.geojson`` is missing, has other codes or a bad geometry.
    """
    return _boundaries(_resolve(data_dir)).copy()


def region_boundaries(data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Return the 9 region boundaries in EPSG:4326, ``code, name, geometry``, sorted by code.

    Parameters
    ----------
    data_dir : Path, optional
        Bundled data folder.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per region.

    Raises
    ------
    DataValidationError
        If ``boundaries/regions.geojson`` is missing, has other codes or a bad geometry.
    """
    return _boundaries(_resolve(data_dir), regional=True).copy()


def council_bounds(codes: Iterable[str], data_dir: Path | None = None) -> Bounds:
    """Return the bounding box ``(minx, miny, maxx, maxy)`` in lon/lat of some councils.

    Parameters
    ----------
    codes : iterable of str
        Council GSS codes (at least one).
    data_dir : Path, optional
        Bundled data folder.

    Returns
    -------
    tuple of float
        West, south, east, north in degrees.

    Raises
    ------
    KeyError
        If a code is not one of the 153 councils.
    ValueError
        If ``codes`` is empty.
    """
    wanted = set(codes)
    if not wanted:
        raise ValueError("council_bounds needs at least one council code")
    gdf = _boundaries(_resolve(data_dir))
    unknown = sorted(wanted - set(gdf["code"]))
    if unknown:
        raise KeyError(f"unknown council code(s) {unknown}; expected codes of the 153 councils")
    minx, miny, maxx, maxy = gdf.loc[gdf["code"].isin(wanted)].total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)


def region_bounds(region_code: str, data_dir: Path | None = None) -> Bounds:
    """Return the lon/lat bounding box of a region's councils, to zoom the map to the region.

    Parameters
    ----------
    region_code : str
        Region GSS code, e.g. ``"E12000007"`` (London).
    data_dir : Path, optional
        Bundled data folder.

    Returns
    -------
    tuple of float
        ``(minx, miny, maxx, maxy)``: west, south, east, north in degrees.

    Raises
    ------
    KeyError
        If ``region_code`` is not one of the 9 regions.
    """
    key = _resolve(data_dir)
    known = list(_regions(key)["code"])
    if region_code not in known:
        raise KeyError(f"unknown region code {region_code!r}; expected one of {known}")
    lookup = _councils(key)
    return council_bounds(lookup.loc[lookup["region_code"] == region_code, "code"], key)


def boundaries_path(data_dir: Path | None = None) -> Path:
    """Return the absolute path of ``boundaries/councils.geojson`` (served as a static file).

    Parameters
    ----------
    data_dir : Path, optional
        Bundled data folder.

    Returns
    -------
    pathlib.Path
        The council boundaries file; the figure itself never carries geometry.

    Raises
    ------
    FileNotFoundError
        If the file has not been built.
    """
    path = _resolve(data_dir) / COUNCILS_GEOJSON
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; build it with scripts/build_boundaries.py")
    return path


def served_boundaries(data_dir: Path | None = None) -> bytes:
    """Return the GeoJSON the browser draws: the boundaries, each with its region's name.

    Each feature's ``properties`` are ``code``, ``name`` and ``region`` (from
    :func:`councils`), so the map's hover text can name the council and region from the
    geometry the browser fetched once, rather than with every indicator change.
    """
    path = boundaries_path(data_dir)
    return _served_boundaries(path, path.stat().st_mtime_ns, _resolve(data_dir))


@functools.lru_cache(maxsize=4)
def _served_boundaries(path: Path, _mtime_ns: int, data_dir: Path) -> bytes:
    collection = json.loads(path.read_text(encoding="utf-8"))
    region_of = _councils(data_dir).set_index("code")["region_name"].to_dict()
    for feature in collection["features"]:
        props = feature["properties"]
        props["region"] = region_of.get(props["code"], "")
    return json.dumps(collection, separators=(",", ":")).encode("utf-8")
