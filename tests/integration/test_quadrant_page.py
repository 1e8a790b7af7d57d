"""The quadrant page on the shipped data: layout from URL parameters, callbacks, CSV download."""

from __future__ import annotations

import base64
import io
from urllib.parse import parse_qsl

import pandas as pd
import pytest

from pages import ids
from pages import quadrant as page
from sasci_map.db import read_values
from tests.layout_tools import find, text_of

CLUSTERS = ("collaboration", "leadership", "knowledge", "resources", "culture")
EQUAL = [0.2] * 5
ZERO = [0] * 5


def _points(figure) -> int:
    return sum(len(trace.x) for trace in figure.data)


def _outputs(level="region", wave="2025", x_measure="score", weights=EQUAL) -> dict:
    names = ["figure", "caption", "note", "message", *CLUSTERS, "rows", "summary",
             "unplaced", "unplaced_style", "search"]
    return dict(zip(names, page.update_view(level, wave, x_measure, *weights), strict=True))


def test_the_page_is_served(client):
    response = client.get("/quadrant")
    assert response.status_code == 200


def test_default_layout_shows_regions_and_says_why(request_context):
    layout = page.layout()
    assert find(layout, ids.QUAD_LEVEL).value == "region"
    assert find(layout, ids.QUAD_WAVE).value == "2025"
    assert "Showing regions because only" in text_of(find(layout, ids.QUAD_LEVEL_NOTE))
    assert _points(find(layout, ids.QUAD_GRAPH).figure) == 9
    assert len(find(layout, ids.QUAD_TABLE).rowData) == 9
    assert find(layout, ids.QUAD_SHARE_CULTURE).children == "20 %"
    assert "synthetic demo data" in text_of(layout)
    assert find(layout, ids.QUAD_UNPLACED_TABLE).style == {"display": "none"}
    assert "/methods#capacity-index" in str(layout.to_plotly_json())


def test_layout_restores_the_view_from_url_parameters(request_context):
    layout = page.layout(level="region", wave="2023", x="index", w_collaboration="3",
                         w_leadership="1", w_knowledge="0", w_resources="0", w_culture="0")
    assert find(layout, ids.QUAD_WAVE).value == "2023"
    assert find(layout, ids.QUAD_X_MEASURE).value == "index"
    assert find(layout, ids.QUAD_W_COLLABORATION).value == 3.0
    assert find(layout, ids.QUAD_SHARE_COLLABORATION).children == "75 %"
    assert find(layout, ids.QUAD_SHARE_LEADERSHIP).children == "25 %"
    figure = find(layout, ids.QUAD_GRAPH).figure
    assert "Composite capacity index" in figure.layout.xaxis.title.text
    assert _points(figure) == 9


def test_bad_url_parameters_fall_back_to_defaults(request_context):
    layout = page.layout(level="parish", wave="1999", x="<script>", w_culture="abc",
                         w_leadership="-1")
    assert find(layout, ids.QUAD_WAVE).value == "2025"
    assert find(layout, ids.QUAD_X_MEASURE).value == "score"
    assert find(layout, ids.QUAD_W_CULTURE).value == 0.2
    assert _points(find(layout, ids.QUAD_GRAPH).figure) == 9


def test_councils_chosen_in_the_url_are_listed_with_reasons(request_context, engine):
    layout = page.layout(level="council")
    assert find(layout, ids.QUAD_LEVEL).value == "council"
    unplaced = find(layout, ids.QUAD_UNPLACED_TABLE).rowData
    council_rows = read_values(engine, "cap_overall", period="2025", area_level="council")
    n_values = int((council_rows["status"] == "value").sum())
    assert len(unplaced) >= 153 - n_values > 140
    assert "Few councils to compare" in text_of(find(layout, ids.QUAD_LEVEL_NOTE))


def test_changing_weights_recomputes_shares_ranks_and_url(request_context):
    before = _outputs()
    after = _outputs(weights=[0, 1, 0, 0, 0])
    assert (after["leadership"], after["culture"]) == ("100 %", "0 %")
    ranks_before = {r["area"]: r["rank"] for r in before["rows"]}
    ranks_after = {r["area"]: r["rank"] for r in after["rows"]}
    assert ranks_before != ranks_after and sorted(ranks_after.values()) == list(range(1, 10))
    params = dict(parse_qsl(after["search"].lstrip("?")))
    assert params == {"level": "region", "wave": "2025", "x": "score", "w_collaboration": "0",
                      "w_leadership": "1", "w_knowledge": "0", "w_resources": "0",
                      "w_culture": "0"}
    assert after["message"] == ""


@pytest.mark.parametrize("x_measure", ["score", "index"])
def test_all_zero_weights_give_a_message_not_a_crash(request_context, x_measure):
    out = _outputs(x_measure=x_measure, weights=ZERO)
    assert "All five weights are zero" in out["message"]
    assert [out[c] for c in CLUSTERS] == ["–"] * 5
    assert all(r["rank"] is None for r in out["rows"])
    assert _points(out["figure"]) == (9 if x_measure == "score" else 0)


def test_an_empty_weight_box_is_named(request_context):
    out = _outputs(weights=[0.2, 0.2, None, 0.2, 0.2])
    assert "knowledge" in out["message"]


def test_reset_puts_equal_weights_back():
    assert page.on_reset_weights(1) == (0.2, 0.2, 0.2, 0.2, 0.2)


def test_csv_download_has_every_area_and_the_licence(request_context):
    sent = page.on_download_csv(1, "region", "2023", "index", 1, 1, 1, 1, 1)
    assert sent["filename"] == "sasci-capacity-support-region-2023.csv"
    frame = pd.read_csv(io.BytesIO(base64.b64decode(sent["content"])))
    assert len(frame) == 9 and frame["synthetic"].all()
    assert frame["licence"].str.contains("Open Government Licence").all()
    assert (frame["period"] == 2023).all() and (frame["x_measure"] == "index").all()
    assert frame["rank"].notna().all()
