"""A batch's first read under its account's lock, in one statement: the account's limit, counter and catalogue version, and which of the batch's addresses are suppressed or unsubscribed."""
from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from . import db as store
from .unsubscribed import UNSUBSCRIBED

# A batch with more addresses than this asks about them apart (select_where_in splits long lists).
MAX_FOLDED = 5_000


@dataclass
class AccountRow:
    """The account columns a batch needs, and what it learnt of its addresses in the same read."""

    id: int
    contact_limit: int | None
    live_contacts: int | None
    catalog_version: int | None
    checked: frozenset = field(default=frozenset())  # the addresses the read asked about
    suppressed: frozenset = field(default=frozenset())  # ... those on the platform's suppression list
    unsubscribed: frozenset | None = None  # ... those unsubscribed in the account (None: not asked)


def read(account_id: int, emails=(), with_unsubscribed: bool = False) -> AccountRow:
    """The account's row, and of the normalised `emails` the suppressed (and the unsubscribed) ones."""
    db = store.database()
    p = db.param
    emails = sorted(set(emails))
    if len(emails) > MAX_FOLDED:
        emails = []
    aggregate = "json_group_array" if store.is_sqlite() else "json_agg"
    marks = ", ".join([p] * len(emails))
    params: list = []
    columns = ['"id"', '"contact_limit"', '"live_contacts"', '"catalog_version"']
    if emails:
        columns.append(f'(SELECT {aggregate}("email") FROM "suppression" WHERE "email" IN ({marks}))')
        params += emails
        if with_unsubscribed:
            columns.append(f'(SELECT {aggregate}(DISTINCT "email") FROM "contact" WHERE "database_id" IN '
                           f'(SELECT "id" FROM "database" WHERE "account_id" = {p}) AND "email_status" = {p} '
                           f'AND "email" IN ({marks}))')
            params += [account_id, UNSUBSCRIBED, *emails]
    found = db.execute_sql(f'SELECT {", ".join(columns)} FROM "account" WHERE "id" = {p}',
                           (*params, account_id)).fetchone()
    if found is None:
        raise LookupError(f"account {account_id} is gone")  # an authenticated account: cannot happen
    row = AccountRow(*found[:4])
    if emails:
        row.checked = frozenset(emails)
        row.suppressed = _addresses(found[4])
        if with_unsubscribed:
            row.unsubscribed = _addresses(found[5])
    return row


def _addresses(aggregated) -> frozenset:
    if aggregated is None:
        return frozenset()
    return frozenset(aggregated if isinstance(aggregated, list) else orjson.loads(aggregated))
