"""`sasci-map import`: read, validate and load one survey or inventory file, all or nothing."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sasci_map import db, survey_store
from sasci_map.errors import SasciError
from sasci_map.inventory_import import validate_inventory
from sasci_map.survey_format import IMPORT_KINDS, import_columns
from sasci_map.survey_import import REQUIRED_CELLS, validate_survey
from sasci_map.survey_loading import survey_dataset
from sasci_map.tabular import DEFAULT_MAX_BYTES, read_table

#: Bytes hashed per read when fingerprinting a file (keeps memory flat for huge files).
HASH_CHUNK = 1 << 20

Progress = Callable[[str], None]


@dataclass
class ImportReport:
    """What an import did, for the command line and the tests."""

    kind: str
    path: Path
    rows: int
    details: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unchanged: bool = False

    def summary(self) -> str:
        """Return a short human-readable summary (one line, then any notes)."""
        head = (f"{self.path.name}: unchanged since the last import, nothing written"
                if self.unchanged else
                f"imported {self.kind} from {self.path.name}: {self.rows:,} rows; "
                + "; ".join(self.details))
        return "\n".join([head, *(f"note: {n}" for n in self.notes)])


def file_digest(path: Path) -> str:
    """Return the SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _require_councils(engine: Engine) -> None:
    """Refuse to import before ``init``: imports name councils, so the list must be loaded."""
    with engine.connect() as conn:
        has_table = sa.inspect(conn).has_table(db.councils_table.name)
        count = conn.execute(sa.select(sa.func.count()).select_from(db.councils_table)
                             ).scalar_one() if has_table else 0
    if not count:
        raise SasciError("the database has no councils yet: run `sasci-map init --no-demo` "
                         "first, then import")


def _optional_columns(kind: str, data_dir: Path | None) -> list[str]:
    """Columns a file of ``kind`` may leave out: for a survey, everything but the ids."""
    if kind != "survey":
        return []
    return [c for c in import_columns(kind, data_dir) if c not in REQUIRED_CELLS]


def _survey_details(waves) -> list[str]:
    return [
        f"wave {w.wave}{' (synthetic demo data)' if w.synthetic else ''}: "
        f"{w.n_respondents:,} respondents, {w.n_council_orgs:,} councils and "
        f"{w.n_provider_orgs:,} providers ({w.n_organisations:,} organisations) "
        f"in {w.n_council_areas} council areas"
        for w in waves.itertuples(index=False)
    ]


def import_file(engine: Engine, kind: str, path: Path | str, *, data_dir: Path | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES, progress: Progress | None = None,
                skip_unchanged: bool = False) -> ImportReport:
    """Import one file: validate everything first, then write it in one transaction.

    A survey file replaces each wave it contains; an inventory file replaces that inventory.
    Nothing is written unless the whole file is valid, and a failure while writing rolls back.

    Parameters
    ----------
    engine : Engine
    kind : {"survey", "innovations", "infrastructure"}
    path : path
        A .csv (UTF-8) or .xlsx file.
    data_dir : Path, optional
        Bundled data folder (codebook, typologies, lookups).
    max_bytes : int
        Larger files are refused before reading.
    progress : callable, optional
        Receives a message at each stage and while rows are written.
    skip_unchanged : bool
        Write nothing if this exact file was the last import of its waves or inventory.

    Returns
    -------
    ImportReport

    Raises
    ------
    TableError
        If the file cannot be read or breaks any rule (every problem listed).
    SasciError
        If the database has no councils yet.
    ValueError
        If ``kind`` is unknown.
    """
    if kind not in IMPORT_KINDS:
        raise ValueError(f"import kind {kind!r}: expected one of {list(IMPORT_KINDS)}")
    say = progress or (lambda _message: None)
    path = Path(path)
    _require_councils(engine)
    survey_store.create_survey_schema(engine)
    started = time.perf_counter()
    table = read_table(path, max_bytes=max_bytes, expected_columns=import_columns(kind, data_dir),
                       optional_columns=_optional_columns(kind, data_dir))
    say(f"read {len(table.frame):,} rows in {time.perf_counter() - started:.1f} s")
    digest = file_digest(path)
    when = survey_store.imported_at()
    if kind == "survey":
        batch = validate_survey(table, digest, when, data_dir)
        say(f"validated in {time.perf_counter() - started:.1f} s")
        report = ImportReport(kind, path, len(table.frame), _survey_details(batch.waves),
                              batch.notes)
        del table  # the text of a large file is no longer needed: free it before writing
        stored = survey_store.stored_wave_hashes(engine, batch.waves["wave"])
        if skip_unchanged and all(stored.get(int(w)) == digest for w in batch.waves["wave"]):
            report.unchanged = True
            return report

        def written(done: int, total: int) -> None:
            say(f"written {done:,} of {total:,} rows ({time.perf_counter() - started:.1f} s)")

        say(f"computing survey indicators ({time.perf_counter() - started:.1f} s)")
        dataset = survey_dataset(engine, data_dir, fresh=batch.responses,
                                 new_waves=batch.waves)
        # Responses and the indicators computed from them: one transaction, all or nothing.
        with engine.begin() as conn:
            survey_store.write_waves(conn, batch.waves, batch.responses, written)
            db.write_dataset(conn, dataset)
        report.details.append(f"survey indicators loaded "
                              f"({time.perf_counter() - started:.1f} s in all)")
        return report
    batch = validate_inventory(table, kind, data_dir)
    noun = "innovations" if kind == "innovations" else "organisations"
    places = "council adoptions" if kind == "innovations" else "coverage areas"
    report = ImportReport(kind, path, len(table.frame),
                          [f"{len(batch.parent)} {noun}, {len(batch.children)} {places}"],
                          batch.notes)
    if skip_unchanged and survey_store.stored_inventory_hash(engine, kind) == digest:
        report.unchanged = True
        return report
    survey_store.replace_inventory(engine, kind, batch.parent, batch.children, {
        "source_file": path.name, "content_hash": digest, "imported_at": when})
    return report

