"""Idempotent schema creation and versioned migrations, safe when several workers start at once."""
from __future__ import annotations

from . import db as store
from .catalog_cache import triggers_sql
from .lookups import create_address_index
from .schema import MODELS, SchemaVersion

def _has_table(database, table: str) -> bool:
    """Does the current schema have the table (PostgreSQL: not only in `public`)."""
    if store.is_sqlite():
        return database.execute_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                    (table,)).fetchone() is not None
    return database.execute_sql("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
                                "AND table_name = %s", (table,)).fetchone() is not None


def _has_column(database, table: str, column: str) -> bool:
    """Does the table of the current schema have the column (PostgreSQL: not only in `public`)."""
    if store.is_sqlite():
        return column in {row[1] for row in database.execute_sql(f'PRAGMA table_info("{table}")').fetchall()}
    return database.execute_sql("SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                                "AND table_name = %s AND column_name = %s", (table, column)).fetchone() is not None


def list_id_spaces(database) -> None:
    """Migration 3: resources number themselves apart from lists (see schema.ContactList)."""
    if not _has_column(database, "contact_list", "space"):
        database.execute_sql("ALTER TABLE \"contact_list\" ADD COLUMN \"space\" VARCHAR(16) NOT NULL DEFAULT 'list'")
    database.execute_sql("UPDATE \"contact_list\" SET \"space\" = 'resource' WHERE \"kind\" = 'resource'")
    database.execute_sql('DROP INDEX IF EXISTS "contact_list_account_id_number"')
    database.execute_sql('CREATE UNIQUE INDEX IF NOT EXISTS "contact_list_account_id_space_number" '
                         'ON "contact_list" ("account_id", "space", "number")')


def account_limits(database) -> None:
    """Migration 4: the vendor rate limits an account is held to (see schema.Account.limits)."""
    if not _has_column(database, "account", "limits"):
        database.execute_sql('ALTER TABLE "account" ADD COLUMN "limits" TEXT')
    if not store.is_sqlite():
        # Counters need no WAL: a commit that wrote none does not wait for a disk flush (it cost
        # a limited call ~7 ms here), and a crash that empties the table only restarts windows.
        database.execute_sql('ALTER TABLE "rate_window" SET UNLOGGED')


def live_contact_counter(database) -> None:
    """Migration 5: limited accounts keep a live-contact counter (core.contact_limit)."""
    if not _has_column(database, "account", "live_contacts"):
        database.execute_sql('ALTER TABLE "account" ADD COLUMN "live_contacts" BIGINT')
    database.execute_sql('UPDATE "account" SET "live_contacts" = (SELECT COUNT(*) FROM "contact" '
                         'WHERE "contact"."account_id" = "account"."id" AND "contact"."deleted_at" IS NULL) '
                         'WHERE "contact_limit" IS NOT NULL')


def event_origins(database) -> None:
    """Migration 6: events and jobs remember their dialect; the event feed reads by (account, id)."""
    for table in ("event", "job"):
        if not _has_column(database, table, "dialect"):
            database.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "dialect" VARCHAR(20) NOT NULL DEFAULT \'\'')
    database.execute_sql('CREATE INDEX IF NOT EXISTS "event_account_id_id" ON "event" ("account_id", "id")')


def catalog_versions(database) -> None:
    """Migration 7: every change of an account's databases, fields or lists gives it a new
    catalogue version, so workers can remember catalogues safely (core.catalog_cache)."""
    if not _has_column(database, "account", "catalog_version"):
        database.execute_sql('ALTER TABLE "account" ADD COLUMN "catalog_version" BIGINT')
    for sql in triggers_sql(store.is_sqlite()):
        database.execute_sql(sql)
    database.execute_sql('UPDATE "account" SET "catalog_version" = ' +
                         ("random()" if store.is_sqlite() else "(random() * 9.2e18)::bigint"))


def fewer_key_checks(database) -> None:
    """Migration 8, PostgreSQL: no foreign-key checks on the rows every new contact writes.

    A check there is a locking SELECT per row: the contact's account and database keys and the
    event's account and contact keys were about half the cost of COPYing a batch's contacts and
    events (bench/README.md). Nothing they would guard
    happens: accounts and databases are never deleted, contacts and events are written by the
    core only, under the account's lock, and an erase unlinks its events itself
    (events.record_deleted). SQLite keeps them: its checks are an index probe.
    """
    if store.is_sqlite():
        return
    database.execute_sql('ALTER TABLE "event" DROP CONSTRAINT IF EXISTS "event_account_id_fkey", '
                         'DROP CONSTRAINT IF EXISTS "event_contact_id_fkey"')
    database.execute_sql('ALTER TABLE "contact" DROP CONSTRAINT IF EXISTS "contact_account_id_fkey", '
                         'DROP CONSTRAINT IF EXISTS "contact_database_id_fkey"')


# Each entry upgrades the schema from version i to i+1 and is idempotent: a fresh store, built by
# create_tables in its latest shape, runs them all too.
MIGRATIONS: list = [
    create_address_index,  # 2: membership addresses, for lookups by a subscription's own address
    list_id_spaces,  # 3: per-space list numbers
    account_limits,  # 4: per-account rate limits
    live_contact_counter,  # 5: the contact limit without a count per batch
    event_origins,  # 6: event and job dialects, the event feed's index
    catalog_versions,  # 7: catalogue versions, kept by triggers
    fewer_key_checks,  # 8: PostgreSQL: no key checks on contact and event rows
]
CURRENT = 1 + len(MIGRATIONS)


def migrate(url: str | None = None) -> int:
    """Create or upgrade the schema; returns the version now in place."""
    database = store.open_database(url)
    with store.write_transaction("schema"):
        # Only new tables are created whole: an existing table's new columns and indexes are the
        # migrations' business (an index on a column a migration has yet to add would fail).
        database.create_tables([m for m in MODELS if not _has_table(database, m._meta.table_name)], safe=True)
        done = {row.version for row in SchemaVersion.select()}
        if 1 not in done:
            SchemaVersion.create(version=1)
        for number, step in enumerate(MIGRATIONS, start=2):
            if number not in done:
                step(database)
                SchemaVersion.create(version=number)
    return CURRENT
