"""A new account starts as a new account at its vendor: the defaults, what a setup file does with them, export."""
from __future__ import annotations

import json

import pytest

from conftest import clear_store
from core import catalog, setup
from core.schema import Account
from gateway.fresh_accounts import PRESETS
from processes import cli


def _fields(name: str) -> list[tuple[int, str]]:
    account = Account.get(Account.name == name)
    return [(f.number, f.name) for f in catalog.fields(account.id)]


def _apply(*accounts) -> None:
    setup.apply({"version": 1, "accounts": list(accounts)}, presets=PRESETS)


def test_each_vendor_gives_its_own_defaults(store_url):
    _apply({"name": "u", "defaults": ["unisender"]}, {"name": "d", "defaults": ["dotdigital"]},
           {"name": "all"}, {"name": "bare", "defaults": []})
    assert _fields("u") == [(1, "Name")]
    assert _fields("d") == [(2, "FIRSTNAME"), (3, "LASTNAME"), (4, "FULLNAME"), (5, "GENDER"), (6, "POSTCODE")]
    assert _fields("all") == [(1, "Name")] + _fields("d")
    assert _fields("bare") == []


def test_a_file_renames_a_default_by_id_and_replaces_one_by_name(store_url):
    _apply({"name": "renamed", "defaults": ["unisender"], "fields": [{"id": 1, "name": "FirstName"}]},
           {"name": "replaced", "defaults": ["unisender"], "fields": [{"id": 1092207, "name": "Name"}]})
    assert _fields("renamed") == [(1, "FirstName")]
    assert _fields("replaced") == [(1092207, "Name")]


def test_defaults_are_for_new_accounts_only(store_url):
    doc = {"name": "shop", "defaults": ["unisender"]}
    _apply(doc)
    account = Account.get(Account.name == "shop")
    catalog.delete_field(account.id, 1)
    _apply(doc)  # applying the file again does not bring back what the operator removed
    assert _fields("shop") == []


def test_an_unknown_defaults_name_is_a_problem(store_url):
    problems = setup.validate({"version": 1, "accounts": [{"name": "x", "defaults": ["mailchimp"]}]}, presets=PRESETS)
    assert [str(p) for p in problems] == [
        "accounts[0].defaults[0]: unknown defaults 'mailchimp' (known: unisender, esputnik, dotdigital, altcraft, icomm)"]


def test_export_shows_the_defaults_and_round_trips(store_url):
    _apply({"name": "shop", "defaults": ["unisender", "dotdigital"]})
    exported = setup.export("shop")
    account = exported["accounts"][0]
    assert account["defaults"] == []
    assert [f["name"] for f in account["fields"]] == ["Name", "FIRSTNAME", "LASTNAME", "FULLNAME", "GENDER",
                                                      "POSTCODE"]
    clear_store()
    _apply(*setup.load(setup.dump(exported))["accounts"])
    assert setup.export("shop") == exported


def test_accounts_create_starts_with_every_dialects_defaults(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    cli("accounts", "create", "everything", "--json", env=env)
    cli("accounts", "create", "uni", "--defaults", "unisender", "--json", env=env)
    cli("accounts", "create", "bare", "--defaults", "", "--json", env=env)
    names = {n: [f["name"] for f in setup.load(cli("setup", "export", n, env=env).stdout)["accounts"][0]["fields"]]
             for n in ("everything", "uni", "bare")}
    assert names == {"everything": ["Name", "FIRSTNAME", "LASTNAME", "FULLNAME", "GENDER", "POSTCODE"],
                     "uni": ["Name"], "bare": []}
    refused = cli("accounts", "create", "x", "--defaults", "mailchimp", "--json", env=env, check=False)
    assert refused.returncode == 2 and json.loads(refused.stderr)["error"] == "setup_invalid"


def test_the_issue_calls_on_a_bare_fresh_unisender_account(app, fresh_account):
    """The calls that answered "Unknown field: Name" before: the seed's URL and a subscribe form."""
    account = fresh_account("unisender")
    created = app.get(f"/en/api/createList?format=json&api_key={account.key}&title=Customers").json
    list_id = created["result"]["id"]
    imported = app.get(f"/en/api/importContacts?format=json&api_key={account.key}&field_names[0]=email"
                       f"&field_names[1]=Name&field_names[2]=email_list_ids&data[0][0]=1@example.com&data[0][1]=Anna"
                       f"&data[0][2]={list_id}").json
    assert imported["result"]["inserted"] == 1 and imported["result"]["log"] == []
    subscribed = app.get(f"/en/api/subscribe?format=json&api_key={account.key}&list_ids={list_id}"
                         f"&fields[email]=2@example.com&fields[Name]=Kate&double_optin=3").json
    assert isinstance(subscribed["result"]["person_id"], int)
    contact = app.get(f"/en/api/getContact?format=json&api_key={account.key}&email=2@example.com"
                      f"&include_fields=1").json
    assert contact["result"]["fields"] == {"Name": "Kate"}


@pytest.mark.parametrize("dialect", sorted(PRESETS))
def test_every_preset_is_a_valid_setup_fragment(store_url, dialect):
    assert setup.validate({"version": 1, "accounts": [{"name": "x", "defaults": [dialect]}]}, presets=PRESETS) == []
