"""An account's contact limit: a live-contact counter kept by every write, so no batch counts contacts.

`account.live_contacts` is maintained only for accounts that have a `contact_limit` (NULL
otherwise: an unlimited account pays nothing). Every change of a contact's liveness (created,
brought back, soft-deleted, erased) adjusts it in the same transaction, under the account's write
lock, so concurrent batches of one account see each other's counts exactly as they see each
other's contacts. Setting a limit counts once, under that lock.
"""
from __future__ import annotations

from . import db as store
from .schema import Account, Contact
from .sql_bulk import select_eq


def room(account_id: int, row) -> tuple[int | None, bool]:
    """(how many contacts the account may still gain, None: no limit; whether the counter is kept).

    `row`: the account as its batch's first read found it inside the write transaction
    (batch_start.read). A limited account whose counter was never set (a store older than the
    counter) is counted once here and keeps the counter from then on.
    """
    if row.contact_limit is None:
        return None, False
    live = row.live_contacts
    if live is None:
        live = _count(account_id)
        _store(account_id, live)
    return max(row.contact_limit - live, 0), True


def adjust(account_id: int, delta: int) -> None:
    """The account gained (or lost, negative) `delta` live contacts in the current transaction."""
    if delta:
        db = store.database()
        store.execute_later(f'UPDATE "account" SET "live_contacts" = "live_contacts" + {db.param} '
                            f'WHERE "id" = {db.param} AND "live_contacts" IS NOT NULL', (delta, account_id))


def track(account_id: int) -> None:
    """After the account's limit was set, changed or removed: count (or stop counting) its contacts.

    Takes the account's write lock, so no batch of the account is between its count and its write.
    """
    store.lock(f"account:{account_id}")
    limit = select_eq(Account, {"id": account_id}, ["id", "contact_limit"])[0].contact_limit
    _store(account_id, None if limit is None else _count(account_id))


def _count(account_id: int) -> int:
    return Contact.select().where((Contact.account == account_id) & Contact.deleted_at.is_null()).count()


def _store(account_id: int, live: int | None) -> None:
    Account.update(live_contacts=live).where(Account.id == account_id).execute()
