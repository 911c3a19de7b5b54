"""Counting the SQL statements a block of code sends to the store."""
from __future__ import annotations

from contextlib import contextmanager

from core import db as store


@contextmanager
def count_queries():
    database = store.database()
    original = database.execute_sql
    seen: list[str] = []

    def counting(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return original(sql, params, *args, **kwargs)

    database.execute_sql = counting
    try:
        yield seen
    finally:
        del database.execute_sql
