"""The map page's view model: what to draw for an indicator, and the view state in the URL."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
from sqlalchemy.engine import Engine

from sasci_map import indicators
from sasci_map.choropleth import map_state, zoom_updates
from sasci_map.classing import CLASS_METHODS, QUANTILES
from sasci_map.geography import region_bounds, regions

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

    def query_string(self) -> str:
        """Return ``?indicator=...`` with only the non-default parts after the indicator."""
        params = {"indicator": self.indicator}
        if self.method != QUANTILES:
            params["classes"] = self.method
        if self.region != ALL_ENGLAND:
            params["region"] = self.region
        if self.council:
            params["council"] = self.council
        return "?" + urlencode(params)


def parse_view_state(params: dict, indicator_ids: list[str], data_dir: Path | None = None
                     ) -> ViewState:
    """Read a ViewState from URL query parameters, falling back to defaults for bad values.

    Parameters
    ----------
    params : dict
        Query parameters as Dash pages pass them to ``layout(**kwargs)``.
    indicator_ids : list of str
        Ids of the loaded indicators, in catalogue order.
    data_dir : Path, optional
    """
    def clean(key: str) -> str:
        value = params.get(key) or ""
        return value.strip()[:MAX_PARAM_LENGTH] if isinstance(value, str) else ""

    fallback = DEFAULT_INDICATOR if DEFAULT_INDICATOR in indicator_ids else (
        indicator_ids[0] if indicator_ids else "")
    indicator = clean("indicator")
    method = clean("classes")
    region = clean("region")
    region_codes = set(regions(data_dir)["code"])
    return ViewState(
        indicator=indicator if indicator in indicator_ids else fallback,
        method=method if method in CLASS_METHODS else QUANTILES,
        region=region if region in region_codes else ALL_ENGLAND,
        council=clean("council").upper(),
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


@dataclass(frozen=True)
class MapView:
    """Everything the map page shows for one indicator."""

    definition: dict
    frame: pd.DataFrame
    state: dict

    @property
    def caption(self) -> str:
        """A one-sentence text description of the map, for screen readers and the page."""
        d = self.definition
        return (f"{d['title']} ({d['period']}), by council. {self.state['n_value']} of "
                f"{len(self.frame)} councils have a value; {self.state['n_missing']} have none "
                f"(grey). Classes: {self.state['method_title'] or 'none'}. Source: {d['source']}.")

    def table_rows(self, region: str = ALL_ENGLAND) -> list[dict]:
        """Return one dict per council (of ``region``), as the table beside the map shows."""
        frame = self.frame
        if region != ALL_ENGLAND:
            frame = frame.loc[frame["region_code"] == region]
        return [
            {"code": r.code, "council": r.name, "region": r.region_name,
             "value": None if math.isnan(r.value) else r.value,
             "lower": None if math.isnan(r.lower) else r.lower,
             "upper": None if math.isnan(r.upper) else r.upper,
             "rank": None if math.isnan(r.rank) else int(r.rank),
             "status": r.status, "reason": r.status_reason}
            for r in frame.itertuples(index=False)
        ]


def build_map_view(engine: Engine, indicator_id: str, method: str = QUANTILES,
                   data_dir: Path | None = None) -> MapView:
    """Compute the map of one indicator: council values, classes, colours, hover text."""
    definition = indicators.definition(engine, indicator_id)
    frame = indicators.council_frame(engine, indicator_id, data_dir)
    return MapView(definition=definition, frame=frame,
                   state=map_state(frame, definition, method))
