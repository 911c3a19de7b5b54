"""The huey queue that carries job ids to workers: embedded SQLite by default, Redis or PostgreSQL by URL."""
from __future__ import annotations

import time
from pathlib import Path

from huey import MemoryHuey, RedisHuey, SqliteHuey

from .config import Settings


def make_huey(settings: Settings | None = None):
    """Settings.queue_url: redis://… | postgresql://… | sqlite:///path | memory:// (tests: run inline).

    Without one the queue follows the store: a SQLite file beside the SQLite store, or the
    PostgreSQL store itself, so a fresh machine needs no extra server.
    """
    settings = settings or Settings()
    url = settings.queue_url or _from_database(settings.database_url)
    if url.startswith("memory"):
        return MemoryHuey("contact-gateway", immediate=True)
    if url.startswith("redis"):
        return RedisHuey("contact-gateway", url=url)
    if url.startswith(("postgres", "postgresql")):
        from huey.contrib.sql_huey import SqlHuey

        return _created_once(lambda: SqlHuey("contact-gateway", database=url.replace("postgres://", "postgresql://", 1)))
    path = url.split("///", 1)[-1] if "///" in url else "var/queue.db"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("contact-gateway", filename=path)


def _created_once(make, attempts: int = 5):
    """SqlHuey creates its tables on start. Web workers and the job worker starting together on a
    fresh PostgreSQL race to create them, and the loser's CREATE TABLE IF NOT EXISTS fails on the
    catalogue's unique index; once the winner is done the tables exist, so trying again succeeds."""
    import peewee

    for attempt in range(attempts):
        try:
            return make()
        except (peewee.IntegrityError, peewee.ProgrammingError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _from_database(database_url: str) -> str:
    if database_url.startswith(("postgres", "postgresql")):
        return database_url
    path = database_url.split("///", 1)[-1] if "///" in database_url else "var/contact-gateway.db"
    return f"sqlite:///{Path(path).with_name('queue.db')}"


huey = make_huey()
