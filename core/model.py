"""Canonical commands and results: what every dialect's request becomes and what comes back."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import ids
from .errors import CoreError

# System attributes a contact may carry, by canonical name (stored in Contact.attrs).
SYSTEM_ATTRS = frozenset({
    "first_name", "last_name", "middle_name", "birth_date", "gender", "language", "timezone",
    "address", "town", "city", "region", "postcode", "country", "reg_date", "reg_ip", "reg_city",
    "reg_country", "reg_url", "ip", "vendor", "email_availability", "phone_availability",
    "email_added_at", "email_request_ip", "email_confirmed_at", "email_confirm_ip",
    "phone_added_at", "phone_request_ip", "contact_key", "orders_info", "consent",
    "subscriptions",  # keys of the subscription categories (topics) the contact chose
})

# Statuses of an address (email, phone): what an item may ask for and what a contact may carry.
CHANNEL_STATUSES = frozenset({
    "new", "invited", "active", "inactive", "unsubscribed", "blocked", "activation_requested",
})
# Statuses an import never lifts by itself: consent withdrawn or the platform refused the address.
LOCKED_STATUSES = frozenset({"unsubscribed", "blocked"})




class _Unset:
    def __repr__(self):
        return "UNSET"

    def __bool__(self):
        return False


UNSET: Any = _Unset()  # "not supplied": leave the stored value alone (None means clear it)


@dataclass(frozen=True, slots=True)
class DatabaseRef:
    """A database named by one of its attributes instead of its number (e.g. a profile key).

    Wherever a command takes a database number it may take this instead; `catalog.database`
    resolves it within the caller's account only, so another account's value names nothing.
    """

    attr: str
    value: str


@dataclass(slots=True)
class ListChange:
    """Put a contact into a list (or take it out) for one channel."""

    list: int | str  # the list number in the account's id space, or its title (create_missing)
    # subscribed | unsubscribed | excluded | suspended | removed; None: subscribed when the
    # membership is new, otherwise its status stays (only attrs and address change)
    status: str | None = "subscribed"
    channel: str = "email"
    at: datetime | None = None
    attrs: dict | None = None  # merged into Membership.attrs (priority, categories, ...); dict values key by key
    address: str | None = None  # where this membership delivers (a subscription's own email, phone, token)
    kind: str | None = None  # the list must be of this kind (ContactList.kind); None: any
    optional: bool = False  # an invalid list reference drops this change instead of failing the item


@dataclass(frozen=True, slots=True)
class Lookup:
    """One way to find the stored contact of an item, apart from the identities the item writes.

    kind: id | profile_id | email | phone | external_id (the contact's own identities), field (the
    item's custom_match), or member: a list membership whose address is `value` (as the adapter
    wrote it into ListChange.address), on one of `channels` (() any), in one of the lists numbered
    `lists` (() any list of the database).
    """

    kind: str
    value: Any = None
    channels: tuple[str, ...] = ()
    lists: tuple[int, ...] = ()
    list_kind: str | None = None  # the id space `lists` are numbered in (catalog.space_of)


MEMBERSHIP_ADDRESS = "address"  # the Membership.attrs key that holds ListChange.address


@dataclass(slots=True)
class ContactChange:
    """One item of an upsert: identities to match, values to write, list and tag operations."""

    identities: dict[str, Any] = field(default_factory=dict)  # id|email|phone|external_id
    custom_match: tuple[Any, Any] | None = None  # (field ref, value) for matching by a custom field
    match: tuple[str, ...] | None = None  # per-item match order; None: the command's
    lookups: tuple[Lookup, ...] = ()  # when given: tried in order to find the contact, instead of `match`
    attrs: dict[str, Any] = field(default_factory=dict)  # SYSTEM_ATTRS; None clears
    fields: dict[Any, Any] = field(default_factory=dict)  # field name or number -> value; None clears
    replace_fields: bool = False  # custom fields not given are cleared
    channels: dict[str, Any] = field(default_factory=dict)  # extra channels; None clears
    tags: list[str] | None = None
    email_status: str | None = None
    phone_status: str | None = None
    confirmed: bool | None = None
    lists: list[ListChange] = field(default_factory=list)
    lists_mode: str | None = None  # None: the command's lists_mode
    replace_lists_of: tuple[str, ...] = ()  # replace memberships of these channels only
    delete: bool = False
    clear_identities: tuple[str, ...] = ()  # identities to remove (a client said the field is now empty)
    merge_attrs: dict[str, Any] | None = None  # attrs merged into, not replaced: dicts by key, lists appended
    error: CoreError | None = None  # set by an adapter that already knows this item is bad
    warnings: list[tuple[str, str]] = field(default_factory=list)  # adapter-found warnings


@dataclass
class EventSpec:
    """Workflow events to write for the items of an upsert (names are the dialect's)."""

    on_create: str | None = None
    on_update: str | None = None
    key: str = "contact_id"  # contact_id | email_or_phone
    params: dict[str, str] = field(default_factory=dict)  # event param name -> contact_id|email|phone
    omit_empty: tuple[str, ...] = ()  # params left out, rather than sent empty, when the contact lacks the value


@dataclass
class UpsertCommand:
    """An ordered batch of contact changes against one database of one account."""

    items: list[ContactChange]
    database: int | DatabaseRef = 1
    match: tuple[str, ...] = ("email",)  # identities tried in order to find the stored contact
    match_fallback: bool = True  # on a miss try the next identity (False: only the first one given)
    mode: str = "upsert"  # upsert | create | update
    unique: tuple[str, ...] = ()  # identities that must stay unique (a clash fails the item)
    field_key: str = "name"  # how ContactChange.fields refers to fields: name | name_ci | number
    field_merge: str = "overwrite"  # overwrite | if_empty | if_not_empty
    strict_field_types: bool = False  # check and convert values by field type (else stored as given)
    unknown_fields: str = "error"  # error (whole request) | fail_item | ignore
    tags_mode: str = "add"  # add | replace
    lists_mode: str = "merge"  # merge | replace (memberships not mentioned are removed)
    create_missing_lists: bool = False  # lists named by title are created on demand
    invalid_lists: str = "error"  # an unknown or unfitting list: error (whole request) | fail_item
    new_list_kind: str = "list"  # the kind of the lists created on demand (ContactList.kind)
    resubscribe: bool = False  # may a plain "subscribed" lift an unsubscribed membership
    on_deleted: str = "recreate"  # recreate | restore | skip
    status_changeable_from: frozenset | None = None  # None: anything but LOCKED_STATUSES
    default_email_status: str = "active"
    default_phone_status: str = "active"
    default_confirmed: bool = True
    # What an item may change on a contact that already exists (core/update_scope.py); a new contact
    # takes everything the item gives.
    keep_identities: tuple[str, ...] = ()  # identities it keeps once it has them ("field": the custom_match field)
    update_only: frozenset[str] | None = None  # identities, attrs and channel types it may change (None: all given)
    update_fields: frozenset | None = None  # custom fields (refs as in ContactChange.fields) it may change
    on_suppressed: str = "block"  # block (store as blocked, warn) | fail
    # An address new to this database that is unsubscribed in any database of the account (removed
    # contacts included) starts unsubscribed: consent withdrawn once is not lifted by an import.
    keep_account_unsubscribes: bool = False
    skip_statuses: frozenset = frozenset()  # existing contacts with one of these email statuses stay untouched
    max_tags: int | None = None
    source: str = ""
    events: EventSpec | None = None
    default_phone_region: str | None = None
    report_unchanged: bool = False  # an existing contact the item leaves as it was is "unchanged", not "updated"
    note: Any = None  # the adapter's own data for rendering the answer; the core never reads it


@dataclass(slots=True)
class ItemResult:
    outcome: str  # created | updated | deleted | unchanged | skipped | failed
    contact_id: int | None = None
    error: CoreError | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)
    email: str | None = None
    phone: str | None = None
    external_id: str | None = None
    email_status: str | None = None
    restored: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome != "failed"

    @property
    def profile_id(self) -> str | None:
        return ids.profile_id(self.contact_id) if self.contact_id else None


@dataclass
class BatchResult:
    items: list[ItemResult]
    rows: dict = field(default_factory=dict, repr=False)  # contact id -> its row as the batch left it
    catalog: Any = field(default=None, repr=False)  # the catalog_cache.Catalog the batch resolved against
    # contact id -> (its memberships, its tags), each None unless the batch knows them all (it
    # created the contact, or read them): contact_state.Membership objects, tag names
    details: dict = field(default_factory=dict, repr=False)

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.items if item.outcome == outcome)
