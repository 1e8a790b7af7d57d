"""The GeoJSON renderer: an indicator's council rows of the tidy table on the council boundaries."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from shapely.geometry import mapping
from sqlalchemy.engine import Engine

from sasci_map import db
from sasci_map.exports import licence_lines
from sasci_map.geography import CRS_WEB, boundaries
from sasci_map.indicators import REASON_NOT_LOADED, latest_period
from sasci_map.tidy import TIDY_COLUMNS, indicator_table

COUNCIL = "council"
STATUS_MISSING = "missing"
#: Numbers of an area's own figure: null unless its status is ``value``.
OWN_NUMBERS = ["numerator", "denominator", "value", "lower", "upper"]
#: Properties that describe the indicator rather than the area: the same on every feature, so
#: a council the indicator has no row for still gets them.
INDICATOR_FIELDS = ["indicator_id", "indicator", "period", "unit", "method", "polarity", "source",
                    "synthetic"]


def _council_rows(engine: Engine, indicator: str, period: str | None,
                  data_dir: Path | None) -> pd.DataFrame:
    """Return the tidy table's council rows of one indicator and period (latest when None)."""
    table = indicator_table(engine, [indicator], [COUNCIL], None, data_dir)
    periods = sorted(set(table["period"]))
    if not periods:
        raise ValueError(f"indicator {indicator!r} has no council figures loaded")
    if period is None:
        return latest_period(table)
    if period not in periods:
        raise ValueError(f"unknown period {period!r} for indicator {indicator!r}: expected one "
                         f"of {periods}")
    return table[table["period"] == period]


def _properties(rows: pd.DataFrame) -> list[dict]:
    """Return each row as a JSON-ready dict: NaN as None, numpy scalars as Python values."""
    columns = {c: rows[c].tolist() for c in TIDY_COLUMNS}
    out = []
    for i in range(len(rows)):
        record = {}
        for c in TIDY_COLUMNS:
            value = columns[c][i]
            record[c] = None if value is None or value is pd.NA or (
                isinstance(value, float) and value != value) else value
        out.append(record)
    return out


def geojson_bytes(engine: Engine, indicator: str, period: str | None = None,
                  data_dir: Path | None = None) -> bytes:
    """Render one indicator's council figures as a GeoJSON FeatureCollection.

    Parameters
    ----------
    engine : Engine
    indicator : str
        Indicator id.
    period : str, optional
        Survey wave or context vintage; the indicator's latest when omitted.
    data_dir : Path, optional
        Bundled data folder (boundaries and area names).

    Returns
    -------
    bytes
        UTF-8 GeoJSON (RFC 7946, WGS84 lon/lat): one feature per council (153, by code), ``id``
        the council's GSS code and properties the council's row of the tidy table
        (:data:`sasci_map.tidy.TIDY_COLUMNS`), NaN as null. Rows whose status is not ``value``
        have null numerator, denominator, value and limits; a council without a stored row is
        ``missing``. A top-level ``metadata`` member holds ``indicator``, ``title``, ``period``,
        ``area_level``, ``crs``, ``licence`` (lines) and ``synthetic``.

    Raises
    ------
    ValueError
        If the indicator is unknown, has no council figures, or has no such period.
    """
    rows = _council_rows(engine, indicator, period, data_dir)
    chosen = rows["period"].iloc[0]
    shapes = boundaries(data_dir)[["code", "name", "geometry"]]
    merged = shapes.merge(rows, left_on="code", right_on="area_code", how="left",
                          validate="1:1")
    absent = merged["area_code"].isna()
    if absent.any():
        first = rows.iloc[0]
        for column in INDICATOR_FIELDS:
            merged[column] = merged[column].where(~absent, first[column])
        merged.loc[absent, "synthetic"] = False
        merged.loc[absent, ["area_code", "area_name"]] = merged.loc[absent, ["code", "name"]].values
        merged.loc[absent, "area_level"] = COUNCIL
        merged.loc[absent, "status"] = STATUS_MISSING
        merged.loc[absent, "status_reason"] = REASON_NOT_LOADED
    merged[OWN_NUMBERS] = merged[OWN_NUMBERS].where(merged["status"].eq(db.STATUS_VALUE))
    synthetic = bool(rows["synthetic"].any())
    features = [
        {"type": "Feature", "id": code, "properties": props,
         "geometry": mapping(geometry)}
        for code, props, geometry in zip(merged["code"], _properties(merged),
                                         merged.geometry, strict=True)
    ]
    collection = {
        "type": "FeatureCollection",
        "metadata": {"indicator": indicator, "title": rows["indicator"].iloc[0],
                     "period": chosen, "area_level": COUNCIL, "crs": CRS_WEB,
                     "licence": licence_lines(synthetic), "synthetic": synthetic},
        "features": features,
    }
    return json.dumps(collection, ensure_ascii=False, allow_nan=False).encode("utf-8")
