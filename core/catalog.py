"""Databases, lists, custom fields and tags of an account, each in the account's own id space."""
from __future__ import annotations

import re

import peewee as pw

from . import db as store
from . import errors, events, scalars
from .normalize import now
from .errors import CoreError
from .model import DatabaseRef
from .schema import Contact, ContactList, ContactTag, Database, FieldDef, Membership, Tag
from .sql_bulk import select_eq, update_rows

FIELD_TYPES = frozenset({"string", "text", "number", "date", "datetime", "bool", "enum", "tag", "ip", "email"})


def _scope(account_id: int) -> str:
    return f"account:{account_id}"


def next_number(model, account_id: int, space: str | None = None) -> int:
    """The next free id in an account's space: above every id set by hand or by a setup file."""
    query = model.select(pw.fn.MAX(model.number)).where(model.account == account_id)
    if space is not None:
        query = query.where(model.space == space)
    return (query.scalar() or 0) + 1


# A list attr: the list takes no membership change from an API call (a vendor's built-in list that its
# API refuses to write to); setup files, which are the operator's, still shape it.
READ_ONLY = "read_only"


def read_only(attrs: dict | None) -> bool:
    return bool((attrs or {}).get(READ_ONLY))


SPACE_BY_KIND = {"resource": "resource"}  # kinds numbered apart; every other kind shares "list"


def space_of(kind: str | None) -> str:
    """The id space lists of a kind are numbered in (kind None: the shared "list" space)."""
    return SPACE_BY_KIND.get(kind, "list")


# -- databases -------------------------------------------------------------------------------
def database(account_id: int, number: int | DatabaseRef = 1) -> Database:
    if isinstance(number, DatabaseRef):
        # An account has a handful of databases, so they are compared here rather than by JSON SQL.
        return find_database(Database.select().where(Database.account == account_id).order_by(Database.number),
                             number)
    return find_database(select_eq(Database, {"account": account_id, "number": _database_number(number)}), number)


def find_database(rows, number: int | DatabaseRef) -> Database:
    """The database `number` (or the DatabaseRef: attrs[attr] == value) names among `rows` of one
    account; CoreError(unknown_database) when none does. Another account's never matches."""
    if isinstance(number, DatabaseRef):
        if number.value is not None and number.value != "":
            for row in rows:
                if (row.attrs or {}).get(number.attr) == number.value:
                    return row
        raise CoreError(errors.UNKNOWN_DATABASE, f"No database has this {number.attr}", attr=number.attr)
    wanted = _database_number(number)
    for row in rows:
        if row.number == wanted:
            return row
    raise CoreError(errors.UNKNOWN_DATABASE, f"Database {wanted} not found", database=wanted)


def database_by_attr(account_id: int, attr: str, value) -> Database:
    """The account's database whose attrs[attr] equals value; another account's never matches."""
    return database(account_id, DatabaseRef(attr, value))


def _database_number(number) -> int:
    try:
        return scalars.integer(number)
    except (TypeError, ValueError):
        raise CoreError(errors.UNKNOWN_DATABASE, f"Database {number!r} not found", database=number) from None


def create_database(account_id: int, name: str = "", number: int | None = None, attrs: dict | None = None) -> Database:
    with store.write_transaction(_scope(account_id)):
        if number is None:
            number = next_number(Database, account_id)
        elif Database.get_or_none((Database.account == account_id) & (Database.number == number)):
            raise CoreError(errors.DUPLICATE_NAME, f"Database {number} already exists", database=number)
        return Database.create(account=account_id, number=number, name=name, attrs=attrs or {})


def databases(account_id: int) -> list[Database]:
    return list(Database.select().where(Database.account == account_id).order_by(Database.number))


# -- lists -----------------------------------------------------------------------------------
def lists(account_id: int, database_number: int | None = None, kind: str | None = None, number: int | None = None,
          with_counts: bool = False) -> list[ContactList]:
    query = ContactList.select().where(ContactList.account == account_id)
    if database_number is not None:
        query = query.where(ContactList.database == database(account_id, database_number).id)
    if kind is not None:
        query = query.where(ContactList.kind == kind)
    if number is not None:
        query = query.where((ContactList.space == space_of(kind)) & (ContactList.number == number))
    rows = list(query.order_by(ContactList.number))
    if number is not None and not rows:
        raise CoreError(errors.UNKNOWN_LIST, f"List {number} not found", ids=[number])
    if with_counts:
        counts = dict(Membership.select(Membership.list, pw.fn.COUNT(Membership.contact))
                      .join(Contact, on=(Membership.contact == Contact.id))
                      .where(Membership.list.in_([r.id for r in rows] or [0]) & (Membership.status == "subscribed")
                             & (Membership.channel == "email") & Contact.deleted_at.is_null())
                      .group_by(Membership.list).tuples())
        for row in rows:
            row.members = counts.get(row.id, 0)
    return rows


def get_list(account_id: int, number, kind: str | None = None) -> ContactList:
    """The list numbered `number` in the id space of `kind` (see space_of)."""
    try:
        number = scalars.integer(number)
    except (TypeError, ValueError):
        raise CoreError(errors.UNKNOWN_LIST, f"List {number!r} not found", ids=[number]) from None
    query = ContactList.select().where((ContactList.account == account_id) & (ContactList.space == space_of(kind))
                                       & (ContactList.number == number))
    row = query.first()
    if row is None:
        raise CoreError(errors.UNKNOWN_LIST, f"List {number} not found", ids=[number])
    return row


def create_list(account_id: int, title: str, database_number: int = 1, kind: str = "list",
                attrs: dict | None = None, number: int | None = None, unique_title: bool = True) -> ContactList:
    title = (title or "").strip()
    if not title:
        raise CoreError(errors.INVALID_ARGUMENT, "The list title is empty", argument="title")
    with store.write_transaction(_scope(account_id)):
        db_row = database(account_id, database_number)
        if unique_title and ContactList.get_or_none((ContactList.database == db_row.id) & (ContactList.title == title)):
            raise CoreError(errors.DUPLICATE_NAME, f'A list titled "{title}" already exists', title=title)
        space = space_of(kind)
        if number is None:
            number = next_number(ContactList, account_id, space)
        elif ContactList.get_or_none((ContactList.account == account_id) & (ContactList.space == space)
                                     & (ContactList.number == number)):
            raise CoreError(errors.DUPLICATE_NAME, f"List {number} already exists", ids=[number])
        return ContactList.create(account=account_id, database=db_row.id, space=space, number=number, title=title,
                                  kind=kind, attrs=attrs or {})


def update_list(account_id: int, number, title: str | None = None, attrs: dict | None = None,
                unique_title: bool = True, kind: str | None = None) -> ContactList:
    with store.write_transaction(_scope(account_id)):
        row = get_list(account_id, number, kind=kind)
        if title is not None:
            title = title.strip()
            if not title:
                raise CoreError(errors.INVALID_ARGUMENT, "The list title is empty", argument="title")
            clash = ContactList.get_or_none((ContactList.database == row.database_id) & (ContactList.title == title)
                                            & (ContactList.id != row.id))
            if unique_title and clash:
                raise CoreError(errors.DUPLICATE_NAME, f'A list titled "{title}" already exists', title=title)
            row.title = title
        if attrs:
            row.attrs = {**row.attrs, **attrs}
        row.save()
        return row


def delete_list(account_id: int, number, kind: str | None = None) -> None:
    """Drop a list and its memberships; its contacts stay, outside that list."""
    with store.write_transaction(_scope(account_id)):
        row = get_list(account_id, number, kind=kind)
        events.record_left_list(account_id, row.id, now())
        Membership.delete().where(Membership.list == row.id).execute()
        row.delete_instance()


# -- fields ----------------------------------------------------------------------------------
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


def fields(account_id: int, database_number: int = 1) -> list[FieldDef]:
    db_row = database(account_id, database_number)
    return list(FieldDef.select().where(FieldDef.database == db_row.id).order_by(FieldDef.number))


def get_field(account_id: int, number) -> FieldDef:
    try:
        number = scalars.integer(number)
    except (TypeError, ValueError):
        raise CoreError(errors.UNKNOWN_FIELD, f"Field {number!r} not found", field=number) from None
    row = FieldDef.get_or_none((FieldDef.account == account_id) & (FieldDef.number == number))
    if row is None:
        raise CoreError(errors.UNKNOWN_FIELD, f"Field {number} not found", field=number)
    return row


def field_named(account_id: int, name: str, database_number: int = 1) -> FieldDef:
    """The field with this exact name, else the one field whose name differs only in case."""
    db_row = database(account_id, database_number)
    rows = list(FieldDef.select().where((FieldDef.database == db_row.id)
                                        & (pw.fn.LOWER(FieldDef.name) == str(name).lower())))
    exact = [r for r in rows if r.name == name]
    if exact or len(rows) == 1:
        return (exact or rows)[0]
    raise CoreError(errors.UNKNOWN_FIELD, f"Field {name!r} not found", field=name)


def create_field(account_id: int, name: str, type: str = "string", database_number: int = 1,
                 public_name: str | None = None, allowed_values=None, attrs: dict | None = None,
                 number: int | None = None) -> FieldDef:
    name = (name or "").strip()
    if not name or not FIELD_NAME.match(name):
        raise CoreError(errors.INVALID_ARGUMENT, f"Invalid field name: {name!r}", argument="name")
    if type not in FIELD_TYPES:
        raise CoreError(errors.INVALID_ARGUMENT, f"Invalid field type: {type!r}", argument="type")
    with store.write_transaction(_scope(account_id)):
        db_row = database(account_id, database_number)
        if FieldDef.get_or_none((FieldDef.database == db_row.id) & (FieldDef.name == name)):
            raise CoreError(errors.DUPLICATE_NAME, f'Field "{name}" already exists', name=name)
        if number is None:
            number = next_number(FieldDef, account_id)
        elif FieldDef.get_or_none((FieldDef.account == account_id) & (FieldDef.number == number)):
            raise CoreError(errors.DUPLICATE_NAME, f"Field {number} already exists", field=number)
        return FieldDef.create(account=account_id, database=db_row.id, number=number, name=name, type=type,
                               public_name=public_name, allowed_values=allowed_values, attrs=attrs or {})


def update_field(account_id: int, number, name: str | None = None, public_name: str | None = None,
                 attrs: dict | None = None) -> FieldDef:
    with store.write_transaction(_scope(account_id)):
        row = get_field(account_id, number)
        if name is not None:
            name = name.strip()
            if not name or not FIELD_NAME.match(name):
                raise CoreError(errors.INVALID_ARGUMENT, f"Invalid field name: {name!r}", argument="name")
            clash = FieldDef.get_or_none((FieldDef.database == row.database_id) & (FieldDef.id != row.id)
                                         & (pw.fn.LOWER(FieldDef.name) == name.lower()))
            if clash:
                raise CoreError(errors.DUPLICATE_NAME, f'Field "{name}" already exists', name=name)
            row.name = name
        if public_name is not None:
            row.public_name = public_name
        if attrs:
            row.attrs = {**row.attrs, **attrs}
        row.save()
        return row


def delete_field(account_id: int, number) -> None:
    """Drop a field and its values (so an id reused later never shows old data)."""
    with store.write_transaction(_scope(account_id)):
        row = get_field(account_id, number)
        key = str(row.id)
        holders = (Contact.select(Contact.id, Contact.fields)
                   .where((Contact.database == row.database_id) & store.json_text(Contact.fields, key).is_null(False)))
        update_rows(Contact, "id", ["fields"],
                    [(c.id, {k: v for k, v in c.fields.items() if k != key}) for c in holders])
        row.delete_instance()


# -- tags ------------------------------------------------------------------------------------
def tags(account_id: int) -> list[Tag]:
    return list(Tag.select().where(Tag.account == account_id).order_by(Tag.number))


def delete_tag(account_id: int, number) -> None:
    with store.write_transaction(_scope(account_id)):
        try:
            number = scalars.integer(number)
        except (TypeError, ValueError):
            raise CoreError(errors.UNKNOWN_TAG, f"Tag {number!r} not found", tag=number) from None
        row = Tag.get_or_none((Tag.account == account_id) & (Tag.number == number))
        if row is None:
            raise CoreError(errors.UNKNOWN_TAG, f"Tag {number} not found", tag=number)
        ContactTag.delete().where(ContactTag.tag == row.id).execute()
        row.delete_instance()
