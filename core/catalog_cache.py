"""An account's catalogue (databases, fields, lists) remembered per process, valid while the store's version says so.

Every batch reads its account's row anyway (core.batch_start); the same read brings
`account.catalog_version`, which triggers on the catalogue tables set to a fresh random number
on every insert, update and delete of a database, field or list, whoever writes it (core,
setup files, pulls, an operator's SQL). A batch uses the catalogue this process remembers only
when it was read under that same version, else reads it again: a list created a moment ago on
another worker is always seen, a deleted field never used. The version is random, not a
counter, so a rolled-back change can never leave a remembered catalogue that a later committed
change would appear to match.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import db as store
from .catalog import find_database
from .model import DatabaseRef
from .schema import ContactList, Database, FieldDef
from .sql_bulk import quote, select_eq

_MAX_ACCOUNTS = 2_000
LIST_COLUMNS = ["id", "database", "space", "number", "title", "kind", "attrs"]

_entries: dict[tuple, "Catalog"] = {}


@dataclass
class Catalog:
    version: int | None
    databases: list  # Database rows, by number
    fields: dict = field(default_factory=dict)  # database id -> [FieldDef]
    lists: dict = field(default_factory=dict)  # database id -> [list row dicts]
    list_by_id: dict = field(default_factory=dict)

    def database(self, number: int | DatabaseRef = 1) -> Database:
        """The same answer as catalog.database, from memory."""
        return find_database(self.databases, number)


def catalog(account) -> Catalog:
    """The account's catalogue as of `account.catalog_version`: remembered, or read now (three statements)."""
    key = (store._url, account.id)
    found = _entries.get(key)
    if found is not None and found.version == account.catalog_version:
        return found
    found = _read(account)
    if len(_entries) >= _MAX_ACCOUNTS:
        _entries.clear()
    _entries[key] = found
    return found


def _read(account: AccountRow) -> Catalog:
    databases = list(Database.select().where(Database.account == account.id).order_by(Database.number))
    loaded = Catalog(account.catalog_version, databases)
    for row in select_eq(FieldDef, {"account": account.id}):
        loaded.fields.setdefault(row.database_id, []).append(row)
    db = store.database()
    names = ", ".join(quote(ContactList._meta.fields[n].column_name) for n in LIST_COLUMNS)
    readers = {n: ContactList._meta.fields[n].python_value for n in ("attrs",)}
    cursor = db.execute_sql(f'SELECT {names} FROM "contact_list" WHERE "account_id" = {db.param} ORDER BY "number"',
                            (account.id,))
    for values in cursor.fetchall():
        row = dict(zip(LIST_COLUMNS, values))
        for name, read in readers.items():
            row[name] = read(row[name])
        loaded.lists.setdefault(row["database"], []).append(row)
        loaded.list_by_id[row["id"]] = row
    return loaded


def forget() -> None:
    """Drop every remembered catalogue (tests that rebuild the store under the same URL)."""
    _entries.clear()


def triggers_sql(sqlite: bool) -> list[str]:
    """The statements that make every change of a catalogue table give its account a new version."""
    statements = []
    if sqlite:
        new = 'UPDATE "account" SET "catalog_version" = random() WHERE "id" = {row}."account_id"'
        for table in ("database", "field_def", "contact_list"):
            for op, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
                statements.append(f'CREATE TRIGGER IF NOT EXISTS "{table}_{op.lower()}_catalog_version" AFTER {op} '
                                  f'ON "{table}" BEGIN {new.format(row=row)}; END')
        statements.append('CREATE TRIGGER IF NOT EXISTS "account_insert_catalog_version" AFTER INSERT ON "account" '
                          'BEGIN UPDATE "account" SET "catalog_version" = random() WHERE "id" = NEW."id"; END')
        return statements
    version = "(random() * 9.2e18)::bigint"
    statements.append(
        "CREATE OR REPLACE FUNCTION catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' THEN UPDATE account SET catalog_version = {version} WHERE id = OLD.account_id; "
        f"ELSE UPDATE account SET catalog_version = {version} WHERE id = NEW.account_id; END IF; "
        "RETURN NULL; END $$")
    for table in ("database", "field_def", "contact_list"):
        statements.append(f'CREATE OR REPLACE TRIGGER "{table}_catalog_version" AFTER INSERT OR UPDATE OR DELETE '
                          f'ON "{table}" FOR EACH ROW EXECUTE FUNCTION catalog_changed()')
    statements.append(f'ALTER TABLE "account" ALTER COLUMN "catalog_version" SET DEFAULT {version}')
    return statements
