"""Database tables of the survey and the inventories, and their all-or-nothing replacement."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import lru_cache

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sasci_map import db
from sasci_map.codebook import load_codebook
from sasci_map.config import DEFAULT_DATA_DIR
from sasci_map.errors import DatabaseError
from sasci_map.inventory import INNOVATION_COLUMNS, ORGANISATION_COLUMNS

#: Rows per INSERT batch: large enough to amortise round trips, small enough that one batch of
#: Python dicts (about 45 columns) stays in the tens of megabytes.
INSERT_BATCH_ROWS = 20_000
#: SQLite page cache for a bulk import, in KiB (negative pragma value): the default 2 MB
#: makes inserting into the primary-key and council indexes disk-bound past ~100k rows.
SQLITE_IMPORT_CACHE_KIB = 256 * 1024
#: Response types stored as integers; every other answer is stored as its text code.
INTEGER_TYPES = ("likert5", "count")
ID_LENGTH = 60

metadata = db.metadata

survey_waves_table = sa.Table(
    "survey_waves",
    metadata,
    sa.Column("wave", sa.Integer, primary_key=True),
    sa.Column("synthetic", sa.Boolean, nullable=False),
    sa.Column("source_file", sa.String(300), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("n_respondents", sa.Integer, nullable=False),
    sa.Column("n_organisations", sa.Integer, nullable=False),
    sa.Column("n_council_orgs", sa.Integer, nullable=False),
    sa.Column("n_provider_orgs", sa.Integer, nullable=False),
    sa.Column("n_council_areas", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
)



def _item_table(name: str, columns: list[str], optional: str) -> sa.Table:
    """Return an inventory's item table: text columns keyed by the first, plus ``synthetic``."""
    return sa.Table(
        name,
        metadata,
        sa.Column(columns[0], sa.String(ID_LENGTH), primary_key=True),
        *[sa.Column(c, sa.Text, nullable=c == optional)
          for c in columns[1:] if c != "synthetic"],
        sa.Column("synthetic", sa.Boolean, nullable=False),
    )


innovations_table = _item_table("innovations", INNOVATION_COLUMNS, "partner_actors")

innovation_councils_table = sa.Table(
    "innovation_councils",
    metadata,
    sa.Column("innovation_id", sa.String(ID_LENGTH),
              sa.ForeignKey("innovations.innovation_id"), primary_key=True),
    sa.Column("council_code", sa.String(9), sa.ForeignKey("councils.code"), primary_key=True),
    sa.Column("start_year", sa.Integer, nullable=False),
    sa.Column("end_year", sa.Integer),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("synthetic", sa.Boolean, nullable=False),
)

support_organisations_table = _item_table("support_organisations", ORGANISATION_COLUMNS,
                                          "website")

support_coverage_table = sa.Table(
    "support_coverage",
    metadata,
    sa.Column("org_id", sa.String(ID_LENGTH), sa.ForeignKey("support_organisations.org_id"),
              primary_key=True),
    sa.Column("area_level", sa.String(10), primary_key=True),
    sa.Column("area_code", sa.String(9), primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("synthetic", sa.Boolean, nullable=False),
)

inventory_imports_table = sa.Table(
    "inventory_imports",
    metadata,
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("source_file", sa.String(300), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("n_items", sa.Integer, nullable=False),
    sa.Column("n_places", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
)

#: Each inventory: its parent table and the child table that lists where it applies.
INVENTORY_TABLES = {
    "innovations": (innovations_table, innovation_councils_table),
    "infrastructure": (support_organisations_table, support_coverage_table),
}


@lru_cache(maxsize=1)
def responses_table() -> sa.Table:
    """Return the ``survey_responses`` table: one row per respondent, one column per item.

    The item columns come from the bundled codebook (``data/survey/codebook.csv``): likert and
    count items are integers, every other answer is its text code; NULL means not answered.

    Returns
    -------
    sqlalchemy.Table
    """
    book = load_codebook(DEFAULT_DATA_DIR)
    items = [
        sa.Column(rec.item_id, sa.Integer if rec.response_type in INTEGER_TYPES else sa.Text)
        for rec in book.itertuples(index=False)
    ]
    return sa.Table(
        "survey_responses",
        metadata,
        sa.Column("wave", sa.Integer, sa.ForeignKey("survey_waves.wave"), primary_key=True),
        sa.Column("respondent_id", sa.String(ID_LENGTH), primary_key=True),
        sa.Column("org_id", sa.String(ID_LENGTH), nullable=False),
        sa.Column("org_type", sa.String(10), nullable=False),
        sa.Column("council_code", sa.String(9), sa.ForeignKey("councils.code"), nullable=False),
        *items,
        sa.Index("ix_responses_council", "wave", "council_code"),
    )


def create_survey_schema(engine: Engine) -> None:
    """Create the survey and inventory tables that do not exist yet.

    Raises
    ------
    DatabaseError
        If an existing ``survey_responses`` table lacks a column the codebook now has.
    """
    table = responses_table()
    db.create_schema(engine)
    present = {c["name"] for c in sa.inspect(engine).get_columns(table.name)}
    missing = [c.name for c in table.columns if c.name not in present]
    if missing:
        raise DatabaseError(
            f"table survey_responses lacks codebook columns {missing}: the database predates "
            "the codebook; recreate it (delete the SQLite file or drop the tables) and run "
            "sasci-map init")


def _insert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame,
            progress: Callable[[int, int], None] | None = None) -> None:
    """Insert ``frame`` (columns named as the table's) in batches, NaN/NA as NULL.

    Tables of plain integers and text (the survey responses) go to the driver as tuples:
    PostgreSQL through ``COPY``, SQLite through one prepared ``executemany`` per batch. Other
    tables and databases go through SQLAlchemy, which converts booleans and timestamps.
    """
    total = len(frame)
    columns = list(frame.columns)
    plain = all(isinstance(table.c[c].type, sa.Integer | sa.String) for c in columns)
    for start in range(0, total, INSERT_BATCH_ROWS):
        chunk = frame.iloc[start:start + INSERT_BATCH_ROWS]
        rows = list(zip(*(chunk[c].to_numpy(dtype=object, na_value=None) for c in columns),
                        strict=True))
        if plain and conn.dialect.name == "postgresql":
            _copy_rows(conn, table, columns, rows)
        elif plain and conn.dialect.paramstyle == "qmark":
            statement = str(table.insert().compile(dialect=conn.dialect, column_keys=columns))
            conn.exec_driver_sql(statement, rows)
        else:
            conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        if progress is not None:
            progress(min(start + INSERT_BATCH_ROWS, total), total)


def _copy_rows(conn: sa.Connection, table: sa.Table, columns: list[str], rows: list[tuple]
               ) -> None:
    """Stream rows into PostgreSQL with COPY, inside the connection's open transaction."""
    quote = conn.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def replace_waves(engine: Engine, waves: pd.DataFrame, responses: pd.DataFrame,
                  progress: Callable[[int, int], None] | None = None) -> None:
    """Replace the given survey waves in one transaction: all of them, or nothing.

    Parameters
    ----------
    engine : Engine
    waves : pandas.DataFrame
        One row per wave with the columns of ``survey_waves``.
    responses : pandas.DataFrame
        Respondent rows of those waves, columns named as ``survey_responses``' columns.
    progress : callable, optional
        Called with (rows written, total rows) after each batch.
    """
    with engine.begin() as conn:
        write_waves(conn, waves, responses, progress)


def write_waves(conn: sa.Connection, waves: pd.DataFrame, responses: pd.DataFrame,
                progress: Callable[[int, int], None] | None = None) -> None:
    """Replace the given survey waves inside the caller's transaction ``conn``.

    See :func:`replace_waves`, which wraps it in a transaction of its own.
    """
    table = responses_table()
    numbers = [int(w) for w in waves["wave"]]
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    conn.execute(table.delete().where(table.c.wave.in_(numbers)))
    conn.execute(survey_waves_table.delete().where(survey_waves_table.c.wave.in_(numbers)))
    _insert(conn, survey_waves_table, waves)
    _insert(conn, table, responses, progress)


def replace_inventory(engine: Engine, kind: str, parent: pd.DataFrame,
                      children: pd.DataFrame, record: dict) -> None:
    """Replace one inventory (``innovations`` or ``infrastructure``) in one transaction.

    Parameters
    ----------
    engine : Engine
    kind : {"innovations", "infrastructure"}
    parent, children : pandas.DataFrame
        Rows of the inventory's two tables (see :data:`INVENTORY_TABLES`).
    record : dict
        The ``inventory_imports`` row: source_file, content_hash, imported_at.
    """
    parent_table, child_table = INVENTORY_TABLES[kind]
    log = inventory_imports_table
    with engine.begin() as conn:
        _clear(conn, kind)
        _insert(conn, parent_table, parent)
        _insert(conn, child_table, children)
        conn.execute(log.insert(), [{**record, "kind": kind, "n_items": len(parent),
                                     "n_places": len(children)}])


def remove_synthetic_waves(engine: Engine) -> list[int]:
    """Delete every wave marked synthetic (demo data) in one transaction; return their numbers."""
    table, waves = responses_table(), survey_waves_table
    with engine.begin() as conn:
        numbers = [int(w) for w in conn.execute(
            sa.select(waves.c.wave).where(waves.c.synthetic.is_(True)).order_by(waves.c.wave)
        ).scalars()]
        if numbers:
            conn.execute(table.delete().where(table.c.wave.in_(numbers)))
            conn.execute(waves.delete().where(waves.c.wave.in_(numbers)))
    return numbers


def clear_inventory(engine: Engine, kind: str) -> None:
    """Empty one inventory (both of its tables and its import record) in one transaction."""
    with engine.begin() as conn:
        _clear(conn, kind)


def _clear(conn: sa.Connection, kind: str) -> None:
    parent_table, child_table = INVENTORY_TABLES[kind]
    log = inventory_imports_table
    conn.execute(child_table.delete())
    conn.execute(parent_table.delete())
    conn.execute(log.delete().where(log.c.kind == kind))


def stored_wave_hashes(engine: Engine, waves: Iterable[int]) -> dict[int, str]:
    """Return the content hash each of ``waves`` was imported with (absent if never)."""
    t = survey_waves_table
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.wave, t.c.content_hash).where(
            t.c.wave.in_([int(w) for w in waves])))
        return {int(w): h for w, h in rows}


def stored_inventory_hash(engine: Engine, kind: str) -> str | None:
    """Return the content hash the inventory ``kind`` was last imported with, or None."""
    log = inventory_imports_table
    with engine.connect() as conn:
        return conn.execute(sa.select(log.c.content_hash).where(log.c.kind == kind)
                            ).scalar_one_or_none()


def read_waves(engine: Engine) -> pd.DataFrame:
    """Return the imported survey waves with their provenance and counts, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(survey_waves_table).order_by(
            survey_waves_table.c.wave)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in survey_waves_table.columns])


def read_inventory_imports(engine: Engine) -> pd.DataFrame:
    """Return one row per loaded inventory: kind, counts, how many places are demo data, source.

    Returns
    -------
    pandas.DataFrame
        ``kind, source_file, n_items, n_places, n_synthetic_places, imported_at``.
    """
    log = inventory_imports_table
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(log).order_by(log.c.kind)).mappings()]
        for row in rows:
            child = INVENTORY_TABLES[row["kind"]][1]
            row["n_synthetic_places"] = conn.execute(
                sa.select(sa.func.count()).select_from(child).where(child.c.synthetic.is_(True))
            ).scalar_one()
    columns = ["kind", "source_file", "n_items", "n_places", "n_synthetic_places", "imported_at"]
    return pd.DataFrame(rows, columns=[*columns, "content_hash"])[columns]


def read_responses(engine: Engine, wave: int | None = None,
                   exclude_waves: Iterable[int] = ()) -> pd.DataFrame:
    """Return respondent rows (all waves, or one), ordered by wave and respondent id.

    Parameters
    ----------
    engine : Engine
    wave : int, optional
        Only this wave.
    exclude_waves : iterable of int
        Leave these waves out (the importer already holds them in memory).

    Returns
    -------
    pandas.DataFrame
        The columns of ``survey_responses``; integer items are nullable ``Int64``.
    """
    table = responses_table()
    query = sa.select(table).order_by(table.c.wave, table.c.respondent_id)
    if wave is not None:
        query = query.where(table.c.wave == int(wave))
    skip = [int(w) for w in exclude_waves]
    if skip:
        query = query.where(table.c.wave.not_in(skip))
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    for column in table.columns:
        if isinstance(column.type, sa.Integer):
            frame[column.name] = frame[column.name].astype("Int64")
    return frame


def read_inventory(engine: Engine, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the two tables of one inventory as stored (parent, children)."""
    parent_table, child_table = INVENTORY_TABLES[kind]
    with engine.connect() as conn:
        parent = pd.read_sql(sa.select(parent_table).order_by(*parent_table.primary_key), conn)
        child = pd.read_sql(sa.select(child_table).order_by(*child_table.primary_key), conn)
    return parent, child


def imported_at() -> datetime:
    """Return the timestamp recorded for an import (UTC, timezone-aware)."""
    return datetime.now(UTC)
