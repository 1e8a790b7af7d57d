"""Imports under faults: corrupt files, a failure part-way through writing, a killed import.

Whatever goes wrong, the database is either exactly as before or holds the whole new file with
indicators computed from it: never half a file, never responses whose indicators are stale.
The malformed-file cases of tests/integration/test_import.py (bad cells, headers, encodings)
and its failure while writing survey responses are not repeated here.
"""

from __future__ import annotations

import io
import os
import random
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sasci_map import db, survey_store
from sasci_map.cli import EXIT_INVALID
from sasci_map.config import DEFAULT_DATA_DIR
from sasci_map.demo import scale_survey
from sasci_map.importer import import_file
from sasci_map.survey_loading import refresh_survey_indicators
from tests.integration.test_import import demo_files, ready, run, snapshot

#: Fixtures of test_import.py that the tests here take by name (reused, not copied).
SHARED_FIXTURES = (ready, demo_files)

ROOT = Path(__file__).resolve().parents[2]
#: Rows of the big survey file: enough that writing it takes several insert batches.
BIG_ROWS = 5 * survey_store.INSERT_BATCH_ROWS
#: Seconds the killed import may take to reach the stage where it is killed.
STAGE_TIMEOUT_S = 120
RANDOM_SEED = 20231
INVENTORIES = ("innovations", "infrastructure")

#: Runs `sasci-map import` with progress on every step (no 2 s delay, no throttling), so the
#: test can kill it at a known stage.
IMPORT_WITH_PROGRESS = (
    "import sys\n"
    "import sasci_map.cli as cli\n"
    "cli.PROGRESS_AFTER_SECONDS = 0.0\n"
    "cli.PROGRESS_EVERY_SECONDS = 0.0\n"
    "sys.exit(cli.main(['import', sys.argv[1], sys.argv[2]]))\n"
)


# ---------------------------------------------------------------------------------------------
# (a) corrupt files: exit 2, database unchanged


def _cut_mid_row(text: str, fraction: float = 0.6) -> bytes:
    """Cut a CSV in the middle of a data row, between two of its cells (a copy interrupted)."""
    lines = text.splitlines(keepends=True)
    at = int(len(lines) * fraction)
    row = lines[at]
    commas = [i for i, ch in enumerate(row) if ch == ","]
    cut = commas[len(commas) // 2]
    return "".join(lines[:at]).encode() + row[:cut].encode()


def _cut_in_quotes(text: str) -> bytes:
    """Cut a CSV just after an opening quote: the file ends inside a quoted cell."""
    at = text.find(',"', len(text) // 2)
    if at < 0:  # no quoted cell in the file: make one
        lines = text.splitlines(keepends=True)
        half = len(lines) // 2
        return ("".join(lines[:half]) + lines[half].rstrip("\r\n") + ',"unfinished').encode()
    return text[: at + 2].encode()


def _random_bytes(size: int = 64 * 1024) -> bytes:
    return random.Random(RANDOM_SEED).randbytes(size)


def _xlsx_of(path: Path) -> bytes:
    """Return the bytes of an .xlsx workbook holding the CSV at ``path`` (sheet 'survey')."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    buffer = io.BytesIO()
    frame.to_excel(buffer, sheet_name=path.stem, index=False)
    return buffer.getvalue()


CORRUPT = {
    "csv_cut_mid_row": (".csv", lambda p: _cut_mid_row(p.read_text(encoding="utf-8"))),
    "csv_cut_inside_quotes": (".csv", lambda p: _cut_in_quotes(p.read_text(encoding="utf-8"))),
    "random_bytes_as_csv": (".csv", lambda p: _random_bytes()),
    "xlsx_truncated": (".xlsx", lambda p: _xlsx_of(p)[: len(_xlsx_of(p)) // 2]),
    "xlsx_tail_missing": (".xlsx", lambda p: _xlsx_of(p)[:-200]),
    "random_bytes_as_xlsx": (".xlsx", lambda p: _random_bytes()),
}


@pytest.mark.parametrize("kind", ["survey", *INVENTORIES])
@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_a_corrupt_file_exits_2_and_changes_nothing(case, kind, ready, demo_files, capsys,
                                                    tmp_path):
    assert run(capsys, "import", kind, demo_files[kind])[0] == 0
    before = snapshot(ready)
    suffix, make = CORRUPT[case]
    path = tmp_path / f"{kind}{suffix}"
    path.write_bytes(make(demo_files[kind]))
    code, out, err = run(capsys, "import", kind, path)
    assert (code, out) == (EXIT_INVALID, ""), err
    assert err.startswith(f"sasci-map import: invalid input: {path.name}"), err
    assert "Traceback" not in err
    assert snapshot(ready) == before


def test_the_untruncated_xlsx_imports(ready, demo_files, capsys, tmp_path):
    """The truncated workbooks above are refused for being cut, not for being workbooks."""
    path = tmp_path / "survey.xlsx"
    path.write_bytes(_xlsx_of(demo_files["survey"]))
    code, out, err = run(capsys, "import", "survey", path)
    assert code == 0, err
    assert out.startswith("sasci-map import: imported survey from survey.xlsx")


# ---------------------------------------------------------------------------------------------
# (b) a failure part-way through writing: everything rolls back


def _fail_halfway_through(monkeypatch, table_name: str) -> None:
    """Make the bulk insert into ``table_name`` write half its rows, then fail."""
    real_insert = survey_store._insert

    def failing(conn, table, frame, progress=None):
        if table.name == table_name:
            real_insert(conn, table, frame.iloc[: len(frame) // 2], progress)
            raise RuntimeError("disk full (simulated)")
        return real_insert(conn, table, frame, progress)

    monkeypatch.setattr(survey_store, "_insert", failing)


@pytest.mark.parametrize("kind, table_name", [
    (kind, table.name)
    for kind, tables in survey_store.INVENTORY_TABLES.items() for table in tables
])
def test_an_inventory_import_failing_while_writing_changes_nothing(
        kind, table_name, ready, demo_files, capsys, monkeypatch, tmp_path):
    assert run(capsys, "import", kind, demo_files[kind])[0] == 0
    before = snapshot(ready)
    # A different file (fewer rows), so that a partial write would show.
    frame = pd.read_csv(demo_files[kind], dtype=str, keep_default_na=False)
    path = tmp_path / f"{kind}.csv"
    frame.head(len(frame) * 2 // 3).to_csv(path, index=False)
    _fail_halfway_through(monkeypatch, table_name)
    with pytest.raises(RuntimeError, match="simulated"):
        import_file(ready, kind, path)
    assert snapshot(ready) == before


def test_a_survey_import_failing_while_storing_its_indicators_changes_nothing(
        ready, demo_files, capsys, monkeypatch, tmp_path):
    """Responses and the indicators computed from them change together, or not at all."""
    assert run(capsys, "import", "survey", demo_files["survey"])[0] == 0
    before = snapshot(ready)
    frame = pd.read_csv(demo_files["survey"], dtype=str, keep_default_na=False)
    path = tmp_path / "survey.csv"
    frame.head(len(frame) // 2).to_csv(path, index=False)

    def failing(*_args, **_kwargs):
        raise RuntimeError("database connection lost (simulated)")

    monkeypatch.setattr(db, "write_dataset", failing)
    with pytest.raises(RuntimeError, match="simulated"):
        import_file(ready, "survey", path)
    monkeypatch.undo()
    assert snapshot(ready) == before, (
        "the survey responses were committed without their indicators: "
        "importer.import_file must write both in one transaction")


# ---------------------------------------------------------------------------------------------
# (c) the import process killed mid-import


@pytest.fixture(scope="module")
def big_survey(tmp_path_factory) -> Path:
    """A survey file of BIG_ROWS rows: the demo survey tiled (same waves, new providers)."""
    demo = pd.read_csv(DEFAULT_DATA_DIR / "survey" / "demo" / "survey.csv", dtype=str,
                       keep_default_na=False)
    path = tmp_path_factory.mktemp("big") / "big-survey.csv"
    scale_survey(demo, BIG_ROWS, seed=RANDOM_SEED).to_csv(path, index=False)
    return path


def _kill_at(engine, path: Path, stage: str) -> list[str]:
    """Run `sasci-map import survey path` in a new process; SIGKILL it at the first progress
    line starting with ``stage``; return the progress lines seen. Fails if it ends first."""
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    process = subprocess.Popen(
        [sys.executable, "-c", IMPORT_WITH_PROGRESS, "survey", str(path)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + STAGE_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            if not selector.select(timeout=1.0):
                continue
            line = process.stderr.readline()
            if not line:
                break
            seen.append(line.strip())
            if line.startswith(f"sasci-map import: {stage}"):
                process.send_signal(signal.SIGKILL)
                process.wait()
                return seen
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
    pytest.fail(f"the import never reached {stage!r} (exit {process.returncode}): {seen}")


def _responses_by_wave(engine) -> dict[int, int]:
    return survey_store.read_responses(engine).groupby("wave").size().to_dict()


@pytest.fixture
def with_demo_survey(ready, demo_files, capsys):
    """The reference data and the demo survey, imported; the CLI points at the database."""
    assert run(capsys, "import", "survey", demo_files["survey"])[0] == 0
    return ready


def test_an_import_killed_while_writing_leaves_the_database_as_before_and_a_rerun_works(
        with_demo_survey, big_survey, capsys):
    engine = with_demo_survey
    before = snapshot(engine)
    seen = _kill_at(engine, big_survey, "written ")
    assert any(line.startswith("sasci-map import: read ") for line in seen)
    engine.dispose()  # what a restarted app does: new connections
    assert snapshot(engine) == before
    assert refresh_survey_indicators(engine, DEFAULT_DATA_DIR) == "unchanged"
    code, out, err = run(capsys, "import", "survey", big_survey)
    assert code == 0, err
    assert out.startswith("sasci-map import: imported survey from big-survey.csv")
    big = pd.read_csv(big_survey, dtype=str, keep_default_na=False)
    assert _responses_by_wave(engine) == big.groupby(big["wave"].astype(int)).size().to_dict()
    assert refresh_survey_indicators(engine, DEFAULT_DATA_DIR) == "unchanged"


def test_an_import_killed_while_computing_indicators_leaves_a_consistent_database(
        with_demo_survey, big_survey):
    """Killed after the rows are written: the stored indicators must still be those of the
    stored responses (either the old file's throughout, or the new file's throughout)."""
    engine = with_demo_survey
    before = snapshot(engine)
    _kill_at(engine, big_survey, "computing survey indicators")
    engine.dispose()
    unchanged = snapshot(engine) == before
    big = pd.read_csv(big_survey, dtype=str, keep_default_na=False)
    all_new = _responses_by_wave(engine) == big.groupby(big["wave"].astype(int)).size().to_dict()
    stale = refresh_survey_indicators(engine, DEFAULT_DATA_DIR) != "unchanged"
    assert unchanged or (all_new and not stale), (
        "after the kill the survey responses are the new file's but the stored indicators are "
        "still the old file's: responses and indicators must be written in one transaction")
