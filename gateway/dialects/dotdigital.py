"""Dotdigital over HTTP: /contacts/v3/… and /v2/…, JSON bodies, HTTP Basic with an API user name and password."""
from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qsl

import falcon
import orjson

from adapters.common import DialectError
from adapters.dotdigital import errors
from adapters.dotdigital.methods import V2_ROUTES, V3_ROUTES
from adapters.dotdigital.wire import JSON, Reply
from core import service
from core.errors import CoreError

from ..body import read_body
from ..codecs import jsonc
from ..problems import RequestProblem
from ..worker import enqueue

REALM = 'Basic realm="Dotdigital API"'
RATE_HEADERS = {"Retry-After": errors.RETRY_AFTER, "X-RateLimit-Reset": errors.RETRY_AFTER}


class _Dialect:
    name = "dotdigital"

    def render_error(self, ex, req):
        error = self.translate(ex, req)
        status = error.status or 400
        headers = {}
        if status == 401:
            headers["WWW-Authenticate"] = REALM
        elif status == 429:
            headers.update(RATE_HEADERS)
            headers["X-RateLimit-Scope"] = error.details.get("scope", "")
            headers["X-RateLimit-Limit"] = str(error.details.get("limit", ""))
        return falcon.code_to_http_status(status), JSON, orjson.dumps(self.body(error)), headers

    def translate(self, ex, req) -> DialectError:
        if isinstance(ex, DialectError):
            return ex
        if isinstance(ex, CoreError):
            return self.from_core(ex)
        if isinstance(ex, RequestProblem):
            return self.from_problem(ex, req)
        if isinstance(ex, falcon.HTTPError):
            return self.from_problem(RequestProblem("malformed", ex.description or ex.title), req)
        return self.internal()


class V3Dialect(_Dialect):
    """Errors as `{"errorCode": "contacts:…", "description": …, "details": […]}`."""

    body = staticmethod(errors.v3_body)
    from_core = staticmethod(errors.v3_from_core)

    def from_problem(self, problem, req) -> DialectError:
        kind = problem.kind
        if kind == "body_too_large":
            return errors.v3(errors.TOO_LARGE_V3, limit=problem.details.get("limit"))
        if kind == "unauthorized":
            return errors.v3(errors.UNAUTHORIZED_V3)
        if kind == "not_found":
            return errors.v3(errors.NOT_FOUND_V3, path=req.path)
        if kind == "method_not_allowed":
            return errors.v3(errors.NOT_ALLOWED_V3, method=req.method)
        return errors.v3(errors.BAD_JSON)

    @staticmethod
    def internal() -> DialectError:
        return errors.v3(errors.INTERNAL_V3)


class V2Dialect(_Dialect):
    """Errors as `{"message": "… ERROR_*"}`."""

    @staticmethod
    def body(error: DialectError) -> dict:
        return {"message": error.message}

    from_core = staticmethod(errors.v2_from_core)

    def from_problem(self, problem, req) -> DialectError:
        kind = problem.kind
        if kind == "body_too_large":
            return errors.v2(errors.TOO_LARGE_V2)
        if kind == "unauthorized":
            return errors.v2(errors.UNAUTHORIZED_V2)
        if kind == "not_found":
            return errors.v2(errors.NOT_FOUND_V2, path=req.path)
        if kind == "method_not_allowed":
            return errors.v2(errors.NOT_ALLOWED_V2, method=req.method)
        return errors.v2(errors.BAD_BODY)

    @staticmethod
    def internal() -> DialectError:
        return errors.v2(errors.INTERNAL_V2)


V3 = V3Dialect()
V2 = V2Dialect()


def credentials(req) -> tuple[str | None, str | None]:
    """(user name, password) from `Authorization: Basic …`; the user name ends at the first ':'."""
    header = req.get_header("Authorization") or ""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return None, None
    try:
        raw = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None, None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    user, separator, password = text.partition(":")
    return (user, password) if separator else (None, None)


class Route:
    """One path template: its methods by HTTP verb, all answering in one dialect's shape."""

    def __init__(self, settings, dialect, methods: dict):
        self.settings = settings
        self.dialect = dialect
        self.methods = methods

    def on_get(self, req, resp, **path):
        self._handle(req, resp, path)

    on_post = on_put = on_patch = on_delete = on_get

    def _handle(self, req, resp, path: dict) -> None:
        req.context.dialect = self.dialect
        method = self.methods.get(req.method)
        if method is None:
            raise RequestProblem("method_not_allowed", f"{req.method} is not allowed here")
        user, password = credentials(req)
        if not password:
            raise RequestProblem("unauthorized", "HTTP Basic credentials are required")
        account_id = service.authenticate(password, "dotdigital", user)
        params = {"path": path, "query": _query(req.query_string), "content_type": req.content_type or ""}
        if method.body != "none" and req.method in ("POST", "PUT", "PATCH"):
            raw = read_body(req, self.settings.dotdigital_max_body)
            params["raw"] = raw
            params["body"] = jsonc.decode(raw) if method.body == "json" else None
        command = method.parse(params)
        try:
            result = service.execute(account_id, command)
        except CoreError as exc:
            mapped = method.on_error(exc, params) if method.on_error else None
            if isinstance(mapped, Reply):  # a refusal the call answers as a normal response
                _write(resp, mapped)
                return
            raise (mapped or exc) from None
        if method.job:
            enqueue(result.id)
        ctx = {"base_url": (self.settings.public_url or req.prefix).rstrip("/"), "command": command}
        _write(resp, method.render(result, params, ctx))


def _query(text: str) -> dict:
    """Query parameters by name (the last of repeated ones); '+' is a space, as in any query string."""
    try:
        return dict(parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict"))
    except (UnicodeDecodeError, ValueError):
        raise RequestProblem("malformed", "The query string is not valid UTF-8") from None


def _write(resp, reply) -> None:
    if not isinstance(reply, Reply):
        reply = Reply(reply)
    resp.status = falcon.code_to_http_status(reply.status)
    for name, value in reply.headers.items():
        resp.set_header(name, value)
    if reply.status == 204:
        return
    resp.content_type = reply.content_type
    resp.data = reply.body if isinstance(reply.body, (bytes, bytearray)) else jsonc.encode(reply.body)


class NotFound:
    """Paths under a Dotdigital prefix that name no call: a 404 in that API's own shape."""

    def __init__(self, dialect):
        self.dialect = dialect

    def __call__(self, req, resp, **kwargs):
        req.context.dialect = self.dialect
        raise RequestProblem("not_found", f"No such call: {req.method} {req.path}")


def add_routes(app: falcon.App, settings) -> None:
    for dialect, routes, prefix in ((V3, V3_ROUTES, r"/contacts/v3(/|$)"), (V2, V2_ROUTES, r"/v2(/|$)")):
        for template, methods in routes.items():
            app.add_route(template, Route(settings, dialect, methods))
        app.add_sink(NotFound(dialect), prefix)
