"""Build data/boundaries/{councils,regions}.geojson from the ONS source files in ../shared/data."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE_DIR = REPO_ROOT / ".." / "shared" / "data"
DEFAULT_OUT_DIR = REPO_ROOT / "data" / "boundaries"
LOOKUPS_DIR = REPO_ROOT / "data" / "lookups"

COUNCILS_SOURCE = "boundaries/ctyua23_england_bsc_5dp.geojson"
REGIONS_SOURCE = "boundaries/Regions_December_2023_Boundaries_EN_BUC_1958740832896680092.geo.json"

CRS_WEB = "EPSG:4326"  # RFC 7946 GeoJSON is lon/lat; plotly reads it as such
CRS_BNG = "EPSG:27700"  # British National Grid: simplify in metres, not degrees

# Visvalingam-Whyatt tolerance, metres (~ sqrt of the area of the triangles removed). 600 m is the
# smallest round value that brings the 153 councils under 250 KB at 4 dp with headroom; London
# boroughs keep their shapes, City of London stays a recognisable block and all nine polygons of
# the Isles of Scilly survive. At national zoom (~750 m per pixel) it is invisible.
COUNCIL_TOLERANCE_M = 600.0
# Regions are drawn as outlines over the councils; the source is already ultra-generalised (500 m).
REGION_TOLERANCE_M = 800.0
# 4 decimal places of a degree is ~11 m north-south, ~7 m east-west in England: far below the
# simplification tolerance, and 2 bytes per coordinate cheaper than the source's 5 dp.
DECIMALS = 4
GRID = 10.0**-DECIMALS

N_COUNCILS = 153
N_REGIONS = 9
MAX_COUNCILS_BYTES = 250_000
MAX_REGIONS_BYTES = 60_000


def n_vertices(geoms) -> int:
    return int(shapely.get_num_coordinates(np.asarray(geoms)).sum())


def read_source(path: Path, code_col: str, name_col: str) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(path)
    assert gdf.crs is not None and gdf.crs.equals(CRS_WEB), f"{path}: CRS {gdf.crs}, not {CRS_WEB}"
    gdf = gdf.rename(columns={code_col: "code", name_col: "name"})[["code", "name", "geometry"]]
    return gdf.sort_values("code", ignore_index=True)


def simplify(gdf: gpd.GeoDataFrame, tolerance: float, label: str) -> gpd.GeoDataFrame:
    """Coverage-simplify in EPSG:27700, back to lon/lat, snap to the grid, orient clockwise."""
    projected = gdf.geometry.to_crs(CRS_BNG)
    assert shapely.coverage_is_valid(projected.values), f"{label}: source is not a valid coverage"
    simplified = projected.simplify_coverage(tolerance)
    geoms = simplified.values
    assert not shapely.is_empty(geoms).any(), f"{label}: a feature became empty when simplified"
    assert shapely.is_valid(geoms).all(), f"{label}: a feature became invalid when simplified"
    assert shapely.coverage_is_valid(geoms), f"{label}: simplified set is not a valid coverage"

    lonlat = simplified.to_crs(CRS_WEB).values
    # set_precision snaps to the 4 dp grid and repairs anything the snapping would break (plain
    # rounding leaves a few self-intersections); np.round then gives the shortest decimal repr.
    snapped = shapely.set_precision(lonlat, GRID)
    snapped = shapely.transform(snapped, lambda xy: np.round(xy, DECIMALS))
    oriented = shapely.orient_polygons(snapped, exterior_cw=True)

    parts_before = shapely.get_num_geometries(geoms)
    parts_after = shapely.get_num_geometries(oriented)
    print(f"{label}: tolerance {tolerance:g} m, vertices {n_vertices(gdf.geometry.values):,} source"
          f" -> {n_vertices(geoms):,} simplified -> {n_vertices(oriented):,} after rounding")
    print(f"{label}: coverage valid after simplification (EPSG:27700): True; after rounding to"
          f" {DECIMALS} dp (EPSG:4326): {bool(shapely.coverage_is_valid(oriented))}")
    for code, before, after in zip(gdf["code"], parts_before, parts_after, strict=True):
        if before != after:  # slivers narrower than the grid vanish; a pinched ring splits in two
            print(f"{label}: {code} has {after} part(s) after snapping, {before} before")
    return gpd.GeoDataFrame(gdf[["code", "name"]], geometry=oriented, crs=CRS_WEB)


def check(gdf: gpd.GeoDataFrame, codes: list[str], label: str, clockwise: bool = True) -> None:
    geoms = gdf.geometry.values
    assert len(gdf) == len(codes), f"{label}: {len(gdf)} features, expected {len(codes)}"
    assert list(gdf["code"]) == sorted(codes), f"{label}: codes differ from the lookup"
    assert not shapely.is_empty(geoms).any(), f"{label}: empty geometry"
    assert shapely.is_valid(geoms).all(), f"{label}: invalid geometry after rounding"
    assert set(shapely.get_type_id(geoms)) <= {3, 6}, f"{label}: not all (Multi)Polygons"
    if not clockwise:
        return
    exteriors = shapely.get_exterior_ring(shapely.get_parts(geoms))
    assert not shapely.is_ccw(exteriors).any(), f"{label}: an outer ring is not clockwise"


def write_geojson(gdf: gpd.GeoDataFrame, path: Path, max_bytes: int, label: str) -> int:
    features = [
        {"type": "Feature", "properties": {"code": code, "name": name},
         "geometry": shapely.geometry.mapping(geom)}
        for code, name, geom in zip(gdf["code"], gdf["name"], gdf.geometry, strict=True)
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":"), ensure_ascii=False)
    data = (text + "\n").encode("utf-8")
    assert len(data) < max_bytes, f"{label}: {len(data):,} bytes, limit {max_bytes:,}"
    path.write_bytes(data)
    print(f"{label}: wrote {path} ({len(data):,} bytes, {len(gdf)} features)")
    return len(data)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source-dir", type=Path, default=DEFAULT_SOURCE_DIR,
                        help="folder holding boundaries/ (default: ../shared/data)")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help="where to write councils.geojson and regions.geojson")
    parser.add_argument("--lookups-dir", type=Path, default=LOOKUPS_DIR,
                        help="folder of councils.csv and regions.csv (default: data/lookups)")
    args = parser.parse_args(argv)
    source_dir = args.source_dir.resolve()
    args.out_dir.mkdir(parents=True, exist_ok=True)

    council_codes = pd.read_csv(args.lookups_dir / "councils.csv", dtype=str)["code"].tolist()
    region_codes = pd.read_csv(args.lookups_dir / "regions.csv", dtype=str)["code"].tolist()
    assert len(set(council_codes)) == N_COUNCILS, "councils.csv must list 153 distinct codes"
    assert len(set(region_codes)) == N_REGIONS, "regions.csv must list 9 distinct codes"

    councils = read_source(source_dir / COUNCILS_SOURCE, "CTYUA23CD", "CTYUA23NM")
    check(councils, council_codes, "councils (source)", clockwise=False)
    councils = simplify(councils, COUNCIL_TOLERANCE_M, "councils")
    check(councils, council_codes, "councils")
    write_geojson(councils, args.out_dir / "councils.geojson", MAX_COUNCILS_BYTES, "councils")

    regions = read_source(source_dir / REGIONS_SOURCE, "RGN23CD", "RGN23NM")
    regions = simplify(regions, REGION_TOLERANCE_M, "regions")
    check(regions, region_codes, "regions")
    write_geojson(regions, args.out_dir / "regions.geojson", MAX_REGIONS_BYTES, "regions")


if __name__ == "__main__":
    main()
