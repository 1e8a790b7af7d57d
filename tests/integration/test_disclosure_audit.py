"""Disclosure audit: no figure of a suppressed cell anywhere the web surface can show it.

On the session database (bundled data + demo survey), every withheld survey cell (status
``suppressed``, or ``missing`` because the indicator is not reported at that level) gets the
figures it would have shown (tests/disclosure.py recomputes them with the survey indicator
engine, every minimum set to 1). Then everything is walked and searched for those figures:

- every GET rule of the Flask app outside Dash (the /api/v1 endpoints with every indicator,
  level, wave and format, the boundaries);
- every export (CSV, XLSX, GeoJSON through the library and through `sasci-map export`);
- every page of ``dash.page_registry``, rendered through Dash's page callback as a browser asks
  for it (templated pages with the councils that have the most withheld cells), and every
  server-side callback of the app, posted to ``/_dash-update-component`` with the values of
  the rendered pages, each indicator selector set to every survey indicator, each wave
  selector to every wave, each council selector (or map click) to those councils, and every
  button clicked (downloads are decoded and searched too).

Pages and callbacks added later are walked without editing this file. A self-check plants
leaks in synthetic outputs and requires the detector to find them.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict

import dash
import pandas as pd
import pytest

import app as app_module
from benchmarks.load import (
    PAGES_CONTENT_ID,
    _outputs_of,
    callback_body,
    component_props,
    page_content_body,
)
from pages import api
from sasci_map import db, exports, survey_store
from sasci_map.cli import main as cli_main
from sasci_map.export_geojson import geojson_bytes
from sasci_map.export_xlsx import workbook_bytes
from sasci_map.geography import regions
from sasci_map.indicator_registry import load_registry
from tests.disclosure import (
    Audit,
    Context,
    boilerplate_texts,
    example_cells,
    published_values,
    to_json,
    withheld_cells,
)

DASH_UPDATE = "/_dash-update-component"
#: Councils walked on templated pages and council selectors: those with most withheld cells.
MAX_COUNCILS = 20
#: GeoJSON exports audited: the indicators with the most withheld council cells.
GEOJSON_INDICATORS = 6
#: Calls of one callback at most (its selectors' choices are combined, councils cut first).
MAX_CALLS_PER_CALLBACK = 80
#: Findings printed when the audit fails.
SHOWN = 25
CLICK_PROPS = ("clickData", "hoverData", "selectedData")
COUNT_PROPS = ("n_clicks", "n_submit", "n_blur", "n_intervals")
#: Template variables naming a council; others get ids from the inventories.
INVENTORY_VARIABLES = {"innovation_id": ("innovations", "innovation_id"),
                       "org_id": ("infrastructure", "org_id")}
INVENTORY_PAGES = 3


# ---------------------------------------------------------------------------------------------
# What is withheld


@pytest.fixture(scope="module")
def cells(engine, settings) -> pd.DataFrame:
    found = withheld_cells(engine, settings.data_dir)
    assert (found["status"] == "suppressed").sum() > 100, "the demo data should suppress cells"
    return found


@pytest.fixture(scope="module")
def audit(cells, engine, settings) -> Audit:
    return Audit(cells, published_values(engine), settings.data_dir, boilerplate_texts(engine))


@pytest.fixture(scope="module")
def survey_ids(settings) -> list[str]:
    return list(load_registry(settings.data_dir)["indicator_id"])


@pytest.fixture(scope="module")
def periods(cells) -> list[str]:
    return sorted(cells["period"].unique())


@pytest.fixture(scope="module")
def audit_councils(cells) -> list[str]:
    """The councils with the most withheld cells (ties by code), at most MAX_COUNCILS."""
    council = cells[cells["area_level"] == "council"]
    counts = council.groupby("area_code").size().reset_index(name="n")
    counts = counts.sort_values(["n", "area_code"], ascending=[False, True])
    return sorted(counts["area_code"].head(MAX_COUNCILS))


def most_withheld(cells, n: int) -> list[str]:
    """The ``n`` indicators with the most withheld council cells (ties by id)."""
    council = cells[cells["area_level"] == "council"]
    counts = council.groupby("indicator_id").size().reset_index(name="n")
    counts = counts.sort_values(["n", "indicator_id"], ascending=[False, True])
    return list(counts["indicator_id"].head(n))


def _fail_on(findings: list, surface: str) -> None:
    if findings:
        shown = "\n".join(str(f) for f in findings[:SHOWN])
        pytest.fail(f"{len(findings)} disclosure findings in {surface}:\n{shown}")


# ---------------------------------------------------------------------------------------------
# The detector finds what it should (self-check)


def test_the_detector_finds_planted_leaks_and_passes_clean_outputs(audit, cells):
    examples = example_cells(cells)
    assert len(examples) == 3
    for cell in examples.itertuples(index=False):
        name = audit.name_of[cell.area_code]
        v = cell.value
        planted = {
            "api row": {"data": [{"indicator_id": cell.indicator_id, "area_code": cell.area_code,
                                  "period": cell.period, "status": "value", "value": v}]},
            "hover text": {"data": [{"type": "choropleth", "locations": [cell.area_code],
                                     "z": [1], "hovertext": [f"<b>{name}</b><br>{v:.1f}"]}],
                           "layout": {}},
            "table row": {"type": "Tr", "namespace": "dash_html_components", "props": {
                "children": [{"type": "Td", "namespace": "dash_html_components",
                              "props": {"children": name}},
                             {"type": "Td", "namespace": "dash_html_components",
                              "props": {"children": f"{v:.2f}"}}]}},
            "patch": {"__dash_patch_update": "__dash_patch_update", "operations": [
                {"operation": "Assign", "location": ["data", 0, "locations"],
                 "params": {"value": [cell.area_code]}},
                {"operation": "Assign", "location": ["data", 0, "z"],
                 "params": {"value": [v]}}]},
            "raw float": {"area_name": name, "note": f"estimate {v!r}"},
            "interval": {"area_code": cell.area_code, "indicator_id": cell.indicator_id,
                         "ci": f"{cell.lower:.1f} to {cell.upper:.1f}"},
        }
        context = Context(indicator=cell.indicator_id, period=cell.period)
        for label, payload in planted.items():
            found = audit.check(to_json(payload), label, context)
            assert found, f"planted leak not found ({label}): {payload}"
        clean = {"data": [{"indicator_id": cell.indicator_id, "area_code": cell.area_code,
                           "period": cell.period, "status": cell.status, "value": None,
                           "status_reason": "fewer than 5 responding organisations"}]}
        assert audit.check(to_json(clean), "clean", context) == []
    withheld_with_number = {"area_code": examples.iloc[0]["area_code"], "status": "suppressed",
                            "lower": 1.0}
    assert audit.check(withheld_with_number, "structural")


def test_the_hidden_figures_are_recomputed_not_read_back(cells, engine):
    """The cells carry numbers the database does not hold (else the audit would test nothing)."""
    council = cells[cells["status"] == "suppressed"]
    assert council["value"].notna().all()
    assert council["denominator"].between(1, 4).mean() > 0.5  # mostly primary suppression


# ---------------------------------------------------------------------------------------------
# (i) the API and every other plain Flask GET route


def _flask_requests(survey_ids: list[str], periods: list[str]) -> list[tuple[str, Context]]:
    """Every GET rule outside Dash, with representative parameters."""
    choices = {"indicator": survey_ids, "level": list(api.LEVELS),
               "wave": [*periods, api.ALL_WAVES], "format": list(api.FORMATS)}
    out = []
    for rule in app_module.server.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments - set(rule.defaults or {}):
            continue
        path = rule.rule
        if path.startswith(("/_dash", "/assets", "/_favicon", "/_reload")) or (
                path == "/" or "static" in rule.endpoint or path.endswith("/")):
            continue
        name = path.rsplit("/", 1)[-1]
        params = [p for p in api.PARAMETERS.get(name, ()) if p in choices]
        if not params:
            out.append((path, Context()))
            continue
        for combo in itertools.product(*(choices[p] for p in params)):
            query = dict(zip(params, combo, strict=True))
            one_wave = query.get("wave") not in (None, api.ALL_WAVES)
            if one_wave and (query.get("format") == "csv" or query.get("level") != "council"):
                continue  # one wave is a subset of wave=all: JSON council rows are enough
            context = Context(indicator=query.get("indicator"),
                              period=query.get("wave") if query.get("wave") in periods else None)
            out.append((f"{path}?" + "&".join(f"{k}={v}" for k, v in query.items()), context))
    return out


def test_no_api_response_shows_a_withheld_figure(client, audit, survey_ids, periods):
    requests = _flask_requests(survey_ids, periods)
    assert any(path.startswith(f"{api.API_PREFIX}/values") for path, _ in requests)
    findings, statuses = [], defaultdict(list)
    for path, context in requests:
        response = client.get(path)
        statuses[response.status_code].append(path)
        if response.status_code != 200:
            continue
        kind = response.mimetype
        if "csv" in kind:
            findings += audit.check_file(response.data, "x.csv", path, context)
        elif "json" in kind:
            findings += audit.check(response.get_json(), path, context)
    # Only "this indicator has no figures at that level" may be refused.
    assert set(statuses) <= {200, 404}, {k: v[:5] for k, v in statuses.items()}
    assert len(statuses[200]) > len(survey_ids) * len(api.LEVELS)
    _fail_on(findings, "API responses")


# ---------------------------------------------------------------------------------------------
# (ii) exports: library renderers and the CLI


def test_no_export_shows_a_withheld_figure(engine, settings, audit, survey_ids, periods,
                                           monkeypatch, tmp_path, capsys):
    findings = []
    for table in exports.TABLES:
        frame = exports.table_frame(engine, table, data_dir=settings.data_dir)
        findings += audit.check_file(exports.csv_bytes(frame), f"{table}.csv",
                                     f"exports.csv_bytes({table})")
    findings += audit.check_file(workbook_bytes(engine, data_dir=settings.data_dir), "all.xlsx",
                                 "export_xlsx.workbook_bytes()")
    # GeoJSON renders the tidy table's rows as the CSV does; the indicators with the most
    # withheld council cells, in every wave, keep the run short.
    for indicator, period in itertools.product(most_withheld(audit.cells, GEOJSON_INDICATORS),
                                               periods):
        data = geojson_bytes(engine, indicator, period, settings.data_dir)
        findings += audit.check_file(data, "x.geojson", f"geojson {indicator} {period}",
                                     Context(indicator=indicator, period=period))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SASCI_DATA_DIR", str(settings.data_dir))
    # The CLI renders with the same functions checked above; XLSX is checked once, there.
    cli_runs = {"indicators.csv": [],
                "one.geojson": ["--format", "geojson", "--indicator", survey_ids[0]]}
    for name, options in cli_runs.items():
        out = tmp_path / name
        assert cli_main(["export", "--out", str(out), *options]) == 0, capsys.readouterr().err
        findings += audit.check_file(out.read_bytes(), name, f"sasci-map export {options}",
                                     Context(indicator=survey_ids[0] if "geojson" in name
                                             else None))
    _fail_on(findings, "exports")


# ---------------------------------------------------------------------------------------------
# (iii) every page and every callback, through Dash's own request path


def _post(client, body: bytes):
    return client.post(DASH_UPDATE, data=body, content_type="application/json")


def _template_values(template: str, councils: list[str], engine) -> list[str]:
    """Paths of a templated page: councils for a code, a few inventory ids for the others."""
    variables = re.findall(r"<([^>]+)>", template)
    choices = []
    for variable in variables:
        if variable in INVENTORY_VARIABLES:
            kind, column = INVENTORY_VARIABLES[variable]
            ids = survey_store.read_inventory(engine, kind)[0][column].head(INVENTORY_PAGES)
            choices.append(list(ids))
        else:  # a council code (the council profile); an unknown variable gets councils too
            choices.append(councils)
    paths = []
    for combo in itertools.product(*choices):
        path = template
        for variable, value in zip(variables, combo, strict=True):
            path = path.replace(f"<{variable}>", value)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def dependencies(client) -> list[dict]:
    return client.get("/_dash-dependencies").get_json()


@pytest.fixture(scope="module")
def rendered_pages(client, dependencies, engine, audit_councils, survey_ids, periods):
    """Every page of the registry rendered as the browser asks: {path: (status, content)}."""
    out = {}
    for page in dash.page_registry.values():
        template = page.get("path_template")
        paths = _template_values(template, audit_councils, engine) if template else [
            page["path"]]
        for path in paths:
            searches = [""]
            if not template:  # the same page asked for a suppressed council's figures
                searches += [f"?indicator={i}&wave={p}&council={audit_councils[0]}"
                             for i, p in itertools.product(survey_ids[:2], periods)]
            for search in searches:
                response = _post(client, page_content_body(dependencies, path, search))
                content = response.get_json() if response.status_code == 200 else None
                out[path + search] = (response.status_code, content, page["module"])
    return out


def test_every_registered_page_renders(rendered_pages):
    broken = {p: s for p, (s, content, _m) in rendered_pages.items()
              if s != 200 or "404 - Page not found" in json.dumps(content)}
    assert not broken, f"pages that did not render: {broken}"


def _selected(content, choices: set[str]) -> tuple[str, ...]:
    """The values selected in a rendered page's selectors that offer any of ``choices``."""
    picked = []
    for props in component_props(content).values():
        if set(map(str, _option_values(props))) & choices:
            value = props.get("value")
            picked += value if isinstance(value, list) else [value]
    return tuple(str(v) for v in picked if v is not None)


def test_no_page_shows_a_withheld_figure(rendered_pages, audit, engine, periods):
    indicator_ids = set(db.read_definitions(engine)["indicator_id"])
    findings = []
    for path, (status, content, _module) in rendered_pages.items():
        if status != 200:
            continue
        code = re.search(r"/(E\d{8})\b", path)
        query = dict(re.findall(r"[?&](\w+)=([^&]*)", path))
        waves = _selected(content, set(periods))
        context = Context(areas=tuple(c for c in [code and code.group(1), query.get("council")]
                                      if c),
                          indicator=_selected(content, indicator_ids) or query.get("indicator"),
                          period=waves[0] if len(waves) == 1 else query.get("wave"))
        findings += audit.check(content, f"page {path}", context)
    _fail_on(findings, "page layouts")


def _option_values(props: dict) -> list:
    options = props.get("options") or []
    return [o.get("value") if isinstance(o, dict) else o for o in options
            if not (isinstance(o, dict) and o.get("disabled"))]  # group headings


def _choices_for(item: dict, props: dict, kinds: dict[str, list]) -> tuple[str, list] | None:
    """Which selector an input or state is, and the values to walk it over."""
    prop = item["property"]
    if prop in COUNT_PROPS:
        return "click", [1]
    if prop in CLICK_PROPS:
        return "council", [{"points": [{"location": c, "customdata": c, "id": c, "text": c,
                                        "hovertext": c, "x": c, "y": c, "label": c}]}
                           for c in kinds["council"]]
    if prop not in ("value", "data"):
        return None
    multi = isinstance(props.get(prop), list)
    offered = set(map(str, _option_values(props)))
    for kind, values in kinds.items():
        if offered & set(values) or (not offered and prop == "data" and kind == "council"
                                     and "council" in str(item["id"])):
            return kind, [[v] if multi else v for v in values]
    return None


def _callback_calls(dep: dict, base: dict, kinds: dict[str, list]) -> list[tuple[dict, Context]]:
    """The values to post for one callback: its selectors' choices combined, councils cut
    first so that no callback is called more than MAX_CALLS_PER_CALLBACK times."""
    selectors: dict[str, list[tuple[dict, list]]] = defaultdict(list)
    fixed = {}
    for item in [*dep["inputs"], *dep["state"]]:
        if not isinstance(item["id"], str):
            continue  # pattern-matching ids: none in this app yet
        props = base.get(item["id"], {})
        found = _choices_for(item, props, kinds)
        if found is None:
            continue
        kind, values = found
        if kind == "click":
            fixed[(item["id"], item["property"])] = 1
        else:
            selectors[kind].append((item, values))
    names = sorted(selectors)
    lists = [selectors[k][0][1] for k in names]
    combos = list(itertools.product(*lists))
    if len(combos) > MAX_CALLS_PER_CALLBACK and "council" in names:
        # Every other choice with a few councils in rotation: each council and each indicator
        # is still walked, only not every pair.
        k = names.index("council")
        others = list(itertools.product(*(lists[:k] + lists[k + 1:])))
        per = max(1, MAX_CALLS_PER_CALLBACK // max(1, len(others)))
        councils = itertools.cycle(lists[k])
        combos = [(*o[:k], next(councils), *o[k:]) for o in others for _ in range(per)]
    calls = []
    for combo in combos:
        values, context = dict(fixed), {}
        for kind, choice in zip(names, combo, strict=True):
            index = selectors[kind][0][1].index(choice)
            for item, options in selectors[kind]:
                values[(item["id"], item["property"])] = options[min(index, len(options) - 1)]
            plain = choice[0] if isinstance(choice, list) else choice
            if isinstance(plain, dict):  # a click on a council
                plain = plain["points"][0]["location"]
            context[kind] = plain
        calls.append((values, Context(
            areas=tuple(c for c in [context.get("council"), context.get("region")] if c),
            indicator=context.get("indicator"), period=context.get("wave"))))
    return calls[:MAX_CALLS_PER_CALLBACK]


@pytest.fixture(scope="module")
def callback_results(client, dependencies, rendered_pages, audit_councils, survey_ids, periods,
                     settings):
    """Every server-side callback called over its selectors' choices: {output: [(status,
    body, context)]}."""
    props: dict[str, dict] = {}
    for _path, (status, content, _module) in rendered_pages.items():
        if status == 200:
            for ident, p in component_props(content["response"][PAGES_CONTENT_ID]).items():
                props.setdefault(ident, p)
    kinds = {"indicator": survey_ids, "wave": periods, "council": audit_councils,
             "region": sorted(regions(settings.data_dir)["code"])}
    results = defaultdict(list)
    for dep in dependencies:
        if dep.get("clientside_function") or PAGES_CONTENT_ID in dep["output"]:
            continue
        base = {(ident, prop): value for ident, p in props.items() for prop, value in p.items()}
        trigger = dep["inputs"][0]
        changed = [f"{trigger['id']}.{trigger['property']}"]
        for values, context in _callback_calls(dep, props, {**kinds}):
            response = _post(client, callback_body(dep, {**base, **values}, changed))
            body = response.get_json() if response.status_code == 200 else None
            results[dep["output"]].append((response.status_code, body, context, values))
    return results


def test_every_callback_answers_for_the_values_a_page_offers(callback_results, dependencies):
    """Each server-side callback returned 200 or 204 (no update) at least once, so none escapes
    the audit by failing; failures are listed."""
    failing = {}
    for output, calls in callback_results.items():
        bad = [(s, {f"{k[0]}.{k[1]}": v for k, v in values.items()})
               for s, _b, _c, values in calls if s not in (200, 204)]
        if bad:
            failing[output] = (f"{len(bad)} of {len(calls)} calls failed", bad[:3])
    never = [o for o, calls in callback_results.items()
             if not any(s == 200 for s, *_ in calls)]
    server_side = [d["output"] for d in dependencies if not d.get("clientside_function")
                   and PAGES_CONTENT_ID not in d["output"]]
    assert set(server_side) <= set(callback_results)
    assert not never, f"callbacks never answered with content: {never}\nfailures: {failing}"
    assert not failing, f"callbacks that failed for values their page offers: {failing}"


def test_no_callback_shows_a_withheld_figure(callback_results, audit):
    findings = []
    for output, calls in callback_results.items():
        for status, body, context, _values in calls:
            if status == 200:
                where = (f"callback {_outputs_of(output)[0]['id']} ({context.indicator}, "
                         f"{context.period}, {context.areas})")
                findings += audit.check(body, where, context)
    _fail_on(findings, "callback responses")
