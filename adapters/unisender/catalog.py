"""Lists, user fields and tags: getLists/createList/updateList/deleteList, *Field, getTags/deleteTag."""
from __future__ import annotations

import re

from core import commands as c

from ..common import Method
from .import_contacts import SYSTEM_COLUMNS
from .params import integer, invalid, text

FIELD_TYPES = ("string", "text", "number", "date", "bool")
FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


def _empty(result, params: dict, ctx: dict) -> dict:
    return {"result": {}}


def _id(row, params: dict, ctx: dict) -> dict:
    return {"result": {"id": row.number}}


def _list_attrs(params: dict) -> dict:
    return {k: text(params, k) for k in ("before_subscribe_url", "after_subscribe_url") if text(params, k) is not None}


# Lists come in the order they were created, as in Unisender's documented getLists example.
GET_LISTS = Method(lambda p: c.GetLists(database=1),
                   lambda rows, p, ctx: {"result": [{"id": r.number, "title": r.title}
                                                    for r in sorted(rows, key=lambda r: r.id)]})
CREATE_LIST = Method(lambda p: c.CreateList(title=text(p, "title", required=True), attrs=_list_attrs(p)), _id)
UPDATE_LIST = Method(lambda p: c.UpdateList(number=integer(p, "list_id", required=True), title=text(p, "title"),
                                            attrs=_list_attrs(p)), _empty)
DELETE_LIST = Method(lambda p: c.DeleteList(number=integer(p, "list_id", required=True)), _empty)


def _field_name(params: dict, required: bool = True) -> str | None:
    name = text(params, "name", required)
    if name is None:
        return None
    name = name.strip()
    if not FIELD_NAME.match(name):
        raise invalid(f'Invalid field name "{name}": Latin letters, digits, "_" and "-", starting with a letter')
    if name.lower() in SYSTEM_COLUMNS:
        raise invalid(f'"{name}" is a system field name; importContacts could not tell the two apart')
    return name


# The web-interface attributes older clients send to createField and updateField alike, with a new
# field's defaults; an update changes only those it is given.
FIELD_ATTRS = {"is_visible": {"default": 1, "minimum": 0, "maximum": 1}, "view_pos": {"default": 0}}


def _field_attrs(params: dict, creating: bool) -> dict:
    values = {name: integer(params, name, **{**rule, "default": rule["default"] if creating else None})
              for name, rule in FIELD_ATTRS.items()}
    return {name: value for name, value in values.items() if value is not None}


def parse_create_field(params: dict) -> c.CreateField:
    kind = (text(params, "type", required=True) or "").strip()
    if kind not in FIELD_TYPES:
        raise invalid(f'Invalid field type "{kind}": one of {", ".join(FIELD_TYPES)}')
    return c.CreateField(name=_field_name(params), type=kind, public_name=text(params, "public_name"),
                         attrs=_field_attrs(params, creating=True))


def parse_update_field(params: dict) -> c.UpdateField:
    return c.UpdateField(number=integer(params, "id", required=True), name=_field_name(params, required=False),
                         public_name=text(params, "public_name"), attrs=_field_attrs(params, creating=False))


def render_fields(rows, params: dict, ctx: dict) -> dict:
    # public_name: django-tasker-unisender's own tests, run against the vendor, read it back from getFields;
    # one never given is "generated from name" (the vendor's createField page), here the name itself.
    return {"result": [{"id": r.number, "name": r.name, "type": r.type, "is_visible": int(r.attrs.get("is_visible", 1)),
                        "view_pos": int(r.attrs.get("view_pos", 0)), "public_name": r.public_name or r.name}
                       for r in rows]}


GET_FIELDS = Method(lambda p: c.GetFields(), render_fields)
CREATE_FIELD = Method(parse_create_field, _id)
# The documented answer is {"id": N}; newer clients read result.id, so both are given.
UPDATE_FIELD = Method(parse_update_field, lambda row, p, ctx: {"result": {"id": row.number}, "id": row.number})
DELETE_FIELD = Method(lambda p: c.DeleteField(number=integer(p, "id", required=True)), _empty)

GET_TAGS = Method(lambda p: c.GetTags(), lambda rows, p, ctx: {"result": [{"id": r.number, "name": r.name}
                                                                         for r in rows]})
DELETE_TAG = Method(lambda p: c.DeleteTag(number=integer(p, "id", required=True)), _empty)
