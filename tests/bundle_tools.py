"""What the partial plotly.js bundle holds, read from its build entry (unit and browser tests)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = ROOT / "scripts" / "plotly_bundle" / "entry.js"
#: plotly.js always includes scatter (its core); the entry registers the others.
CORE_TRACES = {"scatter"}
#: ``plotly.js/lib/<name>`` modules of the entry that are not trace types.
NOT_TRACES = {"core"}


def bundled_traces() -> set[str]:
    """Return the trace types ``assets/vendor/plotly-sasci.min.js`` registers."""
    modules = set(re.findall(r"plotly\.js/lib/([a-z0-9]+)'", ENTRY.read_text()))
    return CORE_TRACES | (modules - NOT_TRACES)
