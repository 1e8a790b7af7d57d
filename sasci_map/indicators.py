"""Indicator tables as the pages need them: one council row each, with status and rank."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from sasci_map import db
from sasci_map.cache import cached
from sasci_map.choropleth import rank_values
from sasci_map.geography import councils
from sasci_map.map_hover import format_value

#: Shown for a council that a loaded indicator has no row for at all.
REASON_NOT_LOADED = "no figure loaded for this council"
#: Domain labels, in the order the indicator selector groups them.
DOMAIN_LABELS = {
    "capacity": "Capability for innovating (overall)",
    "collaboration": "Capability: collaboration", "leadership": "Capability: leadership",
    "knowledge": "Capability: knowledge", "resources": "Capability: resources",
    "culture": "Capability: culture", "support_use": "Use of innovation support",
    "innovation_activity": "Innovation activity", "barriers": "Barriers to innovating",
    "context": "Context (published data)",
}


def latest_period(values: pd.DataFrame) -> pd.DataFrame:
    """Keep each indicator's latest period (survey indicators have one per wave).

    Periods of one indicator are comparable text ("2023", "2025"; a context source has one).
    """
    if values.empty:
        return values
    latest = values.groupby("indicator_id")["period"].transform("max")
    return values.loc[values["period"] == latest]


@cached
def every_value(engine: Engine) -> pd.DataFrame:
    """Return every stored figure: all indicators, periods and area levels (read once per data).

    The pages need a few rows of it at a time (one indicator, one council) and the
    distributions around them; reading the whole table once per dataset version and filtering
    costs less than a query per request. Rows are in :func:`sasci_map.db.read_values` order.
    """
    return db.read_values(engine, area_level=None)


@cached
def values_of(engine: Engine, indicator_id: str) -> pd.DataFrame:
    """Return one indicator's stored figures, every period and area level, from the cache.

    The same rows, columns and order as ``db.read_values(engine, indicator_id,
    area_level=None)`` (empty, with those columns, for an unknown indicator).
    """
    every = every_value(engine)
    return every.loc[every["indicator_id"] == indicator_id].reset_index(drop=True)


@cached
def periods_by_indicator(engine: Engine) -> dict[str, list[str]]:
    """Return each indicator's stored periods, oldest first (indicators without rows absent)."""
    pairs = every_value(engine)[["indicator_id", "period"]].drop_duplicates()
    return {indicator_id: sorted(rows.tolist())
            for indicator_id, rows in pairs.groupby("indicator_id")["period"]}


def periods_of(engine: Engine, indicator_id: str) -> list[str]:
    """Return the periods (survey waves, or a context vintage) stored for one indicator, sorted."""
    return periods_by_indicator(engine).get(indicator_id, [])


@cached
def catalogue(engine: Engine) -> pd.DataFrame:
    """Return the indicator definitions, in display order, with a ``label`` for selectors."""
    defs = db.read_definitions(engine)
    defs["label"] = defs["title"] + " (" + defs["period"] + ")"
    return defs


@cached
def definition(engine: Engine, indicator_id: str) -> dict:
    """Return one indicator's definition as a dict.

    Raises
    ------
    KeyError
        If no such indicator is loaded.
    """
    defs = catalogue(engine)
    match = defs.loc[defs["indicator_id"] == indicator_id]
    if match.empty:
        raise KeyError(f"unknown indicator {indicator_id!r}")
    return match.iloc[0].drop("label").to_dict()


@cached
def council_frame(engine: Engine, indicator_id: str, data_dir: Path | None = None,
                  period: str | None = None) -> pd.DataFrame:
    """Return all 153 councils with one indicator's value, interval, status and rank.

    Parameters
    ----------
    engine : Engine
    indicator_id : str
    data_dir : Path, optional
        Bundled data folder (for the council list).
    period : str, optional
        Which period (survey wave); the latest when omitted.

    Returns
    -------
    pandas.DataFrame
        Columns ``code, name, council_type, region_code, region_name, period, numerator,
        denominator, value, lower, upper, status, status_reason, source, rank, n_ranked``;
        exactly one row per council. Councils with no stored row are ``missing``.
    """
    values = values_of(engine, indicator_id)
    values = values.loc[values["area_level"] == "council"]
    if period is not None:
        values = values.loc[values["period"] == period]
    values = latest_period(values).drop(columns=["indicator_id", "area_level"])
    values = values.rename(columns={"area_code": "code"})
    frame = councils(data_dir).merge(values, on="code", how="left", validate="1:1")
    absent = frame["status"].isna()
    frame.loc[absent, "status"] = "missing"
    frame.loc[absent, "status_reason"] = REASON_NOT_LOADED
    frame["status_reason"] = frame["status_reason"].fillna("")
    has_value = frame["status"].eq(db.STATUS_VALUE)
    frame["rank"] = rank_values(frame["value"].where(has_value))
    frame["n_ranked"] = int(has_value.sum())
    return frame


@cached
def council_summary(engine: Engine, code: str) -> pd.DataFrame:
    """Return every indicator's value for one council, with its rank among councils.

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator_id, title, unit, period, value, lower, upper, status,
        status_reason, rank, n_ranked``, one row per indicator in catalogue order (its latest
        period); an
        indicator with no row for the council is ``missing``.
    """
    values = latest_period(db.read_values(engine)).copy()
    valued = values["status"].eq(db.STATUS_VALUE)
    ranked = values["value"].where(valued)
    values["rank"] = ranked.groupby(values["indicator_id"]).rank(ascending=False, method="min")
    values["n_ranked"] = valued.groupby(values["indicator_id"]).transform("sum").astype(int)
    mine = values.loc[values["area_code"] == code].drop(columns=["period"])
    defs = catalogue(engine)[["indicator_id", "title", "unit", "period"]]
    out = defs.merge(mine, on="indicator_id", how="left", validate="1:1")
    absent = out["status"].isna()
    out.loc[absent, "status"] = "missing"
    out.loc[absent, "status_reason"] = REASON_NOT_LOADED
    return out[["indicator_id", "title", "unit", "period", "value", "lower", "upper", "status",
                "status_reason", "rank", "n_ranked"]]


@cached
def council_profile(engine: Engine, code: str, data_dir: Path | None = None) -> dict | None:
    """Return one council's identity and display-ready values, or None for an unknown code.

    Returns
    -------
    dict or None
        ``code, name, council_type, region_name`` and ``values``: one dict per indicator with
        ``indicator_id, title, display`` (value with unit, or why there is none) and ``rank``
        (e.g. ``"12 of 150"``, empty without a value).
    """
    match = councils(data_dir).loc[lambda f: f["code"] == code]
    if match.empty:
        return None
    summary = council_summary(engine, code)
    values = []
    for r in summary.itertuples(index=False):
        has_value = r.status == db.STATUS_VALUE
        values.append({
            "indicator_id": r.indicator_id,
            "title": f"{r.title} ({r.period})",
            "display": format_value(r.value, r.unit) if has_value
            else f"No value: {r.status_reason or r.status}",
            "rank": f"{int(r.rank)} of {int(r.n_ranked)}" if has_value else "",
        })
    return {**match.iloc[0][["code", "name", "council_type", "region_name"]].to_dict(),
            "values": values}
