"""The example setup of a client leaving eSputnik, and documented requests replayed with its own ids and key."""
from __future__ import annotations

from pathlib import Path

import orjson

from core import setup
from core.schema import ContactList
from esputnik_http import call, ok
from gateway.fresh_accounts import PRESETS

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "setup" / "from-esputnik.yaml"
KEY = "2D5A1F0C9B8E7D6C5B4A39281706F5E4"

# The guide's subscribe example, byte for byte (its field 12345 and group "Subscribers" are the client's own).
SUBSCRIBE = b'''{
    "contact": {
        "channels": [{
            "type": "email",
            "value": "mail@example.com"
        }, {
            "type": "sms",
            "value": "380942583691"
        }],
        "firstName": "John",
        "lastName": "Smith",
        "address": {
            "town": "London",
            "region": "West",
            "address": "First str. 1",
            "postcode": "12345"
        },
        "fields": [{
            "id": "12345",
            "value": "..."
        }]
    },
    "groups": ["Subscribers"],
    "formType": "abc"
}'''


def test_the_example_applies_once_then_changes_nothing(store_url):
    first = setup.apply(setup.load(EXAMPLE.read_text()), presets=PRESETS).as_dict()
    assert first["created"] == {"accounts": 1, "keys": 1, "lists": 3, "fields": 4, "webhooks": 1}
    again = setup.apply(setup.load(EXAMPLE.read_text()), presets=PRESETS).as_dict()
    assert again["created"] == {} and again["updated"] == {}


def test_documented_requests_with_the_clients_own_key_and_ids(store_url, app):
    setup.apply(setup.load(EXAMPLE.read_text()), presets=PRESETS)
    answer = ok(call(app, KEY, "POST", "contact/subscribe", raw=SUBSCRIBE, content_type="application/json"))
    assert answer["emailStatus"] == "NEED_CONFIRMATION" and answer["new"] is True
    view = ok(call(app, KEY, "GET", f"contact/{answer['id']}"))
    assert view["groups"] == [{"id": 5022, "name": "Subscribers", "type": "Static"}]
    assert view["fields"] == [{"id": 12345, "value": "..."}] and view["addressBookId"] == 7200
    assert ContactList.select().count() == 3  # the existing segment was used, none created
    # The guide's bulk example moves the contact from Subscribers to Customers.
    bulk = {"contacts": [orjson.loads(SUBSCRIBE)["contact"]], "dedupeOn": "email", "customFieldsIDs": [12345],
            "groupNames": ["Customers"], "groupNamesExclude": ["Subscribers"], "restoreDeleted": False,
            "eventKeyForNewContacts": "newContact"}
    session = ok(call(app, KEY, "POST", "contacts", bulk))["asyncSessionId"]
    assert ok(call(app, KEY, "GET", f"importstatus/{session}"))["mapping"] == [
        {"dedupeValue": "mail@example.com", "contactId": answer["id"]}]
    assert [g["id"] for g in ok(call(app, KEY, "GET", f"contact/{answer['id']}"))["groups"]] == [5021]
    assert ok(call(app, KEY, "POST", "group/5022/contacts/attach", {"contactIds": [answer["id"]]}))
    assert ok(call(app, KEY, "GET", "groups?name=buyers")) == [{"id": 5023, "name": "Active buyers", "type": "Dynamic"}]
    books = ok(call(app, KEY, "GET", "addressbooks"))["addressBook"]
    assert (books["addressBookId"], [g["name"] for g in books["fieldGroups"]]) == ("7200", ["Personal", "Loyalty"])
    assert books["fieldGroups"][0]["profileKey"] == "personal"
    assert books["fieldGroups"][1]["fields"] == {"id": "15870", "name": "Bonus points", "fieldKey": "points",
                                                 "description": {"type": "decimal", "required": "false",
                                                                 "readonly": "false"}}
    assert ok(call(app, KEY, "GET", "account/info")) == {"userEmail": "api-user162065",
                                                        "organisationName": "Example Shop"}
