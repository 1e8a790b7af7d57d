"""The tidy indicator table: one row per indicator x area x period, every figure traceable."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from sasci_map import db
from sasci_map.cache import cached
from sasci_map.comparison import benchmark
from sasci_map.geography import councils, regions

ENGLAND = "E92000001"
ENGLAND_NAME = "England"
SYNTHETIC_LABEL = "synthetic demo data"
#: Columns of the tidy table, in order (DOMAIN.md: what every exported figure carries).
TIDY_COLUMNS = [
    "indicator_id", "indicator", "area_code", "area_name", "area_level", "period",
    "numerator", "denominator", "value", "lower", "upper", "unit", "method", "status",
    "status_reason", "england_value", "vs_england", "region_value", "vs_region", "polarity",
    "source", "synthetic",
]  # fmt: skip
LEVEL_ORDER = {"england": 0, "region": 1, "council": 2}


def _check(name: str, given: Sequence[str] | None, known: set[str]) -> None:
    if given is None:
        return
    unknown = sorted(set(given) - known)
    if unknown:
        raise ValueError(f"unknown {name} {unknown}: expected some of {sorted(known)}")


@cached
def indicator_table(engine: Engine, indicators: Sequence[str] | None = None,
                    levels: Sequence[str] | None = None, periods: Sequence[str] | None = None,
                    data_dir: Path | None = None) -> pd.DataFrame:
    """Build the tidy table every export and the API render.

    Parameters
    ----------
    engine : Engine
    indicators, levels, periods : sequence of str, optional
        Keep only these indicator ids, area levels (council / region / england) and periods
        (survey waves such as "2025", or a context vintage such as "mid-2020"); all by default.
    data_dir : Path, optional
        Bundled data folder (area names).

    Returns
    -------
    pandas.DataFrame
        :data:`TIDY_COLUMNS`, sorted by indicator (catalogue order), level (England, regions,
        councils), area code and period. Rows that are not values carry no numbers; ``synthetic``
        is True for figures computed from synthetic demo data.

    Raises
    ------
    ValueError
        On an unknown indicator, level or period, naming it and what is available.
    """
    definitions = db.read_definitions(engine)
    _check("indicator", indicators, set(definitions["indicator_id"]))
    _check("level", levels, set(db.AREA_LEVELS))
    every = db.read_values(engine, indicators, area_level=None)  # all levels: benchmarks
    values = every
    _check("period", periods, set(db.indicator_periods(engine)["period"]))
    if indicators is not None:
        values = values[values["indicator_id"].isin(indicators)]
    if levels is not None:
        values = values[values["area_level"].isin(levels)]
    if periods is not None:
        values = values[values["period"].isin(periods)]
    council_list = councils(data_dir)
    region_of = council_list.set_index("code")["region_code"]
    # Benchmarks need the England and region rows even when they are filtered out.
    context = every[every["indicator_id"].isin(values["indicator_id"])]
    flagged = benchmark(context, definitions, region_of)
    flagged = flagged.loc[values.index]
    names = pd.concat([council_list.set_index("code")["name"],
                       regions(data_dir).set_index("code")["name"],
                       pd.Series({ENGLAND: ENGLAND_NAME})])
    spec = definitions.set_index("indicator_id")
    out = flagged.assign(
        indicator=flagged["indicator_id"].map(spec["title"]),
        area_name=flagged["area_code"].map(names),
        unit=flagged["indicator_id"].map(spec["unit"]),
        method=flagged["indicator_id"].map(spec["method"]),
        polarity=flagged["indicator_id"].map(spec["polarity"]),
        synthetic=flagged["source"].str.contains(SYNTHETIC_LABEL, regex=False),
        _order=flagged["indicator_id"].map(spec["sort_order"]),
        _level=flagged["area_level"].map(LEVEL_ORDER),
    )
    out = out.sort_values(["_order", "_level", "area_code", "period"])
    return out[TIDY_COLUMNS].reset_index(drop=True)
