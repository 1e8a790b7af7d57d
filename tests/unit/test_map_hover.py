"""Map hover text: shared lines in the template, per-council figures (or texts) in customdata."""

from __future__ import annotations

import math

import pandas as pd

from sasci_map.map_hover import state_hover, value_hover
from tests.layout_tools import hover_texts

PROPS = {"A": {"name": "Alpha", "region": "North"}, "B": {"name": "Beta", "region": "South"}}


def _texts(template: str, customdata: list) -> dict[str, str]:
    trace = {"hovertemplate": template, "customdata": customdata, "locations": ["A", "B"]}
    return hover_texts(trace, PROPS)


def test_lines_every_council_has_are_in_the_template_with_only_figures_per_council():
    valued = pd.DataFrame({"value": [12.5, 40.0], "lower": [10.0, 30.0], "upper": [15.0, 50.0],
                           "denominator": [8, 12], "rank": [2, 1], "n_ranked": [2, 2],
                           "vs_england": ["similar", "better"]})
    template, customdata = value_hover(valued, "%", organisations=True)
    assert "95% CI %{customdata[1]}" in template and "from %{customdata[2]} organisations" \
        in template and "Rank %{customdata[3]} of 2 (1 = highest)" in template
    assert customdata[0][:4] == ["12.5%", "10% – 15%", 8, 2]
    assert _texts(template, customdata)["A"] == (
        "<b>Alpha</b><br>North<br>Value: 12.5%<br>95% CI 10% – 15%<br>from 8 organisations"
        "<br>Rank 2 of 2 (1 = highest)<br>Similar to England")


def test_a_line_some_councils_lack_is_sent_as_text_and_left_out_where_absent():
    valued = pd.DataFrame({"value": [3.0, 4.25], "lower": [2.0, math.nan],
                           "upper": [4.0, math.nan], "vs_england": ["", "higher"]})
    template, customdata = value_hover(valued, "score 1-5", value_label="Region value")
    texts = _texts(template, customdata)
    assert texts["A"] == "<b>Alpha</b><br>North<br>Region value: 3 score 1-5<br>95% CI 2 score " \
        "1-5 – 4 score 1-5"
    assert texts["B"] == "<b>Beta</b><br>South<br>Region value: 4.2 score 1-5<br>Higher than " \
        "England"
    assert "organisations" not in template  # not a survey figure: its denominator is people


def test_a_layer_with_one_reason_sends_no_customdata():
    template, customdata = state_hover("suppressed", ["fewer than 5", "fewer than 5"])
    assert customdata == [] and template.endswith("<br>fewer than 5<extra></extra>")
    template, customdata = state_hover("missing", ["not published", "boundary change"])
    texts = _texts(template, customdata)
    assert texts["A"].endswith("Not available<br>not published")
    assert texts["B"].endswith("Not available<br>boundary change")
