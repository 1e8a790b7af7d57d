"""Helpers for tests that inspect Dash layouts: find a component by id, read all its text."""

from __future__ import annotations

import json
import re


def find(component, component_id):
    """Depth-first search of a Dash layout for the component with ``component_id`` (or None)."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            hit = find(child, component_id)
            if hit is not None:
                return hit
    return None


def find_all(component, predicate) -> list:
    """Every component of a layout (depth first) for which ``predicate(component)`` is true."""
    found = [component] if predicate(component) else []
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            found += find_all(child, predicate)
    return found


def text_of(component) -> str:
    """All text of a Dash component tree (or a list of them), space-joined."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component if c is not None)
    children = getattr(component, "children", None)
    items = children if isinstance(children, list) else [children]
    return " ".join(text_of(c) for c in items if c is not None)


PLACEHOLDER = re.compile(r"%\{([^}]+)\}")


def hover_texts(trace: dict, properties: dict[str, dict] | None = None) -> dict[str, str]:
    """Fill a choropleth trace's hover template for each council, as plotly does (tests only).

    ``%{properties.<key>}`` comes from ``properties[code]`` (the served GeoJSON's; "?" when
    not given), ``%{customdata[i]}`` from the council's ``customdata`` row.
    """
    template = trace["hovertemplate"].replace("<extra></extra>", "")
    customdata = trace.get("customdata") or []
    out = {}
    for i, code in enumerate(trace["locations"]):
        row = customdata[i] if customdata else []

        def fill(match, code=code, row=row):
            key = match.group(1)
            if key.startswith("properties."):
                return str((properties or {}).get(code, {}).get(key.split(".", 1)[1], "?"))
            index = re.fullmatch(r"customdata\[(\d+)\]", key)
            if index is None:
                raise KeyError(f"unexpected hover placeholder {key!r}")
            return str(row[int(index.group(1))])

        out[code] = PLACEHOLDER.sub(fill, template)
    return out


def served_properties() -> dict[str, dict]:
    """Return ``{code: properties}`` of the GeoJSON the browser gets."""
    from sasci_map.geography import served_boundaries

    features = json.loads(served_boundaries())["features"]
    return {f["properties"]["code"]: f["properties"] for f in features}
