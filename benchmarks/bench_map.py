"""Benchmark the map page against a naive Dash choropleth, side by side, in one run.

Run:  .venv/bin/python benchmarks/bench_map.py [--repeats 7] [--requests 200] [--changes 10]
      [--server werkzeug|gunicorn]

Both apps run in their own process, served the same way on a loopback port (werkzeug
``make_server(threaded=True)`` by default), on the same database: DATABASE_URL, or a temporary
SQLite file loaded with the bundled data and demo survey (``loading.init_database``). The
baseline is ``benchmarks/naive_map_app.py``: one dropdown, whole figure with the unsimplified
ONS GeoJSON embedded, re-sent on every change.

Measured, product vs baseline:
1. Bytes per indicator change: headless Chromium opens each map and changes the indicator
   ``--changes`` times through the dropdown, as a person does; every ``/_dash-update-component``
   response body caused by the change is counted (the map callback and any others it triggers).
2. Navigation to map drawn: ``page.goto`` until all 153 council paths are in the graph and
   plotly has fired ``plotly_afterplot``, read from the page's own clock (``performance.now()``,
   zero = navigation start). ``--repeats`` fresh browser contexts (cold cache), each then
   reloaded once (warm cache). The two apps alternate, so load on the machine hits both alike.
3. Server time of the indicator-change callback: the request the browser sent in (1) is
   replayed ``--requests`` times through the Flask test client in a fresh process per app,
   cycling over indicators (survey and context) and, for the product, the class methods.

Figures are printed, never asserted. The machine is shared, so absolute times are noisy: read
the ratios, and the load average printed with them. Component ids come from ``pages/ids.py`` at
run time (only MAP_INDICATOR and MAP_GRAPH are relied on).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N_COUNCILS = 153
DASH_UPDATE = "/_dash-update-component"
DEFAULT_REPEATS = 7
DEFAULT_REQUESTS = 200
DEFAULT_CHANGES = 10
#: Goals from issue 5.
GOAL_BYTES_RATIO = 50  # product bytes per change <= baseline / 50
GOAL_LOAD_RATIO = 0.5  # product navigation-to-drawn <= half the baseline's
GOAL_LOAD_MS = 1500  # ... and under 1.5 s
#: gzip level for the like-for-like compressed comparison (the common server default).
GZIP_LEVEL = 6
GOAL_SERVER_P95_MS = 50
SERVER_START_TIMEOUT_S = 180
PAGE_TIMEOUT_MS = 60_000
#: A change is over when no dash request has been in flight for this long.
SETTLE_MS = 400
OPTION_TIMEOUT_MS = 4_000
PRODUCT, NAIVE = "product", "naive"
APPS = (PRODUCT, NAIVE)
PERCENT = 100
QUIET_WAIT_S = 600
PROFILE_TOP = 8
PROFILE_INTERVAL_US = 1000
QUIET_POLL_S = 15

#: Set up in every page before its scripts run: marks when the map is first drawn in full.
DRAWN_SCRIPT = """
(() => {
  const GRAPH = %(graph)s, N = %(n)d;
  window.__afterplots = []; window.__drawn = null;
  let hooked = null;
  const paths = () => document.querySelectorAll('#' + GRAPH + ' .choroplethlocation').length;
  const check = () => {
    if (window.__drawn === null && paths() >= N && window.__afterplots.length > 0)
      window.__drawn = performance.now();
  };
  const hook = () => {
    const gd = document.querySelector('#' + GRAPH + ' .js-plotly-plot')
      || document.querySelector('.js-plotly-plot#' + GRAPH);
    if (gd && gd !== hooked && typeof gd.on === 'function') {
      // a plot already complete before the hook counts as drawn now
      if (hooked === null && paths() >= N) window.__afterplots.push(performance.now());
      hooked = gd;
      gd.on('plotly_afterplot', () => { window.__afterplots.push(performance.now()); check(); });
    }
    check();
  };
  new MutationObserver(hook).observe(document, {subtree: true, childList: true,
                                                attributes: true, attributeFilter: ['class']});
  const tick = () => { hook(); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})();
"""


# ---------------------------------------------------------------- small statistics helpers
def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) by linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / PERCENT
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def median(values: list[float]) -> float:
    """Return the median, NaN for no values."""
    return statistics.median(values) if values else math.nan


def mean(values: list[float]) -> float:
    """Return the mean, NaN for no values."""
    return statistics.fmean(values) if values else math.nan


def load_text() -> str:
    """Return the 1, 5 and 15 minute load averages and the number of CPUs, as text."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def wait_for_quiet(max_load: float | None) -> None:
    """Wait up to QUIET_WAIT_S for the 1-minute load average to drop to ``max_load``."""
    if max_load is None:
        return
    deadline = time.monotonic() + QUIET_WAIT_S
    while os.getloadavg()[0] > max_load and time.monotonic() < deadline:
        print(f"    waiting for a quieter machine: {load_text()}", flush=True)
        time.sleep(QUIET_POLL_S)


# ---------------------------------------------------------------- ids, database, servers
def component_ids() -> tuple[str, str, str | None]:
    """Return the map page's (indicator dropdown, graph, class method) ids, read at run time."""
    import importlib

    ids = importlib.import_module("pages.ids")
    return ids.MAP_INDICATOR, ids.MAP_GRAPH, getattr(ids, "MAP_CLASS_METHOD", None)


def database_url(workdir: Path) -> tuple[str, str]:
    """Return (URL, description): DATABASE_URL, or a new SQLite file loaded with bundled data."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"], "DATABASE_URL"
    from sasci_map.config import DEFAULT_DATA_DIR, sqlite_url
    from sasci_map.db import make_engine
    from sasci_map.loading import init_database

    url = sqlite_url(workdir / "bench_map.db")
    engine = make_engine(url)
    init_database(engine, DEFAULT_DATA_DIR)
    engine.dispose()
    return url, "temporary SQLite (bundled data + demo survey)"


def free_port() -> int:
    """Return a loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wsgi_target(which: str) -> str:
    """Return the ``module:server`` of an app, for gunicorn."""
    return "app:server" if which == PRODUCT else "naive_map_app:server"


def load_server(which: str):
    """Import and return the Flask server of the product or the naive app."""
    if which == PRODUCT:
        import app as app_module

        return app_module.server
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import naive_map_app

    print(f"naive boundaries: {naive_map_app.boundaries_geojson()[1]}", file=sys.stderr)
    return naive_map_app.server


def serve(which: str, port: int) -> None:
    """Serve one app with werkzeug (threaded) until killed; print its port first."""
    from werkzeug.serving import make_server

    srv = make_server("127.0.0.1", port, load_server(which), threaded=True)
    print(f"PORT {srv.server_port}", flush=True)
    srv.serve_forever()


@dataclass
class Server:
    """A running app process started by this benchmark."""

    which: str
    process: subprocess.Popen
    url: str
    log: Path


def start_server(which: str, kind: str, env: dict, workdir: Path) -> Server:
    """Start one app in its own process and wait until it answers ``/``."""
    port = free_port()
    log = workdir / f"{which}.log"
    if kind == "gunicorn":
        cmd = [shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn",
               "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
               "--chdir", str(ROOT), "--pythonpath", f"{ROOT},{ROOT / 'benchmarks'}",
               wsgi_target(which)]
    else:
        cmd = [sys.executable, __file__, "--serve", which, "--port", str(port)]
    with log.open("w") as handle:
        process = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{which} server exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/", timeout=30) as resp:
                if resp.status == 200:
                    return Server(which, process, url, log)
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"{which} server did not answer within {SERVER_START_TIMEOUT_S} s")


def stop_server(server: Server) -> None:
    """Stop a server this benchmark started (by its own process handle)."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


# ---------------------------------------------------------------- browser measurements
@dataclass
class ChangeResult:
    """What the browser received for the indicator changes of one app."""

    bytes_per_change: list[int] = field(default_factory=list)
    wire_bytes_per_change: list[int] = field(default_factory=list)
    gzip_bytes_per_change: list[int] = field(default_factory=list)
    figure_bytes: list[int] = field(default_factory=list)
    requests_per_change: list[int] = field(default_factory=list)
    redraw_ms: list[float] = field(default_factory=list)
    by_output: dict[str, list[int]] = field(default_factory=dict)
    parts: dict[str, list[int]] = field(default_factory=dict)
    template: dict | None = None
    chosen: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class DashTraffic:
    """Record the page's ``_dash-update-component`` requests and responses."""

    def __init__(self, page):
        self.inflight = 0
        self.responses: list = []
        self.last_change = time.monotonic()
        page.on("request", self._on_request)
        page.on("requestfinished", self._on_done)
        page.on("requestfailed", self._on_done)
        page.on("response", self._on_response)

    @staticmethod
    def _is_dash(request) -> bool:
        return DASH_UPDATE in request.url

    def _on_request(self, request):
        if self._is_dash(request):
            self.inflight += 1
            self.last_change = time.monotonic()

    def _on_done(self, request):
        if self._is_dash(request):
            self.inflight -= 1
            self.last_change = time.monotonic()

    def _on_response(self, response):
        if self._is_dash(response.request):
            self.responses.append(response)

    def settle(self, page, timeout_s: float = PAGE_TIMEOUT_MS / 1000) -> None:
        """Wait until no dash request has been in flight for SETTLE_MS."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            page.wait_for_timeout(50)
            quiet = (time.monotonic() - self.last_change) * 1000
            if self.inflight <= 0 and quiet >= SETTLE_MS:
                return
        raise TimeoutError("dash requests did not settle")


def inputs_of(request) -> list[dict]:
    """Return the inputs and states a dash callback request sent, flattened."""
    payload = request.post_data_json or {}
    items = []
    for entry in payload.get("inputs", []) + payload.get("state", []):
        items.extend(entry if isinstance(entry, list) else [entry])
    return items


def output_key(request) -> str:
    """Return the ``output`` of a dash callback request (``id.prop`` list as Dash spells it)."""
    try:
        return (request.post_data_json or {}).get("output", "?")
    except (ValueError, TypeError):
        return "?"


def output_sizes(body: bytes) -> dict[str, int]:
    """Return the size of each ``id.prop`` inside a callback response (compact JSON)."""
    try:
        response = json.loads(body).get("response", {})
    except ValueError:
        return {}
    return {f"{comp}.{prop}": len(json.dumps(value, separators=(",", ":")))
            for comp, props in response.items() for prop, value in props.items()}


def wait_drawn(page) -> float:
    """Wait for the map to be drawn in full; return its time since navigation start, in ms."""
    page.wait_for_function("() => window.__drawn !== null", timeout=PAGE_TIMEOUT_MS,
                           polling="raf")
    return float(page.evaluate("() => window.__drawn"))


def choose_indicator(page, dropdown_id: str, label: str) -> None:
    """Pick the option whose text contains ``label`` from the dropdown, as a person does."""
    page.locator(f"#{dropdown_id}").click()
    option = page.get_by_role("option", name=re.compile(re.escape(label))).first
    try:
        option.click(timeout=OPTION_TIMEOUT_MS)
    except Exception:  # noqa: BLE001 - long lists may render lazily: search, then pick
        page.keyboard.type(label[:40])
        option.click(timeout=OPTION_TIMEOUT_MS)
    if page.get_by_role("listbox").count():
        page.keyboard.press("Escape")


def measure_changes(browser, url: str, ids: tuple, sequence: list[tuple[str, str]],
                    n_changes: int) -> ChangeResult:
    """Open the map, change the indicator ``n_changes`` times, count the bytes received."""
    dropdown_id, graph_id, _method_id = ids
    result = ChangeResult()
    context = browser.new_context()
    context.add_init_script(DRAWN_SCRIPT % {"graph": json.dumps(graph_id), "n": N_COUNCILS})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    traffic = DashTraffic(page)
    page.goto(url + "/")
    wait_drawn(page)
    traffic.settle(page)
    for indicator_id, label in sequence[:n_changes]:
        mark = len(traffic.responses)
        t_click = page.evaluate("() => performance.now()")
        choose_indicator(page, dropdown_id, label)
        deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
        while not any(f"{graph_id}.figure" in output_key(r.request)
                      for r in traffic.responses[mark:]):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no figure update after choosing {indicator_id}")
            page.wait_for_timeout(20)
        traffic.settle(page)
        try:
            page.wait_for_function("t => window.__afterplots.some(a => a > t)", arg=t_click,
                                   timeout=PAGE_TIMEOUT_MS, polling="raf")
            redraw = page.evaluate("t => window.__afterplots.find(a => a > t)", t_click)
            result.redraw_ms.append(redraw - t_click)
        except Exception:  # noqa: BLE001 - a missing afterplot leaves only this figure empty
            result.notes.append(f"no afterplot seen after choosing {indicator_id}")
        total, figure, wire, gzipped = 0, 0, 0, 0
        new = traffic.responses[mark:]
        for response in new:
            body = response.body()
            total += len(body)
            # What crossed the wire: the body as sent, compressed if the server compressed it.
            wire += response.request.sizes()["responseBodySize"]
            # The same body gzipped (level 6), so both apps compare as if both compressed.
            gzipped += len(gzip.compress(body, compresslevel=GZIP_LEVEL))
            key = output_key(response.request)
            result.by_output.setdefault(key, []).append(len(body))
            if f"{graph_id}.figure" in key:
                sizes = output_sizes(body)
                figure += sizes.get(f"{graph_id}.figure", 0)
                for part, size in sizes.items():
                    result.parts.setdefault(part, []).append(size)
                if result.template is None:
                    result.template = response.request.post_data_json
                sent = [i.get("value") for i in inputs_of(response.request)]
                result.chosen.append(next((v for v in sent if v == indicator_id), "?"))
        result.bytes_per_change.append(total)
        result.wire_bytes_per_change.append(wire)
        result.gzip_bytes_per_change.append(gzipped)
        result.figure_bytes.append(figure)
        result.requests_per_change.append(len(new))
    context.close()
    return result


#: Sum the decoded bytes a page loaded: code and styles, data (layout, callbacks, geometry).
PAGE_BYTES_SCRIPT = """() => {
  const out = {static: 0, data: 0, callbacks: 0};
  for (const e of performance.getEntriesByType('navigation')
                  .concat(performance.getEntriesByType('resource'))) {
    const u = e.name;
    const isStatic = e.entryType === 'navigation' || u.includes('/_dash-component-suites/')
                     || u.includes('/assets/') || u.includes('favicon');
    out[isStatic ? 'static' : 'data'] += e.decodedBodySize;
    if (u.includes('/_dash-update-component')) out.callbacks += 1;
  }
  return out;
}"""


def table_ready(page) -> float:
    """Return when the map's table first showed rows (ms since navigation); NaN without one.

    The product fills its table after the map is drawn, so this is reported beside the draw.
    """
    import importlib

    table_id = getattr(importlib.import_module("pages.ids"), "MAP_TABLE", None)
    if not table_id or not page.locator(f"#{table_id}").count():
        return math.nan
    page.wait_for_function(f"() => document.querySelector('#{table_id} .ag-row') !== null",
                           timeout=PAGE_TIMEOUT_MS, polling="raf")
    return float(page.evaluate("() => performance.now()"))


def measure_load(browser, url: str, graph_id: str) -> dict:
    """Return cold and warm ms from navigation to the map drawn in full, and cold page bytes.

    A load that never draws (an error on the page) is recorded as NaN, not raised.
    """
    context = browser.new_context()
    context.add_init_script(DRAWN_SCRIPT % {"graph": json.dumps(graph_id), "n": N_COUNCILS})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    result = {"cold": math.nan, "warm": math.nan, "static": math.nan, "data": math.nan,
              "callbacks": math.nan, "table": math.nan}
    try:
        page.goto(url + "/")
        result["cold"] = wait_drawn(page)
        result["table"] = table_ready(page)
        result.update(page.evaluate(PAGE_BYTES_SCRIPT))
        page.goto("about:blank")
        page.goto(url + "/")
        result["warm"] = wait_drawn(page)
    except Exception as exc:  # noqa: BLE001 - one failed load must not lose the others
        print(f"    load failed: {str(exc).splitlines()[0]}", flush=True)
    context.close()
    return result


def profile_load(browser, url: str, graph_id: str, top: int = PROFILE_TOP) -> list[tuple]:
    """Return the scripts that took the most main-thread time in one cold load (ms, name)."""
    import collections

    context = browser.new_context()
    context.add_init_script(DRAWN_SCRIPT % {"graph": json.dumps(graph_id), "n": N_COUNCILS})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": PROFILE_INTERVAL_US})
    cdp.send("Profiler.start")
    page.goto(url + "/")
    drawn = wait_drawn(page)
    profile = cdp.send("Profiler.stop")["profile"]
    context.close()
    nodes = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    by_script: collections.Counter = collections.Counter()
    for sample, delta_us in zip(profile["samples"], profile["timeDeltas"], strict=True):
        frame = nodes[sample]
        name = frame["url"].rsplit("/", 1)[-1].split("?")[0] or frame["functionName"]
        by_script[re.sub(r"\.v\d[\w.]*?m\d+", "", name)] += delta_us / 1000
    return [(round(drawn), "until drawn (wall)")] + [(round(ms), name) for name, ms in
                                                    by_script.most_common(top)]


# ---------------------------------------------------------------- server time (own process)
def set_value(payload: dict, comp_id: str, prop: str, value) -> bool:
    """Set the value of input/state ``comp_id.prop`` in a callback request; True if found."""
    found = False
    for entry in payload.get("inputs", []) + payload.get("state", []):
        for item in entry if isinstance(entry, list) else [entry]:
            if item.get("id") == comp_id and item.get("property") == prop:
                item["value"] = value
                found = True
    return found


def server_time(which: str, payload_file: Path, indicator_ids: list[str], n: int) -> dict:
    """Replay a captured callback request ``n`` times in-process; return the times in ms."""
    import copy

    server = load_server(which)
    dropdown_id, _graph_id, method_id = component_ids()
    template = json.loads(payload_file.read_text())
    methods = [None]
    if which == PRODUCT and method_id:
        from sasci_map.classing import CLASS_METHODS

        methods = list(CLASS_METHODS)
    combos = [(ind, methods[(i // len(indicator_ids)) % len(methods)])
              for i, ind in enumerate(indicator_ids * len(methods))]
    client = server.test_client()

    def post(indicator_id, method) -> tuple[float, int, int]:
        payload = copy.deepcopy(template)
        set_value(payload, dropdown_id, "value", indicator_id)
        if method is not None and not set_value(payload, method_id, "value", method):
            method = None
        t0 = time.perf_counter()
        resp = client.post(DASH_UPDATE, json=payload)
        elapsed = (time.perf_counter() - t0) * 1000
        return elapsed, resp.status_code, len(resp.data)

    # warm-up: the first request sets Dash's callback map up; it is not counted
    post(indicator_ids[0], methods[0])
    times, first_pass, statuses, sizes = [], [], {}, []
    for i in range(n):
        indicator_id, method = combos[i % len(combos)]
        elapsed, status, size = post(indicator_id, method)
        times.append(elapsed)
        sizes.append(size)
        statuses[status] = statuses.get(status, 0) + 1
        if i < len(combos):
            first_pass.append(elapsed)
    return {"times": times, "first_pass": first_pass, "statuses": statuses,
            "mean_bytes": mean(sizes), "combos": len(combos)}


def run_server_time(which: str, payload: dict, indicator_ids: list[str], n: int, env: dict,
                    workdir: Path) -> dict:
    """Run :func:`server_time` in a fresh process (one Dash app per process)."""
    payload_file = workdir / f"{which}_payload.json"
    payload_file.write_text(json.dumps(payload))
    out = subprocess.run(
        [sys.executable, __file__, "--server-time", which, "--payload", str(payload_file),
         "--indicators", ",".join(indicator_ids), "--requests", str(n)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"server time of {which} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- report
def indicator_sequence(url: str) -> list[tuple[str, str]]:
    """Return (id, label) of indicators alternating context and survey, never the default."""
    from sasci_map import indicators
    from sasci_map.db import make_engine
    from sasci_map.mapview import DEFAULT_INDICATOR

    engine = make_engine(url)
    catalogue = indicators.catalogue(engine)
    engine.dispose()
    catalogue = catalogue[catalogue["indicator_id"] != DEFAULT_INDICATOR]
    context = catalogue[catalogue["domain"] == "context"]
    survey = catalogue[catalogue["domain"] != "context"]
    pairs: list[tuple[str, str]] = []
    for i in range(max(len(context), len(survey))):
        for part in (context, survey):
            if i < len(part):
                row = part.iloc[i]
                pairs.append((row["indicator_id"], row["label"]))
    return pairs


def div(a: float, b: float) -> float:
    """Return a / b, NaN when b is 0 or either is NaN."""
    return a / b if b and not (math.isnan(a) or math.isnan(b)) else math.nan


def verdict(ok: bool) -> str:
    """Return the goal column's word."""
    return "met" if ok else "NOT met"


def kib(n: float) -> str:
    """Format bytes as KiB."""
    return f"{n / 1024:,.1f} KiB"


def report(changes: dict, loads: dict, servers: dict, args, db_text: str, origin: str) -> None:
    """Print the table of figures and goals."""
    p, nv = changes[PRODUCT], changes[NAIVE]
    p_bytes, n_bytes = mean(p.bytes_per_change), mean(nv.bytes_per_change)
    bytes_ratio = div(n_bytes, p_bytes)
    print("\n== Map benchmark: product vs naive baseline ==")
    print(f"database: {db_text}; server: {args.server}; baseline boundaries: {origin}")
    print(f"{load_text()} (at the end)\n")
    width = 52
    print(f"{'measure':<{width}} {'product':>14} {'baseline':>14} {'ratio':>9}  goal")
    print("-" * (width + 60))

    def row(name, a, b, fmt, ratio_text="", goal=""):
        print(f"{name:<{width}} {fmt(a):>14} {fmt(b):>14} {ratio_text:>9}  {goal}")

    row(f"(1) bytes per indicator change (mean, n={len(p.bytes_per_change)})",
        p_bytes, n_bytes, kib, f"1/{bytes_ratio:.0f}",
        f"product <= baseline/{GOAL_BYTES_RATIO}: {verdict(bytes_ratio >= GOAL_BYTES_RATIO)}")
    p_wire, n_wire = mean(p.wire_bytes_per_change), mean(nv.wire_bytes_per_change)
    row("    as sent on the wire (compressed where served so)", p_wire, n_wire, kib,
        f"1/{div(n_wire, p_wire):.0f}")
    p_gz, n_gz = mean(p.gzip_bytes_per_change), mean(nv.gzip_bytes_per_change)
    row("    both gzipped (level 6), for a like-for-like view", p_gz, n_gz, kib,
        f"1/{div(n_gz, p_gz):.0f}")
    row("    of which the figure (patch vs full)", mean(p.figure_bytes), mean(nv.figure_bytes),
        kib, f"1/{div(mean(nv.figure_bytes), mean(p.figure_bytes)):.0f}")
    row("    callback responses per change", mean(p.requests_per_change),
        mean(nv.requests_per_change), lambda v: f"{v:.1f}")
    row("    change -> map redrawn, median ms", median(p.redraw_ms), median(nv.redraw_ms),
        lambda v: f"{v:,.0f}", f"x{div(median(p.redraw_ms), median(nv.redraw_ms)):.2f}")

    fmt_ms = lambda v: f"{v:,.0f} ms"  # noqa: E731
    pl, nl = loads[PRODUCT], loads[NAIVE]
    for temp in ("cold", "warm"):
        pm, nm = median(pl.get(temp, [])), median(nl.get(temp, []))
        p9, n9 = percentile(pl.get(temp, []), 90), percentile(nl.get(temp, []), 90)
        goal = ""
        if temp == "cold":
            goal = (f"product <= half and < {GOAL_LOAD_MS} ms: "
                    f"{verdict(pm <= GOAL_LOAD_RATIO * nm and pm < GOAL_LOAD_MS)}")
        row(f"(2) navigation -> drawn, {temp}, median (n={len(pl.get(temp, []))}/"
            f"{len(nl.get(temp, []))})", pm, nm, fmt_ms, f"x{div(pm, nm):.2f}", goal)
        row(f"    navigation -> drawn, {temp}, p90", p9, n9, fmt_ms, f"x{div(p9, n9):.2f}")
    table = median(pl.get("table", []))
    if not math.isnan(table):
        row("    navigation -> table rows shown, cold, median", table, math.nan, fmt_ms,
            "", "(the product fills its table after the map)")
    for key, name in (("data", "page load: data (layout, callbacks, geometry)"),
                      ("static", "page load: code and styles (cacheable)")):
        a, b = median(pl.get(key, [])), median(nl.get(key, []))
        row(f"    {name}", a, b, kib, f"x{div(a, b):.2f}")
    row("    page load: callback requests", median(pl.get("callbacks", [])),
        median(nl.get("callbacks", [])), lambda v: f"{v:.0f}")

    ps, ns = servers[PRODUCT], servers[NAIVE]
    for label, q in (("p50", 50), ("p95", 95), ("max", PERCENT)):
        a, b = percentile(ps["times"], q), percentile(ns["times"], q)
        goal = (f"product p95 < {GOAL_SERVER_P95_MS} ms: {verdict(a < GOAL_SERVER_P95_MS)}"
                if label == "p95" else "")
        row(f"(3) server time of the change callback, {label}", a, b, lambda v: f"{v:,.1f} ms",
            f"x{div(a, b):.2f}", goal)
    row("    first pass over each combination, p50", median(ps["first_pass"]),
        median(ns["first_pass"]), lambda v: f"{v:,.1f} ms")
    print("-" * (width + 60))
    print(f"(1) {args.changes} changes through the dropdown in Chromium, all "
          f"{DASH_UPDATE} response bodies counted; product responses by callback output:")
    for key, sizes in p.by_output.items():
        print(f"      {kib(mean(sizes)):>12} mean x{len(sizes):<3} {key[:110]}")
    print("    inside the map callback's response (product), by output:")
    for key, sizes in sorted(p.parts.items(), key=lambda kv: -mean(kv[1])):
        print(f"      {kib(mean(sizes)):>12} mean  {key}")
    print(f"(3) {len(ps['times'])} requests each after one warm-up; product cycles "
          f"{ps['combos']} indicator x class-method combinations, baseline {ns['combos']} "
          f"indicators; HTTP statuses product {ps['statuses']}, baseline {ns['statuses']}")
    for which in APPS:
        for note in changes[which].notes:
            print(f"note ({which}): {note}")
        wrong = [c for c in changes[which].chosen if c == "?"]
        if wrong:
            print(f"note ({which}): {len(wrong)} change(s) did not send the intended indicator")


# ---------------------------------------------------------------- main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS,
                        help="page loads per app, each in a fresh browser context")
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS,
                        help="callback requests per app for the server time")
    parser.add_argument("--changes", type=int, default=DEFAULT_CHANGES,
                        help="indicator changes per app in the browser")
    parser.add_argument("--max-load", type=float, default=None,
                        help="before each part, wait (up to 10 min) for the 1-minute load "
                             "average to fall to this")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one cold load per app: main-thread time by script")
    parser.add_argument("--server", choices=("werkzeug", "gunicorn"), default="werkzeug",
                        help="how both apps are served (the same way)")
    # internal modes: this script runs itself to serve an app or time its callback
    parser.add_argument("--serve", choices=APPS, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--server-time", choices=APPS, help=argparse.SUPPRESS)
    parser.add_argument("--payload", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--indicators", default="", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run every measurement on both apps and print the table."""
    args = parse_args(argv)
    if args.serve:
        serve(args.serve, args.port)
        return
    if args.server_time:
        result = server_time(args.server_time, args.payload, args.indicators.split(","),
                             args.requests)
        print(json.dumps(result))
        return

    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    print(f"start: {load_text()}", flush=True)
    ids = component_ids()
    with tempfile.TemporaryDirectory(prefix="bench_map_") as tmp:
        workdir = Path(tmp)
        url, db_text = database_url(workdir)
        env = {**os.environ, "DATABASE_URL": url}
        sequence = indicator_sequence(url)
        servers: dict[str, Server] = {}
        try:
            for which in APPS:
                servers[which] = start_server(which, args.server, env, workdir)
                print(f"{which} serving on {servers[which].url}", flush=True)
            origin = next((line.split(": ", 1)[1] for line in
                           servers[NAIVE].log.read_text().splitlines()
                           if line.startswith("naive boundaries:")), "see naive_map_app.py")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                changes = {}
                for which in APPS:
                    wait_for_quiet(args.max_load)
                    print(f"(1) {which}: {args.changes} indicator changes...", flush=True)
                    changes[which] = measure_changes(browser, servers[which].url, ids, sequence,
                                                     args.changes)
                loads: dict[str, dict[str, list]] = {w: {} for w in APPS}
                wait_for_quiet(args.max_load)
                for i in range(args.repeats):
                    print(f"(2) page loads, round {i + 1}/{args.repeats}...", flush=True)
                    order = APPS if i % 2 == 0 else APPS[::-1]
                    for which in order:
                        found = measure_load(browser, servers[which].url, ids[1])
                        for key, value in found.items():
                            if not math.isnan(value):
                                loads[which].setdefault(key, []).append(value)
                profiles = {}
                if args.profile:
                    for which in APPS:
                        print(f"(2) {which}: one profiled cold load...", flush=True)
                        profiles[which] = profile_load(browser, servers[which].url, ids[1])
                browser.close()
        finally:
            for server in servers.values():
                stop_server(server)
        times = {}
        replay_ids = [ind for ind, _label in sequence[:args.changes]]
        for which in APPS:
            wait_for_quiet(args.max_load)
            print(f"(3) {which}: {args.requests} callback requests in-process...", flush=True)
            if changes[which].template is None:
                raise RuntimeError(f"no callback request was captured for {which}")
            times[which] = run_server_time(which, changes[which].template, replay_ids,
                                           args.requests, env, workdir)
        report(changes, loads, times, args, db_text, origin)
        for which, rows in profiles.items():
            print(f"(2) {which}: main-thread time by script in one cold load (CPU profile):")
            for ms, name in rows:
                print(f"      {ms:>8,} ms  {name}")


if __name__ == "__main__":
    main()
