"""A pull from Dotdigital: v2 address books and data fields as setup entries, v3 contact pages as upserts.

The v3 listing (`GET /contacts/v3?include=channelProperties|lists&data-fields=[[ALL]]`, keyset
markers, `~modified` for the changes only) is the one read that gives a contact with its channel
statuses and its address books at once; its contact object is read by the v3 adapter's own parser,
except `lists`, which the listing writes as objects with a status instead of the ids an import sends.
"""
from __future__ import annotations

from core.catalog import READ_ONLY
from core.model import ListChange, UpsertCommand

from . import contact_v3, import_v3, values
from .wire import Keys

PAGE = 1000
INCLUDE = "channelProperties|lists"
SOURCE = "pull:dotdigital"
# A v3 list membership status -> the canonical one (contact_v3.LIST_STATUS read backwards).
LIST_STATUS = {"subscribed": "subscribed", "suppressed": "unsubscribed", "pending": "suspended"}


# Every Dotdigital account's own "Test" address book refuses API writes (ERROR_ADDRESSBOOK_NOTWRITABLE:
# "you cannot upload contacts to the 'Test' address book via the API"); pulled, it refuses them here too.
# Book names are unique in an account, so the name tells it.
TEST_BOOK = "Test"


def lists(books) -> list[dict]:
    """GET /v2/address-books answers as setup-file lists: address books with their ids."""
    return [{"id": int(b["id"]), "title": str(b["name"]), "kind": "address_book",
             "attrs": {"visibility": str(b.get("visibility") or "Private"),
                       **({READ_ONLY: True} if str(b["name"]) == TEST_BOOK else {})}} for b in books or ()]


def fields(rows) -> list[dict]:
    """GET /v2/data-fields answers as setup-file fields; Dotdigital gives them no ids (the caller numbers them)."""
    result = []
    for row in rows or ():
        kind = values.FIELD_TYPE_TO_CORE.get(str(row.get("type") or "String").lower(), "string")
        attrs = {"visibility": str(row.get("visibility") or "Private")}
        if row.get("defaultValue") is not None:
            attrs["default_value"] = row["defaultValue"]
        result.append({"name": str(row["name"]), "type": kind, "attrs": attrs})
    return result


def page(items) -> tuple[UpsertCommand, list[str], list]:
    """One v3 `_items` page as one upsert; each item's address and its Dotdigital contactId."""
    changes, keys, vendor_ids = [], [], []
    for item in items or ():
        keys_ = Keys(item) if isinstance(item, dict) else Keys({})
        body = {k: v for k, v in (item or {}).items() if k.lower() != "lists"}
        parsed = contact_v3.parse(body)
        change = parsed.change
        change.identities.pop("id", None)  # the vendor's id names no contact here: it is recorded beside it
        vendor_id = keys_.get("contactId")
        vendor_ids.append(int(vendor_id) if isinstance(vendor_id, int) or str(vendor_id).isdigit() else None)
        if change.error is None:
            for entry in keys_.get("lists") or ():
                entry = Keys(entry)
                status = LIST_STATUS.get(str(entry.get("status") or "").lower())
                if status is not None and entry.get("id") is not None:
                    change.lists.append(ListChange(int(entry.get("id")), status, "email", kind="address_book"))
        identities = (keys_.get("identifiers") or {})
        keys.append(str(identities.get("email") or identities.get("mobileNumber") or ""))
        changes.append(change)
    return command(changes), keys, vendor_ids


def command(items: list) -> UpsertCommand:
    """As a v3 import matches contacts; the statuses as the vendor has them, none withdrawn here lifted."""
    cmd = import_v3.command(items, "overwrite", SOURCE)
    cmd.on_suppressed = "block"  # a suppressed contact comes over suppressed
    cmd.status_changeable_from, cmd.keep_account_unsubscribes, cmd.report_unchanged = None, True, True
    return cmd
