"""Colours and words shared by every chart: figure states, benchmark results, classes.

One place, so the map, the council profile, compare and the quadrant speak the same visual
language. All palettes are colour-blind safe (ColorBrewer / Okabe-Ito); every state also has a
text label and, on maps, an outline style, so colour is never the only cue.
"""

from __future__ import annotations

STATUS_VALUE = "value"
STATUS_SUPPRESSED = "suppressed"
STATUS_NO_RESPONSE = "no_response"
STATUS_MISSING = "missing"

#: What each figure state is called in legends, tables and hover text.
STATUS_LABELS = {
    STATUS_VALUE: "Value",
    STATUS_SUPPRESSED: "Suppressed (fewer than 5 organisations)",
    STATUS_NO_RESPONSE: "No response",
    STATUS_MISSING: "Not available",
}
#: Fill of councils without a value, by state: three greys far apart in lightness, none used
#: by a value palette. Suppressed is the darkest: a figure exists but is withheld.
STATUS_COLOURS = {
    STATUS_SUPPRESSED: "#636363",
    STATUS_NO_RESPONSE: "#d9d9d9",
    STATUS_MISSING: "#f7f7f7",
}
#: Outline of councils by state (the non-colour cue on maps): suppressed get a dark outline.
STATUS_OUTLINES = {
    STATUS_SUPPRESSED: ("#000000", 1.2),
    STATUS_NO_RESPONSE: ("#ffffff", 0.5),
    STATUS_MISSING: ("#969696", 0.5),
}

#: Benchmark words (see ``comparison.POLARITY_WORDS``) and their colours: Okabe-Ito blue for
#: better, vermillion for worse, a pale yellow for similar; purples for a neutral indicator's
#: higher / lower. "" = not compared (no value or no interval).
BENCHMARK_COLOURS = {
    "better": "#0072b2",
    "similar": "#f0e442",
    "worse": "#d55e00",
    "higher": "#542788",
    "lower": "#b2abd2",
    "": "#ffffff",
}
BENCHMARK_LABELS = {
    "better": "Better than England",
    "similar": "Similar to England",
    "worse": "Worse than England",
    "higher": "Higher than England",
    "lower": "Lower than England",
    "": "Not compared",
}
#: ColorBrewer YlGnBu (its 7-class scheme without the near-white first step, so the lowest
#: class never reads as "no data"): sequential, colour-blind safe; darker = higher.
SEQUENTIAL_5 = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#253494")
#: England and region reference lines in charts.
ENGLAND_LINE = "#000000"
REGION_LINE = "#e69f00"
