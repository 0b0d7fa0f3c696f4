"""The open data API: read-only endpoints under ``/api/v1/`` on the app's Flask server.

JSON, CSV and an Excel CSV (semicolon, decimal comma, UTF-8 BOM: a Norwegian Excel opens it on a double-click);
ETag and Last-Modified from the database file's identity, so a client downloads again only after a refresh;
CORS open on ``/api/`` only; a bad parameter gets a 400 in JSON naming the parameter, never a 500.
The rows come from ``components/api_rows.py``; the description from ``components/api_spec.py``.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import datetime, timezone

import pandas as pd
from flask import Blueprint, Response, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from components import api_rows, api_spec, queries
from components.store import DataUnavailable, identity

PREFIX = "/api/v1"
FORMATS = ("json", "csv", "excel-csv")
DEFAULT_LIMIT, MAX_LIMIT = 1000, 10000
MAX_ITEMS, MAX_ITEM_CHARS = 400, 80
EXPOSED_HEADERS = ["ETag", "Last-Modified", "Link", "X-Total-Count"]
_CODE = re.compile(r"^[0-9]{1,4}$")

api = Blueprint("open_api", __name__, url_prefix=PREFIX)


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str, allowed=None, status: int = 400):
        super().__init__(message)
        self.parameter, self.message, self.allowed, self.status = parameter, message, allowed, status


def error_response(status: int, message: str, parameter: str | None = None, allowed=None) -> Response:
    body = {"error": {"status": status, "message": message}}
    if parameter:
        body["error"]["parameter"] = parameter
    if allowed:
        body["error"]["allowed"] = sorted(allowed)[:200]
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


# --- parameters --------------------------------------------------------------------------------------------

def _check_names(allowed: set[str]) -> None:
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise BadParameter(unknown[0][:MAX_ITEM_CHARS], f"ukjent parameter «{unknown[0][:MAX_ITEM_CHARS]}»",
                           allowed)


def _list(name: str) -> list[str] | None:
    """A list parameter: repeated (``?a=1&a=2``) or comma-separated (``?a=1,2``); None when absent."""
    raw = request.args.getlist(name)
    if not raw:
        return None
    items = [part.strip() for value in raw for part in value.split(",")]
    items = list(dict.fromkeys(i for i in items if i))
    if not items:
        raise BadParameter(name, f"«{name}» er tom")
    if len(items) > MAX_ITEMS:
        raise BadParameter(name, f"«{name}» har mer enn {MAX_ITEMS} verdier")
    for item in items:
        if len(item) > MAX_ITEM_CHARS or not item.isprintable():
            raise BadParameter(name, f"«{name}» har en ugyldig verdi")
    return items


def _choice(name: str, allowed, default: str) -> str:
    values = request.args.getlist(name)
    if not values:
        return default
    if len(values) > 1 or values[0] not in allowed:
        raise BadParameter(name, f"«{name}» må være én av: {', '.join(allowed)}", allowed)
    return values[0]


def _members(name: str, allowed, what: str) -> list[str] | None:
    items = _list(name)
    if items is None:
        return None
    unknown = [i for i in items if i not in allowed]
    if unknown:
        raise BadParameter(name, f"ukjent {what} «{unknown[0]}»", allowed if len(allowed) <= 200 else None)
    return items


def _integer(name: str, default: int, low: int, high: int) -> int:
    values = request.args.getlist(name)
    if not values:
        return default
    text = values[0].strip()
    if len(values) > 1 or not text.isascii() or not text.isdigit() or len(text) > 12:
        raise BadParameter(name, f"«{name}» må være et heltall fra {low} til {high}")
    number = int(text)
    if not low <= number <= high:
        raise BadParameter(name, f"«{name}» må være et heltall fra {low} til {high}")
    return number


def _codes(name: str, borders: str) -> list[str] | None:
    items = _list(name)
    if items is None:
        return None
    known = api_rows.vocabulary()["code_2024" if borders == "2024" else "code_any"]
    for code in items:
        if not _CODE.match(code):
            raise BadParameter(name, f"«{code}» er ikke et enhetsnummer (0 for landet, to sifre for fylke, "
                                     "fire for kommune)")
        if code not in known:
            hint = ""
            if borders == "2024":
                changes = queries.code_change(code)
                if not changes.empty:
                    ch = changes.iloc[0]
                    hint = (f": {ch['old_name'] or code} ble til {ch['new_name'] or ch['new_code']} "
                            f"({ch['new_code']}) {str(ch['changed_on'])[:10]}; bruk {ch['new_code']}, "
                            "eller borders=as_published for tall på datidens grenser")
            raise BadParameter(name, f"ukjent enhet «{code}» på {'dagens' if borders == '2024' else 'noen'} "
                                     f"grenser{hint}")
    return items


def _paging() -> tuple[int, int]:
    return (_integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT), _integer("offset", 0, 0, 10**9))


# --- answers -----------------------------------------------------------------------------------------------

def _etag() -> str:
    """Changes with the database file (a refresh swaps in a new one) and with the question asked."""
    ino, mtime_ns, size = identity()
    question = request.path + "?" + "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))
    return hashlib.sha256(f"{ino}:{mtime_ns}:{size}:{question}".encode()).hexdigest()[:32]


def _last_modified() -> datetime:
    return datetime.fromtimestamp(identity()[1] // 1_000_000_000, tz=timezone.utc)


def _not_modified(etag: str, modified: datetime) -> bool:
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    return request.if_modified_since is not None and modified <= request.if_modified_since


def _json_value(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _json_value(value.item())
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _json_value(v) for k, v in zip(frame.columns, row)} for row in frame.itertuples(index=False)]


def _csv_cell(value):
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return value


def csv_bytes(frame: pd.DataFrame, excel: bool) -> bytes:
    """Plain CSV (comma, decimal point, UTF-8) or the Excel variant (semicolon, decimal comma, UTF-8 BOM).
    Missing numbers are empty cells; their reason is in ``status_reason``."""
    frame = frame.apply(lambda col: col.map(_csv_cell)) if not frame.empty else frame
    frame = frame.apply(lambda col: col.map(_spreadsheet_safe)) if excel and not frame.empty else frame
    if excel:
        return ("\ufeff" + frame.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")).encode("utf-8")
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def _spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe; bare symbols
    such as the publishers' «-» (null) are not formulas and stay as they are."""
    if isinstance(value, str) and len(value) > 1 and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def answer(frame: pd.DataFrame, name: str, total: int | None = None, limit: int | None = None,
           offset: int = 0, extra: dict | None = None) -> Response:
    """A frame in the format asked for, with paging links and caching headers."""
    fmt_ = _choice("format", FORMATS, "json")
    total = len(frame) if total is None else total
    links = {}
    if limit is not None and offset + limit < total:
        args = request.args.to_dict(flat=False)
        args["offset"], args["limit"] = [str(offset + limit)], [str(limit)]
        links["next"] = request.base_url + "?" + "&".join(f"{k}={v}" for k in sorted(args) for v in args[k])
    if fmt_ == "json":
        body = {"data": records(frame)}
        body.update(extra or {})
        body["paging"] = {"total": total, "offset": offset, "limit": limit, "returned": len(frame),
                          "next": links.get("next")}
        response = Response(json.dumps(body, ensure_ascii=False, allow_nan=False), mimetype="application/json")
    else:
        response = Response(csv_bytes(frame, fmt_ == "excel-csv"), mimetype="text/csv")
        response.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
        suffix = "-excel" if fmt_ == "excel-csv" else ""
        response.headers["Content-Disposition"] = f'attachment; filename="innenfor-{name}{suffix}.csv"'
    response.headers["X-Total-Count"] = str(total)
    if "next" in links:
        response.headers["Link"] = f'<{links["next"]}>; rel="next"'
    return response


def _cached_answer(build) -> Response:
    """Caching headers around an endpoint: a 304 without a body when the client has this file's answer."""
    etag, modified = _etag(), _last_modified()
    # Parameters first, so a bad one is a 400 whatever validators the client sends. An endpoint may return
    # a function that does the reading once its parameters are checked: not called for a 304.
    response = build()
    if _not_modified(etag, modified):
        response = Response(status=304)
    elif callable(response) and not isinstance(response, Response):
        response = response()
    response.set_etag(etag, weak=True)  # weak: compression (gzip, br) does not change what it names
    response.last_modified = modified
    response.headers["Cache-Control"] = "no-cache"  # revalidate: cheap 304 until the next refresh
    return response


def endpoint(fn):
    """Parameter errors, a missing database and caching, the same way for every endpoint."""
    def inner(*args, **kwargs):
        try:
            return _cached_answer(lambda: fn(*args, **kwargs))
        except BadParameter as exc:
            return error_response(exc.status, exc.message, exc.parameter, exc.allowed)
        except DataUnavailable:
            response = error_response(503, "databasen kan ikke leses akkurat nå (oppdatering?); prøv igjen")
            response.headers["Retry-After"] = "30"
            return response
    inner.__name__ = fn.__name__
    inner.__doc__ = fn.__doc__
    return inner


# --- endpoints ---------------------------------------------------------------------------------------------

@api.get("/")
@endpoint
def index():
    _check_names(set())
    return Response(json.dumps(api_spec.index(PREFIX), ensure_ascii=False), mimetype="application/json")


@api.get("/openapi.json")
@endpoint
def openapi():
    _check_names(set())
    return Response(json.dumps(api_spec.spec(), ensure_ascii=False), mimetype="application/json")


@api.get("/indicators")
@endpoint
def indicators():
    """Every indicator with definition, unit, polarity, sources, licence, periods and levels."""
    _check_names({"format", "indicator", "limit", "offset"})
    frame = api_rows.indicator_rows()
    chosen = _members("indicator", set(frame["indicator_id"]), "indikator")
    if chosen is not None:
        frame = frame[frame["indicator_id"].isin(chosen)]
    limit, offset = _paging()
    return answer(frame.iloc[offset:offset + limit], "indikatorer", len(frame), limit, offset)


@api.get("/units")
@endpoint
def units():
    _check_names({"format", "level", "limit", "offset"})
    frame = api_rows.unit_rows(_members("level", api_rows.LEVELS, "nivå"))
    limit, offset = _paging()
    return answer(frame.iloc[offset:offset + limit], "enheter", len(frame), limit, offset)


@api.get("/values")
@endpoint
def values():
    _check_names({"format", "indicator", "level", "code", "period", "borders", "breakdown", "limit", "offset"})
    vocab = api_rows.vocabulary()
    chosen = _members("indicator", set(queries.indicator_meta()), "indikator")
    levels = _members("level", api_rows.LEVELS, "nivå")
    borders = _choice("borders", api_rows.BORDERS, "2024")
    codes = _codes("code", borders)
    periods = _list("period")
    if periods == [api_rows.LATEST]:
        periods = api_rows.LATEST
    elif periods is not None:
        unknown = [p for p in periods if p not in vocab["period"]]
        if unknown:
            raise BadParameter("period", f"ukjent periode «{unknown[0]}» (bruk «siste» for nyeste)",
                               vocab["period"] | {api_rows.LATEST})
    breakdowns = _list("breakdown")
    if breakdowns is None or breakdowns == [api_rows.TOTAL]:
        breakdowns = ("",)
    elif breakdowns == [api_rows.ALL]:
        breakdowns = None
    else:
        allowed = vocab["breakdown"] | {api_rows.TOTAL}
        unknown = [b for b in breakdowns if b not in allowed]
        if unknown:
            raise BadParameter("breakdown", f"ukjent gruppe «{unknown[0]}»", allowed | {api_rows.ALL})
        breakdowns = tuple("" if b == api_rows.TOTAL else b for b in breakdowns)
    limit, offset = _paging()
    _choice("format", FORMATS, "json")

    def rows() -> Response:  # the reading, only when the client does not already have this answer
        frame, total = api_rows.value_page(chosen, levels, codes, periods, borders, breakdowns, limit, offset)
        return answer(frame, "tall", total, limit, offset)
    return rows


@api.get("/comparators/<code>")
@endpoint
def comparators(code: str):
    _check_names({"format", "set", "limit", "offset"})
    kommuner = set(queries.kommuner()["code"])
    if code not in kommuner:
        raise BadParameter("code", f"«{code[:MAX_ITEM_CHARS]}» er ikke et kommunenummer i dagens inndeling",
                           status=404)
    sets = _members("set", set(api_rows.COMPARATOR_SETS_NB), "sammenligningsgruppe")
    frame = api_rows.comparator_rows(code, sets)
    limit, offset = _paging()
    return answer(frame.iloc[offset:offset + limit], f"sammenligning-{code}", len(frame), limit, offset)


@api.get("/refresh-log")
@endpoint
def refresh_log():
    """The database's refreshes, newest first; in JSON also the per-table outcomes when the build records
    them (``refresh_cards``). CSV answers one table, chosen with ``table``."""
    _check_names({"format", "table", "limit", "offset"})
    table = _choice("table", ("refresh_log", "refresh_cards"), "refresh_log")
    log = api_rows.refresh_rows()
    cards = api_rows.refresh_card_rows()
    if table == "refresh_cards" and cards is None:
        raise BadParameter("table", "denne databasen har ingen refresh_cards-tabell", status=404)
    frame = cards if table == "refresh_cards" else log
    limit, offset = _paging()
    extra = {}
    if table == "refresh_log" and cards is not None:
        extra["refresh_cards"] = records(cards)
    return answer(frame.iloc[offset:offset + limit], table.replace("_", "-"), len(frame), limit, offset, extra)


@api.get("/<path:_rest>")
def unknown(_rest: str):
    """Without this, Dash's catch-all page route would answer an unknown API path with the app's HTML."""
    return error_response(404, "finnes ikke; se /api/v1/ for endepunktene")


def _json_errors(err: HTTPException):
    """Under /api/, HTTP errors (unknown path, wrong method, too large) in JSON; elsewhere unchanged."""
    if not request.path.startswith("/api/"):
        return err
    response = error_response(err.code or 500, {404: "finnes ikke", 405: "bare GET er tillatt"}.get(
        err.code, err.description or err.name))
    allow = dict(err.get_headers()).get("Allow")
    if allow:
        response.headers["Allow"] = allow
    return response


def register(server) -> None:
    """Mount the API on the app's Flask server (one call from ``app.py``)."""
    server.register_blueprint(api)
    server.register_error_handler(HTTPException, _json_errors)
    CORS(server, resources={r"/api/*": {"origins": "*", "send_wildcard": True, "methods": ["GET", "HEAD", "OPTIONS"],
                                        "expose_headers": EXPOSED_HEADERS, "max_age": 86400}})
