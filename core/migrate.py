"""Idempotent schema creation and versioned migrations, safe when several workers start at once."""
from __future__ import annotations

from . import db as store
from .lookups import create_address_index
from .schema import MODELS, SchemaVersion

# Each entry upgrades the schema from version i to i+1; version 1 is the initial create_tables.
MIGRATIONS: list = [
    create_address_index,  # 2: membership addresses, for lookups by a subscription's own address
]
CURRENT = 1 + len(MIGRATIONS)


def migrate(url: str | None = None) -> int:
    """Create or upgrade the schema; returns the version now in place."""
    database = store.open_database(url)
    with store.write_transaction("schema"):
        database.create_tables(MODELS, safe=True)
        done = {row.version for row in SchemaVersion.select()}
        if 1 not in done:
            SchemaVersion.create(version=1)
        for number, step in enumerate(MIGRATIONS, start=2):
            if number not in done:
                step(database)
                SchemaVersion.create(version=number)
    return CURRENT
