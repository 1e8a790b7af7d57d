"""The GeoJSON renderer: one indicator's council rows of the tidy table on the boundaries."""

from __future__ import annotations

import json
import math

import pytest

from sasci_map import db
from sasci_map.config import DEFAULT_DATA_DIR
from sasci_map.export_geojson import geojson_bytes
from sasci_map.exports import licence_lines
from sasci_map.geography import N_COUNCILS, councils
from sasci_map.indicators import REASON_NOT_LOADED
from sasci_map.loading import init_database
from sasci_map.tidy import TIDY_COLUMNS, indicator_table

SURVEY = "activity_generated_any"
CONTEXT = "pop_all_ages"
OWN_NUMBERS = ["numerator", "denominator", "value", "lower", "upper"]


def _strict_json(data: bytes) -> dict:
    def refuse(name):
        raise AssertionError(f"{name} is not JSON")

    return json.loads(data.decode("utf-8"), parse_constant=refuse)


@pytest.fixture(scope="module")
def collection(engine, settings):
    return _strict_json(geojson_bytes(engine, SURVEY, data_dir=settings.data_dir))


@pytest.fixture(scope="module")
def tidy(engine, settings):
    return indicator_table(engine, [SURVEY], ["council"], ["2025"], settings.data_dir)


def _lon_lats(geometry):
    polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                else geometry["coordinates"])
    for polygon in polygons:
        for ring in polygon:
            yield from ring


def test_one_feature_per_council_on_wgs84_boundaries(collection):
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == N_COUNCILS
    assert [f["id"] for f in features] == list(councils(DEFAULT_DATA_DIR)["code"])
    for feature in features:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert all(-7 < lon < 2 and 49 < lat < 56 for lon, lat in _lon_lats(feature["geometry"]))
        assert list(feature["properties"]) == TIDY_COLUMNS
        assert feature["properties"]["area_code"] == feature["id"]


def test_metadata_names_indicator_latest_period_licence_and_synthetic(collection):
    meta = collection["metadata"]
    assert meta["indicator"] == SURVEY
    assert meta["period"] == "2025"
    assert meta["synthetic"] is True
    assert meta["licence"] == licence_lines(True)
    assert meta["crs"] == "EPSG:4326"


def test_properties_match_the_tidy_table(collection, tidy):
    by_code = {f["id"]: f["properties"] for f in collection["features"]}
    picks = [tidy.loc[tidy["status"].eq(status), "area_code"].iloc[0]
             for status in ("value", "suppressed", "no_response")]
    for code in picks:
        row = tidy.set_index("area_code").loc[code]
        props = by_code[code]
        for column in TIDY_COLUMNS:
            want = code if column == "area_code" else row[column]
            got = props[column]
            if isinstance(want, float) and math.isnan(want):
                assert got is None, (code, column)
            elif isinstance(want, float):
                assert got == pytest.approx(want), (code, column)
            else:
                assert got == want, (code, column)


def test_suppressed_councils_have_null_numbers(collection):
    suppressed = [f["properties"] for f in collection["features"]
                  if f["properties"]["status"] == "suppressed"]
    assert suppressed
    assert all(p[c] is None for p in suppressed for c in OWN_NUMBERS)
    assert all(p["status_reason"] for p in suppressed)
    values = [f["properties"] for f in collection["features"]
              if f["properties"]["status"] == "value"]
    assert values and all(isinstance(p["value"], float) for p in values)


def test_a_chosen_period_and_a_context_indicator(engine):
    earlier = _strict_json(geojson_bytes(engine, SURVEY, "2023", DEFAULT_DATA_DIR))
    assert earlier["metadata"]["period"] == "2023"
    assert {f["properties"]["period"] for f in earlier["features"]} == {"2023"}
    context = _strict_json(geojson_bytes(engine, CONTEXT, data_dir=DEFAULT_DATA_DIR))
    assert context["metadata"]["synthetic"] is False
    assert context["metadata"]["licence"] == licence_lines(False)
    assert all(isinstance(f["properties"]["value"], float) for f in context["features"])


@pytest.mark.parametrize(("indicator", "period", "named"), [
    ("no_such_indicator", None, "no_such_indicator"),
    (SURVEY, "1999", "1999"),
    (SURVEY, "mid-2020", "mid-2020"),  # a period of other indicators, not of this one
])
def test_unknown_indicator_or_period_is_refused_by_name(engine, indicator, period, named):
    with pytest.raises(ValueError, match=named):
        geojson_bytes(engine, indicator, period, DEFAULT_DATA_DIR)


def test_a_council_without_a_stored_row_is_missing(empty_engine):
    init_database(empty_engine, DEFAULT_DATA_DIR, demo=False)
    gone = "E06000001"
    values = db.indicator_values_table
    with empty_engine.begin() as conn:
        conn.execute(values.delete().where(values.c.indicator_id == CONTEXT,
                                           values.c.area_code == gone))
    collection = _strict_json(geojson_bytes(empty_engine, CONTEXT, data_dir=DEFAULT_DATA_DIR))
    assert len(collection["features"]) == N_COUNCILS
    props = {f["id"]: f["properties"] for f in collection["features"]}
    missing, present = props[gone], props["E06000002"]
    assert missing["status"] == "missing" and missing["status_reason"] == REASON_NOT_LOADED
    assert (missing["area_code"], missing["area_name"], missing["area_level"]) == (
        gone, "Hartlepool", "council")
    assert all(missing[c] is None for c in OWN_NUMBERS)
    assert missing["synthetic"] is False
    for column in ("indicator_id", "indicator", "period", "unit", "method", "polarity",
                   "source"):
        assert missing[column] == present[column]
