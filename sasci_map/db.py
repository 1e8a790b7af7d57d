"""The database: schema, engine factory, and all-or-nothing loading of datasets."""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url

from sasci_map.errors import DatabaseError

#: Area levels an indicator value can belong to.
AREA_LEVELS = ("council", "region", "england")
#: The one status under which a row may carry numbers (see DOMAIN.md, "three states").
STATUS_VALUE = "value"

metadata = sa.MetaData()

councils_table = sa.Table(
    "councils",
    metadata,
    sa.Column("code", sa.String(9), primary_key=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("council_type", sa.String(40), nullable=False),
    sa.Column("region_code", sa.String(9), nullable=False),
    sa.Column("region_name", sa.String(60), nullable=False),
)

regions_table = sa.Table(
    "regions",
    metadata,
    sa.Column("code", sa.String(9), primary_key=True),
    sa.Column("name", sa.String(60), nullable=False),
)

datasets_table = sa.Table(
    "datasets",
    metadata,
    sa.Column("dataset_key", sa.String(60), primary_key=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("publisher", sa.String(200), nullable=False),
    sa.Column("vintage", sa.String(60), nullable=False),
    sa.Column("licence", sa.String(300), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
)

indicator_definitions_table = sa.Table(
    "indicator_definitions",
    metadata,
    sa.Column("indicator_id", sa.String(60), primary_key=True),
    sa.Column("dataset_key", sa.String(60), sa.ForeignKey("datasets.dataset_key"), nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("short_title", sa.String(120), nullable=False),
    sa.Column("definition", sa.Text, nullable=False),
    sa.Column("domain", sa.String(40), nullable=False),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("unit", sa.String(60), nullable=False),
    sa.Column("polarity", sa.String(20), nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("period", sa.String(40), nullable=False),
    sa.Column("sort_order", sa.Integer, nullable=False),
)

indicator_values_table = sa.Table(
    "indicator_values",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "indicator_id",
        sa.String(60),
        sa.ForeignKey("indicator_definitions.indicator_id"),
        nullable=False,
    ),
    sa.Column("area_code", sa.String(9), nullable=False),
    sa.Column("area_level", sa.String(10), nullable=False),
    sa.Column("period", sa.String(40), nullable=False),
    sa.Column("numerator", sa.Float),
    sa.Column("denominator", sa.Float),
    sa.Column("value", sa.Float),
    sa.Column("lower", sa.Float),
    sa.Column("upper", sa.Float),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("status_reason", sa.String(300), nullable=False, default=""),
    sa.Column("source", sa.String(200), nullable=False),
    sa.UniqueConstraint("indicator_id", "area_code", "period", name="uq_value_area_period"),
    sa.CheckConstraint(
        "status = 'value' OR (value IS NULL AND numerator IS NULL AND denominator IS NULL"
        " AND lower IS NULL AND upper IS NULL)",
        name="ck_non_value_rows_carry_no_numbers",
    ),
)
sa.Index("ix_values_indicator_period", indicator_values_table.c.indicator_id,
         indicator_values_table.c.period)

VALUE_COLUMNS = [c.name for c in indicator_values_table.columns if c.name != "id"]
DEFINITION_COLUMNS = [c.name for c in indicator_definitions_table.columns]


@dataclass(frozen=True)
class Dataset:
    """One loadable dataset: its provenance and the frames it puts in the database.

    Attributes
    ----------
    key : str
        Stable identifier, e.g. ``"ons_population_mid2020"``.
    title, source, publisher, vintage, licence : str
        Provenance shown on the About page and in exports.
    files : tuple of Path
        The bundled files it was read from (hashed to make ``init`` idempotent).
    definitions : pandas.DataFrame
        Indicator definitions, columns as ``indicator_definitions`` less ``dataset_key``.
    values : pandas.DataFrame
        Long-form indicator values, columns as ``indicator_values`` less ``id``.
    inputs : str
        Extra fingerprint of inputs that are not files (e.g. the hashes of imported survey
        waves), hashed with the files.
    """

    key: str
    title: str
    source: str
    publisher: str
    vintage: str
    licence: str
    files: tuple[Path, ...]
    definitions: pd.DataFrame
    values: pd.DataFrame
    inputs: str = ""

    def content_hash(self) -> str:
        """Return a SHA-256 over the dataset's files, so an unchanged dataset is not reloaded."""
        digest = hashlib.sha256(self.inputs.encode())
        for path in sorted(self.files):
            digest.update(path.name.encode())
            digest.update(Path(path).read_bytes())
        return digest.hexdigest()


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``; SQLite files get foreign keys and a writable-path check.

    Parameters
    ----------
    url : str
        SQLAlchemy URL, e.g. ``sqlite:///data/sasci.db`` or
        ``postgresql+psycopg://user@127.0.0.1/sasci``.

    Returns
    -------
    sqlalchemy.engine.Engine

    Raises
    ------
    DatabaseError
        If the URL cannot be parsed, or a SQLite file's folder is missing or not writable.
    """
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise DatabaseError(f"cannot parse database URL {url!r}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_path(parsed.database)
        engine = sa.create_engine(parsed)
        sa.event.listen(engine, "connect", _sqlite_foreign_keys)
        return engine
    return sa.create_engine(parsed, pool_pre_ping=True)


def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _check_sqlite_path(database: str | None) -> None:
    if not database or database == ":memory:":
        return
    path = Path(database)
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists() and not os.access(path, os.W_OK):
        raise DatabaseError(f"cannot write database file {path}: permission denied")
    if not folder.is_dir():
        raise DatabaseError(f"cannot create database {path}: folder {folder} does not exist")
    if not path.exists() and not os.access(folder, os.W_OK):
        raise DatabaseError(f"cannot create database {path}: folder {folder} is not writable")


def create_schema(engine: Engine) -> None:
    """Create every table that does not exist yet (never drops or alters existing ones)."""
    try:
        metadata.create_all(engine)
    except sa.exc.OperationalError as exc:
        raise DatabaseError(f"cannot create schema in {_safe_url(engine)}: {exc.orig}") from None


def _safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict]:
    """Turn a frame into insertable dicts with NaN/NA as None."""
    out = []
    for row in frame[list(columns)].itertuples(index=False, name=None):
        out.append({col: _clean(v) for col, v in zip(columns, row, strict=True)})
    return out


def _clean(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return _clean(value.item())
    return value


def load_geography(engine: Engine, councils: pd.DataFrame, regions: pd.DataFrame) -> bool:
    """Replace councils and regions if they differ from what is stored; return True if changed."""
    wanted_c = _records(councils, [c.name for c in councils_table.columns])
    wanted_r = _records(regions, [c.name for c in regions_table.columns])
    with engine.begin() as conn:
        have_c = [dict(r._mapping) for r in conn.execute(
            sa.select(councils_table).order_by(councils_table.c.code))]
        have_r = [dict(r._mapping) for r in conn.execute(
            sa.select(regions_table).order_by(regions_table.c.code))]
        if have_c == sorted(wanted_c, key=lambda r: r["code"]) and have_r == sorted(
            wanted_r, key=lambda r: r["code"]
        ):
            return False
        conn.execute(councils_table.delete())
        conn.execute(regions_table.delete())
        conn.execute(regions_table.insert(), wanted_r)
        conn.execute(councils_table.insert(), wanted_c)
    return True


def stored_hash(engine: Engine, key: str) -> str | None:
    """Return the content hash recorded for dataset ``key``, or None if it was never loaded."""
    with engine.connect() as conn:
        return conn.execute(
            sa.select(datasets_table.c.content_hash).where(datasets_table.c.dataset_key == key)
        ).scalar_one_or_none()


def load_dataset(engine: Engine, dataset: Dataset, *, force: bool = False) -> bool:
    """Load one dataset in a single transaction: all of it, or nothing.

    Parameters
    ----------
    engine : Engine
    dataset : Dataset
    force : bool
        Reload even if the stored content hash matches.

    Returns
    -------
    bool
        True if the dataset was (re)loaded, False if it was already loaded unchanged.
    """
    digest = dataset.content_hash()
    if not force and stored_hash(engine, dataset.key) == digest:
        return False
    with engine.begin() as conn:
        write_dataset(conn, dataset)
    return True


def write_dataset(conn: sa.Connection, dataset: Dataset) -> None:
    """Replace one dataset's rows inside the caller's transaction ``conn``.

    :func:`load_dataset` wraps it in a transaction of its own; an import calls it in the
    transaction that writes the responses, so both are stored together or not at all.
    """
    digest = dataset.content_hash()
    definitions = dataset.definitions.assign(dataset_key=dataset.key)
    values = dataset.values.assign(status_reason=dataset.values["status_reason"].fillna(""))
    ids = list(definitions["indicator_id"])
    _delete_dataset(conn, dataset.key, ids)
    conn.execute(
        datasets_table.insert(),
        [{
            "dataset_key": dataset.key, "title": dataset.title, "source": dataset.source,
            "publisher": dataset.publisher, "vintage": dataset.vintage,
            "licence": dataset.licence, "content_hash": digest,
            "n_rows": len(dataset.values), "loaded_at": datetime.now(UTC),
        }],
    )
    conn.execute(indicator_definitions_table.insert(),
                 _records(definitions, DEFINITION_COLUMNS))
    if len(values):
        conn.execute(indicator_values_table.insert(), _records(values, VALUE_COLUMNS))


def remove_dataset(engine: Engine, key: str) -> bool:
    """Remove one dataset with its definitions and values; return False if it was not loaded."""
    if stored_hash(engine, key) is None:
        return False
    with engine.begin() as conn:
        _delete_dataset(conn, key, [])
    return True


def _delete_dataset(conn: sa.Connection, key: str, indicator_ids: Iterable[str]) -> None:
    old_ids = set(conn.execute(
        sa.select(indicator_definitions_table.c.indicator_id)
        .where(indicator_definitions_table.c.dataset_key == key)
    ).scalars()) | set(indicator_ids)
    if old_ids:
        conn.execute(indicator_values_table.delete().where(
            indicator_values_table.c.indicator_id.in_(old_ids)))
        conn.execute(indicator_definitions_table.delete().where(
            indicator_definitions_table.c.indicator_id.in_(old_ids)))
    conn.execute(datasets_table.delete().where(datasets_table.c.dataset_key == key))


def read_definitions(engine: Engine) -> pd.DataFrame:
    """Return every indicator definition, in display order."""
    query = sa.select(indicator_definitions_table).order_by(
        indicator_definitions_table.c.domain, indicator_definitions_table.c.sort_order)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=DEFINITION_COLUMNS)


def read_values(engine: Engine, indicator_id: str | Sequence[str] | None = None,
                period: str | None = None, area_level: str | None = "council") -> pd.DataFrame:
    """Return long-form values at one area level (or all, with None) of some or all indicators.

    ``indicator_id`` may be one id or a sequence of ids.
    """
    t = indicator_values_table
    query = sa.select(*[t.c[c] for c in VALUE_COLUMNS])
    if area_level is not None:
        query = query.where(t.c.area_level == area_level)
    if isinstance(indicator_id, str):
        query = query.where(t.c.indicator_id == indicator_id)
    elif indicator_id is not None:
        query = query.where(t.c.indicator_id.in_(list(indicator_id)))
    if period is not None:
        query = query.where(t.c.period == period)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(t.c.indicator_id, t.c.area_code, t.c.period)
                            ).mappings().all()
    frame = pd.DataFrame(rows, columns=VALUE_COLUMNS)
    for col in ("numerator", "denominator", "value", "lower", "upper"):
        frame[col] = pd.to_numeric(frame[col], errors="raise").astype("float64")
    return frame


def indicator_periods(engine: Engine) -> pd.DataFrame:
    """Return the distinct ``indicator_id, period`` pairs stored, sorted."""
    t = indicator_values_table
    query = sa.select(t.c.indicator_id, t.c.period).distinct().order_by(t.c.indicator_id,
                                                                        t.c.period)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=["indicator_id", "period"])


def read_datasets(engine: Engine) -> pd.DataFrame:
    """Return the record of loaded datasets (source, vintage, licence, loaded at)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(datasets_table).order_by(
            datasets_table.c.dataset_key)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in datasets_table.columns])


def table_counts(engine: Engine) -> dict[str, int]:
    """Return the number of rows in each existing table (tests and ``sasci-map status``)."""
    with engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
        return {
            table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
            if table.name in present
        }


#: Import logs whose rows change whenever a survey wave or an inventory is (re)imported, with
#: their key column; read by :func:`dataset_version` as lightweight table clauses, so this
#: module need not import the survey store.
_IMPORT_LOGS = (
    ("survey_waves", "wave", "imported_at"),
    ("inventory_imports", "kind", "imported_at"),
)


def dataset_version(engine: Engine) -> str:
    """Return a short fingerprint of what is loaded, which changes with every load or import.

    A few tiny queries: every ``datasets`` row (key, content hash, load time) and the survey
    wave and inventory import logs (key, content hash, import time). Result caches compare it
    to decide whether a cached result is still current.

    Returns
    -------
    str
        A hex digest; equal digests mean the same datasets, waves and inventories are loaded.

    Raises
    ------
    sqlalchemy.exc.OperationalError
        If the database cannot be reached (or has no schema yet).
    """
    digest = hashlib.sha256()
    logs = [(datasets_table.name, "dataset_key", "loaded_at"), *_IMPORT_LOGS]
    with engine.connect() as conn:
        for name, key, stamp in logs:
            table = sa.table(name, sa.column(key), sa.column("content_hash"), sa.column(stamp))
            rows = conn.execute(sa.select(table.c[key], table.c.content_hash, table.c[stamp])
                                .order_by(table.c[key])).all()
            digest.update(f"{name}:{rows!r};".encode())
    return digest.hexdigest()[:16]
