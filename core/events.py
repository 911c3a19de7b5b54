"""The event outbox: event types, the dialect a write came through, bulk recording, and the cursor feed.

Events are written in the transaction of the write they describe, always under the account's
write lock (db.write_transaction("account:N")). That lock is what makes the ids a cursor: the
events of one account are inserted and committed one transaction after another, so ids commit in
increasing order and a reader that asks for "after the last id I saw" never misses one that was
still uncommitted when it asked.

A vendor's workflow trigger is a name and params an adapter handed in (model.EventSpec); the
core stores it as data and knows no vendor.
"""
from __future__ import annotations

import contextvars
from dataclasses import dataclass
from datetime import datetime

from .schema import Event

# Canonical change events, written for every write through any dialect.
CONTACT_CREATED = "contact.created"
CONTACT_UPDATED = "contact.updated"  # params: {"fields": [names of what changed]}
CONTACT_UNSUBSCRIBED = "contact.unsubscribed"  # params: {"channel": "email" | "phone"}
CONTACT_RESUBSCRIBED = "contact.resubscribed"  # params: {"channel": …, "status": the new status}
CONTACT_DELETED = "contact.deleted"  # params: {"erased": bool}
LIST_JOINED = "list.joined"  # params: {"list": number, "space": id space, "channel": …}
LIST_LEFT = "list.left"  # params: {"list", "space", "channel", "status": unsubscribed|excluded|suspended|removed}
CANONICAL_TYPES = (CONTACT_CREATED, CONTACT_UPDATED, CONTACT_UNSUBSCRIBED, CONTACT_RESUBSCRIBED, CONTACT_DELETED,
                   LIST_JOINED, LIST_LEFT)

_COLUMNS = [Event.account, Event.contact, Event.name, Event.key, Event.params, Event.dialect, Event.created_at]
_origin: contextvars.ContextVar[str] = contextvars.ContextVar("event_origin", default="")


def set_origin(dialect: str) -> None:
    """Name the dialect the current request (or job) came through; events written now carry it."""
    _origin.set(dialect or "")


def origin() -> str:
    return _origin.get()


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    type: str
    occurred_at: datetime
    dialect: str
    contact_id: int | None
    params: dict


def row(account_id: int, contact_id: int | None, name: str, params: dict, at: datetime, key: str = "") -> tuple:
    """One event as a row for record(); the dialect is the current origin."""
    return (account_id, contact_id, name, key, params, _origin.get(), at)


def record(rows: list[tuple]) -> None:
    """INSERT the rows (from row()) in their order, in bulk; call inside the write's transaction."""
    from .bulk_write import chunks  # bulk_write records events too

    for chunk in chunks(rows, len(_COLUMNS)):
        Event.insert_many(chunk, fields=_COLUMNS).execute()


def feed(account_id: int, after: int = 0, limit: int = 100, types=None) -> list[EventView]:
    """The account's events with ids above `after`, oldest first, at most `limit`; one query.

    `types`: only these event types (None: all).
    """
    query = _select(account_id).where(Event.id > after)
    if types:
        query = query.where(Event.name.in_(sorted(set(types))))
    return _views(query.limit(limit))


def by_ids(account_id: int, event_ids: list[int]) -> list[EventView]:
    """The events with these ids (of this account), in id order; one query."""
    if not event_ids:
        return []
    return _views(_select(account_id).where(Event.id.in_(event_ids)))


def _select(account_id: int):
    return (Event.select(Event.id, Event.name, Event.created_at, Event.dialect, Event.contact, Event.params)
            .where(Event.account == account_id).order_by(Event.id))


def _views(query) -> list[EventView]:
    return [EventView(r.id, r.name, r.created_at, r.dialect, r.contact_id, r.params or {}) for r in query]
