"""API keys remembered per process for a moment; a store-side generation number ends that on every worker.

Every request looks its key up, and keys change rarely, so a worker keeps what it found. Any
change of a key (added, revoked, re-registered, its dialect or user name changed) bumps a
generation number in the store in the same transaction. A worker reads that number at most once
per KEY_CACHE_SECONDS (default 1) and forgets every key it holds when it moved, so a revoked key
stops working on every worker within that time, and at once on the worker that revoked it.
Unknown keys are never remembered (a key added a moment ago works at once).
"""
from __future__ import annotations

import os
import time

from . import db as store

_GENERATION = "credentials:generation"  # a row of id_counter; table names there never contain ':'
_MAX_ENTRIES = 10_000

_entries: dict[str, tuple] = {}
_seen = {"url": None, "checked": float("-inf"), "generation": None}


def ttl() -> float:
    return float(os.environ.get("KEY_CACHE_SECONDS", "1"))


def lookup(digest: str, load):
    """What `load(digest)` returns for a key (None: no such key), remembered while it is safe to."""
    seconds = ttl()
    if seconds <= 0:
        return load(digest)
    now = time.monotonic()
    if _seen["url"] != store._url:  # another store (tests, a re-opened database): nothing carries over
        forget()
        _seen["url"] = store._url
    if now - _seen["checked"] >= seconds:
        generation = _generation()
        if generation != _seen["generation"]:
            _entries.clear()
            _seen["generation"] = generation
        _seen["checked"] = now
    found = _entries.get(digest)
    if found is None:
        found = load(digest)
        if found is not None:
            if len(_entries) >= _MAX_ENTRIES:
                _entries.clear()
            _entries[digest] = found
    return found


def changed() -> None:
    """Keys changed in the current transaction: every worker forgets the ones it holds."""
    database = store.database()
    param = database.param
    database.execute_sql(f'INSERT INTO "id_counter" ("name", "value") VALUES ({param}, 1) '
                         f'ON CONFLICT ("name") DO UPDATE SET "value" = "id_counter"."value" + 1', (_GENERATION,))
    forget()


def forget() -> None:
    """Drop every key this process holds; the next look-up reads the generation again."""
    _entries.clear()
    _seen["checked"] = float("-inf")
    _seen["generation"] = None


def _generation():
    database = store.database()
    row = database.execute_sql(f'SELECT "value" FROM "id_counter" WHERE "name" = {database.param}',
                               (_GENERATION,)).fetchone()
    return row[0] if row else None
