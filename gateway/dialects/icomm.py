"""Icomm over HTTP: POST /Contacts/<Operation>.Json[/] (any case), JSON bodies, the key in Authorization."""
from __future__ import annotations

import re

import falcon
import orjson

from adapters.common import DialectError
from adapters.icomm import errors, limits, wire
from adapters.icomm.operations import resolve
from core import errors as core_errors
from core import service
from core.errors import CoreError

from .. import credentials, funnel
from ..body import read_body
from ..codecs import jsonc
from ..observe import name_method
from ..problems import RequestProblem

# Clients spell the path /Contacts/SaveContact.Json/, /contacts/savecontact.json, SaveContact.json/ …
# (a base URL with a trailing slash gives //Contacts/…, merged before routing by CollapseSlashes).
PATH = re.compile(r"/contacts/(?P<operation>[^/]+)/*\Z", re.IGNORECASE)
CONTENT_TYPE = "application/json; charset=utf-8"
DIALECT_NAME = "icomm"


class IcommDialect:
    name = DIALECT_NAME

    def render_error(self, ex, req):
        code, detail = funnel.sort(
            ex, dialect=lambda e: (e.code, e.message), core=errors.from_core, problem=errors.from_problem,
            http=lambda e: errors.from_http_status(e.status_code, e.description or e.title),
            unexpected=errors.unexpected)
        operation = getattr(req.context, "icomm_operation", None) or resolve("Contacts")
        status, body = wire.failure(operation.kind, operation.result, code, detail,
                                    getattr(req.context, "icomm_params", None))
        headers = None
        if status == 401:
            headers = {"WWW-Authenticate": 'Basic realm="icommkt"'}
        elif status == 405:
            headers = {"Allow": "POST"}
        elif status == 429:
            headers = {"Retry-After": str(ex.details["reset"])}
        return falcon.code_to_http_status(status), CONTENT_TYPE, orjson.dumps(body), headers


DIALECT = IcommDialect()


class IcommApi:
    """A sink (Falcon routes are case-sensitive; Icomm clients are not consistent about case)."""

    def __init__(self, settings):
        self.settings = settings

    def __call__(self, req, resp, operation):
        req.context.dialect = DIALECT
        req.context.icomm_operation = op = resolve(operation)
        if op.method is None:
            raise DialectError(errors.UNKNOWN_OPERATION,
                               f'"{operation}" is not a Contacts operation; the operations are SaveContact.Json, '
                               "SaveMultiContact.Json, RemoveContact.Json, UnsubscribeContact.Json, ListFull.Json "
                               "and List.Json")
        name_method(req, op.result.removesuffix("JsonResult"))
        if req.method != "POST":
            raise DialectError(errors.METHOD_NOT_ALLOWED, f"{req.method} is not allowed; every operation is a POST")
        params = jsonc.decode(read_body(req, self.settings.icomm_max_body), req.content_type)
        if not isinstance(params, dict):
            raise RequestProblem("malformed", "The request body must be a JSON object")
        req.context.icomm_params = params
        account_id = authenticate(req.get_header("Authorization"))
        command = op.method.parse(params)
        result = service.execute(account_id, command)
        ctx = {"command": command}
        resp.content_type = CONTENT_TYPE
        resp.data = orjson.dumps(op.method.render(result, params, ctx))
        for name, value in ctx.get("headers", {}).items():
            resp.set_header(name, value)


def authenticate(header: str | None) -> int:
    candidates = credentials.raw_authorization(header)
    if not candidates:
        raise CoreError(core_errors.UNAUTHORIZED, "API key is missing", missing=True)
    failure = None
    for key in candidates:
        try:
            return service.authenticate(key, DIALECT_NAME, usage=limits.RULES)
        except CoreError as exc:
            if exc.code != core_errors.UNAUTHORIZED:  # the key was right (and, say, over its rate limit)
                raise
            failure = exc
    raise failure


def add_routes(app: falcon.App, settings) -> None:
    app.add_sink(IcommApi(settings), PATH)
