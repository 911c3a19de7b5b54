"""A client coming from Altcraft: its setup file applied, then its documented requests replayed
with its own token and ids, unchanged."""
from __future__ import annotations

from pathlib import Path

from altcraft_client import call, call_xml, ok, xml_value
from core import setup
from gateway.fresh_accounts import PRESETS

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "setup" / "from-altcraft.yaml"


def test_the_example_applies_once_then_changes_nothing(store_url):
    first = setup.apply(setup.load(EXAMPLE.read_text()), presets=PRESETS).as_dict()
    assert first["created"] == {"accounts": 1, "keys": 2, "databases": 1, "lists": 6, "fields": 4}  # db 1 always exists
    again = setup.apply(setup.load(EXAMPLE.read_text()), presets=PRESETS).as_dict()
    assert again["created"] == {} and again["updated"] == {}


def test_documented_requests_work_with_the_clients_own_token_and_ids(app):
    setup.apply(setup.load(EXAMPLE.read_text()), presets=PRESETS)
    # [API] the authorisation example, verbatim: token, db_id 1, resource_id 1.
    request = {
        "token": "bfc505684d774e52b188fa1f003cd5ed",
        "db_id": 1,
        "resource_id": 1,
        "matching": "email",
        "email": "example@example.com",
        "data": {"_status": 0, "_fname": "Jim", "_lname": "Jones", "email": "example@example.com",
                 "phones": ["+79000000000"]},
    }
    profile = ok(call(app, "profiles/import", request))["profile_id"]
    # seed 003: the XML import_batch example, verbatim but for the token (the account's second one).
    seed_xml = """<xml>
<token>abcdefghijklmnqrstuvwxyz</token>
<db_id>1</db_id>
<matching>custom</matching>
<field_name>Custom_ID</field_name>
<skip_triggers>true</skip_triggers>
<data>
<_fname>Lala</_fname>
<_lname>Doe</_lname>
<Custom_ID>77</Custom_ID>
<email>lala@example.com</email>
<subscriptions array='true'>
<channel>email</channel>
<email_data>
<email>lala@example.com</email>
</email_data>
<resource_id>28</resource_id>
<custom_fields>
<custom_field>test value</custom_field>
</custom_fields>
<cats>category_1</cats>
<cats>category_2</cats>
</subscriptions>
</data>
<data>
<_fname>Alex</_fname>
<Custom_ID>345</Custom_ID>
<email>alex@example.com</email>
</data>
</xml>"""
    answer = xml_value(call_xml(app, "profiles/import_batch", seed_xml))
    assert [r["error"] for r in answer["result"]] == ["0", "0"]
    got = ok(call(app, "profiles/get", {"token": "abcdefghijklmnqrstuvwxyz", "db_id": 1, "matching": "custom",
                                        "field_name": "Custom_ID", "field_value": 77}))["data"]
    assert got["_fname"] == "Lala" and got["subscriptions"][0]["resource_id"] == 28
    assert ok(call(app, "profiles/get", {"token": "abcdefghijklmnqrstuvwxyz", "db_id": 1,
                                         "email": "example@example.com"}))["data"]["id"] == profile
    # db_id 24 is its own database: the same email is another profile there.
    assert call(app, "profiles/get", {"token": "abcdefghijklmnqrstuvwxyz", "db_id": 24,
                                      "email": "example@example.com"})["error"] == 404


def test_resource_1_and_segment_1_are_two_objects(app):
    """Altcraft numbers resources and segments apart; a migrated client keeps both of its ids 1."""
    from core import contacts
    from core.schema import Account

    setup.apply(setup.load(EXAMPLE.read_text()), presets=PRESETS)
    token = "bfc505684d774e52b188fa1f003cd5ed"
    request = {"token": token, "db_id": 1, "matching": "email", "email": "both@example.com",
               "add_to_segments": [1],
               "data": {"email": "both@example.com",
                        "subscriptions": [{"channel": "email", "email": "both@example.com", "resource_id": 1}]}}
    profile = ok(call(app, "profiles/import", request))["profile_id"]
    subscriptions = ok(call(app, "subscriptions/list", {"token": token, "db_id": 1, "profile_id": profile}))["data"]
    assert [s["resource_id"] for s in subscriptions] == [1]
    account = Account.get(Account.name == "northwind-retail")
    view = contacts.find(account.id, "email", "both@example.com")
    assert sorted((m.kind, m.list, m.title) for m in view.memberships) == [
        ("resource", 1, "Newsletter"), ("segment", 1, "VIP")]
