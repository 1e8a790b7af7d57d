"""Browser fixtures: the app served on a loopback port, driven by the system Chromium."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from werkzeug.serving import make_server

#: Debian's chromium; Playwright never downloads a browser here (see STACK.md).
CHROMIUM = os.environ.get("SASCI_CHROMIUM", "/usr/bin/chromium")
#: Flags that keep Chromium from phoning home on a machine with no internet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-results"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"browser tests need Chromium at {CHROMIUM}: run `make system-deps` "
                    "(Debian package chromium) or set SASCI_CHROMIUM")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(settings, engine):
    """Serve the Dash app (on the session's database) on a free loopback port."""
    import app as app_module
    from pages import services

    services.configure(app_module.server, settings)
    server = make_server("127.0.0.1", 0, app_module.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class PageWatch:
    """What a page did: console errors and requests to hosts other than the app's own."""

    #: How Chromium reports a page answered 404 (pages/http_status.py) in the console.
    NOT_FOUND_MESSAGE = "Failed to load resource: the server responded with a status of 404"

    def __init__(self, page, origin: str):
        self.console: list[tuple[str, str]] = []  # (text, URL of the resource it is about)
        self.page_errors: list[str] = []
        self.foreign: list[str] = []
        self.missing_pages: list[str] = []  # pages the server answered 404
        host = urlparse(origin).netloc
        page.on("console", lambda m: m.type == "error" and self.console.append(
            (m.text, m.location.get("url", ""))))
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("request", lambda r: (urlparse(r.url).scheme in ("http", "https", "ws", "wss")
                                      and urlparse(r.url).netloc != host
                                      and self.foreign.append(r.url)))
        page.on("response", lambda r: (r.request.is_navigation_request() and r.status == 404
                                       and self.missing_pages.append(r.url)))

    @property
    def errors(self) -> list[str]:
        """Every console error and uncaught exception, in words."""
        return [text for text, _url in self.console] + self.page_errors

    def assert_clean(self, not_found: bool = False):
        """No request left the origin and nothing went wrong.

        ``not_found``: the page was meant to be answered 404; the server must have done so, and
        Chromium's console line saying so (about that page, nothing else) is not an error.
        """
        assert self.foreign == [], f"requests left the app's origin: {self.foreign}"
        errors = self.errors
        if not_found:
            assert self.missing_pages, "the page was not answered 404"
            errors = [text for text, url in self.console
                      if not (url in self.missing_pages
                              and text.startswith(self.NOT_FOUND_MESSAGE))] + self.page_errors
        assert errors == [], f"browser console errors: {errors}"


@pytest.fixture
def watched_page(page, live_server):
    """A Playwright page whose console errors and outside requests are recorded."""
    watch = PageWatch(page, live_server)
    page.set_default_timeout(20_000)
    yield page, watch


@pytest.fixture(scope="session")
def screenshot_dir():
    """Where browser tests leave screenshots for a person to look at (test-results/)."""
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    return SCREENSHOT_DIR
