"""Hostile and broken input to the eSputnik dialect: a short text refusal with eSputnik's status, nothing written."""
from __future__ import annotations

import gzip

import pytest
import webtest

from core import accounts, catalog
from core.schema import Contact, ContactList, Membership
from esputnik_http import call, email_channel, ok
from helpers import basic, nothing_written

CONTACT = {"channels": [email_channel("a@example.com")]}


def refused(response, status: int, fragment: str = "") -> str:
    assert response.status_int == status, (response.status, response.body[:300])
    assert response.content_type == "text/plain", response.content_type
    assert fragment in response.text, response.text
    assert "Traceback" not in response.text and len(response.text) < 500
    return response.text


@pytest.fixture
def small_app(store_url):
    from gateway.app import create_app
    from gateway.config import Settings

    return webtest.TestApp(create_app(Settings(database_url=store_url, esputnik_max_body=4096)))


@pytest.mark.parametrize("authorization", [None, "", "Basic", "Basic !!!notbase64", "Bearer abc",
                                           basic("", "wrong-key"), basic("", ""), "Basic " + "eA=="])
def test_missing_or_wrong_key_is_401(app, account, authorization):
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = app.post("/api/v1/contact", b'{"channels":[{"type":"email","value":"a@example.com"}]}',
                        headers=headers, expect_errors=True)
    refused(response, 401, "Unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    nothing_written(account)


def test_a_revoked_key_and_a_key_of_another_dialect(app, account):
    accounts.revoke_key(account.id, accounts.keys(account.id)[0].id)
    refused(call(app, account.key, "GET", "account/info"), 401)
    _, unisender_only = accounts.add_key(account.id, dialect="unisender")
    refused(call(app, unisender_only, "GET", "account/info"), 401)


@pytest.mark.parametrize("raw, content_type, status, fragment", [
    (b'{"channels": [', "application/json", 400, "Malformed JSON"),
    (b"\xff\xfe{}", "application/json", 400, ""),
    (b"[" * 100 + b"]" * 100, "application/json", 400, "deeper"),
    (b"<contact><channels>", "application/xml", 400, "Malformed XML"),
    (b"channels=a", "application/x-www-form-urlencoded", 415, "Unsupported Media Type"),
    (b"{}", "text/plain", 415, "Unsupported Media Type"),
    (b'{"channels": []}', "application/json; charset=no-such-charset", 400, "no-such-charset"),
])
def test_malformed_bodies(app, account, raw, content_type, status, fragment):
    refused(call(app, account.key, "POST", "contact", raw=raw, content_type=content_type), status, fragment)
    nothing_written(account)


def test_xxe_and_entity_expansion_are_refused(app, account, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE contact [<!ENTITY x SYSTEM "file://{secret}">]>'
           '<contact><channels><type>email</type><value>a@example.com</value></channels>'
           '<firstName>&x;</firstName></contact>').encode()
    text = refused(call(app, account.key, "POST", "contact", raw=xxe, content_type="application/xml"), 400)
    assert "TOP-SECRET" not in text
    bomb = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            ']><contact><firstName>&b;&b;&b;</firstName></contact>').encode()
    refused(call(app, account.key, "POST", "contact", raw=bomb, content_type="application/xml"), 400)
    nothing_written(account)


@pytest.mark.parametrize("body, fragment", [
    ([1, 2], "must be an object"),
    ("just a string", "must be an object"),
    ({"channels": "a@example.com"}, "channels must be objects"),
    ({"channels": [{"type": "email", "value": {"nested": 1}}]}, "must be a string"),
    ({"channels": [{"type": "email"}]}, "has no value"),
    ({"channels": [email_channel("a@example.com")], "fields": [{"id": "abc", "value": "x"}]}, "fields.id"),
    ({"channels": [email_channel("a@example.com")], "fields": [{"id": True, "value": "x"}]}, "fields.id"),
    ({"channels": [email_channel("a@example.com")], "address": "Main street"}, "address must be an object"),
    ({"channels": [email_channel("a@example.com")], "firstName": ["A"]}, "firstName must be a string"),
    ({"channels": [email_channel("a@example.com")], "externalCustomerId": "x" * 300}, "longer than 256"),
    ({"channels": [{"type": "sms", "value": "12"}]}, "Invalid phone"),
])
def test_wrong_types_are_400(app, account, body, fragment):
    refused(call(app, account.key, "POST", "contact", body), 400, fragment)
    nothing_written(account)


def test_wrong_types_in_bulk_options_and_items(app, account):
    for options, fragment in [({"dedupeOn": ["email"]}, "Invalid dedupeOn"), ({"dedupeOn": "push"}, "not supported"),
                              ({"dedupeOn": "email", "groupNames": {"a": 1}}, "groupNames must be a string"),
                              ({"dedupeOn": "email", "fieldId": "x"}, ""),
                              ({"dedupeOn": "fieldId", "fieldId": "x"}, "fieldId must be a number")]:
        response = call(app, account.key, "POST", "contacts", {**options, "contacts": [CONTACT]})
        if fragment:
            refused(response, 400, fragment)
    assert ok(call(app, account.key, "POST", "contacts", {"dedupeOn": "email", "contacts": [[], 7, None, CONTACT]}))[
        "failedContacts"] == [{"error": "A contact must be an object"}, {"error": "A contact must be an object"}]


def test_body_over_the_limit_is_413(small_app, account):
    contacts = [{"channels": [email_channel(f"user{i}@example.com")]} for i in range(200)]
    refused(call(small_app, account.key, "POST", "contacts", {"dedupeOn": "email", "contacts": contacts}), 413)
    bomb = gzip.compress(b" " * 5_000_000)
    refused(call(small_app, account.key, "POST", "contact", raw=bomb, content_type="application/json",
                 headers={"Content-Encoding": "gzip"}), 413)
    nothing_written(account)


def test_unknown_paths_versions_and_verbs(app, account):
    refused(call(app, account.key, "GET", "/api/v1/contactz"), 404)
    refused(call(app, account.key, "GET", "/api/v9/contacts"), 404)
    refused(call(app, account.key, "GET", "/api/v1/contact/12abc"), 404)
    refused(call(app, account.key, "GET", "/api/v1/contact/99999999999999999999999"), 404)
    refused(call(app, account.key, "GET", "/api/v1/importstatus/" + "x" * 500), 404)
    text = refused(call(app, account.key, "DELETE", "contacts"), 405, "Method Not Allowed")
    assert text == "Method Not Allowed"
    refused(call(app, None, "GET", "/api/v1/contactz"), 401)  # the key is checked before anything else


def test_another_accounts_ids_are_not_found_and_nothing_leaks(app, account):
    other = accounts.create_account("other")
    _, other_key = accounts.add_key(other.id)
    catalog.create_list(other.id, "Theirs", number=777, kind="segment")
    theirs = ok(call(app, other_key, "POST", "contact", {"channels": [email_channel("their@example.com")],
                                                         "externalCustomerId": "T1", "firstName": "Secret"}))["id"]
    ok(call(app, other_key, "POST", "group/777/contacts/attach", {"contactIds": [theirs]}))
    mine = ok(call(app, account.key, "POST", "contact", CONTACT))["id"]
    key = account.key
    refused(call(app, key, "GET", f"contact/{theirs}"), 404)
    refused(call(app, key, "PUT", f"contact/{theirs}", {"channels": [email_channel("x@example.com")]}), 404)
    refused(call(app, key, "DELETE", f"contact/{theirs}"), 404)
    refused(call(app, key, "DELETE", f"contact/{theirs}?erase=true"), 404)
    refused(call(app, key, "DELETE", "contact?externalCustomerId=T1"), 404)
    refused(call(app, key, "GET", "group/777/contacts"), 404)
    refused(call(app, key, "POST", "group/777/contacts/attach", {"contactIds": [mine]}), 404)
    refused(call(app, key, "POST", "group/777/contacts/detach"), 404)
    refused(call(app, key, "POST", "group/777/contacts/detach", {"contactIds": [theirs]}), 404)
    catalog.create_list(account.id, "Mine", number=1, kind="segment")
    refused(call(app, key, "POST", "group/1/contacts/attach", {"contactIds": [theirs]}), 404, str(theirs))
    refused(call(app, key, "POST", "group/1/contacts/attach", {"externalCustomerIds": ["T1"]}), 404)
    refused(call(app, key, "POST", "contact", {**CONTACT, "groups": [{"id": 777}]}), 404)
    assert ok(call(app, key, "GET", f"contacts/email?ids={theirs}")) == {}
    assert ok(call(app, key, "GET", "contacts?externalCustomerId=T1")) == []
    assert ok(call(app, key, "GET", "contacts?email=their@example.com")) == []
    assert [g["id"] for g in ok(call(app, key, "GET", "groups"))] == [1]
    # dedupeOn id with their contact id makes a contact of mine, never touches theirs.
    ok(call(app, key, "POST", "contacts", {"dedupeOn": "id", "contacts": [{**CONTACT, "id": theirs,
                                                                             "firstName": "Mine"}]}))
    assert Contact.get_by_id(theirs).attrs == {"first_name": "Secret"} and Contact.get_by_id(theirs).deleted_at is None
    assert Membership.select().join(ContactList).where(ContactList.account == other.id).count() == 1


def test_a_query_string_that_is_not_utf8_is_refused(app, account):
    """The gateway's one query-string parser: strict UTF-8, as for every dialect (was U+FFFD here)."""
    response = call(app, account.key, "GET", "contacts?email=%FF%FE%40example.com")
    assert response.status_int == 400 and "UTF-8" in response.text
    assert call(app, account.key, "GET", "contacts?email=%C3%A9%40example.com").status_int == 200
