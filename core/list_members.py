"""Putting contacts named by id or external id into a list, or taking them out, in one transaction.

All or nothing: when a value names no live contact of the account, nothing changes and the error
lists the values not found (another account's contact ids are simply not found).
"""
from __future__ import annotations

from collections import defaultdict

from . import catalog, errors, events, identity
from . import db as store
from .db import chunks
from .contacts import identity_holders
from .errors import CoreError
from .normalize import now
from .schema import Contact, Membership
from .sql_bulk import insert_rows

CHANNEL = "email"  # the membership channel of lists that are not per channel


def _contacts(account_id: int, database_id: int, kind: str, values: list) -> list[int]:
    """Ids of the live contacts the values name, in order; raises CONTACT_NOT_FOUND listing the misses."""
    stored, missing, query = identity_holders(account_id, kind, values, None, include_deleted=False)
    column = getattr(Contact, identity.column(kind))
    holders = defaultdict(list)
    for row in query.where(Contact.database == database_id).select(
            Contact.id, column.alias("key"), Contact.deleted_at, Contact.updated_at).dicts():
        holders[row["key"]].append(row)
    found = {key: identity.winner(rows)["id"] for key, rows in holders.items()}
    missing += [value for value, key in stored.items() if key not in found]
    if missing:
        shown = ", ".join(map(str, missing))
        raise CoreError(errors.CONTACT_NOT_FOUND, f"Contacts not found: {shown}", values=missing)
    return list(dict.fromkeys(found[key] for key in stored.values()))

def attach(account_id: int, number, kind: str, values: list) -> int:
    """Subscribe the contacts to list `number`; returns how many memberships changed.

    A membership the contact unsubscribed from stays so: consent is not data.
    """
    with store.write_transaction(f"account:{account_id}"):
        row = catalog.get_list(account_id, number)
        ids = _contacts(account_id, row.database_id, kind, values)
        current = {m.contact_id: m.status for m in Membership.select(Membership.contact, Membership.status).where(
            (Membership.list == row.id) & (Membership.channel == CHANNEL) & Membership.contact.in_(ids or [0]))}
        moment = now()
        fresh = [(i, row.id, CHANNEL, "subscribed", moment, moment, {}) for i in ids
                 if current.get(i) not in ("subscribed", "unsubscribed")]
        events.record(events.membership_rows(account_id, [(i, row.id, CHANNEL, current.get(i), "subscribed")
                                                          for i, *_ in fresh], moment))
        insert_rows(Membership, ["contact", "list", "channel", "status", "subscribed_at", "updated_at", "attrs"],
                    fresh, conflict=["contact", "list", "channel"], update=["status", "subscribed_at", "updated_at"])
        return len(fresh)


def detach(account_id: int, number, kind: str, values: list | None) -> int:
    """Take the contacts out of list `number` (every member when `values` is None); returns how many left."""
    with store.write_transaction(f"account:{account_id}"):
        row = catalog.get_list(account_id, number)
        query = Membership.delete().where(Membership.list == row.id)
        if values is None:
            events.record_left_list(account_id, row.id, now())
            return query.execute()
        removed = 0
        for part in chunks(_contacts(account_id, row.database_id, kind, values), 1):
            events.record_left_list(account_id, row.id, now(), part)
            removed += Membership.delete().where((Membership.list == row.id) & Membership.contact.in_(part)).execute()
        return removed
