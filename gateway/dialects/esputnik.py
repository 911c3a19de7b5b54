"""eSputnik (REST API v1) over HTTP: /api/v1/…, HTTP Basic with the key as password, JSON or XML, text errors.

One sink takes every path under /api/v1 (and /api/vN: unknown versions answer 404 like unknown
paths), so routing, 404, 405 and every other refusal leave in eSputnik's own shape: a status and
a short text. Routes of other dialects registered on the app take precedence over the sink.
"""
from __future__ import annotations


import falcon
import orjson

from adapters.common import DialectError
from adapters.esputnik import errors, limits
from adapters.esputnik.methods import ROUTES, lookup
from adapters.esputnik.wire import NAMESPACE
from core import errors as core_errors
from core import service
from core.errors import CoreError

from .. import credentials, funnel
from ..body import read_body
from ..codecs import jaxb, jsonc, xml
from ..codecs.form import pairs_from_query
from ..observe import name_method
from ..problems import RequestProblem
from ..worker import enqueue_started

# Doubled slashes (rubik-esputnik with its README's host sends `//api/v1/…`) are merged for every
# dialect before routing (gateway.app.CollapseSlashes).
PATHS = r"/api/(?P<version>v\d+)(?:/(?P<path>.*))?$"
JSON = "application/json;charset=UTF-8"  # as eSputnik labels its answers, strings included
XML = "application/xml;charset=UTF-8"
TEXT = "text/plain;charset=UTF-8"
ALLOW_ALL = "POST, GET, PUT, OPTIONS, DELETE"
BODY_VERBS = ("POST", "PUT")
_NAMES = {id(method): f"{verb} {template}" for verb, template, method in ROUTES}  # metric and log labels


class EsputnikDialect:
    name = "esputnik"

    def render_error(self, ex, req):
        headers = {}
        if isinstance(ex, DialectError) and ex.details.get("allowed"):
            headers["Allow"] = ", ".join(ex.details["allowed"])
        status, text = funnel.sort(ex, dialect=errors.from_dialect, core=errors.from_core,
                                   problem=lambda e: errors.from_problem(e.kind, e.message),
                                   http=lambda e: errors.from_status(e.status_code, e.description),
                                   unexpected=errors.unexpected)
        if status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="api"'
        if isinstance(ex, CoreError) and ex.code == core_errors.RATE_LIMITED:
            headers["Retry-After"] = str(ex.details["reset"])
        return falcon.code_to_http_status(status), TEXT, text.encode("utf-8"), headers


DIALECT = EsputnikDialect()


class EsputnikApi:
    def __init__(self, settings):
        self.settings = settings

    def __call__(self, req, resp, version, path=None):
        req.context.dialect = DIALECT
        if req.method == "OPTIONS":
            resp.set_header("Allow", ALLOW_ALL)
            resp.set_header("Access-Control-Allow-Methods", ALLOW_ALL)
            resp.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept")
            resp.data = b""
            return
        verb = "GET" if req.method == "HEAD" else req.method
        account_id = service.authenticate(api_key(req), "esputnik", usage=limits.usage(verb, path or ""))
        method, path_params = lookup(version, (path or "").rstrip("/"), verb)
        name_method(req, _NAMES[id(method)])
        raw = read_body(req, self.settings.esputnik_max_body)
        body_is_xml = False
        body = None
        if verb in BODY_VERBS:
            body, body_is_xml = decode(raw, req.content_type)
        params = {"path": path_params, "query": query(req.query_string), "body": body}
        command = method.parse(params)
        result = service.execute(account_id, command)
        enqueue_started(command, result)
        reply = method.render(result, params, {"command": command})
        send(resp, reply, wants_xml(req.get_header("Accept"), body_is_xml), req.get_header("Accept") or "")


def api_key(req) -> str | None:
    """The key from HTTP Basic: the password (any user name, empty included), else the user name."""
    user, password = credentials.basic(req.get_header("Authorization")) or ("", "")
    return password or user or None


def query(text: str) -> dict[str, str]:
    """Query parameters by lower-cased name; a repeated one is joined with commas (ids=1&ids=2)."""
    result: dict[str, str] = {}
    for name, value in pairs_from_query(text):
        name = name.strip().lower()
        result[name] = f"{result[name]},{value}" if result.get(name) else value
    return result


def decode(raw: bytes, content_type: str | None):
    """(body as plain data, was it XML) by Content-Type; an empty body is None."""
    media = (content_type or "").partition(";")[0]
    media = media.strip().lower()
    if not raw.strip():
        return None, media.endswith("xml")
    if not media:  # no Content-Type: tell by the first character
        media = "application/xml" if raw.lstrip()[:1] == b"<" else "application/json"
    if media.endswith("/xml") or media.endswith("+xml"):
        return jaxb.to_data(xml.parse(raw)), True
    if media.endswith("/json") or media.endswith("+json"):
        return jsonc.decode(raw, content_type), False
    raise RequestProblem("unsupported_media_type", f"Unsupported media type: {media}")


def wants_xml(accept: str | None, body_is_xml: bool) -> bool:
    """XML when Accept prefers it to JSON; with no preference, the format the request came in."""
    accept = (accept or "").lower()
    xml_at = min((accept.find(t) for t in ("/xml", "+xml") if t in accept), default=-1)
    json_at = min((accept.find(t) for t in ("/json", "+json") if t in accept), default=-1)
    if xml_at >= 0 and (json_at < 0 or xml_at < json_at):
        return True
    if json_at >= 0:
        return False
    return body_is_xml


def send(resp, reply, as_xml: bool, accept: str) -> None:
    resp.status = falcon.code_to_http_status(reply.status)
    for name, value in reply.headers.items():
        resp.set_header(name, value)
    if reply.body is None:
        resp.content_type = JSON
        resp.data = b""
    elif isinstance(reply.body, str):
        # eSputnik labels its text answers application/json; a client that asks for text gets text.
        resp.content_type = XML if as_xml else (TEXT if "text/plain" in accept.lower() else JSON)
        resp.data = reply.body.encode("utf-8")
    elif as_xml:
        resp.content_type = XML
        resp.data = jaxb.from_data(reply.root or "result", reply.body, NAMESPACE, reply.item)
    else:
        resp.content_type = JSON
        resp.data = orjson.dumps(reply.body)


def add_routes(app: falcon.App, settings) -> None:
    app.add_sink(EsputnikApi(settings), PATHS)
