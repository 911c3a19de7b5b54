"""The writes of one batch in bulk: a fixed number of statements whatever the batch size."""
from __future__ import annotations

from itertools import islice

from . import catalog
from . import db as store
from .contact_state import CONTACT_COLUMNS
from .schema import Contact, ContactTag, Event, Membership, Tag

_CONTACT_FIELDS = [getattr(Contact, name) for name in CONTACT_COLUMNS]
_MEMBERSHIP_FIELDS = [Membership.contact, Membership.list, Membership.channel, Membership.status,
                      Membership.subscribed_at, Membership.unsubscribed_at, Membership.excluded_at,
                      Membership.updated_at, Membership.attrs]


def chunks(rows: list, width: int):
    """Slices of `rows` small enough for the backend's bound-parameter limit."""
    size = max(1, store.max_params() // max(width, 1))
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_contacts(states) -> None:
    """INSERT the new contacts and learn their ids (matched back by the unique profile_id)."""
    if not states:
        return
    by_profile = {s.row["profile_id"]: s for s in states}
    for chunk in chunks(states, len(CONTACT_COLUMNS)):
        rows = [tuple(s.row[c] for c in CONTACT_COLUMNS) for s in chunk]
        query = Contact.insert_many(rows, fields=_CONTACT_FIELDS).returning(Contact.id, Contact.profile_id)
        for contact_id, profile_id in query.tuples().execute():
            by_profile[profile_id].row["id"] = contact_id


def update_contacts(states) -> None:
    """UPDATE many contacts in one statement: an upsert on the primary key, full rows."""
    if not states:
        return
    columns = ("id",) + CONTACT_COLUMNS
    fields = [Contact.id] + _CONTACT_FIELDS
    for chunk in chunks(states, len(columns)):
        rows = [tuple(s.row[c] for c in columns) for s in chunk]
        (Contact.insert_many(rows, fields=fields)
         .on_conflict(conflict_target=[Contact.id], preserve=_CONTACT_FIELDS[3:])
         .execute())


def write_memberships(states, now) -> None:
    removed = [row_id for s in states for row_id in s.removed_memberships]
    for chunk in chunks(removed, 1):
        Membership.delete().where(Membership.id.in_(chunk)).execute()
    rows = []
    for state in states:
        for membership in state.memberships.values():
            if membership.dirty or state.wiped:
                rows.append((state.id, membership.list_id, membership.channel, membership.status,
                             membership.subscribed_at, membership.unsubscribed_at, membership.excluded_at, now,
                             membership.attrs))
    for chunk in chunks(rows, len(_MEMBERSHIP_FIELDS)):
        (Membership.insert_many(chunk, fields=_MEMBERSHIP_FIELDS)
         .on_conflict(conflict_target=[Membership.contact, Membership.list, Membership.channel],
                      preserve=_MEMBERSHIP_FIELDS[3:])
         .execute())


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
    for chunk in chunks(links, 2):
        ContactTag.insert_many(chunk, fields=[ContactTag.contact, ContactTag.tag]).on_conflict_ignore().execute()


def clear_wiped(states) -> None:
    """A deleted contact brought back as new loses its old lists and tags."""
    ids = [s.id for s in states if s.wiped]
    for chunk in chunks(ids, 1):
        Membership.delete().where(Membership.contact.in_(chunk)).execute()
        ContactTag.delete().where(ContactTag.contact.in_(chunk)).execute()


def write_events(batch) -> None:
    spec = batch.cmd.events
    if spec is None:
        return
    rows = []
    for result, state in zip(batch.results, batch.item_states):
        if state is None or result.outcome not in ("created", "updated"):
            continue
        name = spec.on_create if result.outcome == "created" else spec.on_update
        if not name:
            continue
        values = {"contact_id": state.id, "email": state.row["email"] or "", "phone": state.row["phone"] or ""}
        params = {param: values[source] for param, source in spec.params.items()}
        if spec.key == "email_or_phone":
            key = state.row["email"] or state.row["phone"] or ""
        else:
            key = str(state.id)
        rows.append((batch.account_id, state.id, name, key, params, batch.now))
    for chunk in chunks(rows, 6):
        Event.insert_many(chunk, fields=[Event.account, Event.contact, Event.name, Event.key, Event.params,
                                         Event.created_at]).execute()


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

