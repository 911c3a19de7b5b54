"""Canonical commands besides the upsert: what an adapter asks of the core, as plain data."""
from __future__ import annotations

from dataclasses import dataclass, field

from .contacts import ContactFilter
from .model import DatabaseRef


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
class GetLists:
    database: int | None = None
    kind: str | None = None


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


@dataclass
class DeleteList:
    number: object


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
    number: object


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
class GetAccount:
    pass


@dataclass
class StartJob:
    kind: str
    payload: dict


@dataclass
class GetJob:
    job_id: str
    with_items: bool = False
