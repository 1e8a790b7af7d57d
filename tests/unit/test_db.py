"""Database: schema, idempotent init, all-or-nothing loads, clear errors for bad paths."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pandas as pd
import pytest
import sqlalchemy as sa

from sasci_map import db
from sasci_map.errors import DatabaseError
from sasci_map.loading import context_dataset_objects, init_database


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, so two snapshots compare exactly."""
    with engine.connect() as conn:
        return {t.name: sorted(tuple(map(str, r)) for r in conn.execute(sa.select(t)))
                for t in db.metadata.sorted_tables}


def test_init_loads_councils_regions_and_context(empty_engine):
    report = init_database(empty_engine)
    counts = db.table_counts(empty_engine)
    assert counts["councils"] == 153
    assert counts["regions"] == 9
    assert report.geography_changed
    assert set(report.loaded) == {"population_mid2020", "imd2019_utla", "ascof_2020_21",
                                  "demo innovations", "demo infrastructure", "demo survey"}
    defs = db.read_definitions(empty_engine)
    n_survey = int((defs["dataset_key"] == "sasci_survey").sum())
    n_context = len(defs) - n_survey
    waves, areas = 2, 153 + 9 + 1  # demo waves 2023 and 2025; councils, regions, England
    assert counts["indicator_values"] == 153 * n_context + n_survey * waves * areas


def test_init_twice_changes_nothing(empty_engine):
    init_database(empty_engine)
    before = snapshot(empty_engine)
    report = init_database(empty_engine)
    assert not report.geography_changed and not report.loaded
    assert snapshot(empty_engine) == before  # loaded_at included: nothing was rewritten


def test_forced_reload_replaces_rows_without_duplicates(empty_engine):
    init_database(empty_engine)
    counts = db.table_counts(empty_engine)
    init_database(empty_engine, force=True)
    assert db.table_counts(empty_engine) == counts


def test_failed_load_leaves_database_exactly_as_it_was(empty_engine):
    init_database(empty_engine)
    before = snapshot(empty_engine)
    dataset = context_dataset_objects()[0]
    bad = dataset.values.copy()
    # A row that is not a value but carries one breaks the "three states" rule half-way in.
    row = bad.index[len(bad) // 2]
    bad.loc[row, "status"] = "missing"
    bad.loc[row, "value"] = 42.0
    with pytest.raises(sa.exc.IntegrityError):
        db.load_dataset(empty_engine, replace(dataset, values=bad), force=True)
    assert snapshot(empty_engine) == before


def test_non_value_rows_never_carry_numbers(engine):
    values = db.read_values(engine)
    not_value = values.loc[values["status"] != db.STATUS_VALUE]
    assert len(not_value) > 0
    assert not_value[["numerator", "denominator", "value", "lower", "upper"]].isna().all().all()
    assert not_value["status_reason"].str.len().gt(0).all()


def test_make_engine_names_a_missing_folder(tmp_path):
    path = tmp_path / "no-such-folder" / "sasci.db"
    with pytest.raises(DatabaseError, match=str(path.parent)):
        db.make_engine(f"sqlite:///{path}")


def test_make_engine_rejects_a_folder_that_is_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseError, match="does not exist"):
        db.make_engine(f"sqlite:///{blocker / 'sasci.db'}")


def test_cli_init_on_unwritable_path_prints_one_line_naming_it(tmp_path):
    path = tmp_path / "missing" / "sasci.db"
    result = subprocess.run(
        [sys.executable, "-m", "sasci_map.cli", "init"],
        env={"DATABASE_URL": f"sqlite:///{path}", "PATH": ""},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_init_against_unreachable_server_fails_cleanly():
    result = subprocess.run(
        [sys.executable, "-m", "sasci_map.cli", "init"],
        env={"DATABASE_URL": "postgresql+psycopg://nobody:x@127.0.0.1:1/none", "PATH": ""},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "127.0.0.1" in result.stderr


def test_read_definitions_has_display_order(engine):
    defs = db.read_definitions(engine)
    assert defs["indicator_id"].is_unique
    assert set(defs["polarity"]) <= {"higher_is_better", "lower_is_better", "neutral"}
    assert isinstance(defs, pd.DataFrame)
