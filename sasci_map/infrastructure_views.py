"""Support infrastructure as the pages show it: organisations, council coverage, use, deserts."""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from sasci_map import db, survey_store
from sasci_map.geography import councils, regions
from sasci_map.inventory import LIST_SEP, typology
from sasci_map.map_hover import format_value

KIND = "infrastructure"
#: The survey indicator of reported use of any support, and the stem of the per-type ones
#: (``support_used_<support_type code>``; the type codes are those of the typology).
USE_ANY = "support_used_any"
USE_PREFIX = "support_used_"
#: Coverage levels, widest first; an organisation counts once per council, at its most local row.
LEVELS = ("national", "region", "council")
#: A council's coverage is "low" when at most this share of councils have as few or fewer
#: regional and local organisations (the bottom quintile; ties never push the group past it).
DESERT_QUANTILE = 0.2
#: Councils or regions named in a coverage summary before it switches to a count.
MAX_NAMED_AREAS = 3
COUNCIL_BASIS = "council figure"
NO_FIGURE = "no figure (council and region have no value)"
DESERT_RULE = (
    "A council is flagged as an infrastructure desert when both hold: (1) low coverage: it is "
    "in the bottom quintile of regional and local support organisations covering it (national "
    "bodies are left out, since they cover every council), meaning at most 20% of councils "
    "have as few or fewer; and (2) low reported use: its share of organisations that used any "
    "innovation support (survey, latest wave) is below England's figure. The council's own "
    "figure is used when it has one; otherwise its region's figure (council figures are mostly "
    "suppressed, fewer than 5 responding organisations). Point estimates are compared, not "
    "intervals: a difference of a few points is not statistically significant.")


def _labels(name: str, data_dir: Path | None) -> pd.Series:
    return typology(name, data_dir).set_index("code")["label"]


def _codes(cell: str) -> list[str]:
    return [c for c in str(cell).split(LIST_SEP) if c]


def _named(names: list[str], noun: str) -> str:
    if len(names) <= MAX_NAMED_AREAS:
        return ", ".join(names)
    return f"{len(names)} {noun}"


def _coverage_summary(rows: list[tuple[str, str]], names: dict[str, str]) -> str:
    """Summarise ``(area_level, area_code)`` rows: England, then regions, then councils."""
    parts = ["England (national)"] if any(level == "national" for level, _ in rows) else []
    for level, noun in (("region", "regions"), ("council", "councils")):
        codes = sorted(names.get(code, code) for lev, code in rows if lev == level)
        if codes:
            parts.append(_named(codes, noun))
    return "; ".join(parts) or "no coverage recorded"


def organisation_table(engine: Engine, data_dir: Path | None = None,
                       support_type: str | None = None, function: str | None = None,
                       search: str = "") -> pd.DataFrame:
    """Return the support organisations with labels and a coverage summary, filtered.

    Parameters
    ----------
    engine : Engine
    data_dir : Path, optional
        Bundled data folder (typologies, area names).
    support_type, function : str, optional
        Keep only organisations of this type code / with this function code.
    search : str
        Keep only organisations whose id, name, description, type or function labels contain
        this text (case-insensitive); blank keeps all.

    Returns
    -------
    pandas.DataFrame
        One row per organisation, in name order: ``org_id, name, support_type, type_label,
        functions, function_labels, coverage, website, synthetic, coverage_synthetic``
        (``synthetic``: the organisation record is demo data; ``coverage_synthetic``: at least
        one of its coverage rows is).
    """
    orgs, coverage = survey_store.read_inventory(engine, KIND)
    types, functions = _labels("support_type", data_dir), _labels("support_function", data_dir)
    names = {**dict(zip(*regions(data_dir)[["code", "name"]].T.values, strict=True)),
             **dict(zip(*councils(data_dir)[["code", "name"]].T.values, strict=True))}
    places: dict[str, list[tuple[str, str]]] = {}
    demo: dict[str, bool] = {}
    for org, level, code, synthetic in coverage[["org_id", "area_level", "area_code",
                                                 "synthetic"]].itertuples(index=False):
        places.setdefault(org, []).append((level, code))
        demo[org] = demo.get(org, False) or bool(synthetic)
    out = orgs.assign(
        type_label=orgs["support_type"].map(types),
        function_labels=[", ".join(functions.get(c, c) for c in _codes(cell))
                         for cell in orgs["functions"]],
        coverage=[_coverage_summary(places.get(o, []), names) for o in orgs["org_id"]],
        coverage_synthetic=[demo.get(o, False) for o in orgs["org_id"]],
        website=orgs["website"].fillna(""),
    )
    if support_type:
        out = out.loc[out["support_type"] == support_type]
    if function:
        out = out.loc[[function in _codes(cell) for cell in out["functions"]]]
    text = (search or "").strip().casefold()
    if text:
        haystack = out[["org_id", "name", "description", "type_label", "function_labels"]]
        out = out.loc[haystack.apply(lambda r: text in " ".join(r).casefold(), axis=1)]
    columns = ["org_id", "name", "support_type", "type_label", "functions", "function_labels",
               "coverage", "website", "synthetic", "coverage_synthetic"]
    return out.sort_values("name", key=lambda s: s.str.casefold())[columns].reset_index(drop=True)


def organisations_by_type(engine: Engine, data_dir: Path | None = None) -> pd.DataFrame:
    """Return how many organisations of each support type the inventory holds.

    Returns
    -------
    pandas.DataFrame
        ``support_type, type_label, organisations``: every type of the typology in its order,
        zero where the inventory has none.
    """
    orgs, _ = survey_store.read_inventory(engine, KIND)
    types = typology("support_type", data_dir)
    counts = orgs["support_type"].value_counts()
    return pd.DataFrame({"support_type": types["code"], "type_label": types["label"],
                         "organisations": types["code"].map(counts).fillna(0).astype(int)})


def coverage_counts(engine: Engine, support_type: str | None = None,
                    data_dir: Path | None = None) -> pd.DataFrame:
    """Count, for each of the 153 councils, the support organisations covering it.

    A national row covers every council, a region row the councils of that region, a council
    row that council. Each organisation counts once per council, at its most local covering
    row (ADASS, national with regional branches, counts as regional everywhere).

    Parameters
    ----------
    engine : Engine
    support_type : str, optional
        Count only organisations of this type code.
    data_dir : Path, optional

    Returns
    -------
    pandas.DataFrame
        ``code, name, region_code, region_name, national, regional, local, non_national,
        total, synthetic_rows`` sorted by code; ``non_national = regional + local``,
        ``total = national + non_national``; ``synthetic_rows``: how many of the counted
        organisations cover the council through a demo-data row.
    """
    orgs, coverage = survey_store.read_inventory(engine, KIND)
    if support_type:
        coverage = coverage.loc[coverage["org_id"].isin(
            orgs.loc[orgs["support_type"] == support_type, "org_id"])]
    places = councils(data_dir)[["code", "name", "region_code", "region_name"]]
    spans = []
    for level, key in (("national", None), ("region", "region_code"), ("council", "code")):
        rows = coverage.loc[coverage["area_level"] == level, ["org_id", "area_code", "synthetic"]]
        if key is None:  # a national row covers every council
            span = pd.DataFrame({
                "code": np.tile(places["code"].to_numpy(), len(rows)),
                "org_id": np.repeat(rows["org_id"].to_numpy(), len(places)),
                "synthetic": np.repeat(rows["synthetic"].to_numpy(dtype=bool), len(places))})
        else:
            left = places[list(dict.fromkeys(["code", key]))]
            span = left.merge(rows, left_on=key, right_on="area_code",
                              validate="m:m")[["code", "org_id", "synthetic"]]
        spans.append(span.assign(depth=LEVELS.index(level)))
    each = pd.concat(spans, ignore_index=True)
    each = each.sort_values("depth", kind="stable").drop_duplicates(["code", "org_id"],
                                                                    keep="last")
    counted = {depth: places["code"].map(each.loc[each["depth"] == depth].groupby("code").size())
               .fillna(0).astype(int).to_numpy() for depth in range(len(LEVELS))}
    synthetic = each.loc[each["synthetic"].astype(bool)].groupby("code").size()
    out = places.assign(national=counted[0], regional=counted[1], local=counted[2])
    out["non_national"] = out["regional"] + out["local"]
    out["total"] = out["national"] + out["non_national"]
    out["synthetic_rows"] = out["code"].map(synthetic).fillna(0).astype(int)
    return out.sort_values("code").reset_index(drop=True)


def _latest(engine: Engine, indicator_id: str) -> dict[str, pd.DataFrame]:
    """Return the council, region and England rows of the indicator's latest period."""
    levels = {level: db.read_values(engine, indicator_id, area_level=level)
              for level in db.AREA_LEVELS}
    periods = pd.concat([v["period"] for v in levels.values()])
    latest = periods.max() if len(periods) else ""
    return {level: v.loc[v["period"] == latest] for level, v in levels.items()}


def reported_use(engine: Engine, data_dir: Path | None = None,
                 support_type: str | None = None) -> pd.DataFrame:
    """Return each council's reported use of support: its own figure, else its region's.

    Council figures of the survey are mostly suppressed (fewer than 5 responding
    organisations) or missing (no response); such a council gets its region's figure,
    labelled ``"region figure (council suppressed)"`` or ``"(council no response)"``.

    Parameters
    ----------
    engine : Engine
    data_dir : Path, optional
    support_type : str, optional
        Use ``support_used_<type>`` instead of ``support_used_any``.

    Returns
    -------
    pandas.DataFrame
        ``code, name, region_code, region_name, indicator_id, period, council_status,
        council_value, region_value, value, basis, england_value, synthetic`` sorted by
        code; ``value`` (%) is NaN and ``basis`` says so when neither figure exists (also
        when no survey is loaded: ``period`` is then blank).
    """
    indicator = USE_PREFIX + support_type if support_type else USE_ANY
    places = councils(data_dir)[["code", "name", "region_code", "region_name"]]
    latest = _latest(engine, indicator)
    own, region, england = latest["council"], latest["region"], latest["england"]
    own = own.set_index("area_code")
    region = region.loc[region["status"] == db.STATUS_VALUE].set_index("area_code")["value"]
    england_value = (float(england["value"].iloc[0])
                     if len(england) and england["status"].iloc[0] == db.STATUS_VALUE
                     else math.nan)
    status_of = dict(zip(own.index, own["status"], strict=True))
    status = places["code"].map(lambda code: status_of.get(code, "no_response"))
    council_value = places["code"].map(own["value"]).where(status == db.STATUS_VALUE)
    region_value = places["region_code"].map(region).astype(float)
    use_own = council_value.notna()
    basis = np.where(use_own, COUNCIL_BASIS, np.where(
        region_value.notna(), "region figure (council " + status.str.replace("_", " ") + ")",
        NO_FIGURE))
    sources = pd.concat([v["source"] for v in latest.values()]).astype(str)
    return places.assign(
        indicator_id=indicator,
        period=str(england["period"].iloc[0]) if len(england) else "",
        council_status=status, council_value=council_value.astype(float),
        region_value=region_value, value=council_value.where(use_own, region_value),
        basis=basis, england_value=england_value,
        synthetic=bool(sources.str.contains("synthetic", regex=False).any()),
    ).reset_index(drop=True)


def bottom_quintile(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flag the values in the bottom quintile, ties at the cut-off left out.

    A value is flagged when at most :data:`DESERT_QUANTILE` of all values are less than or
    equal to it, so the flagged group never exceeds one fifth; when the lowest value is shared
    by more than a fifth of the councils, none is flagged (no council stands out as low).

    Parameters
    ----------
    counts : numpy.ndarray
        One count per council.

    Returns
    -------
    share, flagged : numpy.ndarray
        The share of values at or below each value, and whether it is in the bottom quintile.
    """
    counts = np.asarray(counts)
    share = (counts[None, :] <= counts[:, None]).mean(axis=1) if len(counts) else np.array([])
    return share, share <= DESERT_QUANTILE + 1e-12


def desert_flags(engine: Engine, data_dir: Path | None = None) -> pd.DataFrame:
    """Apply the infrastructure-desert rule to every council (see :func:`deserts`).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`coverage_counts` (all types) and ``share_at_or_below,
        low_coverage, use_value, use_basis, england_value, low_use, desert, reasons``.
    """
    counts = coverage_counts(engine, data_dir=data_dir)
    use = reported_use(engine, data_dir)
    share, low = bottom_quintile(counts["non_national"].to_numpy())
    out = counts.merge(use[["code", "value", "basis", "england_value", "synthetic"]],
                       on="code", validate="1:1")
    out = out.rename(columns={"value": "use_value", "basis": "use_basis",
                              "synthetic": "use_synthetic"})
    out["share_at_or_below"] = share
    out["low_coverage"] = low
    out["low_use"] = (out["use_value"] < out["england_value"]).fillna(False).astype(bool)
    out["desert"] = out["low_coverage"] & out["low_use"]
    out["reasons"] = [_reasons(r) for r in out.itertuples(index=False)]
    return out


def _reasons(row) -> str:
    coverage = (f"{row.non_national} regional or local organisations "
                f"({row.share_at_or_below:.0%} of councils have as few or fewer)")
    if math.isnan(row.use_value):
        use = "reported use unknown (no council or region figure)"
    else:
        relation = "below" if row.low_use else "not below"
        use = (f"reported use {format_value(row.use_value, '%')}, {row.use_basis}, {relation} "
               f"England's {format_value(row.england_value, '%')}")
    return f"{coverage}; {use}"


def deserts(engine: Engine, data_dir: Path | None = None,
            flags: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the councils flagged as infrastructure deserts, with the reasons.

    The rule: a council is a desert when both hold.

    1. Low coverage: counting only regional and local organisations (national bodies cover
       every council, so they cannot tell councils apart), at most
       :data:`DESERT_QUANTILE` (20%) of the 153 councils have as few or fewer organisations
       covering them: the bottom quintile, with councils tied at the cut-off left out so
       the group never exceeds one fifth.
    2. Low reported use: ``support_used_any`` (latest survey wave) is below England's value,
       using the council's own figure when it has one, else its region's figure (councils
       without either are never flagged). Point estimates are compared, not intervals.

    Parameters
    ----------
    engine : Engine
    data_dir : Path, optional
    flags : pandas.DataFrame, optional
        Output of :func:`desert_flags`, when the caller already has it.

    Returns
    -------
    pandas.DataFrame
        The flagged rows of :func:`desert_flags`, ordered by region and council name.
    """
    flags = desert_flags(engine, data_dir) if flags is None else flags
    return flags.loc[flags["desert"]].sort_values(["region_name", "name"]).reset_index(drop=True)


def council_table(engine: Engine, data_dir: Path | None = None,
                  support_type: str | None = None,
                  flags: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return one row per council: coverage (of ``support_type``), reported use, desert flag.

    This is the table beside the coverage map and the CSV it downloads; ``flags`` is the
    output of :func:`desert_flags` when the caller already has it.

    Returns
    -------
    pandas.DataFrame
        ``code, council, region, support_type, organisations, national, regional, local,
        coverage_demo_rows, use_indicator, use_period, reported_use_pct, use_basis,
        england_use_pct, use_synthetic, infrastructure_desert``.
    """
    counts = coverage_counts(engine, support_type, data_dir)
    use = reported_use(engine, data_dir, support_type)
    flags = (desert_flags(engine, data_dir) if flags is None else flags).set_index("code")
    out = counts.merge(use[["code", "indicator_id", "period", "value", "basis", "england_value",
                            "synthetic"]], on="code", validate="1:1")
    return pd.DataFrame({
        "code": out["code"], "council": out["name"], "region": out["region_name"],
        "support_type": support_type or "all", "organisations": out["total"],
        "national": out["national"], "regional": out["regional"], "local": out["local"],
        "coverage_demo_rows": out["synthetic_rows"], "use_indicator": out["indicator_id"],
        "use_period": out["period"], "reported_use_pct": out["value"],
        "use_basis": out["basis"], "england_use_pct": out["england_value"],
        "use_synthetic": out["synthetic"],
        "infrastructure_desert": out["code"].map(flags["desert"]).astype(bool),
    })


def demo_share(engine: Engine) -> dict[str, Any]:
    """Return how much of the infrastructure view rests on demo data.

    Returns
    -------
    dict
        ``coverage_rows``, ``synthetic_coverage_rows``, ``synthetic_organisations`` and
        ``survey_synthetic`` (the latest ``support_used_any`` figures are demo data).
    """
    orgs, coverage = survey_store.read_inventory(engine, KIND)
    england = _latest(engine, USE_ANY)["england"]
    return {"coverage_rows": len(coverage),
            "synthetic_coverage_rows": int(coverage["synthetic"].sum()),
            "synthetic_organisations": int(orgs["synthetic"].sum()),
            "survey_synthetic": bool(england["source"].str.contains("synthetic").any())}


def organisation_names(engine: Engine) -> dict[str, str]:
    """Return ``{org_id: name}`` of every stored support organisation (no coverage read)."""
    orgs, _coverage = survey_store.read_inventory(engine, KIND)
    return dict(zip(orgs["org_id"], orgs["name"], strict=True))


def organisation_detail(engine: Engine, org_id: str,
                        data_dir: Path | None = None) -> dict[str, Any] | None:
    """Return everything the page of one organisation shows, or None for an unknown id.

    Returns
    -------
    dict or None
        ``org_id, name, type_label, type_definition, functions`` (list of label/definition
        dicts), ``description, website`` (text, never fetched), ``synthetic, national``,
        ``regions`` and ``councils`` (lists of ``code, name, synthetic, source`` dicts;
        councils also ``region_name``), ``n_councils_covered``, ``coverage_synthetic``.
    """
    orgs, coverage = survey_store.read_inventory(engine, KIND)
    match = orgs.loc[orgs["org_id"] == org_id]
    if match.empty:
        return None
    org = match.iloc[0]
    types = typology("support_type", data_dir).set_index("code")
    functions = typology("support_function", data_dir).set_index("code")
    rows = coverage.loc[coverage["org_id"] == org_id]
    region_names = regions(data_dir).set_index("code")["name"]
    places = councils(data_dir).set_index("code")

    def areas(level: str, names: pd.Series, extra: str | None = None) -> list[dict]:
        picked = rows.loc[rows["area_level"] == level]
        return sorted(({"code": r.area_code, "name": names.get(r.area_code, r.area_code),
                        "synthetic": bool(r.synthetic), "source": r.source,
                        **({extra: places.at[r.area_code, extra]} if extra else {})}
                       for r in picked.itertuples(index=False)), key=lambda a: a["name"])

    return {
        "org_id": org["org_id"], "name": org["name"],
        "type_label": types.at[org["support_type"], "label"],
        "type_definition": types.at[org["support_type"], "definition"],
        "functions": [{"label": functions.at[c, "label"],
                       "definition": functions.at[c, "definition"]}
                      for c in _codes(org["functions"])],
        "description": org["description"],
        "website": "" if pd.isna(org["website"]) else str(org["website"]),
        "synthetic": bool(org["synthetic"]),
        "national": bool(rows["area_level"].eq("national").any()),
        "regions": areas("region", region_names),
        "councils": areas("council", places["name"], "region_name"),
        "n_councils_covered": len(_covered_codes(rows, places)),
        "coverage_synthetic": bool(rows["synthetic"].any()),
    }


def _covered_codes(rows: pd.DataFrame, places: pd.DataFrame) -> set[str]:
    if rows["area_level"].eq("national").any():
        return set(places.index)
    in_regions = places.index[places["region_code"].isin(
        rows.loc[rows["area_level"] == "region", "area_code"])]
    return set(in_regions) | set(rows.loc[rows["area_level"] == "council", "area_code"])


def suggest_organisations(engine: Engine, text: str, n: int = 5) -> list[dict[str, str]]:
    """Return up to ``n`` organisations whose id or name is close to ``text`` (difflib).

    Returns
    -------
    list of dict
        ``org_id, name``, best match first.
    """
    orgs, _ = survey_store.read_inventory(engine, KIND)
    wanted = (text or "").strip().casefold().replace("-", "_")
    keys = {**{o.casefold(): o for o in orgs["org_id"]},
            **{name.casefold(): o for o, name in zip(orgs["org_id"], orgs["name"], strict=True)}}
    found: list[str] = []
    for key in difflib.get_close_matches(wanted, list(keys), n=n * 2, cutoff=0.5):
        if keys[key] not in found:
            found.append(keys[key])
    names = orgs.set_index("org_id")["name"]
    return [{"org_id": o, "name": names[o]} for o in found[:n]]
