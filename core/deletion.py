"""Deleting contacts by identity: soft (restorable, identities kept) or erase (gone for good)."""
from __future__ import annotations

from collections import Counter

from . import contact_limit, events, identity, listeners
from . import db as store
from .contacts import identity_holders
from .normalize import now
from .schema import Contact


def delete(account_id: int, kind: str, values: list, database: int | None = 1, erase: bool = False) -> list:
    """For each value in order, the id of the contact deleted, or None when no live contact had it.

    All the contacts named by one identity value go (a store may keep several with one email).
    """
    with store.write_transaction(f"account:{account_id}"):
        stored, _, query = identity_holders(account_id, kind, values, database, include_deleted=erase)
        if not stored:
            return [None] * len(values)
        column = getattr(Contact, identity.column(kind))
        by_key: dict = {}
        for row in query.select(Contact.id, column.alias("key"), Contact.deleted_at, Contact.updated_at).dicts():
            by_key.setdefault(row["key"], []).append(row)
        ids = [row["id"] for group in by_key.values() for row in group]
        if ids:
            contact_limit.adjust(account_id, -sum(1 for g in by_key.values() for row in g if row["deleted_at"] is None))
            moment = now()
            events.record_deleted(account_id, ids, erase, moment)
            if erase:
                Contact.delete().where(Contact.id.in_(ids)).execute()
            else:
                Contact.update(deleted_at=moment, updated_at=moment).where(Contact.id.in_(ids)).execute()
        deleted = [identity.winner(by_key[stored[v]])["id"] if stored.get(v) in by_key else None for v in values]
    listeners.items(account_id, Counter(deleted=sum(1 for d in deleted if d is not None)))
    return deleted
