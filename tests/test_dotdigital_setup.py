"""The Dotdigital example setup file: applied, then requests copied from Dotdigital's docs with the client's own
API user, password and ids, unchanged."""
from __future__ import annotations

from pathlib import Path

import orjson

from core import setup
from helpers import basic
from gateway.fresh_accounts import PRESETS

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "setup" / "from-dotdigital.yaml"
USER, PASSWORD = "apiuser-908709770324@apiconnector.com", "Nw#Dd-2019-pass!word"


def call(app, method: str, path: str, body=None, user: str = USER, password: str = PASSWORD):
    headers = {"Authorization": basic(user, password), "Content-Type": "application/json",
               "Accept": "application/json", "User-Agent": "dotdigital-php"}
    return app.request(path, method=method, body=orjson.dumps(body) if body is not None else b"",
                       headers=headers, expect_errors=True)


def test_the_example_applies_once_then_changes_nothing(store_url):
    first = setup.apply(setup.load(EXAMPLE.read_text()), presets=PRESETS).as_dict()
    assert first["created"] == {"accounts": 1, "keys": 1, "lists": 3, "fields": 10}
    assert setup.apply(setup.load(EXAMPLE.read_text()), presets=PRESETS).as_dict()["created"] == {}


def test_documented_requests_work_with_the_clients_own_credentials_and_ids(store_url, app):
    setup.apply(setup.load(EXAMPLE.read_text()), presets=PRESETS)
    # [V3SPEC] importContacts request example, verbatim, with the list the client already uses.
    started = call(app, "PUT", "/contacts/v3/import", {
        "mergeOption": "overwrite",
        "contacts": [
            {"matchIdentifier": "email", "identifiers": {"email": "jane.doe@emailsim.io"},
             "dataFields": {"firstName": "Jane", "lastName": "Doe", "gender": "female"}, "lists": [12345]},
            {"matchIdentifier": "mobileNumber", "identifiers": {"email": "john.doe@emailsim.io",
                                                                "mobileNumber": "447123123123"},
             "dataFields": {"firstName": "John", "lastName": "Doe", "gender": "male"},
             "channelProperties": {"email": {"emailType": "Html"}}},
            {"matchIdentifier": "contactId", "identifiers": {"contactId": 123456, "email": "my-new-email@emailsim.io"}},
        ]})
    assert started.status_int == 202
    report = call(app, "GET", f"/contacts/v3/import/{started.json['importId']}").json
    assert report["status"] == "Finished" and report["summary"]["newContacts"] == 3
    # [V2DOC-AB] the address-book example request, into the client's own address book 123.
    added = call(app, "POST", "/v2/address-books/123/contacts", {
        "email": "john.smith@example.com", "optInType": "Single", "emailType": "Html",
        "dataFields": [{"key": "FIRSTNAME", "value": "John"}]})
    assert added.status_int == 200
    assert {"key": "FIRSTNAME", "value": "John"} in added.json["dataFields"]
    assert "myCustomId" not in {f["key"] for f in added.json["dataFields"]}  # an identifier, not a data field
    assert call(app, "GET", "/v2/address-books/12345/contacts").json[0]["email"] == "jane.doe@emailsim.io"
    fields = call(app, "GET", "/v2/data-fields").json
    assert [f["name"] for f in fields][:3] == ["FIRSTNAME", "LASTNAME", "FULLNAME"]
    assert fields[8] == {"name": "IS_HAPPY", "type": "Boolean", "visibility": "Private", "defaultValue": True}
    # The user name is checked too; the password alone does not open the account.
    assert call(app, "GET", "/v2/data-fields", user="apiuser-1@apiconnector.com").status_int == 401
    assert call(app, "GET", "/contacts/v3/email/jane.doe@emailsim.io", password="wrong").status_int == 401
