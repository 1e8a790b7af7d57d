"""The map page's view model: what to draw for an indicator, and the view state in the URL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
from sqlalchemy.engine import Engine

from sasci_map import indicators
from sasci_map.cache import cached
from sasci_map.choropleth import categorical_colouring, layered_state, map_state, zoom_updates
from sasci_map.classing import COLOUR_MODES, QUANTILES
from sasci_map.geography import region_bounds, regions
from sasci_map.map_hover import text_hover
from sasci_map.map_modes import (
    COVERAGE_BOTH,
    COVERAGE_COUNCIL,
    COVERAGE_LABELS,
    COVERAGE_PROVIDERS,
    VIEW_COVERAGE,
    VIEW_POOLED,
    VIEW_VALUES,
    VIEWS,
    council_values,
    coverage_frame,
    periods_of,
    pooled_frame,
    region_values,
    resolve_period,
    survey_waves,
    wave_is_synthetic,
)
from sasci_map.palette import (
    BENCHMARK_LABELS,
    SEQUENTIAL_5,
    STATUS_LABELS,
    STATUS_MISSING,
    STATUS_NO_RESPONSE,
    STATUS_SUPPRESSED,
    STATUS_VALUE,
)
from sasci_map.tidy import SYNTHETIC_LABEL

#: The view a first-time visitor sees: the share of people aged 65 and over, a real ONS figure.
DEFAULT_INDICATOR = "pct_65_plus"
#: Region selector value meaning "all of England".
ALL_ENGLAND = "E92000001"
#: Longest query parameter value accepted from a URL (ids and codes are far shorter).
MAX_PARAM_LENGTH = 80


@dataclass(frozen=True)
class ViewState:
    """What the URL of the map page encodes."""

    indicator: str
    method: str = QUANTILES
    region: str = ALL_ENGLAND
    council: str = ""
    wave: str = ""
    view: str = VIEW_VALUES

    def query_string(self) -> str:
        """Return ``?indicator=...`` with the wave, and the other parts that are not defaults."""
        params = {"indicator": self.indicator}
        if self.wave:
            params["wave"] = self.wave
        if self.method != QUANTILES:
            params["classes"] = self.method
        if self.view != VIEW_VALUES:
            params["view"] = self.view
        if self.region != ALL_ENGLAND:
            params["region"] = self.region
        if self.council:
            params["council"] = self.council
        return "?" + urlencode(params)


def valid_choices(indicator_id: object, method: object, region: object, view: object,
                  indicator_ids: set[str], data_dir: Path | None = None) -> bool:
    """Whether a map callback's inputs are values the page's own controls can send.

    Anything else (a hand-made request, a group heading of the indicator list) is refused
    before any work is done, instead of failing inside the computation.
    """
    return (indicator_id in indicator_ids and method in COLOUR_MODES and view in VIEWS
            and (region == ALL_ENGLAND or region in set(regions(data_dir)["code"])))


def parse_view_state(params: dict, indicator_ids: list[str], data_dir: Path | None = None,
                     periods: dict[str, list[str]] | None = None) -> ViewState:
    """Read a ViewState from URL query parameters, falling back to defaults for bad values.

    Parameters
    ----------
    params : dict
        Query parameters as Dash pages pass them to ``layout(**kwargs)``.
    indicator_ids : list of str
        Ids of the loaded indicators, in catalogue order.
    data_dir : Path, optional
    periods : dict, optional
        Periods of each indicator; a wave not among the chosen indicator's becomes its latest
        (with no periods given, the wave is kept as written, if short and printable).
    """
    def clean(key: str) -> str:
        value = params.get(key) or ""
        return value.strip()[:MAX_PARAM_LENGTH] if isinstance(value, str) else ""

    fallback = DEFAULT_INDICATOR if DEFAULT_INDICATOR in indicator_ids else (
        indicator_ids[0] if indicator_ids else "")
    indicator = clean("indicator")
    indicator = indicator if indicator in indicator_ids else fallback
    method = clean("classes")
    region = clean("region")
    view = clean("view")
    wave = clean("wave")
    if periods is not None:
        wave = resolve_period(periods.get(indicator, []), wave)
    elif not wave.replace("-", "").isalnum():
        wave = ""
    region_codes = set(regions(data_dir)["code"])
    council = clean("council").upper()
    return ViewState(
        indicator=indicator,
        method=method if method in COLOUR_MODES else QUANTILES,
        region=region if region in region_codes else ALL_ENGLAND,
        council=council if council.isalnum() else "",
        wave=wave,
        view=view if view in VIEWS else VIEW_VALUES,
    )


def region_options(data_dir: Path | None = None) -> list[dict]:
    """Return the region selector's options: England first, then the 9 regions by name."""
    regs = regions(data_dir).sort_values("name")
    return [{"label": "England (all regions)", "value": ALL_ENGLAND}] + [
        {"label": r.name, "value": r.code} for r in regs.itertuples(index=False)
    ]


def zoom_for(region: str, data_dir: Path | None = None) -> list:
    """Return the figure updates that zoom to ``region`` (England for ``ALL_ENGLAND``)."""
    if region == ALL_ENGLAND:
        return zoom_updates(None)
    return zoom_updates(region_bounds(region, data_dir))


def _nan_to_none(value):
    return None if value is None or pd.isna(value) else value


def _benchmark_label(word: str, status: str) -> str:
    if status != STATUS_VALUE:
        return ""
    return BENCHMARK_LABELS[word or ""]


@dataclass(frozen=True)
class MapView:
    """Everything the map page shows for one indicator, wave, colouring and view."""

    definition: dict
    frame: pd.DataFrame
    state: dict
    view: str = VIEW_VALUES
    period: str = ""
    periods: tuple[str, ...] = ()
    regions: pd.DataFrame | None = None

    @property
    def synthetic(self) -> bool:
        """True when the mapped figures come from synthetic demo data."""
        return SYNTHETIC_LABEL in str(self.definition.get("source", ""))

    @property
    def caption(self) -> str:
        """A text description of the map, for screen readers and the page."""
        d, c, n = self.definition, self.state["counts"], len(self.frame)
        states = (f"{c[STATUS_SUPPRESSED]} suppressed; {c[STATUS_NO_RESPONSE]} no response; "
                  f"{c[STATUS_MISSING]} not available")
        demo = " Synthetic demo data." if self.synthetic else ""
        if self.view == VIEW_COVERAGE:
            took = self.frame["coverage"].value_counts()
            return (f"Who took part in survey wave {self.period or '(none loaded)'}: "
                    f"{self.state['n_value']} of {n} councils had at least one organisation "
                    f"taking part ({took.get(COVERAGE_BOTH, 0)} council and providers, "
                    f"{took.get(COVERAGE_COUNCIL, 0)} council only, "
                    f"{took.get(COVERAGE_PROVIDERS, 0)} providers only); "
                    f"{c[STATUS_NO_RESPONSE]} had none.{demo}")
        if self.view == VIEW_POOLED:
            return (f"{d['title']} ({self.period}), each council coloured by its region's "
                    f"pooled figure (all responding organisations of the region). "
                    f"{self.state['n_value']} of {n} councils are in a region with a value; "
                    f"{states}. Colours: {self.state['method_title'] or 'none'}. "
                    f"Source: {d['source']}.")
        return (f"{d['title']} ({self.period}), by council. {self.state['n_value']} of {n} "
                f"councils have a value; {states}. Colours: "
                f"{self.state['method_title'] or 'none'}. Source: {d['source']}.")

    def table_rows(self, region: str = ALL_ENGLAND) -> list[dict]:
        """Return the rows of the table beside the map (of ``region``): councils, or regions."""
        if self.view == VIEW_POOLED and self.regions is not None:
            regs = self.regions
            if region != ALL_ENGLAND:
                regs = regs.loc[regs["region_code"] == region]
            return [
                {"code": r.region_code, "region": r.region_name, "councils": int(r.n_councils),
                 "value": _nan_to_none(r.value), "lower": _nan_to_none(r.lower),
                 "upper": _nan_to_none(r.upper), "denominator": _nan_to_none(r.denominator),
                 "status": STATUS_LABELS[r.status],
                 "vs_england": _benchmark_label(r.vs_england, r.status),
                 "reason": r.status_reason}
                for r in regs.itertuples(index=False)
            ]
        frame = self.frame
        if region != ALL_ENGLAND:
            frame = frame.loc[frame["region_code"] == region]
        if self.view == VIEW_COVERAGE:
            return [
                {"code": r.code, "council": r.name, "region": r.region_name,
                 "coverage": COVERAGE_LABELS[r.coverage], "council_orgs": int(r.council_orgs),
                 "provider_orgs": int(r.provider_orgs), "organisations": int(r.organisations),
                 "respondents": int(r.respondents)}
                for r in frame.itertuples(index=False)
            ]
        return [
            {"code": r.code, "council": r.name, "region": r.region_name,
             "value": _nan_to_none(r.value), "lower": _nan_to_none(r.lower),
             "upper": _nan_to_none(r.upper),
             "rank": None if pd.isna(r.rank) else int(r.rank),
             "denominator": _nan_to_none(r.denominator), "status": STATUS_LABELS[r.status],
             "vs_england": _benchmark_label(r.vs_england, r.status), "reason": r.status_reason}
            for r in frame.itertuples(index=False)
        ]


#: What the coverage view's definition line says.
COVERAGE_DEFINITION = {
    "title": "Response coverage of the SASCI survey",
    "short_title": "Who took part",
    "definition": "Which councils' areas had organisations answering the survey wave: the "
                  "council itself, provider organisations, both or none. Organisations are "
                  "counted once however many of their staff responded.",
    "unit": "organisations", "polarity": "neutral",
}


def coverage_state(frame: pd.DataFrame, wave: str) -> dict:
    """Compute the coverage map: councils coloured by who took part, none on the no-response layer.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`sasci_map.map_modes.coverage_frame`.
    wave : str
        The wave shown (for the colour bar).
    """
    took_part = frame.loc[frame["status"] == STATUS_VALUE]
    order = [COVERAGE_BOTH, COVERAGE_COUNCIL, COVERAGE_PROVIDERS]
    colours = [SEQUENTIAL_5[-1], SEQUENTIAL_5[2], SEQUENTIAL_5[0]]
    colouring = categorical_colouring(took_part["coverage"].tolist(), order, colours,
                                      [COVERAGE_LABELS[c] for c in order],
                                      f"Who took part, wave {wave}")
    colouring["ticktext"] = ["Council + providers", "Council only", "Providers only"]
    colouring["colorbar_title"] = f"Who took part<br><sup>wave {wave}</sup>"
    hover = [f"{COVERAGE_LABELS[r.coverage]}<br>council organisation: "
             f"{'yes' if r.council_orgs else 'no'}; provider organisations: {r.provider_orgs}"
             f"<br>{r.respondents} respondents" for r in took_part.itertuples(index=False)]
    state = layered_state(frame, took_part["code"].tolist(), text_hover(hover), colouring)
    state["unit"] = "organisations"
    return state


@cached
def build_map_view(engine: Engine, indicator_id: str, method: str = QUANTILES,
                   data_dir: Path | None = None, period: str | None = None,
                   view: str = VIEW_VALUES) -> MapView:
    """Compute the map of one indicator (or the survey's coverage): frame, colours, legend.

    Parameters
    ----------
    engine : Engine
    indicator_id : str
    method : str
        One of ``sasci_map.classing.COLOUR_MODES``.
    data_dir : Path, optional
    period : str, optional
        Survey wave or context period; the indicator's latest when omitted or not stored.
    view : str
        One of ``sasci_map.map_modes.VIEWS``.
    """
    definition = indicators.definition(engine, indicator_id)
    if view == VIEW_COVERAGE:
        waves = survey_waves(engine)
        wave = resolve_period(waves, period)
        frame = coverage_frame(engine, wave, data_dir)
        synthetic = wave_is_synthetic(engine, wave)
        source = "SASCI survey" + (f" ({SYNTHETIC_LABEL})" if synthetic else "")
        return MapView(definition={**COVERAGE_DEFINITION, "period": f"wave {wave}",
                                   "source": source},
                       frame=frame, state=coverage_state(frame, wave), view=view,
                       period=wave, periods=tuple(waves))
    periods = periods_of(engine, indicator_id)
    chosen = resolve_period(periods, period)
    definition = {**definition, "period": chosen or definition["period"]}
    if view == VIEW_POOLED:
        regs = region_values(engine, indicator_id, chosen, data_dir)
        frame = pooled_frame(engine, indicator_id, chosen, data_dir)
        basis = regs.loc[regs["status"] == STATUS_VALUE, "value"]
        state = map_state(frame, definition, method, basis=basis,
                          value_label="Region value, pooled")
        return MapView(definition=definition, frame=frame, state=state, view=view,
                       period=chosen, periods=tuple(periods), regions=regs)
    frame = council_values(engine, indicator_id, chosen or None, data_dir)
    return MapView(definition=definition, frame=frame,
                   state=map_state(frame, definition, method), view=VIEW_VALUES,
                   period=chosen, periods=tuple(periods))


#: Value prefix of the indicator selector's disabled group headings (never a real indicator id).
DOMAIN_HEADING_PREFIX = "domain:"


def indicator_options(catalogue: pd.DataFrame) -> list[dict]:
    """Return the indicator selector's options, grouped by domain under disabled headings.

    Domains come in the order of ``indicators.DOMAIN_LABELS`` (others after, by name); each
    heading is a disabled option, so the list reads as groups and stays one flat, keyboard-
    navigable list. Every option carries a ``search`` text with its domain, so typing
    "barriers" finds the barrier indicators. The dropdown searches an option's label, value and
    ``search`` together, so ``search`` holds only the domain: repeating the label there would
    only make the browser index the same words twice.
    """
    order = list(indicators.DOMAIN_LABELS)
    domains = sorted(catalogue["domain"].unique(),
                     key=lambda d: (order.index(d) if d in order else len(order), d))
    options: list[dict] = []
    for domain in domains:
        heading = indicators.DOMAIN_LABELS.get(domain, domain.replace("_", " ").capitalize())
        options.append({"label": f"— {heading} —", "value": DOMAIN_HEADING_PREFIX + domain,
                        "disabled": True, "search": heading})
        for r in catalogue.loc[catalogue["domain"] == domain].itertuples(index=False):
            label = r.label if SYNTHETIC_LABEL in r.source else f"{r.source} · {r.label}"
            options.append({"label": label, "value": r.indicator_id,
                            "search": heading})
    return options


@cached
def indicator_choices(engine: Engine) -> list[dict]:
    """Return :func:`indicator_options` of the loaded catalogue (cached per dataset)."""
    return indicator_options(indicators.catalogue(engine))
