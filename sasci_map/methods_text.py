"""Content of the Methods page, built from the registries, the library's constants and provenance.

Nothing here is a hard-coded figure: indicator definitions come from the database catalogue and
the two registries (``data/survey/indicators.csv``, ``data/context/indicators.csv``), interval
levels and thresholds from the modules that use them, colours and state words from
:mod:`sasci_map.palette`. The page only lays these out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from sasci_map import capacity_index, context, db, neighbours, palette, stats, survey_store
from sasci_map.classing import (
    BENCHMARK,
    COLOUR_MODES,
    CONTINUOUS,
    DEFAULT_K,
    EQUAL_INTERVAL,
    NATURAL_BREAKS,
    QUANTILES,
)
from sasci_map.codebook import load_codebook
from sasci_map.comparison import NO_CHANGE, POLARITY_WORDS, TREND_WORDS
from sasci_map.indicator_registry import LIST_SEP, MIN_ORGS_FLOOR, SUCCESS_PATTERN, load_registry
from sasci_map.indicators import DOMAIN_LABELS
from sasci_map.provenance import DATA_VINTAGES, OGL, attribution_lines
from sasci_map.survey_indicators import LEVEL_NAMES, LIKERT_FLIP, REASON_SECONDARY

#: The page's sections: (anchor id, heading). The ids are part of the site's URLs
#: (``/methods#<id>``), so other pages can link to them.
SECTIONS = (
    ("indicators", "Indicator definitions"),
    ("intervals", "Confidence intervals"),
    ("benchmarking", "Benchmarking against England and the region"),
    ("suppression", "Disclosure control (suppression)"),
    ("states", "Figure states: value, suppressed, no response, not available"),
    ("classing", "Map classes"),
    ("capacity-index", "Capacity index"),
    ("neighbours", "Statistical neighbours"),
    ("funnel", "Funnel plots"),
    ("trends", "Change between survey waves"),
    ("sources", "Data sources, vintages and licences"),
    ("synthetic", "Synthetic demo data"),
)
ANCHOR_PREFIX = "indicator-"
SYNTHETIC_LABEL = "synthetic demo data"

POLARITY_NAMES = {"higher_is_better": "Higher is better", "lower_is_better": "Lower is better",
                  "neutral": "Neutral (no judgement: higher is not better or worse)"}
ORG_TYPE_NAMES = {"council": "councils", "provider": "care providers"}
#: Keywords of the catalogue's ``method`` text that name each interval method.
INTERVAL_KEYWORDS = {"wilson": ("Wilson",), "poisson": ("Poisson", "Byar"), "t": ("Student",)}
NOT_APPLICABLE = "not applicable"


def indicator_anchor(indicator_id: str) -> str:
    """Return the anchor id of an indicator's definition (``/methods#indicator-<id>``)."""
    return f"{ANCHOR_PREFIX}{indicator_id}"


def _join_words(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _success_words(rule: str, item: pd.Series) -> str:
    """Say in words which answers meet a registry success rule (``>=N``, ``in:``, ``has:``)."""
    match = SUCCESS_PATTERN.match(rule)
    codes = [c for c in str(item["allowed_values"]).split("|") if c]
    labels = dict(zip(codes, str(item["value_labels"]).split("|"), strict=False))
    if match["number"]:
        threshold = float(match["number"])
        hits = [labels[c] for c in codes if c.isdigit() and float(c) >= threshold]
        return f"{match['number']} or more" + (f" ({' or '.join(hits)})" if hits else "")
    if match["codes"]:
        quoted = [f"“{labels.get(c, c)}”" for c in match["codes"].split(LIST_SEP)]
        return quoted[0] if len(quoted) == 1 else "one of " + ", ".join(quoted)
    return f"a selection that includes “{labels.get(match['code'], match['code'])}”"


def _survey_rule(rec: pd.Series, book: pd.DataFrame) -> str:
    """Say a survey indicator's numerator and denominator in words."""
    items = rec["items"].split(LIST_SEP)
    who = _join_words([ORG_TYPE_NAMES[t] for t in rec["org_types"].split(LIST_SEP)])
    denominator = f"Denominator: responding {who} that answered at least one of the items."
    if rec["method"] == "mean":
        return (f"Value: the mean, over responding {who}, of each organisation's average answer "
                f"to the items (negatively worded agreement items reversed as {LIKERT_FLIP} "
                f"minus the answer). {denominator}")
    rule = _success_words(rec["success"], book.loc[items[0]])
    if rec["method"] == "mean_count":
        return (f"Value: the mean, over responding {who}, of how many of the items they "
                f"answer {rule}. {denominator}")
    return (f"Numerator: responding {who} whose answer to any of the items is {rule}. "
            f"{denominator} Shown as a percentage.")


def _context_rule(rec: pd.Series) -> str:
    """Where a context indicator's figure comes from, in words."""
    spec, file = rec["column_or_measure"], rec["file"]
    if file == context.ASCOF_FILE:
        return f"Published ASCOF measure {spec.upper()} (Total disaggregation), file {file}."
    if "/" in spec:
        numerator, denominator = spec.split("/")
        return (f"Numerator: column {numerator}; denominator: column {denominator} of {file}; "
                f"value = numerator / denominator × {context.PERCENT:g}.")
    return f"Published figure: column {spec} of {file}."


def indicator_entries(engine: Engine, data_dir: Path | None = None) -> pd.DataFrame:
    """Return one row per loaded indicator with everything its definition on the page shows.

    Parameters
    ----------
    engine : Engine
        The database (catalogue and stored periods).
    data_dir : Path, optional
        Bundled data folder (the two indicator registries and the survey codebook).

    Returns
    -------
    pandas.DataFrame
        Catalogue columns plus ``anchor, domain_label, polarity_text, rule, items`` (list of
        ``(item_id, question)``), ``organisations, min_orgs_text, levels_text, periods_text``,
        in catalogue order.
    """
    entries = db.read_definitions(engine)
    survey = load_registry(data_dir).set_index("indicator_id")
    ctx = context.context_definitions(data_dir).set_index("indicator_id")
    book = load_codebook(data_dir).set_index("item_id")
    periods = db.indicator_periods(engine).groupby("indicator_id")["period"].agg(list)
    rows = []
    for rec in entries.itertuples(index=False):
        row = {"items": [], "organisations": NOT_APPLICABLE,
               "min_orgs_text": f"{NOT_APPLICABLE}: published figures (the publisher's own "
                                "suppression markers are kept as missing, with the reason)",
               "levels_text": LEVEL_NAMES[context.AREA_LEVEL], "rule": rec.method}
        if rec.indicator_id in survey.index:
            spec = survey.loc[rec.indicator_id]
            row.update(
                items=[(i, book.at[i, "question"]) for i in spec["items"].split(LIST_SEP)],
                organisations=_join_words([ORG_TYPE_NAMES[t]
                                           for t in spec["org_types"].split(LIST_SEP)]),
                min_orgs_text=f"{spec['min_orgs']} responding organisations",
                levels_text=_join_words([LEVEL_NAMES[lv]
                                         for lv in spec["levels"].split(LIST_SEP)]),
                rule=_survey_rule(spec, book))
        elif rec.indicator_id in ctx.index:
            row["rule"] = _context_rule(ctx.loc[rec.indicator_id])
        stored = periods.get(rec.indicator_id)
        row["periods_text"] = ", ".join(stored) if stored else rec.period
        rows.append(row)
    out = pd.concat([entries.reset_index(drop=True), pd.DataFrame(rows)], axis=1)
    out["anchor"] = out["indicator_id"].map(indicator_anchor)
    out["domain_label"] = out["domain"].map(DOMAIN_LABELS).fillna(out["domain"])
    out["polarity_text"] = out["polarity"].map(POLARITY_NAMES).fillna(out["polarity"])
    return out


def domain_groups(entries: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """Split indicator entries by domain, in the order of ``DOMAIN_LABELS`` (others last).

    Returns
    -------
    list of (domain, label, rows)
    """
    order = [d for d in DOMAIN_LABELS if d in set(entries["domain"])]
    order += sorted(set(entries["domain"]) - set(order))
    return [(d, DOMAIN_LABELS.get(d, d), entries.loc[entries["domain"] == d]) for d in order]


def _users(entries: pd.DataFrame, method: str) -> list[str]:
    pattern = "|".join(INTERVAL_KEYWORDS[method])
    return entries.loc[entries["method"].str.contains(pattern), "indicator_id"].tolist()


def _interval_specs() -> list[dict]:
    """Return the three interval methods of :mod:`sasci_map.stats` with their formulas."""
    byar = stats.BYAR_MIN_COUNT
    return [
        {"key": "wilson", "name": "Wilson score interval",
         "used_for": "proportions (the share of responding organisations)",
         "formula": ["p = x / n   (x organisations meeting the rule, n organisations answering)",
                     "centre = (p + z²/2n) / (1 + z²/n)",
                     "half-width = z / (1 + z²/n) × √( p(1 − p)/n + z²/4n² )",
                     "limits = centre ± half-width; exactly 0 when x = 0 and 1 when x = n"],
         "note": "Unlike the simple p ± z√(p(1 − p)/n) it never leaves 0 to 100 % and stays "
                 "honest for small n and for shares near 0 or 100 % (Wilson 1927; the OHID "
                 "Fingertips default for proportions)."},
        {"key": "poisson", "name": "Exact Poisson limits and Byar's method",
         "used_for": "counts of events and rates per 100,000 population",
         "formula": [f"fewer than {byar} events (exact): lower = χ²(α/2; 2k) / 2 (0 when k = 0),"
                     " upper = χ²(1 − α/2; 2k + 2) / 2",
                     f"{byar} events or more (Byar): lower = k (1 − 1/9k − z/3√k)³, "
                     "upper = (k + 1) (1 − 1/9(k + 1) + z/3√(k + 1))³",
                     "rate = k × 100,000 / population; its limits are the count's limits "
                     "× 100,000 / population"],
         "note": f"As OHID's PHEindicatormethods: Byar's approximation is accurate from about "
                 f"{byar} events; below that the exact chi-squared limits are used."},
        {"key": "t", "name": "Student's t interval",
         "used_for": "means of agreement scales and mean counts",
         "formula": ["mean ± t(1 − α/2; n − 1) × s / √n",
                     "s = standard deviation of the organisations' scores (divisor n − 1)"],
         "note": "No interval with fewer than 2 organisations. Respondents are first combined "
                 "into one score per organisation, so n counts organisations, not people."},
    ]


def confidence_levels() -> str:
    """Say which confidence levels are used, with their normal quantiles."""
    z95, z998 = stats.z_for(stats.CONFIDENCE_95), stats.z_for(stats.CONFIDENCE_998)
    return (f"Intervals are {stats.CONFIDENCE_95:.0%} by default (z = {z95:.3f}); "
            f"{stats.CONFIDENCE_998:.1%} limits (z = {z998:.3f}, about three standard errors) "
            "are the outer control limits of funnel plots. α = 1 − the confidence level.")


def interval_methods(entries: pd.DataFrame) -> list[dict]:
    """Describe each interval method with its formula and the indicators that use it.

    Parameters
    ----------
    entries : pandas.DataFrame
        :func:`indicator_entries` (its ``method`` text names the interval used).

    Returns
    -------
    list of dict
        ``key, name, used_for, formula`` (list of lines), ``note`` and ``indicators`` (ids of
        the loaded indicators whose method names it; empty when none does yet).
    """
    return [dict(spec, indicators=_users(entries, spec["key"])) for spec in _interval_specs()]


def benchmark_paragraphs() -> list[str]:
    """Explain the interval-overlap comparison with England and the region."""
    return [
        "Each area's figure is compared with England's and, for a council, with its region's: "
        "if the area's confidence interval lies wholly above the benchmark value the area is "
        "higher, wholly below it lower, and otherwise similar (a limit equal to the benchmark "
        "counts as overlap). This is the overlap method of OHID Fingertips.",
        "The words follow the indicator's polarity (table below). A figure is not compared when "
        "it is not a value (suppressed, no response, not available), when it has no interval "
        "(published context data carry none), or when the benchmark itself has no value.",
    ]


def benchmark_rows() -> list[dict]:
    """One row per polarity: its name and the word for higher / similar / lower intervals."""
    return [{"polarity": POLARITY_NAMES[name], "words": words,
             "labels": [(w, palette.BENCHMARK_LABELS[w], palette.BENCHMARK_COLOURS[w])
                        for w in words.values()]}
            for name, words in POLARITY_WORDS.items()]


def suppression_rules(data_dir: Path | None = None) -> list[str]:
    """Return the disclosure-control rules, in the order the engine applies them."""
    registry = load_registry(data_dir)
    raised = registry.loc[registry["min_orgs"] > MIN_ORGS_FLOOR]
    raised_text = ("; these indicators need more: " + ", ".join(
        f"{r.indicator_id} ({r.min_orgs})" for r in raised.itertuples(index=False))
        if len(raised) else "; no indicator currently asks for more")
    pooled = registry.loc[~registry["levels"].str.split(LIST_SEP).map(lambda lv: "council" in lv)]
    return [
        f"Primary suppression: an area's survey figure based on fewer than {MIN_ORGS_FLOOR} "
        "responding organisations is suppressed (the registry may set a higher minimum per "
        f"indicator{raised_text}). Its numerator, denominator, value and interval are removed "
        "everywhere: map, tables, downloads and API.",
        "Secondary suppression: one more figure is " + REASON_SECONDARY + ". Within each "
        "region (and for regions within England), for each indicator and wave, the published "
        "council with the fewest organisations is also suppressed when exactly one council "
        "is suppressed and the region is published, or when the region is suppressed, no "
        "council is, and the published councils would add up to it.",
        "No response is not suppression: an area where no organisation of the counted kind took "
        "part, or where none answered the question, is shown as no response.",
        "Pooled indicators: " + (", ".join(pooled["indicator_id"]) if len(pooled) else "none")
        + " are reported for regions and England only (too few organisations of that kind per "
        "council), and are not available for councils.",
        "Free-text answers are never shown at council level: they may identify people or "
        "organisations.",
        "Published context data keep their publishers' markers (" + ", ".join(
            f"“{m}”" for m in context.MARKER_REASONS if m) + ", blank) as missing with the "
        "publisher's reason, never as zero.",
    ]


#: What each figure state means (labels and colours come from palette).
STATE_MEANINGS = {
    palette.STATUS_VALUE: "A figure from enough organisations, or a published figure, with its "
                          "interval where one applies. Coloured by its class on the map.",
    palette.STATUS_SUPPRESSED: "A figure exists but is withheld (disclosure control, see above). "
                               "No numbers are shown or exported. Drawn with a dark outline.",
    palette.STATUS_NO_RESPONSE: "No organisation of the counted kind in the area took part in "
                                "the wave, or none answered the question.",
    palette.STATUS_MISSING: "No figure for this area and period: not reported at this level, a "
                            "source that predates a council created in 2021 or 2023, or a "
                            "publisher's marker. The reason is always given.",
}


def state_rows() -> list[dict]:
    """One row per figure state: label, fill colours, outline and meaning."""
    rows = []
    for status, label in palette.STATUS_LABELS.items():
        fill = palette.STATUS_COLOURS.get(status)
        outline = palette.STATUS_OUTLINES.get(status)
        rows.append({"status": status, "label": label,
                     "colours": [fill] if fill else list(palette.SEQUENTIAL_5),
                     "outline": outline, "meaning": STATE_MEANINGS[status]})
    return rows


def classing_rows() -> list[dict]:
    """One row per map colouring: key, name as the legend shows it, and how classes are made."""
    how = {
        QUANTILES: f"Each of {DEFAULT_K} classes holds about the same number of councils with a "
                   "value. The default, as on Fingertips maps: it spreads colours evenly, but "
                   "councils with near-equal values can fall in different classes.",
        EQUAL_INTERVAL: f"The range from the lowest to the highest value cut into {DEFAULT_K} "
                        "classes of equal width: shows outliers, but some classes may be "
                        "nearly empty.",
        NATURAL_BREAKS: "Breaks placed where they make the classes as homogeneous as possible "
                        "(Fisher's exact optimisation of Jenks' natural breaks): follows "
                        "clusters in the data, but the breaks change with every data set.",
        CONTINUOUS: "No classes: the colour runs continuously from the lowest to the highest "
                    "value. Fine differences show, but colours are harder to read back.",
        BENCHMARK: "Each council coloured by its comparison with England (see Benchmarking), "
                   "in the words of the indicator's polarity; councils without an interval "
                   "are not compared.",
    }
    return [{"key": key, "name": name, "how": how[key]} for key, name in COLOUR_MODES.items()]


CLASSING_NOTE = ("The legend names the method and the unit, and gives each class's range and "
                 "number of councils; fewer classes are formed when values tie. Councils without "
                 "a value keep their state's grey whatever the classing.")


def method_text(kind: str) -> str:
    """Return the method text of the capacity index (``"capacity-index"``) or neighbours."""
    return {"capacity-index": capacity_index.METHOD_TEXT,
            "neighbours": neighbours.METHOD_TEXT}[kind]


def funnel_paragraphs() -> list[str]:
    """Explain funnel plots and their control limits (as :mod:`sasci_map.funnel` draws them)."""
    inner, outer = f"{stats.CONFIDENCE_95:.0%}", f"{stats.CONFIDENCE_998:.1%}"
    return [
        "A funnel plot shows each area's figure against the number of organisations it rests on, "
        "with England's figure as the centre line. Around it run control limits for every "
        f"possible number of organisations: {inner} (about two standard errors) and {outer} "
        "(about three). They narrow as the number of organisations grows, which gives the "
        "funnel its shape (Spiegelhalter 2005, as OHID Fingertips).",
        "Proportions: exact binomial limits around England's proportion, smoothed by "
        "Spiegelhalter's interpolation; exact limits suit the small groups of the survey, where "
        "a normal approximation is poor. Means: England's mean ± z × sd / √n, with the spread "
        "between organisations recovered from England's Student's t interval. Published context "
        "figures without a numerator and denominator get no funnel: there is no defensible one.",
        f"An area outside the {outer} limits differs from England by more than chance would "
        f"usually explain; inside the {inner} limits its difference is within what chance alone "
        "produces. Funnel plots replace league tables: a rank says nothing about whether a "
        "difference is real, and small areas swing the most.",
    ]


def trend_paragraphs() -> list[str]:
    """Explain the change between two survey waves (``comparison.wave_trends``)."""
    words = "; ".join(f"{POLARITY_NAMES[p].split(' (')[0].lower()}: a significant rise "
                      f"{up}, a fall {down}" for p, (up, down) in TREND_WORDS.items())
    return [
        "A change is only computed where both waves give the area a value. For a proportion, "
        "the interval of the difference d = p₂ − p₁ is Newcombe's hybrid score interval "
        "(Newcombe 1998, method 10), built from the two Wilson intervals (l, u): lower = d − "
        "√((p₂ − l₂)² + (u₁ − p₁)²), upper = d + √((u₂ − p₂)² + (p₁ − l₁)²).",
        "For a mean, each wave's standard error is recovered from its t interval and the change "
        f"gets a normal interval, d ± z √(se₁² + se₂²), at {stats.CONFIDENCE_95:.0%}.",
        f"A change is significant when its interval excludes 0. Words follow polarity ({words}); "
        f"otherwise “{NO_CHANGE}”. Waves are treated as independent samples, although many "
        "organisations answer both; this makes the interval wider than a paired analysis "
        "would, so a reported change is a cautious one.",
    ]


def sources(engine: Engine) -> dict:
    """Return the data sources with their vintages and licences, and the attribution lines.

    Returns
    -------
    dict
        ``datasets`` (``db.read_datasets``: title, publisher, vintage, licence, n_rows),
        ``vintages`` (``provenance.DATA_VINTAGES``), ``attributions`` (the lines every page
        and export carries) and ``licence`` (the Open Government Licence's name).
    """
    datasets = db.read_datasets(engine)[["title", "publisher", "vintage", "licence", "n_rows"]]
    return {"datasets": datasets, "vintages": list(DATA_VINTAGES),
            "attributions": attribution_lines(), "licence": OGL}


def synthetic_paragraphs(engine: Engine) -> list[str]:
    """Say which data in this database are synthetic demo data, and why."""
    waves = survey_store.read_waves(engine)
    inventories = survey_store.read_inventory_imports(engine)
    demo_waves = waves.loc[waves["synthetic"].astype(bool)]
    lines = [
        "The real SASCI survey microdata are held under a data-service licence and are not "
        "public, so they cannot ship with this tool. To show how the map, comparisons and "
        "disclosure control behave, the tool generates synthetic demo data in the shape of the "
        "real survey (a seeded generator, so every run gives the same files). They are not real "
        "responses and say nothing about any council: every figure computed from them is "
        f"labelled “{SYNTHETIC_LABEL}”. Loading the real export with sasci-map import replaces "
        "them; sasci-map init --no-demo removes them.",
    ]
    if demo_waves.empty:
        lines.append("No synthetic survey wave is loaded in this database.")
    for w in demo_waves.itertuples(index=False):
        lines.append(f"Survey wave {w.wave}: {SYNTHETIC_LABEL}, {w.n_respondents:,} synthetic "
                     f"respondents from {w.n_council_orgs:,} councils and {w.n_provider_orgs:,} "
                     "care providers.")
    for i in inventories.itertuples(index=False):
        if i.n_synthetic_places:
            lines.append(f"Inventory of {i.kind}: the {i.n_items:,} entries are real; "
                         f"{i.n_synthetic_places:,} of its {i.n_places:,} place rows (which "
                         f"councils or areas use or are covered) are {SYNTHETIC_LABEL}.")
    lines.append("Context data (ONS population, IMD 2019, ASCOF) and the boundaries are real "
                 "published data.")
    return lines
