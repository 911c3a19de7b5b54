"""API keys remembered per worker: no look-up per request, and a revoke reaches every worker."""
from __future__ import annotations

import time
import urllib.request

import orjson
import pytest

from core import accounts, errors, key_cache
from core import db as store
from core.errors import CoreError
from processes import Gateway, cli
from querycount import count_queries


def test_a_known_key_is_looked_up_once(account, monkeypatch):
    monkeypatch.setenv("KEY_CACHE_SECONDS", "60")
    assert accounts.authenticate(account.key, "unisender") == account.id
    with count_queries() as seen:
        assert accounts.authenticate(account.key, "unisender") == account.id
        assert accounts.authenticate(account.key, "esputnik") == account.id
    assert seen == []


def test_a_revoke_in_this_worker_applies_at_once(account, monkeypatch):
    monkeypatch.setenv("KEY_CACHE_SECONDS", "60")
    credential, key = accounts.add_key(account.id, dialect="unisender")
    assert accounts.authenticate(key, "unisender") == account.id
    accounts.revoke_key(account.id, credential.id)
    with pytest.raises(CoreError) as refused:
        accounts.authenticate(key, "unisender")
    assert refused.value.code == errors.UNAUTHORIZED


def test_a_key_changed_by_another_worker_is_forgotten_when_the_generation_moves(account, monkeypatch):
    monkeypatch.setenv("KEY_CACHE_SECONDS", "5")
    clock = [time.monotonic() + 10_000]
    key_cache.forget()
    monkeypatch.setattr(key_cache.time, "monotonic", lambda: clock[0])
    assert accounts.authenticate(account.key, "unisender") == account.id
    # Another process revokes the key: its row and the generation change in the store, this
    # process's memory is untouched.
    db = store.database()
    with db.atomic():
        db.execute_sql(f'UPDATE "credential" SET "revoked_at" = "created_at" WHERE "account_id" = {db.param}',
                       (account.id,))
        db.execute_sql(f'INSERT INTO "id_counter" ("name", "value") VALUES ({db.param}, 1) ON CONFLICT ("name") '
                       f'DO UPDATE SET "value" = "id_counter"."value" + 1', ("credentials:generation",))
    clock[0] += 1
    assert accounts.authenticate(account.key, "unisender") == account.id  # still within its few seconds
    clock[0] += 5
    with pytest.raises(CoreError):
        accounts.authenticate(account.key, "unisender")


def test_unknown_keys_are_not_remembered(account, monkeypatch):
    monkeypatch.setenv("KEY_CACHE_SECONDS", "60")
    with pytest.raises(CoreError):
        accounts.authenticate("f" * 32, "unisender")
    _, key = accounts.add_key(account.id, "f" * 32)
    assert accounts.authenticate(key, "unisender") == account.id


@pytest.mark.slow
def test_a_revoke_by_the_cli_reaches_every_gunicorn_worker(store_url, account, tmp_path):
    credential = accounts.keys(account.id)[0]
    env = {"DATABASE_URL": store_url, "LOG_DIR": str(tmp_path), "KEY_CACHE_SECONDS": "0.5"}
    gateway = Gateway(env, workers=3).start()

    def answers(n: int) -> list[dict]:
        result = []
        for _ in range(n):  # a connection each: the workers take them in turn
            url = f"{gateway.base_url}/en/api/getLists?format=json&api_key={account.key}"
            with urllib.request.urlopen(url, timeout=30) as response:
                result.append(orjson.loads(response.read()))
        return result

    try:
        assert all("result" in a for a in answers(30))  # every worker has seen (and kept) the key
        cli("accounts", "revoke-key", str(account.id), str(credential.id), env=env)
        time.sleep(1.5)  # the workers' memory lasts KEY_CACHE_SECONDS
        refused = answers(30)
        assert all(a.get("code") == "invalid_api_key" for a in refused), refused
    finally:
        gateway.stop()
