"""Table rows in a compact form for the browser: numbers per row, texts and names once.

The map page's table has one row per council. Sent as row objects, an indicator change would
carry every council's name, region and status text again (about 35 KB). :func:`encode_rows`
sends instead the row values in a fixed field order, each repeated text once (a row holds its
index), numbers at the precision the table shows, and no trailing empty cells; council and
region names are left out when every row is a council, the page holding them once
(:func:`council_names`). ``assets/map_table.js`` rebuilds the same row objects in the
browser; :func:`decode_rows` is its Python twin, for tests.
"""

from __future__ import annotations

import functools
from pathlib import Path

from sasci_map.geography import councils

#: Fields whose values are texts sent once each (a row holds the index of its text).
LABEL_FIELDS = ("status", "vs_england", "reason", "coverage")
#: Fields the browser fills in from :func:`council_names`, by the row's ``code``.
NAME_FIELDS = ("council", "region")
#: Decimals the table shows (its number formatter, ``pages.map.NUMBER``, uses the same).
TABLE_DECIMALS = 2


def council_names(data_dir: Path | None = None) -> dict[str, list[str]]:
    """Return ``{code: [council name, region name]}`` of the 153 councils (a copy)."""
    return dict(_council_names(data_dir))


@functools.lru_cache(maxsize=4)
def _council_names(data_dir: Path | None) -> dict[str, list[str]]:
    frame = councils(data_dir)
    return {r.code: [r.name, r.region_name] for r in frame.itertuples(index=False)}


def _compact(value):
    """Round floats to the shown precision; an integral float becomes an int."""
    if isinstance(value, float):
        value = round(value, TABLE_DECIMALS)
        return int(value) if value.is_integer() else value
    return value


def encode_rows(rows: list[dict], names: dict[str, list[str]]) -> dict:
    """Encode table rows (dicts with the same keys, one with ``code``) for the browser.

    Returns
    -------
    dict
        ``fields`` (row value order), ``rows`` (lists, trailing ``None`` dropped), ``labels``
        (each label field's distinct texts) and ``names`` (True when the browser adds
        ``council`` and ``region`` from the page's council names).
    """
    if not rows:
        return {"fields": [], "rows": [], "labels": {}, "names": False}
    from_names = all(r.get("code") in names for r in rows)
    keys = [k for k in rows[0] if not (from_names and k in NAME_FIELDS)]
    # label fields first, then the others: empty cells gather at the end and are dropped
    fields = ([k for k in keys if k == "code"] + [k for k in keys if k in LABEL_FIELDS]
              + [k for k in keys if k != "code" and k not in LABEL_FIELDS])
    labels = {k: sorted({r[k] for r in rows}, key=str) for k in fields if k in LABEL_FIELDS}
    index = {k: {text: i for i, text in enumerate(texts)} for k, texts in labels.items()}
    encoded = []
    for row in rows:
        values = [index[k][row[k]] if k in index else _compact(row[k]) for k in fields]
        while values and values[-1] is None:
            values.pop()
        encoded.append(values)
    return {"fields": fields, "rows": encoded, "labels": labels, "names": from_names}


def decode_rows(payload: dict, names: dict[str, list[str]]) -> list[dict]:
    """Rebuild the row dicts from :func:`encode_rows` (what ``assets/map_table.js`` does)."""
    out = []
    for values in payload["rows"]:
        row = {}
        for i, field in enumerate(payload["fields"]):
            value = values[i] if i < len(values) else None
            texts = payload["labels"].get(field)
            row[field] = texts[value] if texts is not None and value is not None else value
        if payload["names"]:
            row["council"], row["region"] = names[row["code"]]
        out.append(row)
    return out
