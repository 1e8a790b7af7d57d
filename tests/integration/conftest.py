"""Fixtures shared by the page and API integration tests: a test client and a request context."""

from __future__ import annotations

import pytest

import app as app_module
from pages import services


@pytest.fixture(scope="module")
def client(settings, engine):
    """A Flask test client of the app, configured for the session database."""
    services.configure(app_module.server, settings)
    return app_module.server.test_client()


@pytest.fixture
def request_context(settings, engine):
    """A request context on "/", for calling layouts and callbacks directly."""
    services.configure(app_module.server, settings)
    with app_module.server.test_request_context("/"):
        yield
