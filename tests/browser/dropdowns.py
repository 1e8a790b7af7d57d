"""Driving Dash 4 dropdowns from browser tests as a person does: open, search, pick."""

from __future__ import annotations

#: The search box of the dropdown that is open (Dash renders it only while the menu is open).
OPEN_SEARCH_BOX = ".dash-dropdown-content .dash-dropdown-search"


def search_dropdown(page, control_id: str, text: str) -> None:
    """Open the dropdown ``control_id`` and type ``text`` into its search box.

    Typing straight after the click races the dropdown's own focus handling (Dash 4 moves the
    focus to the selected option a frame after the menu opens): keys pressed before that reach
    the closed trigger, which can drop one (a search for "Cpability for…" matched nothing), and
    keys pressed after it land on an option, where a space picks that option. A person clicks
    the search box first; so does this.
    """
    page.locator(f"#{control_id}").click()
    page.locator(OPEN_SEARCH_BOX).fill(text)
