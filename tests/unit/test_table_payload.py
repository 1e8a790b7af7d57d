"""The map table's compact rows: decoded, they are the rows; encoded, each text is sent once."""

from __future__ import annotations

import json

from sasci_map.table_payload import council_names, decode_rows, encode_rows

NAMES = {"E06000001": ["Hartlepool", "North East"], "E06000002": ["Middlesbrough", "North East"]}
ROWS = [
    {"code": "E06000001", "council": "Hartlepool", "region": "North East", "value": 35.0412,
     "lower": None, "upper": None, "rank": 9, "denominator": 92338.0,
     "status": "Value", "vs_england": "Not compared", "reason": ""},
    {"code": "E06000002", "council": "Middlesbrough", "region": "North East", "value": None,
     "lower": None, "upper": None, "rank": None, "denominator": None,
     "status": "Suppressed (fewer than 5 organisations)", "vs_england": "",
     "reason": "fewer than 5 responding organisations"},
]


def test_decoded_rows_are_the_rows_at_the_precision_shown():
    decoded = decode_rows(encode_rows(ROWS, NAMES), NAMES)
    expected = [dict(r, value=round(r["value"], 2) if r["value"] else None,
                     denominator=92338 if r["denominator"] else None) for r in ROWS]
    assert [dict(sorted(r.items())) for r in decoded] == \
        [dict(sorted(r.items())) for r in expected]


def test_names_and_repeated_texts_are_not_sent_per_row():
    payload = encode_rows(ROWS * 50, NAMES)
    text = json.dumps(payload)
    assert "Hartlepool" not in text and payload["names"] is True
    assert text.count("fewer than 5 responding organisations") == 1
    assert payload["rows"][1] == ["E06000002", 0, 0, 1]  # no trailing empty cells
    assert len(text) < len(json.dumps(ROWS * 50)) / 4


def test_rows_that_are_not_councils_keep_their_names():
    regions = [{"code": "E12000001", "region": "North East", "councils": 12, "value": 3.5,
                "status": "Value"}]
    payload = encode_rows(regions, NAMES)
    assert payload["names"] is False
    assert decode_rows(payload, NAMES) == regions


def test_council_names_cover_every_council():
    names = council_names()
    assert len(names) == 153 and names["E06000001"] == ["Hartlepool", "North East"]


def test_no_rows():
    assert decode_rows(encode_rows([], NAMES), NAMES) == []
