"""PostgreSQL: statements that need no answer ride along with the next round trip (core.db.PostgresStore)."""
from __future__ import annotations

import peewee
import pytest

from core import catalog
from core import db as store
from core.model import ContactChange, ListChange, UpsertCommand
from core.schema import Contact
from core.upsert import upsert


@pytest.fixture
def pg(store_url, account):
    if not isinstance(store.database(), store.PostgresStore):
        pytest.skip("round trips are PostgreSQL's")
    return account


def test_a_later_statement_is_seen_by_the_next_one_and_its_failure_fails_the_transaction(pg):
    db = store.database()
    with store.write_transaction(f"account:{pg.id}"):
        store.execute_later('UPDATE "account" SET "name" = %s WHERE "id" = %s', ("renamed", pg.id))
        assert db.execute_sql('SELECT "name" FROM "account" WHERE "id" = %s', (pg.id,)).fetchone()[0] == "renamed"
    with pytest.raises(peewee.IntegrityError):
        with store.write_transaction(f"account:{pg.id}"):
            store.execute_later('UPDATE "account" SET "name" = %s WHERE "id" = %s', ("half", pg.id))
            store.execute_later('INSERT INTO "contact" ("account_id", "database_id", "email") VALUES (%s, %s, %s)',
                                (pg.id, -1, "x@example.com"))  # no database -1: the foreign key fails
            db.execute_sql("SELECT 1")
    assert db.execute_sql('SELECT "name" FROM "account" WHERE "id" = %s', (pg.id,)).fetchone()[0] == "renamed"
    assert db.transaction_depth() == 0


def test_a_failure_at_commit_writes_nothing(pg):
    with pytest.raises(peewee.IntegrityError):
        with store.write_transaction(f"account:{pg.id}"):
            store.execute_later('UPDATE "account" SET "name" = %s WHERE "id" = %s', ("half", pg.id))
            store.execute_later('INSERT INTO "contact" ("account_id", "database_id", "email") VALUES (%s, %s, %s)',
                                (pg.id, -1, "x@example.com"))
    assert store.database().execute_sql('SELECT "name" FROM "account" WHERE "id" = %s', (pg.id,)).fetchone()[0] != "half"
    assert Contact.select().count() == 0


def test_a_one_contact_upsert_takes_few_round_trips(pg, monkeypatch):
    catalog.create_list(pg.id, "One", number=1)
    catalog.create_field(pg.id, "Name")
    one = lambda e: UpsertCommand([ContactChange(identities={"email": e}, fields={"Name": "N"},  # noqa: E731
                                                 lists=[ListChange(1)])])
    upsert(pg.id, one("warm@example.com"))
    sent = []
    connection = store.database().connection()
    real_cursor = connection.cursor

    class Counting:
        def __init__(self, cursor):
            self._cursor = cursor

        def execute(self, sql, params=None):
            sent.append(sql if isinstance(sql, str) else sql.decode())
            return self._cursor.execute(sql, params)

        def __getattr__(self, name):
            return getattr(self._cursor, name)

    monkeypatch.setattr(store.database()._state, "conn", type("Conn", (), {
        "cursor": lambda self, *a, **k: Counting(real_cursor(*a, **k)),
        "__getattr__": lambda self, name: getattr(connection, name)})())
    upsert(pg.id, one("new@example.com"))
    upsert(pg.id, one("new@example.com"))  # the same contact again: an update
    monkeypatch.undo()
    # New: BEGIN+lock+account row, contact, suppression, id, writes+COMMIT, the WAL flush.
    # Existing: BEGIN+lock+account row, contact, its memberships, suppression, writes+COMMIT, flush.
    assert len(sent) <= 12, sent
    assert sent[0].startswith("BEGIN; SELECT pg_advisory_xact_lock"), sent[0]
    assert any(s.endswith("COMMIT") and "INSERT INTO \"contact\"" in s for s in sent), sent
