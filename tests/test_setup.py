"""Setup files: validation with every problem located, idempotent apply, export round trip, legacy ids."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import clear_store
from core import accounts, catalog, setup
from core.schema import Account, ContactList, FieldDef
from gateway.fresh_accounts import PRESETS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "setup"


def load(name: str) -> dict:
    return setup.load((EXAMPLES / name).read_text())


def test_example_applies_once_then_changes_nothing(store_url):
    first = setup.apply(load("from-unisender.yaml"), presets=PRESETS).as_dict()
    assert first["created"] == {"accounts": 1, "keys": 1, "lists": 3, "fields": 3}
    second = setup.apply(load("from-unisender.yaml"), presets=PRESETS).as_dict()
    assert second["created"] == {} and second["updated"] == {}
    assert second["unchanged"] == {"accounts": 1, "keys": 1, "lists": 3, "fields": 3}


def test_an_edited_file_updates(store_url):
    doc = load("from-unisender.yaml")
    setup.apply(doc, presets=PRESETS)
    doc["accounts"][0]["lists"][0]["title"] = "Buyers"
    doc["accounts"][0]["fields"].append({"id": 5, "name": "Zip"})
    summary = setup.apply(doc, presets=PRESETS).as_dict()
    assert summary["updated"] == {"lists": 1} and summary["created"] == {"fields": 1}
    assert ContactList.get(ContactList.number == 778899).title == "Buyers"


def test_the_clients_own_key_and_ids_work_unchanged(store_url, app):
    setup.apply(load("from-unisender.yaml"), presets=PRESETS)
    key = "5xq8mu6rjx1bn3nzyt8uo1ek9vryby6zt3gf1e4y"
    # The documented request, only the host changed.
    answer = app.get(f"/en/api/importContacts?format=json&api_key={key}&field_names[0]=email&field_names[1]=Name"
                     "&field_names[2]=email_list_ids&data[0][0]=1@example.com&data[0][1]=Anna&data[0][2]=778899").json
    assert answer["result"]["inserted"] == 1
    assert app.get(f"/en/api/getLists?format=json&api_key={key}").json["result"][0] == {"id": 778899,
                                                                                         "title": "Customers"}


def test_ids_created_through_a_dialect_never_collide(store_url):
    setup.apply(load("from-unisender.yaml"), presets=PRESETS)
    account = Account.get(Account.name == "acme-shop")
    assert catalog.create_list(account.id, "New").number == 778900
    assert catalog.create_field(account.id, "Fresh").number == 1092210


def test_broken_file_lists_every_problem_and_writes_nothing(store_url):
    doc = {"version": 1, "accounts": [{
        "name": "broken",
        "lists": [{"id": 1, "title": "A"}, {"id": 1, "title": "B"}, {"id": 2, "title": "C", "database": 9}],
        "fields": [{"id": 1, "name": "X", "type": "blob"}],
    }]}
    with pytest.raises(setup.SetupInvalid) as caught:
        setup.apply(doc, presets=PRESETS)
    assert [str(p) for p in caught.value.problems] == [
        "accounts[0].fields[0].type: 'blob' is not one of ['string', 'text', 'number', 'date', 'datetime', 'bool', "
        "'enum', 'tag', 'ip', 'email']"]
    doc["accounts"][0]["fields"][0]["type"] = "string"
    doc["accounts"][0]["fields"].append({"id": 2, "name": "X", "allowed_values": ["a"]})
    with pytest.raises(setup.SetupInvalid) as caught:
        setup.apply(doc, presets=PRESETS)
    assert [str(p) for p in caught.value.problems] == [
        "accounts[0].lists[1].id: duplicate id 1 (also at accounts[0].lists[0])",
        "accounts[0].lists[2].database: database 9 is not declared in this account",
        "accounts[0].fields[1].name: duplicate field name 'X' in database 1 (also at accounts[0].fields[0])",
        "accounts[0].fields[1].allowed_values: allowed_values needs type enum",
    ]
    assert Account.select().count() == 0 and FieldDef.select().count() == 0


def test_a_key_of_another_account_is_refused(store_url):
    other = accounts.create_account("other")
    accounts.add_key(other.id, secret="shared-secret-key")
    doc = {"version": 1, "accounts": [{"name": "mine", "keys": [{"key": "shared-secret-key"}]}]}
    with pytest.raises(setup.SetupInvalid) as caught:
        setup.apply(doc, presets=PRESETS)
    assert "already belongs to another account" in str(caught.value)


def test_not_yaml_at_all(store_url):
    with pytest.raises(setup.SetupInvalid):
        setup.load("accounts: [unclosed")
    with pytest.raises(setup.SetupInvalid):
        setup.load("just a string")


def test_export_apply_export_round_trip(store_url):
    setup.apply(load("from-unisender.yaml"), presets=PRESETS)
    account = Account.get(Account.name == "acme-shop")
    catalog.create_database(account.id, "Second", number=7)
    catalog.create_list(account.id, "Resource", database_number=7, kind="resource", attrs={"channels": ["email"]})
    exported = setup.dump(setup.export("acme-shop"))
    clear_store()
    assert Account.select().count() == 0
    setup.apply(setup.load(exported), presets=PRESETS)
    assert setup.dump(setup.export("acme-shop")) == exported


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_example_round_trips(store_url, example):
    """export -> apply on an empty store -> export gives the same file, for each vendor's example."""
    doc = load(example)
    setup.apply(doc, presets=PRESETS)
    names = [a["name"] for a in doc["accounts"]]
    exported = {name: setup.dump(setup.export(name)) for name in names}
    clear_store()
    for text in exported.values():
        setup.apply(setup.load(text), presets=PRESETS)
    assert {name: setup.dump(setup.export(name)) for name in names} == exported
