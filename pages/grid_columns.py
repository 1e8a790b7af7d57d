"""Column definitions the pages' AG Grid tables share: numbers right-aligned and formatted."""

from __future__ import annotations

#: Every table's column defaults: sortable, resizable, titles wrapped rather than cut short.
COLUMN_DEFAULTS = {"sortable": True, "resizable": True, "wrapHeaderText": True,
                   "autoHeaderHeight": True}
#: A column whose cells wrap onto as many lines as their text takes (the row grows), at a
#: text line height (AG Grid's default line height is the row's).
WRAP_CELLS = {"wrapText": True, "autoHeight": True,
              "cellStyle": {"lineHeight": "1.4", "paddingTop": "6px", "paddingBottom": "6px"}}


def number_format(d3_format: str) -> dict:
    """Return an AG Grid ``valueFormatter`` showing numbers with ``d3_format``, nulls blank."""
    return {"function": f"params.value == null ? '' : d3.format('{d3_format}')(params.value)"}


def number_column(field: str, header: str, formatter: dict | None = None, flex: float = 1,
                  **extra) -> dict:
    """Return a right-aligned numeric column, formatted by ``formatter`` when given."""
    column = {"field": field, "headerName": header, "flex": flex, "type": "numericColumn"}
    if formatter is not None:
        column["valueFormatter"] = formatter
    return {**column, **extra}


def interval_columns(formatter: dict, value_header: str = "Value", flex: float = 1
                     ) -> list[dict]:
    """Return the value and its 95 % interval's lower and upper limits, as three columns."""
    return [number_column("value", value_header, formatter, flex),
            number_column("lower", "Lower 95%", formatter),
            number_column("upper", "Upper 95%", formatter)]
