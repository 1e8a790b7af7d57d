"""Per-process cache of results read from the database, dropped when new data are loaded.

Each web worker keeps its own small LRU cache of heavy results (the tidy table, a council
frame, the catalogue). A result is keyed by the database URL, the database's *dataset
version* (:func:`sasci_map.db.dataset_version`: a fingerprint of the loaded datasets, survey
waves and inventory imports), the function and its arguments. The version is asked for at most
every ``check_seconds`` per database, so a dataset loaded by ``sasci-map init`` or ``import``
in another process reaches every worker within that time, without a restart. A write committed
in this same process (tests, the CLI) makes the next call re-check at once.

Callers get a shallow copy of a cached DataFrame (pandas copy-on-write: changing it never
changes the cached one) and a deep copy of any other mutable result. Engines on an in-memory
SQLite database are never cached (two such engines share a URL but not their data).
"""

from __future__ import annotations

import copy
import functools
import inspect
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sasci_map import db
from sasci_map.config import DEFAULT_CACHE_ENTRIES, DEFAULT_CACHE_SECONDS

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CacheStats:
    """Counters of one process's cache: hits, misses, version checks and cached entries."""

    hits: int = 0
    misses: int = 0
    checks: int = 0
    entries: int = 0


class ResultCache:
    """An LRU cache of results keyed by database, dataset version, function and arguments.

    Parameters
    ----------
    max_entries : int
        Results kept; the least recently used is dropped first. 0 turns caching off.
    check_seconds : float
        Longest time a database's dataset version is trusted before it is read again.
    version : callable, optional
        ``version(engine) -> str``; :func:`sasci_map.db.dataset_version` by default.
    clock : callable, optional
        Monotonic clock in seconds (tests pass a fake one).
    """

    def __init__(self, max_entries: int = DEFAULT_CACHE_ENTRIES,
                 check_seconds: float = DEFAULT_CACHE_SECONDS,
                 version: Callable[[Engine], str] = db.dataset_version,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.check_seconds = check_seconds
        self._version = version
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._versions: dict[str, tuple[str, float]] = {}
        self._stats = CacheStats()

    def configure(self, max_entries: int | None = None,
                  check_seconds: float | None = None) -> None:
        """Change the size limit and/or the check interval; drop what no longer fits."""
        with self._lock:
            if max_entries is not None:
                self.max_entries = max_entries
            if check_seconds is not None:
                self.check_seconds = check_seconds
            self._trim()

    def clear(self) -> None:
        """Forget every cached result and every known dataset version."""
        with self._lock:
            self._entries.clear()
            self._versions.clear()

    def stale(self, url: str) -> None:
        """Make the next call for database ``url`` read its dataset version again."""
        with self._lock:
            self._versions.pop(url, None)

    def stats(self) -> CacheStats:
        """Return a snapshot of the counters."""
        with self._lock:
            return CacheStats(self._stats.hits, self._stats.misses, self._stats.checks,
                              len(self._entries))

    def call(self, func: Callable, engine: Engine, args: tuple, kwargs: dict) -> Any:
        """Return ``func(engine, *args, **kwargs)``, from the cache while the data are current.

        Raises whatever ``func`` or the version query raises (nothing is cached then).
        """
        frozen = _freeze((args, tuple(sorted(kwargs.items()))))
        if self.max_entries <= 0 or frozen is None or _in_memory(engine):
            return func(engine, *args, **kwargs)
        url = engine.url.render_as_string(hide_password=False)
        key = (url, self._current_version(engine, url), func.__module__, func.__qualname__,
               frozen)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self._stats.hits += 1
                return _detach(self._entries[key])
            self._stats.misses += 1
        result = func(engine, *args, **kwargs)
        with self._lock:
            self._entries[key] = result
            self._trim()
        return _detach(result)

    def _current_version(self, engine: Engine, url: str) -> str:
        now = self._clock()
        with self._lock:
            known = self._versions.get(url)
        if known is not None and now - known[1] < self.check_seconds:
            return known[0]
        version = self._version(engine)
        with self._lock:
            self._stats.checks += 1
            if known is not None and known[0] != version:  # new data: old results are dead
                for key in [k for k in self._entries if k[0] == url]:
                    del self._entries[key]
            self._versions[url] = (version, now)
        return version

    def _trim(self) -> None:
        while len(self._entries) > max(self.max_entries, 0):
            self._entries.popitem(last=False)


def _in_memory(engine: Engine) -> bool:
    return engine.url.get_backend_name() == "sqlite" and engine.url.database in (
        None, "", ":memory:")


def _freeze(value: Any) -> Hashable | None:
    """Return a hashable stand-in for an argument value, or None if it has none."""
    if isinstance(value, list | tuple):
        items = [_freeze(v) for v in value]
        unhashable = any(i is None and v is not None for i, v in zip(items, value, strict=True))
        return None if unhashable else (type(value).__name__, tuple(items))
    if isinstance(value, dict):
        return _freeze(sorted(value.items()))
    if isinstance(value, set | frozenset):
        return _freeze(sorted(value))
    try:
        hash(value)
    except TypeError:
        return None
    return value


def _detach(value: Any) -> Any:
    """Return a copy of a cached result that a caller may change freely."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy(deep=False)  # copy-on-write: changes to it never reach the cache
    if isinstance(value, str | int | float | bool | bytes | tuple | type(None)):
        return value
    return copy.deepcopy(value)


#: The process's cache, shared by every function decorated with :func:`cached`.
RESULTS = ResultCache()


def cached(func: F) -> F:
    """Cache ``func(engine, ...)`` in :data:`RESULTS`; arguments are matched after defaults.

    The wrapped function keeps its signature and behaviour; ``func.uncached`` calls the
    original.
    """
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(engine: Engine, *args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(engine, *args, **kwargs)
        except TypeError:
            return func(engine, *args, **kwargs)  # let the function raise its own error
        bound.apply_defaults()
        named = dict(bound.arguments)
        named.pop(next(iter(signature.parameters)))  # the engine
        return RESULTS.call(func, engine, (), named)

    wrapper.uncached = func  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def configure(max_entries: int, check_seconds: float) -> None:
    """Set the process cache's size and dataset-version check interval (from Settings)."""
    RESULTS.configure(max_entries, check_seconds)


def clear() -> None:
    """Empty the process cache."""
    RESULTS.clear()


def stats() -> CacheStats:
    """Return the process cache's counters."""
    return RESULTS.stats()


def _on_commit(conn: sa.Connection) -> None:
    """Make the next call re-check the version of a database this process just wrote to."""
    RESULTS.stale(conn.engine.url.render_as_string(hide_password=False))


sa.event.listen(Engine, "commit", _on_commit)
