"""The real eSputnik clients of the vendor notes (§6), run against the gateway with only their host changed.

ok-esputnik 0.3 (PyPI; Python 3.9, see tests/clients/esputnik-python) and rubik-esputnik 1.0.5
(npm) make their main contact calls; the tests check what each client hands back to its caller and
what the store then holds.
"""
from __future__ import annotations

import uuid

import pytest

from core import setup
from core.schema import Account, Contact, ContactList, Event, FieldDef, Membership
from outbox import vendor_events
from local_http import serving
from real_clients import CLIENTS, interpreter, live_url, npm_install, pip_install, run_driver  # noqa: F401


@pytest.fixture
def client_account(store_url):
    """A migrated eSputnik account: its key, segments 5021/5022 and additional fields by their ids."""
    key = uuid.uuid4().hex.upper()
    name = f"esputnik-clients-{key[:8]}"
    setup.apply({"version": 1, "accounts": [{
        "name": name,
        "settings": {"esputnik": {"address_book_id": 7200, "user_email": "api-user", "organisation_name": "Shop"}},
        "keys": [{"key": key, "dialect": "esputnik"}],
        "lists": [{"id": 5021, "title": "Customers", "kind": "segment"},
                  {"id": 5022, "title": "Subscribers", "kind": "segment"}],
        "fields": [{"id": 12345, "name": "Profession", "type": "string"},
                   {"id": 15867, "name": "Birthday", "type": "date"},
                   {"id": 15868, "name": "Gender", "type": "enum", "allowed_values": ["M", "F"]}],
    }]})
    return {"id": Account.get(Account.name == name).id, "key": key}


def stored(account_id: int, email: str) -> dict:
    """A contact as the store holds it: additional fields by their eSputnik ids, segments it is in."""
    row = Contact.get((Contact.account == account_id) & (Contact.email == email))
    numbers = {str(f.id): f.number for f in FieldDef.select().where(FieldDef.account == account_id)}
    segments = [s.title for s in ContactList.select().join(Membership).where(
        (Membership.contact == row.id) & (Membership.status == "subscribed")).order_by(ContactList.number)]
    return {"id": row.id, "phone": row.phone, "confirmed": row.confirmed, "email_status": row.email_status,
            "attrs": row.attrs, "fields": {numbers[k]: v for k, v in row.fields.items()}, "segments": segments,
            "deleted": row.deleted_at is not None}


@pytest.fixture(scope="session")
def ok_esputnik(tmp_path_factory):
    """(Python 3.9, its packages folder): trafaret 1.2.0, which ok-esputnik pins, imports
    collections.Mapping, which Python 3.10 removed."""
    python = interpreter("3.9", "ok-esputnik pins trafaret 1.2.0, which needs Python < 3.10")
    folder = CLIENTS / "esputnik-python"
    return python, pip_install(python, folder, tmp_path_factory.mktemp("ok-esputnik"))


def test_ok_esputnik_python_client(live_url, client_account, ok_esputnik):
    python, packages = ok_esputnik
    csv = b"Email,First name,Last name\nup1@example.com,Up,One\nup2@example.com,Up,Two\n"
    with serving({"/contacts.csv": csv}) as (files, _):
        lines = run_driver([python, "run.py"], CLIENTS / "esputnik-python", {
            "GATEWAY_URL": live_url, "GATEWAY_KEY": client_account["key"], "PYTHONPATH": str(packages),
            "CSV_LINK": f"{files}/contacts.csv"})
    calls = {line["call"]: line for line in lines}
    refused = {name: line["status"] for name, line in calls.items() if line["status"] != 200}
    assert refused == {"get_contact deleted": 404, "update_contact unknown": 404, "wrong key": 401}, lines
    data = {name: line["data"] for name, line in calls.items()}
    account = client_account["id"]

    assert data["account_info"] == {"userEmail": "api-user", "organisationName": "Shop"}
    book = data["addressbooks"]["addressBook"]
    assert book["addressBookId"] == "7200" and [f["id"] for f in book["fieldGroups"]["fields"]] == [
        "12345", "15867", "15868"]
    assert data["groups"] == [{"id": 5021, "name": "Customers", "type": "Static"},
                              {"id": 5022, "name": "Subscribers", "type": "Static"}]
    sub = data["contact_subscribe"]
    assert sub == {"id": sub["id"], "emailStatus": "NEED_CONFIRMATION", "new": True}
    # One failed contact is an object, not a list (the documented quirk); the rest is imported.
    bulk = data["add_contacts"]
    assert bulk["failedContacts"]["firstName"] == "Broken" and "Invalid email" in bulk["failedContacts"]["error"]
    status = data["importstatus"]
    assert status["status"] == "FINISHED" and status["description"] == "3 contacts: 2 created, 1 updated"
    mapping = {m["dedupeValue"]: m["contactId"] for m in status["mapping"]}
    assert list(mapping) == ["bulk1@example.com", "bulk2@example.com", "sub@example.com"]
    assert mapping["sub@example.com"] == sub["id"]
    single = data["add_contact"]["id"]
    assert data["get_contact"]["groups"] == [{"id": 5021, "name": "Customers", "type": "Static"}]
    assert data["get_contact"]["addressBookId"] == 7200
    # Text answers are labelled JSON; the client hands back the raw body.
    assert data["update_contact"] == f"Contact with id='{single}' has been updated"
    assert data["get_contact updated"]["firstName"] == "Renamed"
    assert data["get_contact updated"]["channels"][1] == {"type": "sms", "value": "+380671234567"}
    assert [c["id"] for c in data["get_contacts email"]] == [mapping["bulk2@example.com"]]
    assert [c["id"] for c in data["get_contacts name"]] == [mapping["bulk2@example.com"]]  # 2nd "Bulk", 1 a page
    assert len(data["get_contacts all"]) == 4
    assert [c["id"] for c in data["group_contacts"]] == sorted([*mapping.values(), single])
    assert data["group_contacts_detach"] == "Contacts have been detached from the segment with id='5021'"
    assert data["group_contacts after detach"] == []
    assert data["emails_unsubscribed_add"] == "" and data["emails_unsubscribed_delete"] == ""
    assert data["subscribe unsubscribed"] == {"id": mapping["bulk1@example.com"], "emailStatus": "BLACKLISTED",
                                              "new": False}
    assert data["contacts_upload"]["valid"] is True
    assert data["upload importstatus"]["status"] == "FINISHED"
    assert data["delete_contact"] == f"Contact with id='{single}' has been deleted"
    assert calls["get_contact deleted"]["status"] == 404
    assert calls["update_contact unknown"] == {"call": "update_contact unknown", "status": 404,
                                               "data": "Contact with id='999999' not found"}
    # A wrong key: the client returns the status and the text body, as it does for eSputnik's refusals.
    assert calls["wrong key"] == {"call": "wrong key", "status": 401, "data": "Unauthorized"}

    subscriber = stored(account, "sub@example.com")
    assert subscriber | {"attrs": None} == {
        "id": sub["id"], "phone": "+380501112233", "confirmed": False, "email_status": "activation_requested",
        "attrs": None, "fields": {}, "segments": [], "deleted": False}
    # The bulk call listed lastName in contactFields without sending it: cleared, as documented.
    assert subscriber["attrs"] == {"first_name": "Sub"}
    assert vendor_events().where(Event.contact == sub["id"]).get().name == "subscribeFromApi-footer"
    assert stored(account, "bulk1@example.com")["email_status"] == "unsubscribed"
    assert stored(account, "bulk2@example.com")["attrs"] == {
        "first_name": "Bulk", "last_name": "Two", "address": "First str. 1", "city": "London", "region": "West",
        "postcode": "12345"}
    renamed = stored(account, "single@example.com")
    assert (renamed["deleted"], renamed["phone"], renamed["attrs"]["first_name"]) == (True, "+380671234567", "Renamed")
    assert stored(account, "nobody@example.com")["email_status"] == "active"  # unsubscribed, then lifted
    assert stored(account, "up1@example.com")["segments"] == ["Uploaded"]
    # ok-esputnik's template keeps only the `id` of each additional field (trafaret's ignore_extra drops
    # `value`), so no value ever leaves the client; the gateway leaves the fields as they were.
    assert all(not stored(account, e)["fields"] for e in ("sub@example.com", "bulk1@example.com",
                                                         "single@example.com"))


def test_rubik_esputnik_npm_client(live_url, client_account):
    folder = CLIENTS / "esputnik-npm"
    npm_install(folder)
    lines = run_driver(["node", "run.js"], folder, {"GATEWAY_URL": live_url, "GATEWAY_KEY": client_account["key"]})
    calls = {line["call"]: line for line in lines}
    failed = [line for line in lines if not line["ok"]]
    assert [line["call"] for line in failed] == ["get deleted contact", "wrongKey"], lines
    res = {name: line.get("res") for name, line in calls.items()}
    account = client_account["id"]

    # The config's host ends in '/' (the README's form): every path starts '//api/v1/'.
    assert res["account.info"] == res["direct account.info"] == {"userEmail": "api-user", "organisationName": "Shop"}
    assert res["contact.subscribe type"] == "undefined"  # the kubik's own method table shadows it
    sub = res["subscribe"]
    assert sub == {"id": sub["id"], "emailStatus": "NEED_CONFIRMATION", "new": True}
    bulk = res["addContact"]
    assert bulk["failedContacts"]["lastName"] == "Phone only"
    assert bulk["failedContacts"]["error"] == "The contact has no email channel to deduplicate on (dedupeOn email)"
    status = res["importstatus"]
    assert status["status"] == "FINISHED" and [m["dedupeValue"] for m in status["mapping"]] == [
        "npm1@example.com", "npm2@example.com"]
    single = res["contact"]["id"]
    # Text answers come back wrapped by the client as {result: text}.
    assert res["contact.id"] == {"result": f"Contact with id='{single}' has been updated"}
    got = res["get contact"]
    assert (got["firstName"], got["lastName"]) == ("Updated", "By PUT")
    assert got["fields"] == [{"id": 12345, "value": "editor"}]
    assert got["groups"] == [{"id": 5022, "name": "Subscribers", "type": "Static"}]
    assert res["search"][0]["fields"] == [{"id": 12345, "value": "tester"}, {"id": 15868, "value": "M"}]
    assert [c["channels"][0]["value"] for c in res["search by name"]] == ["npm2@example.com"]
    assert [g["id"] for g in res["groups"]] == [5021, 5022]
    assert res["attach"] == {"result": "Contacts have been attached to the segment with id='5022'"}
    assert [c["id"] for c in res["group contacts"]] == [sub["id"], single]
    assert res["detach"] == {"result": "Contacts have been detached from the segment with id='5022'"}
    assert res["emails.unsubscribed.add"] == res["emails.unsubscribed.delete"] == {"result": ""}
    assert res["delete contact"] == {"result": f"Contact with id='{single}' has been deleted"}
    assert "not found" in calls["get deleted contact"]["err"]
    # At status 400 and above the client throws the body text.
    assert calls["wrongKey"] == {"call": "wrongKey", "ok": False, "err": "Unauthorized"}

    first = stored(account, "npm1@example.com")
    assert (first["confirmed"], first["fields"], first["segments"]) == (True, {12345: "tester", 15868: "M"},
                                                                       ["Customers"])
    second = stored(account, "npm2@example.com")
    assert (second["phone"], second["fields"], second["email_status"]) == (
        "+380931112233", {15867: "1990-10-10"}, "unsubscribed")
    assert Contact.select().where(Contact.phone == "+380931112244").count() == 0
    assert stored(account, "npm-sub@example.com") | {"id": None, "attrs": None} == {
        "id": None, "phone": None, "confirmed": False, "email_status": "activation_requested", "attrs": None,
        "fields": {}, "segments": ["Subscribers"], "deleted": False}
    gone = stored(account, "npm-single@example.com")
    assert (gone["deleted"], gone["fields"], gone["segments"]) == (True, {12345: "editor"}, [])
