"""Schema migrations: idempotent on a fresh store, and upgrading a store of an earlier version."""
from __future__ import annotations

from core import catalog, db as store, migrate
from core.schema import ContactList, SchemaVersion


def test_migrating_twice_changes_nothing(store_url):
    assert migrate.migrate(store_url) == migrate.CURRENT
    assert migrate.migrate(store_url) == migrate.CURRENT
    assert sorted(r.version for r in SchemaVersion.select()) == list(range(1, migrate.CURRENT + 1))


def test_version_2_store_gets_per_space_list_numbers(store_url, account):
    database = store.database()
    # The store as version 2 left it: one list-number space per account.
    database.execute_sql('DROP INDEX "contact_list_account_id_space_number"')
    if store.is_sqlite():
        # SQLite's DROP COLUMN refuses this table (foreign keys point at it): leave the column as
        # ADD COLUMN … DEFAULT 'list' would have made it.
        database.execute_sql("UPDATE \"contact_list\" SET \"space\" = 'list'")
    else:
        database.execute_sql('ALTER TABLE "contact_list" DROP COLUMN "space"')
    database.execute_sql('CREATE UNIQUE INDEX "contact_list_account_id_number" ON "contact_list" ("account_id", "number")')
    SchemaVersion.delete().where(SchemaVersion.version == 3).execute()
    space = ("space", "'list'") if store.is_sqlite() else ()
    columns = ", ".join(("account_id", "database_id", "number", "title", "kind", "attrs", "created_at") + space[:1])
    values = ", ".join((str(account.id), str(catalog.database(account.id).id), "7", "'R'", "'resource'", "'{}'",
                        "'2026-01-01 00:00:00'") + space[1:])
    database.execute_sql(f'INSERT INTO "contact_list" ({columns}) VALUES ({values})')
    migrate.migrate(store_url)
    assert ContactList.get(ContactList.number == 7).space == "resource"
    catalog.create_list(account.id, "Segment seven", number=7, kind="segment")  # no clash any more
    assert sorted(r.space for r in ContactList.select()) == ["list", "resource"]


def _foreign_keys(database, table: str) -> list[str]:
    if store.is_sqlite():
        return sorted(row[3] for row in database.execute_sql(f'PRAGMA foreign_key_list("{table}")').fetchall())
    return sorted(row[0] for row in database.execute_sql(
        "SELECT a.attname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid "
        "AND a.attnum = ANY (c.conkey) WHERE c.conrelid = %s::regclass AND c.contype = 'f'", (table,)).fetchall())


def test_version_7_store_loses_the_key_checks_of_contact_and_event_rows_on_postgresql(store_url, account):
    database = store.database()
    if not store.is_sqlite():  # the keys as version 7 left them
        database.execute_sql(
            'ALTER TABLE "event" ADD CONSTRAINT "event_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES '
            '"account" ("id") ON DELETE CASCADE, ADD CONSTRAINT "event_contact_id_fkey" FOREIGN KEY ("contact_id") '
            'REFERENCES "contact" ("id") ON DELETE SET NULL')
        database.execute_sql(
            'ALTER TABLE "contact" ADD CONSTRAINT "contact_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES '
            '"account" ("id") ON DELETE CASCADE, ADD CONSTRAINT "contact_database_id_fkey" FOREIGN KEY '
            '("database_id") REFERENCES "database" ("id") ON DELETE CASCADE')
    SchemaVersion.delete().where(SchemaVersion.version == 8).execute()
    migrate.migrate(store_url)
    kept = ["account_id", "database_id"] if store.is_sqlite() else []
    assert _foreign_keys(database, "contact") == kept
    assert _foreign_keys(database, "event") == (["account_id", "contact_id"] if store.is_sqlite() else [])
    assert _foreign_keys(database, "membership") == ["contact_id", "list_id"]  # what cascades keeps its keys
