"""Import end to end through the CLI: demo data in, counts out, bad files change nothing."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from sasci_map import survey_store
from sasci_map.cli import EXIT_INVALID, main
from sasci_map.config import DEFAULT_DATA_DIR
from sasci_map.db import metadata, read_datasets
from sasci_map.demo import DEMO_SEED, write_demo
from sasci_map.loading import DEMO_FILES, init_database
from sasci_map.survey_store import read_waves

DEMO_DIR = DEFAULT_DATA_DIR / "survey" / "demo"


@pytest.fixture
def ready(empty_engine, monkeypatch):
    """A database with reference data only, and the CLI pointed at it."""
    init_database(empty_engine, DEFAULT_DATA_DIR, demo=False)
    monkeypatch.setenv("DATABASE_URL", empty_engine.url.render_as_string(hide_password=False))
    return empty_engine


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> dict[str, Path]:
    return write_demo(tmp_path_factory.mktemp("demo"), seed=7)


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: equal snapshots mean an unchanged database."""
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(sa.select(table)).all()
            out[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    return out


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_demo_data_then_import_gives_the_counts_of_the_files(ready, demo_files, capsys):
    for kind in ("innovations", "infrastructure", "survey"):
        code, out, err = run(capsys, "import", kind, demo_files[kind])
        assert (code, err) == (0, "")
        assert out.startswith(f"sasci-map import: imported {kind} from {kind}.csv")
    survey = pd.read_csv(demo_files["survey"], dtype=str, keep_default_na=False)
    waves = read_waves(ready).set_index("wave")
    for wave, rows in survey.groupby("wave"):
        orgs = rows.drop_duplicates("org_id")
        got = waves.loc[int(wave)]
        assert got["n_respondents"] == len(rows)
        assert got["n_council_orgs"] == (orgs["org_type"] == "council").sum()
        assert got["n_provider_orgs"] == (orgs["org_type"] == "provider").sum()
        assert bool(got["synthetic"]) is True
    assert len(survey_store.read_responses(ready)) == len(survey)
    innovations = pd.read_csv(demo_files["innovations"], dtype=str, keep_default_na=False)
    parent, child = survey_store.read_inventory(ready, "innovations")
    assert len(parent) == innovations["innovation_id"].nunique()
    assert len(child) == (innovations["council_code"] != "").sum()
    infrastructure = pd.read_csv(demo_files["infrastructure"], dtype=str, keep_default_na=False)
    parent, child = survey_store.read_inventory(ready, "infrastructure")
    assert len(parent) == infrastructure["org_id"].nunique()
    assert len(child) == (infrastructure["area_code"] != "").sum()


def test_summary_names_waves_and_says_synthetic(ready, demo_files, capsys):
    code, out, _ = run(capsys, "import", "survey", demo_files["survey"])
    assert code == 0
    assert "wave 2023 (synthetic demo data):" in out
    assert "wave 2025 (synthetic demo data):" in out


def test_reimporting_a_wave_replaces_only_that_wave(ready, demo_files, capsys, tmp_path):
    assert run(capsys, "import", "survey", demo_files["survey"])[0] == 0
    before = survey_store.read_responses(ready, 2023)
    survey = pd.read_csv(demo_files["survey"], dtype=str, keep_default_na=False)
    later = survey[survey["wave"] == "2025"].head(12)
    path = tmp_path / "wave2025.csv"
    later.to_csv(path, index=False)
    assert run(capsys, "import", "survey", path)[0] == 0
    pd.testing.assert_frame_equal(survey_store.read_responses(ready, 2023), before)
    after = survey_store.read_responses(ready, 2025)
    assert sorted(after["respondent_id"]) == sorted(later["respondent_id"])
    assert read_waves(ready).set_index("wave").at[2025, "n_respondents"] == 12
    # Indicators computed at import (new wave in memory + old wave from the database) equal
    # those recomputed from the database alone.
    from sasci_map.db import read_values
    from sasci_map.survey_loading import refresh_survey_indicators

    at_import = read_values(ready, area_level="region")
    assert set(at_import["period"]) >= {"2023", "2025"}
    assert refresh_survey_indicators(ready, DEFAULT_DATA_DIR, force=True) == "loaded"
    pd.testing.assert_frame_equal(read_values(ready, area_level="region"), at_import)


def _demo_text() -> str:
    return (DEMO_DIR / "survey.csv").read_text(encoding="utf-8")


def _lines() -> list[str]:
    return _demo_text().splitlines()


def _edit_cell(column: str, row: int, value: str) -> bytes:
    frame = pd.read_csv(io.StringIO(_demo_text()), dtype=str, keep_default_na=False)
    frame.loc[row - 2, column] = value
    return frame.to_csv(index=False).encode()


def _replace_header(old: str, new: str) -> bytes:
    lines = _lines()
    lines[0] = ",".join(new if h == old else h for h in lines[0].split(","))
    return ("\n".join(lines) + "\n").encode()


def _drop_column(column: str) -> bytes:
    frame = pd.read_csv(io.StringIO(_demo_text()), dtype=str, keep_default_na=False)
    return frame.drop(columns=[column]).to_csv(index=False).encode()


MALFORMED = {
    "empty": (lambda: b"", "empty"),
    "header_only": (lambda: (_lines()[0] + "\n").encode(), "no data rows"),
    "binary": (lambda: bytes(range(256)) * 8, "binary"),
    "wrong_delimiter": (lambda: _demo_text().replace(",", ";").encode(), "';'-separated"),
    "utf16": (lambda: _demo_text().encode("utf-16"), "UTF-16"),
    "html": (lambda: b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table>"
             b"</body></html>\n", "HTML"),
    "missing_columns": (lambda: _drop_column("org_type"), "org_type"),
    "unknown_council": (lambda: _edit_cell("council_code", 3, "Atlantis"), "'Atlantis'"),
    "split_council": (lambda: _edit_cell("council_code", 3, "E10000021"), "split in 2021"),
    "duplicate_ids": (lambda: _edit_cell("respondent_id", 3, _lines()[1].split(",")[0]),
                      "already on row 2"),
    "out_of_range": (lambda: _edit_cell("activity_generated", 4, "100000"),
                     "column 'activity_generated': value '100000'"),
    "invalid_value": (lambda: _edit_cell("lead_vision", 5, "agree"),
                      "row 5, column 'lead_vision': value 'agree'"),
    "short_row": (lambda: ("\n".join(_lines()[:3] + [_lines()[3].rsplit(",", 3)[0]]
                                     + _lines()[4:]) + "\n").encode(), "row 4"),
    "long_row": (lambda: ("\n".join(_lines()[:5] + [_lines()[5] + ",extra"] + _lines()[6:])
                          + "\n").encode(), "row 6"),
    "duplicate_headers": (lambda: _replace_header("lead_vision", "collab_partnerships"),
                          "collab_partnerships"),
    "unknown_column": (lambda: _replace_header("lead_vision", "lead_visoin"), "lead_vision"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_file_exits_2_with_a_clear_message_and_changes_nothing(
        case, ready, demo_files, capsys, tmp_path):
    assert run(capsys, "import", "survey", demo_files["survey"])[0] == 0
    before = snapshot(ready)
    make, expected = MALFORMED[case]
    path = tmp_path / "survey.csv"
    path.write_bytes(make())
    code, out, err = run(capsys, "import", "survey", path)
    assert code == EXIT_INVALID
    assert out == ""
    assert err.startswith("sasci-map import: invalid input: survey.csv")
    assert expected in err
    assert "Traceback" not in err
    assert snapshot(ready) == before


def test_a_file_over_the_size_limit_is_refused(ready, demo_files, capsys):
    code, _, err = run(capsys, "import", "survey", demo_files["survey"], "--max-mb", "0.01")
    assert code == EXIT_INVALID
    assert "SASCI_MAX_IMPORT_MB" in err


def test_a_failure_while_writing_rolls_everything_back(ready, demo_files, capsys, monkeypatch):
    assert run(capsys, "import", "survey", demo_files["survey"])[0] == 0
    before = snapshot(ready)
    real_insert = survey_store._insert

    def failing(conn, table, frame, progress=None):
        if table.name == "survey_responses":  # half the rows are in, then the disk fills
            real_insert(conn, table, frame.iloc[: len(frame) // 2], progress)
            raise RuntimeError("disk full (simulated)")
        return real_insert(conn, table, frame, progress)

    monkeypatch.setattr(survey_store, "_insert", failing)
    from sasci_map.importer import import_file

    with pytest.raises(RuntimeError, match="simulated"):
        import_file(ready, "survey", demo_files["survey"])
    assert snapshot(ready) == before


def test_an_xlsx_made_from_the_template_imports_like_the_csv(ready, demo_files, capsys, tmp_path):
    path = tmp_path / "filled.xlsx"
    assert run(capsys, "template", "survey", "--out", path)[0] == 0
    survey = pd.read_csv(demo_files["survey"], dtype=str, keep_default_na=False).head(40)
    book = openpyxl.load_workbook(path)
    sheet = book["survey"]
    header = [c.value for c in sheet[1]]
    for record in survey.to_dict("records"):
        row = []
        for column in header:
            value = record[column]
            row.append(int(value) if value.isdigit() and column != "respondent_id" else
                       (value or None))
        sheet.append(row)
    book.save(path)
    code, out, err = run(capsys, "import", "survey", path)
    assert (code, err) == (0, ""), err
    got = survey_store.read_responses(ready)
    assert sorted(got["respondent_id"]) == sorted(survey["respondent_id"])


def test_import_before_init_says_what_to_do(empty_engine, demo_files, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", empty_engine.url.render_as_string(hide_password=False))
    code, _, err = run(capsys, "import", "survey", demo_files["survey"])
    assert code == 1
    assert "sasci-map init --no-demo" in err


def test_init_loads_the_bundled_demo_once_and_no_demo_removes_it(empty_engine):
    report = init_database(empty_engine, DEFAULT_DATA_DIR)
    assert {f"demo {k}" for k in DEMO_FILES} <= set(report.loaded)
    assert list(read_waves(empty_engine)["wave"]) == [2023, 2025]
    assert read_waves(empty_engine)["synthetic"].all()
    before = snapshot(empty_engine)
    again = init_database(empty_engine, DEFAULT_DATA_DIR)
    assert {f"demo {k}" for k in DEMO_FILES} <= set(again.unchanged)
    assert snapshot(empty_engine) == before
    removed = init_database(empty_engine, DEFAULT_DATA_DIR, demo=False)
    assert removed.removed == ["synthetic survey wave 2023", "synthetic survey wave 2025",
                               "demo innovations", "demo infrastructure", "sasci_survey"]
    assert "sasci_survey" not in set(read_datasets(empty_engine)["dataset_key"])
    assert read_waves(empty_engine).empty
    assert survey_store.read_inventory(empty_engine, "innovations")[0].empty


def test_bundled_demo_files_are_what_the_generator_writes(tmp_path):
    written = write_demo(tmp_path, DEMO_SEED, DEFAULT_DATA_DIR)
    for kind, path in written.items():
        assert path.read_bytes() == (DEMO_DIR / DEMO_FILES[kind]).read_bytes(), kind


def test_a_slow_import_reports_progress_on_stderr(ready, demo_files, capsys, monkeypatch):
    import sasci_map.cli as cli

    monkeypatch.setattr(cli, "PROGRESS_AFTER_SECONDS", 0.0)
    monkeypatch.setattr(cli, "PROGRESS_EVERY_SECONDS", 0.0)
    code, out, err = run(capsys, "import", "survey", demo_files["survey"])
    assert code == 0
    lines = err.splitlines()
    assert lines[0].startswith("sasci-map import: read ") and " rows in " in lines[0]
    assert any(line.startswith("sasci-map import: written ") and " of " in line
               for line in lines)
    assert out.startswith("sasci-map import: imported survey")


def test_a_bad_inventory_file_exits_2_and_keeps_the_old_inventory(ready, demo_files, capsys,
                                                                   tmp_path):
    assert run(capsys, "import", "innovations", demo_files["innovations"])[0] == 0
    before = snapshot(ready)
    frame = pd.read_csv(demo_files["innovations"], dtype=str, keep_default_na=False)
    frame.loc[4, "stage"] = "finished"
    frame.loc[6, "council_code"] = "Westeros"
    path = tmp_path / "innovations.csv"
    frame.to_csv(path, index=False)
    code, _, err = run(capsys, "import", "innovations", path)
    assert code == EXIT_INVALID
    assert "row 6, column 'stage': value 'finished'" in err
    assert "row 8, column 'council_code': value 'Westeros'" in err
    assert snapshot(ready) == before
