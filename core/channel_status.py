"""Setting the email status of every contact that holds an address: unsubscribe or resubscribe addresses.

An address-level decision (eSputnik's unsubscribed list, a preference centre) reaches every contact
of the account with that address, in one statement per batch of addresses.
"""
from __future__ import annotations

from . import db as store
from . import normalize
from .bulk_write import chunks
from .errors import CoreError
from .normalize import now
from .schema import Contact


def set_email_status(account_id: int, emails: list, status: str, only_from: tuple[str, ...] | None = None) -> int:
    """Give the live contacts holding these addresses `status` (only those now in `only_from`, when given).

    Values that are not addresses are skipped. Returns how many contacts changed.
    """
    wanted = set()
    for raw in emails:
        try:
            wanted.add(normalize.email(raw))
        except CoreError:
            continue
    changed = 0
    with store.write_transaction(f"account:{account_id}"):
        moment = now()
        for part in chunks(sorted(wanted), 1):
            query = Contact.update(email_status=status, updated_at=moment).where(
                (Contact.account == account_id) & Contact.email.in_(part) & Contact.deleted_at.is_null()
                & (Contact.email_status != status))
            if only_from is not None:
                query = query.where(Contact.email_status.in_(only_from))
            changed += query.execute()
    return changed
