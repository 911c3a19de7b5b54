"""The one-contact call of every dialect: a fixed, small number of statements, new or existing contact.

The ceilings are what each call costs now on PostgreSQL (SQLite sends fewer through the counted
path: its bulk writes run as cursor executemany). They are ceilings to lower, never to raise:
bench/README.md tracks the gap to the raw limit (one upsert) and what closing it would take.
"""
from __future__ import annotations

import base64

import orjson
import pytest

from core import accounts, catalog
from querycount import count_queries

DD_USER, DD_PASSWORD = "u@apiconnector.com", "dd-pass-1"

# (statements for a new contact, for an existing one whose name changes); the key is remembered
# by the worker (core/key_cache.py) and the catalogue too (core/catalog_cache.py), so no call here
# looks either up again. Counted: the account lock, the batch's first read (core/batch_start.py:
# the account, its suppressed and unsubscribed addresses), the contact, its memberships, a new
# contact's id, its writes and events. On PostgreSQL the lock travels with BEGIN and the writes
# with COMMIT (core.db.PostgresStore): a new Unisender contact is 6 statements in 4 round trips
# and a fifth, after the lock is released, that waits for the WAL flush. Was (12, 11) … (22, 21).
CEILINGS = {
    "unisender subscribe": (7, 4),
    "unisender importContacts": (6, 5),
    "esputnik POST contact": (6, 5),
    "altcraft profiles/add": (6, 3),
    "dotdigital v3 PATCH": (8, 7),
    "dotdigital v2 POST contacts": (6, 7),
    "icomm SaveContact": (6, 5),
}


def _calls(app, key: str):
    basic_e = "Basic " + base64.b64encode(f"u:{key}".encode()).decode()
    basic_d = "Basic " + base64.b64encode(f"{DD_USER}:{DD_PASSWORD}".encode()).decode()
    json_e = {"Authorization": basic_e, "Content-Type": "application/json"}
    json_d = {"Authorization": basic_d, "Content-Type": "application/json"}
    return {
        "unisender subscribe": lambda e, n: app.get(
            f"/en/api/subscribe?format=json&api_key={key}&list_ids=1&fields[email]={e}&fields[Name]={n}&double_optin=3"),
        "unisender importContacts": lambda e, n: app.post("/en/api/importContacts?format=json", {
            "api_key": key, "field_names[0]": "email", "field_names[1]": "Name", "data[0][0]": e, "data[0][1]": n}),
        "esputnik POST contact": lambda e, n: app.post("/api/v1/contact", orjson.dumps(
            {"firstName": n, "channels": [{"type": "email", "value": e}]}), headers=json_e),
        "altcraft profiles/add": lambda e, n: app.post("/api/v1.1/profiles/add", orjson.dumps(
            {"token": key, "db_id": 1, "data": {"email": e, "_fname": n}}), headers={"Content-Type": "application/json"}),
        "dotdigital v3 PATCH": lambda e, n: app.patch(f"/contacts/v3/email/{e}", orjson.dumps(
            {"identifiers": {"email": e}, "dataFields": {"Name": n}, "lists": [1]}), headers=json_d),
        "dotdigital v2 POST contacts": lambda e, n: app.post("/v2/contacts", orjson.dumps(
            {"email": e, "dataFields": [{"key": "Name", "value": n}]}), headers=json_d),
        "icomm SaveContact": lambda e, n: app.post("/Contacts/SaveContact.Json/", orjson.dumps(
            {"ProfileKey": "PK1", "Contact": {"Email": e, "CustomFields": [{"Key": "Name", "Value": n}]}}),
            headers={"Authorization": key, "Content-Type": "application/json"}),
    }


@pytest.mark.parametrize("call", list(CEILINGS))
def test_a_one_contact_call_sends_a_fixed_few_statements(app, account, call, monkeypatch):
    monkeypatch.setenv("KEY_CACHE_SECONDS", "3600")
    accounts.add_key(account.id, DD_PASSWORD, dialect="dotdigital", username=DD_USER)
    catalog.create_list(account.id, "One", number=1, kind="address_book")
    catalog.create_field(account.id, "Name")
    main = catalog.database(account.id, 1)
    main.attrs = {"profile_key": "PK1"}
    main.save()
    send = _calls(app, account.key)[call]
    send("warm@example.com", "W")  # the worker has seen the key
    counts = []
    for name in ("First", "Second"):  # a new contact, then the same one with another name
        with count_queries() as seen:
            answer = send("one@example.com", name)
        assert answer.status_int in (200, 201), answer.body
        assert not [sql for sql in seen if "COUNT(" in sql.upper()], seen
        assert not [sql for sql in seen if '"credential"' in sql], seen
        counts.append(len(seen))
    assert counts[0] <= CEILINGS[call][0] and counts[1] <= CEILINGS[call][1], (counts, seen)
