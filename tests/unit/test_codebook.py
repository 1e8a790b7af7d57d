import numpy as np
import pandas as pd
import pytest

from sasci_map import codebook
from sasci_map.config import DEFAULT_DATA_DIR
from sasci_map.errors import DataValidationError

SHIPPED = DEFAULT_DATA_DIR / "survey" / "codebook.csv"
FILE = "survey/codebook.csv"
# 0-based positions of kinds of items in the shipped file (row N of a message is position + 1).
ROLE, COLLAB, COLLAB_2, SUPPORT, COUNT, FREE = 0, 3, 4, 18, 28, 34


@pytest.fixture(scope="module")
def book():
    return codebook.load_codebook(DEFAULT_DATA_DIR)


def raw():
    return pd.read_csv(SHIPPED, dtype=str, keep_default_na=False)


def write(tmp_path, table):
    (tmp_path / "survey").mkdir()
    table.to_csv(tmp_path / "survey" / "codebook.csv", index=False)
    return tmp_path


def test_shipped_rows_are_the_kinds_the_tests_edit(book):
    kinds = book["response_type"].iloc[[ROLE, COLLAB, COLLAB_2, SUPPORT, COUNT, FREE]].tolist()
    assert kinds == ["single_select", "likert5", "likert5", "single_select", "count", "free_text"]
    assert book.at[SUPPORT, "domain"] == "support_use"


@pytest.mark.parametrize(
    ("questionnaire", "low", "high"), [("council", 30, 40), ("provider", 28, 36)]
)
def test_item_counts_per_questionnaire(questionnaire, low, high):
    items = codebook.items_for(questionnaire, DEFAULT_DATA_DIR)
    assert low <= len(items) <= high
    assert set(items["questionnaire"]) == {questionnaire, "both"}


@pytest.mark.parametrize("questionnaire", ["council", "provider"])
def test_every_cluster_has_three_likert_items(questionnaire):
    items = codebook.items_for(questionnaire, DEFAULT_DATA_DIR)
    likert = items[items["response_type"] == "likert5"]
    counts = likert["capability_cluster"].value_counts()
    assert set(counts.index) == set(codebook.CAPABILITY_CLUSTERS)
    assert (counts >= 3).all()


@pytest.mark.parametrize("questionnaire", ["council", "provider"])
def test_every_support_type_asks_awareness_and_use(questionnaire):
    items = codebook.items_for(questionnaire, DEFAULT_DATA_DIR)
    support = items[items["domain"].isin(codebook.SUPPORT_DOMAINS)]
    assert sorted(support["support_type"]) == sorted(codebook.SUPPORT_TYPES)
    assert set(support["allowed_values"]) == {"not_aware|aware_not_used|used"}


def test_shipped_codebook_covers_the_design(book):
    by_domain = book.groupby("domain").size()
    assert by_domain["free_text"] == 4
    assert by_domain["reasons"] == by_domain["barriers"] == 1
    activity = book[book["domain"] == "innovation_activity"].set_index("item_id")
    assert activity["response_type"].to_dict() == {
        "activity_generated": "count", "activity_adopted": "count",
        "activity_stage": "single_select", "activity_spread": "yes_no_dk",
    }  # fmt: skip
    assert codebook.allowed_values(book.set_index("item_id").loc["activity_stage"]) == [
        "idea", "adopted", "piloting", "implemented", "spreading", "sustained", "abandoned",
    ]  # fmt: skip
    provider_only = book.loc[book["questionnaire"] == "provider", "item_id"]
    assert {"resp_provider_type", "resp_provider_size"} <= set(provider_only)
    assert book.loc[book["item_id"] == "resp_role", "combine_rule"].item() == "none"
    assert book["notes"].str.startswith("Reconstructed wording").all()
    assert book.loc[COUNT, "min"] == 0 and book.loc[COUNT, "max"] == 500


def test_load_returns_a_fresh_copy():
    first = codebook.load_codebook(DEFAULT_DATA_DIR)
    first.loc[0, "item_id"] = "changed"
    assert codebook.load_codebook(DEFAULT_DATA_DIR).loc[0, "item_id"] == "resp_role"


def test_allowed_values_blank_is_empty(book):
    assert codebook.allowed_values(book.loc[COUNT]) == []
    assert codebook.allowed_values(book.loc[COLLAB]) == ["1", "2", "3", "4", "5"]


def test_unknown_questionnaire_is_refused():
    with pytest.raises(ValueError, match=r"^questionnaire 'both': expected one of \('council'"):
        codebook.items_for("both", DEFAULT_DATA_DIR)


def test_missing_column_is_named(tmp_path):
    folder = write(tmp_path, raw().drop(columns=["notes"]))
    with pytest.raises(DataValidationError) as err:
        codebook.load_codebook(folder)
    assert str(err.value) == (
        f"{FILE}, header: missing columns ['notes']: expected columns {list(codebook.COLUMNS)}"
    )


SNAKE = "snake_case: a-z first, then a-z, 0-9, _"
CODES = "unique '|'-separated codes of a-z, 0-9, _"
BROKEN = [
    (ROLE, "item_id", "", 1, "a non-empty value"),
    (COLLAB, "item_id", "Collab-X", 4, SNAKE),
    (COLLAB_2, "item_id", "collab_partnerships", 5, "a unique id (already on row 4)"),
    (ROLE, "question", " ", 1, "a non-empty value"),
    (ROLE, "questionnaire", "councils", 1, "one of ['council', 'provider', 'both']"),
    (ROLE, "domain", "innovation", 1, f"one of {list(codebook.DOMAINS)}"),
    (ROLE, "response_type", "likert7", 1, f"one of {list(codebook.RESPONSE_TYPES)}"),
    (ROLE, "polarity", "up", 1, "one of ['higher_is_better', 'lower_is_better', 'neutral']"),
    (ROLE, "combine_rule", "sum", 1, "one of ['mean', 'max', 'any', 'most_senior', 'none']"),
    (FREE, "combine_rule", "mean", 35, "one of ['none'] for a free_text item"),
    (COLLAB, "allowed_values", "1|2|3|4", 4, "1|2|3|4|5"),
    (ROLE, "allowed_values", "", 1, CODES),
    (ROLE, "allowed_values", "a|a|b|c|d", 1, CODES),
    (ROLE, "allowed_values", "a|B|c|d|e", 1, CODES),
    (ROLE, "value_labels", "A|B", 1, "5 '|'-separated labels"),
    (COUNT, "allowed_values", "1|2", 29, "blank for a count item"),
    (FREE, "value_labels", "x", 35, "blank for a free_text item"),
    (COUNT, "min", "zero", 29, "a whole number for a count item"),
    (COUNT, "max", "2.5", 29, "a whole number for a count item"),
    (COUNT, "min", "600", 29, "at least min (600)"),
    (COLLAB, "min", "0", 4, "blank for a likert5 item"),
    (COLLAB, "capability_cluster", "", 4, "'collaboration', the item's domain"),
    (ROLE, "capability_cluster", "culture", 1, "blank for domain 'respondent'"),
    (SUPPORT, "support_type", "", 19, f"one of {list(codebook.SUPPORT_TYPES)}"),
    (ROLE, "support_type", "funder", 1, "blank for domain 'respondent'"),
]


@pytest.mark.parametrize(("position", "column", "value", "row", "expected"), BROKEN)
def test_each_codebook_error_names_row_column_value(
    tmp_path, position, column, value, row, expected
):
    table = raw()
    table.loc[position, column] = value
    folder = write(tmp_path, table)
    # A raised min is reported on max, the bound it contradicts.
    shown_column, shown = ("max", "500") if expected.startswith("at least") else (column, value)
    with pytest.raises(DataValidationError) as err:
        codebook.load_codebook(folder)
    assert str(err.value) == (
        f"{FILE}, row {row}, column {shown_column!r}: value {shown!r}: expected {expected}"
    )


GOOD = pd.DataFrame(
    {
        "respondent_id": ["r1", "r2", "r3"],
        "resp_role": ["director", "manager", ""],
        "lead_vision": ["5", "1", None],
        "support_funder": ["used", "not_aware", "aware_not_used"],
        "activity_generated": ["0", "500", "12"],
        "activity_spread": ["yes", "dont_know", ""],
        "reasons_innovating": ["meet_demand", "meet_demand;other", "prevention ; workforce"],
        "free_innovation_example": ["Shared Lives; anything goes", "", None],
    }
)
BAD = pd.DataFrame(
    {
        "resp_role": ["director", "chief"],
        "lead_vision": ["6", "3.0"],
        "activity_generated": ["-1", "2.5"],
        "activity_spread": ["Yes", "no"],
        "reasons_innovating": ["meet_demand;", "other,prevention"],
        "resp_provider_size": ["small", "large"],
    }
)
REASONS = [
    "improve_outcomes", "meet_demand", "reduce_costs", "workforce", "personalisation",
    "prevention", "integration", "policy_requirement", "funding_opportunity", "other",
]  # fmt: skip
BAD_MESSAGES = [
    "column 'resp_provider_size': item of the provider questionnaire only, not the council "
    "questionnaire",
    "row 1, column 'lead_vision': value '6': expected one of ['1', '2', '3', '4', '5']",
    "row 1, column 'activity_generated': value '-1': expected a whole number from 0 to 500",
    "row 1, column 'activity_spread': value 'Yes': expected one of ['yes', 'no', 'dont_know']",
    f"row 1, column 'reasons_innovating': value 'meet_demand;': expected codes separated by ';' "
    f"from {REASONS}",
    "row 2, column 'resp_role': value 'chief': expected one of "
    "['director', 'senior_manager', 'manager', 'practitioner', 'other']",
    "row 2, column 'lead_vision': value '3.0': expected one of ['1', '2', '3', '4', '5']",
    "row 2, column 'activity_generated': value '2.5': expected a whole number from 0 to 500",
    f"row 2, column 'reasons_innovating': value 'other,prevention': expected codes separated by "
    f"';' from {REASONS}",
]


def test_good_responses_pass():
    assert codebook.validate_responses(GOOD, "council", DEFAULT_DATA_DIR) == []


def test_bad_responses_are_listed_row_by_row():
    assert codebook.validate_responses(BAD, "council", DEFAULT_DATA_DIR) == BAD_MESSAGES


def test_provider_frame_accepts_provider_items():
    frame = BAD[["resp_provider_size"]]
    assert codebook.validate_responses(frame, "provider", DEFAULT_DATA_DIR) == []


def test_non_text_columns_are_checked_as_text():
    frame = pd.DataFrame({"lead_vision": [1, 7], "activity_generated": [3.0, np.nan]})
    assert codebook.validate_responses(frame, "council", DEFAULT_DATA_DIR) == [
        "row 2, column 'lead_vision': value '7': expected one of ['1', '2', '3', '4', '5']",
    ]


def test_error_list_is_capped():
    messages = codebook.validate_responses(BAD, "council", DEFAULT_DATA_DIR, max_errors=3)
    assert messages == [*BAD_MESSAGES[:3], "... and 6 more"]


def test_large_frame_validates(book):
    n = 200_000
    big = pd.concat([GOOD] * (n // len(GOOD) + 1), ignore_index=True).iloc[:n].copy()
    for item in book.loc[book["questionnaire"] != "provider", "item_id"]:
        if item not in big.columns:
            big[item] = ""
    big.loc[[10, 150_000], "activity_generated"] = "lots"
    big.loc[199_999, "barriers_innovating"] = "lack_funding;nope"
    messages = codebook.validate_responses(big, "council", DEFAULT_DATA_DIR, max_errors=2)
    assert messages[0] == (
        "row 11, column 'activity_generated': value 'lots': expected a whole number from 0 to 500"
    )
    assert messages[1].startswith("row 150001, column 'activity_generated'")
    assert messages[2] == "... and 1 more"
