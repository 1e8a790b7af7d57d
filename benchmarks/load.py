"""Load test: gunicorn workers under concurrent clients on loopback, bounded in time and requests.

Run:  .venv/bin/python benchmarks/load.py [--clients 32] [--seconds 60] [--workers 2]
      [--max-requests 200000] [--client-processes 2] [--database-url URL]

Starts the app under gunicorn (``gunicorn -w N app:server -b 127.0.0.1:PORT``) against
DATABASE_URL (``--database-url``; ``init`` is run on it first, which is idempotent) or a
fresh temporary SQLite database holding the bundled data and demo survey. It waits until the
server answers, then runs C clients (threads spread over several processes, each with its own
keep-alive ``http.client`` connection) for T seconds or until ``--max-requests`` requests have
been made, over a weighted mix of what a browser and an API user ask for:

- the map page: ``GET /`` (shell), ``/_dash-layout``, ``/_dash-dependencies`` and the page
  content callback that renders the map page;
- the map's indicator-change callback (``POST /_dash-update-component``), with the body a
  browser sends, built at run time from ``/_dash-dependencies`` (the callback whose inputs
  include the map's indicator selector) and the values of the rendered map page;
- the council profile ``/council/<code>`` (shell and page content callback), skipped with a
  note when that page does not exist;
- the API: ``/api/v1/values?indicator=...&level=council``, ``/api/v1/councils``,
  ``/api/v1/indicators``.

Prints requests/s, p50/p95/p99 latency per endpoint and overall, errors by kind (HTTP status,
timeout, connection error), and the server's memory (RSS of the gunicorn master plus its
workers, from /proc) at start, every 10 s, and at the end. Only 127.0.0.1 is ever contacted.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOOPBACK = "127.0.0.1"
DEFAULT_CLIENTS = 32
DEFAULT_SECONDS = 60.0
DEFAULT_WORKERS = 2
DEFAULT_MAX_REQUESTS = 200_000
#: Client processes: on a 2-core machine one Python process of 32 threads would be the bottleneck.
DEFAULT_CLIENT_PROCESSES = 2
#: Seconds a single request may take before it counts as a timeout.
REQUEST_TIMEOUT_S = 30.0
#: Seconds to wait for gunicorn to answer its first request.
READY_TIMEOUT_S = 90.0
#: Seconds between memory samples while the load runs.
MEMORY_EVERY_S = 10.0
#: Worker timeout given to gunicorn: a slow request should show as slow, not as a killed worker.
GUNICORN_TIMEOUT_S = 120
#: Warm-up rounds of every request kind before measuring (each worker builds its caches).
WARMUP_ROUNDS = 3
PERCENTILES = (50, 95, 99)
KB_PER_MB = 1024
MAP_INDICATOR_FALLBACK = "map-indicator"
PAGES_CONTENT_ID = "_pages_content"
PAGES_LOCATION_ID = "_pages_location"
NOT_FOUND_TEXT = "404 - Page not found"
DASH_UPDATE = "/_dash-update-component"

#: Relative weights of the request kinds in the mix.
WEIGHTS = {
    "GET / (map shell)": 6,
    "GET /_dash-layout": 4,
    "GET /_dash-dependencies": 4,
    "POST map page content": 8,
    "POST map indicator change": 25,
    "GET /council/<code> (shell)": 4,
    "POST council page content": 8,
    "GET /api/v1/values": 20,
    "GET /api/v1/councils": 6,
    "GET /api/v1/indicators": 6,
}


# ---------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    """Return a TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def prepare_database(url: str | None, folder: Path) -> str:
    """Return the database URL to serve: ``url`` after ``init``, or a new temporary SQLite."""
    from sasci_map.config import DEFAULT_DATA_DIR, sqlite_url
    from sasci_map.db import make_engine
    from sasci_map.loading import init_database

    url = url or sqlite_url(folder / "load.db")
    engine = make_engine(url)
    init_database(engine, DEFAULT_DATA_DIR)
    engine.dispose()
    return url


def gunicorn_path() -> str:
    """Return the gunicorn beside this Python, or on PATH."""
    beside = Path(sys.executable).with_name("gunicorn")
    found = str(beside) if beside.exists() else shutil.which("gunicorn")
    if not found:
        raise SystemExit("gunicorn is not installed: .venv/bin/python -m pip install gunicorn")
    return found


def start_server(workers: int, port: int, database_url: str) -> subprocess.Popen:
    """Start gunicorn with ``workers`` workers on loopback; return the master process."""
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("SASCI_DEBUG", None)
    command = [gunicorn_path(), "-w", str(workers), "app:server", "-b", f"{LOOPBACK}:{port}",
               "--timeout", str(GUNICORN_TIMEOUT_S), "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_ready(port: int, server: subprocess.Popen) -> float:
    """Wait until the API answers 200; return the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < READY_TIMEOUT_S:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode} while starting")
        try:
            status, _ = request(http.client.HTTPConnection(LOOPBACK, port, timeout=5),
                                "GET", "/api/v1/indicators")
            if status == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server did not answer within {READY_TIMEOUT_S:.0f} s")


def stop_server(server: subprocess.Popen) -> None:
    """Stop gunicorn (its master, which stops the workers)."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
        return []


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def server_memory(pid: int) -> tuple[float, int]:
    """Return (RSS of the master and all its descendants in MB, number of processes)."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += _children(current)
    return sum(_rss_kb(p) for p in pids) / KB_PER_MB, len(pids)


# ---------------------------------------------------------------------------------------------
# Requests


def request(conn: http.client.HTTPConnection, method: str, path: str,
            body: bytes | None = None) -> tuple[int, bytes]:
    """Send one request on ``conn`` (reconnecting if the server closed it); return status, body."""
    headers = {"Accept-Encoding": "identity"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _walk_components(node, found: dict) -> None:
    """Collect every component's props by id from a serialised Dash layout."""
    if isinstance(node, list):
        for item in node:
            _walk_components(item, found)
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict):
            if isinstance(props.get("id"), str):
                found[props["id"]] = props
            for value in props.values():
                _walk_components(value, found)
        else:  # a callback response wrapping the layout: {"children": ...}
            for value in node.values():
                _walk_components(value, found)


def _outputs_of(spec: str) -> list[dict]:
    """Split a dependency's output string (``..a.b...c.d..`` or ``a.b``) into id/property."""
    parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
    out = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        out.append({"id": ident, "property": prop.split("@")[0]})
    return out


def callback_body(dependency: dict, values: Mapping[tuple[str, str], Any],
                  changed: Sequence[str]) -> bytes:
    """Return the JSON body a browser posts to ``/_dash-update-component`` for one callback.

    Parameters
    ----------
    dependency : dict
        The callback's entry in ``/_dash-dependencies``.
    values : mapping
        Value of each (component id, property) the callback reads; absent ones are sent null.
    changed : sequence of str
        The ``"id.property"`` inputs that triggered the call.
    """
    outputs = _outputs_of(dependency["output"])

    def with_values(items: list[dict]) -> list[dict]:
        return [{**i, "value": values.get((i["id"], i["property"]))} for i in items]

    return json.dumps({
        "output": dependency["output"],
        "outputs": outputs if dependency["output"].startswith("..") else outputs[0],
        "inputs": with_values(dependency["inputs"]),
        "changedPropIds": list(changed),
        "state": with_values(dependency["state"]),
    }).encode()


def page_content_body(dependencies: list[dict], pathname: str, search: str = "") -> bytes:
    """Return the body of the request that renders a page's content (Dash pages)."""
    dep = next(d for d in dependencies if f"{PAGES_CONTENT_ID}.children" in d["output"])
    values = {(PAGES_LOCATION_ID, "pathname"): pathname, (PAGES_LOCATION_ID, "search"): search}
    return callback_body(dep, values, [f"{PAGES_LOCATION_ID}.pathname"])


def component_props(layout) -> dict[str, dict]:
    """Return every component's props by id, from a serialised Dash layout."""
    found: dict[str, dict] = {}
    _walk_components(layout, found)
    return found


def map_callback_bodies(dependencies: list[dict], page: dict, indicator_id: str
                        ) -> list[bytes]:
    """Return one indicator-change request body per option of the map's indicator selector.

    The callback is the one whose inputs include the indicator selector and which has the most
    outputs (the figure, legend, caption, table); other inputs and states take their values
    from the rendered map page, as a browser would send them.
    """
    components = component_props(page)
    candidates = [d for d in dependencies
                  if any(i["id"] == indicator_id for i in d["inputs"])
                  and not d.get("clientside_function")]
    if not candidates:
        raise SystemExit(f"no callback takes {indicator_id!r} as input: has the map page changed?")
    dep = max(candidates, key=lambda d: len(_outputs_of(d["output"])))
    options = components.get(indicator_id, {}).get("options") or []
    choices = [o["value"] if isinstance(o, dict) else o for o in options
               if not (isinstance(o, dict) and o.get("disabled"))]  # group headings
    choices = choices or [components.get(indicator_id, {}).get("value")]
    base = {(ident, prop): value for ident, props in components.items()
            for prop, value in props.items()}
    return [callback_body(dep, {**base, (indicator_id, "value"): choice},
                          [f"{indicator_id}.value"]) for choice in choices]


@dataclass
class Plan:
    """What the clients request: each kind with its weight and its list of (method, path, body)."""

    kinds: dict[str, list[tuple[str, str, bytes | None]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def build_plan(port: int) -> Plan:
    """Ask the running server for what a browser needs, and build the request mix."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=REQUEST_TIMEOUT_S)
    plan = Plan()
    status, raw = request(conn, "GET", "/_dash-dependencies")
    if status != 200:
        raise SystemExit(f"/_dash-dependencies answered {status}")
    dependencies = json.loads(raw)
    map_body = page_content_body(dependencies, "/")
    status, raw = request(conn, "POST", DASH_UPDATE, map_body)
    if status != 200:
        raise SystemExit(f"rendering the map page answered {status}: {raw[:300]!r}")
    page = json.loads(raw)["response"][PAGES_CONTENT_ID]["children"]
    try:
        from pages.ids import MAP_INDICATOR as indicator_id
    except ImportError:
        indicator_id = MAP_INDICATOR_FALLBACK
    map_bodies = map_callback_bodies(dependencies, page, indicator_id)
    status, raw = request(conn, "GET", "/api/v1/indicators")
    indicators = [r.get("id") or r["indicator_id"] for r in json.loads(raw)["data"]]
    status, raw = request(conn, "GET", "/api/v1/councils")
    codes = [r["code"] for r in json.loads(raw)["data"]]
    plan.kinds = {
        "GET / (map shell)": [("GET", "/", None)],
        "GET /_dash-layout": [("GET", "/_dash-layout", None)],
        "GET /_dash-dependencies": [("GET", "/_dash-dependencies", None)],
        "POST map page content": [("POST", DASH_UPDATE, map_body)],
        "POST map indicator change": [("POST", DASH_UPDATE, b) for b in map_bodies],
        "GET /api/v1/values": [("GET", f"/api/v1/values?indicator={i}&level=council", None)
                               for i in indicators],
        "GET /api/v1/councils": [("GET", "/api/v1/councils", None)],
        "GET /api/v1/indicators": [("GET", "/api/v1/indicators", None)],
    }
    probe = page_content_body(dependencies, f"/council/{codes[0]}")
    status, raw = request(conn, "POST", DASH_UPDATE, probe)
    if status == 200 and NOT_FOUND_TEXT not in raw.decode("utf-8", "replace"):
        plan.kinds["GET /council/<code> (shell)"] = [("GET", f"/council/{c}", None)
                                                     for c in codes]
        plan.kinds["POST council page content"] = [
            ("POST", DASH_UPDATE, page_content_body(dependencies, f"/council/{c}"))
            for c in codes]
    else:
        plan.notes.append(f"the council page /council/<code> does not exist yet (status "
                          f"{status}, page not found): skipped")
    plan.notes.append(f"map callback: {len(map_bodies)} indicator choices; API values: "
                      f"{len(indicators)} indicators; {len(codes)} councils")
    conn.close()
    return plan


# ---------------------------------------------------------------------------------------------
# Clients


def _error_kind(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionError | http.client.HTTPException | OSError):
        return f"connection error ({type(exc).__name__})"
    return f"client error ({type(exc).__name__})"


def _client_thread(port: int, plan: Plan, deadline: float, budget, seed: int,
                   out: dict) -> None:
    rng = random.Random(seed)
    names = list(plan.kinds)
    weights = [WEIGHTS[n] for n in names]
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=REQUEST_TIMEOUT_S)
    while time.monotonic() < deadline:
        with budget.get_lock():
            if budget.value <= 0:
                break
            budget.value -= 1
        name = rng.choices(names, weights)[0]
        method, path, body = rng.choice(plan.kinds[name])
        started = time.perf_counter()
        try:
            status, _ = request(conn, method, path, body)
            kind = None if 200 <= status < 300 else f"HTTP {status}"
        except Exception as exc:  # noqa: BLE001 (every failure is counted by kind)
            kind = _error_kind(exc)
            conn.close()
            conn = http.client.HTTPConnection(LOOPBACK, port, timeout=REQUEST_TIMEOUT_S)
        elapsed = time.perf_counter() - started
        out["latency"][name].append(elapsed)
        if kind:
            out["errors"][(name, kind)] += 1
    conn.close()


def _client_process(port: int, plan: Plan, threads: int, deadline: float, budget, seed: int,
                    queue) -> None:
    out = {"latency": defaultdict(list), "errors": Counter()}
    workers = [threading.Thread(target=_client_thread,
                                args=(port, plan, deadline, budget, seed * 1000 + k, out))
               for k in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    queue.put({"latency": dict(out["latency"]), "errors": dict(out["errors"])})


def warm_up(port: int, plan: Plan, workers: int) -> None:
    """Send every kind of request a few times per worker, so caches are built before measuring."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=REQUEST_TIMEOUT_S)
    for _ in range(WARMUP_ROUNDS * workers):
        for choices in plan.kinds.values():
            method, path, body = random.choice(choices)
            request(conn, method, path, body)
    conn.close()


def run_load(port: int, plan: Plan, clients: int, seconds: float, max_requests: int,
             processes: int, server_pid: int) -> tuple[dict, dict, float, list]:
    """Run the clients; return latencies by kind, errors by (kind, error), seconds, memory."""
    ctx = mp.get_context("fork")
    budget = ctx.Value("l", max_requests)
    queue = ctx.Queue()
    processes = max(1, min(processes, clients))
    shares = [clients // processes + (k < clients % processes) for k in range(processes)]
    started = time.monotonic()
    deadline = started + seconds
    procs = [ctx.Process(target=_client_process,
                         args=(port, plan, n, deadline, budget, k + 1, queue))
             for k, n in enumerate(shares)]
    memory = [(0.0, *server_memory(server_pid))]
    for p in procs:
        p.daemon = True  # stopped with this process if it is interrupted
        p.start()
    results, next_sample = [], started + MEMORY_EVERY_S
    while len(results) < len(procs):
        now = time.monotonic()
        if now >= next_sample:
            memory.append((now - started, *server_memory(server_pid)))
            next_sample += MEMORY_EVERY_S
        try:
            results.append(queue.get(timeout=min(1.0, max(0.05, next_sample - now))))
        except Exception:  # noqa: BLE001 (queue.Empty: keep sampling)
            continue
    elapsed = time.monotonic() - started
    for p in procs:
        p.join()
    memory.append((elapsed, *server_memory(server_pid)))
    latency, errors = defaultdict(list), Counter()
    for result in results:
        for name, values in result["latency"].items():
            latency[name] += values
        errors.update(result["errors"])
    return latency, errors, elapsed, memory


# ---------------------------------------------------------------------------------------------
# Report


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def report(latency: dict, errors: Counter, elapsed: float, memory: list, args, notes: list,
           ready_s: float, database: str) -> None:
    """Print the figures."""
    total = sum(len(v) for v in latency.values())
    print(f"\nload test: {args.clients} clients ({args.client_processes} processes), "
          f"{args.workers} gunicorn workers, {elapsed:.1f} s, database {database}")
    print(f"server ready in {ready_s:.1f} s; machine load average (1 min) at the end "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other processes skew figures)")
    for note in notes:
        print(f"note: {note}")
    header = f"{'endpoint':34} {'requests':>9} {'req/s':>8} " + " ".join(
        f"{'p' + str(q) + ' ms':>9}" for q in PERCENTILES) + f" {'errors':>7}"
    print(header)
    print("-" * len(header))
    error_by_name = Counter()
    for (name, _kind), count in errors.items():
        error_by_name[name] += count
    rows = [(name, latency[name]) for name in WEIGHTS if latency.get(name)]
    rows.append(("overall", [x for v in latency.values() for x in v]))
    for name, values in rows:
        errs = sum(error_by_name.values()) if name == "overall" else error_by_name[name]
        print(f"{name:34} {len(values):9d} {len(values) / elapsed:8.1f} " + " ".join(
            f"{percentile(values, q) * 1000:9.1f}" for q in PERCENTILES) + f" {errs:7d}")
    print(f"\nthroughput: {total / elapsed:.1f} requests/s, {total} requests")
    if errors:
        print("errors by kind:")
        by_kind = Counter()
        for (name, kind), count in errors.items():
            by_kind[kind] += count
            print(f"  {name}: {kind}: {count}")
        print("  totals: " + ", ".join(f"{k} {n}" for k, n in by_kind.most_common()))
    else:
        print("errors: 0")
    print("server memory (RSS of gunicorn master + workers):")
    for at, mb, n in memory:
        print(f"  t={at:5.1f} s: {mb:7.1f} MB in {n} processes")
    print(f"memory change start -> end: {memory[-1][1] - memory[0][1]:+.1f} MB")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS)
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--max-requests", type=int, default=DEFAULT_MAX_REQUESTS)
    parser.add_argument("--client-processes", type=int, default=DEFAULT_CLIENT_PROCESSES)
    parser.add_argument("--host", default=LOOPBACK, help="only 127.0.0.1 is accepted")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="default: DATABASE_URL, else a fresh temporary SQLite database")
    args = parser.parse_args(argv)
    if args.host != LOOPBACK:
        parser.error(f"--host {args.host}: this load test only targets {LOOPBACK}")
    if min(args.clients, args.workers, args.max_requests, args.client_processes) < 1 or (
            args.seconds <= 0):
        parser.error("--clients, --workers, --max-requests, --client-processes and --seconds "
                     "must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run one load test and print its figures."""
    args = parse_args(argv)
    # SIGTERM (or Ctrl-C) stops the server too: the finally below runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    port = args.port or free_port()
    with tempfile.TemporaryDirectory(prefix="sasci-load-") as folder:
        url = prepare_database(args.database_url, Path(folder))
        from sqlalchemy.engine import make_url

        database = make_url(url).render_as_string(hide_password=True)
        server = start_server(args.workers, port, url)
        try:
            ready_s = wait_ready(port, server)
            plan = build_plan(port)
            warm_up(port, plan, args.workers)
            latency, errors, elapsed, memory = run_load(
                port, plan, args.clients, args.seconds, args.max_requests,
                args.client_processes, server.pid)
        finally:
            stop_server(server)
        report(latency, errors, elapsed, memory, args, plan.notes, ready_s, database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
