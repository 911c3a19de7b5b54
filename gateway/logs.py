"""Structured logs: one line per event (JSON or text, LOG_FORMAT), carrying the request or job id it belongs to.

Every logger of the process (the gateway's, gunicorn's, huey's) writes through the one handler
set up here, so an operator reads one format. Secrets never reach a line: nothing logs a
request's query string, headers or body, and as a second guard every line is scrubbed of
anything shaped like a credential (`api_key=…`, `Basic …`, `Bearer …`, `"password": …`).
"""
from __future__ import annotations

import contextvars
import logging
import os
import re
import sys
import time

import orjson

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
job_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("job_id", default=None)

# The attributes every LogRecord has; anything else on a record came from `extra=` and is a field.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}
_SECRETS = re.compile(
    r"(?i)(?P<name>(?:api[_-]?key|token|password|secret|authorization)[\"']?\s*[=:]\s*[\"']?)"
    r"(?:(?:basic|bearer)\s+)?[^\s&\"',;}]+"
    r"|(?P<scheme>\b(?:basic|bearer)\s+)[A-Za-z0-9+/=._~-]{8,}")


def scrub(text: str) -> str:
    """`text` with credential-shaped values replaced by ***."""
    return _SECRETS.sub(lambda m: (m.group("name") or m.group("scheme")) + "***", text)


_second = (-1, "")  # the last whole second formatted, and its text: most lines share one with the line before


def _timestamp(record: logging.LogRecord) -> str:
    global _second
    second = int(record.created)
    cached = _second  # one read: another thread may replace it meanwhile
    if cached[0] != second:
        cached = _second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
    return f"{cached[1]}.{int(record.msecs):03d}Z"


def fields(record: logging.LogRecord) -> dict:
    """A record as ordered fields: time, level, logger, message, the request/job id, extras, traceback."""
    data = {"time": _timestamp(record), "level": record.levelname.lower(), "logger": record.name,
            "message": scrub(record.getMessage())}
    attrs = record.__dict__
    for name, var in (("request_id", request_id), ("job_id", job_id)):
        value = attrs.get(name) or var.get()
        if value:
            data[name] = value
    for name, value in attrs.items():
        if name not in _STANDARD and name not in data:
            data[name] = scrub(value) if isinstance(value, str) else value
    if record.exc_info:
        data["traceback"] = scrub(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        data["traceback"] = scrub(record.exc_text)
    return data


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return orjson.dumps(fields(record), default=str).decode()


class TextFormatter(logging.Formatter):
    """`time level logger [id] message key=value …`, then the traceback on its own lines."""

    def format(self, record: logging.LogRecord) -> str:
        data = fields(record)
        head = [data.pop("time"), data.pop("level").upper(), data.pop("logger")]
        ident = data.pop("request_id", None) or data.pop("job_id", None)
        if ident:
            head.append(f"[{ident}]")
        head.append(data.pop("message"))
        trace = data.pop("traceback", None)
        line = " ".join(head + [f"{k}={orjson.dumps(v, default=str).decode() if not isinstance(v, str) else v}"
                                for k, v in data.items()])
        return f"{line}\n{trace}" if trace else line


def configure(default_format: str = "text") -> None:
    """Route every logger through one stderr handler in LOG_FORMAT (json|text) at LOG_LEVEL (default info)."""
    fmt = (os.environ.get("LOG_FORMAT") or default_format).strip().lower()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel((os.environ.get("LOG_LEVEL") or "info").upper())
    # What no line shows, so no record needs to gather: the caller's file and line (a walk up the
    # stack for every record), thread, process id and name (the logging docs' "Optimization").
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    for name in ("gunicorn.error", "gunicorn.access", "huey", "huey.consumer"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
