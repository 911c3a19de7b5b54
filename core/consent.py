"""Account-wide email consent: withdrawing it everywhere, and lifting that withdrawal (core.unsubscribed reads it)."""
from __future__ import annotations

from . import catalog, events, identity, normalize
from . import db as store
from .model import ContactChange, DatabaseRef, ItemResult, UpsertCommand
from .schema import Contact
from .sql_bulk import quote, select_where_in
from .unsubscribed import UNSUBSCRIBED, in_account
from .upsert import upsert


def unsubscribe_everywhere(account_id: int, emails: list[str], database: int | DatabaseRef = 1,
                           remember_unknown: bool = True, source: str = "") -> list[ItemResult]:
    """Withdraw consent for addresses in the whole account, in one transaction.

    Every contact of the account holding one of the addresses, in every database and removed ones
    too, gets email status unsubscribed (a removed contact keeps the record, so adding the address
    again later cannot lift it). An address no contact holds is, with `remember_unknown`, stored as
    an unsubscribed contact of `database`, for the same reason. One result per address, in order:
    "updated" (held somewhere), "created" (remembered) or "skipped" (unknown, not remembered).
    """
    wanted = [normalize.email(e) for e in emails]
    with store.write_transaction(f"account:{account_id}"):
        target = catalog.database(account_id, database)
        where, params = in_account(account_id)
        holders = select_where_in(Contact, [("email", sorted(set(wanted)))], where=where, params=params,
                                  columns=["id", "database", "email", "email_status", "deleted_at", "updated_at"])
        _set_email_status(account_id, [row for row in holders if row["email_status"] != UNSUBSCRIBED], None,
                          UNSUBSCRIBED)
        held = {row["email"] for row in holders}
        unknown = [e for e in dict.fromkeys(wanted) if e not in held]
        created: dict[str, ItemResult] = {}
        if unknown and remember_unknown:
            batch = upsert(account_id, UpsertCommand(
                items=[ContactChange(identities={"email": e}, email_status=UNSUBSCRIBED) for e in unknown],
                database=target.number, source=source))
            created = dict(zip(unknown, batch.items))
        results = []
        for email in wanted:
            if email in created:
                results.append(created[email])
            elif email in held:
                live = identity.winner(r for r in holders if r["email"] == email and r["database"] == target.id
                                       and r["deleted_at"] is None)
                results.append(ItemResult("updated", contact_id=live["id"] if live else None, email=email,
                                          email_status=UNSUBSCRIBED))
            else:
                results.append(ItemResult("skipped", email=email))
        return results


def resubscribe_everywhere(account_id: int, emails: list[str], status: str = "active") -> int:
    """Lift a withdrawal made with unsubscribe_everywhere: every contact of the account holding one
    of the addresses with email status unsubscribed (any database, removed ones too) gets `status`.
    Returns how many contacts changed."""
    wanted = sorted({normalize.email(e) for e in emails})
    if not wanted:
        return 0
    with store.write_transaction(f"account:{account_id}"):
        where, params = in_account(account_id)
        holders = select_where_in(Contact, [("email", wanted)], where=f'{where} AND {quote("email_status")} = '
                                  + store.database().param, params=params + [UNSUBSCRIBED],
                                  columns=["id", "deleted_at"])
        return _set_email_status(account_id, holders, UNSUBSCRIBED, status)


def _set_email_status(account_id: int, holders: list, before: str | None, status: str) -> int:
    """Give the contacts (rows with id and deleted_at) this email status, a thousand per statement, and
    record the live ones' events (`before`: their status until now, None when it varies); returns how many."""
    moment = normalize.now()
    contact_ids = [row["id"] for row in holders]
    events.record_statuses(account_id, [row["id"] for row in holders if row["deleted_at"] is None], "email", before,
                           status, moment)
    for start in range(0, len(contact_ids), 1000):
        part = contact_ids[start:start + 1000]
        Contact.update(email_status=status, updated_at=moment).where(Contact.id.in_(part)).execute()
    return len(contact_ids)
