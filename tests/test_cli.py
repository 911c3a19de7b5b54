"""The contact-gateway command as an operator runs it: stable JSON output, exit codes, files."""
from __future__ import annotations

import json

import pytest

from processes import ROOT, cli


@pytest.fixture
def env(tmp_path):
    return {"DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}


def test_accounts_and_keys(env):
    created = json.loads(cli("accounts", "create", "acme", "--json", env=env).stdout)
    assert set(created) == {"account_id", "api_key"} and len(created["api_key"]) == 32
    added = json.loads(cli("accounts", "add-key", "acme", "--key", "vendor-key-123", "--dialect", "unisender",
                           "--json", env=env).stdout)
    assert added["api_key"] == "vendor-key-123"
    keys = json.loads(cli("accounts", "keys", "acme", "--json", env=env).stdout)["keys"]
    assert [k["dialect"] for k in keys] == [None, "unisender"]
    cli("accounts", "revoke-key", "acme", str(added["key_id"]), env=env)
    keys = json.loads(cli("accounts", "keys", "acme", "--json", env=env).stdout)["keys"]
    assert keys[1]["revoked_at"] is not None
    duplicate = cli("accounts", "create", "acme", "--json", env=env, check=False)
    assert duplicate.returncode == 2 and json.loads(duplicate.stderr)["error"] == "duplicate_name"
    listed = json.loads(cli("accounts", "list", "--json", env=env).stdout)
    assert listed == {"accounts": [{"account_id": 1, "name": "acme", "contact_limit": None}]}


def test_suppression_import(env, tmp_path):
    path = tmp_path / "bounces.csv"
    path.write_text("email,reason\nA@example.com,bounce\nb@example.com\nnot-an-address\n# comment\n")
    answer = json.loads(cli("suppression", "import", str(path), "--json", env=env).stdout)
    assert answer == {"added": 2, "rejected": ["not-an-address"]}
    again = json.loads(cli("suppression", "import", str(path), "--json", env=env).stdout)
    assert again["added"] == 0


def test_setup_apply_export_and_a_broken_file(env, tmp_path):
    example = ROOT / "examples" / "setup" / "from-unisender.yaml"
    summary = json.loads(cli("setup", "apply", str(example), "--json", env=env).stdout)
    assert summary["created"]["lists"] == 3
    exported = cli("setup", "export", "acme-shop", env=env).stdout
    assert "778899" in exported and "key_sha256" in exported
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\naccounts:\n  - name: x\n    lists: [{id: 1, title: A}, {id: 1, title: B}]\n")
    result = cli("setup", "apply", str(broken), env=env, check=False)
    assert result.returncode == 2
    assert "accounts[0].lists[1].id: duplicate id 1" in result.stderr and "nothing was written" in result.stderr


def test_a_key_dialect_the_gateway_does_not_speak_is_refused(env, tmp_path):
    """The core takes any dialect name; the command checks it against the gateway's dialects."""
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("version: 1\naccounts:\n  - name: x\n    keys: [{key: a-long-vendor-key, dialect: mailchimp}]\n")
    for args in (("setup", "apply", "--check", str(unknown)), ("setup", "apply", str(unknown))):
        result = cli(*args, env=env, check=False)
        assert result.returncode == 2 and "accounts[0].keys[0].dialect: 'mailchimp' is not one of" in result.stderr
    cli("accounts", "create", "acme", env=env)
    refused = cli("accounts", "add-key", "acme", "--dialect", "mailchimp", env=env, check=False)
    assert refused.returncode == 2 and "invalid choice: 'mailchimp'" in refused.stderr
