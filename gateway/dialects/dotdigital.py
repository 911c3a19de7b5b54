"""Dotdigital over HTTP: /contacts/v3/… and /v2/…, JSON bodies, HTTP Basic with an API user name and password."""
from __future__ import annotations

import falcon
import orjson

from adapters.common import DialectError
from adapters.dotdigital import errors, limits
from adapters.dotdigital.methods import V2_ROUTES, V3_ROUTES
from adapters.dotdigital.wire import JSON, Reply
from core import service
from core.errors import CoreError

from .. import credentials
from ..body import read_body
from ..codecs import json_stream, jsonc, multipart
from ..codecs.form import pairs_from_query
from ..problems import RequestProblem
from ..worker import enqueue_started

REALM = 'Basic realm="Dotdigital API"'


class _Dialect:
    """Every failure of one API rendered in its shape; the two APIs differ only by these tables."""

    name = "dotdigital"

    def __init__(self, make, body, from_core, problems: dict, internal: tuple):
        self.make = make  # (catalogue entry, **values) -> DialectError
        self.body = body  # DialectError -> JSON structure
        self.from_core = from_core
        self.problems = problems  # RequestProblem kind -> catalogue entry ("malformed" for the rest)
        self.internal = internal

    def render_error(self, ex, req):
        error = self.translate(ex, req)
        status = error.status or 400
        headers = {}
        if status == 401:
            headers["WWW-Authenticate"] = REALM
        elif status == 429:
            # The official PHP SDK reads scope, limit and reset ("the time in seconds until the rate limit resets").
            reset = str(error.details.get("reset") or errors.RETRY_AFTER)
            headers.update({"Retry-After": reset, "X-RateLimit-Reset": reset, "X-RateLimit-Remaining": "0",
                            "X-RateLimit-Scope": error.details.get("scope", ""),
                            "X-RateLimit-Limit": str(error.details.get("limit", ""))})
        return falcon.code_to_http_status(status), JSON, orjson.dumps(self.body(error)), headers

    def translate(self, ex, req) -> DialectError:
        if isinstance(ex, DialectError):
            return ex
        if isinstance(ex, CoreError):
            return self.from_core(ex)
        if isinstance(ex, falcon.HTTPError):
            ex = RequestProblem("malformed", ex.description or ex.title)
        if isinstance(ex, RequestProblem):
            entry = self.problems.get(ex.kind, self.problems["malformed"])
            return self.make(entry, limit=ex.details.get("limit"), path=req.path, method=req.method)
        return self.make(self.internal)


# v3: {"errorCode": "contacts:…", "description": …, "details": […]}
V3 = _Dialect(errors.v3, errors.v3_body, errors.v3_from_core, {
    "body_too_large": errors.TOO_LARGE_V3, "unauthorized": errors.UNAUTHORIZED_V3, "not_found": errors.NOT_FOUND_V3,
    "method_not_allowed": errors.NOT_ALLOWED_V3, "malformed": errors.BAD_JSON}, errors.INTERNAL_V3)
# v2: {"message": "… ERROR_*"}
V2 = _Dialect(errors.v2, lambda error: {"message": error.message}, errors.v2_from_core, {
    "body_too_large": errors.TOO_LARGE_V2, "unauthorized": errors.UNAUTHORIZED_V2, "not_found": errors.NOT_FOUND_V2,
    "method_not_allowed": errors.NOT_ALLOWED_V2, "malformed": errors.BAD_BODY,
    "malformed_multipart": errors.FILE_INVALID}, errors.INTERNAL_V2)


class Route:
    """One path template: its methods by HTTP verb, all answering in one dialect's shape."""

    def __init__(self, settings, dialect, methods: dict, template: str):
        self.settings = settings
        self.dialect = dialect
        self.methods = methods
        self.template = template

    def on_get(self, req, resp, **path):
        self._handle(req, resp, path)

    on_post = on_put = on_patch = on_delete = on_get

    def _handle(self, req, resp, path: dict) -> None:
        req.context.dialect = self.dialect
        method = self.methods.get(req.method)
        if method is None:
            raise RequestProblem("method_not_allowed", f"{req.method} is not allowed here")
        user, password = credentials.basic(req.get_header("Authorization")) or (None, None)
        if not password:
            raise RequestProblem("unauthorized", "HTTP Basic credentials are required")
        account_id = service.authenticate(password, "dotdigital", user, usage=limits.usage(req.method, self.template))
        params = {"path": path, "query": dict(pairs_from_query(req.query_string)), "content_type": req.content_type or ""}
        if method.body != "none" and req.method in ("POST", "PUT", "PATCH"):
            raw = read_body(req, self.settings.dotdigital_max_body)
            params["raw"] = raw
            params["body"] = jsonc.decode(raw, req.content_type) if method.body == "json" \
                else json_stream.decode(raw, req.content_type) if method.body == "json_items" else None
            if method.body == "upload" and multipart.is_multipart(req.content_type):
                params["parts"] = multipart.parts(raw, req.content_type)
        command = method.parse(params)
        try:
            result = service.execute(account_id, command)
        except CoreError as exc:
            mapped = method.on_error(exc, params) if method.on_error else None
            if isinstance(mapped, Reply):  # a refusal the call answers as a normal response
                _write(resp, mapped)
                return
            raise (mapped or exc) from None
        enqueue_started(command, result)
        ctx = {"base_url": (self.settings.public_url or req.prefix).rstrip("/"), "command": command}
        _write(resp, method.render(result, params, ctx))


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
            app.add_route(template, Route(settings, dialect, methods, template))
        app.add_sink(NotFound(dialect), prefix)
