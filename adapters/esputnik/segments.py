"""Segments (groups): GET /v1/groups, GET /v1/group/{id}/contacts, POST /v1/group/{id}/contacts/attach|detach."""
from __future__ import annotations

from core import scalars
from core.commands import AttachToList, DetachFromList, GetAccount, GetLists, SearchContacts
from core.contacts import ContactFilter

from ..common import Method
from .account import address_book
from .contact import render_contact
from .contacts import contact_list
from .wire import Reply, as_int, as_list, as_object, as_text, bad_request, paging, path_id

MAX_IDS = 500


def segment_id(params: dict) -> int:
    return path_id(params, "Segment", scalars.ID32)


# -- GET /v1/groups --------------------------------------------------------------------------
def parse_groups(params: dict) -> GetLists:
    paging(params["query"])  # refuse bad paging now
    return GetLists(database=1)


def render_groups(rows, params: dict, ctx: dict) -> Reply:
    query = params["query"]
    offset, limit = paging(query)
    name = (query.get("name") or "").strip().lower()
    chosen = [row for row in rows if name in row.title.lower()]  # (choice) a part of the name, any case
    page = [{"id": row.number, "name": row.title, "type": str((row.attrs or {}).get("type") or "Static")}
            for row in chosen[offset:offset + limit]]
    return Reply(page, root="groups", item="group", headers={"TotalCount": str(len(chosen))})


GROUPS = Method(parse_groups, render_groups)


# -- GET /v1/group/{id}/contacts -------------------------------------------------------------
def parse_group_contacts(params: dict):
    offset, limit = paging(params["query"])
    flt = ContactFilter(list=segment_id(params), list_statuses=("subscribed",))
    return SearchContacts(flt, offset=offset, limit=limit, with_total=True), GetAccount()


def render_group_contacts(results, params: dict, ctx: dict) -> Reply:
    found, account = results
    book = address_book(account)[0]
    return contact_list([render_contact(v, book) for v in found.contacts], found.total)


GROUP_CONTACTS = Method(parse_group_contacts, render_group_contacts)


# -- POST /v1/group/{id}/contacts/attach|detach ----------------------------------------------
def _members(params: dict, required: bool) -> tuple[str, list] | None:
    body = params["body"]
    body = as_object(body, "The request body") if body not in (None, [], "") else {}
    by_id = as_list(body.get("contactIds"))
    by_external = [v for v in (as_text(x, "externalCustomerIds") for x in as_list(body.get("externalCustomerIds")))
                   if v and v.strip()]
    if by_id and by_external:
        raise bad_request("Use only one contact identifier: contactIds or externalCustomerIds")
    values = by_id or by_external
    if len(values) > MAX_IDS:
        raise bad_request(f"Too many contacts: {len(values)}, max. {MAX_IDS}")
    if not values:
        if required:
            raise bad_request("contactIds or externalCustomerIds is required")
        return None
    if by_id:
        return "id", [as_int(v, "contactIds", scalars.ID64) for v in by_id]
    return "external_id", [v.strip() for v in by_external]


def parse_attach(params: dict) -> AttachToList:
    number = segment_id(params)
    kind, values = _members(params, required=True)
    return AttachToList(number, kind, values)


def parse_detach(params: dict) -> DetachFromList:
    number = segment_id(params)
    members = _members(params, required=False)
    # "If don't specify any ids, all contacts will be deleted from the segment."
    if members is None:
        return DetachFromList(number)
    return DetachFromList(number, *members)


def render_attached(count, params: dict, ctx: dict) -> Reply:
    return Reply(f"Contacts have been attached to the segment with id='{params['path']['id']}'")


def render_detached(count, params: dict, ctx: dict) -> Reply:
    return Reply(f"Contacts have been detached from the segment with id='{params['path']['id']}'")


ATTACH = Method(parse_attach, render_attached)
DETACH = Method(parse_detach, render_detached)
