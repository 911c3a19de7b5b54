"""The per-account write lock on PostgreSQL: held across processes of one store, never across schemas; SQLite writers' turn."""
from __future__ import annotations

import fcntl
import os

import peewee
import pytest

from core import db as store
from conftest import PG_URL, _pg_params


def _other(schema: str | None):
    """A second connection, as another process would have it (in `schema`, or the store's own)."""
    other = peewee.PostgresqlDatabase(None)
    other.init(**_pg_params(PG_URL))
    other.connect()
    if schema is not None:
        other.execute_sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    current = store.database().execute_sql("SELECT current_schema()").fetchone()[0]
    other.execute_sql(f"SET search_path TO {schema or current}")
    return other


def _try_lock(other, scope: str) -> bool:
    with other.atomic():
        return other.execute_sql(f"SELECT pg_try_advisory_xact_lock({store.LOCK_KEY})",
                                 (store.lock_key(scope),)).fetchone()[0]


def test_an_accounts_lock_binds_its_store_only(store_url):
    if store.is_sqlite():
        pytest.skip("SQLite: one writer per file, no named locks")
    same, elsewhere = _other(None), _other("cg_lock_elsewhere")
    try:
        with store.write_transaction("account:1"):
            store.database().execute_sql("SELECT 1")  # the lock goes out with the transaction's first statement
            assert not _try_lock(same, "account:1")  # another worker of this store waits
            assert _try_lock(same, "account:2")
            assert _try_lock(elsewhere, "account:1")  # a store in another schema does not
    finally:
        elsewhere.execute_sql("DROP SCHEMA IF EXISTS cg_lock_elsewhere CASCADE")
        same.close()
        elsewhere.close()


def test_a_scope_nested_in_another_scopes_transaction_takes_its_own_lock(store_url):
    if store.is_sqlite():
        pytest.skip("SQLite: one writer per file, no named locks")
    same = _other(None)
    try:
        with store.write_transaction("schema"):
            store.database().execute_sql("SELECT 1")
            with store.write_transaction("account:3"):
                assert not _try_lock(same, "account:3")  # held by the inner scope's savepoint
    finally:
        same.close()


def test_a_sqlite_writer_holds_its_turn_to_the_commit(store_url):
    """Another process's writer waits on the lock file beside the store (woken when it is free,
    not polling like SQLite's busy handler); nested write transactions take no second turn."""
    if not store.is_sqlite():
        pytest.skip("PostgreSQL: advisory locks")
    path = f"{store.database().database}-writer.lock"
    other = os.open(path, os.O_RDWR | os.O_CREAT)  # another open file: as another worker holds it
    try:
        with store.write_transaction("account:1"):
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            with store.write_transaction("account:2"):
                store.database().execute_sql("SELECT 1")
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again after the commit
        fcntl.flock(other, fcntl.LOCK_UN)
    finally:
        os.close(other)
