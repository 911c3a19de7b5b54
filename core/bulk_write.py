"""The writes of one batch in bulk: a fixed number of statements whatever the batch size."""
from __future__ import annotations

from operator import itemgetter

from . import catalog, change_events, events
from . import db as store
from .db import chunks
from .contact_state import CONTACT_COLUMNS
from .schema import Contact, ContactTag, Membership, Tag
from .sql_bulk import insert_rows

_MEMBERSHIP_COLUMNS = ["contact", "list", "channel", "status", "subscribed_at", "unsubscribed_at", "excluded_at",
                       "updated_at", "attrs"]


_ROW_COLUMNS = ["id", *CONTACT_COLUMNS]
_row_values = itemgetter(*_ROW_COLUMNS)  # a contact row dict -> the tuple the statements take


def insert_contacts(states) -> None:
    """INSERT the new contacts under ids taken beforehand, so later rows can refer to them."""
    if not states:
        return
    for state, contact_id in zip(states, store.allocate_ids(Contact._meta.table_name, len(states))):
        state.row["id"] = contact_id
    insert_rows(Contact, _ROW_COLUMNS, [_row_values(s.row) for s in states])


def update_contacts(states) -> None:
    """UPDATE many contacts in one statement: an upsert on the primary key, full rows."""
    if not states:
        return
    rows = [_row_values(s.row) for s in states]
    insert_rows(Contact, _ROW_COLUMNS, rows, conflict=["id"],
                update=[c for c in CONTACT_COLUMNS if c not in ("account", "database")])


def write_memberships(states, now) -> None:
    removed = [row_id for s in states for row_id in s.removed_memberships]
    for chunk in chunks(removed, 1):
        Membership.delete().where(Membership.id.in_(chunk)).execute()
    fresh, known = [], []  # a contact created by this batch has no stored membership to conflict with
    for state in states:
        rows = fresh if state.is_new else known
        for membership in state.memberships.values():
            if membership.dirty or state.wiped:
                rows.append((state.id, membership.list_id, membership.channel, membership.status,
                             membership.subscribed_at, membership.unsubscribed_at, membership.excluded_at, now,
                             membership.attrs))
    insert_rows(Membership, _MEMBERSHIP_COLUMNS, fresh)
    insert_rows(Membership, _MEMBERSHIP_COLUMNS, known, conflict=["contact", "list", "channel"],
                update=_MEMBERSHIP_COLUMNS[3:])


def write_tags(account_id: int, states, known: dict[str, int]) -> None:
    dirty = [s for s in states if s.tags_dirty]
    if not dirty:
        return
    names = sorted({t for s in dirty for t in s.tags} - known.keys())
    if names:
        start = catalog.next_number(Tag, account_id)
        Tag.insert_many([(account_id, start + i, name) for i, name in enumerate(names)],
                        fields=[Tag.account, Tag.number, Tag.name]).execute()
        for row in Tag.select(Tag.id, Tag.name).where((Tag.account == account_id) & Tag.name.in_(names)):
            known[row.name] = row.id
    ids = [s.id for s in dirty]
    for chunk in chunks(ids, 1):
        ContactTag.delete().where(ContactTag.contact.in_(chunk)).execute()
    links = [(s.id, known[t]) for s in dirty for t in sorted(s.tags)]
    insert_rows(ContactTag, ["contact", "tag"], links, conflict=["contact", "tag"])


def clear_wiped(states) -> None:
    """A deleted contact brought back as new loses its old lists and tags."""
    ids = [s.id for s in states if s.wiped]
    for chunk in chunks(ids, 1):
        Membership.delete().where(Membership.contact.in_(chunk)).execute()
        ContactTag.delete().where(ContactTag.contact.in_(chunk)).execute()


def write_events(batch) -> None:
    """The batch's events (canonical changes and the dialect's triggers), in item order, in bulk."""
    events.record(change_events.batch_rows(batch))


def write_batch(batch) -> None:
    """Everything the batch changed, in dependency order (contacts first: they get ids)."""
    created = list(batch.created)
    insert_contacts(created)
    existing = [s for s in batch.states.values() if s.dirty]
    clear_wiped(existing)
    update_contacts(existing)
    touched = created + [s for s in batch.states.values() if s.memberships or s.removed_memberships or s.tags_dirty]
    write_memberships(touched, batch.now)
    write_tags(batch.account_id, touched, batch.tag_ids)
    write_events(batch)

