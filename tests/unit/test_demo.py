"""The synthetic demo survey: shape, validity, relationships, scaling and the written files."""

from __future__ import annotations

import functools
import shutil

import numpy as np
import pandas as pd
import pytest

from sasci_map import inventory
from sasci_map.codebook import items_for, load_codebook, validate_responses
from sasci_map.config import DEFAULT_DATA_DIR
from sasci_map.context import context_values
from sasci_map.demo import (
    DEMO_DIR,
    DEMO_SEED,
    SYNTHETIC_LABEL,
    generate_survey,
    inventory_import_frames,
    scale_survey,
    write_demo,
)  # fmt: skip
from sasci_map.geography import councils
from sasci_map.survey_format import (
    INFRASTRUCTURE_IMPORT_COLUMNS,
    INNOVATIONS_IMPORT_COLUMNS,
    SURVEY_ID_COLUMNS,
    survey_columns,
)  # fmt: skip

SEEDS = (DEMO_SEED, 1, 7)


@pytest.fixture(scope="module")
def survey():
    return generate_survey(DEMO_SEED)


def _orgs(frame):
    return frame.groupby(["wave", "org_id"]).agg(
        org_type=("org_type", "first"), n=("respondent_id", "size"),
        types=("org_type", "nunique"), codes=("council_code", "nunique"),
    ).reset_index()  # fmt: skip


def _questionnaire_frame(frame, org_type):
    """Rows of one org type with the id columns and that questionnaire's items only."""
    items = list(items_for(org_type)["item_id"])
    return frame.loc[frame["org_type"] == org_type, [*SURVEY_ID_COLUMNS, *items]]


def _capability(frame):
    """Mean capability likert per row, the negatively worded item reversed."""
    book = load_codebook()
    likert = book.loc[book["response_type"] == "likert5", ["item_id", "polarity"]]
    values = frame[list(likert["item_id"])].replace("", np.nan).astype(float)
    reverse = likert.loc[likert["polarity"] == "lower_is_better", "item_id"]
    values[list(reverse)] = 6 - values[list(reverse)]
    return values.mean(axis=1)


@functools.cache
def _indicator(indicator_id):
    values = context_values()
    rows = values[(values["indicator_id"] == indicator_id) & (values["status"] == "value")]
    return rows.set_index("area_code")["value"].astype(float)


def test_constants():
    assert DEMO_SEED == 2023
    assert DEMO_DIR.as_posix() == "survey/demo"
    assert SYNTHETIC_LABEL == "synthetic demo data"


def test_same_seed_same_frame_other_seed_differs(survey):
    pd.testing.assert_frame_equal(survey, generate_survey(DEMO_SEED))
    assert not survey.equals(generate_survey(DEMO_SEED + 1))


def test_columns_and_text_cells(survey):
    assert list(survey.columns) == survey_columns()
    assert survey.notna().all().all()
    assert all(isinstance(v, str) for v in survey.iloc[0])
    assert set(survey["synthetic"]) == {"true"}
    assert set(survey["wave"]) == {"2023", "2025"}


@pytest.mark.parametrize("seed", SEEDS)
def test_per_wave_organisation_counts_match_sasci(seed):
    orgs = _orgs(generate_survey(seed))
    counts = orgs.groupby(["wave", "org_type"]).size()
    for wave in ("2023", "2025"):
        assert 45 <= counts[(wave, "council")] <= 57
        assert 85 <= counts[(wave, "provider")] <= 110


def test_some_organisations_have_several_respondents(survey):
    sizes = _orgs(survey)["n"]
    assert set(sizes) == {1, 2, 3}
    assert 0.6 <= (sizes == 1).mean() <= 0.92


def test_ids_unique_and_consistent(survey):
    assert survey["respondent_id"].is_unique
    assert set(survey["council_code"]) <= set(councils()["code"])
    orgs = _orgs(survey)
    assert (orgs["types"] == 1).all() and (orgs["codes"] == 1).all()
    across = survey.groupby("org_id").agg(t=("org_type", "nunique"), c=("council_code", "nunique"))
    assert (across == 1).all().all()
    council_rows = survey[survey["org_type"] == "council"]
    assert (council_rows["org_id"] == "C-" + council_rows["council_code"]).all()


def test_providers_also_sit_in_councils_that_did_not_answer(survey):
    wave = survey[survey["wave"] == "2023"]
    answered = set(wave.loc[wave["org_type"] == "council", "council_code"])
    provider_areas = set(wave.loc[wave["org_type"] == "provider", "council_code"])
    assert provider_areas - answered


@pytest.mark.parametrize("org_type", ["council", "provider"])
def test_every_row_passes_the_codebook(survey, org_type):
    assert validate_responses(_questionnaire_frame(survey, org_type), org_type) == []


def test_items_of_the_other_questionnaire_are_blank(survey):
    for org_type, other in (("council", "provider"), ("provider", "council")):
        own = set(items_for(org_type)["item_id"])
        only_other = [i for i in items_for(other)["item_id"] if i not in own]
        assert only_other
        rows = survey[survey["org_type"] == org_type]
        assert (rows[only_other] == "").all().all()


def test_provider_facts_agree_within_an_organisation(survey):
    providers = survey[survey["org_type"] == "provider"]
    facts = providers.groupby("org_id")[["resp_provider_type", "resp_provider_size"]].nunique()
    assert (facts == 1).all().all()


def test_some_item_nonresponse_and_demo_free_text(survey):
    blank = (survey["lead_vision"] == "").mean()
    assert 0.0 < blank < 0.1
    text = survey["free_innovation_example"]
    assert (text == "").mean() > 0.7
    assert text[text != ""].str.contains(SYNTHETIC_LABEL).all()


def test_waves_overlap_partially(survey):
    ids = survey.groupby("wave")["org_id"].apply(set)
    both = ids["2023"] & ids["2025"]
    assert both and both != ids["2023"] and both != ids["2025"]
    for prefix in ("C-", "P-"):
        first = {i for i in ids["2023"] if i.startswith(prefix)}
        again = {i for i in both if i.startswith(prefix)}
        assert 0.3 < len(again) / len(first) < 0.8


@pytest.mark.parametrize("seed", SEEDS)
def test_capability_falls_with_deprivation(seed):
    frame = generate_survey(seed)
    rows = frame[frame["org_type"] == "council"]
    by_council = _capability(rows).groupby(rows["council_code"]).mean()
    imd = _indicator("imd_average_score")
    joined = pd.concat([by_council.rename("cap"), imd.rename("imd")], axis=1, join="inner")
    assert len(joined) >= 60
    assert joined["cap"].corr(joined["imd"], method="spearman") < -0.2


@pytest.mark.parametrize("seed", SEEDS)
def test_bigger_councils_answer_more_often(seed):
    frame = generate_survey(seed)
    adults = _indicator("pop_18_plus")
    top = adults >= adults.median()
    for _, wave in frame.groupby("wave"):
        answered = adults.index.isin(wave.loc[wave["org_type"] == "council", "council_code"])
        assert answered[top.to_numpy()].mean() > answered[~top.to_numpy()].mean()


def test_capability_improves_a_little_by_2025(survey):
    means = _capability(survey).groupby(survey["wave"]).mean()
    assert 0 < means["2025"] - means["2023"] < 0.6


def test_barriers_are_reported_more_where_deprivation_is_high(survey):
    imd = survey["council_code"].map(_indicator("imd_average_score"))
    n_barriers = survey["barriers_innovating"].str.count(";") + 1
    n_barriers[survey["barriers_innovating"] == ""] = np.nan
    assert n_barriers.corr(imd, method="spearman") > 0


def test_counts_are_within_codebook_bounds(survey):
    book = load_codebook().set_index("item_id")
    for item in book.index[book["response_type"] == "count"]:
        values = pd.to_numeric(survey.loc[survey[item] != "", item])
        assert values.between(book.at[item, "min"], book.at[item, "max"]).all()
        assert values.nunique() > 3


def test_bad_seed_is_refused():
    with pytest.raises(ValueError, match="seed -1"):
        generate_survey(-1)


@pytest.mark.parametrize("n_rows", [0, 100, 5_000])
def test_scale_survey_gives_exact_valid_rows(survey, n_rows):
    scaled = scale_survey(survey, n_rows, seed=3)
    assert len(scaled) == n_rows
    assert list(scaled.columns) == list(survey.columns)
    assert scaled["respondent_id"].is_unique
    if n_rows:
        orgs = _orgs(scaled)
        assert (orgs["types"] == 1).all() and (orgs["codes"] == 1).all()
        assert orgs["n"].max() <= 3
        for org_type in ("council", "provider"):
            assert validate_responses(_questionnaire_frame(scaled, org_type), org_type) == []


def test_scale_survey_large_and_seeded(survey):
    scaled = scale_survey(survey, 100_000, seed=1)
    assert len(scaled) == 100_000 and scaled["respondent_id"].is_unique
    assert scaled.equals(scale_survey(survey, 100_000, seed=1))
    assert not scaled.equals(scale_survey(survey, 100_000, seed=2))
    with pytest.raises(ValueError, match="n_rows -1"):
        scale_survey(survey, -1)
    with pytest.raises(ValueError, match="unique respondent_id"):
        scale_survey(pd.concat([survey, survey]), 10)


def test_inventory_import_frames_flatten_the_bundled_inventories():
    innovations, infrastructure = inventory_import_frames()
    assert list(innovations.columns) == list(INNOVATIONS_IMPORT_COLUMNS)
    assert list(infrastructure.columns) == list(INFRASTRUCTURE_IMPORT_COLUMNS)
    assert len(innovations) == len(inventory.innovation_councils())
    assert len(infrastructure) == len(inventory.support_coverage())
    for frame in (innovations, infrastructure):
        assert frame.notna().all().all()
    assert set(innovations["adoption_synthetic"]) <= {"true", "false"}
    assert innovations["start_year"].str.fullmatch(r"\d{4}").all()
    assert innovations["end_year"].str.fullmatch(r"(\d{4})?").all()
    assert (innovations["adoption_source"] == SYNTHETIC_LABEL).any()


@pytest.fixture
def data_dir_with_unused_entries(tmp_path):
    """A data folder whose inventory has an innovation in use nowhere and an uncovered body."""
    root = tmp_path / "data"
    root.mkdir()
    for name in ("lookups", "context"):
        (root / name).symlink_to(DEFAULT_DATA_DIR / name)
    shutil.copytree(DEFAULT_DATA_DIR / "survey", root / "survey")
    folder = root / inventory.INVENTORY
    innovations = pd.read_csv(folder / "innovations.csv", dtype=str, keep_default_na=False)
    extra = innovations.iloc[[0]].assign(innovation_id="inn_zz_unused", partner_actors="")
    pd.concat([innovations, extra]).to_csv(folder / "innovations.csv", index=False)
    orgs = pd.read_csv(folder / "support_organisations.csv", dtype=str, keep_default_na=False)
    pd.concat([orgs, orgs.iloc[[0]].assign(org_id="org_zz_uncovered")]).to_csv(
        folder / "support_organisations.csv", index=False)
    return root


def test_entries_without_adoption_or_coverage_get_one_blank_row(data_dir_with_unused_entries):
    root = data_dir_with_unused_entries
    innovations, infrastructure = inventory_import_frames(root)
    assert len(innovations) == len(inventory.innovation_councils(root)) + 1
    assert len(infrastructure) == len(inventory.support_coverage(root)) + 1
    lone = innovations[innovations["innovation_id"] == "inn_zz_unused"]
    assert len(lone) == 1
    blanks = ["council_code", "start_year", "end_year", "adoption_source", "adoption_synthetic"]
    assert (lone[blanks] == "").all().all() and lone["partner_actors"].iat[0] == ""
    assert lone["synthetic"].iat[0] in {"true", "false"}
    bare = infrastructure[infrastructure["org_id"] == "org_zz_uncovered"]
    assert len(bare) == 1
    cover = ["area_level", "area_code", "coverage_source", "coverage_synthetic"]
    assert (bare[cover] == "").all().all()


def test_write_demo_is_byte_identical(tmp_path):
    first = write_demo(tmp_path / "a", DEMO_SEED)
    second = write_demo(tmp_path / "b" / "nested", DEMO_SEED)
    assert set(first) == {"survey", "innovations", "infrastructure"}
    for name, path in first.items():
        data = path.read_bytes()
        assert path.name == f"{name}.csv"
        assert data == second[name].read_bytes()
        assert b"\r\n" not in data
    survey = pd.read_csv(first["survey"], dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(survey, generate_survey(DEMO_SEED), check_dtype=False)
