"""Capacity x support use and the composite index, read from stored survey figures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sasci_map.aggregate import organisation_answers
from sasci_map.demo import DEMO_SEED, generate_survey
from sasci_map.geography import councils
from sasci_map.quadrant import QUADRANTS, capacity_support, index_table
from sasci_map.survey_import import validate_survey
from sasci_map.survey_indicators import indicator_values
from sasci_map.tabular import Table


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    frame = generate_survey(DEMO_SEED)
    table = Table(Path("survey.csv"), frame, np.arange(2, len(frame) + 2), None)
    batch = validate_survey(table, "digest", datetime(2026, 1, 1, tzinfo=UTC))
    return indicator_values(organisation_answers(batch.responses), councils())


def _figure(values, indicator, code, period="2025"):
    row = values[(values["indicator_id"] == indicator) & (values["area_code"] == code)
                 & (values["period"] == period)].iloc[0]
    return row


def test_regions_are_placed_against_the_england_figures(values):
    got = capacity_support(values, "region", "2025")
    assert len(got) == 9 and (got["status"] == "value").all()
    cap_england = _figure(values, "cap_overall", "E92000001")["value"]
    sup_england = _figure(values, "support_types_used", "E92000001")["value"]
    for code, row in got.iterrows():
        assert row["capacity"] == _figure(values, "cap_overall", code)["value"]
        assert row["support_lower"] == _figure(values, "support_types_used", code)["lower"]
        assert row["quadrant"] == QUADRANTS[(row["capacity"] > cap_england,
                                             row["support"] > sup_england)]
    assert got["quadrant"].nunique() > 1


def test_councils_without_both_values_have_no_position_and_say_why(values):
    got = capacity_support(values, "council", "2025")
    assert len(got) == 153
    hidden = got[got["status"] != "value"]
    assert hidden[["capacity", "support", "n_orgs"]].isna().all().all()
    assert (hidden["quadrant"] == "").all()
    assert set(hidden["status"]) <= {"suppressed", "no_response"}
    assert (hidden["status_reason"] != "").all()


def test_index_ranks_regions_and_explains_why_councils_have_none(values):
    regions = index_table(values, "region", "2025")
    assert (regions["status"] == "value").all()
    assert sorted(regions["rank"]) == list(range(1, 10))
    best = regions["rank"].idxmin()
    cluster_means = [_figure(values, f"cap_{c}", best)["value"] for c in
                     ("collaboration", "leadership", "knowledge", "resources", "culture")]
    assert np.mean(cluster_means) > 3.0
    councils_index = index_table(values, "council", "2025")
    missing = councils_index[councils_index["status"] == "missing"]
    assert len(missing) == len(councils_index) - councils_index["index"].notna().sum()
    assert missing["status_reason"].str.len().gt(0).all()


def test_weights_change_the_index(values):
    equal = index_table(values, "region", "2025")
    tilted = index_table(values, "region", "2025",
                         {"collaboration": 1, "leadership": 0, "knowledge": 0, "resources": 0,
                          "culture": 0})
    assert list(tilted["index"].round(9)) == list(equal["z_collaboration"].round(9))
