"""One account, one store: a contact written through Dotdigital is the contact Unisender sees, and back."""
from __future__ import annotations

from core import accounts, catalog
from dotdigital_client import dd  # noqa: F401 - the fixture


def test_a_dotdigital_import_is_the_contact_unisender_sees(dd, app):
    _, unisender_key = accounts.add_key(dd.account.id, dialect="unisender")
    catalog.create_field(dd.account.id, "FIRSTNAME")
    catalog.create_list(dd.account.id, "Newsletter", number=123, kind="address_book")
    report = dd.imported([{"matchIdentifier": "email", "identifiers": {"email": "Jane.Doe@emailsim.io",
                                                                       "mobileNumber": "447123123123"},
                           "dataFields": {"firstName": "Jane"}, "lists": [123]}])
    contact_id = report["created"][0]["contactId"]

    seen = app.get(f"/en/api/getContact?format=json&api_key={unisender_key}&email=jane.doe@emailsim.io"
                   "&include_lists=1&include_fields=1").json["result"]
    assert seen["email"]["email"] == "jane.doe@emailsim.io" and seen["email"]["status"] == "active"
    assert seen["fields"] == {"FIRSTNAME": "Jane"}
    assert [entry["id"] for entry in seen["lists"]] == [123]
    subscribed = app.post("/en/api/subscribe", f"format=json&api_key={unisender_key}&list_ids=123"
                          "&fields[email]=jane.doe@emailsim.io&fields[FIRSTNAME]=Janet&overwrite=2",
                          content_type="application/x-www-form-urlencoded").json
    assert subscribed == {"result": {"person_id": contact_id}}  # the same contact, not a second one

    back = dd.get("/contacts/v3/mobileNumber/447123123123").json
    assert back["contactId"] == contact_id and back["dataFields"] == {"FIRSTNAME": "Janet"}
    v2 = dd.get("/v2/contacts/jane.doe@emailsim.io").json
    assert v2["id"] == contact_id and v2["dataFields"] == [{"key": "FIRSTNAME", "value": "Janet"}]


def test_a_unisender_import_is_found_by_dotdigital(dd, app):
    _, unisender_key = accounts.add_key(dd.account.id, dialect="unisender")
    answer = app.post("/en/api/importContacts?format=json", f"api_key={unisender_key}&field_names[0]=email"
                      "&field_names[1]=email_status&data[0][0]=anna@example.com&data[0][1]=unsubscribed",
                      content_type="application/x-www-form-urlencoded").json
    assert answer["result"]["inserted"] == 1
    contact = dd.get("/contacts/v3/email/anna@example.com").json
    assert contact["status"] == "unsubscribed"
    assert dd.get("/v2/contacts/anna@example.com").json["status"] == "Unsubscribed"
