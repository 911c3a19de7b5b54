"""A pull from Unisender: getLists/getFields answers as setup entries, exportContacts pages as upserts.

exportContacts speaks the column vocabulary importContacts reads, so a page goes through
importContacts' own cell handlers; only the statuses differ, since an export may show any status
Unisender keeps (blocked, invited, …) where an import accepts four.
"""
from __future__ import annotations

from core.model import CHANNEL_STATUSES, UpsertCommand

from .export import DEFAULT_COLUMNS
from .import_contacts import SYSTEM_COLUMNS, cell_handlers, row_change
from .catalog import FIELD_TYPES

PAGE = 1000  # exportContacts' largest page
# Every column exportContacts can give that importContacts takes back (the defaults and the rest).
COLUMNS = list(dict.fromkeys(DEFAULT_COLUMNS + [
    "email_request_ip", "email_confirm_time", "email_confirm_ip", "phone_add_time", "phone_unsubscribed_list_ids",
    "phone_excluded_list_ids", "phone_subscribe_times"]))
SOURCE = "pull:unisender"


def lists(result) -> list[dict]:
    """getLists' `result` as setup-file lists: [{id, title}], the vendor's own ids."""
    return [{"id": int(row["id"]), "title": str(row["title"])} for row in result or ()]


def fields(result) -> list[dict]:
    """getFields' `result` as setup-file fields with their ids, types and display attributes."""
    entries = []
    for row in result or ():
        kind = str(row.get("type") or "string")
        entry = {"id": int(row["id"]), "name": str(row["name"]), "type": kind if kind in FIELD_TYPES else "string",
                 "attrs": {"is_visible": int(row.get("is_visible", 1)), "view_pos": int(row.get("view_pos", 0))}}
        if row.get("public_name") and str(row["public_name"]) != entry["name"]:
            entry["public_name"] = str(row["public_name"])
        entries.append(entry)
    return entries


def columns(field_names: list[str]) -> list[str]:
    """The field_names a pull asks exportContacts for: every system column, then the user fields."""
    return COLUMNS + [name for name in field_names if name.lower() not in SYSTEM_COLUMNS]


def page(result: dict) -> tuple[UpsertCommand, list[str]]:
    """One exportContacts `result` ({field_names, data}) as one upsert, and each row's address."""
    names = [str(n) for n in result.get("field_names") or ()]
    handlers = cell_handlers(names, statuses=CHANNEL_STATUSES)
    items, keys = [], []
    for row in result.get("data") or ():
        cells = {j: "" if value is None else str(value) for j, value in enumerate(row)}
        items.append(row_change(handlers, cells))
        keys.append(next((cells[j] for j, n in enumerate(names) if n in ("email", "phone") and cells.get(j)), ""))
    return command(items), keys


def command(items: list) -> UpsertCommand:
    """How a pull writes Unisender contacts: as importContacts matches them, statuses as the vendor had them.

    Lists merge (a membership is added or changes status, none is removed) and a status withdrawn
    here (unsubscribed, blocked) stays so: nothing the old vendor says lifts it.
    """
    return UpsertCommand(items=items, match=("email", "phone"), match_fallback=False, unique=("email", "phone"),
                         tags_mode="replace", invalid_lists="fail_item", on_deleted="restore", on_suppressed="block",
                         keep_account_unsubscribes=True, report_unchanged=True, source=SOURCE)
