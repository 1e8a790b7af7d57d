"""The per-process result cache: hits, refresh on a new dataset version, LRU bound, copies."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from sasci_map import cache as cache_module
from sasci_map.cache import ResultCache, cached
from sasci_map.config import get_settings
from sasci_map.db import make_engine


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def file_engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    yield eng
    eng.dispose()


@pytest.fixture
def rig(file_engine):
    """A cache with a fake version and clock, and a counted function of the engine."""
    state = {"version": "v1", "calls": 0}
    clock = Clock()
    results = ResultCache(max_entries=3, check_seconds=2.0,
                          version=lambda _engine: state["version"], clock=clock)

    def table(engine, n, labels=("a",)):
        state["calls"] += 1
        return pd.DataFrame({"n": [n] * len(labels), "label": list(labels),
                             "version": state["version"]})

    def call(*args, **kwargs):
        return results.call(table, file_engine, args, kwargs)

    return results, state, clock, call


def test_second_call_is_served_from_the_cache(rig):
    results, state, _clock, call = rig
    first = call(1)
    second = call(1)
    assert state["calls"] == 1
    pd.testing.assert_frame_equal(first, second)
    assert results.stats().hits == 1 and results.stats().misses == 1


def test_different_arguments_are_different_entries(rig):
    _results, state, _clock, call = rig
    call(1)
    call(2)
    call(1, labels=["a", "b"])  # a list argument is frozen into the key
    call(1, labels=["a", "b"])
    assert state["calls"] == 3


def test_a_new_dataset_version_refreshes_after_the_check_interval(rig):
    results, state, clock, call = rig
    assert call(1)["version"].iloc[0] == "v1"
    state["version"] = "v2"  # another process loaded a dataset
    clock.now = 1.0  # within the interval the known version is trusted
    assert call(1)["version"].iloc[0] == "v1"
    clock.now = 2.5
    assert call(1)["version"].iloc[0] == "v2"
    assert state["calls"] == 2
    assert results.stats().entries == 1  # the old version's result was dropped


def test_least_recently_used_result_is_dropped_first(rig):
    _results, state, _clock, call = rig
    for n in (1, 2, 3):
        call(n)
    call(1)  # 1 is now the most recently used
    call(4)  # evicts 2
    calls = state["calls"]
    call(1)
    call(3)
    assert state["calls"] == calls
    call(2)
    assert state["calls"] == calls + 1


def test_a_caller_changing_its_frame_does_not_change_the_cache(rig):
    _results, _state, _clock, call = rig
    frame = call(1, labels=["a", "b"])
    frame.loc[0, "n"] = 99
    frame["label"] = frame["label"].str.upper()
    again = call(1, labels=["a", "b"])
    assert again["n"].tolist() == [1, 1]
    assert again["label"].tolist() == ["a", "b"]


def test_dict_results_are_copied(file_engine):
    results = ResultCache(version=lambda _e: "v")

    def profile(_engine):
        return {"values": [{"rank": "1 of 2"}]}

    results.call(profile, file_engine, (), {})["values"].append("junk")
    assert results.call(profile, file_engine, (), {}) == {"values": [{"rank": "1 of 2"}]}


def test_errors_are_not_cached(rig, file_engine):
    results, state, _clock, _call = rig

    def flaky(_engine):
        state["calls"] += 1
        if state["calls"] == 1:
            raise sa.exc.OperationalError("SELECT 1", {}, Exception("down"))
        return "ok"

    with pytest.raises(sa.exc.OperationalError):
        results.call(flaky, file_engine, (), {})
    assert results.call(flaky, file_engine, (), {}) == "ok"


def test_version_query_failure_propagates(file_engine):
    def down(_engine):
        raise sa.exc.OperationalError("SELECT", {}, Exception("connection refused"))

    results = ResultCache(version=down)
    with pytest.raises(sa.exc.OperationalError):
        results.call(lambda _e: 1, file_engine, (), {})


def test_in_memory_databases_and_a_zero_size_are_never_cached(rig):
    results, state, _clock, _call = rig
    memory = make_engine("sqlite://")

    def count(_engine):
        state["calls"] += 1
        return state["calls"]

    assert results.call(count, memory, (), {}) != results.call(count, memory, (), {})
    off = ResultCache(max_entries=0, version=lambda _e: "v")
    eng = make_engine("sqlite:////tmp/never-opened.db")
    assert off.call(count, eng, (), {}) != off.call(count, eng, (), {})


def test_unhashable_arguments_bypass_the_cache(rig, file_engine):
    results, state, _clock, _call = rig

    def count(_engine, _thing):
        state["calls"] += 1
        return state["calls"]

    thing = pd.DataFrame({"a": [1]})  # not hashable
    assert results.call(count, file_engine, (thing,), {}) != results.call(
        count, file_engine, (thing,), {})


def test_a_write_committed_in_this_process_is_seen_at_once(file_engine):
    with file_engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
    reads = {"n": 0}

    def version(engine):
        with engine.connect() as conn:
            return str(conn.execute(sa.text("SELECT max(x) FROM t")).scalar_one())

    results = ResultCache(check_seconds=3600, version=version)

    def total(engine):
        reads["n"] += 1
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT sum(x) FROM t")).scalar_one()

    saved = cache_module.RESULTS
    cache_module.RESULTS = results  # the commit hook marks the module's cache stale
    try:
        assert results.call(total, file_engine, (), {}) == 1
        with file_engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO t VALUES (2)"))
        assert results.call(total, file_engine, (), {}) == 3
    finally:
        cache_module.RESULTS = saved


def test_decorator_keys_on_bound_arguments_and_keeps_the_signature(file_engine, monkeypatch):
    results = ResultCache(version=lambda _e: "v")
    monkeypatch.setattr(cache_module, "RESULTS", results)
    calls = []

    @cached
    def frame(engine, indicator_id, data_dir=None, period=None):
        """Doc."""
        calls.append(indicator_id)
        return pd.DataFrame({"id": [indicator_id]})

    frame(file_engine, "a")
    frame(file_engine, "a", None)
    frame(file_engine, indicator_id="a", period=None)
    assert calls == ["a"]
    assert frame.__doc__ == "Doc." and frame.uncached(file_engine, "b")["id"].iloc[0] == "b"
    with pytest.raises(TypeError):
        frame(file_engine)  # the function's own error for a missing argument


def test_settings_read_cache_and_request_limits():
    settings = get_settings({"SASCI_CACHE_SECONDS": "0.5", "SASCI_CACHE_ENTRIES": "0",
                             "SASCI_MAX_REQUEST_KB": "64"})
    assert (settings.cache_seconds, settings.cache_entries, settings.max_request_kb) == (
        0.5, 0, 64)
    defaults = get_settings({})
    assert defaults.cache_seconds == 2.0 and defaults.cache_entries > 0
    for name, bad in (("SASCI_CACHE_SECONDS", "-1"), ("SASCI_CACHE_ENTRIES", "many"),
                      ("SASCI_MAX_REQUEST_KB", "0")):
        with pytest.raises(ValueError, match=name):
            get_settings({name: bad})


@pytest.mark.parametrize(("text", "on"), [("", False), ("0", False), ("false", False),
                                          ("no", False), ("1", True), ("true", True)])
def test_debug_is_off_unless_explicitly_enabled(text, on):
    assert get_settings({"SASCI_DEBUG": text}).debug is on
    assert get_settings({}).debug is False
