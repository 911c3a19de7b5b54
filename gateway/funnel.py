"""The error funnel: any exception leaves in the caller's dialect and format, never as a stack trace."""
from __future__ import annotations

import logging

import falcon
import orjson
import peewee

from core import db as store

from . import metrics

log = logging.getLogger("contact_gateway")


def install(app: falcon.App) -> None:
    app.add_error_handler(Exception, handle)
    app.add_error_handler(falcon.HTTPError, handle)


def handle(req, resp, ex, params):
    req.context.error = getattr(ex, "code", None) or getattr(ex, "kind", None) or type(ex).__name__  # for the request's log line
    if isinstance(ex, (peewee.OperationalError, peewee.InterfaceError)):
        # A dropped store connection: forget it so the next request reconnects.
        metrics.STORE_ERRORS.inc()
        log.warning("store connection error: %s", ex)
        try:
            store.database().close()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail too
            pass
    dialect = getattr(req.context, "dialect", None)
    if dialect is None:
        _plain(resp, ex)
        return
    if not _expected(ex):
        log.exception("unexpected error in %s %s", req.method, req.path, exc_info=ex)
    status, content_type, body, headers = dialect.render_error(ex, req)
    resp.status = status
    resp.content_type = content_type
    resp.data = body
    for name, value in (headers or {}).items():
        resp.set_header(name, value)


def sort(ex, *, dialect, core, problem, http, unexpected):
    """Hand a failure to the dialect's handler for its kind: a refusal the adapter already worded
    (DialectError), a core error, a gateway-level problem, a Falcon HTTP error, or anything else."""
    from adapters.common import DialectError
    from core.errors import CoreError

    from .problems import RequestProblem

    if isinstance(ex, DialectError):
        return dialect(ex)
    if isinstance(ex, CoreError):
        return core(ex)
    if isinstance(ex, RequestProblem):
        return problem(ex)
    if isinstance(ex, falcon.HTTPError):
        return http(ex)
    return unexpected()


def _expected(ex) -> bool:
    from adapters.common import DialectError
    from core.errors import CoreError

    from .problems import RequestProblem

    return isinstance(ex, (DialectError, CoreError, RequestProblem, falcon.HTTPError))


def _plain(resp, ex) -> None:
    if isinstance(ex, falcon.HTTPError):
        resp.status = ex.status
        resp.content_type = "application/json"
        resp.data = orjson.dumps({"title": ex.title, "description": ex.description})
        return
    log.exception("unexpected error", exc_info=ex)
    resp.status = falcon.HTTP_500
    resp.content_type = "application/json"
    resp.data = orjson.dumps({"title": "Internal error"})
