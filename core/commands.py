"""Canonical commands besides the upsert: what an adapter asks of the core, as plain data."""
from __future__ import annotations

from dataclasses import dataclass, field

from .contacts import ContactFilter
from .model import DatabaseRef, UpsertCommand


@dataclass
class ChangeMemberships:
    kind: str  # email | phone | id
    value: str
    status: str  # excluded | unsubscribed
    lists: list[int] | None = None  # None: every list
    channel: str | None = None
    database: int = 1


@dataclass
class FindContact:
    kind: str
    value: object
    database: int | None = 1
    include_deleted: bool = False


@dataclass
class FindContacts:
    """Several contacts by one identity kind, in one query; absent values are simply missing."""

    kind: str
    values: list
    database: int | None = 1
    include_deleted: bool = False


@dataclass
class LocateContact:
    """The one live contact that lookups find (core.model.Lookup; the first fruitful one wins)."""

    lookups: tuple
    database: int = 1
    custom_match: tuple | None = None  # (field name, value) for a lookup of kind "field"
    field_key: str = "name"  # how custom_match names its field, as UpsertCommand.field_key


@dataclass
class DeleteLocated:
    """Delete the contact LocateContact would find; erase removes it with its memberships for good."""

    lookups: tuple
    database: int = 1
    custom_match: tuple | None = None
    erase: bool = True


@dataclass
class DeleteContacts:
    """Soft-delete (or erase for good) the contacts named by identity values, in order."""

    kind: str
    values: list
    database: int | None = 1
    erase: bool = False


@dataclass
class UnsubscribeEverywhere:
    """Withdraw email consent for addresses in the whole account (see core.consent); unknown
    addresses are remembered as unsubscribed contacts of `database` when asked."""

    emails: list
    database: int | DatabaseRef = 1
    remember_unknown: bool = True
    source: str = ""


@dataclass
class SearchContacts:
    filter: ContactFilter = field(default_factory=ContactFilter)
    offset: int = 0
    limit: int | None = 100
    with_details: bool = True
    with_total: bool = False


@dataclass
class CountContacts:
    filter: ContactFilter = field(default_factory=ContactFilter)


@dataclass
class GetAccount:
    """The calling account itself (id, name, limits)."""


@dataclass
class GetDatabases:
    """Every database of the account, by number."""


@dataclass
class GetLists:
    database: int | None = None
    kind: str | None = None
    number: int | None = None  # only this list (unknown_list when the account has none)
    with_counts: bool = False  # each row's `members`: its live contacts subscribed for email (one grouped query)


@dataclass
class CreateList:
    title: str
    database: int = 1
    kind: str = "list"
    attrs: dict | None = None
    unique_title: bool = True


@dataclass
class UpdateList:
    number: object
    title: str | None = None
    attrs: dict | None = None
    kind: str | None = None  # names the id space the number is in (catalog.space_of)


@dataclass
class DeleteList:
    number: object
    kind: str | None = None


@dataclass
class GetFields:
    database: int = 1


@dataclass
class CreateField:
    name: str
    type: str = "string"
    database: int = 1
    public_name: str | None = None
    allowed_values: list | None = None
    attrs: dict | None = None


@dataclass
class UpdateField:
    number: object
    name: str | None = None
    public_name: str | None = None
    attrs: dict | None = None


@dataclass
class DeleteField:
    number: object = None
    name: str | None = None  # instead of the number: the field of this name (exact, else any case)
    database: int = 1


@dataclass
class GetTags:
    pass


@dataclass
class DeleteTag:
    number: object


@dataclass
class AttachToList:
    """Subscribe the contacts named by `kind` values to a list; all or nothing."""

    list: object  # the list number in the account's id space
    kind: str  # id | external_id
    values: list


@dataclass
class DetachFromList:
    """Take the contacts named by `kind` values out of a list; values None: every member."""

    list: object
    kind: str = "id"
    values: list | None = None


@dataclass
class ResubscribeEverywhere:
    """Lift an account-wide withdrawal of email consent for addresses (see core.consent)."""

    emails: list
    status: str = "active"


@dataclass
class StartJob:
    kind: str
    payload: dict
    max_active: int | None = None  # refused (too_many_active_jobs) when this many are queued or running
    active_kinds: tuple[str, ...] = ()  # the job kinds that count towards max_active (default: this kind)
    lists: list = field(default_factory=list)  # list numbers the job writes to: each must exist, or nothing starts
    input: bytes | None = field(default=None, repr=False)  # bytes the job reads again (a request body)
    total: int | None = None  # how many items the job has, when its payload does not list them


@dataclass
class UpsertAndRead:
    """An upsert whose answer also carries its contacts as stored afterwards, read in the same transaction."""

    upsert: UpsertCommand
    # Find the (single) item's contact by `lookups` first (lookups.locate, as LocateContact; field
    # refs resolved as the upsert resolves them). The item then updates that contact by id, so the
    # identities it writes may differ from the one that found it (a changed email).
    lookups: tuple = ()
    custom_match: tuple | None = None  # (field name, value) for a lookup of kind "field"
    if_missing: str = "create"  # when the lookups find nothing: create (the item as it is) | fail (not found)
    locate_deleted: bool = True  # may they find a deleted contact (to restore it)


@dataclass
class GetJob:
    job_id: str
    with_items: bool = False
    with_output: bool = False  # also the job's stored output (JobBlob), when it has one


# -- reads of the account's own code (the native API) ------------------------------------------------
@dataclass
class GetContactDetail:
    """One contact in full by id (core.contact_reads.detail); removed ones too."""

    contact_id: int


@dataclass
class SearchContactPage:
    """Contacts by identity (every given one must match), keyset-paged (core.contact_reads.search)."""

    email: str | None = None
    phone: str | None = None
    external_id: str | None = None
    after: int = 0
    limit: int = 100


@dataclass
class ReadEvents:
    """The change feed after an event id (core.events.feed)."""

    after: int = 0
    limit: int = 100
    types: list[str] | None = None


@dataclass
class ListImports:
    """The account's asynchronous jobs of every dialect, newest first (core.imports.page)."""

    before: tuple | None = None  # (created_at, job id) of the previous page's last job
    limit: int = 50


@dataclass
class ReadImport:
    """One job with a page of its per-item report (core.imports.detail)."""

    job_id: str
    items_from: int = 0
    items_limit: int = 100
