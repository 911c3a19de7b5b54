"""JSON bodies: orjson both ways; a broken body is a RequestProblem the dialect renders its way."""
from __future__ import annotations

import orjson

from ..problems import RequestProblem

MAX_DEPTH = 64


def decode(body: bytes):
    """The JSON value of a body (None for an empty body); refuses bad UTF-8, bad JSON, deep nesting."""
    if not body.strip():
        return None
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        kind = "bad_encoding" if "utf-8" in str(exc).lower() else "malformed"
        raise RequestProblem(kind, f"Malformed JSON: {exc}") from None
    if _depth(value) > MAX_DEPTH:
        raise RequestProblem("malformed", f"JSON nested deeper than {MAX_DEPTH} levels")
    return value


def _depth(value, level: int = 1) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level


def encode(value) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
