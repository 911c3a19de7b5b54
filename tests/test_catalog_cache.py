"""Catalogues remembered per worker: no catalogue reads per batch, and every change seen by the next batch."""
from __future__ import annotations

import pytest

from core import batch_start, catalog, errors
from core import db as store
from core.errors import CoreError
from core.model import ContactChange, ListChange, UpsertCommand
from core.upsert import upsert
from querycount import count_queries

CATALOGUE_TABLES = ('"database"', '"field_def"', '"contact_list"')


def _one(email: str, lists=(), fields=None) -> UpsertCommand:
    return UpsertCommand([ContactChange(identities={"email": email}, fields=fields or {},
                                        lists=[ListChange(n) for n in lists])])


def _behind_its_back(sql: str, params: tuple) -> None:
    """A change as another worker (or an operator's SQL) makes it: nothing in this process hears of it."""
    db = store.database()
    with db.atomic():
        db.execute_sql(sql.replace("?", db.param), params)


@pytest.fixture
def known(account):
    catalog.create_list(account.id, "One", number=1)
    catalog.create_field(account.id, "Name")
    upsert(account.id, _one("warm@example.com", [1], {"Name": "W"}))  # this worker has read the catalogue
    return account


def test_a_remembered_catalogue_costs_no_statement(known):
    with count_queries() as seen:
        result = upsert(known.id, _one("a@example.com", [1], {"Name": "A"}))
    assert result.items[0].outcome == "created"
    assert not [sql for sql in seen if any(f"FROM {t}" in sql for t in CATALOGUE_TABLES)], seen


def test_a_list_another_worker_created_is_used_by_the_next_batch(known):
    database_id = catalog.database(known.id, 1).id
    _behind_its_back("INSERT INTO \"contact_list\" (\"account_id\", \"database_id\", \"space\", \"number\", \"title\", "
                     "\"kind\", \"attrs\", \"created_at\") VALUES (?, ?, 'list', 2, 'Two', 'list', '{}', "
                     "CURRENT_TIMESTAMP)", (known.id, database_id))
    result = upsert(known.id, _one("b@example.com", [2]))
    assert result.items[0].outcome == "created"


def test_a_field_another_worker_deleted_is_unknown_at_once(known):
    _behind_its_back('DELETE FROM "field_def" WHERE "account_id" = ?', (known.id,))
    with pytest.raises(CoreError) as refused:
        upsert(known.id, _one("c@example.com", fields={"Name": "C"}))
    assert refused.value.code == errors.UNKNOWN_FIELD


def test_a_rolled_back_change_never_passes_for_a_committed_one(known):
    db = store.database()
    with store.write_transaction(f"account:{known.id}") as txn:
        catalog.create_list(known.id, "Gone", number=7)
        upsert(known.id, _one("d@example.com", [7]))  # remembers a catalogue that holds list 7
        txn.rollback()
    # Another change commits: whatever version it gives, it is not the one remembered with list 7.
    catalog.create_list(known.id, "Three", number=3)
    with pytest.raises(CoreError) as refused:
        upsert(known.id, _one("e@example.com", [7]))
    assert refused.value.code == errors.UNKNOWN_LIST
    assert upsert(known.id, _one("e@example.com", [3])).items[0].outcome == "created"
    assert db.transaction_depth() == 0


def test_every_catalogue_table_moves_the_version(known):
    def version():
        return batch_start.read(known.id).catalog_version

    seen = [version()]
    catalog.create_database(known.id, "Second", number=2)
    seen.append(version())
    catalog.update_list(known.id, 1, title="Renamed")
    seen.append(version())
    catalog.delete_field(known.id, catalog.field_named(known.id, "Name", 1).number)
    seen.append(version())
    assert len(set(seen)) == len(seen), seen
