"""One store, many dialects: a profile imported through Altcraft is the contact Unisender sees
(same account, same database), and the other way round."""
from __future__ import annotations

from altcraft_client import call, ok
from core import catalog, ids


def unisender(app, key, method, **params):
    return app.post(f"/en/api/{method}?format=json", {"api_key": key, **params}).json


def test_an_altcraft_profile_is_the_unisender_contact(app, account):
    catalog.create_field(account.id, "City")
    catalog.create_list(account.id, "Newsletter", number=134)
    profile = ok(call(app, "profiles/import", {"token": account.key, "db_id": 1, "data": {
        "email": "Anna@Example.com", "phones": ["+79261234567"], "_fname": "Anna", "City": "Riga"}}))["profile_id"]

    contact = unisender(app, account.key, "getContact", email="anna@example.com", include_fields="1")["result"]
    assert contact["email"]["email"] == "anna@example.com" and contact["fields"] == {"City": "Riga"}
    # Unisender's person id and Altcraft's profile id name the same contact.
    person = unisender(app, account.key, "subscribe", list_ids="134", double_optin="3", overwrite="2",
                       **{"fields[email]": "anna@example.com", "fields[City]": "Tallinn"})["result"]["person_id"]
    assert ids.profile_id(person) == profile

    # Unisender's changes are what Altcraft reads back, and a Unisender import updates the same profile.
    answer = unisender(app, account.key, "importContacts", **{
        "field_names[0]": "email", "field_names[1]": "phone", "data[0][0]": "anna@example.com",
        "data[0][1]": "+79261234568"})
    assert answer["result"]["updated"] == 1
    got = ok(call(app, "profiles/get", {"token": account.key, "db_id": 1, "matching": "phone",
                                        "phone": "+79261234568"}))["data"]
    assert (got["id"], got["City"], got["_fname"], got["phones"]) == (profile, "Tallinn", "Anna", ["+79261234568"])


def test_a_unisender_contact_is_found_and_updated_by_altcraft(app, account):
    answer = unisender(app, account.key, "importContacts", **{
        "field_names[0]": "email", "data[0][0]": "bob@example.com"})
    assert answer["result"]["inserted"] == 1
    found = ok(call(app, "profiles/get", {"token": account.key, "db_id": 1, "email": "bob@example.com"}))["data"]
    updated = ok(call(app, "profiles/import", {"token": account.key, "db_id": 1,
                                               "data": {"email": "bob@example.com", "_lname": "Builder"}}))
    assert updated["profile_id"] == found["id"]
    # Deleted through Altcraft, the contact is gone for Unisender too.
    ok(call(app, "profiles/delete", {"token": account.key, "db_id": 1, "email": "bob@example.com"}))
    assert unisender(app, account.key, "getContact", email="bob@example.com")["code"] == "unspecified"


def test_altcraft_subscriptions_are_not_unisender_lists(app, account):
    """Resources are numbered apart: Unisender neither shows an Altcraft subscription as list 7
    nor drops it when it replaces the contact's lists."""
    from altcraft_client import resource

    resource(account, 7, ("email",))
    catalog.create_list(account.id, "Newsletter", number=134)
    profile = ok(call(app, "profiles/import", {"token": account.key, "db_id": 1, "data": {
        "email": "ann@example.com", "subscriptions": [{"resource_id": 7, "channel": "email", "email": "ann@example.com"}]}}))["profile_id"]

    contact = unisender(app, account.key, "getContact", email="ann@example.com", include_lists="1")["result"]
    assert contact["lists"] == []
    assert unisender(app, account.key, "isContactInLists", email="ann@example.com", list_ids="7")["result"] is False

    answer = unisender(app, account.key, "importContacts", overwrite_lists="1", **{
        "field_names[0]": "email", "field_names[1]": "email_list_ids",
        "data[0][0]": "ann@example.com", "data[0][1]": "134"})
    assert answer["result"]["updated"] == 1
    unisender(app, account.key, "subscribe", list_ids="134", double_optin="3", overwrite="1",
              **{"fields[email]": "ann@example.com"})
    listed = ok(call(app, "subscriptions/list", {"token": account.key, "db_id": 1, "profile_id": profile}))["data"]
    assert [(s["resource_id"], s["channel"]) for s in listed] == [(7, "email")]
    lists = unisender(app, account.key, "getContact", email="ann@example.com", include_lists="1")["result"]["lists"]
    assert [entry["id"] for entry in lists] == [134]
