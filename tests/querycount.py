"""Counting the SQL statements a block of code sends to the store."""
from __future__ import annotations

from contextlib import contextmanager

from core import db as store


@contextmanager
def count_queries():
    """Every statement, also those PostgreSQL sends along with the next one (db.PostgresStore.execute_later:
    the lock taken with BEGIN, a batch's writes); BEGIN, COMMIT and ROLLBACK are not counted."""
    database = store.database()
    seen: list[str] = []
    patched = [name for name in ("execute_sql", "execute_later", "begin_later") if hasattr(database, name)]

    def counting(original):
        def count(sql, params=None, *args, **kwargs):
            if sql not in ("BEGIN", "COMMIT", "ROLLBACK"):
                seen.append(sql)
            return original(sql, params, *args, **kwargs)
        return count

    for name in patched:
        setattr(database, name, counting(getattr(database, name)))
    try:
        yield seen
    finally:
        for name in patched:
            delattr(database, name)
