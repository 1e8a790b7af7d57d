"""Small hand-made datasets for tests that load data of their own into an empty database."""

from __future__ import annotations

import pandas as pd

from sasci_map import db

HARTLEPOOL = "E06000001"
DARLINGTON = "E06000005"
ENGLAND = "E92000001"
SHARE_INDICATOR = "test_share"


def share_dataset(england: float, councils_values: dict[str, float]) -> db.Dataset:
    """A one-indicator context dataset: England and some councils' shares (%)."""
    definitions = pd.DataFrame([{
        "indicator_id": SHARE_INDICATOR, "title": "Test share (%)", "short_title": "Test share",
        "definition": "test", "domain": "context", "source": "test", "unit": "%",
        "polarity": "higher_is_better", "method": "test", "period": "2024", "sort_order": 1}])
    rows = [(ENGLAND, "england", england),
            *((code, "council", value) for code, value in councils_values.items())]
    values = pd.DataFrame([{
        "indicator_id": SHARE_INDICATOR, "area_code": code, "area_level": level,
        "period": "2024", "numerator": None, "denominator": None, "value": value,
        "lower": None, "upper": None, "status": "value", "status_reason": "",
        "source": "hand-made test"}
        for code, level, value in rows])
    return db.Dataset(key=SHARE_INDICATOR, title="t", source="t", publisher="t", vintage="t",
                      licence="t", files=(), definitions=definitions, values=values)
