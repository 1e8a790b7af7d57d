"""Accessibility in real Chromium: axe-core (WCAG 2.1 A/AA) on every page, keyboard reachability.

axe-core comes from the npm registry (package.json / package-lock.json; `make node-deps`) and
is injected from node_modules, so no request leaves the app's origin. axe checks what a
machine can; docs/ACCESSIBILITY.md lists the manual checks it cannot do.
"""

from __future__ import annotations

import re
from pathlib import Path

import dash
import pandas as pd
import pytest

import app as app_module  # noqa: F401  (registers every page in dash.page_registry)
from sasci_map.config import DEFAULT_DATA_DIR

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]
#: Violations of these impacts fail the test; minor and moderate ones are printed only.
BLOCKING = ("serious", "critical")
INVENTORY = DEFAULT_DATA_DIR / "survey" / "inventory"
#: A real value for each variable of a templated path (the first row of the inventories).
REPRESENTATIVE = {
    "code": "E06000001",  # Hartlepool
    "innovation_id": pd.read_csv(INVENTORY / "innovations.csv", dtype=str)["innovation_id"][0],
    "org_id": pd.read_csv(INVENTORY / "support_organisations.csv", dtype=str)["org_id"][0],
}
TEMPLATE_VARIABLE = re.compile(r"<(\w+)>")
#: Violations inside third-party components that no page can fix, as (rule, CSS class of the
#: node). Dash 4's dcc.Dropdown takes keyboard focus on an input it marks aria-hidden
#: (``.dash-dropdown-focus-target``); the dropdown still works with the keyboard and its button
#: is named by its label. Listed in docs/ACCESSIBILITY.md; printed, not failed.
KNOWN_UPSTREAM = {("aria-hidden-focus", ".dash-dropdown-focus-target")}
#: Controls of the map page that a keyboard user must reach with Tab (ids from pages/ids.py).
MAP_CONTROLS = ("map-indicator", "map-class-method", "map-search-input")
MAX_TABS = 80
#: The not-found page's own address, which the server answers 404 (pages/http_status.py).
NOT_FOUND_PATH = "/404"


def page_paths() -> list[str]:
    """Every registered page's path; templated paths get a representative value."""
    paths = []
    for page in dash.page_registry.values():
        template = page.get("path_template")
        paths.append(TEMPLATE_VARIABLE.sub(lambda m: REPRESENTATIVE.get(m[1], f"<{m[1]}>"),
                                           template) if template else page["path"])
    return sorted(paths)


def wait_for_render(page) -> None:
    """Wait until the page's layout is in and no Dash callback is still loading."""
    page.wait_for_selector("#_pages_content > *", state="attached")
    page.wait_for_load_state("networkidle")
    page.wait_for_function("!document.querySelector('[data-dash-is-loading=\"true\"]')")
    # AG Grid delays drawing a grid until it has been on screen: bring each into view.
    for grid in page.locator(".ag-root-wrapper").all():
        if grid.is_visible():  # grids in hidden tabs stay hidden, and axe skips them
            grid.scroll_into_view_if_needed()
    page.wait_for_function("[...document.querySelectorAll('.ag-delay-render')]"
                           ".every(g => g.offsetParent === null)")
    # AG Grid draws its header cells and rows a moment after mounting.
    page.wait_for_function("[...document.querySelectorAll('.ag-header-row-column')]"
                           ".every(r => r.offsetParent === null"
                           " || r.querySelector('[role=\"columnheader\"]'))")


def run_axe(page) -> list[dict]:
    """Inject axe-core into the page and return its WCAG 2.1 A/AA violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return result["violations"]


def without_upstream(violation: dict) -> dict:
    """The violation less its nodes that are known, unfixable third-party issues."""
    known = {cls for rule, cls in KNOWN_UPSTREAM if rule == violation["id"]}
    nodes = [n for n in violation["nodes"]
             if not any(cls in str(n["target"]) for cls in known)]
    return {**violation, "nodes": nodes}


def describe(violations: list[dict]) -> str:
    """One line per violation and node: impact, rule, help and the node's CSS target."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        lines += [f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}"
                  for node in v["nodes"][:10]]
    return "\n".join(lines)


@pytest.fixture
def browser_context_args(browser_context_args):
    """Let the test inject axe-core as an inline script despite the app's CSP (test tool only)."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(scope="module", autouse=True)
def axe_installed():
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run `make node-deps` (npm ci)")


@pytest.mark.parametrize("path", page_paths())
def test_page_has_no_serious_accessibility_violations(watched_page, live_server, path):
    page, watch = watched_page
    assert "<" not in path, f"no representative value for {path}: add one to REPRESENTATIVE"
    page.goto(live_server + path)
    wait_for_render(page)
    assert "SASCI" in page.title(), f"{path}: page title {page.title()!r} is not meaningful"
    violations = run_axe(page)
    blocking = [v for v in (without_upstream(v) for v in violations)
                if v["nodes"] and v["impact"] in BLOCKING]
    if violations:
        print(f"{path}:\n{describe(violations)}")
    assert blocking == [], f"{path}: axe found serious/critical violations:\n{describe(blocking)}"
    watch.assert_clean(not_found=path == NOT_FOUND_PATH)


def focused(page) -> dict:
    """What has keyboard focus: its own id, the ids of its ancestors and its outline."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        const ids = [];
        for (let n = el; n; n = n.parentElement) { if (n.id) ids.push(n.id); }
        const style = getComputedStyle(el);
        return {tag: el.tagName, ids: ids, outlineStyle: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth), boxShadow: style.boxShadow};
    }""")


def test_keyboard_reaches_the_map_controls_with_a_visible_focus(watched_page, live_server):
    page, watch = watched_page
    page.goto(live_server + "/")
    wait_for_render(page)
    page.locator("body").focus()
    reached: dict[str, tuple[int, dict]] = {}  # control -> (Tab press, focus state)
    order = []
    for step in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = focused(page)
        order.append(now["ids"][0] if now["ids"] else now["tag"])
        for control in MAP_CONTROLS:
            if control in now["ids"]:
                reached.setdefault(control, (step, now))
        if len(reached) == len(MAP_CONTROLS):
            break
    missing = set(MAP_CONTROLS) - set(reached)
    assert not missing, f"Tab never reached {missing}; focus went: {order}"
    for control, (_, state) in reached.items():
        visible = (state["outlineStyle"] != "none" and state["outlineWidth"] >= 2) or (
            state["boxShadow"] not in ("", "none"))
        assert visible, f"{control}: the focused element shows no focus indicator: {state}"
    steps = [reached[c][0] for c in MAP_CONTROLS]
    assert steps == sorted(steps), f"controls reached out of reading order: {order}"
    watch.assert_clean()


def test_methods_deep_link_scrolls_to_the_indicator(watched_page, live_server, screenshot_dir):
    page, watch = watched_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server + "/methods#indicator-cap_overall")
    wait_for_render(page)
    target = page.locator("#indicator-cap_overall")
    target.wait_for()
    page.wait_for_function("""() => {
        const box = document.getElementById('indicator-cap_overall').getBoundingClientRect();
        return box.top >= -2 && box.top < window.innerHeight / 2;
    }""")
    assert "Capability for innovating: overall score" in target.inner_text()
    page.screenshot(path=str(screenshot_dir / "methods-indicator-cap_overall.png"))
    page.get_by_role("link", name="Funnel plots").click()
    page.wait_for_function("""() => {
        const box = document.getElementById('funnel').getBoundingClientRect();
        return box.top >= -2 && box.top < window.innerHeight / 2;
    }""")
    page.screenshot(path=str(screenshot_dir / "methods-funnel.png"))
    watch.assert_clean()
