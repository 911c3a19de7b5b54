"""Hostile and broken input to the Dotdigital dialect: a Dotdigital-shaped error, nothing written."""
from __future__ import annotations

import gzip

import pytest
import webtest

from core import accounts, catalog
from core.schema import Contact, FieldDef
from dotdigital_client import USER, Client, dd  # noqa: F401 - the fixture
from helpers import basic, nothing_written

IMPORT = "/contacts/v3/import"
ONE = {"contacts": [{"matchIdentifier": "email", "identifiers": {"email": "a@example.com"}}]}


@pytest.mark.parametrize("authorization", [None, "", "Basic", "Basic !!!notbase64", "Bearer abc",
                                           basic(USER, "wrong-password"), basic("someone-else@apiconnector.com", "{p}"),
                                           "Basic " + "bm9jb2xvbg==", basic(USER, "")])
def test_missing_or_wrong_credentials(dd, authorization):
    headers = {} if authorization is None else {"Authorization": authorization.replace("{p}", dd.password)}
    v3 = dd.put(IMPORT, ONE, auth=False, headers=headers)
    assert v3.status_int == 401 and v3.headers["WWW-Authenticate"].startswith("Basic")
    assert v3.json == {"errorCode": "contacts:unauthorized", "description": "Authorization has been denied for this "
                                                                            "request."}
    v2 = dd.post("/v2/contacts", {"email": "a@example.com"}, auth=False, headers=headers)
    assert v2.status_int == 401 and v2.json == {"message": "Authorization has been denied for this request."}
    nothing_written(dd.account)


def test_the_user_name_is_split_at_the_first_colon_and_other_keys_do_not_open_the_dialect(dd, app):
    colon = Client(app, dd.account, USER, "pass:with:colons")
    accounts.add_key(dd.account.id, "pass:with:colons", dialect="dotdigital", username=USER)
    assert colon.get("/v2/data-fields").status_int == 200
    accounts.add_key(dd.account.id, "unisender-only-key", dialect="unisender")
    assert Client(app, dd.account, USER, "unisender-only-key").get("/v2/data-fields").status_int == 401
    credential, key = accounts.add_key(dd.account.id)  # a gateway key without a user name: any user name goes
    assert Client(app, dd.account, "whoever", key).get("/v2/data-fields").status_int == 200
    accounts.revoke_key(dd.account.id, credential.id)
    assert Client(app, dd.account, "whoever", key).get("/v2/data-fields").status_int == 401


@pytest.mark.parametrize("body, fragment", [
    (b'{"contacts": [', "badJson"),
    (b"\xff\xfe{}", "badJson"),
    (b'{"contacts": "a@example.com"}', "The Contacts field is required"),
    (b'{"contacts": []}', "The Contacts field is required"),
    (b"[]", "must be a JSON object"),
    (b'{"mergeOption": "merge", "contacts": [{}]}', "mergeOption"),
    (b'{"contacts": [{"identifiers": {"email": "a@example.com"}}]}', "The MatchIdentifier field is required"),
    (b'{"contacts": [{"matchIdentifier": "email", "identifiers": "a@example.com"}]}', "The Identifiers field"),
    (b'{"contacts": [42]}', "must be a JSON object"),
    (b"[" * 100 + b"]" * 100, "badJson"),
])
def test_malformed_import_requests_are_refused_whole(dd, body, fragment):
    response = dd.call("PUT", IMPORT, body=body)
    assert response.status_int == 400
    assert fragment in response.json["errorCode"] + " " + response.json["description"]
    nothing_written(dd.account)


def test_wrong_types_invalid_values_and_unknown_names_inside_a_contact_fail_only_it(dd):
    report = dd.imported([
        {"matchIdentifier": "email", "identifiers": {"email": ["a@example.com"]}},
        {"matchIdentifier": "email", "identifiers": {"email": "b@example.com"}, "dataFields": {"X": {"nested": 1}}},
        {"matchIdentifier": "email", "identifiers": {"email": "c@@example.com"}},
        {"matchIdentifier": "mobileNumber", "identifiers": {"mobileNumber": "+44 not a phone"}},
        {"matchIdentifier": "email", "identifiers": {"email": "d@example.com"}, "preferences": [{"id": "x"}]},
        {"matchIdentifier": "email", "identifiers": {"email": "e@example.com"}, "dataFields": {"UNKNOWN": "x"}},
        {"matchIdentifier": "no such identifier!", "identifiers": {"email": "f@example.com"}},
        {"matchIdentifier": "email", "identifiers": {"email": "ok@example.com"}, "someFutureKey": {"x": 1},
         "channelProperties": {"email": {"status": "subscribed", "newThing": 1}}},
    ])
    assert [f["failures"][0]["failureCode"] for f in report["failures"]] == [
        "ApiSchemaViolation", "ApiSchemaViolation", "invalidEmail", "InvalidPhoneNumber", "ApiSchemaViolation",
        "InvalidContact", "InvalidMatchIdentifier"]
    assert [c["identifiers"] for c in report["created"]] == [{"email": "ok@example.com"}]  # unknown keys are ignored
    assert Contact.select().where(Contact.account == dd.account.id).count() == 1


def test_another_accounts_ids_are_not_found(dd, app):
    other = accounts.create_account("other-tenant")
    catalog.create_list(other.id, "Theirs", number=777)
    _, their_key = accounts.add_key(other.id, "their-password", dialect="dotdigital", username=USER)
    them = Client(app, other, USER, "their-password")
    their_contact = them.post("/v2/address-books/777/contacts", {"email": "theirs@example.com"}).json["id"]
    their_import = them.put(IMPORT, ONE).json["importId"]
    assert dd.post("/v2/address-books/777/contacts", {"email": "a@example.com"}).status_int == 404
    assert dd.get("/v2/address-books/777/contacts").json == {"message": "Error: ERROR_ADDRESSBOOK_NOT_FOUND"}
    assert dd.post("/v2/contacts/import-collection", {"addressBookIds": [777], "contacts": [{"email": "a@example.com"}]}
                   ).status_int == 404
    assert dd.get(f"/v2/contacts/{their_contact}").status_int == 404
    assert dd.put(f"/v2/contacts/{their_contact}", {"email": "a@example.com"}).status_int == 404
    assert dd.delete(f"/v2/contacts/{their_contact}").status_int == 404
    assert dd.get(f"/contacts/v3/contactId/{their_contact}").status_int == 404
    assert dd.get("/contacts/v3/email/theirs@example.com").status_int == 404
    assert dd.get(f"/contacts/v3/import/{their_import}").json["errorCode"] == "contacts:importNotFound"
    assert dd.get(f"/v2/contacts/import/{their_import}").json["status"] == "Unknown"
    report = dd.imported([{"matchIdentifier": "email", "identifiers": {"email": "b@example.com"}, "lists": [777]}])
    assert report["failures"][0]["failures"][0]["failureCode"] == "InvalidAddressBookIds"
    report = dd.imported([{"matchIdentifier": "contactId", "identifiers": {"contactId": their_contact}}])
    assert report["failures"][0]["failures"][0]["failureCode"] == "InvalidContactId"
    assert Contact.select().where(Contact.account == dd.account.id).count() == 0
    assert Contact.get_by_id(their_contact).email == "theirs@example.com"


@pytest.fixture
def small(store_url):
    from gateway.app import create_app
    from gateway.config import Settings

    return webtest.TestApp(create_app(Settings(database_url=store_url, dotdigital_max_body=2048)))


def test_bodies_over_the_limit(dd, small):
    client = Client(small, dd.account, dd.user, dd.password)
    contacts = [{"matchIdentifier": "email", "identifiers": {"email": f"user{i}@example.com"}} for i in range(100)]
    v3 = client.put(IMPORT, {"contacts": contacts})
    assert v3.status_int == 413 and v3.json["errorCode"] == "contacts:requestTooLarge"
    v2 = client.post("/v2/contacts/import-collection", {"contacts": [{"email": f"u{i}@example.com"} for i in range(200)]})
    assert v2.status_int == 413 and v2.json == {"message": "Maximum request length exceeded."}
    bomb = client.call("PUT", IMPORT, body=gzip.compress(b" " * 5_000_000), headers={"Content-Encoding": "gzip"})
    assert bomb.status_int == 413
    nothing_written(dd.account)


def test_unknown_paths_and_methods_answer_in_the_apis_shape(dd):
    assert dd.get("/contacts/v3/nothing/here/at/all").json["errorCode"] == "contacts:notFound"
    assert dd.call("DELETE", IMPORT).status_int == 405
    assert dd.call("DELETE", IMPORT).json["errorCode"] == "contacts:methodNotAllowed"
    assert dd.get("/v2/surveys").json["message"].startswith("No HTTP resource was found")
    assert dd.call("PATCH", "/v2/contacts").json == {
        "message": "The requested resource does not support http method 'PATCH'."}


def test_v2_bodies_that_are_no_contact(dd):
    for body in (b"{", b"[]", b'{"email": 5}', b'{"email": "a@example.com", "optInType": "sometimes"}',
                 b'{"email": "a@example.com", "dataFields": {"k": [1]}}', b'{"email": "a@example.com", "dataFields": 3}',
                 b'{"email": "broken"}', b'{"Email": ""}'):
        response = dd.call("POST", "/v2/contacts", body=body)
        assert response.status_int == 400 and "ERROR_" in response.json["message"], (body, response.body)
    for body in (b'{"name": "has space", "type": "String"}', b'{"name": "X", "type": "Text"}',
                 b'{"name": "THIS_NAME_IS_LONGER_THAN_20", "type": "String"}', b'{"name": "X", "type": "String", '
                                                                              b'"visibility": "Secret"}'):
        response = dd.call("POST", "/v2/data-fields", body=body)
        assert response.status_int == 400 and response.json["message"].endswith("ERROR_DATAFIELD_INVALID")
    assert FieldDef.select().where(FieldDef.account == dd.account.id).count() == 0
    nothing_written(dd.account)


def test_internal_errors_are_shaped_and_reveal_nothing(dd, monkeypatch):
    from adapters.dotdigital import contacts_v3

    def boom(params):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(contacts_v3, "identifier", boom)
    response = dd.get("/contacts/v3/email/a@example.com")
    assert response.status_int == 500 and response.json["errorCode"] == "contacts:internalError"
    assert "disk" not in response.text
