"""`sasci-map export` in each format on the session database; bad combinations exit 1."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from sasci_map.cli import EXIT_FAILURE, main
from sasci_map.export_xlsx import SHEETS
from sasci_map.geography import N_COUNCILS


@pytest.fixture
def cli(engine, monkeypatch, capsys):
    """Run ``sasci-map`` on the session database; return (status, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))

    def run(*argv):
        capsys.readouterr()
        status = main(list(argv))
        out = capsys.readouterr()
        return status, out.out, out.err

    return run


@pytest.mark.parametrize("table", ["indicators", "councils", "innovations", "infrastructure"])
def test_csv_of_each_table(cli, tmp_path, table):
    path = tmp_path / f"{table}.csv"
    args = ["export", "--table", table, "--out", str(path)]
    if table == "indicators":
        args += ["--indicator", "pop_all_ages"]
    status, out, err = cli(*args)
    assert (status, err) == (0, "")
    frame = pd.read_csv(path)
    assert len(frame) > 0
    assert out == f"sasci-map export: wrote {len(frame):,} rows of the {table} table to {path}\n"


def test_csv_to_stdout_is_the_default(cli):
    status, out, _ = cli("export", "--out", "-", "--indicator", "cap_overall",
                         "--level", "england", "--period", "2025")
    assert status == 0
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame["area_code"]) == ["E92000001"]
    assert list(frame["synthetic"]) == [True]


def test_xlsx_holds_every_table(cli, tmp_path):
    path = tmp_path / "export.xlsx"
    status, out, err = cli("export", "--format", "xlsx", "--table", "councils",
                           "--indicator", "pop_all_ages", "--out", str(path))
    assert (status, err) == (0, "")
    assert out.startswith("sasci-map export: wrote a workbook") and str(path) in out
    wb = load_workbook(path)
    assert wb.sheetnames == list(SHEETS)
    assert {row[0] for row in wb["indicators"].iter_rows(min_row=2, values_only=True)} == {
        "pop_all_ages"}


def test_geojson_of_one_indicator(cli, tmp_path):
    path = tmp_path / "map.geojson"
    status, out, err = cli("export", "--format", "geojson", "--indicator", "cap_overall",
                           "--out", str(path))
    assert (status, err) == (0, "")
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert len(collection["features"]) == N_COUNCILS
    assert collection["metadata"]["synthetic"] is True
    period = collection["metadata"]["period"]
    assert out == (f"sasci-map export: wrote {N_COUNCILS} council boundaries with cap_overall "
                   f"(period {period}) to {path}\n")


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "geojson"], "exactly one --indicator"),
    (["--format", "geojson", "--indicator", "cap_overall", "--indicator", "pop_all_ages"],
     "exactly one --indicator"),
    (["--format", "geojson", "--indicator", "cap_overall", "--table", "councils"],
     "maps the indicators table"),
    (["--format", "geojson", "--indicator", "cap_overall", "--level", "region"],
     "council figures only"),
    (["--format", "geojson", "--indicator", "cap_overall", "--period", "2023", "--period",
      "2025"], "at most one --period"),
    (["--format", "geojson", "--indicator", "no_such_indicator"], "no_such_indicator"),
    (["--format", "geojson", "--indicator", "cap_overall", "--period", "1999"], "1999"),
    (["--table", "councils", "--indicator", "cap_overall"], "filter the indicators table"),
    (["--indicator", "no_such_indicator"], "no_such_indicator"),
])
def test_bad_combinations_exit_1_with_the_reason(cli, tmp_path, args, message):
    path = tmp_path / "never.out"
    status, out, err = cli("export", "--out", str(path), *args)
    assert status == EXIT_FAILURE
    assert out == ""
    assert err.startswith("sasci-map export: error: ") and message in err
    assert not path.exists()


def test_xlsx_to_stdout_is_refused(cli):
    status, out, err = cli("export", "--format", "xlsx", "--out", "-")
    assert (status, out) == (EXIT_FAILURE, "")
    assert "give a file name to --out" in err
