"""Contact ids from a client's old vendor: recorded by a pull, honoured wherever a call names a contact by id.

Contact ids here are one sequence for the whole store, so a pulled contact cannot keep the number
its vendor gave it (another account may hold it). The vendor's id is recorded beside the contact
instead, per account; a contact id a client sends is read as that account's old vendor id first,
then as an id of the gateway's own. Both stay valid: the scripts' stored ids and the ids the
gateway's answers show for contacts created here.
"""
from __future__ import annotations

from .schema import LegacyId
from .sql_bulk import insert_rows


def record(account_id: int, pairs: list[tuple[int, int]]) -> None:
    """(vendor id, contact id) pairs; an id already recorded moves to the contact given now."""
    rows = list({int(vendor): (account_id, int(vendor), contact) for vendor, contact in pairs}.values())
    insert_rows(LegacyId, ["account", "value", "contact"], rows, conflict=["account", "value"], update=["contact"])


def translate(account_id: int, values: list) -> dict:
    """{id as given: the contact id it names in this account}; ids no vendor gave stand for themselves."""
    numbers = sorted({v for v in values if isinstance(v, int) and not isinstance(v, bool)})
    if not numbers:
        return {}
    found = {row.value: row.contact_id for row in LegacyId.select(LegacyId.value, LegacyId.contact)
             .where((LegacyId.account == account_id) & LegacyId.value.in_(numbers))}
    return {n: found.get(n, n) for n in numbers}


def resolve(account_id: int, value):
    """One id as translate() reads it."""
    return translate(account_id, [value]).get(value, value)
