"""Figures the map page draws besides one indicator's council values.

Three views of the map (``view=`` in its URL): the councils' own figures with their benchmark
against England, the region figures pooled over all organisations of a region (each council
coloured by its region: the only level at which provider-based indicators are reported), and
the survey's response coverage (which councils' organisations took part in a wave).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from sasci_map import comparison, indicators, survey_store
from sasci_map.cache import cached
from sasci_map.geography import councils, regions
from sasci_map.indicators import periods_of
from sasci_map.palette import STATUS_MISSING, STATUS_NO_RESPONSE, STATUS_VALUE

VIEW_VALUES = "values"
VIEW_POOLED = "pooled"
VIEW_COVERAGE = "coverage"
#: The map's views, with the name the selector shows.
VIEWS = {
    VIEW_VALUES: "Council figures",
    VIEW_POOLED: "Region figures, pooled (each council shows its region)",
    VIEW_COVERAGE: "Who took part in the survey wave (coverage)",
}
#: Benchmark columns :func:`comparison.benchmark` adds, carried into the map's frames.
BENCHMARK_COLUMNS = ["england_value", "vs_england", "region_value", "vs_region"]
#: Why a council has no pooled figure when its indicator has no region rows at all.
REASON_NO_REGION_FIGURE = "no region figure for this indicator (published for councils only)"

COVERAGE_BOTH = "council_and_providers"
COVERAGE_COUNCIL = "council_only"
COVERAGE_PROVIDERS = "providers_only"
COVERAGE_NONE = "none"
#: Coverage categories of a council in one wave, in legend order (most coverage first).
COVERAGE_LABELS = {
    COVERAGE_BOTH: "Council and provider organisations took part",
    COVERAGE_COUNCIL: "Only the council took part",
    COVERAGE_PROVIDERS: "Only provider organisations took part",
    COVERAGE_NONE: "No organisation took part",
}
COUNCIL_ORG = "council"
PROVIDER_ORG = "provider"


def survey_waves(engine: Engine) -> list[str]:
    """Return the imported survey waves as period text ("2023", "2025"), oldest first."""
    return [str(w) for w in survey_store.read_waves(engine)["wave"]]


def wave_is_synthetic(engine: Engine, wave: str) -> bool:
    """Return True when survey wave ``wave`` (period text) was loaded from synthetic demo data."""
    waves = survey_store.read_waves(engine)
    match = waves.loc[waves["wave"].astype(str) == str(wave), "synthetic"]
    return bool(match.iloc[0]) if len(match) else False


def resolve_period(periods: list[str], wanted: str | None) -> str:
    """Return ``wanted`` when it is one of ``periods``, else the latest ("" when none)."""
    if wanted in periods:
        return wanted
    return periods[-1] if periods else ""


def benchmarked(engine: Engine, indicator_id: str, period: str | None,
                data_dir: Path | None = None) -> pd.DataFrame:
    """Return one indicator's figures at every level (one period) with their England benchmark.

    Returns
    -------
    pandas.DataFrame
        The rows of ``db.read_values`` (all area levels) plus :data:`BENCHMARK_COLUMNS`
        (see :func:`sasci_map.comparison.benchmark`).
    """
    values = indicators.values_of(engine, indicator_id)
    if period is not None:
        values = values.loc[values["period"] == period]
    region_of = councils(data_dir).set_index("code")["region_code"]
    return comparison.benchmark(values, indicators.catalogue(engine), region_of)


def _benchmarks_at(bench: pd.DataFrame, level: str) -> pd.DataFrame:
    rows = bench.loc[bench["area_level"] == level, ["area_code", *BENCHMARK_COLUMNS]]
    return rows.rename(columns={"area_code": "code"})


def _fill_benchmarks(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("vs_england", "vs_region"):
        frame[column] = frame[column].fillna(comparison.NOT_COMPARED)
    return frame


@cached
def council_values(engine: Engine, indicator_id: str, period: str | None = None,
                   data_dir: Path | None = None) -> pd.DataFrame:
    """Return the 153 councils' figures of one indicator with their benchmark against England.

    Cached per process and dataset (``sasci_map.cache``): every colouring of the same figures
    reads them once.

    Returns
    -------
    pandas.DataFrame
        :func:`sasci_map.indicators.council_frame` (the latest period when ``period`` is
        None) plus :data:`BENCHMARK_COLUMNS`; ``vs_england`` is "" where not compared.
    """
    frame = indicators.council_frame(engine, indicator_id, data_dir, period)
    used = frame["period"].dropna()
    bench = benchmarked(engine, indicator_id, used.iloc[0] if len(used) else period, data_dir)
    out = frame.merge(_benchmarks_at(bench, "council"), on="code", how="left", validate="1:1")
    return _fill_benchmarks(out)


@cached
def region_values(engine: Engine, indicator_id: str, period: str | None = None,
                  data_dir: Path | None = None) -> pd.DataFrame:
    """Return the 9 regions' figures of one indicator in one period, benchmarked to England.

    Cached per process and dataset, as :func:`council_values`.

    Parameters
    ----------
    period : str, optional
        The period; the indicator's latest when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per region: ``region_code, region_name, n_councils, period, numerator,
        denominator, value, lower, upper, status, status_reason, source`` and
        :data:`BENCHMARK_COLUMNS`. A region without a stored figure is ``missing``.
    """
    period = resolve_period(periods_of(engine, indicator_id), period)
    bench = benchmarked(engine, indicator_id, period, data_dir)
    rows = bench.loc[bench["area_level"] == "region"].drop(columns=["indicator_id", "area_level"])
    regs = regions(data_dir)[["code", "name"]].rename(columns={"code": "region_code",
                                                              "name": "region_name"})
    size = councils(data_dir).groupby("region_code").size().rename("n_councils")
    out = regs.merge(size, left_on="region_code", right_index=True, how="left")
    out = out.merge(rows.rename(columns={"area_code": "region_code"}), on="region_code",
                    how="left", validate="1:1")
    absent = out["status"].isna()
    out.loc[absent, "status"] = STATUS_MISSING
    out.loc[absent, "status_reason"] = REASON_NO_REGION_FIGURE
    out.loc[absent, "period"] = period
    out["status_reason"] = out["status_reason"].fillna("")
    return _fill_benchmarks(out).sort_values("region_name").reset_index(drop=True)


def pooled_frame(engine: Engine, indicator_id: str, period: str | None = None,
                 data_dir: Path | None = None) -> pd.DataFrame:
    """Return the 153 councils, each carrying its region's pooled figure of one indicator.

    A region figure pools every responding organisation of the region, so it exists where a
    council's own figure is suppressed, and for provider-based indicators reported only for
    regions and England.

    Returns
    -------
    pandas.DataFrame
        ``code, name, council_type, region_code, region_name`` of each council plus the region
        row's columns from :func:`region_values`; ``rank`` is NaN (regions are not ranked on
        the council map).
    """
    area = councils(data_dir)[["code", "name", "council_type", "region_code", "region_name"]]
    region = region_values(engine, indicator_id, period, data_dir).drop(columns=["region_name"])
    out = area.merge(region, on="region_code", how="left", validate="m:1")
    out["rank"] = float("nan")
    return out


def coverage_frame(engine: Engine, wave: str | int | None, data_dir: Path | None = None
                   ) -> pd.DataFrame:
    """Return, for each of the 153 councils, who took part in one survey wave.

    Organisations are counted once however many of their staff responded; an organisation
    belongs to the council area its responses name.

    Parameters
    ----------
    wave : str or int, optional
        The wave ("2025"); the latest imported when None or not imported.

    Returns
    -------
    pandas.DataFrame
        ``code, name, council_type, region_code, region_name, wave, council_orgs,
        provider_orgs, organisations, respondents, coverage, status, status_reason``:
        ``coverage`` one of :data:`COVERAGE_LABELS`' keys; ``status`` is ``value`` where any
        organisation took part and ``no_response`` otherwise (how the map draws it).
    """
    waves = survey_waves(engine)
    chosen = resolve_period(waves, None if wave is None else str(wave))
    area = councils(data_dir)[["code", "name", "council_type", "region_code", "region_name"]]
    if chosen:
        responses = survey_store.read_responses(engine, int(chosen))[
            ["respondent_id", "org_id", "org_type", "council_code"]]
    else:
        responses = pd.DataFrame(columns=["respondent_id", "org_id", "org_type", "council_code"])
    orgs = responses.drop_duplicates(["council_code", "org_id"])

    def count(rows: pd.DataFrame) -> pd.Series:
        return rows.groupby("council_code").size()

    out = area.assign(wave=chosen)
    out["council_orgs"] = out["code"].map(count(orgs[orgs["org_type"] == COUNCIL_ORG]))
    out["provider_orgs"] = out["code"].map(count(orgs[orgs["org_type"] == PROVIDER_ORG]))
    out["respondents"] = out["code"].map(count(responses))
    for column in ("council_orgs", "provider_orgs", "respondents"):
        out[column] = out[column].fillna(0).astype(int)
    out["organisations"] = out["council_orgs"] + out["provider_orgs"]
    council, provider = out["council_orgs"] > 0, out["provider_orgs"] > 0
    out["coverage"] = COVERAGE_NONE
    out.loc[council & provider, "coverage"] = COVERAGE_BOTH
    out.loc[council & ~provider, "coverage"] = COVERAGE_COUNCIL
    out.loc[~council & provider, "coverage"] = COVERAGE_PROVIDERS
    took_part = out["coverage"] != COVERAGE_NONE
    out["status"] = STATUS_NO_RESPONSE
    out.loc[took_part, "status"] = STATUS_VALUE
    out["status_reason"] = ""
    out.loc[~took_part, "status_reason"] = (
        f"no council or provider organisation in this area took part in wave {chosen}"
        if chosen else "no survey wave is loaded")
    return out
