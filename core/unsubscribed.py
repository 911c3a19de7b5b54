"""Which addresses are unsubscribed anywhere in an account: what UpsertCommand.keep_account_unsubscribes consults."""
from __future__ import annotations

from . import db as store
from .schema import Contact, Database
from .sql_bulk import quote, select_where_in

UNSUBSCRIBED = "unsubscribed"


def in_account(account_id: int) -> tuple[str, list]:
    """SQL that keeps an account's contacts through the (database, email) index, and its parameter."""
    param = store.database().param
    sql = (f'{quote("database_id")} IN (SELECT {quote("id")} FROM {quote(Database._meta.table_name)} '
           f'WHERE {quote("account_id")} = {param})')
    return sql, [account_id]


def unsubscribed(account_id: int, emails) -> set[str]:
    """The normalised addresses among `emails` that some contact of the account (any database,
    removed ones included) holds with email status unsubscribed. One query for the whole batch."""
    wanted = sorted(set(emails))
    if not wanted:
        return set()
    where, params = in_account(account_id)
    rows = select_where_in(Contact, [("email", wanted)], where=f'{where} AND {quote("email_status")} = '
                           + store.database().param, params=params + [UNSUBSCRIBED], columns=["email"])
    return {row["email"] for row in rows}
