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
    if _too_deep(value):
        raise RequestProblem("malformed", f"JSON nested deeper than {MAX_DEPTH} levels")
    return value


def _too_deep(value) -> bool:
    """Level by level, containers only: a 3,000-contact body is checked in a few milliseconds."""
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            return True
        below = []
        for node in level:
            below.extend(node.values() if isinstance(node, dict) else node)
        level = [node for node in below if isinstance(node, (dict, list))]
        depth += 1
    return False


def encode(value) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
