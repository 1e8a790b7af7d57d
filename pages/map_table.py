"""The map page's table: its columns in each view, read in full, and the line above it."""

from __future__ import annotations

from pages.grid_columns import (
    COLUMN_DEFAULTS,
    WRAP_CELLS,
    interval_columns,
    number_column,
    number_format,
)
from sasci_map.map_modes import VIEW_COVERAGE, VIEW_POOLED, VIEW_VALUES
from sasci_map.table_payload import TABLE_DECIMALS

NUMBER = number_format(f",.{TABLE_DECIMALS}~f")
#: Titles wrap onto a second line rather than end in "…"; no column narrower than a code.
#: Every cell is laid out like the wrapped ones (text line height, top padding), so a row's
#: first lines line up across columns however many lines its longest cell takes.
GRID_DEFAULTS = {**COLUMN_DEFAULTS, "minWidth": 95, "cellStyle": WRAP_CELLS["cellStyle"]}
#: The council's or region's GSS code: wide enough for nine characters, never cut short.
CODE_COLUMN = {"field": "code", "headerName": "GSS code", "flex": 1, "minWidth": 115}
#: Width (px) of a column whose title holds a long word ("Organisations"), so it is not split.
WORD_COLUMN_PX = 140
#: Names are never cut short; the council stays in view when the table scrolls sideways.
COUNCIL_COLUMN = {"field": "council", "headerName": "Council", "flex": 2, "filter": True,
                  "minWidth": 220, "pinned": "left"}
REGION_COLUMN = {"field": "region", "headerName": "Region", "flex": 1.5, "filter": True,
                 "minWidth": 210}
#: The figure's state (value, suppressed, no response, not available), in full.
STATUS_COLUMN = {"field": "status", "headerName": "Status", "flex": 1.5, "filter": True,
                 "minWidth": 150, **WRAP_CELLS}
#: Better / similar / worse than England (or "Not compared"), in full.
VS_ENGLAND_COLUMN = {"field": "vs_england", "headerName": "vs England", "flex": 1.3,
                     "filter": True, "minWidth": 165}
#: Why a council has no value: the whole reason, on as many lines as it takes.
REASON_COLUMN = {"field": "reason", "headerName": "Why no value", "flex": 2, "minWidth": 180,
                 **WRAP_CELLS}
#: Columns of the table beside the map, by view (councils; regions when pooled; coverage).
TABLE_COLUMNS = {
    VIEW_VALUES: [
        COUNCIL_COLUMN,
        REGION_COLUMN,
        *interval_columns(NUMBER),
        number_column("rank", "Rank", flex=0.7),
        number_column("denominator", "Organisations / denominator", NUMBER, 1.2,
                      minWidth=WORD_COLUMN_PX),
        VS_ENGLAND_COLUMN,
        STATUS_COLUMN,
        REASON_COLUMN,
        CODE_COLUMN,
    ],
    VIEW_POOLED: [
        {**REGION_COLUMN, "flex": 2, "pinned": "left"},
        number_column("councils", "Councils", flex=0.8),
        *interval_columns(NUMBER, "Region value (pooled)", 1.2),
        number_column("denominator", "Organisations", NUMBER, minWidth=WORD_COLUMN_PX),
        {**VS_ENGLAND_COLUMN, "filter": False},
        {**STATUS_COLUMN, "filter": False},
        REASON_COLUMN,
        CODE_COLUMN,
    ],
    VIEW_COVERAGE: [
        COUNCIL_COLUMN,
        REGION_COLUMN,
        {"field": "coverage", "headerName": "Who took part", "flex": 2, "filter": True,
         "minWidth": 220, **WRAP_CELLS},
        number_column("council_orgs", "Council organisation", minWidth=WORD_COLUMN_PX),
        number_column("provider_orgs", "Provider organisations", minWidth=WORD_COLUMN_PX),
        number_column("organisations", "Organisations", minWidth=WORD_COLUMN_PX),
        number_column("respondents", "Respondents", minWidth=WORD_COLUMN_PX),
        CODE_COLUMN,
    ],
}
TABLE_INTRO = {
    VIEW_VALUES: "The same figures as the map, one row per council, with the 95% interval, "
                 "the organisations (or denominator) behind each figure and the comparison "
                 "with England; sort or filter any column.",
    VIEW_POOLED: "The region figures the map shows, one row per region (each council on the "
                 "map takes its region's figure).",
    VIEW_COVERAGE: "Who took part in the survey wave, one row per council: organisations "
                   "counted once however many of their staff responded.",
}
