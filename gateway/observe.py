"""One middleware sees every request: its X-Request-Id, its log line, its metrics; and the core's item counts for both.

Labels come from the route table: a dialect that resolved a request to one of its methods says
so with `name_method(req, label)` (a name from its own table); otherwise the route's template
(Dotdigital, health, /metrics) or "unmatched" stands in, so a client sending made-up paths never
creates a new series. The job worker counts the items of its chunks through the same listener.
"""
from __future__ import annotations

import contextvars
import logging
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from core import listeners

from . import logs, metrics

log = logging.getLogger("contact_gateway.request")
job_log = logging.getLogger("contact_gateway.job")

REQUEST_ID = "X-Request-Id"
# A caller's id is kept if it is short and plain (uuids, trace ids, ULIDs); anything else is replaced.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,127}")
VERBS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@dataclass
class Work:
    """What one request or one job step did, as the core reported it."""

    dialect: str = ""
    job_id: str | None = None
    account_id: int | None = None
    items: Counter = field(default_factory=Counter)


_current: contextvars.ContextVar[Work | None] = contextvars.ContextVar("work", default=None)


class _CoreListener:
    def authenticated(self, account_id: int) -> None:
        work = _current.get()
        if work is not None:
            work.account_id = account_id

    def items(self, account_id: int, outcomes: Counter) -> None:
        work = _current.get()
        if work is None:
            return
        if work.job_id is None:
            work.items.update(outcomes)
            return
        for outcome, count in outcomes.items():
            metrics.child(metrics.JOB_ITEMS, work.dialect, outcome).inc(count)
        job_log.info("job step", extra={"dialect": work.dialect, "account_id": account_id,
                                        "items": dict(outcomes)})


listeners.listen(_CoreListener())


def name_method(req, label: str) -> None:
    """The vendor method a request resolved to, as its dialect's table names it (a bounded label)."""
    req.context.method = label


def method_label(req) -> str:
    named = getattr(req.context, "method", None)
    if named:
        return named
    template = getattr(req, "uri_template", None)
    if template:
        return f"{req.method if req.method in VERBS else 'OTHER'} {template}"
    return "unmatched"


def request_id_of(req) -> str:
    given = req.get_header(REQUEST_ID)
    if given:
        given = given.strip()
        if _WELL_FORMED.fullmatch(given):
            return given
    return os.urandom(16).hex()  # 32 hex digits like uuid4().hex, without building a UUID


class Observe:
    """Falcon middleware: first in, last out, so its id and timing cover everything else."""

    def process_request(self, req, resp):
        req.context.request_id = rid = request_id_of(req)
        req.context.started = time.perf_counter()
        req.context.work = work = Work()
        req.context.observe_tokens = (logs.request_id.set(rid), _current.set(work))
        resp.set_header(REQUEST_ID, rid)

    def process_response(self, req, resp, resource, req_succeeded):
        work = req.context.work
        elapsed = time.perf_counter() - req.context.started
        dialect = getattr(getattr(req.context, "dialect", None), "name", "") or ""
        method = method_label(req)
        status = resp.status_code
        metrics.child(metrics.REQUESTS, dialect, method, str(status)).inc()
        metrics.child(metrics.DURATION, dialect, method).observe(elapsed)
        for outcome, count in work.items.items():
            metrics.child(metrics.ITEMS, dialect, outcome).inc(count)
        line = {"http_method": req.method, "path": req.path, "dialect": dialect, "method": method,
                "account_id": work.account_id, "status": status, "duration_ms": round(elapsed * 1000, 1)}
        if work.items:
            line["items"] = dict(work.items)
        error = getattr(req.context, "error", None)
        if error:
            line["error"] = error
        log.log(logging.WARNING if status >= 500 else logging.INFO, "request", extra=line)
        rid_token, work_token = req.context.observe_tokens
        _current.reset(work_token)
        logs.request_id.reset(rid_token)


class JobStep:
    """The job worker's context for one job attempt: its id in every log line, its items counted."""

    def __init__(self, job_id: str, kind: str):
        self.work = Work(dialect=metrics.dialect_of_kind(kind), job_id=job_id)

    def __enter__(self):
        self._tokens = (logs.job_id.set(self.work.job_id), _current.set(self.work))
        return self

    def __exit__(self, *exc):
        job_token, work_token = self._tokens
        _current.reset(work_token)
        logs.job_id.reset(job_token)
        return False
