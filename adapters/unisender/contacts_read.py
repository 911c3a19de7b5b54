"""getContact, getContactFieldValues, isContactInLists, getContactCount, getTotalContactsCount."""
from __future__ import annotations

from core.commands import CountContacts, FindContact, SearchContacts
from core.contacts import ContactFilter

from ..common import Method
from .params import choice, flag, id_list, integer, invalid, lists_of, text, timestamp_text

# Membership statuses as Unisender prints them in getContact's `lists`.
LIST_STATUS = {"subscribed": "active", "unsubscribed": "unsubscribed", "excluded": "excluded",
               "suspended": "inactive"}


def parse_get_contact(params: dict) -> FindContact:
    return FindContact(kind="email", value=text(params, "email", required=True).strip())


def render_get_contact(view, params: dict, ctx: dict) -> dict:
    email = {
        "email": view.email,
        "added_at": view.attrs.get("email_added_at") or timestamp_text(view.created_at),
        "status": view.email_status,
        "availability": view.attrs.get("email_availability", "available"),
    }
    if flag(params, "include_details"):
        email.update(last_send_datetime=None, last_delivery_datetime=None, last_read_datetime=None,
                     last_click_datetime=None, rating=None)
    result = {"email": email}
    if flag(params, "include_lists"):
        result["lists"] = [
            {"id": m.list, "status": LIST_STATUS.get(m.status, m.status), "added_at": timestamp_text(m.subscribed_at)}
            for m in lists_of(view) if m.channel == "email"
        ]
    if flag(params, "include_fields"):
        result["fields"] = {name: "" if value is None else str(value) for name, value in view.fields.items()}
    return {"result": result}


def parse_field_values(params: dict) -> FindContact:
    id_list(text(params, "field_ids", required=True), "field_ids")
    return parse_get_contact(params)


def render_field_values(view, params: dict, ctx: dict) -> dict:
    """{"fieldValues": {id: value}} for the asked ids that name a field of the account (others are left out)."""
    by_number = {row.number: row.name for row in view.catalog}
    values = {}
    for number in id_list(params.get("field_ids"), "field_ids"):
        if number in by_number:
            value = view.fields.get(by_number[number])
            values[str(number)] = "" if value is None else str(value)
    return {"result": {"fieldValues": values}}


def parse_in_lists(params: dict) -> SearchContacts:
    email = text(params, "email", required=True).strip()
    id_list(text(params, "list_ids", required=True), "list_ids")
    choice(params, "condition", ("or", "and"), "or")
    return SearchContacts(ContactFilter(email=email), limit=1)


def render_in_lists(found, params: dict, ctx: dict) -> dict:
    wanted = set(id_list(params.get("list_ids"), "list_ids"))
    condition = choice(params, "condition", ("or", "and"), "or")
    member_of = set()
    for view in found.contacts:
        member_of |= {m.list for m in lists_of(view)
                      if m.channel == "email" and m.status in ("subscribed", "unsubscribed")}
    hits = wanted & member_of
    return {"result": bool(hits) if condition == "or" else hits == wanted}


def parse_count(params: dict) -> CountContacts:
    list_id = integer(params, "list_id", required=True)
    search = params.get("params") or {}
    if not isinstance(search, dict):
        raise invalid('Argument "params" must be an array: params[tagId], params[type], params[search]')
    flt = ContactFilter(list=list_id)
    if search.get("tagId"):
        flt.tag = integer(search, "tagId")
    kind = choice(search, "type", ("address", "phone"))
    if kind:
        flt.has = "email" if kind == "address" else "phone"
        flt.channel = flt.has
    if search.get("search"):
        flt.search = text(search, "search")
    return CountContacts(flt)


def render_count(count: int, params: dict, ctx: dict) -> dict:
    search = params.get("params") if isinstance(params.get("params"), dict) else {}
    return {"result": {"listId": int(params["list_id"]), "searchParams": search, "count": count}}


def parse_total(params: dict) -> CountContacts:
    text(params, "login", required=True)
    return CountContacts(ContactFilter(database=None))


def render_total(count: int, params: dict, ctx: dict) -> dict:
    return {"result": {"total": count}}


GET_CONTACT = Method(parse_get_contact, render_get_contact)
GET_CONTACT_FIELD_VALUES = Method(parse_field_values, render_field_values)
IS_CONTACT_IN_LISTS = Method(parse_in_lists, render_in_lists)
GET_CONTACT_COUNT = Method(parse_count, render_count)
GET_TOTAL_CONTACTS_COUNT = Method(parse_total, render_total)
