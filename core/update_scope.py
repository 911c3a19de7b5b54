"""What an upsert item may change on a contact that already exists: identities kept, parts it may write.

Some imports match by one identity and promise not to overwrite it (a deduplication key), or
update only the parts a request names (a list of fields to update), while a contact the same item
creates takes everything. The command states the policy (UpsertCommand.keep_identities,
update_only, update_fields); this module reduces an item to it, in memory, per item.
"""
from __future__ import annotations

from dataclasses import replace

from .contact_state import ContactState
from .model import ContactChange, UpsertCommand

WRITTEN_IDENTITIES = ("email", "phone", "external_id")


def scoped(cmd: UpsertCommand) -> bool:
    return bool(cmd.keep_identities) or cmd.update_only is not None or cmd.update_fields is not None


def scope_update(item: ContactChange, ids: dict, state: ContactState, cmd: UpsertCommand,
                 field_key) -> tuple[ContactChange, dict]:
    """`item` and its normalised identities reduced to what `cmd` lets them change on `state`.

    `field_key(ref)` is the stored key of a custom field reference (FieldResolver.key).
    """
    row = state.row
    only = cmd.update_only
    kept = {kind for kind in cmd.keep_identities if kind in WRITTEN_IDENTITIES and row[kind] not in (None, "")}
    if only is not None:
        kept |= {kind for kind in WRITTEN_IDENTITIES if kind not in only}
    if kept:
        ids = {kind: value for kind, value in ids.items() if kind not in kept}
    changes = {}
    if kept and any(kind in kept for kind in item.clear_identities):
        changes["clear_identities"] = tuple(kind for kind in item.clear_identities if kind not in kept)
    if only is not None:
        if item.attrs:
            changes["attrs"] = {name: value for name, value in item.attrs.items() if name in only}
        if item.channels:
            changes["channels"] = {kind: value for kind, value in item.channels.items() if kind in only}
    fields = item.fields
    if fields and cmd.update_fields is not None:
        fields = {ref: value for ref, value in fields.items() if ref in cmd.update_fields}
    if fields and "field" in cmd.keep_identities and item.custom_match is not None:
        key = field_key(item.custom_match[0])
        if row["fields"].get(key) not in (None, ""):
            fields = {ref: value for ref, value in fields.items() if ref != item.custom_match[0]}
    if fields is not item.fields:
        changes["fields"] = fields
    return (replace(item, **changes) if changes else item), ids
