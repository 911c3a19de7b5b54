"""Reading contacts for the account's own code and its operator: one contact in full, identity search and
every contact, keyset-paged, each page a constant number of queries (the native API, the admin view
and the export all read through here)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from . import errors
from .contacts import ContactFilter, ContactView, _filtered, views
from .errors import CoreError
from .schema import Contact

MAX_PAGE = 1000


@dataclass
class Page:
    items: list
    next_after: int | None  # the keyset cursor of the next page (the last id of this one); None: last page


def detail(account_id: int, contact_id: int) -> ContactView:
    """One contact with identities, statuses, fields by name, lists, tags and times; removed ones too.

    Another account's contact id is "not found", exactly as an id nobody has.
    """
    try:
        wanted = int(contact_id)
    except (TypeError, ValueError):
        wanted = 0
    rows = list(Contact.select().where((Contact.id == wanted) & (Contact.account == account_id)).dicts())
    if not rows:
        raise CoreError(errors.NOT_FOUND, f"Contact {contact_id} not found", contact=str(contact_id))
    return views(account_id, rows)[0]


def search(account_id: int, email: str | None = None, phone: str | None = None, external_id: str | None = None,
           after: int = 0, limit: int = 100, include_deleted: bool = False) -> Page:
    """Contacts of every database of the account with these identities (all given must match), by id.

    Keyset paging: `after` is the last id of the previous page (0: from the start), so pages stay
    stable while contacts come and go. An email or phone that cannot be normalised matches nothing.
    """
    limit = max(1, min(int(limit), MAX_PAGE))
    flt = ContactFilter(database=None, email=email, phone=phone, external_id=external_id, id_after=after or None,
                        include_deleted=include_deleted)
    rows = list(_filtered(account_id, flt).order_by(Contact.id).limit(limit + 1).dicts())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(views(account_id, rows), rows[-1]["id"] if more else None)


def every(account_id: int, batch: int = 1000, include_deleted: bool = False) -> Iterator[list[ContactView]]:
    """Every contact of the account in id order, a page of `batch` at a time (constant memory)."""
    after = 0
    while True:
        page = search(account_id, after=after, limit=batch, include_deleted=include_deleted)
        if page.items:
            yield page.items
        if page.next_after is None:
            return
        after = page.next_after


def count(account_id: int, include_deleted: bool = False) -> int:
    return _filtered(account_id, ContactFilter(database=None, include_deleted=include_deleted)).count()
