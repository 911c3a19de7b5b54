"""A pull from eSputnik: the field catalogue and segments as setup entries, contact pages as upserts.

Contacts come from the search (`GET /v1/contacts`, BaseContact: names, channels, fields, external
id) and then once more per segment (`GET /v1/group/{id}/contacts`, full Contact), which is the only
way the v1 API tells who is in a segment. Both read through the Contact parser of the dialect itself.
"""
from __future__ import annotations

from core import errors as core_errors
from core.errors import CoreError
from core.model import ContactChange, ListChange, UpsertCommand

from .account import FIELD_TYPES
from .contact import SEGMENT_CHANNEL, InvalidContact, contact_change
from .wire import as_list

PAGE = 500  # maxrows: at most 500
SOURCE = "pull:esputnik"
# eSputnik's field types (any case) -> core field types: FIELD_TYPES read backwards, and the rest.
CORE_TYPES = {**{v: k for k, v in FIELD_TYPES.items() if k not in ("bool", "ip", "email")},
              "decimal": "number", "checkboxlist": "string"}


def catalog(answer) -> tuple[list, dict]:
    """GET /v1/addressbooks as setup-file fields (by id) and the account settings its dialect shows."""
    fields, settings = [], {}
    for book in as_list((answer or {}).get("addressBook")):
        settings = {"address_book_id": int(book.get("addressBookId") or 1),
                    "address_book_name": str(book.get("name") or "Main")}
        for group in as_list(book.get("fieldGroups")):
            for item in as_list(group.get("fields")):
                fields.append(_field(item, group))
    return fields, settings


def _field(item: dict, group: dict) -> dict:
    description = item.get("description") or {}
    shown = str(description.get("type") or "textfield").lower()
    kind = CORE_TYPES.get(shown, "string")
    attrs = {"group": str(group.get("name") or "Main")}
    if group.get("profileKey"):
        attrs["profile_key"] = str(group["profileKey"])
    if item.get("fieldKey"):
        attrs["field_key"] = str(item["fieldKey"])
    if FIELD_TYPES.get(kind) != shown:
        attrs["type"] = shown  # shown as the vendor named it (decimal, checkboxlist)
    allowed = description.get("allowedValues") or {}
    for name in ("minValue", "maxValue"):
        if allowed.get(name) is not None:
            attrs[name] = str(allowed[name])
    for flag in ("required", "readonly"):
        if str(description.get(flag)).lower() == "true":
            attrs[flag] = True
    entry = {"id": int(item["id"]), "name": str(item["name"]), "type": kind, "attrs": attrs}
    values = as_list(allowed.get("possibleValues"))
    if values and kind == "enum":
        entry["allowed_values"] = [str(v) for v in values]
    return entry


def segments(groups) -> list[dict]:
    """GET /v1/groups pages as setup-file lists (segments with their ids)."""
    result = []
    for group in groups or ():
        entry = {"id": int(group["id"]), "title": str(group["name"]), "kind": "segment"}
        if str(group.get("type") or "Static") != "Static":
            entry["attrs"] = {"type": str(group["type"])}
        result.append(entry)
    return result


def page(contacts, segment: int | None = None) -> tuple[UpsertCommand, list, list]:
    """One page of contacts (a segment's members when `segment` is given) as an upsert; keys; vendor ids."""
    changes, keys, vendor_ids = [], [], []
    for raw in contacts or ():
        try:
            change = contact_change(raw)
        except InvalidContact as exc:
            change = ContactChange(error=CoreError(core_errors.INVALID_VALUE, str(exc)))
        if segment is not None and change.error is None:
            change.lists.append(ListChange(segment, "subscribed", SEGMENT_CHANNEL, kind="segment"))
        changes.append(change)
        keys.append(change.identities.get("email") or change.identities.get("phone")
                    or change.identities.get("external_id") or "")
        vendor = raw.get("id") if isinstance(raw, dict) else None
        vendor_ids.append(int(vendor) if str(vendor).isdigit() else None)
    return command(changes), keys, vendor_ids


def command(items: list) -> UpsertCommand:
    """As addContact matches (external id, email, phone); statuses withdrawn here stay withdrawn."""
    return UpsertCommand(items=items, match=("external_id", "email", "phone"), field_key="number",
                         strict_field_types=True, unknown_fields="fail_item", invalid_lists="fail_item",
                         on_deleted="restore", keep_account_unsubscribes=True, report_unchanged=True,
                         default_email_status="active", source=SOURCE)
