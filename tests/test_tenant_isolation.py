"""Two accounts with the same legacy ids, through all five dialects: each sees only its own world.

Tenant A writes through every dialect; tenant B, whose setup file uses exactly the same ids (and
the same Icomm profile key), looks for A's contacts, lists and ids and finds nothing of them.
"""
from __future__ import annotations

import orjson
import pytest

from core import setup
from helpers import basic

IDS = {
    "databases": [{"id": 24, "name": "Shop", "attrs": {"profile_key": "MTIzNDU20"}}],
    "lists": [{"id": 134, "title": "Newsletter"}, {"id": 28, "title": "Mail", "kind": "resource", "channels": ["email"],
                                                   "database": 24}],
    "fields": [{"id": 12345, "name": "City"}, {"id": 12346, "name": "City", "database": 24}],
}
USER = {"a": "apiuser-a@apiconnector.com", "b": "apiuser-b@apiconnector.com"}


@pytest.fixture
def tenants(store_url):
    accounts = []
    for name in ("a", "b"):
        accounts.append({"name": f"tenant-{name}", **IDS, "keys": [
            {"key": f"key-of-tenant-{name}-000001"},
            {"key": f"dotdigital-password-{name}", "username": USER[name], "dialect": "dotdigital"}]})
    setup.apply({"version": 1, "accounts": accounts})


def key(tenant: str) -> str:
    return f"key-of-tenant-{tenant}-000001"


def auth(user: str, password: str) -> dict:
    return {"Authorization": basic(user, password)}


def json_call(app, method: str, path: str, body=None, headers: dict | None = None):
    data = orjson.dumps(body) if body is not None else b""
    return app.request(path, method=method, body=data, expect_errors=True,
                       headers={"Content-Type": "application/json", **(headers or {})})


def test_unisender(app, tenants):
    answer = app.post("/en/api/importContacts", {"api_key": key("a"), "field_names[0]": "email",
                                                 "field_names[1]": "email_list_ids", "field_names[2]": "City",
                                                 "data[0][0]": "a@example.com", "data[0][1]": "134",
                                                 "data[0][2]": "Riga"}).json
    assert answer["result"]["inserted"] == 1
    b = {"api_key": key("b")}
    assert app.post("/en/api/getContact", {**b, "email": "a@example.com"}).json["code"] == "unspecified"
    assert app.post("/en/api/getContactCount", {**b, "list_id": "134"}).json["result"]["count"] == 0
    assert app.post("/en/api/exportContacts", b).json["result"]["data"] == []
    assert app.post("/en/api/getTotalContactsCount", {**b, "login": "b"}).json["result"]["total"] == 0


def test_altcraft(app, tenants):
    request = {"db_id": 24, "matching": "email", "email": "p@example.com",
               "data": {"email": "p@example.com", "subscriptions": [
                   {"channel": "email", "email": "p@example.com", "resource_id": 28}]}}
    answer = json_call(app, "POST", "/api/v1.1/profiles/import", {"token": key("a"), **request}).json
    assert answer["error"] == 0
    profile = answer["profile_id"]
    for probe in ({"db_id": 24, "email": "p@example.com"}, {"db_id": 24, "matching": "profile_id",
                                                            "profile_id": profile}):
        found = json_call(app, "POST", "/api/v1.1/profiles/get", {"token": key("b"), **probe}).json
        assert found["error"] != 0 and "data" not in found
    listed = json_call(app, "POST", "/api/v1.1/subscriptions/list",
                       {"token": key("b"), "db_id": 24, "profile_id": profile}).json
    assert listed["error"] != 0
    deleted = json_call(app, "POST", "/api/v1.1/profiles/delete",
                        {"token": key("b"), "db_id": 24, "matching": "profile_id", "profile_id": profile}).json
    assert deleted["error"] != 0
    again = json_call(app, "POST", "/api/v1.1/profiles/get", {"token": key("a"), "db_id": 24,
                                                              "email": "p@example.com"}).json
    assert again["error"] == 0 and again["data"]["id"] == profile


def test_esputnik(app, tenants):
    created = json_call(app, "POST", "/api/v1/contact", {"channels": [{"type": "email", "value": "e@example.com"}],
                                                          "groups": [{"id": 134}]},
                        auth("", key("a")))
    assert created.status_int == 200, created.body
    contact = created.json["id"]
    b = auth("", key("b"))
    assert json_call(app, "GET", f"/api/v1/contact/{contact}", headers=b).status_int == 404
    assert json_call(app, "DELETE", f"/api/v1/contact/{contact}", headers=b).status_int == 404
    members = json_call(app, "GET", "/api/v1/group/134/contacts", headers=b)
    assert members.status_int == 200 and members.json == []
    assert json_call(app, "GET", f"/api/v1/contact/{contact}", headers=auth("", key("a"))).status_int == 200


def test_dotdigital(app, tenants):
    a = auth(USER["a"], "dotdigital-password-a")
    created = json_call(app, "PATCH", "/contacts/v3/email/d@example.com",
                        {"identifiers": {"email": "d@example.com"}, "lists": [134]}, a)
    assert created.status_int in (200, 201), created.body
    contact = created.json["contactId"]
    b = auth(USER["b"], "dotdigital-password-b")
    assert json_call(app, "GET", f"/contacts/v3/contactId/{contact}", headers=b).status_int == 404
    assert json_call(app, "GET", "/contacts/v3/email/d@example.com", headers=b).status_int == 404
    book = json_call(app, "GET", "/v2/address-books/134/contacts", headers=b)
    assert book.status_int == 200 and book.json == []
    # A's password under B's user name opens nothing.
    assert json_call(app, "GET", "/v2/address-books", headers=auth(USER["b"], "dotdigital-password-a")).status_int \
        == 401


def test_icomm(app, tenants):
    saved = json_call(app, "POST", "/Contacts/SaveContact.Json/",
                      {"ProfileKey": "MTIzNDU20", "Contact": {"Email": "i@example.com",
                                                             "CustomFields": [{"Key": "City", "Value": "Oslo"}]}},
                      {"Authorization": key("a")}).json
    assert saved["SaveContactJsonResult"]["StatusCode"] == 1
    listed = json_call(app, "POST", "/Contacts/ListFull.Json/", {"ProfileKey": "MTIzNDU20", "Filters": {}},
                       {"Authorization": key("b")}).json
    assert listed == {"ListContactsFullJsonResult": []}
    removed = json_call(app, "POST", "/Contacts/RemoveContact.Json/",
                        {"ProfileKey": "MTIzNDU20", "Contact": {"Email": "i@example.com"}},
                        {"Authorization": key("b")}).json
    assert removed["RemoveContactJsonResult"]["StatusCode"] == 101


def test_one_tenants_key_is_refused_by_every_dialect_once_revoked(app, tenants):
    from core import accounts
    from core.schema import Account, Credential

    account = Account.get(Account.name == "tenant-a")
    for credential in Credential.select().where(Credential.account == account.id):
        accounts.revoke_key(account.id, credential.id)
    assert app.post("/en/api/getLists", {"api_key": key("a")}).json["code"] == "invalid_api_key"
    assert json_call(app, "POST", "/api/v1.1/profiles/get", {"token": key("a"), "db_id": 24,
                                                             "email": "x@example.com"}).json["error"] == 401
    assert json_call(app, "GET", "/api/v1/groups", headers=auth("", key("a"))).status_int == 401
    assert json_call(app, "GET", "/v2/address-books",
                     headers=auth(USER["a"], "dotdigital-password-a")).status_int == 401
    icomm = json_call(app, "POST", "/Contacts/ListFull.Json/", {"ProfileKey": "MTIzNDU20", "Filters": {}},
                      {"Authorization": key("a")})
    assert icomm.status_int == 401
