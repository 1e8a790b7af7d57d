"""Shared fixtures: settings, a fresh database per test session (SQLite or DATABASE_URL)."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from dataclasses import replace

import pytest
import sqlalchemy as sa

from sasci_map.config import DEFAULT_DATA_DIR, get_settings, sqlite_url
from sasci_map.db import make_engine


def _is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


@contextmanager
def fresh_database(folder):
    """Yield the URL of a new, empty database; remove it afterwards.

    With DATABASE_URL pointing at PostgreSQL, a new schema in that database; otherwise a new
    SQLite file in ``folder``.
    """
    base = os.environ.get("DATABASE_URL", "")
    if not _is_postgres(base):
        yield sqlite_url(folder / f"test_{uuid.uuid4().hex[:8]}.db")
        return
    schema = f"test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A fresh database shared by the whole test session."""
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def empty_engine(tmp_path):
    """An engine on a new, empty database, for tests that load data themselves."""
    with fresh_database(tmp_path) as url:
        eng = make_engine(url)
        yield eng
        eng.dispose()


@pytest.fixture(scope="session")
def settings(database_url):
    """Settings of the app under test: bundled data, the session's fresh database."""
    return replace(get_settings({}), database_url=database_url, data_dir=DEFAULT_DATA_DIR)


@pytest.fixture(scope="session")
def engine(settings):
    """Engine of the session database, after `init` has loaded the bundled data."""
    from sasci_map.loading import init_database

    eng = make_engine(settings.database_url)
    init_database(eng, settings.data_dir)
    yield eng
    eng.dispose()
