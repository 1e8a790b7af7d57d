"""Integration: the Methods page lays out every indicator definition and every method section."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from sasci_map import palette
from sasci_map.config import DEFAULT_DATA_DIR
from tests.layout_tools import find, find_all, text_of

SECTION_IDS = ("intervals", "benchmarking", "suppression", "states", "classing",
               "capacity-index", "neighbours", "funnel", "trends", "sources", "synthetic")
SURVEY_REGISTRY = DEFAULT_DATA_DIR / "survey" / "indicators.csv"
CONTEXT_REGISTRY = DEFAULT_DATA_DIR / "context" / "indicators.csv"
DEMO_SURVEY = DEFAULT_DATA_DIR / "survey" / "demo" / "survey.csv"


def registry(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture
def methods_layout(request_context):
    return sys.modules["pages.methods"].layout()


def article(layout, indicator_id: str):
    found = find(layout, f"indicator-{indicator_id}")
    assert found is not None, f"no anchor indicator-{indicator_id} on the Methods page"
    return found


def test_page_is_registered_for_the_navigation(request_context):
    import dash

    page = dash.page_registry["pages.methods"]
    assert page["path"] == "/methods"
    assert page["order"] == 8
    assert page["name"] == "Methods"
    assert page["title"] == "Methods and definitions — SASCI capacity map"


@pytest.mark.parametrize("path", [SURVEY_REGISTRY, CONTEXT_REGISTRY], ids=["survey", "context"])
def test_every_registered_indicator_has_its_anchor_title_and_definition(methods_layout, path):
    rows = registry(path)
    assert len(rows) > 10
    for rec in rows.itertuples(index=False):
        text = text_of(article(methods_layout, rec.indicator_id))
        assert rec.title in text
        assert rec.definition in text
        assert rec.unit in text


def test_survey_definitions_give_the_rule_minimum_levels_and_waves(methods_layout):
    partnerships = text_of(article(methods_layout, "pct_agree_partnerships"))
    assert "4 or more (Agree or Strongly agree)" in partnerships
    assert "5 responding organisations" in partnerships
    assert "councils, regions and England" in partnerships
    assert "2023, 2025" in partnerships
    assert "collab_partnerships" in partnerships  # the survey item it reads
    providers = text_of(article(methods_layout, "cap_overall_providers"))
    assert "regions and England" in providers and "councils, regions" not in providers
    assert "care providers" in providers


def test_context_definitions_name_their_source_columns(methods_layout):
    share = text_of(article(methods_layout, "pct_65_plus"))
    assert "aged_65_plus" in share and "all_ages" in share and "mid-2020" in share
    ascof = text_of(article(methods_layout, "ascof_1a"))
    assert "ASCOF measure 1A" in ascof and "2020-21" in ascof


def test_indicators_are_grouped_by_domain(methods_layout):
    rows = pd.concat([registry(SURVEY_REGISTRY), registry(CONTEXT_REGISTRY)])
    for rec in rows.itertuples(index=False):
        group = find(methods_layout, f"domain-{rec.domain}")
        assert group is not None, rec.domain
        assert find(group, f"indicator-{rec.indicator_id}") is not None
    capacity = find(methods_layout, "domain-capacity")
    assert find(capacity, "indicator-pop_all_ages") is None


def test_every_section_exists_and_the_contents_link_to_it(methods_layout):
    from pages import ids

    toc = find(methods_layout, ids.METHODS_TOC)
    hrefs = [a.href for a in find_all(toc, lambda c: type(c).__name__ == "A")]
    for section in ("indicators", *SECTION_IDS):
        assert find(methods_layout, section) is not None, section
        assert f"#{section}" in hrefs


def test_interval_section_gives_formulas_and_which_indicators_use_them(methods_layout):
    section = find(methods_layout, "intervals")
    text = text_of(section)
    for words in ("Wilson score interval", "Byar", "Student's t", "χ²(α/2; 2k) / 2",
                  "t(1 − α/2; n − 1) × s / √n", "z = 1.960", "z = 3.090"):
        assert words in text
    links = [a.href for a in find_all(section, lambda c: type(c).__name__ == "A")]
    survey = registry(SURVEY_REGISTRY)
    for rec in survey.itertuples(index=False):
        assert f"#indicator-{rec.indicator_id}" in links


def test_benchmarking_uses_polarity_words(methods_layout):
    text = text_of(find(methods_layout, "benchmarking"))
    for words in ("Better than England", "Worse than England", "Higher than England",
                  "Similar to England", "Lower is better", "wholly above"):
        assert words in text


def test_suppression_states_and_classing(methods_layout):
    suppression = text_of(find(methods_layout, "suppression"))
    assert "fewer than 5 responding organisations" in suppression
    assert "secondary suppression" in suppression.lower()
    assert "cap_overall_providers" in suppression  # pooled to region
    states = find(methods_layout, "states")
    assert all(label in text_of(states) for label in palette.STATUS_LABELS.values())
    swatches = {c.style["background"] for c in find_all(
        states, lambda c: "legend-swatch" in (getattr(c, "className", "") or ""))}
    assert set(palette.STATUS_COLOURS.values()) | set(palette.SEQUENTIAL_5) <= swatches
    classing = text_of(find(methods_layout, "classing"))
    for name in ("Quintiles", "Equal intervals", "Fisher-Jenks", "Continuous",
                 "Compared with England"):
        assert name in classing


def test_method_texts_of_index_neighbours_funnel_and_trends(methods_layout):
    assert "standardised" in text_of(find(methods_layout, "capacity-index"))
    assert "NHS England" in text_of(find(methods_layout, "neighbours"))
    funnel = text_of(find(methods_layout, "funnel"))
    assert "95%" in funnel and "99.8%" in funnel and "England" in funnel
    assert "Newcombe" in text_of(find(methods_layout, "trends"))


def test_sources_carry_os_and_ogl_attribution(methods_layout):
    text = text_of(find(methods_layout, "sources"))
    assert "Contains OS data © Crown copyright and database right" in text
    assert "Open Government Licence v3.0" in text
    for publisher in ("Office for National Statistics", "NHS Digital",
                      "Ministry of Housing, Communities and Local Government"):
        assert publisher in text


def test_synthetic_notice_counts_the_demo_respondents(methods_layout):
    demo = pd.read_csv(DEMO_SURVEY, dtype=str)
    text = text_of(find(methods_layout, "synthetic"))
    assert "synthetic demo data" in text
    assert "not real responses" in text
    for wave, people in demo.groupby("wave")["respondent_id"].nunique().items():
        assert f"Survey wave {wave}: synthetic demo data, {people:,} synthetic respondents" in text
