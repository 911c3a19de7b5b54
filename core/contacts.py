"""Reading contacts: look-ups by identity, filtered search, counts and export pages, all in bulk."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import peewee as pw

from . import catalog, errors, identity, ids, legacy_ids
from . import db as store
from .errors import CoreError
from .field_values import match_text
from .schema import Contact, ContactList, ContactTag, FieldDef, Membership, Tag
from .sql_bulk import select_where_in


@dataclass
class MembershipView:
    list: int  # the list number in the account's id space
    channel: str
    status: str
    subscribed_at: datetime | None
    unsubscribed_at: datetime | None
    excluded_at: datetime | None
    attrs: dict
    title: str = ""
    kind: str = "list"  # the list's kind (list, segment, resource, ...)
    space: str = "list"  # the id space its number belongs to (see catalog.space_of)


@dataclass
class ContactView:
    id: int
    profile_id: str
    database: int
    email: str | None
    phone: str | None
    external_id: str | None
    email_status: str | None
    phone_status: str | None
    confirmed: bool
    attrs: dict
    fields: dict  # field name -> value
    fields_by_number: dict  # field number -> value
    channels: dict
    source: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    tags: list[str] = field(default_factory=list)
    memberships: list[MembershipView] = field(default_factory=list)
    field_types: dict = field(default_factory=dict)  # field name -> type, shared by a page's contacts
    catalog: list = field(default_factory=list)  # the FieldDefs of the contact's database, by number (shared)


@dataclass
class ContactFilter:
    database: int | None = 1
    ids: list[int] | None = None
    list: int | None = None  # a list number
    list_kind: str | None = None  # the id space of `list` (catalog.space_of)
    list_statuses: tuple[str, ...] = ("subscribed", "unsubscribed")
    channel: str | None = None
    tag: int | None = None  # a tag number
    tag_name: str | None = None
    email: str | None = None
    phone: str | None = None
    external_id: str | None = None
    email_status: str | None = None
    phone_status: str | None = None
    search: str | None = None
    has: str | None = None  # "email" | "phone": only contacts with that channel
    attrs: dict | None = None  # system attributes (first_name, ...) equal to these, case-insensitively
    field_equals: tuple[str, object] | None = None  # (custom field name, any case; value): its holders only
    created_from: datetime | None = None  # created at or after
    updated_from: datetime | None = None  # changed at or after
    id_after: int | None = None  # ids above this one only (keyset paging: stable while contacts come and go)
    include_deleted: bool = False


def identity_holders(account_id: int, kind: str, values: list, database: int | None, include_deleted: bool):
    """({given value: its stored value}, the values that cannot be a `kind` identity and so name no
    contact, the query for the holders of the others). Ids are read as the account's old vendor ids
    first (core/legacy_ids.py)."""
    stored, rejected = {}, []
    for value in values:
        try:
            stored[value] = identity.stored(kind, value)
        except CoreError:
            rejected.append(value)
    if kind == "id":  # an id the client holds may be its old vendor's (core/legacy_ids.py)
        own = legacy_ids.translate(account_id, list(stored.values()))
        stored = {value: own.get(number, number) for value, number in stored.items()}
    column = getattr(Contact, identity.column(kind))
    query = Contact.select().where((Contact.account == account_id) & column.in_(sorted(set(stored.values()), key=str)
                                                                                or [None]))
    if database is not None:
        query = query.where(Contact.database == catalog.database(account_id, database).id)
    if not include_deleted:
        query = query.where(Contact.deleted_at.is_null())
    return stored, rejected, query


def find(account_id: int, kind: str, value, database: int | None = 1, include_deleted: bool = False,
         with_details: bool = True) -> ContactView:
    """The one contact with an identity (identity.winner of its holders); raises when none."""
    _, _, query = identity_holders(account_id, kind, [value], database, include_deleted)
    row = identity.winner(query.dicts())
    if row is None:
        raise CoreError(errors.CONTACT_NOT_FOUND, f'Contact "{value}" not found', value=value)
    return views(account_id, [row], with_details)[0]


def find_many(account_id: int, kind: str, values: list, database: int | None = 1,
              include_deleted: bool = False) -> dict:
    """{given value: ContactView} for every value that names a contact; one query for all of them."""
    stored, _, query = identity_holders(account_id, kind, values, database, include_deleted)
    if not stored:
        return {}
    by_key: dict = defaultdict(list)
    for row in query.dicts():
        by_key[row[identity.column(kind)]].append(row)
    best = {key: identity.winner(rows) for key, rows in by_key.items()}
    found = {view.id: view for view in views(account_id, list(best.values()))}
    return {value: found[best[key]["id"]] for value, key in stored.items() if key in best}


def contact_view(account_id: int, contact_id: int, with_details: bool = True) -> ContactView:
    """The contact with this id (found by a lookup, say) as a view."""
    return views(account_id, list(Contact.select().where(Contact.id == contact_id).dicts()), with_details)[0]


def search(account_id: int, flt: ContactFilter, offset: int = 0, limit: int | None = 100,
           with_details: bool = True) -> list[ContactView]:
    query = _filtered(account_id, flt).order_by(Contact.id)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return views(account_id, list(query.dicts()), with_details)


def count(account_id: int, flt: ContactFilter) -> int:
    return _filtered(account_id, flt).count()


def _filtered(account_id: int, flt: ContactFilter):
    query = Contact.select().where(Contact.account == account_id)
    if flt.database is not None:
        query = query.where(Contact.database == catalog.database(account_id, flt.database).id)
    if not flt.include_deleted:
        query = query.where(Contact.deleted_at.is_null())
    if flt.ids is not None:
        query = query.where(Contact.id.in_(flt.ids or [0]))
    if flt.list is not None:
        list_row = catalog.get_list(account_id, flt.list, kind=flt.list_kind)
        members = Membership.select(Membership.contact).where(
            (Membership.list == list_row.id) & Membership.status.in_(flt.list_statuses))
        if flt.channel:
            members = members.where(Membership.channel == flt.channel)
        query = query.where(Contact.id.in_(members))
    if flt.tag is not None or flt.tag_name is not None:
        tag_query = Tag.select(Tag.id).where(Tag.account == account_id)
        tag_query = tag_query.where(Tag.number == flt.tag) if flt.tag is not None else tag_query.where(
            Tag.name == flt.tag_name)
        query = query.where(Contact.id.in_(ContactTag.select(ContactTag.contact).where(ContactTag.tag.in_(tag_query))))
    for column in ("email", "phone", "external_id", "email_status", "phone_status"):
        value = getattr(flt, column)
        if value is not None:
            if column in identity.COLUMNS:
                try:
                    value = identity.stored(column, value)
                except CoreError:
                    return query.where(pw.SQL("1 = 0"))
            query = query.where(getattr(Contact, column) == value)
    if flt.has == "email":
        query = query.where(Contact.email.is_null(False))
    elif flt.has == "phone":
        query = query.where(Contact.phone.is_null(False))
    for name, value in (flt.attrs or {}).items():
        query = query.where(pw.fn.LOWER(store.json_text(Contact.attrs, name)) == str(value).lower())
    if flt.id_after is not None:
        query = query.where(Contact.id > flt.id_after)
    if flt.created_from is not None:
        query = query.where(Contact.created_at >= flt.created_from)
    if flt.updated_from is not None:
        query = query.where(Contact.updated_at >= flt.updated_from)
    if flt.field_equals is not None:
        query = query.where(_field_equals(account_id, flt))
    if flt.search:
        text = flt.search.strip()
        query = query.where(Contact.email.contains(text.lower()) | Contact.phone.contains(text))
    return query


def _field_equals(account_id: int, flt: ContactFilter):
    """Condition: the named custom field (of the filtered database) holds the value, compared as text."""
    name, value = flt.field_equals
    defs = FieldDef.select(FieldDef.id).where((FieldDef.account == account_id)
                                              & (pw.fn.LOWER(FieldDef.name) == str(name).lower()))
    if flt.database is not None:
        defs = defs.where(FieldDef.database == catalog.database(account_id, flt.database).id)
    text = match_text(value)
    condition = pw.SQL("1 = 0")
    for row in defs:
        condition = condition | (store.json_text(Contact.fields, str(row.id)) == text)
    return condition


def _membership_view(lst: dict, channel, status, subscribed_at, unsubscribed_at, excluded_at, attrs) -> MembershipView:
    """A membership in a list of the remembered catalogue (catalog_cache.Catalog.list_by_id)."""
    return MembershipView(list=lst["number"], channel=channel, status=status, subscribed_at=subscribed_at,
                          unsubscribed_at=unsubscribed_at, excluded_at=excluded_at, attrs=attrs or {},
                          title=lst["title"], kind=lst["kind"], space=lst["space"])


def _details(contact_ids: list[int], known, details) -> tuple[dict, dict]:
    """({contact id: MembershipViews by list number}, {contact id: tag names sorted}) for the
    contacts `details` (BatchResult.details) holds them of, and the rest read: memberships in one
    statement, their lists from the catalogue `known` (a list the batch has just created it may
    not know: then all of them with their lists), tags in one statement."""
    details = details or {}
    memberships, tags = {}, {}
    if known is not None:
        for contact_id in contact_ids:
            held, _ = details.get(contact_id, (None, None))
            if held is not None and all(m.list_id in known.list_by_id for m in held):
                memberships[contact_id] = sorted(
                    (_membership_view(known.list_by_id[m.list_id], m.channel, m.status, m.subscribed_at,
                                      m.unsubscribed_at, m.excluded_at, m.attrs) for m in held), key=lambda v: v.list)
    for contact_id in contact_ids:
        _, held = details.get(contact_id, (None, None))
        if held is not None:
            tags[contact_id] = list(held)
    unread = [i for i in contact_ids if i not in memberships]
    if unread:
        memberships.update(_memberships_of(unread, known))
    unread = [i for i in contact_ids if i not in tags]
    if unread:
        found = {i: [] for i in unread}
        db = store.database()
        marks = ", ".join([db.param] * len(unread))
        for contact_id, name in db.execute_sql(
                f'SELECT ct."contact_id", t."name" FROM "contact_tag" ct JOIN "tag" t ON t."id" = ct."tag_id" '
                f'WHERE ct."contact_id" IN ({marks}) ORDER BY t."name"', unread):
            found[contact_id].append(name)
        tags.update(found)
    return memberships, tags


def _memberships_of(contact_ids: list[int], known) -> dict:
    found = {i: [] for i in contact_ids}
    if known is not None:
        rows = select_where_in(Membership, [("contact", contact_ids)], columns=[
            "contact", "list", "channel", "status", "subscribed_at", "unsubscribed_at", "excluded_at", "attrs"])
        if all(row["list"] in known.list_by_id for row in rows):
            for row in sorted(rows, key=lambda r: known.list_by_id[r["list"]]["number"]):
                found[row["contact"]].append(_membership_view(
                    known.list_by_id[row["list"]], row["channel"], row["status"], row["subscribed_at"],
                    row["unsubscribed_at"], row["excluded_at"], row["attrs"]))
            return found
    # Plain tuples: a page of a thousand contacts has thousands of memberships, and building a
    # model instance (and its joined list) for each was most of a page's time.
    member_rows = (Membership.select(Membership.contact, ContactList.number, Membership.channel, Membership.status,
                                     Membership.subscribed_at, Membership.unsubscribed_at, Membership.excluded_at,
                                     Membership.attrs, ContactList.title, ContactList.kind, ContactList.space)
                   .join(ContactList)
                   .where(Membership.contact.in_(contact_ids)).order_by(ContactList.number).tuples())
    for contact_id, number, channel, status, subscribed, unsubscribed, excluded, attrs, title, kind, space \
            in member_rows:
        found[contact_id].append(MembershipView(
            list=number, channel=channel, status=status, subscribed_at=subscribed, unsubscribed_at=unsubscribed,
            excluded_at=excluded, attrs=attrs or {}, title=title, kind=kind, space=space))
    return found


def views(account_id: int, rows: list[dict], with_details: bool = True, known=None, details=None) -> list[ContactView]:
    """ContactViews for contact rows: three more queries for the whole page, not per contact.

    With `known` (the account's catalogue, core.catalog_cache) no field or database is read, and
    with `details` (BatchResult.details: the memberships and tags a batch holds of its contacts)
    no membership or tag of those contacts.
    """
    if not rows:
        return []
    contact_ids = [row["id"] for row in rows]
    wanted = {r["database"] for r in rows}
    if known is None:
        definitions = FieldDef.select().where(FieldDef.database.in_(wanted)).order_by(FieldDef.number)
        numbers = {d.id: d.number for d in catalog.databases(account_id)}
    else:
        definitions = sorted((f for d in wanted for f in known.fields.get(d, ())), key=lambda f: f.number)
        numbers = {d.id: d.number for d in known.databases}
    field_defs = {str(f.id): f for f in definitions}
    catalogs: dict[int, list] = {}
    for definition in field_defs.values():
        catalogs.setdefault(definition.database_id, []).append(definition)
    types: dict[int, dict] = {}
    for definition in field_defs.values():
        types.setdefault(definition.database_id, {})[definition.name] = definition.type
    if with_details:
        memberships, tags = _details(contact_ids, known, details)
    else:
        memberships, tags = {i: [] for i in contact_ids}, {i: [] for i in contact_ids}
    result = []
    for row in rows:
        values = row["fields"] or {}
        by_name = {field_defs[k].name: v for k, v in values.items() if k in field_defs}
        by_number = {field_defs[k].number: v for k, v in values.items() if k in field_defs}
        result.append(ContactView(
            id=row["id"], profile_id=ids.profile_id(row["id"]), database=numbers.get(row["database"], 1),
            email=row["email"], phone=row["phone"], external_id=row["external_id"],
            email_status=row["email_status"], phone_status=row["phone_status"], confirmed=row["confirmed"],
            attrs=row["attrs"] or {}, fields=by_name, fields_by_number=by_number, channels=row["channels"] or {},
            source=row["source"], created_at=row["created_at"], updated_at=row["updated_at"],
            deleted_at=row["deleted_at"], tags=tags[row["id"]], memberships=memberships[row["id"]],
            field_types=types.get(row["database"], {}), catalog=catalogs.get(row["database"], [])))
    return result
