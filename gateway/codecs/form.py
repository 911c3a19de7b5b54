"""Form parameters as PHP reads them: query string and body merged, `a[b][]=c` keys nested."""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote

from ..problems import RequestProblem
from . import charset, multipart


def pairs_from_query(query: str) -> list[tuple[str, str]]:
    """The query string's name/value pairs, for every dialect: '+' is a space, text is strict UTF-8
    (anything else is RequestProblem("bad_encoding"))."""
    return _parse_qsl(query)


def pairs_from_body(body: bytes, content_type: str) -> list[tuple[str, str]]:
    """Name/value pairs of a form body; any other media type carries no form parameters."""
    if multipart.is_multipart(content_type):
        return _multipart_pairs(body, content_type)
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in ("application/x-www-form-urlencoded", "") and body:
        body = charset.to_utf8(body, content_type)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise RequestProblem("bad_encoding", "Request body is not valid UTF-8") from None
        return _parse_qsl(text)
    return []


def _parse_qsl(text: str) -> list[tuple[str, str]]:
    """`parse_qsl(text, keep_blank_values=True, errors="strict")`, pair for pair (a property test
    holds them equal), with the names' percent-decoding remembered.

    A client's imports repeat the same names request after request (`data%5B12%5D%5B3%5D` …), and
    decoding them was a quarter of a 500-row import; the values are decoded every time.
    """
    result = []
    try:
        for pair in text.split("&") if text else ():
            if not pair:
                continue
            name, _, value = pair.partition("=")
            name = _name(name) if len(name) <= _REMEMBERED_NAME else _decode(name)
            result.append((name, _decode(value)))
    except UnicodeDecodeError:
        raise RequestProblem("bad_encoding", "Parameters must be UTF-8 encoded") from None
    return result


def _decode(text: str) -> str:
    return unquote(text.replace("+", " "), encoding="utf-8", errors="strict")


_REMEMBERED_NAME = 64  # longer names are decoded each time: the memo must not hold a client's megabytes


@lru_cache(maxsize=65536)
def _name(text: str) -> str:
    return _decode(text)


def _multipart_pairs(body: bytes, content_type: str) -> list[tuple[str, str]]:
    result = []
    for part in multipart.parts(body, content_type):
        try:
            result.append((part.name, part.data.decode("utf-8")))
        except UnicodeDecodeError:
            raise RequestProblem("bad_encoding", f"Form field {part.name!r} is not valid UTF-8") from None
    return result


def nest(pairs: list[tuple[str, str]]) -> dict:
    """PHP's parse_str: `a[x][]=1` -> {'a': {'x': {'0': '1'}}}; later pairs win, `[]` appends."""
    result: dict = {}
    for key, value in pairs:
        path = _path(key) if key[-1:] == "]" else None
        if path is None:
            result[key] = value
            continue
        node = result
        last = len(path) - 1
        for i in range(last):
            part = path[i]
            if part == "" and i:
                part = _next_index(node)
            child = node.get(part)
            if child.__class__ is not dict:
                child = node[part] = {}
            node = child
        leaf = path[last]
        node[leaf if leaf != "" else _next_index(node)] = value
    return result


@lru_cache(maxsize=65536)
def _path(key: str) -> tuple[str, ...] | None:
    """'a[b][]' -> ('a', 'b', ''); None for a plain name or unbalanced brackets (kept literally).

    Remembered: every import of a client sends the same keys (data[0][0] … data[499][9]).
    """
    opening = key.find("[")
    if opening <= 0 or key[-1] != "]":
        return None
    inner = key[opening + 1:-1].split("][")
    for part in inner:
        if "[" in part or "]" in part:
            return None
    name = key[:opening]
    if "]" in name:
        return None
    return (name, *inner)


# The keys PHP counts as integers when it picks the next `[]` index: ASCII digits, an optional
# minus, short enough to be a 64-bit integer (`²` and 5,000-digit keys stay strings, as in PHP).
_INTEGER_KEY = re.compile(r"-?[0-9]{1,18}", re.ASCII)


def _next_index(node: dict) -> str:
    numbers = [int(k) for k in node if _INTEGER_KEY.fullmatch(k)]
    return str(max(numbers) + 1 if numbers else 0)

