"""Deleting contacts by identity: soft (restorable, identities kept) or erase (gone for good)."""
from __future__ import annotations

from . import catalog
from . import db as store
from .contacts import _column, _identity
from .errors import CoreError
from .normalize import now
from .schema import Contact


def delete(account_id: int, kind: str, values: list, database: int | None = 1, erase: bool = False) -> list:
    """For each value in order, the id of the contact deleted, or None when no live contact had it.

    All the contacts named by one identity value go (a store may keep several with one email).
    """
    with store.write_transaction(f"account:{account_id}"):
        normalised = []
        for value in values:
            try:
                normalised.append(_identity(kind, value))
            except CoreError:
                normalised.append(None)
        wanted = [v for v in normalised if v is not None]
        if not wanted:
            return [None] * len(values)
        column = getattr(Contact, _column(kind))
        query = Contact.select(Contact.id, column.alias("key"), Contact.deleted_at).where(
            (Contact.account == account_id) & column.in_(wanted))
        if database is not None:
            query = query.where(Contact.database == catalog.database(account_id, database).id)
        by_key: dict = {}
        for row in query.dicts():
            if row["deleted_at"] is None or erase:
                by_key.setdefault(row["key"], []).append(row["id"])
        ids = [i for group in by_key.values() for i in group]
        if ids:
            if erase:
                Contact.delete().where(Contact.id.in_(ids)).execute()
            else:
                moment = now()
                Contact.update(deleted_at=moment, updated_at=moment).where(Contact.id.in_(ids)).execute()
        return [min(by_key[v]) if v in by_key else None for v in normalised]
