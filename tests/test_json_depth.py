"""The JSON depth limit read off a body's bytes agrees with the depth of the value orjson decodes."""
from __future__ import annotations

import orjson
from hypothesis import given, settings, strategies as st

from gateway.codecs import jsonc

# Strings full of what could fool a byte-level reading: brackets, quotes, backslashes, escapes.
_TEXT = st.text(alphabet=st.sampled_from(list('[]{}"\\/ aé\n\t\u2028\U0001f600')), max_size=8)


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def _nested(depth: int, filler):
    value = filler
    for level in range(depth):
        value = [value, "]\\\"["] if level % 2 else {'"{': value, "k\\": "}"}
    return value


_VALUES = st.recursive(st.none() | st.integers(-2**63, 2**63 - 1) | _TEXT,
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
                       max_leaves=40)


@settings(max_examples=300, deadline=None)
@given(value=_VALUES, extra=st.integers(min_value=0, max_value=70))
def test_too_deep_is_the_depth_of_the_decoded_value(value, extra):
    value = _nested(extra, value)
    body = orjson.dumps(value)
    assert jsonc._too_deep(body) == (_depth(value) > jsonc.MAX_DEPTH)


def test_the_limit_itself():
    at_limit, over = orjson.dumps(_nested(64, 1)), orjson.dumps(_nested(65, 1))
    assert not jsonc._too_deep(at_limit) and jsonc._too_deep(over)
    assert jsonc._too_deep(b"[" * 65 + b"]" * 65) and not jsonc._too_deep(b"[" * 64 + b"]" * 64)
    assert not jsonc._too_deep(orjson.dumps(["[" * 100, {"{" * 100: '\\"' * 50}]))
