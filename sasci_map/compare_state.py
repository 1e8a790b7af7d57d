"""What the compare page's URL asks for: the indicator, wave, councils, axes and tab.

A commissioner compares a set of councils on one indicator in one period (wave): the council
with its statistical neighbours, all councils of a region, or any councils chosen by hand. The
URL carries that choice (so a link shares the view); :func:`parse_compare_state` reads it back,
falling back to defaults for anything unknown, and the selectors' options come from here too.
The figures for the chosen councils are ``sasci_map/compare_views.py``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy.engine import Engine

from sasci_map.geography import councils, regions
from sasci_map.indicators import DOMAIN_LABELS, catalogue, periods_by_indicator, values_of
from sasci_map.neighbours import DEFAULT_K, neighbours_of
from sasci_map.resolver import resolve_council
from sasci_map.tidy import SYNTHETIC_LABEL

NEIGHBOURS, REGION, COUNCILS = "neighbours", "region", "councils"
#: How the councils to compare are chosen, in the order the selector lists them.
MODES = {
    NEIGHBOURS: "A council and its 15 statistical neighbours",
    REGION: "All councils of a region",
    COUNCILS: "Councils I choose",
}
BARS, FUNNEL, SCATTER, TABLE = "bars", "funnel", "scatter", "table"
TABS = {BARS: "Ranked bars", FUNNEL: "Funnel plot", SCATTER: "Scatter", TABLE: "Table"}
#: The first view: a real ONS figure every council has, for a large, well-known council and
#: its neighbours (so a first visit shows a full chart, not a page of suppressed survey cells).
DEFAULT_INDICATOR = "pct_65_plus"
DEFAULT_COUNCIL = "E08000025"  # Birmingham
#: The scatter's default x axis: deprivation, the main driver of need after age.
DEFAULT_X = "imd_average_score"
FALLBACK_X = "pct_65_plus"
#: Longest single query parameter value accepted (ids and codes are far shorter)...
MAX_PARAM_LENGTH = 80
#: ...except the council list: 153 codes of 9 characters with commas.
MAX_COUNCILS_PARAM = 153 * 10
#: Resolver outcomes that name one council unambiguously (a URL may carry a name or old code).
RESOLVED = ("exact", "alias", "recoded", "district")


@dataclass(frozen=True)
class CompareState:
    """What the URL of the compare page encodes."""

    indicator: str
    wave: str
    mode: str = NEIGHBOURS
    council: str = DEFAULT_COUNCIL
    region: str = ""
    councils: tuple[str, ...] = ()
    x: str = DEFAULT_X
    y: str = DEFAULT_INDICATOR
    tab: str = BARS

    def query_string(self) -> str:
        """Return ``?indicator=..&wave=..`` with the active way of choosing councils, x, y, tab."""
        params = {"indicator": self.indicator, "wave": self.wave}
        if self.mode == NEIGHBOURS:
            params["neighbours"] = self.council
        elif self.mode == REGION:
            params["region"] = self.region
        else:
            params["councils"] = ",".join(self.councils)
        params.update({"x": self.x, "y": self.y, "tab": self.tab})
        return "?" + urlencode(params, safe=",")


def _clean(params: dict, key: str, limit: int = MAX_PARAM_LENGTH) -> str:
    value = params.get(key) or ""
    return value.strip()[:limit] if isinstance(value, str) else ""


def resolve_code(text: str, data_dir: Path | None = None) -> str:
    """Return the council code ``text`` names unambiguously (a code, name or old code), or ""."""
    if not text:
        return ""
    found = resolve_council(text, data_dir)
    return found.code if found.status in RESOLVED and found.code else ""


def parse_compare_state(params: dict, engine: Engine, data_dir: Path | None = None
                        ) -> CompareState:
    """Read a CompareState from URL query parameters; bad values fall back to defaults.

    ``councils=`` (a comma list) wins over ``neighbours=`` which wins over ``region=``; with
    none, the default is :data:`DEFAULT_COUNCIL` and its neighbours. Council parameters may be
    codes, names or old codes (resolved; ambiguous ones are dropped).
    """
    ids = catalogue(engine)["indicator_id"].tolist()
    periods = periods_by_indicator(engine)
    fallback = DEFAULT_INDICATOR if DEFAULT_INDICATOR in ids else (ids[0] if ids else "")
    indicator = _clean(params, "indicator")
    indicator = indicator if indicator in ids else fallback
    wave = _clean(params, "wave")
    known_periods = periods.get(indicator, [])
    wave = wave if wave in known_periods else (known_periods[-1] if known_periods else "")
    region_codes = set(regions(data_dir)["code"])
    chosen = [resolve_code(c.strip(), data_dir)
              for c in _clean(params, "councils", MAX_COUNCILS_PARAM).split(",")]
    chosen = tuple(dict.fromkeys(c for c in chosen if c))
    focus = resolve_code(_clean(params, "neighbours"), data_dir)
    region = _clean(params, "region").upper()
    if chosen:
        mode = COUNCILS
    elif focus:
        mode = NEIGHBOURS
    elif region in region_codes:
        mode = REGION
    else:
        mode = NEIGHBOURS
    focus = focus or (chosen[0] if chosen else DEFAULT_COUNCIL)
    if region not in region_codes:
        region = councils(data_dir).set_index("code").at[focus, "region_code"]
    y = _clean(params, "y")
    y = y if y in ids else indicator
    x = _clean(params, "x")
    default_x = DEFAULT_X if y != DEFAULT_X else FALLBACK_X
    x = x if x in ids else (default_x if default_x in ids else y)
    tab = _clean(params, "tab")
    return CompareState(indicator=indicator, wave=wave, mode=mode, council=focus,
                        region=region, councils=chosen or (focus,), x=x, y=y,
                        tab=tab if tab in TABS else BARS)


def chosen_councils(mode: str, council: str | None, region: str | None,
                    chosen: list[str] | tuple[str, ...] | None,
                    data_dir: Path | None = None) -> list[str]:
    """Return the codes of the councils to compare, in their natural order.

    Parameters
    ----------
    mode : str
        :data:`NEIGHBOURS` (the council first, then its 15 neighbours by similarity),
        :data:`REGION` (the region's councils by name) or :data:`COUNCILS` (as chosen).
    council, region, chosen
        The council, region code and chosen codes of each mode (the others are ignored).
    data_dir : Path, optional

    Returns
    -------
    list of str
        Council codes; unknown codes are left out; empty when nothing valid is chosen.
    """
    table = councils(data_dir)
    known = set(table["code"])
    if mode == NEIGHBOURS:
        if council not in known:
            return []
        near = neighbours_of(council, k=DEFAULT_K, data_dir=data_dir)["neighbour_code"]
        return [council, *near.tolist()]
    if mode == REGION:
        return table.loc[table["region_code"] == region].sort_values("name")["code"].tolist()
    return [c for c in dict.fromkeys(chosen or []) if c in known]


def selection_label(mode: str, codes: list[str], council: str | None, region: str | None,
                    data_dir: Path | None = None) -> str:
    """Describe the chosen councils in words ("Birmingham and its 15 statistical neighbours")."""
    names = councils(data_dir).set_index("code")["name"]
    if mode == NEIGHBOURS and codes:
        return f"{names[council]} and its {len(codes) - 1} statistical neighbours"
    if mode == REGION:
        region_names = regions(data_dir).set_index("code")["name"]
        return f"the {len(codes)} councils of {region_names.get(region, 'the region')}"
    return f"{len(codes)} chosen council{'s' if len(codes) != 1 else ''}"


def indicator_options(engine: Engine) -> list[dict]:
    """Return indicator selector options, grouped by domain ("Domain · title (period)")."""
    defs = catalogue(engine)
    order = {domain: i for i, domain in enumerate(DOMAIN_LABELS)}
    rows = sorted(defs.itertuples(index=False),
                  key=lambda r: (order.get(r.domain, len(order)), r.sort_order))
    return [{"label": f"{DOMAIN_LABELS.get(r.domain, r.domain)} · {r.label}",
             "value": r.indicator_id} for r in rows]


def wave_options(engine: Engine, indicator_id: str) -> list[dict]:
    """Return the periods of one indicator, newest first, survey waves marked as synthetic."""
    periods = periods_by_indicator(engine).get(indicator_id, [])
    source = values_of(engine, indicator_id)
    synthetic = set(source.loc[source["source"].str.contains(SYNTHETIC_LABEL, regex=False),
                               "period"])
    return [{"label": f"{p} ({SYNTHETIC_LABEL})" if p in synthetic else p, "value": p}
            for p in reversed(periods)]


def council_options(data_dir: Path | None = None) -> list[dict]:
    """Return the 153 councils as selector options, by name ("Name (region)")."""
    table = councils(data_dir).sort_values("name")
    return [{"label": f"{r.name} ({r.region_name})", "value": r.code}
            for r in table.itertuples(index=False)]
