"""The innovation pages' frames, checked against the inventory CSVs read independently."""

from __future__ import annotations

import pandas as pd
import pytest

from sasci_map import db, inventory, survey_store
from sasci_map import innovation_figures as figures
from sasci_map import innovation_views as views
from sasci_map.choropleth import MISSING_TRACE, VALUES_TRACE, apply_updates, map_figure
from sasci_map.db import make_engine
from sasci_map.geography import councils, regions

YEAR = 2026


def _load(engine, items: pd.DataFrame, places: pd.DataFrame) -> None:
    survey_store.replace_inventory(engine, "innovations", items, places,
                                   {"source_file": "test", "content_hash": "x",
                                    "imported_at": survey_store.imported_at()})


def _new_engine():
    engine = make_engine("sqlite://")
    db.create_schema(engine)
    survey_store.create_survey_schema(engine)
    db.load_geography(engine, councils(), regions())
    return engine


@pytest.fixture(scope="module")
def engine():
    """In-memory SQLite holding the bundled inventory (read from its CSVs, not the demo file)."""
    eng = _new_engine()
    _load(eng, inventory.innovations(), inventory.innovation_councils())
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def tiny():
    """Two innovations, four councils, hand-made years: every number below is by hand."""
    eng = _new_engine()
    base = inventory.innovations().set_index("innovation_id")
    items = base.loc[["inn_shared_lives", "inn_homeshare"]].reset_index()
    places = pd.DataFrame({
        "innovation_id": ["inn_shared_lives"] * 3 + ["inn_homeshare"] * 2,
        "council_code": ["E06000001", "E06000002", "E08000010", "E06000001", "E09000001"],
        "start_year": pd.array([2012, 2015, 2011, 2015, 2020], dtype="Int64"),
        "end_year": pd.array([None, 2017, None, None, None], dtype="Int64"),
        "source": ["synthetic demo data"] * 2 + ["a report", "synthetic demo data", "x"],
        "synthetic": [True, True, False, True, True],
    })
    _load(eng, items, places)
    yield eng
    eng.dispose()


def test_table_lists_every_innovation_with_labels_not_codes(engine):
    table = views.innovation_table(engine, year=YEAR)
    items = inventory.innovations()
    assert list(table.columns) == views.TABLE_COLUMNS
    assert sorted(table["innovation_id"]) == sorted(items["innovation_id"])
    assert table["name"].tolist() == sorted(items["name"])
    stage_labels = set(inventory.typology("stage")["label"])
    assert set(table["stage"]) <= stage_labels
    row = table.set_index("innovation_id").loc["inn_shared_lives"]
    assert row["innovation_type"] == "Care model or service"
    assert row["client_groups"].split("; ")[0] == "Learning disability"
    assert row["evidence_level"] == "Comparative study"


def test_counts_match_the_adoption_csv(engine):
    table = views.innovation_table(engine, year=YEAR).set_index("innovation_id")
    places = inventory.innovation_councils()
    ended = places["end_year"].notna() & (places["end_year"] < YEAR)
    expected_now = places.loc[~ended.astype(bool)].groupby("innovation_id").size()
    pd.testing.assert_series_equal(table["councils_in_use"].sort_index(),
                                   expected_now.sort_index(), check_names=False,
                                   check_dtype=False)
    assert table["councils_ever"].sum() == len(places)
    assert table["demo_adoption_rows"].sum() == places["synthetic"].sum()
    assert table["synthetic"].all()  # every innovation has demo council rows
    assert table.loc["inn_wigan_deal", "demo_adoption_rows"] == (
        table.loc["inn_wigan_deal", "adoption_rows"] - 1)  # Wigan's own row is real


@pytest.mark.parametrize("key", list(views.FACETS))
def test_each_facet_keeps_exactly_the_rows_with_a_chosen_code(engine, key):
    items = inventory.innovations()
    facet = views.FACETS[key]
    for code in inventory.typology(facet.typology)["code"]:
        expected = {r.innovation_id for r in items.itertuples(index=False)
                    if any(code in getattr(r, c).split(";") for c in facet.columns)}
        got = set(views.innovation_table(engine, {key: [code]})["innovation_id"])
        assert got == expected, (key, code)


def test_facets_combine_with_and_codes_within_a_facet_with_or(engine):
    items = inventory.innovations()
    either = views.innovation_table(engine, {"stage": ["piloting", "sustained"]})
    assert set(either["innovation_id"]) == set(
        items.loc[items["stage"].isin(["piloting", "sustained"]), "innovation_id"])
    both = views.innovation_table(engine, {"stage": ["piloting", "sustained"],
                                           "innovation_type": ["technology"]})
    assert both["innovation_id"].tolist() == ["inn_proactive_care_technology"]
    assert views.innovation_table(engine, {"stage": []}).shape[0] == len(items)


def test_text_search_matches_all_words_in_any_case(engine):
    assert views.innovation_table(engine, text="SHARED lives CARER")["name"].tolist() == [
        "Shared Lives"]
    # a label ("Technology supplier" is a partner actor) and a description word
    found = views.innovation_table(engine, text="technology supplier")
    assert "inn_proactive_care_technology" in set(found["innovation_id"])
    assert views.innovation_table(engine, text="no such thing zzz").empty


def test_unknown_facet_or_code_is_refused(engine):
    with pytest.raises(ValueError, match="unknown facet 'colour'"):
        views.innovation_table(engine, {"colour": ["red"]})
    with pytest.raises(ValueError, match=r"unknown stage codes \['dreaming'\]"):
        views.innovation_table(engine, {"stage": ["dreaming"]})


def test_councils_in_use_counts_each_councils_selected_innovations(engine):
    chosen = ["inn_shared_lives", "inn_homeshare", "inn_wigan_deal"]
    frame = views.councils_in_use(engine, chosen, year=YEAR)
    assert len(frame) == 153 and frame["code"].is_unique
    places = inventory.innovation_councils()
    live = places.loc[places["innovation_id"].isin(chosen)
                      & ~(places["end_year"].notna() & (places["end_year"] < YEAR)).astype(bool)]
    expected = live.groupby("council_code").size()
    got = frame.set_index("code")["innovations_in_use"]
    assert got[got > 0].sort_index().to_dict() == expected.sort_index().to_dict()
    assert (got == 0).sum() == 153 - len(expected)
    wigan = frame.set_index("code").loc["E08000010"]
    assert "The Wigan Deal" in wigan["innovations"]
    assert frame["innovations_in_use"].is_monotonic_decreasing


def test_councils_in_use_of_nothing_is_all_zero_and_unknown_ids_fail(engine):
    frame = views.councils_in_use(engine, [], year=YEAR)
    assert frame["innovations_in_use"].eq(0).all() and frame["innovations"].eq("").all()
    with pytest.raises(ValueError, match="unknown innovation ids"):
        views.councils_in_use(engine, ["inn_nope"])


def test_adoption_by_year_by_hand(tiny):
    frame = views.adoption_by_year(tiny, "inn_shared_lives").set_index("year")
    assert views.adoption_years(tiny) == (2011, 2020)
    assert frame.index.tolist() == list(range(2011, 2021))
    assert frame.loc[2011].tolist() == [1, 0, 1, 1, 0]   # started ended in_use ever demo
    assert frame.loc[2015].tolist() == [1, 0, 3, 3, 2]
    assert frame.loc[2017].tolist() == [0, 1, 3, 3, 2]   # the end year still counts
    assert frame.loc[2018].tolist() == [0, 0, 2, 3, 1]
    with pytest.raises(ValueError, match="unknown innovation id 'inn_x'"):
        views.adoption_by_year(tiny, "inn_x")


def test_adoption_by_year_matches_the_csv(engine):
    places = inventory.innovation_councils()
    mine = places.loc[places["innovation_id"] == "inn_shared_lives"]
    frame = views.adoption_by_year(engine, "inn_shared_lives").set_index("year")
    last = frame.index.max()
    assert frame.loc[last, "ever_adopted"] == len(mine)
    assert frame["started"].sum() == len(mine)
    assert frame.loc[last, "in_use"] == len(mine) - (mine["end_year"] < last).sum()


def test_councils_in_year_statuses_by_hand(tiny):
    frame = views.councils_in_year(tiny, "inn_shared_lives", 2015).set_index("code")
    assert len(frame) == 153
    assert frame.loc["E06000002", "status"] == views.STARTED
    assert frame.loc["E06000001", "status"] == views.IN_USE
    assert frame.loc["E09000001", "status"] == views.NO_RECORD
    later = views.councils_in_year(tiny, "inn_shared_lives", 2011).set_index("code")
    assert later.loc["E06000001", "status"] == views.LATER
    ended = views.councils_in_year(tiny, "inn_shared_lives", 2018).set_index("code")
    assert ended.loc["E06000002", "status"] == views.ENDED
    assert ended.loc["E06000002", "end_year"] == 2017


def test_count_classes_are_integer_ranges():
    assert figures.count_classes(0) == []
    assert figures.count_classes(3) == [(1, 1), (2, 2), (3, 3)]
    assert figures.count_classes(15) == [(1, 4), (5, 8), (9, 12), (13, 15)]
    for top in range(1, 40):
        classes = figures.count_classes(top)
        covered = [n for lo, hi in classes for n in range(lo, hi + 1)]
        assert covered == list(range(1, top + 1)) and len(classes) <= 4


def test_count_map_draws_every_council_and_names_the_unit(tiny):
    frame = views.councils_in_use(tiny, ["inn_shared_lives", "inn_homeshare"], year=2016)
    state = figures.count_map_state(frame, 2)
    figure = map_figure("/geo.json", state)
    none, some = figure["data"][MISSING_TRACE], figure["data"][VALUES_TRACE]
    assert sorted(none["locations"] + some["locations"]) == sorted(frame["code"])
    assert dict(zip(some["locations"], some["z"], strict=True)) == {
        "E06000001": 1, "E06000002": 0, "E08000010": 0}
    assert some["colorbar"]["ticktext"] == ["1", "2"]
    assert "in use" in some["colorbar"]["title"]["text"]
    labels = [(r["label"], r["count"]) for r in state["legend"]]
    assert labels == [("1 innovation in use", 2), ("2 innovations in use", 1),
                      ("none of the selected in use", 150)]
    assert none["colorscale"][0][1] == figures.NONE_COLOUR
    assert "150 have none" in state["caption"] and "3 of 153" in state["caption"]


def test_spread_map_colours_each_status(tiny):
    frame = views.councils_in_year(tiny, "inn_shared_lives", 2018)
    state = figures.spread_map_state(frame, 2018)
    figure = apply_updates(map_figure("/geo.json", state), [])
    values = figure["data"][VALUES_TRACE]
    assert dict(zip(values["locations"], values["z"], strict=True)) == {
        "E08000010": 1, "E06000001": 1, "E06000002": 2}
    assert state["counts"][views.ENDED] == 1 and state["counts"][views.NO_RECORD] == 150
    assert "2 councils had it in use" in state["caption"]
    assert "ended before 2018" in values["colorbar"]["ticktext"]


def test_spread_chart_highlights_the_year(tiny):
    by_year = views.adoption_by_year(tiny, "inn_shared_lives")
    fig = figures.spread_chart(by_year, 2015, "Shared Lives")
    bars, line = fig.data
    assert list(bars.y) == by_year["in_use"].tolist()
    assert list(line.y) == by_year["ever_adopted"].tolist()
    colours = list(bars.marker.color)
    assert colours[list(bars.x).index(2015)] == figures.CHART_HIGHLIGHT
    assert colours.count(figures.CHART_HIGHLIGHT) == 1


def test_innovation_detail_gives_labels_definitions_and_councils(tiny):
    detail = views.innovation_detail(tiny, "inn_shared_lives", year=2018)
    assert detail["name"] == "Shared Lives" and detail["synthetic"] is False
    facets = {e["facet"]: e["label"] for e in detail["typology"]}
    assert facets == {"Type": "Care model or service", "SASCI journey": "Social innovation",
                      "Stage": "Sustained", "Change": "Transformative",
                      "Evidence level": "Comparative study"}
    assert all(e["definition"] for e in detail["typology"])
    assert detail["lead_actor"]["label"] == "Council"
    assert [e["label"] for e in detail["partner_actors"]] == [
        "Care provider", "Voluntary and community sector", "People with lived experience"]
    assert len(detail["client_groups"]) == 5
    by_code = {r["code"]: r for r in detail["councils"]}
    assert set(by_code) == {"E06000001", "E06000002", "E08000010"}
    assert by_code["E06000002"]["end_year"] == 2017 and by_code["E06000001"]["end_year"] is None
    assert (detail["n_in_use"], detail["n_ever"], detail["n_demo"]) == (2, 3, 2)
    assert views.innovation_detail(tiny, "inn_missing") is None


def test_close_ids_suggest_by_id_or_name(engine):
    assert views.close_ids(engine, "inn_shared_live")[0] == ("inn_shared_lives", "Shared Lives")
    assert views.close_ids(engine, "homeshare")[0][0] == "inn_homeshare"
    assert views.close_ids(engine, "qqqqqqqq") == []


def test_to_records_gives_plain_values(tiny):
    rows = views.to_records(views.councils_in_year(tiny, "inn_shared_lives", 2018))
    row = next(r for r in rows if r["code"] == "E06000002")
    assert row["end_year"] == 2017 and type(row["end_year"]) is int
    assert next(r for r in rows if r["code"] == "E09000001")["start_year"] is None


def test_an_empty_inventory_gives_empty_frames_not_errors():
    eng = _new_engine()
    try:
        assert views.innovation_table(eng).empty
        frame = views.councils_in_use(eng, [])
        assert len(frame) == 153 and frame["innovations_in_use"].eq(0).all()
        assert "0 of 153 councils have at least one" in figures.count_map_state(frame, 0)["caption"]
        assert views.adoption_years(eng) == (views.current_year(), views.current_year())
        assert views.close_ids(eng, "anything") == []
    finally:
        eng.dispose()
