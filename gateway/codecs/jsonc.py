"""JSON bodies: orjson both ways; a broken body is a RequestProblem the dialect renders its way."""
from __future__ import annotations

import re

import orjson

from ..problems import RequestProblem
from . import charset

MAX_DEPTH = 64


def decode(body: bytes, content_type: str | None = None):
    """The JSON value of a body (None for an empty body) in the charset its Content-Type declares;
    refuses an unusable charset, bad UTF-8, bad JSON, deep nesting."""
    body = charset.to_utf8(body, content_type)
    if not body.strip():
        return None
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        kind = "bad_encoding" if "utf-8" in str(exc).lower() else "malformed"
        raise RequestProblem(kind, f"Malformed JSON: {exc}") from None
    if _too_deep(body):
        raise RequestProblem("malformed", f"JSON nested deeper than {MAX_DEPTH} levels")
    return value


# Brackets of either kind as "[" and "]" (depth does not depend on the kind), quotes kept, the rest dropped.
_TO_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_STRING = re.compile(rb'"[^"]*"')


def _too_deep(body: bytes) -> bool:
    """Are objects or arrays of a body orjson has read nested more than MAX_DEPTH levels?

    Read off its brackets with bytes operations, not by walking the decoded value (a 500-contact
    body took over a millisecond): escapes, then every other character, then strings go; each
    pass then removes the empty containers, so one level, and brackets left after MAX_DEPTH
    passes are a deeper level.
    """
    if b"\\" in body:
        # A valid body's backslashes pair up from the left, inside strings: escaped backslashes
        # first, then escaped quotes, leave only the quotes that open and close strings.
        body = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    structure = body.translate(_TO_BRACKETS, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in structure:  # strings that held brackets
        structure = _STRING.sub(b"", structure)
    if len(structure) <= 2 * MAX_DEPTH:
        return False
    for _ in range(MAX_DEPTH):
        if not structure:
            return False
        structure = structure.replace(b"[]", b"")
    return bool(structure)


def encode(value, sort_keys: bool = False) -> bytes:
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_SORT_KEYS if sort_keys else 0)
    return orjson.dumps(value, option=option)
