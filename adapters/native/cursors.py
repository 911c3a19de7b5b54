"""Opaque page cursors of the native API: what the core pages by, base64url-encoded JSON."""
from __future__ import annotations

import base64
import binascii
from datetime import datetime

import orjson


class BadCursor(ValueError):
    pass


def encode(value) -> str:
    if isinstance(value, tuple):  # (datetime, id): a job page
        value = [value[0].isoformat(), value[1]]
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


def decode_id(text: str) -> int:
    """A contact page's cursor: the last contact id of the previous page."""
    value = _decode(text)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadCursor(text)
    return value


def decode_job(text: str) -> tuple:
    value = _decode(text)
    try:
        at, job_id = value
        return datetime.fromisoformat(at), str(job_id)
    except (TypeError, ValueError):
        raise BadCursor(text) from None


def _decode(text: str):
    try:
        return orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise BadCursor(text) from None
