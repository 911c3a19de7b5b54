"""The events of one upsert batch: each contact as it was read against what it is now, in item order.

Canonical events (contact.*, list.*) come from comparing a contact's stored row, memberships and
tags as the batch read them with the state it writes, so every rule that changes a contact is
covered without one of them having to remember to announce itself. A contact named by several
items gets its canonical events once, at its first item; a vendor trigger (model.EventSpec) is
written for every item it applies to. Nothing here queries per contact.
"""
from __future__ import annotations

from . import events
from .schema import FieldDef

# Contact columns whose change contact.updated names as they are.
_COLUMNS = ("email", "phone", "external_id", "email_status", "phone_status", "confirmed", "deleted_at")
_STATUS_CHANNELS = (("email_status", "email"), ("phone_status", "phone"))


def batch_rows(batch) -> list[tuple]:
    """Event rows for the batch (core.events.row tuples), canonical and vendor, in item order."""
    account_id, at = batch.account_id, batch.now
    vendor = batch.cmd.events is not None
    pending, seen = [], set()
    for result, state in zip(batch.results, batch.item_states):
        if state is None:
            continue
        if id(state) not in seen:
            seen.add(id(state))
            if _written(state):
                pending.append((state, None))
        if vendor:
            pending.append((state, result))
    if not pending:
        return []
    field_names = _field_names(batch)
    membership_changes = {}
    list_ids = set()
    for state, result in pending:
        if result is None:
            if state.is_new or state.wiped:
                list_ids.update(key[0] for key in state.memberships)
            else:
                changes = membership_changes[id(state)] = _membership_changes(state)
                list_ids.update(change[1] for change in changes)
    numbers = events.list_numbers(list_ids, batch.known)
    rows = []
    for state, result in pending:
        if result is None:
            if state.is_new or state.wiped:
                rows.extend(_created(account_id, state, at, numbers))
            else:
                rows.extend(_canonical(account_id, state, at, field_names, membership_changes[id(state)], numbers))
        else:
            vendor = _vendor(batch, state, result)
            if vendor is not None:
                rows.append(vendor)
    return rows


def _written(state) -> bool:
    """Does the batch write anything of this contact (the same test bulk_write applies)? Most
    re-imports change nothing, and those contacts need no comparison at all."""
    return (state.is_new or state.wiped or state.dirty or state.tags_dirty or bool(state.removed_memberships)
            or any(m.dirty for m in state.memberships.values()))


def _created(account_id, state, at, numbers) -> list[tuple]:
    """A new contact (the everyday case of an import, so nothing to compare): created, then its lists."""
    rows = [events.row(account_id, state.id, events.CONTACT_CREATED, {}, at)]
    for (list_id, channel), membership in state.memberships.items():
        if membership.status == "subscribed":
            number, space = numbers[list_id]
            rows.append(events.row(account_id, state.id, events.LIST_JOINED,
                                   {"list": number, "space": space, "channel": channel}, at))
    return rows


def _canonical(account_id, state, at, field_names, membership_changes, numbers) -> list[tuple]:
    row, before = state.row, state.original
    if before["deleted_at"] is not None and row["deleted_at"] is not None:
        return []  # deleted before and still: nothing happened to anyone
    if row["deleted_at"] is not None:
        return [events.row(account_id, state.id, events.CONTACT_DELETED, {"erased": False}, at)]
    else:
        rows = []
        changed = _changed(state, field_names)
        if changed:
            rows.append(events.row(account_id, state.id, events.CONTACT_UPDATED, {"fields": changed}, at))
        for column, channel in _STATUS_CHANNELS:
            rows.extend(events.status_rows(account_id, state.id, channel, before[column], row[column], at))
    rows.extend(events.membership_rows(account_id, membership_changes, at, numbers))
    return rows


def _changed(state, field_names) -> list[str]:
    row, before = state.row, state.original
    names = [c for c in _COLUMNS if row[c] != before[c]]
    names += _changed_keys(before["attrs"], row["attrs"])
    names += sorted(field_names.get(k, k) for k in _changed_keys(before["fields"], row["fields"]))
    names += [f"channels.{k}" for k in _changed_keys(before["channels"], row["channels"])]
    if state.original_tags is not None and state.tags is not None and set(state.tags) != state.original_tags:
        names.append("tags")
    return names


def _changed_keys(old: dict, new: dict) -> list[str]:
    old, new = old or {}, new or {}
    if old is new or old == new:
        return []
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def _membership_changes(state) -> list[tuple]:
    """(contact id, list id, channel, status before, status after) for every membership that changed."""
    before = {} if state.is_new or state.wiped else state.original_memberships
    if before is None:  # memberships not read: this batch did not touch them
        return []
    after = {key: m.status for key, m in state.memberships.items()}
    return [(state.id, key[0], key[1], before.get(key), after.get(key))
            for key in sorted(before.keys() | after.keys()) if before.get(key) != after.get(key)]


def _field_names(batch) -> dict[str, str]:
    """FieldDef id (as stored in Contact.fields) -> name, for the fields the batch changed; one query at most."""
    names = {key: definition.name for key, definition in batch.fields.defs.items()}
    wanted = set()
    for state in batch.item_states:
        if state is not None and state.dirty and state.original is not None \
                and state.row["fields"] is not state.original["fields"]:
            wanted |= set(_changed_keys(state.original["fields"], state.row["fields"])) - names.keys()
    if wanted:
        ids = [int(k) for k in wanted if str(k).isdigit()]
        for definition in FieldDef.select(FieldDef.id, FieldDef.name).where(FieldDef.id.in_(ids or [0])):
            names[str(definition.id)] = definition.name
    return names


def _vendor(batch, state, result) -> tuple | None:
    """The dialect's workflow trigger for one item (model.EventSpec), if it asks for one."""
    spec = batch.cmd.events
    if spec is None or result.outcome not in ("created", "updated"):
        return None
    name = spec.on_create if result.outcome == "created" else spec.on_update
    if not name:
        return None
    values = {"contact_id": state.id, "email": state.row["email"] or "", "phone": state.row["phone"] or ""}
    params = {param: values[source] for param, source in spec.params.items()
              if values[source] != "" or param not in spec.omit_empty}
    key = (state.row["email"] or state.row["phone"] or "") if spec.key == "email_or_phone" else str(state.id)
    return events.row(batch.account_id, state.id, name, params, batch.now, key)
