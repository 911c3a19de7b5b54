"""Taking one contact out of lists: exclude (may come back) or unsubscribe (consent withdrawn)."""
from __future__ import annotations

from . import catalog, errors, events, identity, normalize
from . import db as store
from .contacts import identity_holders
from .errors import CoreError
from .schema import Contact, ContactList, Membership


def change(account_id: int, kind: str, value, status: str, lists: list[int] | None = None,
           channel: str | None = None, database: int = 1) -> int:
    """Set the contact's memberships in `lists` (all when None) to `status`; returns how many changed.

    Raises CoreError(contact_not_found) when the contact does not exist or is in none of the lists.
    """
    with store.write_transaction(f"account:{account_id}"):
        db_row = catalog.database(account_id, database)
        list_ids = None
        if lists is not None:
            rows = list(ContactList.select(ContactList.id, ContactList.number, ContactList.attrs).where(
                (ContactList.database == db_row.id) & (ContactList.space == "list") & ContactList.number.in_(lists)))
            missing = sorted(set(lists) - {r.number for r in rows})
            if missing:
                raise CoreError(errors.UNKNOWN_LIST, f"List not found: {','.join(map(str, missing))}", ids=missing)
            refused = sorted(r.number for r in rows if catalog.read_only(r.attrs))
            if refused:
                raise CoreError(errors.LIST_READ_ONLY, f"List {','.join(map(str, refused))} cannot be written to",
                                ids=refused)
            list_ids = [r.id for r in rows]
        contact = identity.winner(identity_holders(account_id, kind, [value], database, include_deleted=False)[2]
                                  .select(Contact.id, Contact.deleted_at, Contact.updated_at).dicts())
        if contact is None:
            raise CoreError(errors.CONTACT_NOT_FOUND, f'Contact "{value}" not found', value=value)
        query = Membership.select(Membership, ContactList.id, ContactList.attrs).join(ContactList).where(
            Membership.contact == contact["id"])
        if list_ids is not None:
            query = query.where(Membership.list.in_(list_ids))
        if channel is not None:
            query = query.where(Membership.channel == channel)
        # Every list of the contact (lists=None) means those that take a change from the API.
        memberships = [m for m in query if not catalog.read_only(m.list.attrs)]
        if not memberships:
            raise CoreError(errors.CONTACT_NOT_FOUND, f'Contact "{value}" not found', value=value)
        now = normalize.now()
        stamp = {"unsubscribed": "unsubscribed_at", "excluded": "excluded_at"}.get(status)
        ids = [m.id for m in memberships if m.status != status]
        events.record(events.membership_rows(account_id, [(contact["id"], m.list_id, m.channel, m.status, status)
                                                          for m in memberships if m.status != status], now))
        if ids:
            values = {"status": status, "updated_at": now}
            if stamp:
                values[stamp] = now
            Membership.update(**values).where(Membership.id.in_(ids)).execute()
            Contact.update(updated_at=now).where(Contact.id == contact["id"]).execute()
        return len(ids)
