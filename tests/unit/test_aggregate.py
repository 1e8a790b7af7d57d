"""Organisation answers: each combine rule on tiny hand-built frames, and the demo survey."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sasci_map.aggregate import ORG_COLUMNS, combined_columns, organisation_answers
from sasci_map.codebook import MULTI_SEPARATOR, allowed_values, load_codebook
from sasci_map.demo import DEMO_SEED, generate_survey
from sasci_map.survey_import import validate_survey
from sasci_map.survey_store import INTEGER_TYPES
from sasci_map.tabular import Table

WHEN = datetime(2026, 11, 27, tzinfo=UTC)
BOOK = load_codebook()
INTEGER_ITEMS = set(BOOK.loc[BOOK["response_type"].isin(INTEGER_TYPES), "item_id"])


def _frame(*rows: dict) -> pd.DataFrame:
    """Respondent rows in the stored shape; unnamed items are blank (not answered)."""
    base = {"wave": 2023, "org_type": "provider", "council_code": "E06000001"}
    records = [{**base, "respondent_id": f"R{i:03d}", **row} for i, row in enumerate(rows)]
    frame = pd.DataFrame({c: [r.get(c) for r in records] for c in
                          ("wave", "respondent_id", "org_id", "org_type", "council_code")})
    frame["wave"] = frame["wave"].astype(int)
    for item in BOOK["item_id"]:
        values = [r.get(item) for r in records]
        frame[item] = (pd.array(values, dtype="Int64") if item in INTEGER_ITEMS
                       else pd.Series(values, dtype=object))
    return frame


def _one(*rows: dict) -> pd.Series:
    """Combine rows that all belong to organisation P1; return its single output row."""
    out = organisation_answers(_frame(*({"org_id": "P1", **r} for r in rows)))
    assert len(out) == 1
    return out.iloc[0]


def test_columns_are_ids_then_combined_items_and_none_rule_is_dropped():
    out = organisation_answers(_frame({"org_id": "P1"}))
    assert list(out.columns) == [*ORG_COLUMNS, *combined_columns()]
    dropped = set(BOOK.loc[BOOK["combine_rule"] == "none", "item_id"])
    assert {"resp_role", "free_innovation_example", "free_council_support"} <= dropped
    assert dropped.isdisjoint(out.columns)
    assert combined_columns() == [i for i in BOOK["item_id"] if i not in dropped]


def test_mean_ignores_blanks_and_is_nan_when_nobody_answered():
    row = _one({"collab_partnerships": 2, "lead_vision": None},
               {"collab_partnerships": None, "lead_vision": None},
               {"collab_partnerships": 5, "lead_vision": None})
    assert row["collab_partnerships"] == 3.5
    assert np.isnan(row["lead_vision"])
    out = organisation_answers(_frame({"org_id": "P1", "lead_vision": 4}))
    assert out["lead_vision"].dtype == np.float64


def test_max_of_ordered_codes_and_of_counts():
    row = _one({"support_funder": "not_aware", "support_regulator": "aware_not_used",
                "activity_generated": 3},
               {"support_funder": "used", "support_regulator": "not_aware",
                "activity_generated": None},
               {"support_funder": "aware_not_used", "activity_generated": 7})
    assert row["support_funder"] == "used"
    assert row["support_regulator"] == "aware_not_used"
    assert row["activity_generated"] == 7
    assert row["support_peer_learning"] is None
    assert row["activity_adopted"] is pd.NA
    out = organisation_answers(_frame({"org_id": "P1", "activity_generated": 2}))
    assert str(out["activity_generated"].dtype) == "Int64"
    assert out["support_funder"].dtype == object


@pytest.mark.parametrize(("answers", "expected"), [
    (["no", "dont_know", "yes"], "yes"),
    (["dont_know", "no", None], "no"),
    (["dont_know", None], "dont_know"),
    ([None, None], None),
    (["no"], "no"),
])  # fmt: skip
def test_any_for_yes_no_dont_know(answers, expected):
    assert _one(*({"activity_spread": a} for a in answers))["activity_spread"] == expected


def test_any_for_multi_select_is_union_in_codebook_order():
    row = _one({"reasons_innovating": "prevention;meet_demand"},
               {"reasons_innovating": "improve_outcomes;prevention"},
               {"reasons_innovating": None})
    assert row["reasons_innovating"] == "improve_outcomes;meet_demand;prevention"
    assert row["barriers_innovating"] is None
    codes = allowed_values(BOOK.set_index("item_id").loc["barriers_innovating"])
    everything = _one(*({"barriers_innovating": c} for c in reversed(codes)))
    assert everything["barriers_innovating"] == MULTI_SEPARATOR.join(codes)


def test_most_senior_picks_by_role_then_smallest_respondent_id():
    frame = _frame(
        {"org_id": "P1", "respondent_id": "R9", "resp_role": "manager",
         "activity_stage": "idea", "resp_provider_size": "large"},
        {"org_id": "P1", "respondent_id": "R5", "resp_role": "director",
         "activity_stage": "sustained", "resp_provider_size": None},
        {"org_id": "P1", "respondent_id": "R2", "resp_role": "director",
         "activity_stage": "piloting", "resp_provider_size": None},
    )  # fmt: skip
    row = organisation_answers(frame).iloc[0]
    assert row["activity_stage"] == "piloting"  # R2 and R5 tie as directors; R2 is smaller
    assert row["resp_provider_size"] == "large"  # both directors left it blank
    assert row["resp_provider_type"] is None  # nobody answered


def test_most_senior_puts_a_blank_role_last():
    row = _one({"resp_role": None, "resp_provider_type": "nursing"},
               {"resp_role": "other", "resp_provider_type": "home_care"},
               {"resp_role": "practitioner", "resp_provider_type": None})
    assert row["resp_provider_type"] == "home_care"
    row = _one({"resp_role": None, "resp_provider_type": "nursing"},
               {"resp_role": "other", "resp_provider_type": None})
    assert row["resp_provider_type"] == "nursing"


def test_one_row_per_wave_and_org_sorted_with_respondent_counts():
    frame = _frame({"org_id": "P-b", "wave": 2025}, {"org_id": "P-a", "wave": 2025},
                   {"org_id": "P-b", "wave": 2023, "council_code": "E06000002"},
                   {"org_id": "P-b", "wave": 2025}, {"org_id": "C-1", "wave": 2025,
                                                     "org_type": "council"})
    frame.index = [10, 3, 7, 1, 0]  # any index
    out = organisation_answers(frame)
    assert list(zip(out["wave"], out["org_id"], strict=True)) == [
        (2023, "P-b"), (2025, "C-1"), (2025, "P-a"), (2025, "P-b")]
    assert out["n_respondents"].tolist() == [1, 1, 1, 2]
    assert out["org_type"].tolist() == ["provider", "council", "provider", "provider"]
    assert out["council_code"].tolist() == ["E06000002", "E06000001", "E06000001", "E06000001"]
    assert list(out.index) == [0, 1, 2, 3]


def test_empty_input_gives_empty_output_with_all_columns():
    out = organisation_answers(_frame({"org_id": "P1"}).iloc[:0])
    assert out.empty
    assert list(out.columns) == [*ORG_COLUMNS, *combined_columns()]


def test_missing_column_is_named():
    with pytest.raises(ValueError, match=r"missing columns \['support_funder'\]"):
        organisation_answers(_frame({"org_id": "P1"}).drop(columns="support_funder"))
    with pytest.raises(ValueError, match=r"missing columns \['resp_role'\]"):
        organisation_answers(_frame({"org_id": "P1"}).drop(columns="resp_role"))


def test_blank_org_id_is_refused():
    with pytest.raises(ValueError, match="column 'org_id': blank values"):
        organisation_answers(_frame({"org_id": "P1"}, {"org_id": None}))


@pytest.mark.parametrize(("column", "other"), [("org_type", "council"),
                                               ("council_code", "E06000002")])
def test_organisation_with_two_types_or_councils_is_named(column, other):
    frame = _frame({"org_id": "P1"}, {"org_id": "P2"}, {"org_id": "P2", column: other})
    with pytest.raises(ValueError, match=rf"column '{column}'.*'P2' in wave 2023"):
        organisation_answers(frame)


def test_unknown_code_is_refused_with_item_and_value():
    with pytest.raises(ValueError, match=r"column 'support_funder': value 'often'"):
        organisation_answers(_frame({"org_id": "P1", "support_funder": "often"}))
    with pytest.raises(ValueError, match=r"column 'reasons_innovating': value 'fun'"):
        organisation_answers(_frame({"org_id": "P1", "reasons_innovating": "prevention;fun"}))


# --- the demo survey ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    frame = generate_survey(DEMO_SEED)
    table = Table(Path("survey.csv"), frame, np.arange(2, len(frame) + 2), None)
    return validate_survey(table, "digest", WHEN).responses


@pytest.fixture(scope="module")
def demo_orgs(demo) -> pd.DataFrame:
    return organisation_answers(demo)


def _same(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and a == b)


def test_demo_has_one_row_per_wave_and_organisation(demo, demo_orgs):
    assert len(demo_orgs) == len(demo.drop_duplicates(["wave", "org_id"]))
    assert demo_orgs["n_respondents"].sum() == len(demo)
    keys = demo_orgs[["wave", "org_id"]]
    assert keys.equals(keys.sort_values(["wave", "org_id"], ignore_index=True))
    assert (demo_orgs["n_respondents"] > 1).any()  # the rules are exercised, not just copied


def test_demo_single_respondent_organisations_keep_their_answers(demo, demo_orgs):
    single = demo_orgs[demo_orgs["n_respondents"] == 1].set_index(["wave", "org_id"])
    rows = demo.set_index(["wave", "org_id"]).loc[single.index]
    for item in combined_columns():
        for got, want in zip(single[item], rows[item], strict=True):
            assert _same(got, want), (item, got, want)


def test_demo_matches_a_slow_reference(demo, demo_orgs):
    """Every organisation and item against a plain loop that follows the README's words."""
    roles = allowed_values(BOOK.set_index("item_id").loc["resp_role"])
    rank = {r: i for i, r in enumerate(roles)}
    book = BOOK.set_index("item_id")
    expected = []
    for (_, _), rows in demo.groupby(["wave", "org_id"], sort=True):
        senior = rows.assign(_r=rows["resp_role"].map(lambda r: rank.get(r, len(roles))))
        senior = senior.sort_values(["_r", "respondent_id"])
        record = {}
        for item in combined_columns():
            rule, rtype = book.at[item, "combine_rule"], book.at[item, "response_type"]
            codes = allowed_values(book.loc[item])
            given = [v for v in rows[item] if not pd.isna(v)]
            if rule == "mean":
                record[item] = float(np.mean(given)) if given else np.nan
            elif rule == "most_senior":
                record[item] = next((v for v in senior[item] if not pd.isna(v)), None)
            elif rtype in INTEGER_TYPES:
                record[item] = max(given) if given else None
            elif rtype == "multi_select":
                chosen = {c for v in given for c in v.split(MULTI_SEPARATOR)}
                record[item] = MULTI_SEPARATOR.join(c for c in codes if c in chosen) or None
            elif rule == "any":
                record[item] = next((c for c in codes if c in given), None)
            else:
                record[item] = max(given, key=codes.index) if given else None
        expected.append(record)
    for i, record in enumerate(expected):
        for item, want in record.items():
            assert _same(demo_orgs.at[i, item], want), (i, item, demo_orgs.at[i, item], want)
