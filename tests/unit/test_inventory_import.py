"""Inventory import files: each rule's message, and the rows the database receives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sasci_map.demo import inventory_import_frames
from sasci_map.inventory import innovation_councils, innovations, support_coverage
from sasci_map.inventory_import import validate_inventory
from sasci_map.tabular import Table, TableError


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    return inventory_import_frames()


def _table(frame: pd.DataFrame, name: str) -> Table:
    frame = frame.reset_index(drop=True)
    return Table(Path(name), frame, np.arange(2, len(frame) + 2), None)


def _problems(frame: pd.DataFrame, kind: str) -> list[str]:
    with pytest.raises(TableError) as caught:
        validate_inventory(_table(frame, f"{kind}.csv"), kind)
    return caught.value.problems


def test_curated_innovations_round_trip_to_the_same_tables(frames):
    batch = validate_inventory(_table(frames[0], "innovations.csv"), "innovations")
    expected = innovations()
    assert list(batch.parent["innovation_id"]) == sorted(expected["innovation_id"])
    got = batch.parent.set_index("innovation_id").loc[expected["innovation_id"]]
    assert list(got["synthetic"]) == list(expected["synthetic"])
    adoption = innovation_councils()
    assert len(batch.children) == len(adoption)
    merged = batch.children.merge(adoption, on=["innovation_id", "council_code"],
                                  suffixes=("", "_file"), validate="1:1")
    assert (merged["start_year"] == merged["start_year_file"]).all()
    assert (merged["synthetic"] == merged["synthetic_file"]).all()
    assert batch.notes == []


def test_curated_infrastructure_round_trips(frames):
    batch = validate_inventory(_table(frames[1], "infrastructure.csv"), "infrastructure")
    assert len(batch.children) == len(support_coverage())
    assert set(batch.children["area_level"]) == {"national", "region", "council"}


def test_a_code_missing_from_its_typology_is_named_with_the_allowed_codes(frames):
    frame = frames[0].copy()
    frame.loc[0, "innovation_type"] = "gadget"
    frame.loc[1, "client_groups"] = "older_people;aliens"
    problems = _problems(frame, "innovations")
    assert any(p.startswith("row 2, column 'innovation_type': value 'gadget': expected codes "
                            "of typology_innovation_type.csv") for p in problems)
    assert any(p.startswith("row 3, column 'client_groups': value 'older_people;aliens'")
               and "several separated by ';'" in p for p in problems)


def test_an_innovation_is_described_the_same_way_on_each_of_its_rows(frames):
    frame = frames[0].copy()
    first_id = frame.loc[0, "innovation_id"]
    rows = np.flatnonzero(frame["innovation_id"] == first_id)
    frame.loc[rows[2], "name"] = "Another name"
    problems = _problems(frame, "innovations")
    assert any(p.startswith(f"row {rows[2] + 2}, column 'name': value 'Another name': expected ")
               and f"as on row {rows[0] + 2}" in p for p in problems)


def test_councils_resolve_and_bad_ones_are_rejected(frames):
    frame = frames[0].copy()
    frame.loc[0, "council_code"] = "Hull"
    frame.loc[1, "council_code"] = "Cumbria"
    problems = _problems(frame, "innovations")
    assert any(p.startswith("row 3, column 'council_code': value 'Cumbria'")
               and "ambiguous" in p for p in problems)
    assert not any(p.startswith("row 2,") for p in problems)
    frame.loc[1, "council_code"] = frames[0].loc[1, "council_code"]
    batch = validate_inventory(_table(frame, "innovations.csv"), "innovations")
    assert batch.notes == ["council_code 'Hull' read as E06000010 (1 row(s))"]


def test_years_in_range_and_in_order_and_places_listed_once(frames):
    frame = frames[0].copy()
    frame.loc[0, "start_year"] = "1850"
    frame.loc[1, "start_year"], frame.loc[1, "end_year"] = "2020", "2019"
    frame.loc[3, "council_code"] = frame.loc[2, "council_code"]
    frame.loc[3, "innovation_id"] = frame.loc[2, "innovation_id"]
    problems = _problems(frame, "innovations")
    assert "row 2, column 'start_year': value '1850': expected a year from 1990 to 2030" in problems
    assert "row 3, column 'end_year': value '2019': expected a year not before start_year" \
        in problems
    assert any(p.startswith("row 5, column 'council_code'") and "repeated" in p
               for p in problems)


def test_where_columns_are_all_given_or_all_blank(frames):
    frame = frames[0].copy()
    frame.loc[0, "adoption_source"] = ""
    frame.loc[1, "council_code"] = ""
    problems = _problems(frame, "innovations")
    assert ("row 2, column 'adoption_source': value '': expected a non-blank value when "
            "council_code is given") in problems
    assert any(p.startswith("row 3, column 'start_year'") and "blank when council_code is blank"
               in p for p in problems)


def test_infrastructure_levels_and_areas(frames):
    frame = frames[1].copy()
    national = _first(frame, "national")
    region = _first(frame, "region")
    frame.loc[national, "area_code"] = "E12000001"
    frame.loc[region, "area_level"] = "galaxy"
    problems = _problems(frame, "infrastructure")
    assert any(p.startswith(f"row {national + 2}, column 'area_code': value 'E12000001': "
                            "expected E92000001 (England) for a national row") for p in problems)
    assert any(p.startswith(f"row {region + 2}, column 'area_level': value 'galaxy'")
               for p in problems)


def test_region_names_are_accepted_for_region_rows(frames):
    frame = frames[1].copy()
    region = _first(frame, "region")
    code = frame.loc[region, "area_code"]
    from sasci_map.geography import regions

    name = regions().set_index("code").at[code, "name"]
    frame.loc[region, "area_code"] = name.upper()
    batch = validate_inventory(_table(frame, "infrastructure.csv"), "infrastructure")
    assert code in set(batch.children["area_code"])
    assert any(note.startswith(f"area_code {name.upper()!r} read as {code}")
               for note in batch.notes)


def _first(frame: pd.DataFrame, level: str) -> int:
    return int(np.flatnonzero(frame["area_level"] == level)[0])
