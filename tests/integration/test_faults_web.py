"""Database faults seen from the web: refuse to start without it, explain an outage, recover.

The outage tests run the app on a private SQLite copy of the session database inside its own
folder, then move the folder away (new connections fail as when a server goes away) and back.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

import app as app_module
from pages import ids, security, services
from sasci_map.config import REPO_ROOT, sqlite_url
from sasci_map.db import indicator_periods, make_engine
from sasci_map.errors import DatabaseError

ROUTER = {"output": ".._pages_content.children..._pages_store.data..",
          "outputs": [{"id": "_pages_content", "property": "children"},
                      {"id": "_pages_store", "property": "data"}],
          "changedPropIds": ["_pages_location.pathname"], "state": []}
#: How long a start-up that must fail may take before the test gives up (imports included).
START_TIMEOUT_S = 120


def closed_port() -> int:
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def route(client, path: str):
    body = {**ROUTER, "inputs": [
        {"id": "_pages_location", "property": "pathname", "value": path},
        {"id": "_pages_location", "property": "search", "value": ""}]}
    return client.post("/_dash-update-component", json=body)


class Fragile:
    """A private SQLite database in its own folder that a test can take away and give back."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.away = folder.with_name(folder.name + "-away")
        self.url = sqlite_url(folder / "fragile.db")

    def break_(self):
        self.folder.rename(self.away)
        with app_module.server.app_context():
            services.reset_engine()  # as a restarted server drops its clients' connections

    def restore(self):
        if self.away.exists():
            self.away.rename(self.folder)


@pytest.fixture
def fragile(settings, engine, tmp_path):
    folder = tmp_path / "db"
    folder.mkdir()
    target = folder / "fragile.db"
    if settings.database_url.startswith("sqlite"):
        source = sqlite3.connect(sa.engine.make_url(settings.database_url).database)
        copy = sqlite3.connect(target)
        source.backup(copy)
        source.close()
        copy.close()
    else:
        from sasci_map.loading import init_database

        eng = make_engine(sqlite_url(target))
        init_database(eng, settings.data_dir)
        eng.dispose()
    db = Fragile(folder)
    services.configure(app_module.server, replace(settings, database_url=db.url))
    yield db
    db.restore()
    with app_module.server.app_context():
        services.reset_engine()
    services.configure(app_module.server, settings)


@pytest.fixture
def web(fragile):
    return app_module.server.test_client()


def test_api_answers_503_json_during_an_outage_and_recovers(fragile, web, caplog):
    before = web.get("/api/v1/indicators")
    assert before.status_code == 200
    fragile.break_()
    down = web.get("/api/v1/indicators?format=csv")
    assert down.status_code == 503
    assert down.mimetype == "application/json"
    assert "database is not reachable" in down.get_json()["error"]
    assert down.headers["Retry-After"] == str(security.RETRY_AFTER_S)
    assert down.headers["X-Content-Type-Options"] == "nosniff"
    assert "Traceback" not in down.get_data(as_text=True)
    assert any("database unavailable on GET /api/v1/indicators" in r.getMessage()
               for r in caplog.records), "the outage must be logged"
    fragile.restore()
    after = web.get("/api/v1/indicators")
    assert after.status_code == 200
    assert after.get_json()["data"] == before.get_json()["data"]


def test_a_page_shows_a_friendly_notice_during_an_outage_then_its_content(fragile, web):
    assert security.DATABASE_DOWN_TITLE not in route(web, "/data").get_data(as_text=True)
    fragile.break_()
    for path in ("/data", "/", "/innovations"):
        down = route(web, path)
        assert down.status_code == 200, path  # the notice is the page, not a blank 500
        text = down.get_data(as_text=True)
        assert security.DATABASE_DOWN_TITLE in text and "try again in a minute" in text, path
    fragile.restore()
    back = route(web, "/data").get_data(as_text=True)
    assert security.DATABASE_DOWN_TITLE not in back
    assert "Data downloads" in back or "data-preview" in back


def _preview_callback(client) -> dict:
    deps = client.get("/_dash-dependencies").get_json()
    return next(d for d in deps if f"{ids.DATA_PREVIEW}.rowData" in d["output"])


def test_a_callback_keeps_its_outputs_and_opens_the_alert_during_an_outage(fragile, web,
                                                                          engine):
    dep = _preview_callback(web)
    periods = indicator_periods(engine)
    values = {ids.DATA_INDICATORS: ["pct_65_plus"], ids.DATA_LEVELS: ["council"],
              ids.DATA_PERIODS: periods.loc[periods["indicator_id"] == "pct_65_plus",
                                            "period"].tolist()}
    body = {"output": dep["output"],
            "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]}
                        for o in dep["output"].strip(".").split("...")],
            "inputs": [{**i, "value": values[i["id"]]} for i in dep["inputs"]],
            "changedPropIds": [f"{ids.DATA_INDICATORS}.value"], "state": []}
    healthy = web.post("/_dash-update-component", json=body)
    assert healthy.status_code == 200
    assert "pct_65_plus" in healthy.get_data(as_text=True)
    fragile.break_()
    down = web.post("/_dash-update-component", json=body)
    assert down.status_code == 200
    payload = json.loads(down.get_data(as_text=True))
    alert = payload["sideUpdate"][ids.APP_ERROR_ALERT]
    assert alert["is_open"] is True
    assert security.DATABASE_DOWN_TITLE in json.dumps(alert["children"])
    assert "rowData" not in json.dumps(payload.get("response", {}))  # outputs left as they were
    fragile.restore()
    assert "pct_65_plus" in web.post("/_dash-update-component", json=body).get_data(as_text=True)


def test_other_callback_errors_are_raised_not_hidden():
    with pytest.raises(ZeroDivisionError):
        security.on_callback_error(ZeroDivisionError("a bug"))


# --- start-up --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["closed port", "missing folder", "missing file", "empty"])
def test_check_database_names_the_database_and_what_to_do(kind, tmp_path, settings):
    url = {
        "closed port": f"postgresql+psycopg://sasci:hunter2@127.0.0.1:{closed_port()}/sasci",
        "missing folder": sqlite_url(tmp_path / "no-such-folder" / "sasci.db"),
        "missing file": sqlite_url(tmp_path / "never-made.db"),
        "empty": sqlite_url(tmp_path / "empty.db"),
    }[kind]
    if kind == "empty":
        sqlite3.connect(tmp_path / "empty.db").close()
    with pytest.raises(DatabaseError) as caught:
        services.check_database(replace(settings, database_url=url))
    message = str(caught.value)
    assert "\n" not in message and "hunter2" not in message
    expected = {"closed port": "127.0.0.1", "missing folder": "no-such-folder",
                "missing file": "sasci-map init", "empty": "sasci-map init"}[kind]
    assert expected in message
    assert not (tmp_path / "never-made.db").exists()  # checking never creates a database


def test_check_database_accepts_the_loaded_database(settings, engine):
    services.check_database(settings)


def _start(command: list[str], url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "PORT": str(closed_port()),
           "WEB_CONCURRENCY": "1"}
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=START_TIMEOUT_S, check=False)


@pytest.mark.parametrize("server", ["python app.py", "gunicorn"])
@pytest.mark.parametrize("where", ["closed port", "missing folder"])
def test_the_server_refuses_to_start_without_its_database(server, where, tmp_path):
    url = (f"postgresql+psycopg://sasci:hunter2@127.0.0.1:{closed_port()}/sasci"
           if where == "closed port" else sqlite_url(tmp_path / "gone" / "sasci.db"))
    bin_dir = Path(sys.executable).parent
    command = ([sys.executable, "app.py"] if server == "python app.py"
               else [str(bin_dir / "gunicorn"), "app:server"])
    result = _start(command, url)
    assert result.returncode != 0
    lines = [ln for ln in result.stderr.splitlines() if "cannot start" in ln]
    assert len(lines) == 1, result.stderr[-2000:]
    assert "127.0.0.1" in lines[0] if where == "closed port" else "gone" in lines[0]
    assert "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr
