"""The one store connection: DATABASE_URL to a peewee database, pragmas, and write transactions."""
from __future__ import annotations

import os
import threading
import zlib
from contextlib import contextmanager
from pathlib import Path

import peewee
from playhouse.db_url import connect

proxy = peewee.DatabaseProxy()
_lock = threading.Lock()
_url: str | None = None

DEFAULT_URL = "sqlite:///var/contact-gateway.db"

# WAL lets readers run beside the one writer; busy_timeout makes writers of several gunicorn
# workers wait for each other instead of failing with "database is locked".
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "busy_timeout": 30000,
    "foreign_keys": 1,
    "cache_size": -32000,
}


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def open_database(url: str | None = None) -> peewee.Database:
    """Bind the models to the store at `url` (default: DATABASE_URL, else the SQLite file)."""
    global _url
    url = url or database_url()
    with _lock:
        if _url == url and proxy.obj is not None:
            return proxy.obj
        if proxy.obj is not None:
            proxy.obj.close()
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            database = connect(url, pragmas=SQLITE_PRAGMAS)
        else:
            url = url.replace("postgres://", "postgresql://", 1)
            database = connect(url)
        proxy.initialize(database)
        _url = url
        return database


def database() -> peewee.Database:
    if proxy.obj is None:
        open_database()
    return proxy.obj


def is_sqlite() -> bool:
    return isinstance(database(), peewee.SqliteDatabase)


def max_params() -> int:
    """How many bound parameters one statement may carry on this backend."""
    return 30000 if is_sqlite() else 60000


@contextmanager
def write_transaction(scope: str):
    """One transaction that holds the write lock of `scope` (an account's database) to its end.

    Batches of one scope run one after another, so two concurrent imports of overlapping rows
    read each other's committed contacts and never create the same contact twice. PostgreSQL
    takes a transaction-level advisory lock; SQLite takes its single writer lock at BEGIN.
    """
    db = database()
    if isinstance(db, peewee.SqliteDatabase):
        with db.atomic("IMMEDIATE") as txn:
            yield txn
        return
    with db.atomic() as txn:
        lock(scope)
        yield txn


def lock(scope: str) -> None:
    """Also hold `scope`'s write lock until the current transaction ends (SQLite: already exclusive).

    PostgreSQL's advisory locks belong to the whole database, not to a schema: the key pairs the
    store's schema with the scope, so stores in other schemas of one database (test runs,
    benchmarks, tenants) never wait for each other's "account:1".
    """
    db = database()
    if not isinstance(db, peewee.SqliteDatabase):
        db.execute_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})", (lock_key(scope),))


LOCK_KEY = "hashtext(current_schema()), %s"  # the two int4 keys of a PostgreSQL advisory lock


def lock_key(scope: str) -> int:
    """The scope's half of its lock key (an int4)."""
    return zlib.crc32(scope.encode()) - (1 << 31)




def allocate_ids(table: str, count: int) -> list[int]:
    """`count` fresh ids for rows of `table`, known before the INSERT (so no RETURNING is needed).

    Never an id handed out before, even after the row with the highest id was erased: a profile
    id derived from it may still sit in a client's database.
    """
    if count <= 0:
        return []
    db = database()
    if isinstance(db, peewee.SqliteDatabase):
        top = f'COALESCE((SELECT MAX(id) FROM "{table}"), 0)'
        cursor = db.execute_sql(
            f"INSERT INTO id_counter (name, value) VALUES (?, {top} + ?) "
            f"ON CONFLICT(name) DO UPDATE SET value = MAX(value, {top}) + ? RETURNING value", (table, count, count))
        last = cursor.fetchone()[0]
        return list(range(last - count + 1, last + 1))
    cursor = db.execute_sql("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                            (f'"{table}"', count))
    return [row[0] for row in cursor.fetchall()]


def json_text_sql(column: str, key: str) -> str:
    """The same as json_text, as SQL text, for statements written by hand (key: a field id)."""
    if not key.isdigit():
        raise ValueError(f"field keys are numeric ids, got {key!r}")
    if is_sqlite():
        return f"CAST(json_extract(\"{column}\", '$.\"{key}\"') AS TEXT)"
    return f"json_extract_path_text(\"{column}\"::json, '{key}')"


def json_text(column, key: str):
    """SQL for the text of one top-level key of a JSON text column (custom-field matching)."""
    if is_sqlite():
        return peewee.fn.json_extract(column, f'$."{key}"').cast("TEXT")
    return peewee.fn.json_extract_path_text(column.cast("json"), key)
