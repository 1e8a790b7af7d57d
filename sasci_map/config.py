"""One frozen Settings object, read from SASCI_* and DATABASE_URL environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: The repository root: data/ and assets/ live beside the package.
REPO_ROOT = Path(__file__).resolve().parent.parent
#: Bundled, processed data shipped with the product (never ../shared at run time).
DEFAULT_DATA_DIR = REPO_ROOT / "data"
#: SQLite file used when DATABASE_URL is not set.
DEFAULT_DB_FILENAME = "sasci.db"
#: Port of the development server (http://127.0.0.1:8050), overridden by PORT.
DEFAULT_PORT = 8050
DEFAULT_HOST = "127.0.0.1"
_TRUE = {"1", "true", "yes", "on"}
#: Largest import file accepted, in MB: a million respondents x 45 columns is about 150 MB,
#: so 500 MB leaves room while stopping a wrong file (a database dump, a video) early.
DEFAULT_MAX_IMPORT_MB = 500
#: How often, in seconds, a process asks the database whether a new dataset was loaded before
#: it reuses a cached result: short enough that every worker shows an import within moments,
#: long enough that a burst of requests costs one tiny query.
DEFAULT_CACHE_SECONDS = 2.0
#: Results each process keeps (least recently used dropped first); 0 turns the cache off.
#: A full tidy table is a few MB, so 128 entries stay well under a worker's memory.
DEFAULT_CACHE_ENTRIES = 128
#: Largest request body the web server accepts, in KB: Dash callback posts carry ids, filter
#: values and small stores (tens of KB); anything far larger is a mistake or an attack.
DEFAULT_MAX_REQUEST_KB = 1024


@dataclass(frozen=True)
class Settings:
    """Run-time settings of the app, CLI and library.

    Attributes
    ----------
    database_url : str
        SQLAlchemy URL of the database (SQLite by default, PostgreSQL via DATABASE_URL).
    data_dir : Path
        Folder of bundled data (boundaries, lookups, context, survey).
    host, port : str, int
        Where the development server listens.
    debug : bool
        Dash debug mode; off unless SASCI_DEBUG is set to a true value.
    max_import_mb : float
        Largest file ``sasci-map import`` accepts (SASCI_MAX_IMPORT_MB).
    cache_seconds : float
        Seconds between checks for a newly loaded dataset before cached results are reused
        (SASCI_CACHE_SECONDS); 0 checks on every request.
    cache_entries : int
        Results each process caches (SASCI_CACHE_ENTRIES); 0 turns the cache off.
    max_request_kb : int
        Largest request body the web server accepts, in KB (SASCI_MAX_REQUEST_KB).
    """

    database_url: str
    data_dir: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    debug: bool = False
    max_import_mb: float = DEFAULT_MAX_IMPORT_MB
    cache_seconds: float = DEFAULT_CACHE_SECONDS
    cache_entries: int = DEFAULT_CACHE_ENTRIES
    max_request_kb: int = DEFAULT_MAX_REQUEST_KB


def sqlite_url(path: Path) -> str:
    """Return the SQLAlchemy URL of a SQLite file at ``path``."""
    return f"sqlite:///{Path(path).resolve()}"


def get_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build Settings from environment variables.

    Parameters
    ----------
    environ : dict, optional
        Mapping to read instead of ``os.environ`` (tests pass their own).

    Returns
    -------
    Settings
        ``DATABASE_URL`` (default: SQLite ``data/sasci.db``), ``SASCI_DATA_DIR``,
        ``HOST``, ``PORT``, ``SASCI_DEBUG`` (only ``1``/``true``/``yes``/``on`` turn debug
        on), ``SASCI_MAX_IMPORT_MB``, ``SASCI_CACHE_SECONDS``, ``SASCI_CACHE_ENTRIES`` and
        ``SASCI_MAX_REQUEST_KB``.

    Raises
    ------
    ValueError
        If ``PORT`` is not an integer, ``SASCI_MAX_IMPORT_MB`` not a positive number,
        ``SASCI_CACHE_SECONDS`` not a number >= 0, ``SASCI_CACHE_ENTRIES`` not an integer >= 0
        or ``SASCI_MAX_REQUEST_KB`` not a positive integer.
    """
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("SASCI_DATA_DIR") or DEFAULT_DATA_DIR)
    url = env.get("DATABASE_URL") or sqlite_url(DEFAULT_DATA_DIR / DEFAULT_DB_FILENAME)
    port_text = env.get("PORT") or str(DEFAULT_PORT)
    limit_text = env.get("SASCI_MAX_IMPORT_MB") or str(DEFAULT_MAX_IMPORT_MB)
    try:
        max_import_mb = float(limit_text)
    except ValueError:
        raise ValueError(f"SASCI_MAX_IMPORT_MB must be a number, got {limit_text!r}") from None
    if not max_import_mb > 0:
        raise ValueError(f"SASCI_MAX_IMPORT_MB must be positive, got {limit_text!r}")
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"PORT must be an integer, got {port_text!r}") from None
    return Settings(
        database_url=url,
        data_dir=data_dir,
        host=env.get("HOST") or DEFAULT_HOST,
        port=port,
        debug=(env.get("SASCI_DEBUG", "").lower() in _TRUE),
        max_import_mb=max_import_mb,
        cache_seconds=_number(env, "SASCI_CACHE_SECONDS", DEFAULT_CACHE_SECONDS, float, 0),
        cache_entries=_number(env, "SASCI_CACHE_ENTRIES", DEFAULT_CACHE_ENTRIES, int, 0),
        max_request_kb=_number(env, "SASCI_MAX_REQUEST_KB", DEFAULT_MAX_REQUEST_KB, int, 1),
    )


def _number(env, name: str, default: float, kind: type, minimum: float) -> float:
    """Return the number in ``env[name]`` (``default`` when unset), at least ``minimum``."""
    text = env.get(name) or str(default)
    try:
        value = kind(text)
    except ValueError:
        raise ValueError(f"{name} must be {'an integer' if kind is int else 'a number'}, "
                         f"got {text!r}") from None
    if not value >= minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {text!r}")
    return value
