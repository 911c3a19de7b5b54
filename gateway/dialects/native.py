"""The native API over HTTP: GET /native/v1/…, Bearer key of the account, JSON, RFC 9457 problem bodies.

One sink takes every path under /native/v1, so unknown paths and verbs leave as problems too.
Reads only: each route parses its query into a core read command, runs it through the service
and renders the result with the native adapter; no SQL here.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl

import falcon
import orjson

from adapters.native import openapi, requests
from core import errors as core_errors
from core import service

from .. import credentials, funnel
from ..problems import RequestProblem

PATHS = r"^/native/v1(?P<path>/.*)?$"
JSON = "application/json"
PROBLEM = "application/problem+json"
_PROBLEM_STATUS = {"not_found": 404, "method_not_allowed": 405, "unauthorized": 401, "body_too_large": 413}


def _problem(status: int, kind: str, title: str, detail: str, **extra) -> tuple:
    body = {"type": f"/native/v1/problems#{kind}", "title": title, "status": status, "detail": detail, **extra}
    return status, body


def _from_core(ex) -> tuple:
    if ex.code == core_errors.UNAUTHORIZED:
        return _problem(401, "unauthorized", "Unauthorized", ex.message)
    if ex.code in (core_errors.NOT_FOUND, core_errors.CONTACT_NOT_FOUND):
        return _problem(404, "not-found", "Not found", ex.message)
    return _problem(400, ex.code.replace("_", "-"), "Bad request", ex.message)


class NativeDialect:
    name = "native"

    def render_error(self, ex, req):
        status, body = funnel.sort(
            ex, dialect=lambda e: _problem(e.status or 400, e.code, e.details.get("title", "Bad request"), e.message,
                                           **{k: v for k, v in e.details.items() if k != "title"}),
            core=_from_core,
            problem=lambda e: _problem(_PROBLEM_STATUS.get(e.kind, 400), e.kind.replace("_", "-"),
                                       e.kind.replace("_", " ").capitalize(), e.message),
            http=lambda e: _problem(e.status_code, "http-error", e.title, e.description or e.title),
            unexpected=lambda: _problem(500, "internal", "Internal error", "The gateway failed; see its log"))
        headers = {"WWW-Authenticate": 'Bearer realm="native"'} if status == 401 else None
        return falcon.code_to_http_status(status), PROBLEM, orjson.dumps(body), headers


DIALECT = NativeDialect()

# (path pattern, handler name): the routes of the API, all GET.
_ROUTES = [
    (re.compile(r"^/openapi\.json$"), "openapi"),
    (re.compile(r"^/contacts$"), "contacts"),
    (re.compile(r"^/contacts/(?P<id>[^/]+)$"), "contact"),
    (re.compile(r"^/events$"), "events"),
    (re.compile(r"^/imports$"), "imports"),
    (re.compile(r"^/imports/(?P<id>[^/]+)$"), "import_"),
]


class NativeApi:
    def __call__(self, req, resp, path=None):
        req.context.dialect = DIALECT
        path = (path or "").rstrip("/") or "/"
        for pattern, name in _ROUTES:
            match = pattern.match(path)
            if match:
                break
        else:
            raise RequestProblem("not_found", f"No such resource: {req.path}")
        if req.method not in ("GET", "HEAD"):
            resp.set_header("Allow", "GET, HEAD")
            raise RequestProblem("method_not_allowed", f"{req.method} is not allowed here; use GET")
        query = dict(parse_qsl(req.query_string, keep_blank_values=True))
        if name == "openapi":
            resp.content_type = JSON
            resp.data = openapi.document_bytes()
            return
        account_id = service.authenticate(credentials.bearer(req.get_header("Authorization")), None)
        resp.content_type = JSON
        resp.data = orjson.dumps(getattr(self, name)(account_id, query, **match.groupdict()))

    def contacts(self, account_id, query):
        return requests.contacts_page(service.execute(account_id, requests.search_contacts(query)))

    def contact(self, account_id, query, id):
        return requests.render.contact(service.execute(account_id, requests.contact_detail(id)))

    def events(self, account_id, query):
        command = requests.read_events(query)
        return requests.events_page(service.execute(account_id, command), command)

    def imports(self, account_id, query):
        return requests.imports_page(service.execute(account_id, requests.list_imports(query)))

    def import_(self, account_id, query, id):
        return requests.import_detail(service.execute(account_id, requests.read_import(id, query)))


def add_routes(app: falcon.App, settings) -> None:
    app.add_sink(NativeApi(), PATHS)
