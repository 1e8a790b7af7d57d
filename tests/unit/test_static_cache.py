"""Versioned scripts and styles are compressed once per process (pages/static_cache.py)."""

from __future__ import annotations

import re

import pytest
from flask_compress import flask_compress
from flask_compress.compat import compression

import app as app_module
from pages.static_cache import MAX_ENTRIES, NOT_KEPT, CompressedBodies

ZSTD = {"Accept-Encoding": "zstd"}


@pytest.fixture
def compressions(monkeypatch):
    """Count the bodies Flask-Compress compresses, whole or as a stream."""
    calls: list[str] = []
    whole, chunked = flask_compress._compress_data, flask_compress._compress_chunks

    def count_whole(app, data, algorithm):
        calls.append("whole")
        return whole(app, data, algorithm)

    def count_chunked(app, chunks, algorithm):
        calls.append("chunked")
        return chunked(app, chunks, algorithm)

    monkeypatch.setattr(flask_compress, "_compress_data", count_whole)
    monkeypatch.setattr(flask_compress, "_compress_chunks", count_chunked)
    return calls


def versioned_urls() -> list[str]:
    """The script and style URLs the map page's HTML names, all versioned."""
    page = app_module.server.test_client().get("/").get_data(as_text=True)
    return re.findall(r'(?:src|href)="(/(?:_dash-component-suites|assets)/[^"]+)"', page)


def test_a_versioned_script_is_compressed_once_and_served_the_same(compressions):
    client = app_module.server.test_client()
    urls = [u for u in versioned_urls() if "?" in u or "_dash-component-suites" in u]
    assert any("dash_renderer" in u for u in urls) and any("?m=" in u for u in urls)
    assert any("plotly-sasci.min.js?v=" in u for u in urls)
    for url in urls:
        first = client.get(url, headers=ZSTD)
        compressions.clear()
        again = client.get(url, headers=ZSTD)
        assert compressions == [], url  # the kept body, not compressed again
        assert again.headers["Content-Encoding"] == "zstd"
        assert again.get_data() == first.get_data()
        plain = client.get(url, headers={"Accept-Encoding": "identity"}).get_data()
        assert compression.zstd.decompress(again.get_data()) == plain


def test_pages_layouts_callbacks_and_unversioned_assets_are_compressed_each_time(compressions):
    client = app_module.server.test_client()
    for url in ("/", "/_dash-layout", "/_dash-dependencies", "/assets/app.css"):
        client.get(url, headers=ZSTD)
        compressions.clear()
        response = client.get(url, headers=ZSTD)
        assert response.headers.get("Content-Encoding") == "zstd", url
        assert len(compressions) == 1, url  # compressed again (a stream, or not versioned)


def test_the_backend_keeps_only_versioned_keys_and_at_most_its_limit():
    bodies = CompressedBodies()
    bodies.set(f"zstd;{NOT_KEPT}", b"x")
    assert bodies.get(f"zstd;{NOT_KEPT}") is None and len(bodies) == 0
    for i in range(MAX_ENTRIES + 5):
        bodies.set(f"zstd;/assets/a{i}.js?m=1", b"y")
    assert len(bodies) == MAX_ENTRIES
    assert bodies.get("zstd;/assets/a0.js?m=1") == b"y"
    assert bodies.get(f"zstd;/assets/a{MAX_ENTRIES}.js?m=1") is None
