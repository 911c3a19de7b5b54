"""Fixtures: a fresh store per test on SQLite and on PostgreSQL, the WSGI app, an account and key."""
from __future__ import annotations

import os
import uuid

os.environ.setdefault("QUEUE_URL", "memory://")
# Keys stay remembered for the whole of a test (core/key_cache.py), so the statements a request
# sends do not depend on when a second went by; the tests of the cache set their own time.
os.environ.setdefault("KEY_CACHE_SECONDS", "3600")

import hypothesis  # noqa: E402
import peewee  # noqa: E402
import pytest  # noqa: E402
import webtest  # noqa: E402
from hypothesis import settings  # noqa: E402

# No timing assertions in tests, hypothesis' per-example deadline included: on a shared 2-core
# machine a 0.2 ms example sometimes takes 300 ms, and the deadline then fails a correct test.
settings.register_profile("gateway", deadline=None)
settings.load_profile("gateway")

from core import accounts, catalog_cache, db as store, key_cache, migrate  # noqa: E402
from core.schema import MODELS  # noqa: E402

# No test asserts a time: hypothesis's per-example deadline fails property tests on a busy machine.
hypothesis.settings.register_profile("no-deadline", deadline=None)
hypothesis.settings.load_profile("no-deadline")

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("REQUIRE_POSTGRES") == "1"
BACKENDS = [b.strip() for b in os.environ.get("TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]
_pg_schema = f"cg_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"


def _pg_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        probe = peewee.PostgresqlDatabase(None)
        probe.init(**_pg_params(PG_URL))
        probe.connect()
        probe.execute_sql(f"CREATE SCHEMA IF NOT EXISTS {_pg_schema}")
        probe.close()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not available here"
        return str(exc)


def _pg_params(url: str) -> dict:
    from playhouse.db_url import parse

    return parse(url)


def pg_url() -> str:
    joiner = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{joiner}options=-csearch_path%3D{_pg_schema}"


@pytest.fixture(scope="session")
def postgres_ready():
    reason = _pg_available()
    if reason is not None:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but not reachable: {reason}")
        pytest.skip(f"PostgreSQL not reachable: {reason}")
    yield
    try:
        db = peewee.PostgresqlDatabase(None)
        db.init(**_pg_params(PG_URL))
        db.execute_sql(f"DROP SCHEMA IF EXISTS {_pg_schema} CASCADE")
        db.close()
    except Exception:  # noqa: BLE001 - best-effort clean-up
        pass


def clear_store() -> None:
    """Empty every table of the open store (ids restart)."""
    names = [m._meta.table_name for m in MODELS if m._meta.table_name != "schema_version"]
    if store.is_sqlite():
        for name in names:
            store.database().execute_sql(f'DELETE FROM "{name}"')
    else:
        store.database().execute_sql(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    """A fresh, migrated store for one test; every test runs on each backend."""
    key_cache.forget()  # a key registered as-is in an earlier test's store is not this store's
    catalog_cache.forget()
    if request.param == "postgresql":
        request.getfixturevalue("postgres_ready")
        url = pg_url()
        store.open_database(url)
        migrate.migrate(url)
        clear_store()
    else:
        url = f"sqlite:///{tmp_path}/store.db"
        store.open_database(url)
        migrate.migrate(url)
    yield url
    store.database().close()


@pytest.fixture
def app(store_url):
    from gateway.app import create_app
    from gateway.config import Settings

    return webtest.TestApp(create_app(Settings(database_url=store_url)))


@pytest.fixture
def account(store_url):
    row = accounts.create_account(f"test-{uuid.uuid4().hex[:8]}")
    _, key = accounts.add_key(row.id)
    accounts.authenticate(key, "any")  # remembered now: the test's first request costs what the others do
    row.key = key
    return row


@pytest.fixture
def fresh_account(store_url):
    """make(*dialects): a new account as `accounts create --defaults …` makes it, with its key as .key."""
    from core import setup
    from core.schema import Account
    from gateway.fresh_accounts import PRESETS

    def make(*dialects):
        name = f"fresh-{uuid.uuid4().hex[:8]}"
        setup.apply({"version": 1, "accounts": [{"name": name, "defaults": list(dialects)}]}, presets=PRESETS)
        row = Account.get(Account.name == name)
        _, row.key = accounts.add_key(row.id)
        return row

    return make
