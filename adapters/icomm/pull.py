"""A pull from Icomm: each profile's ListFull pages (Email, Status, CustomFields) as upserts into its database.

Icomm's API has no field catalogue and no list of profiles: the profiles are the ProfileKeys the
operator names, and a field is known by the CustomFields keys its contacts carry (created here as
text when the account does not have it yet; a setup file gives them their types first).
"""
from __future__ import annotations

from core.model import DatabaseRef, UpsertCommand

from . import wire
from .save import contact_change

PAGE = 1000
SOURCE = "pull:icomm"
# Status letters read back (wire.STATUS_LETTERS folds the store's statuses into these three).
STATUS_FROM_LETTER = {wire.ACTIVE: "active", wire.REJECTED: "blocked", wire.UNSUBSCRIBED: "unsubscribed"}


def database(profile_key: str) -> dict:
    """A setup-file database for a profile (numbered by the account if it is new)."""
    return {"name": profile_key, "attrs": {wire.PROFILE_ATTR: profile_key}}


def field(name: str, profile_key: str) -> dict:
    """A setup-file field of the profile's database (named by its attrs: its number may be new here)."""
    return {"name": name, "database_attrs": {wire.PROFILE_ATTR: profile_key}}


def field_names(contacts) -> list[str]:
    """The CustomFields keys of a page, in first-seen order."""
    names: dict = {}
    for contact in contacts or ():
        for entry in (contact.get("CustomFields") or ()) if isinstance(contact, dict) else ():
            if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and entry["Key"].strip():
                names[entry["Key"].strip()] = True
    return list(names)


def page(contacts, profile_key: str) -> tuple[UpsertCommand, list]:
    """One ListFull answer as an upsert into the profile's database, and each contact's address."""
    items, keys = [], []
    for contact in contacts or ():
        change = contact_change(contact)
        letter = str(contact.get("Status") or "").strip().upper() if isinstance(contact, dict) else ""
        if change.error is None and letter in STATUS_FROM_LETTER:
            change.email_status = STATUS_FROM_LETTER[letter]
        items.append(change)
        keys.append(contact.get("Email") if isinstance(contact, dict) else "")
    return UpsertCommand(items=items, database=DatabaseRef(wire.PROFILE_ATTR, profile_key), match=("email",),
                         strict_field_types=True, unknown_fields="fail_item", keep_account_unsubscribes=True,
                         on_deleted="restore", on_suppressed="block", report_unchanged=True,
                         default_email_status="active", source=SOURCE), keys
