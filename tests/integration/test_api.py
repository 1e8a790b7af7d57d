"""Integration: the read-only /api/v1/ on the session database (bundled data + demo survey)."""

from __future__ import annotations

import io
import json
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

import app as app_module
from pages import api, services
from sasci_map import exports
from sasci_map.db import read_definitions
from sasci_map.tidy import TIDY_COLUMNS

pytest.importorskip("dash")

NUMBERS = ["numerator", "denominator", "value", "lower", "upper"]
SURVEY_INDICATOR = "pct_agree_permission"
CONTEXT_INDICATOR = "ascof_1a"
#: Endpoint -> schema of its data rows in openapi.json.
ROW_SCHEMAS = {"indicators": "Indicator", "values": "ValueRow", "councils": "Council",
               "innovations": "Innovation", "infrastructure": "InfrastructureRow"}
DATA_URLS = {
    "indicators": "/api/v1/indicators",
    "values": f"/api/v1/values?indicator={SURVEY_INDICATOR}&wave=all",
    "councils": "/api/v1/councils",
    "innovations": "/api/v1/innovations",
    "infrastructure": "/api/v1/infrastructure",
}


def strict_json(response) -> dict:
    """Parse a response body as strict JSON: NaN or Infinity fail the test."""
    def refuse(token):
        raise AssertionError(f"non-standard JSON constant {token} in the response")

    return json.loads(response.get_data(as_text=True), parse_constant=refuse)


def get_ok(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    body = strict_json(response)
    assert set(body) == {"data", "meta"}
    assert body["meta"]["count"] == len(body["data"])
    return body


def check_meta(meta: dict, synthetic: bool) -> None:
    assert meta["synthetic"] is synthetic
    assert meta["synthetic_label"] == ("synthetic demo data" if synthetic else None)
    assert meta["licence"] == exports.licence_lines(synthetic)
    assert any("Open Government Licence" in line for line in meta["licence"])
    assert meta["citation"] == exports.CITATION
    assert meta["documentation"] == "/api/v1/openapi.json"
    assert datetime.fromisoformat(meta["generated_at"]).tzinfo is not None


# --- contract of each endpoint ------------------------------------------------------------


def test_indicators_lists_every_definition_with_metadata_and_periods(client, engine):
    body = get_ok(client, "/api/v1/indicators")
    definitions = read_definitions(engine)
    assert [row["id"] for row in body["data"]] == definitions["indicator_id"].tolist()
    for row in body["data"]:
        for field in ("id", "title", "short_title", "definition", "domain", "unit", "polarity",
                      "method", "source", "period", "dataset"):
            assert isinstance(row[field], str) and row[field], (row["id"], field)
        assert row["periods"], row["id"]
        assert row["latest_period"] == max(row["periods"])
    by_id = {row["id"]: row for row in body["data"]}
    assert by_id[SURVEY_INDICATOR]["periods"] == ["2023", "2025"]
    assert by_id[SURVEY_INDICATOR]["synthetic"] is True
    assert by_id[CONTEXT_INDICATOR]["synthetic"] is False
    check_meta(body["meta"], synthetic=True)


def test_values_at_council_level_give_all_153_councils_of_the_latest_wave(client, engine):
    body = get_ok(client, f"/api/v1/values?indicator={SURVEY_INDICATOR}")
    rows = body["data"]
    councils = exports.table_frame(engine, "councils")["code"].tolist()
    assert len(rows) == 153
    assert sorted(row["area_code"] for row in rows) == sorted(councils)
    assert all(list(row) == TIDY_COLUMNS for row in rows)
    assert {row["period"] for row in rows} == {"2025"}
    assert {row["area_level"] for row in rows} == {"council"}
    assert {row["status"] for row in rows} <= set(api.STATUSES)
    assert {row["status"] for row in rows} >= {"value", "suppressed"}
    for row in rows:
        if row["status"] == "value":
            assert row["value"] is not None and row["lower"] <= row["value"] <= row["upper"]
            assert row["status_reason"] == ""
        else:
            assert [row[c] for c in NUMBERS] == [None] * len(NUMBERS), row
            assert row["status_reason"]
    assert all(row["synthetic"] is True for row in rows)
    meta = body["meta"]
    assert meta["query"] == {"indicator": SURVEY_INDICATOR, "level": "council", "wave": "2025"}
    assert meta["waves_available"] == ["2023", "2025"]
    check_meta(meta, synthetic=True)


def test_values_match_the_library_table(client, engine, settings):
    body = get_ok(client, f"/api/v1/values?indicator={SURVEY_INDICATOR}&wave=2023")
    expected = exports.table_frame(engine, "indicators", [SURVEY_INDICATOR], ["council"],
                                   ["2023"], settings.data_dir)
    got = pd.DataFrame(body["data"], columns=TIDY_COLUMNS)
    assert got["area_code"].tolist() == expected["area_code"].tolist()
    assert got["status"].tolist() == expected["status"].tolist()
    for column in NUMBERS + ["england_value", "region_value"]:
        np.testing.assert_array_equal(got[column].astype(float), expected[column])


@pytest.mark.parametrize(("query", "levels", "periods", "n_rows"), [
    (f"indicator={SURVEY_INDICATOR}&level=region", {"region"}, {"2025"}, 9),
    (f"indicator={SURVEY_INDICATOR}&level=england", {"england"}, {"2025"}, 1),
    (f"indicator={SURVEY_INDICATOR}&wave=2023", {"council"}, {"2023"}, 153),
    (f"indicator={SURVEY_INDICATOR}&wave=all", {"council"}, {"2023", "2025"}, 306),
    (f"indicator={CONTEXT_INDICATOR}", {"council"}, {"2020-21"}, 153),
    (f"indicator={CONTEXT_INDICATOR}&level=england", set(), set(), 0),
])
def test_values_filter_by_level_and_wave(client, query, levels, periods, n_rows):
    rows = get_ok(client, f"/api/v1/values?{query}")["data"]
    assert len(rows) == n_rows
    assert {row["area_level"] for row in rows} == levels
    assert {row["period"] for row in rows} == periods


def test_context_values_are_not_synthetic(client):
    meta = get_ok(client, f"/api/v1/values?indicator={CONTEXT_INDICATOR}")["meta"]
    check_meta(meta, synthetic=False)


def test_councils_table_has_the_153_councils_and_is_not_synthetic(client):
    body = get_ok(client, "/api/v1/councils")
    assert len(body["data"]) == 153
    assert list(body["data"][0]) == ["code", "name", "council_type", "region_code",
                                     "region_name"]
    check_meta(body["meta"], synthetic=False)


@pytest.mark.parametrize("table", ["innovations", "infrastructure"])
def test_inventories_are_served_and_flagged_synthetic(client, engine, table):
    body = get_ok(client, f"/api/v1/{table}")
    assert len(body["data"]) == len(exports.table_frame(engine, table)) > 0
    check_meta(body["meta"], synthetic=True)


def test_head_and_options_answer_without_a_body(client):
    head = client.head("/api/v1/councils")
    assert head.status_code == 200 and head.get_data() == b""
    options = client.options("/api/v1/values")
    assert options.status_code == 204
    assert options.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_configure_twice_registers_the_api_once(settings, engine):
    services.configure(app_module.server, settings)
    services.configure(app_module.server, settings)
    rules = [r.rule for r in app_module.server.url_map.iter_rules()]
    assert rules.count("/api/v1/values") == 1


# --- CSV ------------------------------------------------------------------------------------


def as_csv_text(value) -> str:
    """Return what the CSV renderer writes for one JSON cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return exports.CSV_FLOAT_FORMAT % value
    if isinstance(value, list):
        return ";".join(value)
    return str(exports.neutralise(value))


@pytest.mark.parametrize("name", list(DATA_URLS))
def test_csv_round_trips_through_pandas_with_the_rows_of_the_json(client, name):
    url = DATA_URLS[name]
    rows = get_ok(client, url)["data"]
    joiner = "&" if "?" in url else "?"
    response = client.get(f"{url}{joiner}format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="sasci_') and disposition.endswith('.csv"')
    table = pd.read_csv(io.BytesIO(response.data), dtype=str, keep_default_na=False)
    assert list(table.columns) == [*rows[0], "licence", "citation"]
    assert table["licence"].str.contains("Open Government Licence v3.0").all()
    assert table["citation"].str.startswith("SASCI capacity map").all()
    table = table.drop(columns=["licence", "citation"])
    expected = pd.DataFrame([{k: as_csv_text(v) for k, v in row.items()} for row in rows],
                            columns=table.columns)
    pd.testing.assert_frame_equal(table, expected)


def test_csv_of_values_reads_back_as_numbers(client):
    response = client.get(f"/api/v1/values?indicator={SURVEY_INDICATOR}&format=csv")
    table = pd.read_csv(io.BytesIO(response.data))
    assert len(table) == 153
    assert table.loc[table["status"] != "value", NUMBERS].isna().all().all()
    assert table.loc[table["status"] == "value", "value"].notna().all()


# --- OpenAPI --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    return strict_json(response)


def resolve(doc: dict, node: dict) -> dict:
    while "$ref" in node:
        assert node["$ref"].startswith("#/")
        target = doc
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def conforms(value, schema: dict) -> bool:
    """A small JSON Schema check: type (or list of types) and enum."""
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types or []
    kinds = {"string": str, "boolean": bool, "null": type(None), "array": list, "object": dict}
    ok = not types or any(
        (t == "number" and isinstance(value, int | float) and not isinstance(value, bool))
        or (t == "integer" and isinstance(value, int) and not isinstance(value, bool))
        or (t in kinds and isinstance(value, kinds[t])) for t in types)
    return ok and ("enum" not in schema or value in schema["enum"])


def test_openapi_is_3_1_with_a_licence_and_every_endpoint(openapi):
    assert openapi["openapi"] == "3.1.0"
    assert openapi["info"]["license"]["name"] == "Open Government Licence v3.0"
    assert openapi["info"]["license"]["identifier"] == "OGL-UK-3.0"
    served = {r.rule for r in app_module.server.url_map.iter_rules()
              if r.rule.startswith("/api/v1/") and "<" not in r.rule and r.rule != "/api/v1/"}
    assert set(openapi["paths"]) == served == set(api.ENDPOINTS)
    for path, item in openapi["paths"].items():
        assert set(item) == {"get"}, path
        responses = item["get"]["responses"]
        assert {"200", "405"} <= set(responses), path
        for code, response in responses.items():
            for media in response["content"].values():
                resolve(openapi, media["schema"])  # every $ref resolves
            if code != "200":
                assert set(response["content"]) == {"application/json"}


def test_openapi_lists_every_parameter_with_enums_and_max_length(openapi, engine):
    for name, accepted in api.PARAMETERS.items():
        parameters = openapi["paths"][f"/api/v1/{name}"]["get"]["parameters"]
        assert [p["name"] for p in parameters] == list(accepted)
        for parameter in parameters:
            assert parameter["in"] == "query"
            assert parameter["schema"]["maxLength"] == api.MAX_PARAM_LENGTH
            assert parameter["schema"]["enum"], parameter["name"]
    values = {p["name"]: p for p in openapi["paths"]["/api/v1/values"]["get"]["parameters"]}
    assert values["indicator"]["required"] is True
    ids = read_definitions(engine)["indicator_id"].tolist()
    assert values["indicator"]["schema"]["enum"] == ids
    assert values["level"]["schema"]["enum"] == ["council", "region", "england"]
    assert {"2023", "2025", "2020-21", "mid-2020", "all"} <= set(values["wave"]["schema"]["enum"])
    assert values["format"]["schema"]["enum"] == ["json", "csv"]


@pytest.mark.parametrize("name", list(DATA_URLS))
def test_responses_follow_the_openapi_schemas(client, openapi, name):
    body = get_ok(client, DATA_URLS[name])
    ok = openapi["paths"][f"/api/v1/{name}"]["get"]["responses"]["200"]["content"]
    envelope = resolve(openapi, ok["application/json"]["schema"])
    assert set(envelope["required"]) == set(body)
    row_schema = resolve(openapi, envelope["properties"]["data"]["items"])
    assert row_schema == openapi["components"]["schemas"][ROW_SCHEMAS[name]]
    for row in body["data"]:
        assert list(row) == list(row_schema["properties"])
        for key, value in row.items():
            assert conforms(value, row_schema["properties"][key]), (name, key, value)
    meta_schema = resolve(openapi, envelope["properties"]["meta"])
    assert set(meta_schema["required"]) <= set(body["meta"]) <= set(meta_schema["properties"])
    for key, value in body["meta"].items():
        if key != "query":
            assert conforms(value, meta_schema["properties"][key]), (key, value)


# --- refusals -------------------------------------------------------------------------------

LONG = "x" * (api.MAX_PARAM_LENGTH + 1)
BAD_REQUESTS = [
    # (method, url, status, words the message must contain)
    ("GET", "/api/v1/values", 400, ["indicator", "missing"]),
    ("GET", "/api/v1/values?indicator=", 400, ["indicator", "missing"]),
    ("GET", "/api/v1/values?indicator=nope", 400, ["indicator", "'nope'", SURVEY_INDICATOR]),
    ("GET", f"/api/v1/values?indicator={SURVEY_INDICATOR}&level=ward", 400,
     ["level", "'ward'", "council, region, england"]),
    ("GET", f"/api/v1/values?indicator={SURVEY_INDICATOR}&wave=2024", 400,
     ["wave", "'2024'", "2023, 2025, all"]),
    ("GET", f"/api/v1/values?indicator={CONTEXT_INDICATOR}&wave=2025", 400,
     ["wave", "'2025'", "2020-21, all"]),
    ("GET", f"/api/v1/values?indicator={SURVEY_INDICATOR}&format=xml", 400,
     ["format", "'xml'", "json, csv"]),
    ("GET", "/api/v1/councils?format=xlsx", 400, ["format", "json, csv"]),
    ("GET", f"/api/v1/values?indicator={SURVEY_INDICATOR}&area=E06000001", 400,
     ["unknown parameter", "'area'", "indicator, level, wave, format"]),
    ("GET", "/api/v1/councils?level=council", 400, ["unknown parameter", "'level'", "format"]),
    ("GET", "/api/v1/openapi.json?format=csv", 400, ["unknown parameter", "no parameters"]),
    ("GET", f"/api/v1/values?indicator={LONG}", 400,
     ["indicator", f"longer than {api.MAX_PARAM_LENGTH}"]),
    ("GET", f"/api/v1/values?{LONG}=1", 400, ["unknown parameter", "..."]),
    ("GET", f"/api/v1/values?indicator={SURVEY_INDICATOR}&indicator=cap_overall", 400,
     ["indicator", "2 times"]),
    ("GET", "/api/v1/nope", 404, ["/api/v1/nope", "/api/v1/values", "/api/v1/openapi.json"]),
    ("GET", "/api/v1/values/", 404, ["no such endpoint"]),
    ("GET", "/api/v1", 404, ["no such endpoint", "/api/v1/indicators"]),
    ("POST", "/api/v1/values", 405, ["POST", "read-only"]),
    ("PUT", "/api/v1/councils", 405, ["PUT", "read-only"]),
    ("DELETE", "/api/v1/innovations", 405, ["DELETE", "read-only"]),
    ("PATCH", "/api/v1/indicators", 405, ["PATCH", "read-only"]),
    ("POST", "/api/v1/openapi.json", 405, ["POST"]),
    ("DELETE", "/api/v1/anything", 405, ["DELETE"]),
]


@pytest.mark.parametrize(("method", "url", "status", "words"), BAD_REQUESTS,
                         ids=[f"{m} {u[:60]}" for m, u, _, _ in BAD_REQUESTS])
def test_bad_requests_get_a_json_error_naming_the_problem(client, method, url, status, words):
    response = client.open(url, method=method)
    text = response.get_data(as_text=True)
    assert response.status_code == status, text
    assert "Traceback" not in text
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = strict_json(response)
    assert set(body) == {"error"}
    for word in words:
        assert word in body["error"], (word, body["error"])
    assert LONG not in body["error"]
    if status == 405:
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_an_unexpected_failure_is_a_json_500_without_details(client, monkeypatch):
    def boom(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(exports, "table_frame", boom)
    response = client.get("/api/v1/councils")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/json"
    assert "secret internals" not in text and "Traceback" not in text
    assert "internal error" in strict_json(response)["error"]
