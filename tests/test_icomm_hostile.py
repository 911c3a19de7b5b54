"""Hostile and broken input to the Icomm dialect: a clear Icomm-shaped answer, nothing written."""
from __future__ import annotations

import base64
import gzip
import zlib

import orjson
import pytest
import webtest

from core import accounts, catalog
from core.schema import Contact
from helpers import nothing_written

PROFILE = "MTIzNDU20"
SAVE = "/Contacts/SaveContact.Json/"
MULTI = "/Contacts/SaveMultiContact.Json/"
LIST_FULL = "/Contacts/ListFull.Json/"
ONE = {"ProfileKey": PROFILE, "Contact": {"Email": "a@example.com"}}


@pytest.fixture
def profile(account):
    main = catalog.database(account.id, 1)
    main.attrs = {"profile_key": PROFILE}
    main.save()
    catalog.create_field(account.id, "Nombre")
    return account


def post(app, path, body, auth=None, **headers):
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    if auth is not None:
        headers["Authorization"] = auth
    return app.post(path, data, content_type="application/json", headers=headers, expect_errors=True)


def answer(response, wrapper, status=200):
    assert response.status_int == status, response.text
    assert response.content_type == "application/json"
    body = response.json
    if status != 200:
        assert body["code"] == body[wrapper]["StatusCode"] if isinstance(body[wrapper], dict) else True
        assert isinstance(body["message"], str) and body["message"]
    return body[wrapper] if status == 200 else body


# -- keys -------------------------------------------------------------------------------------
@pytest.mark.parametrize("auth", [None, "", "Basic ", "wrong-key", "wrong-key:",
                                  "Basic " + base64.b64encode(b"x:y").decode(), "Bearer whatever"])
def test_missing_or_wrong_key(app, profile, auth):
    body = answer(post(app, SAVE, ONE, auth), "SaveContactJsonResult", 401)
    assert body["code"] == 120 and body["SaveContactJsonResult"]["Message"] == "Invalid API key"
    assert post(app, SAVE, ONE, auth).headers["WWW-Authenticate"] == 'Basic realm="icommkt"'
    nothing_written()


def test_every_documented_form_of_the_key_is_accepted(app, profile):
    key = profile.key
    forms = [key, f"{key}:", f"{key}:0", f"{key}:user:0", f" {key} ",
             "Basic " + base64.b64encode(f"{key}:".encode()).decode(),
             "basic " + base64.b64encode(f"{key}:anything at all".encode()).decode(),
             base64.b64encode(f"{key}:".encode()).decode()]
    for auth in forms:
        assert answer(post(app, SAVE, ONE, auth), "SaveContactJsonResult")["StatusCode"] == 1, auth


def test_a_raw_key_that_happens_to_be_base64_still_works(app, profile):
    # Icomm keys are base64url text; this one also decodes as standard base64 ("2544-8341-darumx_usr5").
    key = "MjU0NC04MzQxLWRhcnVteF91c3I1"
    accounts.add_key(profile.id, secret=key, dialect="icomm")
    assert answer(post(app, SAVE, ONE, key), "SaveContactJsonResult")["StatusCode"] == 1
    assert answer(post(app, SAVE, ONE, "Basic " + key), "SaveContactJsonResult")["StatusCode"] == 1


def test_revoked_key_stops_working(app, profile):
    accounts.revoke_key(profile.id, accounts.keys(profile.id)[0].id)
    assert answer(post(app, SAVE, ONE, profile.key), "SaveContactJsonResult", 401)["code"] == 120


# -- profiles ---------------------------------------------------------------------------------
def test_another_accounts_profile_key_names_nothing_and_leaks_nothing(app, profile):
    other = accounts.create_account("other-tenant")
    theirs = catalog.database(other.id, 1)
    theirs.attrs = {"profile_key": "VGhlaXJzMA2"}
    theirs.save()
    catalog.create_field(other.id, "Nombre")
    mine = answer(post(app, SAVE, {**ONE, "ProfileKey": "VGhlaXJzMA2"}, profile.key), "SaveContactJsonResult")
    unknown = answer(post(app, SAVE, {**ONE, "ProfileKey": "Tm9uZTA1"}, profile.key), "SaveContactJsonResult")
    assert mine == unknown == {"Message": "Invalid profile key",
                               "MessageDetail": "The ProfileKey does not name a profile of this account",
                               "Data": {"Email": "a@example.com", "Status": None}, "StatusCode": 110}
    for path, wrapper in (("/Contacts/RemoveContact.Json/", "RemoveContactJsonResult"),
                          ("/Contacts/UnsubscribeContact.Json/", "UnsubscribeContactJsonResult"),
                          ("/Contacts/List.Json/", "ListContactsJsonResult")):
        assert answer(post(app, path, {**ONE, "ProfileKey": "VGhlaXJzMA2"}, profile.key), wrapper)["StatusCode"] == 110
    listed = answer(post(app, LIST_FULL, {"ProfileKey": "VGhlaXJzMA2", "Filters": {}}, profile.key),
                    "ListContactsFullJsonResult", 400)
    assert listed == {"ListContactsFullJsonResult": [], "code": 110,
                      "message": "The ProfileKey does not name a profile of this account"}
    multi = answer(post(app, MULTI, {"ProfileKey": "VGhlaXJzMA2", "ContactList": [{"Email": "x@example.com"}]},
                        profile.key), "SaveMultiContactJsonResult")
    assert multi["StatusCode"] == 110 and [r["StatusCode"] for r in multi["Responses"]] == [110]
    nothing_written()


@pytest.mark.parametrize("key", [None, "", "   ", 123456, ["MTIzNDU20"], {"k": 1}])
def test_missing_or_malformed_profile_key(app, profile, key):
    body = {"Contact": {"Email": "a@example.com"}} if key is None else {**ONE, "ProfileKey": key}
    assert answer(post(app, SAVE, body, profile.key), "SaveContactJsonResult")["StatusCode"] == 110
    nothing_written()


# -- bodies -----------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [b"{not json", b'{"ProfileKey": "x",}', b"[1, 2]", b'"text"', b"42", b"null", b"",
                                 b'{"ProfileKey": "\xff\xfe"}', b"[" * 200 + b"]" * 200])
def test_bodies_that_are_no_json_object(app, profile, raw):
    for path, wrapper in ((SAVE, "SaveContactJsonResult"), (MULTI, "SaveMultiContactJsonResult"),
                          (LIST_FULL, "ListContactsFullJsonResult")):
        body = answer(post(app, path, raw, profile.key), wrapper, 400)
        assert body["code"] == 121
    nothing_written()


def test_malformed_json_is_refused_before_the_key_is_looked_at(app, profile):
    assert answer(post(app, SAVE, b"{oops", "wrong"), "SaveContactJsonResult", 400)["code"] == 121


@pytest.fixture
def small_app(store_url):
    from gateway.app import create_app
    from gateway.config import Settings

    return webtest.TestApp(create_app(Settings(database_url=store_url, icomm_max_body=2048)))


def test_body_over_the_limit(small_app, profile):
    contacts = [{"Email": f"user{i}@example.com"} for i in range(200)]
    body = answer(post(small_app, MULTI, {"ProfileKey": PROFILE, "ContactList": contacts}, profile.key),
                  "SaveMultiContactJsonResult", 413)
    assert body["code"] == 122 and "2048" in body["message"]
    bomb = gzip.compress(b'{"ProfileKey": "' + b"a" * 5_000_000 + b'"}')
    response = post(small_app, SAVE, bomb, profile.key, **{"Content-Encoding": "gzip"})
    assert answer(response, "SaveContactJsonResult", 413)["code"] == 122
    nothing_written()


def test_gzip_bodies_are_read(app, profile):
    response = post(app, SAVE, gzip.compress(orjson.dumps(ONE)), profile.key, **{"Content-Encoding": "gzip"})
    assert answer(response, "SaveContactJsonResult")["StatusCode"] == 1


@pytest.mark.parametrize("compress", [
    zlib.compress,  # what HTTP's "deflate" means: a zlib stream
    lambda data: zlib.compress(data)[2:-4],  # a bare deflate stream, as some clients send it
], ids=["zlib", "raw"])
def test_deflate_bodies_are_read(app, profile, compress):
    response = post(app, SAVE, compress(orjson.dumps(ONE)), profile.key, **{"Content-Encoding": "deflate"})
    assert answer(response, "SaveContactJsonResult")["StatusCode"] == 1


@pytest.mark.parametrize("contact, code", [
    ("a@example.com", 111),
    (["a@example.com"], 111),
    (None, 111),
    ({}, 102),
    ({"Email": ""}, 102),
    ({"Email": 12345}, 102),
    ({"Email": {"x": 1}}, 102),
    ({"Email": "no-at-sign"}, 102),
    ({"Email": "a@example.com", "CustomFields": "Nombre=Ana"}, 111),
    ({"Email": "a@example.com", "CustomFields": {"Key": "Nombre", "Value": "Ana"}}, 111),
    ({"Email": "a@example.com", "CustomFields": [{"Value": "Ana"}]}, 111),
    ({"Email": "a@example.com", "CustomFields": [{"Key": 5, "Value": "Ana"}]}, 111),
    ({"Email": "a@example.com", "CustomFields": ["Nombre"]}, 111),
    ({"Email": "a@example.com", "CustomFields": [{"Key": "Nombre", "Value": {"first": "Ana"}}]}, 104),
    ({"Email": "a@example.com", "CustomFields": [{"Key": "Nombre", "Value": ["Ana"]}]}, 104),
    ({"Email": "a@example.com", "CustomFields": [{"Key": "Unknown", "Value": "x"}]}, 103),
])
def test_wrong_types_and_values_in_a_contact(app, profile, contact, code):
    result = answer(post(app, SAVE, {"ProfileKey": PROFILE, "Contact": contact}, profile.key), "SaveContactJsonResult")
    assert result["StatusCode"] == code, result
    assert result["Message"] and result["MessageDetail"]
    assert set(result["Data"]) == {"Email", "Status"} and result["Data"]["Status"] is None
    # The same contact inside a batch fails alone, in its place.
    batch = answer(post(app, MULTI, {"ProfileKey": PROFILE, "ContactList": [{"Email": "ok@example.com"}, contact]},
                        profile.key), "SaveMultiContactJsonResult")
    assert [r["StatusCode"] for r in batch["Responses"]] == [1, code]
    assert Contact.select().count() == 1


def test_unknown_members_are_ignored(app, profile):
    body = {"ProfileKey": PROFILE, "Contact": {"Email": "a@example.com", "Nombre": "direct", "Status": "U"},
            "Extra": {"anything": [1, 2]}, "ApiKey": "not used"}
    result = answer(post(app, SAVE, body, profile.key), "SaveContactJsonResult")
    assert result["StatusCode"] == 1 and result["Data"]["Status"] == "A"
    assert Contact.get().fields == {}


@pytest.mark.parametrize("contacts", [None, "a@example.com", {"Email": "a@example.com"}, 3])
def test_contact_list_that_is_no_array(app, profile, contacts):
    body = {"ProfileKey": PROFILE} if contacts is None else {"ProfileKey": PROFILE, "ContactList": contacts}
    result = answer(post(app, MULTI, body, profile.key), "SaveMultiContactJsonResult")
    assert result["StatusCode"] == 111 and result["Responses"] == []
    nothing_written()


def test_too_many_contacts_fails_whole_and_answers_every_item(app, profile):
    contacts = [{"Email": f"u{i}@example.com"} for i in range(5001)]
    result = answer(post(app, MULTI, {"ProfileKey": PROFILE, "ContactList": contacts}, profile.key),
                    "SaveMultiContactJsonResult")
    assert result["StatusCode"] == 112 and "5000" in result["MessageDetail"]
    assert len(result["Responses"]) == 5001 and {r["StatusCode"] for r in result["Responses"]} == {112}
    assert result["Responses"][4999]["Data"]["Email"] == "u4999@example.com"
    nothing_written()


@pytest.mark.parametrize("body, fragment", [
    ({"ProfileKey": PROFILE, "Filters": "Email=a@example.com"}, "Filters must be an object"),
    ({"ProfileKey": PROFILE, "Filters": {"Mail": "a@example.com"}}, "Unsupported filter: Mail"),
    ({"ProfileKey": PROFILE, "Filters": {"Email": ["a@example.com"]}}, "Filters.Email must be a text"),
    ({"ProfileKey": PROFILE, "Page": 0}, "Page must be"),
    ({"ProfileKey": PROFILE, "PageSize": 10001}, "PageSize must be"),
    ({"ProfileKey": PROFILE, "PageSize": "10"}, "PageSize must be"),
])
def test_list_requests_that_cannot_be_answered_faithfully(app, profile, body, fragment):
    result = answer(post(app, LIST_FULL, body, profile.key), "ListContactsFullJsonResult", 400)
    assert result["code"] == 111 and fragment in result["message"]
    listed = answer(post(app, "/Contacts/List.Json/", body, profile.key), "ListContactsJsonResult")
    assert listed["StatusCode"] == 111 and listed["Data"] == []


def test_remove_and_unsubscribe_need_a_valid_address(app, profile):
    for path, wrapper in (("/Contacts/RemoveContact.Json/", "RemoveContactJsonResult"),
                          ("/Contacts/UnsubscribeContact.Json/", "UnsubscribeContactJsonResult")):
        for contact, code in ((None, 111), ({}, 102), ({"Email": "broken"}, 102), ({"Email": 7}, 102)):
            result = answer(post(app, path, {"ProfileKey": PROFILE, "Contact": contact}, profile.key), wrapper)
            assert result["StatusCode"] == code, (path, contact)
    nothing_written()


# -- paths and methods ------------------------------------------------------------------------
@pytest.mark.parametrize("path, wrapper", [("/Contacts/DeleteEverything.Json/", "DeleteEverythingJsonResult"),
                                           ("/Contacts/SaveContact.Xml/", "SaveContactJsonResult"),
                                           ("/Contacts/SaveContact/", "SaveContactJsonResult")])
def test_unknown_operations(app, profile, path, wrapper):
    body = answer(post(app, path, ONE, profile.key), wrapper, 404)
    assert body["code"] == 123 and body[wrapper]["StatusCode"] == 123


def test_only_post(app, profile):
    response = app.get(SAVE, headers={"Authorization": profile.key}, expect_errors=True)
    assert response.status_int == 405 and response.headers["Allow"] == "POST"
    assert response.json["SaveContactJsonResult"]["StatusCode"] == 124
    response = app.put(MULTI, orjson.dumps(ONE), headers={"Authorization": profile.key}, expect_errors=True)
    assert response.status_int == 405 and response.json["SaveMultiContactJsonResult"]["Responses"] == []


def test_internal_errors_are_icomm_shaped_and_reveal_nothing(app, profile, monkeypatch):
    from core import service

    def boom(account_id, command, dry_run=False):
        raise RuntimeError("disk on fire at /var/secret")

    monkeypatch.setattr(service, "execute", boom)
    body = answer(post(app, SAVE, ONE, profile.key), "SaveContactJsonResult", 500)
    assert body["code"] == 199 and "disk" not in orjson.dumps(body).decode()
