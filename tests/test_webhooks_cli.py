"""Operating webhooks: the CLI (add, list, remove) and the `webhooks:` section of setup files."""
from __future__ import annotations

import json

import pytest

from core import setup, webhooks
from core.schema import Account
from processes import cli


@pytest.fixture
def env(tmp_path):
    return {"DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}


def test_add_list_remove(env):
    cli("accounts", "create", "acme", "--json", env=env)
    added = json.loads(cli("webhooks", "add", "acme", "https://crm.example.com/in", "--events",
                           "contact.created,list.joined", "--json", env=env).stdout)
    assert added["webhook_id"] == 1 and len(added["secret"]) >= 32
    second = json.loads(cli("webhooks", "add", "acme", "http://10.0.0.5/hook", "--json", env=env).stdout)
    listed = json.loads(cli("webhooks", "list", "acme", "--json", env=env).stdout)["webhooks"]
    assert [(w["webhook_id"], w["url"], w["events"], w["pending"], w["dead"]) for w in listed] == [
        (1, "https://crm.example.com/in", ["contact.created", "list.joined"], 0, 0),
        (2, "http://10.0.0.5/hook", None, 0, 0)]
    assert "secret" not in listed[0]  # shown once, when added
    cli("webhooks", "remove", "acme", str(second["webhook_id"]), env=env)
    assert len(json.loads(cli("webhooks", "list", "acme", "--json", env=env).stdout)["webhooks"]) == 1
    missing = cli("webhooks", "remove", "acme", "9", "--json", env=env, check=False)
    assert missing.returncode == 2 and json.loads(missing.stderr)["error"] == "not_found"
    refused = cli("webhooks", "add", "acme", "ftp://example.com/x", "--json", env=env, check=False)
    assert refused.returncode == 2 and json.loads(refused.stderr)["error"] == "invalid_argument"


def test_setup_files_carry_webhooks_both_ways(store_url):
    doc = {"version": 1, "accounts": [{"name": "hooked", "webhooks": [
        {"id": 4, "url": "https://crm.example.com/a", "secret": "0123456789abcdef0123", "events": ["contact.created"]},
        {"id": 9, "url": "https://crm.example.com/b", "secret": "fedcba98765432100123"}]}]}
    assert setup.apply(doc).created["webhooks"] == 2
    assert setup.apply(doc).unchanged["webhooks"] == 2
    account = Account.get(Account.name == "hooked")
    assert [(w.number, w.events) for w in webhooks.listing(account.id)] == [(4, ["contact.created"]), (9, None)]
    assert setup.export("hooked")["accounts"][0]["webhooks"] == doc["accounts"][0]["webhooks"]
    assert webhooks.add(account.id, "https://crm.example.com/c").number == 10  # the next free id
    broken = {"version": 1, "accounts": [{"name": "hooked", "webhooks": [
        {"id": 4, "url": "mailto:x", "secret": "short"}, {"id": 4, "url": "https://a.example", "secret": "x" * 20}]}]}
    problems = [str(p) for p in setup.validate(broken)]
    assert any("webhooks[0].url" in p for p in problems) and any("webhooks[0].secret" in p for p in problems)
    assert any("duplicate id 4" in str(p) for p in setup.validate({"version": 1, "accounts": [{"name": "h", "webhooks": [
        {"id": 4, "url": "https://a.example", "secret": "x" * 20},
        {"id": 4, "url": "https://b.example", "secret": "x" * 20}]}]}))
