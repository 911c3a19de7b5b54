"""A contact held in memory during one batch, and the rules that change it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from . import errors
from .model import LOCKED_STATUSES, UNSET, ContactChange, UpsertCommand

CONTACT_COLUMNS = (
    "account", "database", "email", "phone", "external_id", "email_status", "phone_status",
    "confirmed", "attrs", "fields", "channels", "source", "created_at", "updated_at", "deleted_at",
)


@dataclass(slots=True)
class Membership:
    list_id: int
    channel: str
    status: str
    subscribed_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    excluded_at: datetime | None = None
    attrs: dict = field(default_factory=dict)
    row_id: int | None = None
    dirty: bool = False


class ContactState:
    """A stored (or about to be stored) contact; every batch change goes through here."""

    __slots__ = ("row", "is_new", "dirty", "wiped", "memberships", "removed_memberships", "tags", "tags_dirty",
                 "original", "original_memberships", "original_tags")

    def __init__(self, row: dict, is_new: bool = False):
        self.row = row
        # The contact as read, to tell what the batch changed (core.change_events). A shallow copy is
        # enough: the rules replace the attrs, fields and channels mappings, they never edit them in place.
        self.original = None if is_new else dict(row)
        self.original_memberships: dict | None = None  # {(list id, channel): status}, once read
        self.original_tags: frozenset | None = None
        self.is_new = is_new
        self.dirty = is_new
        self.wiped = False  # a deleted contact brought back as a fresh one
        self.memberships: dict[tuple[int, str], Membership] = {}
        self.removed_memberships: list[int] = []
        self.tags: set[str] | None = None  # None until the batch loads or sets them
        self.tags_dirty = False

    @classmethod
    def create(cls, account_id: int, database_id: int, source: str, now: datetime) -> ContactState:
        state = cls({"id": None, "account": account_id, "database": database_id, "email": None, "phone": None,
                     "external_id": None, "email_status": None, "phone_status": None, "confirmed": True,
                     "attrs": {}, "fields": {}, "channels": {}, "source": source, "created_at": now,
                     "updated_at": now, "deleted_at": None}, True)
        return state

    @property
    def id(self) -> int | None:
        return self.row["id"]

    @property
    def deleted(self) -> bool:
        return self.row["deleted_at"] is not None

    def set(self, column: str, value) -> None:
        if self.row[column] != value:
            self.row[column] = value
            self.dirty = True

    def wipe(self, now: datetime) -> None:
        """Forget everything a deleted contact had: it comes back as a new contact."""
        keep = ("id", "account", "database", "source")
        for column in CONTACT_COLUMNS:
            if column not in keep:
                self.row[column] = {} if column in ("attrs", "fields", "channels") else None
        self.row.update(confirmed=True, created_at=now, updated_at=now)
        self.memberships.clear()
        self.tags = set()
        self.wiped = True
        self.dirty = True

    def restore(self) -> None:
        self.set("deleted_at", None)

    def soft_delete(self, now: datetime) -> None:
        self.set("deleted_at", now)


def merge_value(current, new, policy: str):
    """The stored value after a write under a merge policy; UNSET means "no change"."""
    if new is UNSET:
        return current
    if policy == "if_not_empty" and new in (None, ""):
        return current
    if policy == "if_empty" and current not in (None, ""):
        return current
    return new


def merge_map(current: dict, changes: dict, policy: str) -> dict:
    """`current` with `changes` merged in; None values clear keys. Returns a new dict."""
    if policy == "overwrite" and None not in changes.values() and UNSET not in changes.values():
        return {**current, **changes}  # the everyday case, without a call per key
    result = dict(current)
    for key, value in changes.items():
        merged = merge_value(result.get(key), value, policy)
        if merged is None:
            result.pop(key, None)
        else:
            result[key] = merged
    return result


def merge_nested(current: dict, changes: dict) -> dict:
    """`current` with values merged *into* its keys: a dict updates the stored dict key by key (None
    removes a key), a list appends the entries the stored list lacks. Returns a new dict."""
    result = dict(current)
    for key, value in changes.items():
        stored = result.get(key)
        if isinstance(value, dict):
            merged = {**stored} if isinstance(stored, dict) else {}
            for inner, inner_value in value.items():
                if inner_value is None:
                    merged.pop(inner, None)
                else:
                    merged[inner] = inner_value
            result[key] = merged
        elif isinstance(value, list):
            merged = list(stored) if isinstance(stored, list) else []
            merged += [entry for entry in value if entry not in merged]
            result[key] = merged
        elif value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def new_status(state: ContactState, column: str, requested, default: str, cmd: UpsertCommand,
               address_is_new: bool):
    """The status a channel ends with, and a warning code when a request was refused."""
    current = state.row[column]
    if address_is_new or current is None:
        return (requested or default), None
    if not requested or requested == current:
        return current, None
    allowed = cmd.status_changeable_from
    changeable = current not in LOCKED_STATUSES if allowed is None else current in allowed
    if changeable:
        return requested, None
    return current, errors.STATUS_LOCKED


def apply_identities(state: ContactState, item: ContactChange, ids: dict) -> dict:
    """Write the item's identities; returns {kind: (old, new)} for those that changed."""
    changed = {}
    if state.is_new:  # nothing stored yet: every given identity is simply set
        row = state.row
        for kind in ("email", "phone", "external_id"):
            value = ids.get(kind)
            if value is not None and kind not in item.clear_identities:
                row[kind] = value
                changed[kind] = (None, value)
        return changed
    for kind in ("email", "phone", "external_id"):
        if kind in item.clear_identities:
            value = None
        elif kind in ids:
            value = ids[kind]
        else:
            continue
        old = state.row[kind]
        if old != value:
            state.set(kind, value)
            changed[kind] = (old, value)
    return changed
