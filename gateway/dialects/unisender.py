"""Unisender over HTTP: /{lang}/api/{method} and /{lang}/api/async/{method}, GET or POST, form bodies."""
from __future__ import annotations

import falcon
import orjson

from adapters.common import DialectError
from adapters.unisender import errors
from adapters.unisender import limits
from adapters.unisender.methods import ASYNC_METHODS, METHODS, lookup
from core import service
from core.commands import StartJob

from .. import credentials, downloads, funnel
from ..body import decompress, read_body
from ..codecs.form import nest, pairs_from_body, pairs_from_query
from ..observe import name_method
from ..worker import enqueue_started, with_download

LANGS = frozenset({"en", "ru", "ua", "it"})
CONTENT_TYPE = "application/json; charset=utf-8"
# Metric and log labels: a method's name as the table spells it, whatever case the caller used.
_NAMES = {(False, n.lower()): n for n in METHODS} | {(True, n.lower()): f"async/{n}" for n in ASYNC_METHODS}


class UnisenderDialect:
    name = "unisender"

    def render_error(self, ex, req):
        lang = getattr(req.context, "unisender_lang", "en")  # the path's language, once it is a known one
        body = funnel.sort(ex, dialect=lambda e: errors.from_dialect(e, lang), core=lambda e: errors.from_core(e, lang),
                           problem=errors.from_problem,
                           http=lambda e: errors.body("invalid_arg", e.description or e.title),
                           unexpected=lambda: errors.unexpected(lang))
        # Unisender's clients only read errors from HTTP 200 answers (see adapters/unisender/errors.py).
        return falcon.HTTP_200, CONTENT_TYPE, orjson.dumps(body), None


DIALECT = UnisenderDialect()


class UnisenderApi:
    def __init__(self, settings):
        self.settings = settings

    def on_get(self, req, resp, lang, method):
        self._handle(req, resp, lang, method, False)

    def on_post(self, req, resp, lang, method):
        self._handle(req, resp, lang, method, False)

    def on_get_async(self, req, resp, lang, method):
        self._handle(req, resp, lang, method, True)

    def on_post_async(self, req, resp, lang, method):
        self._handle(req, resp, lang, method, True)

    def _handle(self, req, resp, lang, name, is_async):
        req.context.dialect = DIALECT
        if lang not in LANGS:
            raise DialectError("invalid_arg", f'Unsupported language "{lang}": one of en, ru, ua, it')
        req.context.unisender_lang = lang
        params = self.params(req)
        fmt = params.get("format", "json")
        if fmt != "json":
            raise DialectError("invalid_arg", f'Unsupported format "{fmt}": only json')
        method = lookup(name, is_async)
        name_method(req, _NAMES[is_async, name.lower()])
        account_id = service.authenticate(credentials.parameter(params.get("api_key")), "unisender",
                                          usage=limits.usage(name))
        command = method.parse(params)
        base_url = self.settings.public_url or req.prefix
        if isinstance(command, StartJob):  # Unisender's jobs are exports: their file is served back
            command = with_download(command, base_url)
        dry_run = _test_mode(params)
        result = service.execute(account_id, command, dry_run=dry_run)
        if not dry_run:
            enqueue_started(command, result)
        ctx = {"lang": lang, "command": command, "file_url": lambda job: downloads.url(base_url, job)}
        resp.content_type = CONTENT_TYPE
        resp.data = orjson.dumps(method.render(result, params, ctx))

    def params(self, req) -> dict:
        """Query string and body merged; the body wins where both name the same parameter."""
        query = pairs_from_query(req.query_string)
        body = read_body(req, self.settings.unisender_max_body)
        compression = dict(query).get("request_compression")
        if compression:
            body = decompress(body, compression.strip().lower(), self.settings.unisender_max_body)
            content_type = "application/x-www-form-urlencoded"
        else:
            content_type = req.content_type or ""
        return nest(query + pairs_from_body(body, content_type))


def _test_mode(params: dict) -> bool:
    value = params.get("test_mode")
    return isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on")


def add_routes(app: falcon.App, settings) -> None:
    api = UnisenderApi(settings)
    app.add_route("/{lang}/api/{method}", api)
    app.add_route("/{lang}/api/async/{method}", api, suffix="async")
