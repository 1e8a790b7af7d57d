"""Integration: the compare page's layout from URL parameters, its callbacks and its CSV."""

from __future__ import annotations

import base64
import csv
import io
import sys

import dash
import pytest

from pages import ids, services
from sasci_map import db
from sasci_map.exports import CITATION_COLUMN, LICENCE_COLUMN
from sasci_map.geography import councils
from sasci_map.palette import STATUS_LABELS
from tests.layout_tools import find, text_of

BIRMINGHAM, HULL, STAFFORDSHIRE = "E08000025", "E06000010", "E10000028"
SOUTH_EAST = "E12000008"


def page_module():
    """The compare page module as Dash imported it (importing again would re-register it)."""
    return sys.modules["pages.compare"]


def compare_layout(**params):
    page = next(p for p in dash.page_registry.values() if p["path"] == "/compare")
    return page["layout"](**params)


def bar_names(figure) -> list[str]:
    data = figure.to_plotly_json()["data"] if hasattr(figure, "to_plotly_json") else figure["data"]
    return [str(y) for trace in data if trace["type"] == "bar" for y in trace["y"]]


def test_page_is_registered_second_in_the_navigation(request_context):
    page = next(p for p in dash.page_registry.values() if p["path"] == "/compare")
    assert page["order"] == 1 and page["name"] == "Compare"
    assert page["title"].startswith("Compare councils")


def test_default_layout_ranks_a_council_and_its_15_neighbours(request_context):
    layout = compare_layout()
    bars = bar_names(find(layout, ids.COMPARE_BARS).figure)
    assert len(bars) == 16
    assert any("Birmingham" in b for b in bars)
    assert find(layout, ids.COMPARE_INDICATOR).value == "pct_65_plus"
    assert find(layout, ids.COMPARE_MODE).value == "neighbours"
    assert "16 of 16 chosen councils have a value" in text_of(find(layout,
                                                                   ids.COMPARE_COVERAGE))
    assert len(find(layout, ids.COMPARE_TABLE).rowData) == 16


def test_url_parameters_set_the_region_indicator_wave_and_tab(request_context):
    layout = compare_layout(region=SOUTH_EAST, indicator="pct_agree_funding", wave="2023",
                            tab="table", x="pct_85_plus", y="cap_overall")
    assert find(layout, ids.COMPARE_MODE).value == "region"
    assert find(layout, ids.COMPARE_REGION).value == SOUTH_EAST
    assert find(layout, ids.COMPARE_WAVE).value == "2023"
    assert find(layout, ids.COMPARE_TABS).active_tab == "table"
    assert (find(layout, ids.COMPARE_X).value, find(layout, ids.COMPARE_Y).value) == (
        "pct_85_plus", "cap_overall")
    assert find(layout, ids.COMPARE_REGION_BOX).style == {}
    assert find(layout, ids.COMPARE_FOCUS_BOX).style == {"display": "none"}
    # Survey figures of single councils are sparse: the page says so and suggests other views.
    coverage = text_of(find(layout, ids.COMPARE_COVERAGE))
    assert "of 19 chosen councils have a value" in coverage
    assert "synthetic demo data" in coverage and "context indicator" in coverage
    no_value = text_of(find(layout, ids.COMPARE_NO_VALUE))
    assert "Suppressed (fewer than 5 organisations)" in no_value or "No response" in no_value
    assert len(find(layout, ids.COMPARE_TABLE).rowData) == 19


def test_view_callback_draws_one_bar_per_council_with_a_value(request_context):
    chosen = [HULL, BIRMINGHAM, STAFFORDSHIRE]
    out = page_module().update_view("councils", None, None, chosen, "imd_average_score",
                                    "2019")
    bars_figure, caption = out[2], out[3]
    assert len(bar_names(bars_figure)) == 3
    assert "highest first" in caption
    assert len(out[10]) == 3  # table rows


def test_survey_callback_lists_suppressed_councils_under_the_chart(request_context):
    chosen = [STAFFORDSHIRE, HULL, BIRMINGHAM]
    out = page_module().update_view("councils", None, None, chosen, "pct_agree_funding",
                                    "2023")
    stored = db.read_values(services.engine(), "pct_agree_funding", "2023").set_index(
        "area_code")
    n_values = int((stored.loc[chosen, "status"] == "value").sum())
    assert len(bar_names(out[2])) == n_values
    listed = text_of(out[4])
    names = councils(services.data_dir()).set_index("code")["name"]
    for code in chosen:
        if stored.at[code, "status"] != "value":
            assert f"{names[code]}  — {STATUS_LABELS[stored.at[code, 'status']]}" in listed


def test_funnel_callback_draws_both_pairs_of_limits(request_context):
    out = page_module().update_view("neighbours", BIRMINGHAM, None, None, "pct_65_plus",
                                    "mid-2020")
    names = [t["name"] for t in out[6].to_plotly_json()["data"]]
    assert names.count("95% control limits") == 2
    assert names.count("99.8% control limits") == 2
    assert "control limits" in out[8]


def test_funnel_tab_explains_when_there_is_no_funnel(request_context):
    layout = compare_layout(indicator="ascof_2a1", tab="funnel")
    note = text_of(find(layout, ids.COMPARE_FUNNEL_NOTE))
    assert note.startswith("No funnel plot") and "rate" in note


def test_scatter_callback_reports_spearman_and_n(request_context):
    figure, caption, _table, missing = page_module().update_scatter(
        "neighbours", HULL, None, None, "imd_average_score", "pct_65_plus", "mid-2020")
    assert "Spearman" in caption and "n = 16" in caption
    assert len(figure.data[0].x) == 16
    assert missing == []


def test_url_callback_writes_the_whole_view(request_context):
    search = page_module().update_url("councils", BIRMINGHAM, SOUTH_EAST, [HULL, BIRMINGHAM],
                                      "cap_overall", "2023", "pct_85_plus", "cap_overall",
                                      "scatter")
    assert search == (f"?indicator=cap_overall&wave=2023&councils={HULL},{BIRMINGHAM}"
                      "&x=pct_85_plus&y=cap_overall&tab=scatter")


def test_wave_options_follow_the_indicator(request_context):
    options, value = page_module().update_waves("cap_overall", "mid-2020")
    assert [o["value"] for o in options] == ["2025", "2023"] and value == "2025"
    assert "synthetic demo data" in options[0]["label"]


def test_csv_holds_the_chosen_councils_and_the_licence(request_context):
    result = page_module().on_download_csv(1, "councils", None, None,
                                           [HULL, STAFFORDSHIRE], "pct_agree_funding", "2023")
    assert result["filename"].endswith(".csv")
    text = base64.b64decode(result["content"]).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["area_code"] for r in rows] == [HULL, STAFFORDSHIRE]
    assert {r["period"] for r in rows} == {"2023"}
    assert rows[0][LICENCE_COLUMN] and rows[0][CITATION_COLUMN]
    assert {r["synthetic"] for r in rows} == {"True"}


@pytest.mark.parametrize("params", [{"councils": "x" * 5000}, {"neighbours": "<script>"},
                                    {"region": "'; drop table"}, {"tab": "../../etc"}])
def test_hostile_parameters_fall_back_to_the_default_view(request_context, params):
    layout = compare_layout(**params)
    assert find(layout, ids.COMPARE_MODE).value == "neighbours"
    assert find(layout, ids.COMPARE_FOCUS).value == BIRMINGHAM
