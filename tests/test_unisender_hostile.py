"""Hostile and broken input to the Unisender dialect: a clear Unisender-shaped error, nothing written."""
from __future__ import annotations

import bz2
import gzip

import pytest
import webtest

from core import accounts, catalog
from core.schema import ContactList
from helpers import nothing_written

URL = "/en/api/importContacts?format=json"


def error_of(response) -> tuple[str, str]:
    assert response.status_int == 200
    body = response.json
    assert set(body) == {"error", "code", "result"} and body["result"] == ""
    return body["code"], body["error"]


def post(app, body, content_type="application/x-www-form-urlencoded", **headers):
    return app.post(URL, body, content_type=content_type, headers=headers, expect_errors=True)


@pytest.fixture
def small_app(store_url):
    from gateway.app import create_app
    from gateway.config import Settings

    return webtest.TestApp(create_app(Settings(database_url=store_url, unisender_max_body=4096)))


@pytest.mark.parametrize("key", ["", "wrong-key", None])
def test_missing_or_wrong_key(app, account, key):
    body = "field_names[0]=email&data[0][0]=a@example.com" + ("" if key is None else f"&api_key={key}")
    code, message = error_of(post(app, body))
    assert code == "invalid_api_key" and "invalid" in message
    nothing_written(account)


def test_revoked_key_stops_working(app, account):
    credential = accounts.keys(account.id)[0]
    accounts.revoke_key(account.id, credential.id)
    code, _ = error_of(post(app, f"api_key={account.key}&field_names[0]=email&data[0][0]=a@example.com"))
    assert code == "invalid_api_key"


def test_another_accounts_list_ids_are_refused_whole(app, account):
    other = accounts.create_account("other")
    catalog.create_list(other.id, "Theirs", number=777)
    body = (f"api_key={account.key}&field_names[0]=email&field_names[1]=email_list_ids"
            f"&data[0][0]=a@example.com&data[1][0]=b@example.com&data[1][1]=777")
    code, message = error_of(post(app, body))
    assert (code, message) == ("invalid_arg", "List not found: 777")
    nothing_written(account)
    assert ContactList.select().where(ContactList.account == account.id).count() == 0


def test_unknown_user_field_is_refused_whole(app, account):
    body = f"api_key={account.key}&field_names[0]=email&field_names[1]=Nope&data[0][0]=a@example.com&data[0][1]=x"
    assert error_of(post(app, body)) == ("invalid_arg", "Unknown field: Nope")
    nothing_written(account)


@pytest.mark.parametrize("body, fragment", [
    ("field_names[0]=Name&data[0][0]=x", 'must contain "email" or "phone"'),
    ("data[0][0]=a@example.com", '"field_names" is required'),
    ("field_names[0]=email&field_names[1]=email&data[0][0]=a@example.com", "Repeated names"),
    ("field_names[0]=email&data[0][3]=a@example.com", "has no matching name"),
    ("field_names[0]=email&data[x][0]=a@example.com", "Invalid row index"),
    ("field_names[0]=email&data=abc", "must be an array"),
    ("field_names[0][1]=email&data[0][0]=a@example.com", "must be a list of names"),
    ("field_names[0]=email&data[0][0][1]=a@example.com", "must be a value"),
    ("field_names[0]=email&overwrite_tags=maybe&data[0][0]=a@example.com", '"overwrite_tags" must be 0 or 1'),
])
def test_malformed_arguments(app, account, body, fragment):
    code, message = error_of(post(app, f"api_key={account.key}&{body}"))
    assert code == "invalid_arg" and fragment in message
    nothing_written(account)


def test_limits(app, account):
    rows = "&".join(f"data[{i}][0]=u{i}@example.com" for i in range(501))
    code, message = error_of(post(app, f"api_key={account.key}&field_names[0]=email&{rows}"))
    assert code == "invalid_arg" and "501, the limit is 500" in message
    for i in range(51):
        catalog.create_field(account.id, f"F{i}")
    names = "&".join(f"field_names[{i + 1}]=F{i}" for i in range(51))
    code, message = error_of(post(app, f"api_key={account.key}&field_names[0]=email&{names}&data[0][0]=a@example.com"))
    assert code == "invalid_arg" and "51, the limit is 50" in message
    nothing_written(account)


def test_body_over_the_limit(small_app, account):
    rows = "&".join(f"data[{i}][0]=user{i}@example.com" for i in range(300))
    response = post(small_app, f"api_key={account.key}&field_names[0]=email&{rows}")
    code, message = error_of(response)
    assert code == "invalid_arg" and "too large" in message
    nothing_written(account)


def test_decompression_bomb_is_stopped_at_the_limit(small_app, account):
    bomb = gzip.compress(b"a" * 5_000_000)
    response = post(small_app, bomb, **{"Content-Encoding": "gzip"})
    code, message = error_of(response)
    assert code == "invalid_arg" and "limit" in message
    nothing_written(account)


def test_broken_gzip_and_bzip2(app, account):
    code, message = error_of(post(app, b"\x1f\x8b\x08broken", **{"Content-Encoding": "gzip"}))
    assert code == "invalid_arg" and "gzip" in message
    url = f"/en/api/importContacts?format=json&api_key={account.key}&request_compression=bzip2"
    response = app.post(url, b"not bzip2", content_type="application/x-www-form-urlencoded", expect_errors=True)
    assert error_of(response)[0] == "invalid_arg"
    nothing_written(account)


def test_compressed_requests_work(app, account):
    body = b"field_names[0]=email&data[0][0]=zip@example.com"
    response = app.post(f"/en/api/importContacts?format=json&api_key={account.key}&request_compression=bzip2",
                        bz2.compress(body), content_type="application/x-www-form-urlencoded")
    assert response.json["result"]["inserted"] == 1
    response = app.post(URL, gzip.compress(b"api_key=" + account.key.encode() + b"&" + body.replace(b"zip", b"gz")),
                        content_type="application/x-www-form-urlencoded", headers={"Content-Encoding": "gzip"})
    assert response.json["result"]["inserted"] == 1
    # The Java client labels plain bodies as gzip; they are read as they are.
    response = app.post(URL, b"api_key=" + account.key.encode() + b"&" + body.replace(b"zip", b"java"),
                        content_type="application/x-www-form-urlencoded", headers={"Content-Encoding": "gzip"})
    assert response.json["result"]["inserted"] == 1


@pytest.mark.parametrize("body", [b"api_key=K&field_names[0]=email&data[0][0]=%FF%FE@example.com",
                                  "api_key=K&field_names[0]=email&data[0][0]=ü@example.com".encode("latin-1")])
def test_bad_encodings(app, account, body):
    code, message = error_of(post(app, body.replace(b"K", account.key.encode(), 1)))
    assert code == "invalid_arg" and "UTF-8" in message
    nothing_written(account)


def test_broken_multipart(app, account):
    body = b"--XX\r\nContent-Disposition: form-data; name=\"api_key\"\r\n\r\nabc"  # never closed
    response = app.request(URL, method="POST", body=body, expect_errors=True,
                           headers={"Content-Type": "multipart/form-data; boundary=XX"})
    code, message = error_of(response)
    assert code == "invalid_arg" and "multipart" in message.lower()
    nothing_written(account)


def test_unknown_method_language_and_format(app, account):
    assert error_of(app.get(f"/en/api/dropEverything?api_key={account.key}"))[0] == "unknown_method"
    assert error_of(app.get(f"/xx/api/getLists?api_key={account.key}"))[0] == "invalid_arg"
    assert error_of(app.get(f"/en/api/getLists?format=xml&api_key={account.key}"))[0] == "invalid_arg"


def test_method_names_ignore_case_and_trailing_slash(app, account):
    assert app.get(f"/en/api/GETLISTS/?api_key={account.key}").json == {"result": []}


def test_json_body_is_ignored_and_parameters_come_from_the_query(app, account):
    response = app.post(f"/en/api/getLists?format=json&api_key={account.key}", '{"api_key": "evil"}',
                        content_type="application/json")
    assert response.json == {"result": []}


def test_body_parameters_win_over_the_query(app, account):
    response = app.post("/en/api/getLists?api_key=wrong", f"api_key={account.key}",
                        content_type="application/x-www-form-urlencoded")
    assert response.json == {"result": []}


def test_internal_errors_are_unisender_shaped(app, account, monkeypatch):
    from adapters.common import Method
    from adapters.unisender import methods as table

    def boom(params):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(table._BY_LOWER, "getlists", Method(boom, lambda *a: {}))
    code, message = error_of(app.get(f"/en/api/getLists?api_key={account.key}"))
    assert code == "retry_later" and "disk" not in message


def test_doubled_slashes_route_like_single_ones(app, account):
    # A client whose base URL ends in "/" joins it with "/en/api/…".
    assert app.get(f"//en//api//getLists?api_key={account.key}").json == {"result": []}
