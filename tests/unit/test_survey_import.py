"""Survey file validation: every rule gives a message naming row, column, value and expectation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sasci_map.demo import DEMO_SEED, generate_survey
from sasci_map.survey_import import validate_survey
from sasci_map.tabular import Table, TableError

WHEN = datetime(2026, 11, 27, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return generate_survey(DEMO_SEED)


def _table(frame: pd.DataFrame) -> Table:
    frame = frame.reset_index(drop=True)
    return Table(Path("survey.csv"), frame, np.arange(2, len(frame) + 2), None)


def _problems(frame: pd.DataFrame) -> list[str]:
    with pytest.raises(TableError) as caught:
        validate_survey(_table(frame), "digest", WHEN)
    return caught.value.problems


def _first(frame: pd.DataFrame, **where) -> int:
    mask = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        mask &= (frame[column] == value).to_numpy()
    return int(np.flatnonzero(mask)[0])


def test_demo_survey_is_valid_and_counted_per_wave(demo):
    batch = validate_survey(_table(demo), "digest", WHEN)
    assert len(batch.responses) == len(demo)
    waves = batch.waves.set_index("wave")
    assert list(waves.index) == [2023, 2025]
    for wave, rows in demo.groupby("wave"):
        orgs = rows.drop_duplicates("org_id")
        assert waves.at[int(wave), "n_respondents"] == len(rows)
        assert waves.at[int(wave), "n_council_orgs"] == (orgs["org_type"] == "council").sum()
        assert waves.at[int(wave), "n_provider_orgs"] == (orgs["org_type"] == "provider").sum()
        assert waves.at[int(wave), "n_council_areas"] == rows["council_code"].nunique()
    assert waves["synthetic"].all()
    assert batch.notes == []


def test_likert_and_counts_become_integers_blank_becomes_null(demo):
    batch = validate_survey(_table(demo), "digest", WHEN)
    likert = batch.responses["collab_partnerships"]
    assert str(likert.dtype) == "Int64"
    expected = pd.to_numeric(demo["collab_partnerships"].replace("", None)).astype("Int64")
    pd.testing.assert_series_equal(likert, expected.reset_index(drop=True), check_names=False)
    assert batch.responses["resp_provider_type"][demo["org_type"].to_numpy() == "council"
                                                 ].isna().all()


def test_row_column_value_and_expectation_in_each_message(demo):
    frame = demo.copy()
    frame.loc[3, "collab_partnerships"] = "6"
    frame.loc[5, "org_type"] = "charity"
    frame.loc[7, "wave"] = "23"
    frame.loc[9, "respondent_id"] = ""
    problems = _problems(frame)
    assert "row 5, column 'collab_partnerships': value '6': expected one of " \
           "['1', '2', '3', '4', '5']" in problems
    assert "row 7, column 'org_type': value 'charity': expected one of " \
           "['council', 'provider']" in problems
    assert "row 9, column 'wave': value '23': expected a year from 2020 to 2100" in problems
    assert "row 11, column 'respondent_id': value '': expected a non-blank value" in problems
    rows = [int(p.split(",")[0].removeprefix("row ")) for p in problems]
    assert rows == sorted(rows)


def test_duplicate_respondent_within_a_wave_names_the_first_row(demo):
    frame = demo.copy()
    frame.loc[10, "respondent_id"] = frame.loc[4, "respondent_id"]
    frame.loc[10, "wave"] = frame.loc[4, "wave"]
    problems = _problems(frame)
    assert any(p.startswith("row 12, column 'respondent_id'") and "(already on row 6)" in p
               for p in problems)


def test_ambiguous_split_and_unknown_councils_are_rejected_with_the_reason(demo):
    frame = demo.copy()
    provider = _first(frame, org_type="provider")
    frame.loc[provider, "council_code"] = "Northamptonshire"
    council = _first(frame, org_type="council")
    org = frame.loc[council, "org_id"]
    frame.loc[frame["org_id"] == org, "council_code"] = "Narnia"
    problems = "\n".join(_problems(frame))
    assert f"row {provider + 2}, column 'council_code': value 'Northamptonshire'" in problems
    assert "split in 2021" in problems
    assert f"row {council + 2}, column 'council_code': value 'Narnia'" in problems
    assert "unknown, no council matches" in problems


def test_aliases_recodes_and_districts_are_accepted_and_reported(demo):
    frame = demo.copy()
    provider = _first(frame, org_type="provider")
    org = frame.loc[provider, "org_id"]
    wave = frame.loc[provider, "wave"]
    same = (frame["org_id"] == org) & (frame["wave"] == wave)
    frame.loc[same, "council_code"] = "Harrogate"
    batch = validate_survey(_table(frame), "digest", WHEN)
    assert (batch.responses.loc[same.to_numpy(), "council_code"] == "E06000065").all()
    assert len(batch.notes) == 1
    assert batch.notes[0].startswith("council_code 'Harrogate' read as E06000065 North Yorkshire")
    assert f"{provider + 2}" in batch.notes[0]


def test_a_council_organisation_cannot_be_a_former_district(demo):
    frame = demo.copy()
    council = _first(frame, org_type="council")
    same = (frame["org_id"] == frame.loc[council, "org_id"])
    frame.loc[same, "council_code"] = "Harrogate"
    problems = "\n".join(_problems(frame))
    assert "a council organisation cannot be a former district" in problems


def test_an_organisation_keeps_one_type_and_council_within_a_wave(demo):
    frame = demo.copy()
    counts = frame.groupby(["wave", "org_id"]).size()
    wave, org = counts[counts > 1].index[0]
    rows = np.flatnonzero((frame["wave"] == wave) & (frame["org_id"] == org))
    other = "E06000001" if frame.loc[rows[0], "council_code"] != "E06000001" else "E06000002"
    frame.loc[rows[1], "council_code"] = other
    problems = _problems(frame)
    assert any(p.startswith(f"row {rows[1] + 2}, column 'council_code'")
               and f"as on row {rows[0] + 2} (one organisation is in one council" in p
               for p in problems)


def test_answers_to_the_other_questionnaire_must_be_blank(demo):
    frame = demo.copy()
    council = _first(frame, org_type="council")
    frame.loc[council, "resp_provider_size"] = "small"
    problems = _problems(frame)
    assert (f"row {council + 2}, column 'resp_provider_size': value 'small': expected blank: "
            "the item is in the provider questionnaire only") in problems


def test_multi_select_count_and_mixed_synthetic_flags(demo):
    frame = demo.copy()
    frame.loc[0, "barriers_innovating"] = "lack_funding;flying_pigs"
    frame.loc[1, "activity_generated"] = "2.5"
    wave_rows = np.flatnonzero(frame["wave"] == frame.loc[2, "wave"])
    frame.loc[wave_rows[0], "synthetic"] = "false"
    problems = _problems(frame)
    assert any(p.startswith("row 2, column 'barriers_innovating': value "
                            "'lack_funding;flying_pigs'") for p in problems)
    assert any(p.startswith("row 3, column 'activity_generated': value '2.5': expected a whole "
                            "number") for p in problems)
    assert problems[0].startswith(f"wave {frame.loc[2, 'wave']}: rows disagree in column "
                                  "'synthetic'")


def test_problem_list_is_capped_but_counts_everything(demo):
    frame = demo.copy()
    frame["collab_partnerships"] = "9"
    problems = _problems(frame)
    assert len(problems) == 201
    assert problems[-1] == f"... and {len(frame) - 200} more"
