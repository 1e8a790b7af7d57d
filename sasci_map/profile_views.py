"""What the council profile page shows: identity, every indicator against England, trends, peers.

One function per panel of ``/council/<code>``; each takes the engine and a council code and
returns plain dicts or DataFrames, so the page only lays them out (and tests check the numbers).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from sasci_map import innovation_views, resolver, survey_store
from sasci_map.cache import cached
from sasci_map.comparison import PROPORTION_UNIT_PREFIX, benchmark, wave_trends
from sasci_map.geography import councils
from sasci_map.indicators import DOMAIN_LABELS, catalogue, every_value, latest_period
from sasci_map.map_hover import format_value
from sasci_map.neighbours import DEFAULT_K, neighbours_of
from sasci_map.palette import STATUS_LABELS, STATUS_VALUE
from sasci_map.tidy import SYNTHETIC_LABEL

#: Fewer council values than this and their quartiles and range say little (with two values the
#: "range" is just those two councils): the spine shows the range of the 9 regions instead.
MIN_COUNCILS_FOR_RANGE = 10
#: Where the spine's range comes from.
RANGE_COUNCILS, RANGE_REGIONS, RANGE_NONE = "councils", "regions", "none"
CONTEXT_DOMAIN = "context"
#: Context indicators are grouped by their source dataset (one publisher and vintage each).
CONTEXT_GROUPS = {
    "population_mid2020": "Population and age (ONS, mid-2020)",
    "imd2019_utla": "Deprivation (MHCLG Indices of Deprivation 2019)",
    "ascof_2020_21": "Adult social care outcomes (NHS Digital ASCOF 2020-21)",
}
#: Key context indicators for the comparison with the statistical neighbours (need, deprivation,
#: outcomes), plus the overall capability score, which most councils lack in the demo survey.
NEIGHBOUR_INDICATORS = ("pop_18_plus", "pct_65_plus", "pct_85_plus", "imd_average_score",
                        "ascof_1a", "ascof_3a", "ascof_2a2", "cap_overall")
#: Status words of the spine and tables: the palette's, but "suppressed" spelt out in full.
STATE_WORDS = {**STATUS_LABELS,
               "suppressed": "Suppressed — fewer than 5 organisations"}
#: The page's kinds of address: a council, an old code or name of one, several, or none.
TARGET_COUNCIL, TARGET_REDIRECT, TARGET_CHOICE, TARGET_UNKNOWN = (
    "council", "redirect", "choice", "unknown")
#: How many close names a not-found page offers.
N_SUGGESTIONS = 5
_CODE = re.compile(r"E\d{8}")


def profile_target(text: str, data_dir: Path | None = None) -> dict[str, Any]:
    """Work out which council a ``/council/<text>`` address means.

    Parameters
    ----------
    text : str
        What follows ``/council/``: normally a 2023 GSS code, but old codes, district codes
        and names are understood too (through :func:`sasci_map.resolver.resolve_council`).
    data_dir : Path, optional

    Returns
    -------
    dict
        ``kind``: ``"council"`` (``code``, ``name``: show this council), ``"redirect"`` (an old
        code, a district or another name of one council: ``code``, ``name``, ``note``),
        ``"choice"`` (a split county or ambiguous name: ``options``, a list of ``(code, name)``,
        and ``note``) or ``"unknown"`` (``note`` and ``options``: close names, possibly none).
        ``input`` is the text as given.
    """
    text = text if isinstance(text, str) else ""
    found = resolver.resolve_council(text, data_dir)
    names = councils(data_dir).set_index("code")["name"]
    base = {"input": text, "code": found.code, "name": found.name, "note": found.note,
            "options": []}
    if found.code:
        exact = found.status == resolver.EXACT and found.code == text
        return {**base, "kind": TARGET_COUNCIL if exact else TARGET_REDIRECT}
    if found.status == resolver.AMBIGUOUS:
        options = [(c, names[c]) for c in dict.fromkeys(_CODE.findall(found.note))
                   if c in names.index]
        if options:
            return {**base, "kind": TARGET_CHOICE, "options": options}
    options = resolver.suggest_councils(text, N_SUGGESTIONS, data_dir)
    return {**base, "kind": TARGET_UNKNOWN, "options": options}


@cached
def council_header(engine: Engine, code: str, data_dir: Path | None = None) -> dict[str, Any]:
    """Return the council's identity and whether it took part in each survey wave.

    Returns
    -------
    dict
        ``code, name, council_type, region_code, region_name`` and ``waves``: one dict per
        imported wave (oldest first) with ``wave``, ``council_took_part`` (bool: the council
        organisation answered), ``n_providers`` (provider organisations in its area that
        answered) and ``synthetic``.

    Raises
    ------
    KeyError
        If ``code`` is not one of the 153 councils.
    """
    table = councils(data_dir).set_index("code")
    if code not in table.index:
        raise KeyError(f"unknown council code {code!r}")
    row = table.loc[code]
    responses = survey_store.read_responses(engine)
    mine = responses.loc[responses["council_code"] == code,
                         ["wave", "org_id", "org_type"]].drop_duplicates()
    waves = []
    for wave in survey_store.read_waves(engine).itertuples(index=False):
        orgs = mine.loc[mine["wave"] == wave.wave]
        waves.append({"wave": int(wave.wave), "synthetic": bool(wave.synthetic),
                      "council_took_part": bool(orgs["org_type"].eq("council").any()),
                      "n_providers": int(orgs["org_type"].eq("provider").sum())})
    return {"code": code, "name": row["name"], "council_type": row["council_type"],
            "region_code": row["region_code"], "region_name": row["region_name"],
            "waves": waves}


def _group(defs: pd.DataFrame) -> pd.Series:
    """Spine group of each indicator: its survey domain, or its context dataset."""
    context = defs["domain"].eq(CONTEXT_DOMAIN)
    return defs["domain"].where(~context, defs["dataset_key"])


def group_labels() -> dict[str, str]:
    """Return ``{group: heading}`` of the spine groups in page order (survey, then context)."""
    survey = {k: v for k, v in DOMAIN_LABELS.items() if k != CONTEXT_DOMAIN}
    return {**survey, **CONTEXT_GROUPS}


def _state(status: str, reason: str) -> str:
    words = STATE_WORDS.get(status, status)
    if status == STATUS_VALUE:
        return ""
    if status == "suppressed" or not reason:
        return words
    return f"{words}: {reason}"


def number_text(value: float, unit: str) -> str:
    """Format a value for a table whose header gives the unit: only "%" is written out."""
    return format_value(value, "%" if str(unit).startswith("%") else "")


def _interval_text(lower: float, upper: float, unit: str) -> str:
    if pd.isna(lower) or pd.isna(upper):
        return ""
    return f"{number_text(lower, unit)} to {number_text(upper, unit)}"


def _count_text(numerator: float, denominator: float, unit: str) -> str:
    """Say how many organisations a figure rests on: "4 of 5" for a share, "5" for a mean."""
    if pd.isna(denominator):
        return ""
    if str(unit).startswith(PROPORTION_UNIT_PREFIX) and pd.notna(numerator):
        return f"{numerator:,.0f} of {denominator:,.0f}"
    return f"{denominator:,.0f}"


@cached
def latest_benchmarked(engine: Engine, data_dir: Path | None = None) -> pd.DataFrame:
    """Return every area's latest figure of every indicator, benchmarked, with its council rank.

    Returns
    -------
    pandas.DataFrame
        :func:`sasci_map.comparison.benchmark` of the latest period of :func:`every_value`,
        plus ``rank``: a council's rank among the councils with a value (1 = highest, ties
        share the lowest rank; NaN for other levels and states).
    """
    region_of = councils(data_dir).set_index("code")["region_code"]
    flagged = benchmark(latest_period(every_value(engine)), catalogue(engine), region_of)
    ranked = flagged["value"].where(flagged["status"].eq(STATUS_VALUE)
                                    & flagged["area_level"].eq("council"))
    flagged["rank"] = ranked.groupby(flagged["indicator_id"]).rank(ascending=False,
                                                                   method="min")
    return flagged


@cached
def indicator_spread(engine: Engine, data_dir: Path | None = None) -> pd.DataFrame:
    """Return each indicator's latest-period spread: councils' distribution and regions' range.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``indicator_id``: ``period`` (latest), ``n_councils, council_min,
        council_max, council_median, council_q25, council_q75`` (over councils with a value)
        and ``region_min, region_max``.
    """
    flagged = latest_benchmarked(engine, data_dir)
    valued = flagged.loc[flagged["status"].eq(STATUS_VALUE)]
    by_level = {lvl: valued.loc[valued["area_level"] == lvl].groupby("indicator_id")["value"]
                for lvl in ("council", "region")}
    council_stats = by_level["council"].agg(
        n_councils="size", council_min="min", council_max="max", council_median="median",
        council_q25=lambda s: s.quantile(0.25), council_q75=lambda s: s.quantile(0.75))
    region_stats = by_level["region"].agg(region_min="min", region_max="max")
    periods = flagged.groupby("indicator_id")["period"].max()
    return periods.to_frame().join(council_stats).join(region_stats)


@cached
def spine_rows(engine: Engine, code: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Return one row per indicator (latest period): the council against England and region.

    Parameters
    ----------
    engine : Engine
    code : str
        A 2023 council code.
    data_dir : Path, optional

    Returns
    -------
    pandas.DataFrame
        In page order (survey domains, then context datasets; catalogue order within):
        ``indicator_id, title, short_title, group, group_label, unit, polarity, period,
        survey`` (bool), ``value, lower, upper, numerator, denominator, status, status_reason,
        state`` (the state in words, "" for a value), ``england_value, region_value,
        vs_england, vs_region``, the council distribution ``n_councils, council_min,
        council_q25, council_median, council_q75, council_max``, ``region_min, region_max``,
        ``range_basis`` (:data:`RANGE_COUNCILS` when at least :data:`MIN_COUNCILS_FOR_RANGE`
        councils have a value, else :data:`RANGE_REGIONS` or :data:`RANGE_NONE`), ``centre``
        (England, else the councils' median) and ``centre_basis`` ("England" or "median of
        councils"), ``rank`` (1 = highest of ``n_councils``), ``trend``, ``region_trend``.
        An indicator with no row for the council is ``missing``.
    """
    defs = catalogue(engine)
    region = councils(data_dir).set_index("code")["region_code"].get(code)
    flagged = latest_benchmarked(engine, data_dir)
    spread = indicator_spread(engine, data_dir)
    mine = flagged.loc[flagged["area_code"] == code].drop(columns=["area_code", "area_level"])
    mine = mine.set_index("indicator_id")
    out = defs.set_index("indicator_id").loc[spine_rows_order(defs)].reset_index()
    out["group"] = _group(out)
    out["group_label"] = out["group"].map(group_labels()).fillna(out["group"])
    out = out.drop(columns=["period", "source"]).join(mine, on="indicator_id")
    out["period"] = out["period"].fillna(out["indicator_id"].map(spread["period"])).fillna("")
    absent = out["status"].isna()
    out.loc[absent, "status"] = "missing"
    out.loc[absent, "status_reason"] = "no figure loaded for this council"
    out["status_reason"] = out["status_reason"].fillna("")
    out = out.join(spread.drop(columns="period"), on="indicator_id")
    out["n_councils"] = out["n_councils"].fillna(0).astype(int)
    out["survey"] = out["domain"].ne(CONTEXT_DOMAIN)
    out["source"] = out["source"].fillna(out["indicator_id"].map(defs.set_index(
        "indicator_id")["source"]))
    out["synthetic"] = out["source"].map(is_synthetic)
    if region is not None:  # region of a council with no value row of its own
        theirs = flagged.loc[flagged["area_code"].eq(region)
                             & flagged["status"].eq(STATUS_VALUE)]
        region_values = theirs.set_index(["indicator_id", "period"])["value"]
        keys = pd.MultiIndex.from_arrays([out["indicator_id"], out["period"]])
        out["region_value"] = out["region_value"].fillna(
            pd.Series(region_values.reindex(keys).to_numpy(), index=out.index))
    enough = out["n_councils"].ge(MIN_COUNCILS_FOR_RANGE)
    out["range_basis"] = np.select(
        [enough, out["region_min"].notna()], [RANGE_COUNCILS, RANGE_REGIONS], RANGE_NONE)
    out["centre"] = out["england_value"].fillna(out["council_median"])
    out["centre_basis"] = np.where(out["england_value"].notna(), "England",
                                   np.where(out["centre"].notna(), "median of councils", ""))
    out["state"] = [_state(s, r) for s, r in zip(out["status"], out["status_reason"],
                                                  strict=True)]
    for column in ("vs_england", "vs_region"):
        out[column] = out[column].fillna("")
    trends = _trend_words(every_value(engine), defs, code, region)
    for column, level in (("trend", "council"), ("region_trend", "region")):
        words = trends.get(level, {})
        out[column] = [words.get(i, "") for i in out["indicator_id"]]
    return out.reset_index(drop=True)[[
        "indicator_id", "title", "short_title", "group", "group_label", "unit", "polarity",
        "period", "survey", "value", "lower", "upper", "numerator", "denominator", "status",
        "status_reason", "state", "england_value", "region_value", "vs_england", "vs_region",
        "n_councils", "council_min", "council_q25", "council_median", "council_q75",
        "council_max", "region_min", "region_max", "range_basis", "centre", "centre_basis",
        "rank", "trend", "region_trend", "source", "synthetic"]]


def _trend_words(every: pd.DataFrame, defs: pd.DataFrame, code: str,
                 region: str | None) -> dict[str, dict[str, str]]:
    """Latest trend word of each indicator for the council and for its region."""
    mine = every.loc[every["area_code"].isin([code, region])]
    trends = wave_trends(mine, defs)
    if trends.empty:
        return {}
    last = trends.sort_values("to_period").groupby(["indicator_id", "area_code"]).tail(1)
    return {level: dict(zip(rows["indicator_id"], rows["trend"], strict=True))
            for level, rows in last.groupby("area_level")}


def table_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Return the spine's figures as display text, one row per indicator (the chart's table).

    Parameters
    ----------
    rows : pandas.DataFrame
        Output of :func:`spine_rows` (any subset of its rows).

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, indicator, period, value, interval, count`` (organisations: "4 of 5"
        for a share, "5" for a mean), ``england, region,
        vs_england, vs_region, trend, rank``: the value (or the state in words), the 95 %
        interval, numerator / denominator, England (or the councils' median, so labelled),
        region, benchmark words ("not compared" when there is none) and the wave trend (or
        why there is none, with the region's trend); ``rank`` among councils ("12 of 150",
        1 = highest; "" without a value).
    """
    out = []
    for r in rows.itertuples(index=False):
        has_value = r.status == STATUS_VALUE
        if pd.notna(r.england_value):
            england = number_text(r.england_value, r.unit)
        elif pd.notna(r.centre):
            england = f"not loaded (median of councils {number_text(r.centre, r.unit)})"
        else:
            england = "not loaded"
        if r.trend:
            trend = r.trend
        elif r.survey:
            trend = "no council trend" + (f" (region: {r.region_trend})" if r.region_trend
                                          else "")
        else:
            trend = "one period only"
        out.append({
            "indicator_id": r.indicator_id, "indicator": r.title, "period": r.period,
            "value": number_text(r.value, r.unit) if has_value else r.state,
            "interval": _interval_text(r.lower, r.upper, r.unit) if has_value else "",
            "count": _count_text(r.numerator, r.denominator, r.unit) if has_value else "",
            "england": england,
            "region": number_text(r.region_value, r.unit) if pd.notna(r.region_value)
            else "not loaded",
            "vs_england": r.vs_england or "not compared",
            "vs_region": r.vs_region or "not compared",
            "trend": trend,
            "rank": f"{int(r.rank)} of {r.n_councils}" if has_value and pd.notna(r.rank) else "",
        })
    return pd.DataFrame(out, columns=["indicator_id", "indicator", "period", "value",
                                      "interval", "count", "england", "region", "vs_england",
                                      "vs_region", "trend", "rank"])


@cached
def trend_table(engine: Engine, code: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Return each survey indicator's change between the last two waves: council and region.

    Returns
    -------
    pandas.DataFrame
        One row per survey indicator, in page order: ``indicator_id, indicator, unit,
        from_period, to_period``; the council's ``council_from, council_to, council_change,
        council_lower, council_upper, council_trend`` (NaN / "" when it has no pair of values)
        and ``council_why`` (the state in each wave when it has none); the same ``region_*``
        columns (without ``why``) for its region.
    """
    defs = catalogue(engine)
    survey = defs.loc[defs["domain"].ne(CONTEXT_DOMAIN)]
    region = councils(data_dir).set_index("code").at[code, "region_code"]
    every = every_value(engine)
    mine = every.loc[every["area_code"].isin([code, region])
                     & every["indicator_id"].isin(survey["indicator_id"])]
    periods = sorted(mine["period"].unique())[-2:]
    trends = wave_trends(mine.loc[mine["period"].isin(periods)], defs)
    # Looked up by key in the loop below: a boolean filter per indicator cost 20 times more.
    change_of = {}
    for change in trends.to_dict("records"):
        change_of.setdefault((change["indicator_id"], change["area_code"]), change)
    own = mine.loc[mine["area_code"].eq(code)]
    status_of = dict(zip(zip(own["indicator_id"], own["period"], strict=True), own["status"],
                         strict=True))
    rows = []
    order = spine_rows_order(survey)
    for r in survey.set_index("indicator_id").loc[order].reset_index().itertuples(index=False):
        row: dict[str, Any] = {"indicator_id": r.indicator_id, "indicator": r.title,
                               "unit": r.unit, "from_period": periods[0] if periods else "",
                               "to_period": periods[-1] if periods else ""}
        for level, area in (("council", code), ("region", region)):
            first = change_of.get((r.indicator_id, area))
            for name in ("from_value", "to_value", "change", "lower", "upper"):
                key = f"{level}_{name.replace('_value', '')}"
                row[key] = float(first[name]) if first is not None else np.nan
            row[f"{level}_trend"] = first["trend"] if first is not None else ""
        row["council_why"] = "" if row["council_trend"] else "; ".join(
            f"{p}: " + (_state(status_of[r.indicator_id, p], "") or "value")
            if (r.indicator_id, p) in status_of else f"{p}: no figure" for p in periods)
        rows.append(row)
    return pd.DataFrame(rows)


def spine_rows_order(defs: pd.DataFrame) -> list[str]:
    """Return indicator ids in page order: by spine group, then catalogue order."""
    labels = list(group_labels())
    order = _group(defs).map({g: i for i, g in enumerate(labels)}).fillna(len(labels))
    return list(defs.assign(_o=order).sort_values(["_o", "sort_order"], kind="stable")
                ["indicator_id"])


def neighbour_list(code: str, data_dir: Path | None = None,
                   k: int = DEFAULT_K) -> pd.DataFrame:
    """Return the council's ``k`` statistical neighbours with names and regions.

    Returns
    -------
    pandas.DataFrame
        ``rank, code, name, council_type, region_name, distance``, most similar first.
    """
    found = neighbours_of(code, k=k, data_dir=data_dir)
    names = councils(data_dir)
    out = found.merge(names, left_on="neighbour_code", right_on="code", how="left",
                      validate="1:1")
    return out[["rank", "code", "name", "council_type", "region_name", "distance"]]


@cached
def neighbour_comparison(engine: Engine, code: str, data_dir: Path | None = None,
                         indicators: tuple[str, ...] = NEIGHBOUR_INDICATORS,
                         k: int = DEFAULT_K) -> pd.DataFrame:
    """Compare the council with its statistical neighbours on a few key indicators.

    Parameters
    ----------
    engine : Engine
    code : str
    data_dir : Path, optional
    indicators : tuple of str
        Indicator ids (latest period each); ids that are not loaded are skipped.
    k : int

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, indicator, unit, period, value`` (the council's, NaN without one),
        ``state``, ``neighbours_median, neighbours_min, neighbours_max`` (over the neighbours
        with a value), ``n_with_value`` (of the council and its ``k`` neighbours), ``rank``
        (the council's among them, 1 = highest; NaN without a value).
    """
    group = [code, *neighbour_list(code, data_dir, k)["code"]]
    defs = catalogue(engine).set_index("indicator_id")
    wanted = [i for i in indicators if i in defs.index]
    every = every_value(engine)
    values = latest_period(every.loc[every["area_level"].eq("council")
                                     & every["indicator_id"].isin(wanted)])
    values = values.loc[values["area_code"].isin(group)]
    rows = []
    for indicator in wanted:
        mine = values.loc[values["indicator_id"] == indicator].set_index("area_code")
        valued = mine.loc[mine["status"] == STATUS_VALUE, "value"]
        others = valued.drop(index=code, errors="ignore")
        own = valued.get(code, np.nan)
        status = mine.at[code, "status"] if code in mine.index else "missing"
        reason = mine.at[code, "status_reason"] if code in mine.index else ""
        rows.append({
            "indicator_id": indicator, "indicator": defs.at[indicator, "short_title"],
            "unit": defs.at[indicator, "unit"],
            "period": mine["period"].iloc[0] if len(mine) else "",
            "value": own, "state": _state(status, reason),
            "neighbours_median": others.median() if len(others) else np.nan,
            "neighbours_min": others.min() if len(others) else np.nan,
            "neighbours_max": others.max() if len(others) else np.nan,
            "n_with_value": len(valued),
            "rank": float((valued > own).sum() + 1) if pd.notna(own) else np.nan,
        })
    return pd.DataFrame(rows)


@cached
def innovations_in(engine: Engine, code: str, year: int | None = None) -> pd.DataFrame:
    """Return the innovations recorded in the council (in use in ``year`` first).

    Returns
    -------
    pandas.DataFrame
        ``innovation_id, name, start_year, end_year, in_use`` (bool, in ``year``; default this
        year), ``source, synthetic`` (the council row is demo data); in use first, then name.
    """
    year = innovation_views.current_year() if year is None else year
    items, places = innovation_views.inventory(engine)
    mine = places.loc[places["council_code"] == code]
    mine = mine.assign(in_use=innovation_views.in_use(mine, year).to_numpy(dtype=bool))
    out = mine.merge(items[["innovation_id", "name"]], on="innovation_id", validate="m:1")
    out = out.sort_values(["in_use", "name"], ascending=[False, True], ignore_index=True)
    return out[["innovation_id", "name", "start_year", "end_year", "in_use", "source",
                "synthetic"]]


@cached
def support_covering(engine: Engine, code: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Return the support organisations whose coverage includes the council.

    A national row covers every council, a region row the councils of that region, a council
    row that council; each organisation is listed once, at its most local covering row.

    Returns
    -------
    pandas.DataFrame
        ``org_id, name, support_type, level`` (national / region / council), ``synthetic``
        (the covering row is demo data); local first, then national, by name.
    """
    region = councils(data_dir).set_index("code").at[code, "region_code"]
    orgs, coverage = survey_store.read_inventory(engine, "infrastructure")
    covering = coverage.loc[coverage["area_level"].eq("national")
                            | (coverage["area_level"].eq("region")
                               & coverage["area_code"].eq(region))
                            | (coverage["area_level"].eq("council")
                               & coverage["area_code"].eq(code))]
    depth = {"council": 0, "region": 1, "national": 2}
    covering = covering.assign(_depth=covering["area_level"].map(depth))
    covering = covering.sort_values("_depth", kind="stable").drop_duplicates("org_id")
    out = covering.merge(orgs[["org_id", "name", "support_type"]], on="org_id",
                         validate="1:1").rename(columns={"area_level": "level"})
    out = out.sort_values(["_depth", "name"], ignore_index=True)
    return out[["org_id", "name", "support_type", "level", "synthetic"]]


def is_synthetic(source: str) -> bool:
    """Return True when a figure's source says it is synthetic demo data."""
    return isinstance(source, str) and SYNTHETIC_LABEL in source


def regional_trend_only(trends: pd.DataFrame) -> bool:
    """Return True when no survey indicator has a council trend (only regions' can be shown)."""
    return trends.empty or not trends["council_trend"].astype(bool).any()

