"""Production serving: gunicorn workers, security headers, read-only routes, bounded requests,
and per-process caches that pick up a dataset loaded by another process.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import brotli
import pandas as pd
import pytest
import sqlalchemy as sa

import app as app_module
from pages import security, services
from sasci_map import cache, db, indicators, survey_store, tidy
from sasci_map.config import REPO_ROOT

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
DASH_UPDATE = "/_dash-update-component"
#: Workers can take a while to import the app on a busy 2-core machine.
BOOT_TIMEOUT_S = 120
TINY = "tiny_dataset"
TINY_INDICATOR = "tiny_indicator"
HARTLEPOOL = "E06000001"


# --- gunicorn ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def gunicorn(settings, engine):
    """gunicorn with two workers on the session database, on a free loopback port."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": settings.database_url, "PORT": str(port),
           "HOST": "127.0.0.1", "WEB_CONCURRENCY": "2"}
    proc = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "gunicorn"),
                             "app:server"], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + BOOT_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited early: {proc.stdout.read()[-3000:]}")
        try:
            if fetch(f"{base}/_dash-layout")[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("gunicorn did not answer in time")
        time.sleep(0.5)
    yield base, proc
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_gunicorn_serves_the_pages_and_the_api_from_several_workers(gunicorn):
    base, proc = gunicorn
    status, headers, body = fetch(f"{base}/")
    assert status == 200 and b"DashRenderer" in body
    assert "script-src 'self' 'sha256-" in headers["Content-Security-Policy"]
    status, headers, body = fetch(f"{base}/api/v1/councils")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert b'"E06000001"' in body
    for _ in range(6):  # spread over the workers: every one answers
        assert fetch(f"{base}/api/v1/indicators")[0] == 200
    workers = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
    assert len(workers.stdout.split()) == 2


def test_gunicorn_answers_a_dash_callback(gunicorn):
    base, _proc = gunicorn
    body = ('{"output": ".._pages_content.children..._pages_store.data..", "outputs": '
            '[{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", '
            '"property": "data"}], "inputs": [{"id": "_pages_location", "property": '
            '"pathname", "value": "/about"}, {"id": "_pages_location", "property": "search", '
            '"value": ""}], "changedPropIds": ["_pages_location.pathname"], "state": []}')
    request = urllib.request.Request(f"{base}{DASH_UPDATE}", data=body.encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        assert b"_pages_content" in response.read()


# --- headers, routes, limits -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/_dash-layout", "/_dash-dependencies", "/assets/app.css",
                                  "/geo/councils.geojson", "/api/v1/indicators",
                                  "/api/v1/no-such-thing", "/council/E06000001"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    for name, value in security.SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    csp = dict(part.strip().split(" ", 1) for part in
               response.headers["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'" and csp["frame-ancestors"] == "'none'"
    assert csp["connect-src"] == "'self'" and csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'" and csp["object-src"] == "'none'"
    script = csp["script-src"].split()
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert set(app_module.app.csp_hashes()) <= set(script)


def test_the_inline_scripts_of_the_page_are_exactly_those_the_csp_allows(client):
    html = re.sub(r"<!--.*?-->", "", client.get("/").get_data(as_text=True), flags=re.S)
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>",
                        html, flags=re.S)
    assert inline, "Dash starts its renderer with an inline script"
    allowed = client.get("/").headers["Content-Security-Policy"]
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed


def _sample_path(rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "x", rule.rule)


def test_no_route_accepts_a_write_except_dash_callbacks(client):
    writable = []
    for rule in app_module.server.url_map.iter_rules():
        extra = set(rule.methods) - READ_METHODS
        if not extra:
            continue
        if rule.rule == DASH_UPDATE:
            assert extra == {"POST"}
            continue
        writable.append(rule.rule)
        for method in extra:
            response = client.open(_sample_path(rule), method=method)
            assert response.status_code == 405, (method, rule.rule)
    # Only the API routes writes anywhere, and only to refuse them with its JSON 405.
    assert writable and all(path.startswith("/api/v1") for path in writable)
    for path in ("/", "/data", "/council/E06000001", "/assets/app.css", "/_dash-layout"):
        for method in WRITE_METHODS:
            assert client.open(path, method=method).status_code == 405, (method, path)


def test_callback_posts_are_bounded_in_size(client, settings):
    big = b'{"output": "x", "pad": "' + b"a" * (settings.max_request_kb * 1024 + 10) + b'"}'
    response = client.post(DASH_UPDATE, data=big, content_type="application/json")
    assert response.status_code == 413
    assert app_module.server.config["MAX_CONTENT_LENGTH"] == settings.max_request_kb * 1024


def test_debug_is_off_and_errors_show_no_traceback(client):
    assert app_module.server.debug is False
    response = client.post(DASH_UPDATE, data=b"{not json", content_type="application/json")
    assert response.status_code >= 400
    assert "Traceback" not in response.get_data(as_text=True)


# --- caches refresh when another process loads data ----------------------------------------------


def load_tiny(url: str, value: float) -> None:
    """Load a one-indicator dataset with ``value`` for Hartlepool (run in another process)."""
    definitions = pd.DataFrame([{
        "indicator_id": TINY_INDICATOR, "title": "Tiny test indicator", "short_title": "Tiny",
        "definition": "A test figure.", "domain": "context", "source": "test", "unit": "%",
        "polarity": "neutral", "method": "test", "period": "2024", "sort_order": 1}])
    values = pd.DataFrame([{
        "indicator_id": TINY_INDICATOR, "area_code": HARTLEPOOL, "area_level": "council",
        "period": "2024", "numerator": None, "denominator": None, "value": value,
        "lower": None, "upper": None, "status": "value", "status_reason": "", "source": "test"}])
    dataset = db.Dataset(TINY, "Tiny", "test", "test", "2024", "OGL", (), definitions, values,
                         inputs=str(value))
    engine = db.make_engine(url)
    db.load_dataset(engine, dataset)
    engine.dispose()


def import_wave(url: str, wave: int) -> None:
    """Record a survey-wave import row (run in another process)."""
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(survey_store.survey_waves_table.insert().values(
            wave=wave, synthetic=True, source_file="w.csv", content_hash="h" * 64,
            n_respondents=0, n_organisations=0, n_council_orgs=0, n_provider_orgs=0,
            n_council_areas=0, imported_at=survey_store.imported_at()))
    engine.dispose()


def in_another_process(call: str) -> None:
    code = ("import sys; sys.path.insert(0, '.'); "
            f"import tests.integration.test_production as t; {call}")
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True, timeout=120)


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def tiny(empty_engine, monkeypatch):
    """A small database holding the tiny dataset, and a process cache on a fake clock."""
    db.create_schema(empty_engine)
    survey_store.create_survey_schema(empty_engine)
    load_tiny(empty_engine.url.render_as_string(hide_password=False), 1.0)
    clock = FakeClock()
    monkeypatch.setattr(cache, "RESULTS", cache.ResultCache(check_seconds=2.0, clock=clock))
    return empty_engine, clock


def test_a_dataset_loaded_by_another_process_reaches_cached_results(tiny, settings):
    engine, clock = tiny
    url = engine.url.render_as_string(hide_password=False)

    def hartlepool():
        frame = indicators.council_frame(engine, TINY_INDICATOR, settings.data_dir)
        return frame.set_index("code").loc[HARTLEPOOL, "value"]

    assert hartlepool() == 1.0
    assert tidy.indicator_table(engine, [TINY_INDICATOR], data_dir=settings.data_dir)[
        "value"].dropna().tolist() == [1.0]
    in_another_process(f"t.load_tiny({url!r}, 2.0)")
    clock.now += 1.0  # within the check interval this worker still trusts its cache
    assert hartlepool() == 1.0
    clock.now += 1.5
    assert hartlepool() == 2.0
    assert tidy.indicator_table(engine, [TINY_INDICATOR], data_dir=settings.data_dir)[
        "value"].dropna().tolist() == [2.0]


def test_a_survey_wave_imported_by_another_process_refreshes_cached_results(tiny):
    engine, clock = tiny
    url = engine.url.render_as_string(hide_password=False)
    indicators.catalogue(engine)
    indicators.catalogue(engine)
    assert cache.stats().misses == 1
    in_another_process(f"t.import_wave({url!r}, 2031)")
    clock.now += 2.5
    indicators.catalogue(engine)
    assert cache.stats().misses == 2  # recomputed: the dataset version changed


def test_the_app_sizes_the_process_cache_from_its_settings(settings):
    from dataclasses import replace

    services.configure(app_module.server, replace(settings, cache_entries=7, cache_seconds=0.5))
    try:
        assert (cache.RESULTS.max_entries, cache.RESULTS.check_seconds) == (7, 0.5)
    finally:
        services.configure(app_module.server, settings)


def test_dataset_version_changes_with_every_load(tiny):
    engine, _clock = tiny
    first = db.dataset_version(engine)
    assert db.dataset_version(engine) == first
    load_tiny(engine.url.render_as_string(hide_password=False), 3.0)
    assert db.dataset_version(engine) != first
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(
            db.datasets_table)).scalar_one() == 1


@pytest.mark.parametrize("path", ["/geo/councils.geojson", "/_dash-layout",
                                  "/assets/vendor/plotly-sasci.min.js"])
def test_responses_are_compressed_for_browsers_that_accept_it(client, path):
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": "br"})
    assert packed.headers.get("Content-Encoding") == "br"
    body = brotli.decompress(packed.get_data())
    assert body == plain.get_data() and len(packed.get_data()) < len(body) / 2


def test_boundaries_name_each_council_and_region_and_revalidate(client):
    response = client.get("/geo/councils.geojson")
    features = json.loads(response.get_data())["features"]
    assert len(features) == 153
    assert features[0]["properties"] == {"code": "E06000001", "name": "Hartlepool",
                                         "region": "North East"}
    assert all(f["properties"]["region"] for f in features)
    again = client.get("/geo/councils.geojson", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()
