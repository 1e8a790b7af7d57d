"""Leave out the scripts of component libraries no page of the app uses.

Dash puts the script of every component library it has imported on every page, and it always
imports its own DataTable (``dash_table``), which this app does not use: its AG Grid tables are
dash-ag-grid's. Leaving the script out saves each page a request and about 10 ms of main
thread. A page that rendered a DataTable would fail with "dash_table was not found" in the
browser console, which the browser suite checks on every page.
"""

from __future__ import annotations

import re

#: The scripts left out: the libraries' (not their async chunks, which nothing then asks for).
UNUSED_SCRIPTS = (
    re.compile(r'\s*<script src="[^"]*/_dash-component-suites/dash/dash_table/bundle\.[^"/]*\.js">'
               r"</script>"),
)
#: What a page module would use to render one of the left-out libraries' components.
UNUSED_COMPONENTS = ("import dash_table", "dash_table.", "DataTable(")


def leave_out(scripts: str) -> str:
    """Return Dash's ``scripts`` HTML without the unused libraries' tags."""
    for pattern in UNUSED_SCRIPTS:
        scripts = pattern.sub("", scripts, count=1)
    return scripts
