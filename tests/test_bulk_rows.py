"""core.sql_bulk's bulk INSERT: a few rows go as one VALUES statement, many by COPY (PostgreSQL);
both write the same rows, odd characters and all."""
from __future__ import annotations

from datetime import datetime

import pytest

from core import db as store
from core import sql_bulk
from core.schema import Contact, Database, Event
from core.sql_bulk import insert_rows, select_where_in

ODD = ["tab\there", "line\nbreak", "back\\slash", "cr\rhere", "\\N", "plain", "ünï©ødé", "", "quote'\"", "x" * 200]
AT = datetime(2026, 1, 2, 3, 4, 5)


def _rows(account, database, first_id: int, count: int) -> list[tuple]:
    return [(first_id + i, account.id, database.id, f"e{first_id + i}@example.com", ODD[i % len(ODD)],
             i % 2 == 0, {"first_name": ODD[(i + 1) % len(ODD)], "n": i}, {"1": ODD[i % len(ODD)]} if i % 3 else {},
             {}, "test", AT, AT, None if i % 4 else AT) for i in range(count)]


COLUMNS = ["id", "account", "database", "email", "external_id", "confirmed", "attrs", "fields", "channels", "source",
           "created_at", "updated_at", "deleted_at"]


@pytest.mark.parametrize("count", [2, sql_bulk.COPY_MIN_ROWS, 40])
def test_rows_read_back_as_written_whichever_path_takes_them(account, count):
    database = Database.get(Database.account == account.id)
    rows = _rows(account, database, 1000, count)
    with store.database().atomic():
        insert_rows(Contact, COLUMNS, rows)
    stored = {r["id"]: r for r in select_where_in(Contact, [("id", [r[0] for r in rows])])}
    for row in rows:
        got = stored[row[0]]
        assert (got["email"], got["external_id"], got["confirmed"], got["attrs"], got["fields"], got["created_at"],
                got["deleted_at"]) == (row[3], row[4], row[5], row[6], row[7], row[10], row[12])


@pytest.mark.parametrize("count", [3, 40])
def test_an_upsert_replaces_the_named_columns_and_leaves_the_rest(account, count):
    database = Database.get(Database.account == account.id)
    rows = _rows(account, database, 2000, count)
    with store.database().atomic():
        insert_rows(Contact, COLUMNS, rows)
    changed = [(r[0], r[1], r[2], r[3].upper(), "new\tvalue", *r[5:]) for r in rows]
    for _ in range(2):  # the second time in the same transaction too: nothing of the first one lingers
        with store.database().atomic():
            insert_rows(Contact, COLUMNS, changed, conflict=["id"], update=["email", "external_id"])
    stored = select_where_in(Contact, [("id", [r[0] for r in rows])])
    assert len(stored) == count
    assert {(r["email"], r["external_id"], r["source"]) for r in stored} == {
        (r[3].upper(), "new\tvalue", "test") for r in rows}


def test_rows_keep_their_order_so_ids_from_the_sequence_follow_it(account):
    names = [f"e.{i}" for i in range(30)]
    with store.database().atomic():
        insert_rows(Event, ["account", "contact", "name", "key", "params", "dialect", "created_at"],
                    [(account.id, None, name, "", {"i": i}, "", AT) for i, name in enumerate(names)])
    stored = Event.select(Event.name).where(Event.account == account.id).order_by(Event.id)
    assert [e.name for e in stored] == names


def test_a_text_with_a_nul_goes_the_insert_path_as_before(account):
    database = Database.get(Database.account == account.id)
    rows = _rows(account, database, 3000, 10)
    rows[4] = (*rows[4][:4], "a\x00b", *rows[4][5:])
    if store.is_sqlite():  # SQLite keeps the text as it is
        with store.database().atomic():
            insert_rows(Contact, COLUMNS, rows)
        assert Contact.get_by_id(3004).external_id == "a\x00b"
        return
    with pytest.raises(ValueError, match="NUL"):  # psycopg2's refusal, as before COPY
        with store.database().atomic():
            insert_rows(Contact, COLUMNS, rows)
    assert not select_where_in(Contact, [("id", [r[0] for r in rows])])
