"""The streaming JSON codec answers what the whole-body codec answers: the same values, the same refusals."""
from __future__ import annotations

import io

import orjson
import pytest

from core.items import Items
from gateway.codecs import json_stream, jsonc
from gateway.problems import RequestProblem

BODIES = [
    b'{"contacts":[{"a":1},{"b":[1,2,{"c":null}]},3,"x",[]],"mergeOption":"overwrite","n":{"k":[1]}}',
    b'{"contacts":[]}', b'{}', b'[]', b'[1,2]', b'"text"', b'null', b' {"contacts":[1]} ',
    b'{"contacts":[1],"contacts":[2]}', b'{"a.b":[1]}', b'{"":[1]}', b'{"contacts":[1.5,-0.0,1E2,-0,5e-324]}',
    b'{"contacts":[123456789012345678901234567890]}', b'{"contacts":[18446744073709551615]}',
    b'{"contacts":["\\ud800"]}', b'{"contacts":["\\ud83d\\ude00","\\u00e9\\u0000"]}', b'{"contacts":["\xff"]}',
    b'{"contacts":[1]}\f', b'{"contacts":[1,]}', b'{"contacts":[1]} x', b'{"contacts":[NaN]}', b'{"contacts":[1e400]}',
    b'{"contacts":[' + b'[' * 70 + b']' * 70 + b']}', b'{"contacts":[' + b'[' * 61 + b']' * 61 + b']}',
    b'{"contacts":[' + b'[' * 62 + b']' * 62 + b']}', b'{"x":' + b'{"y":' * 70 + b'1' + b'}' * 70 + b'}',
    b'{"contacts":[{"email":"\xc3\xa9"}], "mergeOption": 7}', b'\xef\xbb\xbf{"contacts":[1]}', b'  ', b'',
]


def materialised(value):
    if isinstance(value, dict):
        return {k: list(v) if isinstance(v, Items) else v for k, v in value.items()}
    return value


def answer(decoder, body):
    try:
        return "value", materialised(decoder(body))
    except RequestProblem as exc:
        return exc.kind, str(exc)


@pytest.mark.parametrize("body", BODIES)
def test_the_streaming_codec_answers_as_the_whole_body_codec(body, monkeypatch):
    monkeypatch.setattr(json_stream, "WHOLE_BELOW", 0)
    expected = answer(jsonc.decode, body)
    got = answer(json_stream.decode, body)
    assert repr(got) == repr(expected)  # repr: 1 and 1.0, -0.0 and 0 differ


def test_a_plain_body_is_streamed_and_read_again_from_a_file(monkeypatch):
    monkeypatch.setattr(json_stream, "WHOLE_BELOW", 0)
    body = orjson.dumps({"mergeOption": "overwrite", "contacts": [{"n": i, "f": i / 3} for i in range(500)]})
    shell = json_stream.decode(body)
    items = shell["contacts"]
    assert shell["mergeOption"] == "overwrite" and not items.whole and len(items) == 500
    again = json_stream.reopen(lambda: io.BufferedReader(io.BytesIO(body)), items.ref())
    assert list(again) == list(items) == orjson.loads(body)["contacts"]


@pytest.mark.parametrize("body", [b'{"contacts":[1],"contacts":[2]}', b'{"a.b":1,"contacts":[1]}',
                                  b'{"contacts":["\\ud83d\\ude00"]}', b'{"contacts":[1]}\v', b'{"contacts":[1]}'])
def test_what_the_streaming_parser_could_read_otherwise_is_decoded_whole(body, monkeypatch):
    monkeypatch.setattr(json_stream, "WHOLE_BELOW", 0 if body != b'{"contacts":[1]}' else 100)
    try:
        shell = json_stream.decode(body)
    except RequestProblem:
        return  # \v: refused, as orjson refuses it
    items = shell["contacts"]
    assert items.whole
    assert json_stream.reopen(lambda: io.BytesIO(body), items.ref()) == orjson.loads(body)["contacts"]


@pytest.mark.parametrize("body", [BODIES[0], BODIES[1], BODIES[7], BODIES[11], BODIES[24],
                                  b'{"a":[[],{},[[1]],{"b":{"c":[]}},null,true],"b":[{"x":[]}],"c":{"d":[1,2]}}'])
def test_a_streamed_array_counts_its_items_as_it_checks_the_body(body, monkeypatch):
    monkeypatch.setattr(json_stream, "WHOLE_BELOW", 0)
    shell = json_stream.decode(body)
    streamed = {k: v for k, v in shell.items() if isinstance(v, Items) and not v.whole}
    assert streamed  # these bodies are streamed, not decoded whole
    for key, items in streamed.items():
        assert len(items) == len(list(items)) == len(orjson.loads(body)[key])
