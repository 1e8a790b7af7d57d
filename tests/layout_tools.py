"""Helpers for tests that inspect Dash layouts: find a component by id, read all its text."""

from __future__ import annotations


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
