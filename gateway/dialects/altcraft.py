"""Altcraft over HTTP: POST /api/v1.1/<method>, JSON or XML bodies, answers in the caller's format."""
from __future__ import annotations

import falcon

from adapters.altcraft import errors, limits, xml_shape
from adapters.altcraft.methods import METHODS, lookup
from adapters.common import DialectError
from core import service

from .. import credentials, funnel
from ..body import read_body
from ..codecs import jsonc
from ..codecs import xml as xml_codec
from ..codecs.form import pairs_from_query
from ..observe import name_method
from ..problems import RequestProblem

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "application/xml; charset=utf-8"}
FORMATS = tuple(CONTENT_TYPES)
_NAMES = {id(method): name for name, method in reversed(METHODS.items())}  # metric and log labels


def encode(answer: dict, fmt: str) -> bytes:
    if fmt == "xml":
        return xml_shape.answer(answer)
    return jsonc.encode(answer, sort_keys=True)


class AltcraftDialect:
    name = "altcraft"

    def render_error(self, ex, req):
        code, text = funnel.sort(
            ex, dialect=lambda e: (e.code, e.message), core=errors.from_core, problem=errors.from_problem,
            http=lambda e: (errors.INCORRECT_REQUEST, f"Incorrect request: {e.description or e.title}"),
            unexpected=errors.unexpected)
        fmt = getattr(req.context, "altcraft_format", "json")
        # Clients read the outcome from `error`; only a failure of the gateway itself is an HTTP error.
        status = falcon.HTTP_500 if code == errors.INTERNAL else falcon.HTTP_200
        return status, CONTENT_TYPES[fmt], encode(errors.envelope(code, text), fmt), None


DIALECT = AltcraftDialect()


def _media(req) -> str | None:
    media = (req.content_type or "").split(";", 1)[0].strip().lower()
    if media.endswith(("/xml", "+xml")):
        return "xml"
    if media.endswith(("/json", "+json")):
        return "json"
    return None


def _wanted_format(value) -> str | None:
    if value is None or value == "":
        return None
    fmt = str(value).strip().lower() if isinstance(value, str) else None
    if fmt not in FORMATS:
        raise DialectError(errors.INCORRECT_REQUEST, f"Incorrect request: format must be json or xml, got {value!r}")
    return fmt


class AltcraftApi:
    def __init__(self, settings):
        self.settings = settings

    def on_post(self, req, resp, method):
        req.context.dialect = DIALECT
        query = dict(pairs_from_query(req.query_string))
        asked = _wanted_format(query.get("format"))
        media = _media(req)
        req.context.altcraft_format = asked or media or "json"
        handler = lookup(method)
        name_method(req, _NAMES[id(handler)])
        body = read_body(req, self.settings.altcraft_max_body)
        if media is None and body.strip():
            media = "xml" if body.lstrip()[:1] == b"<" else "json"  # no usable Content-Type: as the body looks
        req.context.altcraft_format = asked or media or "json"
        params = _decode(body, media, req.content_type)
        fmt = _wanted_format(params.get("format")) or req.context.altcraft_format
        req.context.altcraft_format = fmt
        account_id = service.authenticate(_token(params, req, query), "altcraft", usage=limits.RULES)
        for name, value in query.items():
            params.setdefault(name, value)  # parameters may also come in the URL; the body wins
        command = handler.parse(params)
        result = service.execute(account_id, command)
        resp.content_type = CONTENT_TYPES[fmt]
        resp.data = encode(handler.render(result, params, {"command": command}), fmt)

    def on_get(self, req, resp, method):
        req.context.dialect = DIALECT
        req.context.altcraft_format = _wanted_format(dict(pairs_from_query(req.query_string)).get("format")) or "json"
        raise DialectError(errors.METHOD_NOT_ALLOWED, "Method not allowed: requests are sent by POST")

    on_put = on_patch = on_delete = on_get


def _decode(body: bytes, media: str | None, content_type: str | None) -> dict:
    """The body's parameters (an empty body has none)."""
    if not body.strip():
        return {}
    if media == "xml":
        return xml_shape.params(xml_codec.parse(body))
    value = jsonc.decode(body, content_type)
    if not isinstance(value, dict):
        raise RequestProblem("malformed", "the JSON body must be an object")
    return value


def _token(params: dict, req, query: dict) -> str | None:
    """The body's `token`, else `Authorization: Bearer`, else the (discouraged) query string."""
    return credentials.first(credentials.parameter(params.get("token")),
                             credentials.bearer(req.get_header("Authorization")),
                             credentials.parameter(query.get("token")))


def add_routes(app: falcon.App, settings) -> None:
    app.add_route("/api/v1.1/{method:path}", AltcraftApi(settings))
