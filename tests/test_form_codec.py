"""PHP-style form parsing: bracket nesting, appends, encodings, merging order."""
from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given, strategies as st

from adapters.unisender.params import as_list, id_list, names
from gateway.codecs.form import nest, pairs_from_body, pairs_from_query


def test_nesting_appending_and_last_wins():
    pairs = pairs_from_query("data[0][1]=b&data[0][0]=a&x[]=1&x[]=2&plain=1&plain=2&data%5B1%5D%5B0%5D=c")
    parsed = nest(pairs)
    assert parsed["data"] == {"0": {"1": "b", "0": "a"}, "1": {"0": "c"}}
    assert as_list(parsed["data"]["0"]) == ["a", "b"]
    assert as_list(parsed["x"]) == ["1", "2"]
    assert parsed["plain"] == "2"


def test_plus_and_percent_twenty_are_spaces_and_blank_values_kept():
    assert nest(pairs_from_query("a=x+y&b=x%20y&c=&d")) == {"a": "x y", "b": "x y", "c": "", "d": ""}


def test_scalar_then_array_and_back():
    assert nest([("a", "1"), ("a[0]", "2")]) == {"a": {"0": "2"}}
    assert nest([("a[0]", "2"), ("a", "1")]) == {"a": "1"}


def test_unbalanced_brackets_stay_literal():
    assert nest([("a[b", "1"), ("c]", "2")]) == {"a[b": "1", "c]": "2"}


def test_numeric_keys_sort_as_numbers():
    assert as_list({"10": "c", "2": "b", "1": "a"}) == ["a", "b", "c"]


def test_id_lists_and_names():
    assert id_list("1, 2,,3 ", "x") == [1, 2, 3]
    assert names(" a, b ,a,, c") == ["a", "b", "c"]


def test_form_body_media_types():
    assert pairs_from_body(b"a=1", "application/x-www-form-urlencoded; charset=utf-8") == [("a", "1")]
    assert pairs_from_body(b'{"a":1}', "application/json") == []
    assert pairs_from_body(b"a=1", "") == [("a", "1")]


@given(st.lists(st.tuples(st.lists(st.text(alphabet="abc01", min_size=1, max_size=3), min_size=1, max_size=3),
                          st.text(max_size=5)), max_size=8))
def test_any_encoded_form_round_trips_through_nest(entries):
    """Whatever the keys, the last value written to a leaf path is what nest() returns there."""
    pairs = [(path[0] + "".join(f"[{p}]" for p in path[1:]), value) for path, value in entries]
    parsed = nest(pairs_from_query(urlencode(pairs)))
    expected = {}
    for path, value in entries:
        node = expected
        for part in path[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[path[-1]] = value
    assert parsed == expected


_FORM_PIECES = st.sampled_from(["a", "b", "=", "&", "+", "%20", "%5B", "%5D", "[", "]", "%40", "%D0%B9", "й",
                                "%", "%2", "%zz", "%C3", "%FF", ";", " ", "&&", "=="])


@given(st.lists(_FORM_PIECES, max_size=30).map("".join), st.booleans())
def test_pairs_are_exactly_what_parse_qsl_gives(text, long_names):
    """The form parser remembers decoded names; the pairs (and the refusals) stay parse_qsl's own."""
    from urllib.parse import parse_qsl

    if long_names:
        text = text.replace("a", "a" * 70)  # past the memo's name length: decoded each time
    try:
        expected = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        expected = "bad_encoding"
    try:
        got = pairs_from_query(text)
        got = pairs_from_query(text)  # the second time from the memo
    except Exception as exc:  # noqa: BLE001 - compared below
        got = getattr(exc, "kind", exc)
    assert got == expected
