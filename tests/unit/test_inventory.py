"""Typologies and inventories load, validate loudly and rebuild as sasci_map.inventory promises."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sasci_map import inventory
from sasci_map.config import DEFAULT_DATA_DIR, REPO_ROOT
from sasci_map.errors import DataValidationError

DOMAIN_EXAMPLES = [
    "Shared Lives", "Homeshare", "Local Area Coordination", "Community Circles",
    "Family Group Conferencing for adults", "Three Conversations", "Wellbeing Teams",
    "Buurtzorg-style neighbourhood home care", "Community Catalysts micro-enterprises",
    "Proactive care technology",
]
DOMAIN_BODIES = [
    "Social Care Institute for Excellence (SCIE)", "Think Local Act Personal", "Shared Lives Plus",
    "Community Catalysts", "Skills for Care", "Research in Practice",
    "NIHR Applied Research Collaborations", "LGA Partners in Care and Health",
    "Association of Directors of Adult Social Services (ADASS)", "Digital Social Care", "Nesta",
]
SUPPORT_TYPES = ["funder", "network_membership", "improvement_agency",
                 "health_innovation_network", "university_research", "regulator",
                 "consultancy_social_investor", "digital_tech_support", "peer_learning",
                 "incubator_accelerator"]
INV = "survey/inventory"


@pytest.fixture
def tmp_data_dir(tmp_path: Path) -> Path:
    """A private copy of the lookups, typologies and inventories, safe to break."""
    target = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR / "lookups", target / "lookups")
    shutil.copytree(DEFAULT_DATA_DIR / "survey" / "inventory", target / INV)
    for path in (DEFAULT_DATA_DIR / "survey").glob("typology_*.csv"):
        shutil.copy(path, target / "survey" / path.name)
    return target


def corrupt(data_dir: Path, rel: str, row: int, **cells: str) -> None:
    """Set ``cells`` on 1-based data ``row`` of ``data_dir/rel``."""
    path = data_dir / rel
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column, value in cells.items():
        frame.loc[row - 1, column] = value
    frame.to_csv(path, index=False, lineterminator="\n")


def test_every_typology_loads_with_unique_codes():
    frames = inventory.typologies()
    assert list(frames) == list(inventory.TYPOLOGIES)
    for frame in frames.values():
        assert list(frame.columns) == ["code", "label", "definition"]
        assert frame["code"].is_unique
    assert list(frames["stage"]["code"]) == ["idea", "adopted", "piloting", "implemented",
                                             "spreading", "sustained", "abandoned"]
    assert list(frames["support_type"]["code"]) == SUPPORT_TYPES


def test_seed_contains_the_domain_examples():
    frame = inventory.innovations()
    assert set(DOMAIN_EXAMPLES) <= set(frame["name"])
    assert not frame.loc[frame["name"].isin(DOMAIN_EXAMPLES), "synthetic"].any()
    assert not frame["source"].str.contains("http").any()
    assert set(DOMAIN_BODIES) <= set(inventory.support_organisations()["name"])


def test_demo_adoption_rows_are_flagged_synthetic():
    frame = inventory.innovation_councils()
    demo = frame["source"] == "synthetic demo data"
    assert demo.sum() > 0
    assert frame.loc[demo, "synthetic"].all()
    assert frame.loc[~demo, "synthetic"].eq(False).all()
    assert set(frame["innovation_id"]) == set(inventory.innovations()["innovation_id"])
    assert frame.groupby("innovation_id").size().between(5, 61).all()
    assert str(frame["start_year"].dtype) == "Int64"


def test_real_national_coverage_is_not_synthetic():
    frame = inventory.support_coverage()
    scie = frame[frame["org_id"] == "org_scie"]
    assert scie[["area_level", "area_code", "synthetic"]].values.tolist() == [
        ["national", "E92000001", False]]
    adass = frame[(frame["org_id"] == "org_adass") & (frame["area_level"] == "region")]
    assert len(adass) == 9 and not adass["synthetic"].any()
    assert frame.loc[frame["source"] == "synthetic demo data", "synthetic"].all()


def test_loaders_return_copies():
    first = inventory.innovations()
    first.loc[0, "name"] = "changed"
    assert inventory.innovations().loc[0, "name"] == "Shared Lives"


def line(rel: str, row: int, column: str, value: object, expected: str) -> str:
    where = f"{rel}: row {row} (line {row + 1}), column {column!r}"
    return f"{where}: got {value!r}, expected {expected}"


BROKEN = [
    pytest.param("survey/typology_stage.csv", 2, {"code": "idea"}, "typology",
                 line("survey/typology_stage.csv", 2, "code", "idea",
                      "a unique value (already on row 1)"), id="typology-duplicate"),
    pytest.param("survey/typology_stage.csv", 1, {"definition": " "}, "typology",
                 line("survey/typology_stage.csv", 1, "definition", " ", "a non-blank value"),
                 id="typology-blank"),
    pytest.param(f"{INV}/innovations.csv", 1, {"stage": "scaling"}, "innovations",
                 line(f"{INV}/innovations.csv", 1, "stage", "scaling",
                      "a code of survey/typology_stage.csv"), id="innovation-stage"),
    pytest.param(f"{INV}/innovations.csv", 2, {"client_groups": "older_people;children"},
                 "innovations",
                 line(f"{INV}/innovations.csv", 2, "client_groups", "children",
                      "a code of survey/typology_client_group.csv (several separated by ';')"),
                 id="innovation-list-element"),
    pytest.param(f"{INV}/innovations.csv", 3, {"innovation_id": "inn_shared_lives"},
                 "innovations",
                 line(f"{INV}/innovations.csv", 3, "innovation_id", "inn_shared_lives",
                      "a unique value (already on row 1)"), id="innovation-duplicate-id"),
    pytest.param(f"{INV}/innovations.csv", 1, {"synthetic": "yes"}, "innovations",
                 line(f"{INV}/innovations.csv", 1, "synthetic", "yes", "'true' or 'false'"),
                 id="innovation-synthetic"),
    pytest.param(f"{INV}/innovation_councils.csv", 1, {"innovation_id": "inn_unknown"},
                 "innovation_councils",
                 line(f"{INV}/innovation_councils.csv", 1, "innovation_id", "inn_unknown",
                      "an innovation_id of survey/inventory/innovations.csv"),
                 id="adoption-foreign-key"),
    pytest.param(f"{INV}/innovation_councils.csv", 1, {"council_code": "E07000004"},
                 "innovation_councils",
                 line(f"{INV}/innovation_councils.csv", 1, "council_code", "E07000004",
                      "one of the 153 council codes in lookups/councils.csv"),
                 id="adoption-council"),
    pytest.param(f"{INV}/innovation_councils.csv", 1, {"start_year": "1985"},
                 "innovation_councils",
                 line(f"{INV}/innovation_councils.csv", 1, "start_year", "1985",
                      "a year from 1990 to 2030"), id="adoption-year-range"),
    pytest.param(f"{INV}/innovation_councils.csv", 1, {"start_year": "2015", "end_year": "2012"},
                 "innovation_councils",
                 line(f"{INV}/innovation_councils.csv", 1, "end_year", "2012",
                      "a year not before start_year 2015"), id="adoption-end-before-start"),
    pytest.param(f"{INV}/innovation_councils.csv", 1, {"synthetic": "True"},
                 "innovation_councils",
                 line(f"{INV}/innovation_councils.csv", 1, "synthetic", "True",
                      "'true' or 'false'"), id="adoption-synthetic"),
    pytest.param(f"{INV}/support_organisations.csv", 1, {"functions": "funding;lobbying"},
                 "support_organisations",
                 line(f"{INV}/support_organisations.csv", 1, "functions", "lobbying",
                      "a code of survey/typology_support_function.csv"
                      " (several separated by ';')"), id="org-function"),
    pytest.param(f"{INV}/support_organisations.csv", 1, {"support_type": "charity"},
                 "support_organisations",
                 line(f"{INV}/support_organisations.csv", 1, "support_type", "charity",
                      "a code of survey/typology_support_type.csv"), id="org-type"),
    pytest.param(f"{INV}/support_organisations.csv", 1, {"website": "https://www.scie.org.uk"},
                 "support_organisations",
                 line(f"{INV}/support_organisations.csv", 1, "website", "https://www.scie.org.uk",
                      "a bare domain such as 'scie.org.uk', or blank"), id="org-website"),
    pytest.param(f"{INV}/support_coverage.csv", 1, {"org_id": "org_unknown"},
                 "support_coverage",
                 line(f"{INV}/support_coverage.csv", 1, "org_id", "org_unknown",
                      "an org_id of survey/inventory/support_organisations.csv"),
                 id="coverage-foreign-key"),
    pytest.param(f"{INV}/support_coverage.csv", 1, {"area_level": "county"},
                 "support_coverage",
                 line(f"{INV}/support_coverage.csv", 1, "area_level", "county",
                      "one of national, region, council"), id="coverage-level"),
    pytest.param(f"{INV}/support_coverage.csv", 1, {"area_code": "E12000001"},
                 "support_coverage",
                 line(f"{INV}/support_coverage.csv", 1, "area_code", "E12000001",
                      "E92000001 (England) for a national row"), id="coverage-national"),
    pytest.param(f"{INV}/support_coverage.csv", 1,
                 {"area_level": "region", "area_code": "E12000010"}, "support_coverage",
                 line(f"{INV}/support_coverage.csv", 1, "area_code", "E12000010",
                      "one of the 9 region codes in lookups/regions.csv"), id="coverage-region"),
    pytest.param(f"{INV}/support_coverage.csv", 1,
                 {"area_level": "council", "area_code": "E92000001"}, "support_coverage",
                 line(f"{INV}/support_coverage.csv", 1, "area_code", "E92000001",
                      "one of the 153 council codes in lookups/councils.csv"),
                 id="coverage-council"),
    pytest.param(f"{INV}/support_coverage.csv", 2, {"org_id": "org_scie"}, "support_coverage",
                 line(f"{INV}/support_coverage.csv", 2, "area_code",
                      ("org_scie", "national", "E92000001"),
                      "a unique org_id, area_level, area_code (already on row 1)"),
                 id="coverage-duplicate"),
]


@pytest.mark.parametrize(("rel", "row", "cells", "loader", "message"), BROKEN)
def test_broken_cell_raises_exact_message(tmp_data_dir, rel, row, cells, loader, message):
    corrupt(tmp_data_dir, rel, row, **cells)
    load = getattr(inventory, loader)
    with pytest.raises(DataValidationError, match=f"^{re.escape(message)}$"):
        load("stage", tmp_data_dir) if loader == "typology" else load(tmp_data_dir)


def test_unknown_typology_and_wrong_columns(tmp_data_dir):
    expected = f"unknown typology 'colour', expected one of {inventory.TYPOLOGIES}"
    with pytest.raises(DataValidationError, match=f"^{re.escape(expected)}$"):
        inventory.typology("colour", tmp_data_dir)
    path = tmp_data_dir / "survey" / "typology_change.csv"
    path.write_text("code,label\nincremental,Incremental\n")
    expected = ("survey/typology_change.csv: columns ['code', 'label'], "
                "expected ['code', 'label', 'definition']")
    with pytest.raises(DataValidationError, match=f"^{re.escape(expected)}$"):
        inventory.typology("change", tmp_data_dir)


def test_builder_reproduces_committed_files(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location(
        "build_inventory", REPO_ROOT / "scripts" / "build_inventory.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    assert builder.main(["--out-dir", str(tmp_path)]) == 0
    for name in ("innovation_councils.csv", "support_coverage.csv"):
        assert (tmp_path / name).read_bytes() == (DEFAULT_DATA_DIR / INV / name).read_bytes()
