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

from peewee import fn

from . import db as store
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

_COLUMNS = ["account", "contact", "name", "key", "params", "dialect", "created_at"]
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
    from .sql_bulk import insert_rows  # plain SQL text: a batch's events cost one statement, not a node per value

    insert_rows(Event, _COLUMNS, rows)


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


def of_contact(account_id: int, contact_id: int, limit: int = 50) -> list[EventView]:
    """A contact's newest events (at most `limit`), newest first; one query."""
    query = _select(account_id).where(Event.contact == contact_id).order_by(Event.id.desc()).limit(limit)
    return _views(query)


def per_hour(since: datetime, types=CANONICAL_TYPES) -> list[tuple[datetime, str, str, int]]:
    """(hour, dialect, event type, how many) over every account since `since`, grouped in the store; one query."""
    if store.is_sqlite():
        hour = fn.strftime("%Y-%m-%d %H:00:00", Event.created_at)
    else:
        hour = fn.date_trunc("hour", Event.created_at)
    query = (Event.select(hour.alias("hour"), Event.dialect, Event.name, fn.COUNT(Event.id).alias("n"))
             .where((Event.created_at >= since) & Event.name.in_(list(types)))
             .group_by(hour, Event.dialect, Event.name).order_by(hour))
    rows = []
    for at, dialect, name, count in query.tuples():
        if isinstance(at, str):
            at = datetime.strptime(at, "%Y-%m-%d %H:%M:%S")
        rows.append((at.replace(tzinfo=None), dialect, name, count))
    return rows


def _select(account_id: int):
    return (Event.select(Event.id, Event.name, Event.created_at, Event.dialect, Event.contact, Event.params)
            .where(Event.account == account_id).order_by(Event.id))


def _views(query) -> list[EventView]:
    return [EventView(r.id, r.name, r.created_at, r.dialect, r.contact_id, r.params or {}) for r in query]


# -- the canonical events of writes outside the upsert (each a constant number of queries) -------------
def record_deleted(account_id: int, contact_ids: list[int], erase: bool, at: datetime) -> None:
    """contact.deleted for each id. Before an erase, the contacts' events are unlinked from them (on
    PostgreSQL no foreign key does it, migrate.fewer_key_checks) and their contact.deleted names
    the id in its params only."""
    if not erase:
        record([row(account_id, i, CONTACT_DELETED, {"erased": False}, at) for i in contact_ids])
        return
    for chunk in store.chunks(contact_ids, 1):
        Event.update(contact=None).where(Event.contact.in_(chunk)).execute()
    record([row(account_id, None, CONTACT_DELETED, {"erased": True, "contact_id": i}, at) for i in contact_ids])


def record_statuses(account_id: int, contact_ids: list[int], channel: str, before: str | None, after: str,
                    at: datetime) -> None:
    """The events of channel statuses changed from `before` (None: various, not `after`) to `after`."""
    rows = []
    for contact_id in contact_ids:
        rows.append(row(account_id, contact_id, CONTACT_UPDATED, {"fields": [f"{channel}_status"]}, at))
        rows.extend(status_rows(account_id, contact_id, channel, before, after, at))
    record(rows)


def status_rows(account_id: int, contact_id: int, channel: str, before: str | None, after: str | None,
                at: datetime) -> list[tuple]:
    """contact.unsubscribed / contact.resubscribed when a channel status crosses "unsubscribed"."""
    if after == "unsubscribed" and before != "unsubscribed":
        return [row(account_id, contact_id, CONTACT_UNSUBSCRIBED, {"channel": channel}, at)]
    if before == "unsubscribed" and after not in (None, "unsubscribed"):
        return [row(account_id, contact_id, CONTACT_RESUBSCRIBED, {"channel": channel, "status": after}, at)]
    return []


def membership_rows(account_id: int, changes: list[tuple], at: datetime, numbers: dict | None = None) -> list[tuple]:
    """list.joined / list.left rows for (contact id, list row id, channel, status before, status after)
    changes, in their order; a status None is "not a member". One query for the lists' numbers."""
    if numbers is None:
        numbers = list_numbers({change[1] for change in changes})
    rows = []
    for contact_id, list_id, channel, before, after in changes:
        number, space = numbers[list_id]
        if after == "subscribed" and before != "subscribed":
            rows.append(row(account_id, contact_id, LIST_JOINED, {"list": number, "space": space, "channel": channel}, at))
        elif before == "subscribed" and after != "subscribed":
            rows.append(row(account_id, contact_id, LIST_LEFT, {"list": number, "space": space, "channel": channel,
                                                                "status": after or "removed"}, at))
    return rows


def list_numbers(list_ids, known=None) -> dict[int, tuple[int, str]]:
    """list row id -> (its number, its id space): from `known` (a catalog_cache.Catalog) where it
    has them, the rest (lists the batch itself created) in one query."""
    from .schema import ContactList

    numbers = {}
    if known is not None:
        for list_id in list_ids:
            row = known.list_by_id.get(list_id)
            if row is not None:
                numbers[list_id] = (row["number"], row["space"])
    rest = sorted(set(list_ids) - numbers.keys())
    if rest:
        query = ContactList.select(ContactList.id, ContactList.number, ContactList.space).where(
            ContactList.id.in_(rest)).tuples()
        numbers.update((list_id, (number, space)) for list_id, number, space in query)
    return numbers


def record_left_list(account_id: int, list_id: int, at: datetime, contact_ids: list[int] | None = None) -> None:
    """list.left (removed) for the subscribed members of a list about to lose them (all, or these contacts)."""
    from .schema import Membership

    query = Membership.select(Membership.contact, Membership.channel, Membership.status).where(
        Membership.list == list_id)
    if contact_ids is not None:
        query = query.where(Membership.contact.in_(contact_ids or [0]))
    changes = [(contact, list_id, channel, status, None) for contact, channel, status in query.tuples()]
    record(membership_rows(account_id, changes, at))
