"""Survey indicators: figures checked against independent calculations, states, suppression."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from sasci_map.aggregate import organisation_answers
from sasci_map.demo import DEMO_SEED, generate_survey
from sasci_map.errors import DataValidationError
from sasci_map.geography import councils
from sasci_map.indicator_registry import REGISTRY_FILE, load_registry
from sasci_map.survey_import import validate_survey
from sasci_map.survey_indicators import (
    ENGLAND,
    REASON_SECONDARY,
    indicator_values,
)
from sasci_map.tabular import Table

NUMBERS = ["numerator", "denominator", "value", "lower", "upper"]


@pytest.fixture(scope="module")
def orgs() -> pd.DataFrame:
    frame = generate_survey(DEMO_SEED)
    table = Table(Path("survey.csv"), frame, np.arange(2, len(frame) + 2), None)
    batch = validate_survey(table, "digest", datetime(2026, 1, 1, tzinfo=UTC))
    return organisation_answers(batch.responses)


@pytest.fixture(scope="module")
def values(orgs) -> pd.DataFrame:
    return indicator_values(orgs, councils())


def _row(values, indicator, code, wave="2023"):
    hit = values[(values["indicator_id"] == indicator) & (values["area_code"] == code)
                 & (values["period"] == wave)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_every_area_of_every_level_has_one_row_per_indicator_and_wave(values):
    registry = load_registry()
    per_level = values.groupby("area_level").size()
    n = len(registry) * 2
    assert per_level.to_dict() == {"council": 153 * n, "region": 9 * n, "england": n}
    assert not values.duplicated(["indicator_id", "area_code", "period"]).any()


def test_rows_that_are_not_values_carry_no_numbers(values):
    not_value = values["status"] != "value"
    assert values.loc[not_value, NUMBERS].isna().all().all()
    assert values.loc[~not_value, ["denominator", "value"]].notna().all().all()
    assert set(values["status"]) == {"value", "suppressed", "no_response", "missing"}
    missing = values[values["status"] == "missing"]
    assert set(missing["area_level"]) == {"council"}
    assert set(missing["indicator_id"]) == {"cap_overall_providers", "support_used_any_providers"}


def test_a_proportion_matches_a_hand_count_and_statsmodels_wilson(orgs, values):
    wave = orgs[orgs["wave"] == 2023]
    answered = wave["support_funder"].notna()
    used = (wave.loc[answered, "support_funder"] == "used").sum()
    got = _row(values, "support_used_funder", ENGLAND)
    assert got["numerator"] == used
    assert got["denominator"] == answered.sum()
    assert got["value"] == pytest.approx(100 * used / answered.sum())
    low, high = proportion_confint(used, answered.sum(), alpha=0.05, method="wilson")
    assert (got["lower"], got["upper"]) == pytest.approx((100 * low, 100 * high))


def test_a_cluster_score_reverses_the_negatively_worded_item(orgs, values):
    region = councils().set_index("code")["region_code"]
    wave = orgs[(orgs["wave"] == 2025)
                & (orgs["council_code"].map(region) == "E12000007")]
    items = wave[["culture_openness", "culture_learning_from_failure"]].astype(float)
    reversed_fear = 6 - wave["culture_fear_of_failure"].astype(float)
    per_org = pd.concat([items, reversed_fear], axis=1).mean(axis=1, skipna=True).dropna()
    got = _row(values, "cap_culture", "E12000007", "2025")
    assert got["denominator"] == len(per_org)
    assert got["value"] == pytest.approx(per_org.mean())
    from scipy import stats as scipy_stats

    low, high = scipy_stats.t.interval(0.95, len(per_org) - 1, loc=per_org.mean(),
                                       scale=scipy_stats.sem(per_org))
    assert (got["lower"], got["upper"]) == pytest.approx((low, high))


def test_states_follow_the_number_of_organisations(orgs, values):
    wave = orgs[orgs["wave"] == 2023]
    n_orgs = wave.groupby("council_code").size()
    council = values[(values["area_level"] == "council") & (values["period"] == "2023")
                     & (values["indicator_id"] == "cap_leadership")].set_index("area_code")
    absent = sorted(set(councils()["code"]) - set(n_orgs.index))
    assert (council.loc[absent, "status"] == "no_response").all()
    assert council.loc[absent[0], "status_reason"].startswith("no council or provider "
                                                              "organisation in this area")
    few = n_orgs[n_orgs < 5].index
    assert (council.loc[few, "status"] == "suppressed").all()
    assert set(council.loc[few, "status_reason"]) == {"fewer than 5 responding organisations"}


def test_secondary_suppression_leaves_no_council_recoverable_by_subtraction(values):
    region = councils().set_index("code")["region_code"]
    council = values[values["area_level"] == "council"].assign(
        region=lambda f: f["area_code"].map(region))
    grouped = council.groupby(["indicator_id", "period", "region"])["status"]
    suppressed = grouped.apply(lambda s: int((s == "suppressed").sum()))
    published = grouped.apply(lambda s: int((s == "value").sum()))
    exposed = (suppressed == 1) & (published > 0)
    assert not exposed.any()


def test_a_lone_suppressed_council_gets_its_smallest_published_neighbour_suppressed(orgs):
    providers = orgs[(orgs["wave"] == 2023) & (orgs["org_type"] == "provider")].head(14).copy()
    providers["council_code"] = ["E06000001"] * 7 + ["E06000004"] * 5 + ["E06000002"] * 2
    got = indicator_values(providers, councils())
    got = got[(got["indicator_id"] == "support_used_funder")].set_index("area_code")
    assert got.at["E06000002", "status"] == "suppressed"  # 2 organisations: primary
    assert got.at["E06000004", "status"] == "suppressed"  # the smaller published one
    assert got.at["E06000004", "status_reason"] == REASON_SECONDARY
    assert got.loc["E06000004", NUMBERS].isna().all()
    assert got.at["E06000001", "status"] == "value"
    assert got.at["E12000001", "status"] == "value"  # the North East region, 14 organisations
    assert got.at["E12000001", "denominator"] == 14


def test_registry_errors_name_row_column_and_value(tmp_path):
    data = tmp_path / "data"
    import shutil

    shutil.copytree(Path(__file__).resolve().parents[2] / "data" / "survey",
                    data / "survey")
    path = data / REGISTRY_FILE
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[2, "items"] = "lead_visionary"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=r"row 3, column 'items': value "
                       r"'lead_visionary': expected an item_id"):
        load_registry(data)
    frame.loc[2, "items"] = "lead_vision"
    frame.loc[5, "min_orgs"] = "3"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=r"row 6, column 'min_orgs': value '3'"):
        load_registry(data)


def test_five_organisations_give_a_value_and_four_are_suppressed(orgs):
    providers = orgs[(orgs["wave"] == 2023) & (orgs["org_type"] == "provider")]
    answered = providers[providers["lead_vision"].notna()].head(15).copy()
    # Two councils of 5 in the North East, 5 in Birmingham: every figure published.
    answered["council_code"] = ["E06000001"] * 5 + ["E06000004"] * 5 + ["E08000025"] * 5
    got = indicator_values(answered, councils())
    got = got[got["indicator_id"] == "pct_agree_permission"].set_index("area_code")
    assert (got.loc[["E06000001", "E06000004", "E08000025"], "status"] == "value").all()
    assert got.at["E06000001", "denominator"] == 5


def test_four_organisations_are_suppressed_with_everything_that_would_reveal_them(orgs):
    providers = orgs[(orgs["wave"] == 2023) & (orgs["org_type"] == "provider")]
    answered = providers[providers["lead_vision"].notna() & providers["lead_permission"].notna()
                         & providers["lead_sponsorship"].notna()].head(9).copy()
    answered["council_code"] = ["E06000001"] * 5 + ["E08000025"] * 4  # Hartlepool, Birmingham
    got = indicator_values(answered, councils())
    got = got[got["indicator_id"] == "cap_leadership"].set_index("area_code")
    assert got.at["E08000025", "status"] == "suppressed"
    assert got.loc["E08000025", NUMBERS].isna().all()
    assert got.at["E12000005", "status"] == "suppressed"  # West Midlands: the same 4
    assert got.at[ENGLAND, "denominator"] == 9
    # England (9) minus the North East (5) would reveal the West Midlands (4), so the North
    # East is suppressed too, and then Hartlepool, which alone would reveal the North East.
    assert got.at["E12000001", "status_reason"] == REASON_SECONDARY
    assert got.at["E06000001", "status"] == "suppressed"
