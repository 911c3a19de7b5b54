"""Big JSON bodies without their whole object graph: checked in one streaming pass, top-level arrays read item by item.

`decode` answers what `jsonc.decode` answers, except that each top-level array member of an
object body is a `core.items.Items`: its items are decoded (ijson, yajl2_c) one at a time when
iterated, from the body's bytes. `reopen` reads the same items again from the stored body in a
job. Whenever the streaming parser could disagree with orjson (an error of any kind, integers
beyond 64 bits, lone escaped surrogates, whitespace only yajl accepts, deep nesting), and for
bodies under WHOLE_BELOW bytes, the body is decoded whole by `jsonc.decode` instead: same value,
same error, so the answer never depends on the parser.
"""
from __future__ import annotations

import os
import re

import ijson
import orjson
from ijson.common import ObjectBuilder

from core.items import Items

from . import charset, jsonc

# Smaller bodies are decoded whole: orjson is faster, and their object graph is small.
WHOLE_BELOW = int(os.environ.get("JSON_STREAM_FROM_BYTES") or 1 << 20)
# yajl reads "\ud800" alone as "?" where orjson refuses it; a body that escapes any surrogate is
# left to orjson (a valid pair is decoded the same by both, but telling them apart costs more).
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_CONTAINER = {"start_map": 1, "start_array": 1, "end_map": -1, "end_array": -1}


def decode(raw: bytes, content_type: str | None = None):
    body = charset.to_utf8(raw, content_type)
    if not body.strip():
        return None
    shell = _outline(body) if len(body) >= WHOLE_BELOW and _streamable(body) else None
    if shell is None:
        return _whole(jsonc.decode(body), body)
    return shell


def reopen(stream_factory, ref: dict):
    """The items `Items.ref()` named, read again from the stored body (`stream_factory()`: a fresh file on it)."""
    key = ref["key"]
    if ref["whole"]:
        with stream_factory() as stream:
            return orjson.loads(stream.read())[key]

    def items():
        with stream_factory() as stream:
            yield from ijson.items(stream, f"{key}.item", use_float=True)
    return Items(key, ref["count"], b"", items, whole=False)


def _streamable(body: bytes) -> bool:
    return b"\f" not in body and b"\v" not in body and _ESCAPED_SURROGATE.search(body) is None


def _whole(value, body: bytes):
    """A value orjson decoded, its top-level arrays as Items over the lists themselves."""
    if not isinstance(value, dict):
        return value
    return {key: Items(key, len(member), body, member.__iter__, whole=True) if isinstance(member, list) else member
            for key, member in value.items()}


def _outline(body: bytes) -> dict | None:
    """The top-level object with its arrays as Items, after one pass that checks the whole body;
    None when the body must be decoded whole (see the module's docstring)."""
    events = ijson.basic_parse(body, use_float=True)
    try:
        first, _ = next(events)
        if first != "start_map":
            return None
        shell, arrays, keys = {}, {}, []
        key, depth, builder = None, 1, None
        for event, value in events:
            if depth == 1:
                if event == "map_key":
                    key = value
                    keys.append(key)
                elif event == "start_array":
                    count = _count_items(events, jsonc.MAX_DEPTH - 2)
                    if count is None:
                        return None
                    shell[key] = arrays[key] = count
                elif event == "start_map":
                    depth, builder = 2, ObjectBuilder()
                    builder.event(event, value)
                elif event == "end_map":
                    depth = 0
                else:
                    shell[key] = value
                continue
            if builder is None:
                return None  # anything after the body's end (the parser refuses it)
            depth += _CONTAINER.get(event, 0)  # inside a top-level object
            if depth > jsonc.MAX_DEPTH:
                return None
            builder.event(event, value)
            if depth == 1:
                shell[key], builder = builder.value, None
    except (ijson.JSONError, UnicodeError, ValueError, OverflowError):
        return None
    # Items are found again by ijson's dotted prefix: it must name one member, and only it.
    if len(set(keys)) != len(keys) or any("." in k or not k for k in keys):
        return None
    for key, count in arrays.items():
        shell[key] = Items(key, count, body, _reader(body, key), whole=False)
    return shell


_OPEN = frozenset({"start_map", "start_array"})
_CLOSE = frozenset({"end_map", "end_array"})


def _count_items(events, deepest: int) -> int | None:
    """The items of the array whose start_array was the last event taken from `events`, taking
    events up to its end_array; None when containers nest more than `deepest` levels inside it.

    The body's bulk goes by here, so an event costs a set test or two and nothing else."""
    count = depth = 0
    for event, _ in events:
        if event in _OPEN:
            if not depth:
                count += 1  # an item that is an object or an array
            depth += 1
            if depth > deepest:
                return None
        elif event in _CLOSE:
            if not depth:
                return count
            depth -= 1
        elif not depth:
            count += 1  # an item that is a scalar
    return None  # the body ended inside the array (the parser has refused it already)


def _reader(body: bytes, key: str):
    return lambda: ijson.items(body, f"{key}.item", use_float=True)
