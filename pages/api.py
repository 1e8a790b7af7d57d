"""The read-only data API under ``/api/v1/``: a Flask blueprint, not a Dash page.

Endpoints (all ``GET``; ``HEAD`` and ``OPTIONS`` are answered by Flask):

- ``/api/v1/indicators``: the indicator definitions, each with its periods (waves).
- ``/api/v1/values?indicator=ID[&level=council|region|england][&wave=PERIOD|all]``: the tidy
  indicator table (:func:`sasci_map.tidy.indicator_table`) of one indicator at one area level.
  Without ``wave``, the indicator's latest period (the greatest period label, as on the map);
  ``wave=all`` gives every period.
- ``/api/v1/councils``, ``/api/v1/innovations``, ``/api/v1/infrastructure``: the export tables.
- ``/api/v1/openapi.json``: the OpenAPI 3.1 description of all of the above.

Every data endpoint takes ``format=json`` (default) or ``format=csv``. JSON responses are
``{"data": [...], "meta": {...}}`` where ``meta`` carries the licence and attribution lines, the
citation, whether any figure is synthetic demo data, and when the response was generated;
missing numbers are ``null``. Errors are ``{"error": "..."}`` with status 400 (bad parameter),
404 (unknown path), 405 (any method but GET/HEAD/OPTIONS) or 500, never a traceback.
"""

from __future__ import annotations

import copy
import json
import math
import re
from datetime import UTC, date, datetime
from typing import Any

import flask
import pandas as pd
import sqlalchemy as sa

from pages import services
from sasci_map import db, exports
from sasci_map.comparison import POLARITY_WORDS
from sasci_map.provenance import OGL
from sasci_map.tidy import SYNTHETIC_LABEL

API_PREFIX = "/api/v1"
#: Blueprint name; ``configure`` registers it once per server under this name.
BLUEPRINT_NAME = "api_v1"
#: Longest query-parameter value accepted (ids and period labels are far shorter).
MAX_PARAM_LENGTH = 100
#: Longest bit of a rejected name or value echoed back in an error message.
ECHO_LENGTH = 40
#: Responses may be cached by browsers and proxies for five minutes.
CACHE_CONTROL = "public, max-age=300"
ERROR_CACHE_CONTROL = "no-store"
JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("json", "csv")
LEVELS = tuple(db.AREA_LEVELS)
DEFAULT_LEVEL = "council"
#: ``wave`` value asking for every period of the indicator.
ALL_WAVES = "all"
#: Methods the API answers; everything else gets 405 (the API has no write endpoints).
READ_METHODS = ("GET", "HEAD", "OPTIONS")
#: Methods routed to the API's views only to be refused with a JSON 405.
REFUSED_METHODS = ("POST", "PUT", "PATCH", "DELETE")
#: Export tables served as they are (``indicators`` is served by ``/values``).
PLAIN_TABLES = ("councils", "innovations", "infrastructure")
STATUSES = ("value", "suppressed", "no_response", "missing")
COMPARISON_WORDS = ("", "better", "similar", "worse", "higher", "lower")
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

#: Query parameters each endpoint accepts.
PARAMETERS: dict[str, tuple[str, ...]] = {
    "indicators": ("format",),
    "values": ("indicator", "level", "wave", "format"),
    "councils": ("format",),
    "innovations": ("format",),
    "infrastructure": ("format",),
    "openapi.json": (),
}
ENDPOINTS = tuple(f"{API_PREFIX}/{name}" for name in PARAMETERS)

bp = flask.Blueprint(BLUEPRINT_NAME, __name__, url_prefix=API_PREFIX)


class ApiError(Exception):
    """A request the API refuses: the message says what was wrong and what is allowed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- parsing -------------------------------------------------------------------------------


def _echo(text: str) -> str:
    """Return ``text`` quoted for an error message, cut to :data:`ECHO_LENGTH` characters."""
    return repr(text if len(text) <= ECHO_LENGTH else text[:ECHO_LENGTH] + "...")


def _query(endpoint: str) -> dict[str, str]:
    """Return the query parameters of the request, each given at most once and not too long.

    Empty values count as absent. Raises :class:`ApiError` (400) on an unknown name, a repeated
    parameter or a value longer than :data:`MAX_PARAM_LENGTH`.
    """
    allowed = PARAMETERS[endpoint]
    accepted = ", ".join(allowed) if allowed else "no parameters"
    out: dict[str, str] = {}
    for name, values in flask.request.args.lists():
        if name not in allowed:
            raise ApiError(400, f"unknown parameter {_echo(name)}: {API_PREFIX}/{endpoint} "
                                f"accepts {accepted}")
        if len(values) > 1:
            raise ApiError(400, f"parameter {name!r} is given {len(values)} times: give it once")
        if len(values[0]) > MAX_PARAM_LENGTH:
            raise ApiError(400, f"parameter {name!r} is longer than {MAX_PARAM_LENGTH} "
                                "characters")
        if values[0]:
            out[name] = values[0]
    return out


def _choice(name: str, value: str, allowed: list[str] | tuple[str, ...]) -> str:
    if value not in allowed:
        raise ApiError(400, f"invalid {name} {_echo(value)}: expected one of "
                            f"{', '.join(allowed)}")
    return value


def _format(query: dict[str, str]) -> str:
    return _choice("format", query.get("format", "json"), FORMATS)


def _latest(periods: list[str]) -> str:
    """Return the latest period: the greatest label, as the map page picks it."""
    return max(periods)


# --- reading -------------------------------------------------------------------------------


def _periods(engine: sa.Engine) -> pd.DataFrame:
    """Return one row per indicator and period held, with whether it is synthetic demo data."""
    t = db.indicator_values_table
    query = sa.select(t.c.indicator_id, t.c.period, t.c.source).distinct()
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=["indicator_id", "period", "source"])
    frame["synthetic"] = frame["source"].str.contains(SYNTHETIC_LABEL, regex=False)
    return (frame.groupby(["indicator_id", "period"], as_index=False)["synthetic"].any()
            .sort_values(["indicator_id", "period"]))


def _any_synthetic(frame: pd.DataFrame) -> bool:
    """Return True if any row is flagged synthetic (a ``synthetic`` or ``*_synthetic`` column)."""
    columns = [c for c in frame.columns if c == "synthetic" or str(c).endswith("_synthetic")]
    return any(bool(frame[c].eq(True).any()) for c in columns)


# --- rendering -----------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """Return ``value`` as a JSON-ready Python value: missing and NaN become None."""
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    columns = [str(c) for c in frame.columns]
    return [{c: _jsonable(v) for c, v in zip(columns, row, strict=True)}
            for row in frame.itertuples(index=False, name=None)]


def _meta(synthetic: bool, count: int, **extra: Any) -> dict[str, Any]:
    return {
        "count": count,
        **extra,
        "synthetic": synthetic,
        "synthetic_label": SYNTHETIC_LABEL if synthetic else None,
        "licence": exports.licence_lines(synthetic),
        "citation": exports.CITATION,
        "documentation": f"{API_PREFIX}/openapi.json",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _json_response(payload: dict, status: int = 200) -> flask.Response:
    body = json.dumps(payload, ensure_ascii=False, allow_nan=False)
    response = flask.Response(body, status=status, mimetype=JSON_TYPE)
    response.headers["Cache-Control"] = CACHE_CONTROL if status < 400 else ERROR_CACHE_CONTROL
    return response


def _csv_response(frame: pd.DataFrame, filename: str) -> flask.Response:
    response = flask.Response(exports.csv_bytes(frame), content_type=CSV_TYPE)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", filename)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _render(frame: pd.DataFrame, fmt: str, filename: str, **meta: Any) -> flask.Response:
    if fmt == "csv":
        return _csv_response(frame, filename)
    return _json_response({"data": _records(frame),
                           "meta": _meta(_any_synthetic(frame), len(frame), **meta)})


def _error(status: int, message: str, allow: tuple[str, ...] = ()) -> flask.Response:
    response = _json_response({"error": message}, status)
    if allow:
        response.headers["Allow"] = ", ".join(allow)
    return response


# --- views ---------------------------------------------------------------------------------


def _options() -> flask.Response:
    response = flask.Response(status=204)
    response.headers["Allow"] = ", ".join(READ_METHODS)
    return response


def _refuse_writes() -> None:
    if flask.request.method not in READ_METHODS:
        raise ApiError(405, f"method {flask.request.method} is not allowed: the API is "
                            f"read-only and answers {', '.join(READ_METHODS)}")


def _route(name: str):
    """Register a view for ``/api/v1/<name>`` that answers reads and refuses writes."""
    def decorator(view):
        def wrapped():
            if flask.request.method == "OPTIONS":
                return _options()
            _refuse_writes()
            return view(_query(name))
        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        wrapped.provide_automatic_options = False  # our OPTIONS lists only the read methods
        bp.add_url_rule(f"/{name}", view.__name__, wrapped, methods=[*READ_METHODS,
                                                                      *REFUSED_METHODS])
        return view
    return decorator


@_route("indicators")
def indicators(query: dict[str, str]) -> flask.Response:
    """Return the indicator definitions, each with its periods and latest period."""
    fmt = _format(query)
    engine = services.engine()
    defs = db.read_definitions(engine)
    periods = _periods(engine)
    held = periods.groupby("indicator_id")
    frame = pd.DataFrame({
        "id": defs["indicator_id"], "title": defs["title"], "short_title": defs["short_title"],
        "definition": defs["definition"], "domain": defs["domain"], "unit": defs["unit"],
        "polarity": defs["polarity"], "method": defs["method"], "source": defs["source"],
        "period": defs["period"], "dataset": defs["dataset_key"],
    })
    listed = held["period"].agg(list)
    frame["periods"] = frame["id"].map(lambda i: listed.get(i, []))
    frame["latest_period"] = frame["periods"].map(lambda p: _latest(p) if p else None)
    frame["synthetic"] = frame["id"].map(held["synthetic"].any()).eq(True)
    if fmt == "csv":
        frame["periods"] = frame["periods"].map(";".join)
    return _render(frame, fmt, "sasci_indicators.csv")


@_route("values")
def values(query: dict[str, str]) -> flask.Response:
    """Return the tidy table of one indicator at one area level, for one period or all."""
    fmt = _format(query)
    engine = services.engine()
    if "indicator" not in query:
        raise ApiError(400, "missing required parameter 'indicator': give one indicator id "
                            f"(listed at {API_PREFIX}/indicators)")
    known = db.read_definitions(engine)["indicator_id"].tolist()
    indicator = _choice("indicator", query["indicator"], known)
    level = _choice("level", query.get("level", DEFAULT_LEVEL), LEVELS)
    periods = _periods(engine)
    held = periods.loc[periods["indicator_id"] == indicator, "period"].tolist()
    if not held:
        raise ApiError(404, f"indicator {indicator!r} has no values in this database")
    wave = _choice("wave", query.get("wave", _latest(held)), [*held, ALL_WAVES])
    chosen = None if wave == ALL_WAVES else [wave]
    frame = exports.table_frame(engine, "indicators", [indicator], [level], chosen,
                                services.data_dir())
    return _render(frame, fmt, f"sasci_values_{indicator}_{level}_{wave}.csv",
                   query={"indicator": indicator, "level": level, "wave": wave},
                   waves_available=held)


def _plain_table(table: str, query: dict[str, str]) -> flask.Response:
    fmt = _format(query)
    frame = exports.table_frame(services.engine(), table, data_dir=services.data_dir())
    return _render(frame, fmt, f"sasci_{table}.csv")


@_route("councils")
def councils(query: dict[str, str]) -> flask.Response:
    """Return the 153 councils with type and region."""
    return _plain_table("councils", query)


@_route("innovations")
def innovations(query: dict[str, str]) -> flask.Response:
    """Return the innovation inventory: one row per innovation and council."""
    return _plain_table("innovations", query)


@_route("infrastructure")
def infrastructure(query: dict[str, str]) -> flask.Response:
    """Return the support-infrastructure inventory: one row per organisation and area."""
    return _plain_table("infrastructure", query)


@_route("openapi.json")
def openapi(_query_: dict[str, str]) -> flask.Response:
    """Return the OpenAPI 3.1 document, with this database's indicator ids and periods."""
    engine = services.engine()
    ids = db.read_definitions(engine)["indicator_id"].tolist()
    periods = sorted(set(_periods(engine)["period"]))
    return _json_response(openapi_document(ids, periods))


def _unknown(rest: str) -> flask.Response:  # noqa: ARG001 (the path is in the request)
    """Answer any other path under /api/v1/ with a JSON 404 (Dash would serve its page)."""
    _refuse_writes()
    raise ApiError(404, f"no such endpoint {_echo(flask.request.path)}: the API has "
                        f"{', '.join(ENDPOINTS)}")


_unknown.provide_automatic_options = False  # OPTIONS on an unknown path is a 404 too
for _rule, _name, _defaults in (("", "unknown_bare", {"rest": ""}),
                                ("/", "unknown_root", {"rest": ""}),
                                ("/<path:rest>", "unknown", {})):
    bp.add_url_rule(_rule, _name, _unknown, defaults=_defaults,
                    methods=[*READ_METHODS, *REFUSED_METHODS])


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> flask.Response:
    allow = READ_METHODS if error.status == 405 else ()
    return _error(error.status, error.message, allow)


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> flask.Response:
    status = getattr(error, "code", None)
    if isinstance(status, int) and 400 <= status < 500:  # werkzeug HTTPException
        return _error(status, getattr(error, "description", None) or str(error))
    flask.current_app.logger.exception("API error on %s", flask.request.path)
    return _error(500, "internal error: the request could not be answered; it has been logged")


def register(server: flask.Flask) -> None:
    """Register the API blueprint on ``server`` unless it already is."""
    if BLUEPRINT_NAME not in server.blueprints:
        server.register_blueprint(bp)


# --- OpenAPI -------------------------------------------------------------------------------

_NULLABLE_NUMBER = {"type": ["number", "null"]}
_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_BOOLEAN = {"type": "boolean"}
_NULLABLE_BOOLEAN = {"type": ["boolean", "null"]}


def _object(properties: dict[str, dict], required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required,
            "additionalProperties": False}


_VALUE_ROW = {
    "indicator_id": _STRING, "indicator": _STRING, "area_code": _STRING,
    "area_name": _NULLABLE_STRING, "area_level": {"type": "string", "enum": list(LEVELS)},
    "period": _STRING, "numerator": _NULLABLE_NUMBER, "denominator": _NULLABLE_NUMBER,
    "value": _NULLABLE_NUMBER, "lower": _NULLABLE_NUMBER, "upper": _NULLABLE_NUMBER,
    "unit": _STRING, "method": _STRING,
    "status": {"type": "string", "enum": list(STATUSES),
               "description": "Only rows of status 'value' carry numbers; others are null."},
    "status_reason": _STRING, "england_value": _NULLABLE_NUMBER,
    "vs_england": {"type": "string", "enum": list(COMPARISON_WORDS),
                   "description": "Empty when not compared."},
    "region_value": _NULLABLE_NUMBER,
    "vs_region": {"type": "string", "enum": list(COMPARISON_WORDS),
                  "description": "Empty when not compared."},
    "polarity": {"type": "string", "enum": list(POLARITY_WORDS)},
    "source": _STRING, "synthetic": _BOOLEAN,
}

_SCHEMAS: dict[str, dict] = {
    "Error": _object({"error": {"type": "string", "description":
                                "What was wrong and what is allowed."}}),
    "Meta": _object({
        "count": {"type": "integer", "description": "Number of rows in data."},
        "query": _object({"indicator": _STRING, "level": _STRING, "wave": _STRING}),
        "waves_available": {"type": "array", "items": _STRING},
        "synthetic": {"type": "boolean",
                      "description": "True if any figure in data is synthetic demo data."},
        "synthetic_label": {"type": ["string", "null"], "enum": [SYNTHETIC_LABEL, None]},
        "licence": {"type": "array", "items": _STRING,
                    "description": "Citation, licence and attribution lines to reproduce."},
        "citation": _STRING,
        "documentation": _STRING,
        "generated_at": {"type": "string", "format": "date-time"},
    }, required=["count", "synthetic", "synthetic_label", "licence", "citation",
                 "documentation", "generated_at"]),
    "Indicator": _object({
        "id": _STRING, "title": _STRING, "short_title": _STRING, "definition": _STRING,
        "domain": _STRING, "unit": _STRING,
        "polarity": {"type": "string", "enum": list(POLARITY_WORDS)},
        "method": _STRING, "source": _STRING,
        "period": {"type": "string", "description": "The periods covered, in words."},
        "dataset": _STRING,
        "periods": {"type": "array", "items": _STRING,
                    "description": "Period labels accepted as wave by /values "
                                   "(';'-separated in CSV)."},
        "latest_period": _NULLABLE_STRING, "synthetic": _BOOLEAN,
    }),
    "ValueRow": _object(_VALUE_ROW),
    "Council": _object({"code": _STRING, "name": _STRING, "council_type": _STRING,
                        "region_code": _STRING, "region_name": _STRING}),
    "Innovation": _object({
        **{c: _NULLABLE_STRING for c in (
            "innovation_id", "name", "description", "innovation_type", "journey", "stage",
            "change", "lead_actor", "partner_actors", "client_groups", "evidence_level",
            "source")},
        "synthetic": _NULLABLE_BOOLEAN, "council_code": _NULLABLE_STRING,
        "start_year": _NULLABLE_NUMBER, "end_year": _NULLABLE_NUMBER,
        "place_source": _NULLABLE_STRING, "place_synthetic": _NULLABLE_BOOLEAN,
    }),
    "InfrastructureRow": _object({
        **{c: _NULLABLE_STRING for c in (
            "org_id", "name", "support_type", "functions", "description", "website")},
        "synthetic": _NULLABLE_BOOLEAN,
        "area_level": _NULLABLE_STRING, "area_code": _NULLABLE_STRING,
        "place_source": _NULLABLE_STRING, "place_synthetic": _NULLABLE_BOOLEAN,
    }),
}

_FORMAT_PARAMETER = {
    "name": "format", "in": "query", "required": False,
    "description": "json (default) or csv (UTF-8, formulas neutralised, as a download).",
    "schema": {"type": "string", "enum": list(FORMATS), "default": "json",
               "maxLength": MAX_PARAM_LENGTH},
}


def _responses(schema: str | None, csv: bool = True, errors: tuple[int, ...] = (400,)) -> dict:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    ok: dict[str, Any] = {"description": "Success; Cache-Control: public, max-age=300."}
    if schema is None:
        ok["content"] = {"application/json": {"schema": {"type": "object"}}}
    else:
        ok["content"] = {"application/json": {"schema": _object({
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}},
            "meta": {"$ref": "#/components/schemas/Meta"}})}}
        if csv:
            ok["content"]["text/csv"] = {"schema": {"type": "string"}}
    out = {"200": ok}
    words = {400: "Invalid parameter (unknown name, unknown value, repeated, too long).",
             404: "Unknown indicator values or path.", 405: "Method not allowed (read-only)."}
    for code in (*errors, 405):
        out[str(code)] = {"description": words[code], "content": error}
    return out


def _get(summary: str, description: str, parameters: list[dict], responses: dict) -> dict:
    return {"get": {"summary": summary, "description": description, "parameters": parameters,
                    "responses": responses}}


_OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "SASCI capacity map API",
        "version": "1.0.0",
        "summary": "Read-only indicator, council and inventory data of the SASCI capacity map.",
        "description": (
            "Every JSON response is {data, meta}; meta carries the licence and attribution "
            "lines to reproduce, the citation, and whether any figure is synthetic demo data. "
            "Missing numbers are null. Errors are {error} with status 400, 404 or 405. "
            "Public-sector data are under the Open Government Licence v3.0; council names "
            "from mySociety are CC BY 4.0; survey figures are computed by this tool."),
        "license": {"name": OGL, "identifier": "OGL-UK-3.0"},
    },
    "servers": [{"url": "/"}],
    "paths": {
        f"{API_PREFIX}/indicators": _get(
            "Indicator definitions",
            "Every indicator with its definition, unit, polarity, method, source, dataset and "
            "the periods it is held for.",
            [_FORMAT_PARAMETER], _responses("Indicator")),
        f"{API_PREFIX}/values": _get(
            "Values of one indicator",
            "The tidy indicator table of one indicator at one area level: one row per area "
            "and period with numerator, denominator, value, interval, status and reason, "
            "benchmarks against England and region, source and synthetic flag. Rows that are "
            "not values (suppressed, no_response, missing) carry null numbers. Level council "
            "gives all 153 councils. Without wave, the indicator's latest period (the greatest "
            "period label); wave=all gives every period. Context indicators (ASCOF, IMD, "
            "population) are held for councils only: other levels return no rows.",
            [{"name": "indicator", "in": "query", "required": True,
              "description": "Indicator id, as listed by /api/v1/indicators.",
              "schema": {"type": "string", "enum": [], "maxLength": MAX_PARAM_LENGTH}},
             {"name": "level", "in": "query", "required": False,
              "description": "Area level.",
              "schema": {"type": "string", "enum": list(LEVELS), "default": DEFAULT_LEVEL,
                         "maxLength": MAX_PARAM_LENGTH}},
             {"name": "wave", "in": "query", "required": False,
              "description": "Period (survey wave such as 2025, or a context vintage such as "
                             "mid-2020) among the indicator's periods, or 'all'. Default: the "
                             "indicator's latest period.",
              "schema": {"type": "string", "enum": [], "maxLength": MAX_PARAM_LENGTH}},
             _FORMAT_PARAMETER],
            _responses("ValueRow", errors=(400, 404))),
        f"{API_PREFIX}/councils": _get(
            "Councils", "The 153 councils with adult social care responsibilities in England, "
            "with type and region.", [_FORMAT_PARAMETER], _responses("Council")),
        f"{API_PREFIX}/innovations": _get(
            "Innovation inventory", "One row per innovation and council where it runs.",
            [_FORMAT_PARAMETER], _responses("Innovation")),
        f"{API_PREFIX}/infrastructure": _get(
            "Support infrastructure", "One row per support organisation and area it covers.",
            [_FORMAT_PARAMETER], _responses("InfrastructureRow")),
        f"{API_PREFIX}/openapi.json": _get(
            "This document", "The OpenAPI 3.1 description of the API.", [],
            _responses(None, csv=False)),
    },
    "components": {"schemas": _SCHEMAS},
}


def openapi_document(indicator_ids: list[str], periods: list[str]) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document, its enums filled with these indicators and periods."""
    doc = copy.deepcopy(_OPENAPI)
    for parameter in doc["paths"][f"{API_PREFIX}/values"]["get"]["parameters"]:
        if parameter["name"] == "indicator":
            parameter["schema"]["enum"] = list(indicator_ids)
        elif parameter["name"] == "wave":
            parameter["schema"]["enum"] = [*periods, ALL_WAVES]
    return doc
