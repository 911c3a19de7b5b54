"""Finding contacts by lookups (core.model.Lookup): in bulk for a batch, or one contact for a read.

A lookup names a contact apart from the identities an item writes (match by one email, write
another), and can find it by the address one of its list memberships delivers to: a
subscription's own email, phone or device token, which need not be the contact's own. Membership
addresses live in Membership.attrs["address"] under an expression index (migration 2), so a batch
finds every contact its member lookups name in one query, however many items it has.
"""
from __future__ import annotations

from collections import defaultdict

from . import catalog, contact_limit, errors, events, identity, legacy_ids, normalize
from . import db as store
from .contacts import ContactView, contact_view
from .errors import CoreError
from .field_values import FieldResolver, match_text
from .model import MEMBERSHIP_ADDRESS, ContactChange, ItemResult, Lookup, UpsertCommand
from .schema import Contact, ContactList, Membership
from .sql_bulk import quote, select_where_in

PROFILE_KINDS = identity.COLUMNS
ADDRESS_INDEX = "membership_address"


def address_sql(table: str | None = "membership") -> str:
    """SQL for a membership's address: the index's own expression, so both backends use the index
    (an index expression may not name its table; a query may, and still matches it)."""
    column = f'{quote(table)}."attrs"' if table else '"attrs"'
    if store.is_sqlite():
        return f"json_extract({column}, '$.{MEMBERSHIP_ADDRESS}')"
    return f"({column}::json ->> '{MEMBERSHIP_ADDRESS}')"


def create_address_index(database) -> None:
    """Migration 2: index membership addresses (most memberships have none; their entry is NULL)."""
    database.execute_sql(f"CREATE INDEX IF NOT EXISTS {ADDRESS_INDEX} ON membership ({address_sql(None)})")


def normalised(lookup: Lookup, region: str | None = None) -> tuple[str, object]:
    """(kind, value) as the store holds it; raises CoreError for an identity that cannot be one."""
    if lookup.kind in ("member", "field"):
        return lookup.kind, lookup.value
    if lookup.kind not in (*PROFILE_KINDS, "profile_id"):
        raise ValueError(f"unknown lookup kind {lookup.kind!r}")
    return identity.column(lookup.kind), identity.stored(lookup.kind, lookup.value, region)


def list_ids(database_id: int, refs: set[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """{(space, number): list id} for the references that name lists of the database."""
    if not refs:
        return {}
    query = ContactList.select(ContactList.id, ContactList.space, ContactList.number).where(
        (ContactList.database == database_id) & ContactList.number.in_(sorted({n for _, n in refs})))
    return {(row.space, row.number): row.id for row in query if (row.space, row.number) in refs}


def list_refs(lookup: Lookup) -> set[tuple[str, int]]:
    space = catalog.space_of(lookup.list_kind)
    return {(space, number) for number in lookup.lists}


def member_contacts(database_id: int, addresses: set[str]) -> set[int]:
    """Ids of the contacts of a database holding a membership with one of the addresses."""
    if not addresses:
        return set()
    database = store.database()
    found: set[int] = set()
    values = sorted(addresses)
    size = max(1, store.max_params() - 1)
    for start in range(0, len(values), size):
        chunk = values[start:start + size]
        sql = (f'SELECT DISTINCT "membership"."contact_id" FROM "membership" JOIN "contact" '
               f'ON "contact"."id" = "membership"."contact_id" WHERE "contact"."database_id" = {database.param} '
               f"AND {address_sql()} IN ({', '.join([database.param] * len(chunk))})")
        found.update(row[0] for row in database.execute_sql(sql, [database_id, *chunk]).fetchall())
    return found


def _holds(memberships, address, channels: tuple, lists: set | None) -> bool:
    """Does one of the memberships deliver to `address` on one of `channels` in one of `lists`?"""
    for membership in memberships:
        if ((membership.attrs or {}).get(MEMBERSHIP_ADDRESS) == address
                and (not channels or membership.channel in channels)
                and (lists is None or membership.list_id in lists)):
            return True
    return False


class BatchLookups:
    """The lookups of one upsert batch: normalised once, loaded in bulk, matched in memory.

    Matching sees the batch's own changes: a membership address written by an earlier item finds
    that item's contact for a later one.
    """

    def __init__(self, database_id: int, region: str | None = None):
        self.database_id = database_id
        self.region = region
        self.keys: dict[int, list[tuple[str, object, Lookup]]] = {}
        self.list_ids: dict[int, int] = {}
        self.by_address: dict = defaultdict(list)  # address -> contact states that had it
        self.uses_members = False

    def prepare(self, items, results) -> None:
        """Normalise every item's lookups; an item with an unusable one fails now."""
        for position, item in enumerate(items):
            if not item.lookups or results[position] is not None:
                continue
            try:
                self.keys[position] = [(*normalised(lookup, self.region), lookup) for lookup in item.lookups]
            except CoreError as exc:
                results[position] = ItemResult("failed", error=exc, warnings=list(item.warnings))
        self.uses_members = any(kind == "member" for keys in self.keys.values() for kind, _, _ in keys)

    def wanted(self) -> list[dict]:
        """What the lookups need loaded, as identity dicts the batch reads with its own (the contacts
        member lookups find are read by id: one query finds them all)."""
        wanted, addresses, numbers = [], set(), set()
        for keys in self.keys.values():
            for kind, value, lookup in keys:
                if kind in PROFILE_KINDS:
                    wanted.append({kind: value})
                elif kind == "member":
                    addresses.add(value)
                    numbers.update(list_refs(lookup))
        if addresses:
            self.list_ids = list_ids(self.database_id, numbers)
            wanted += [{"id": contact_id} for contact_id in member_contacts(self.database_id, addresses)]
        return wanted

    def index(self, state) -> None:
        """Remember the addresses of a contact's memberships (after loading or changing them)."""
        for membership in state.memberships.values():
            address = (membership.attrs or {}).get(MEMBERSHIP_ADDRESS)
            if address is not None:
                holders = self.by_address[address]
                if state not in holders:
                    holders.append(state)

    def candidates(self, position: int, ids: dict, index: dict) -> list:
        """The contacts the first fruitful lookup of an item finds (the batch's `index` for identities)."""
        for kind, value, lookup in self.keys.get(position, ()):
            if kind == "member":
                lists = None
                if lookup.lists:
                    lists = {self.list_ids[ref] for ref in list_refs(lookup) if ref in self.list_ids}
                found = [s for s in self.by_address.get(value, ())
                         if _holds(s.memberships.values(), value, lookup.channels, lists)]
            elif kind == "field":
                found = index["field"].get(ids["field"]) if "field" in ids else None
            else:
                found = index[kind].get(value)
            if found:
                return found
        return []


def locate(account_id: int, database: int, lookups: tuple[Lookup, ...], custom_match=None,
           include_deleted: bool = False, field_key: str = "name", known=None) -> int:
    """The id of the contact locate_row finds."""
    return locate_row(account_id, database, lookups, custom_match, include_deleted, field_key, known)["id"]


def locate_row(account_id: int, database: int, lookups: tuple[Lookup, ...], custom_match=None,
               include_deleted: bool = False, field_key: str = "name", known=None) -> dict:
    """The stored row (every column, as a batch reads it) of the contact the first fruitful lookup
    finds (identity.winner of several holders).

    Deleted contacts only with `include_deleted`; a field lookup compares `custom_match` (field
    ref, value) with refs resolved as a batch with this `field_key` resolves them. A handful of
    queries whatever the lookups; raises CoreError(contact_not_found) when none finds one. `known`:
    the account's catalogue (core.catalog_cache) when the caller holds it.
    """
    db_row = catalog.database(account_id, database) if known is None else known.database(database)
    keys = [(*normalised(lookup), lookup) for lookup in lookups]
    # An id the client holds may be its old vendor's (core/legacy_ids.py); profile ids are ours.
    own = legacy_ids.translate(account_id, [value for _, value, lookup in keys if lookup.kind == "id"])
    keys = [(kind, own.get(value, value) if lookup.kind == "id" else value, lookup) for kind, value, lookup in keys]
    field_key_text = None
    if custom_match is not None and any(kind == "field" for kind, _, _ in keys):
        ref, value = custom_match
        fields = FieldResolver(db_row, UpsertCommand([], field_key=field_key))
        fields.load([ContactChange(custom_match=custom_match)],
                    None if known is None else known.fields.get(db_row.id, ()))
        field_key_text = (fields.key(ref), match_text(value))
    addresses = {value for kind, value, _ in keys if kind == "member"}
    numbers = {ref for kind, _, lookup in keys if kind == "member" for ref in list_refs(lookup)}
    numbered = list_ids(db_row.id, numbers)
    holders = member_contacts(db_row.id, addresses)
    conditions = defaultdict(set)
    for kind, value, _ in keys:
        if kind in PROFILE_KINDS:
            conditions[kind].add(value)
    conditions["id"] |= holders
    parts = [(kind, sorted(values)) for kind, values in conditions.items() if values]
    if field_key_text is not None:
        parts.append((store.json_text_sql("fields", field_key_text[0]), [field_key_text[1]]))
    where = f'"database_id" = {store.database().param}' + ("" if include_deleted else ' AND "deleted_at" IS NULL')
    rows = select_where_in(Contact, parts, where=where, params=[db_row.id]) if parts else []
    memberships = _memberships([row["id"] for row in rows]) if addresses else {}
    for kind, value, lookup in keys:
        if kind == "member":
            lists = {numbered[r] for r in list_refs(lookup) if r in numbered} if lookup.lists else None
            found = [r for r in rows if _holds(memberships.get(r["id"], ()), value, lookup.channels, lists)]
        elif kind == "field":
            key, text = field_key_text or (None, None)
            found = [r for r in rows if key in r["fields"] and match_text(r["fields"][key]) == text]
        else:
            found = [r for r in rows if r[kind] == value]
        if found:
            return identity.winner(found)
    raise CoreError(errors.CONTACT_NOT_FOUND, "Contact not found")


def delete_located(account_id: int, database: int, lookups: tuple[Lookup, ...], custom_match=None,
                   erase: bool = True) -> ContactView:
    """Delete the contact `locate` finds (erase: with its memberships and tags, for good); returns it as it was."""
    with store.write_transaction(f"account:{account_id}"):
        view = contact_view(account_id, locate(account_id, database, lookups, custom_match))
        contact_limit.adjust(account_id, -1)  # locate finds live contacts only
        moment = normalize.now()
        if view.deleted_at is None or erase:
            events.record_deleted(account_id, [view.id], erase, moment)
        if erase:
            Contact.delete().where(Contact.id == view.id).execute()
        else:
            Contact.update(deleted_at=moment, updated_at=moment).where(Contact.id == view.id).execute()
    return view


def _memberships(contact_ids_: list[int]) -> dict[int, list]:
    result: dict[int, list] = defaultdict(list)
    if contact_ids_:
        for row in Membership.select().where(Membership.contact.in_(contact_ids_)):
            result[row.contact_id].append(row)
    return result
