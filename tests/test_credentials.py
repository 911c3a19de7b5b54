"""The one credentials reader: Basic, Bearer, raw Authorization, parameters; any bytes end in the dialect's 401."""
from __future__ import annotations

import base64

import pytest

from gateway import credentials


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def test_basic_splits_at_the_first_colon():
    assert credentials.basic("Basic " + b64(b"user:pass:word")) == ("user", "pass:word")
    assert credentials.basic("basic  " + b64(b":key")) == ("", "key")
    assert credentials.basic("Basic " + b64(b"no colon")) is None
    assert credentials.basic("Bearer " + b64(b"a:b")) is None
    assert credentials.basic(None) is None and credentials.basic("Basic") is None


@pytest.mark.parametrize("header", ["Basic !!!", "Basic " + "é" * 8, "Basic abc"])
def test_basic_that_does_not_decode_is_no_credentials(header):
    assert credentials.basic(header) is None


def test_basic_bytes_that_are_not_utf8_are_read_as_latin1():
    assert credentials.basic("Basic " + b64("usér:kéy".encode("latin-1"))) == ("usér", "kéy")
    assert credentials.basic("Basic " + b64("usér:kéy".encode("utf-8"))) == ("usér", "kéy")


def test_bearer_and_parameters():
    assert credentials.bearer("Bearer  tok ") == "tok"
    assert credentials.bearer("bearer tok") == "tok"
    assert credentials.bearer("Basic tok") is None and credentials.bearer("Bearer ") is None
    assert credentials.parameter(" key ") == "key"
    assert credentials.parameter(["key"]) is None and credentials.parameter({"a": 1}) is None
    assert credentials.parameter("  ") is None and credentials.parameter(None) is None
    assert credentials.first(None, "", "b", "c") == "b" and credentials.first() is None


def test_raw_authorization_candidates():
    read = credentials.raw_authorization
    assert read("abc123") == ["abc123"]
    assert read("abc123:user:0") == ["abc123"]
    encoded = b64(b"abc123:")
    assert read("Basic " + encoded) == ["abc123", encoded]
    assert read(encoded) == [encoded, "abc123"]
    assert read("Basic " + b64(b"\x00\x01:"))[0] != "\x00\x01"
    assert read(None) == [] and read("  ") == [] and read(":x") == []


GARBAGE = ["Basic !!!not-base64", "Basic " + b64(b"\xff\xfe:\xc3\x28"), "Basic " + b64(b"\xff\xfe"),
           "Bearer \xe9\xe9", "\xff\xfe\xfd", "Basic"]


@pytest.mark.parametrize("header", GARBAGE)
def test_any_authorization_bytes_get_each_dialects_401(app, account, header):
    """No header a client can send makes the gateway fail: each dialect answers its own refusal."""
    auth = {"Authorization": header}
    esputnik = app.get("/api/v1/contacts", headers=auth, expect_errors=True)
    assert (esputnik.status_int, esputnik.text) == (401, "Unauthorized")
    v3 = app.get("/contacts/v3/email/a@example.com", headers=auth, expect_errors=True)
    assert v3.status_int == 401 and v3.json["errorCode"] == "contacts:unauthorized"
    v2 = app.get("/v2/contacts/a@example.com", headers=auth, expect_errors=True)
    assert v2.status_int == 401 and v2.json == {"message": "Authorization has been denied for this request."}
    icomm = app.post("/Contacts/ListFull.Json/", b"{}", headers=auth, content_type="application/json",
                     expect_errors=True)
    assert icomm.status_int == 401
    altcraft = app.post("/api/v1.1/profiles/get", b"{}", headers=auth, content_type="application/json")
    assert altcraft.json["error"] != 0
