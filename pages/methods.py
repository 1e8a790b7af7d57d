"""Methods page (/methods): every indicator's definition and how figures are made and shown."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from pages import ids, services
from sasci_map import methods_text as mt

dash.register_page(__name__, order=8, path="/methods", name="Methods",
                   title="Methods and definitions — SASCI capacity map")

#: Scroll to the element the URL's #fragment names once the page has rendered (Dash renders
#: after the browser's own scroll, so a deep link such as #indicator-cap_overall needs this).
SCROLL_TO_HASH = """
function(hash) {
    if (!hash) { return window.dash_clientside.no_update; }
    const target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (target) { target.scrollIntoView(); }
    return hash;
}
"""
SECTION_TITLES = dict(mt.SECTIONS)


def _swatch(colour: str, outline: tuple[str, float] | None = None) -> html.Span:
    style = {"background": colour}
    if outline:
        style["border"] = f"2px solid {outline[0]}"
    return html.Span(className="legend-swatch me-1", style=style, **{"aria-hidden": "true"})


def _table(headers: tuple[str, ...], rows: list, **kwargs) -> dbc.Table:
    return dbc.Table([html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
                      html.Tbody(rows)], bordered=False, size="sm", **kwargs)


def _section(section_id: str, *children) -> html.Section:
    return html.Section([html.H2(SECTION_TITLES[section_id], className="h4 mt-5"), *children],
                        id=section_id)


def _field(term: str, detail) -> list:
    return [html.Dt(term, className="col-sm-3"), html.Dd(detail, className="col-sm-9")]


def _indicator(row) -> html.Article:
    """One indicator's definition, under its ``indicator-<id>`` anchor."""
    fields = [("Indicator id", html.Code(row.indicator_id)), ("Unit", row.unit or "none"),
              ("Polarity", row.polarity_text), ("Method", row.method),
              ("Numerator and denominator", row.rule),
              ("Organisations counted", row.organisations),
              ("Minimum organisations", row.min_orgs_text), ("Reported for", row.levels_text),
              ("Period(s)", row.periods_text), ("Source", row.source)]
    items = [html.Details([html.Summary("Survey items read (reconstructed wording)"),
                           html.Ul([html.Li([html.Code(item), " ", question])
                                    for item, question in row.items])])] if row.items else []
    return html.Article([
        html.H4(row.title, className="h6 mt-4"),
        html.P(row.definition),
        html.Dl(sum((_field(t, d) for t, d in fields), []), className="row small mb-1"),
        *items,
    ], id=row.anchor, className="methods-indicator border-top pt-2")


def _indicators_section(entries) -> html.Section:
    groups = mt.domain_groups(entries)
    return _section("indicators", html.P(
        f"{len(entries)} indicators, grouped by domain. Link to one with "
        "/methods#indicator-<indicator id>."),
        *[html.Div([html.H3(label, className="h5 mt-4"), *[_indicator(r) for r in
                                                           rows.itertuples(index=False)]],
                   id=f"domain-{domain}") for domain, label, rows in groups])


def _links(indicator_ids: list[str]) -> list:
    out: list = []
    for indicator_id in indicator_ids:
        out += [html.A(indicator_id, href=f"#{mt.indicator_anchor(indicator_id)}"), ", "]
    return out[:-1]


def _intervals_section(entries) -> html.Section:
    blocks = []
    for method in mt.interval_methods(entries):
        users = (["Used by: ", *_links(method["indicators"]), "."] if method["indicators"] else
                 ["No indicator loaded now uses it; it is ready for counts and rates."])
        blocks += [html.H3(method["name"], className="h5 mt-3"),
                   html.P(f"For {method['used_for']}."),
                   html.Pre(html.Code("\n".join(method["formula"])), className="bg-light p-2"),
                   html.P(method["note"]), html.P(users, className="small")]
    return _section("intervals", html.P(mt.confidence_levels()), *blocks)


def _benchmarking_section() -> html.Section:
    rows = [html.Tr([html.Th(row["polarity"], scope="row"),
                     *[html.Td([_swatch(colour), label]) for _, label, colour in row["labels"]]])
            for row in mt.benchmark_rows()]
    return _section("benchmarking", *[html.P(p) for p in mt.benchmark_paragraphs()],
                    _table(("Polarity", "Interval wholly above England", "Interval overlaps",
                            "Interval wholly below England"), rows))


def _states_section() -> html.Section:
    rows = [html.Tr([html.Td([_swatch(c, row["outline"]) for c in row["colours"]]),
                     html.Th(row["label"], scope="row"), html.Td(row["meaning"])])
            for row in mt.state_rows()]
    return _section("states", html.P("Every figure has one of four states. Each has a text "
                                     "label wherever it is shown, so colour is never the only "
                                     "cue; on maps, suppressed councils also get a dark "
                                     "outline."),
                    _table(("Map colour", "State", "Meaning"), rows))


def _sources_section(engine) -> html.Section:
    info = mt.sources(engine)
    rows = [html.Tr([html.Td(r.title), html.Td(r.publisher), html.Td(r.vintage),
                     html.Td(r.licence), html.Td(f"{r.n_rows:,}")])
            for r in info["datasets"].itertuples(index=False)]
    return _section(
        "sources",
        _table(("Dataset", "Publisher", "Vintage", "Licence", "Rows"), rows,
               id=ids.METHODS_DATASETS),
        html.H3("Vintages", className="h5 mt-3"),
        html.Ul([html.Li([html.Strong(what + ": "), detail]) for what, detail in info["vintages"]]),
        html.H3("Attribution", className="h5 mt-3"),
        html.Ul([html.Li(line) for line in info["attributions"]]),
        html.P([f"Public-sector data are used under the {info['licence']}. The ",
                html.A("About page", href="/about"),
                " lists the survey waves and inventories loaded in this database."]))


def layout(**_params) -> html.Div:
    """Lay out the Methods page from the indicator registry, the library and provenance."""
    engine, data_dir = services.engine(), services.data_dir()
    entries = mt.indicator_entries(engine, data_dir)
    toc = html.Nav(html.Ol([html.Li(html.A(title, href=f"#{sid}")) for sid, title in mt.SECTIONS]),
                   id=ids.METHODS_TOC, **{"aria-label": "Contents of this page"})
    return html.Div([
        dcc.Location(id=ids.METHODS_URL, refresh=False),
        dcc.Store(id=ids.METHODS_SCROLL),
        html.H1("Methods and definitions", className="h3"),
        html.P(["How every figure on this site is defined, computed, compared and shown. Survey "
                "figures in this database are ", html.A("synthetic demo data", href="#synthetic"),
                "."]),
        html.H2("Contents", className="h5"), toc,
        _indicators_section(entries),
        _intervals_section(entries),
        _benchmarking_section(),
        _section("suppression", html.Ul([html.Li(r) for r in mt.suppression_rules(data_dir)])),
        _states_section(),
        _section("classing",
                 _table(("Colouring", "How councils are put in classes"),
                        [html.Tr([html.Th(r["name"], scope="row"), html.Td(r["how"])])
                         for r in mt.classing_rows()]),
                 html.P(mt.CLASSING_NOTE)),
        _section("capacity-index", html.P(mt.method_text("capacity-index"))),
        _section("neighbours", html.P(mt.method_text("neighbours"))),
        _section("funnel", *[html.P(p) for p in mt.funnel_paragraphs()]),
        _section("trends", *[html.P(p) for p in mt.trend_paragraphs()]),
        _sources_section(engine),
        _section("synthetic", dbc.Alert([html.P(p) for p in mt.synthetic_paragraphs(engine)],
                                        color="warning")),
    ], className="methods-page")


dash.clientside_callback(SCROLL_TO_HASH, Output(ids.METHODS_SCROLL, "data"),
                         Input(ids.METHODS_URL, "hash"))
