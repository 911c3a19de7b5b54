"""One contact by id (add, get, update, delete), search, e-mails by ids, and the unsubscribed-address list."""
from __future__ import annotations

from core import normalize, scalars
from core.commands import (DeleteContacts, FindContact, FindContacts, GetAccount, ResubscribeEverywhere,
                           SearchContacts, UnsubscribeEverywhere)
from core.errors import CoreError
from core.contacts import ContactFilter
from core.model import UpsertCommand

from ..common import Method
from .account import address_book
from .contact import UNKNOWN_FIELDS, InvalidContact, contact_change, refuse, render_contact
from .errors import item_error
from .wire import Reply, as_bool, as_object, bad_request, not_found, one_or_many, paging, path_id, texts

MAX_IDS = 500


def contact_id(params: dict) -> int:
    return path_id(params, "Contact")


def _single(change, **settings) -> UpsertCommand:
    return UpsertCommand(items=[change], field_key="number", strict_field_types=True, unknown_fields=UNKNOWN_FIELDS,
                         create_missing_lists=True, new_list_kind="segment", on_deleted="restore",
                         keep_account_unsubscribes=True, default_email_status="active", default_confirmed=True,
                         **settings)


# -- POST /v1/contact ------------------------------------------------------------------------
def parse_add(params: dict) -> UpsertCommand:
    body = as_object(params["body"], "The request body")
    try:
        change = contact_change(body, with_groups=True)  # "id" is ignored: "Add contact. The id field will be ignored."
    except InvalidContact as exc:
        raise refuse(exc) from None
    # "if a contact with the same email address or phone number already exists, it will be updated";
    # an externalCustomerId is looked up first and restores a deleted contact [EXTID].
    return _single(change, match=("external_id", "email", "phone"), source="esputnik:addContact")


def render_add(result, params: dict, ctx: dict) -> Reply:
    item = result.items[0]
    if item.outcome == "failed":
        raise item_error(item.error)
    return Reply({"id": item.contact_id}, root="result")


ADD = Method(parse_add, render_add)


# -- GET /v1/contact/{id} --------------------------------------------------------------------
def parse_get(params: dict):
    return FindContact(kind="id", value=contact_id(params)), GetAccount()


def render_get(results, params: dict, ctx: dict) -> Reply:
    view, account = results
    return Reply(render_contact(view, address_book(account)[0]), root="contact")


GET = Method(parse_get, render_get)


# -- PUT /v1/contact/{id} --------------------------------------------------------------------
def parse_update(params: dict) -> UpsertCommand:
    number = contact_id(params)
    body = as_object(params["body"], "The request body")
    if "channels" not in body and isinstance(body.get("contact"), dict):
        body = body["contact"]  # a real client wraps it as subscribe does, and eSputnik answered 200
    try:
        change = contact_change(body)
    except InvalidContact as exc:
        raise refuse(exc) from None
    change.identities["id"] = number
    # "update the contact's data, except for the contact ID field. In case of updating a deleted
    # contact, this contact is restored"; an externalCustomerId of another contact is an error.
    return _single(change, match=("id",), match_fallback=False, mode="update", unique=("external_id",),
                   source="esputnik:updateContact")


def render_update(result, params: dict, ctx: dict) -> Reply:
    item = result.items[0]
    number = params["path"]["id"]
    if item.outcome == "failed":
        if item.error.code == "contact_not_found":
            raise not_found(f"Contact with id='{number}' not found")
        raise item_error(item.error)
    return Reply(f"Contact with id='{number}' has been updated")


UPDATE = Method(parse_update, render_update)


# -- DELETE /v1/contact/{id} and DELETE /v1/contact?externalCustomerId=… ---------------------
def parse_delete(params: dict) -> DeleteContacts:
    erase = as_bool(params["query"].get("erase"), "erase")
    return DeleteContacts(kind="id", values=[contact_id(params)], erase=erase)


def parse_delete_by_external_id(params: dict) -> DeleteContacts:
    external = (params["query"].get("externalcustomerid") or "").strip()
    if not external:
        raise bad_request("externalCustomerId is required")
    erase = as_bool(params["query"].get("erase"), "erase")
    return DeleteContacts(kind="external_id", values=[external], erase=erase)


def render_delete(result, params: dict, ctx: dict) -> Reply:
    named = params["path"].get("id")
    shown = f"id='{named}'" if named else f"externalCustomerId='{params['query'].get('externalcustomerid', '').strip()}'"
    if result[0] is None:
        raise not_found(f"Contact with {shown} not found")
    return Reply(f"Contact with {shown} has been deleted")


DELETE = Method(parse_delete, render_delete)
DELETE_BY_EXTERNAL_ID = Method(parse_delete_by_external_id, render_delete)


# -- GET /v1/contacts ------------------------------------------------------------------------
def parse_search(params: dict):
    query = params["query"]
    offset, limit = paging(query)
    external = (query.get("externalcustomerid") or "").strip()
    others = {name: (query.get(name) or "").strip() for name in ("email", "sms", "firstname", "lastname")}
    if external and any(others.values()):
        # "You can set the uniqueness of the contact search by the externalCustomerId field. In this
        # case, you cannot set other search parameters."
        raise bad_request("externalCustomerId cannot be combined with other search parameters")
    attrs = {attr: others[name] for name, attr in (("firstname", "first_name"), ("lastname", "last_name"))
             if others[name]}
    flt = ContactFilter(external_id=external or None, email=others["email"] or None, phone=others["sms"] or None,
                        attrs=attrs or None)
    return SearchContacts(flt, offset=offset, limit=limit, with_details=False, with_total=True), GetAccount()


def render_search(results, params: dict, ctx: dict) -> Reply:
    found, account = results
    book = address_book(account)[0]
    return contact_list([render_contact(v, book, full=False) for v in found.contacts], found.total)


def contact_list(contacts: list, total: int) -> Reply:
    """A page of contacts: a bare array (never the one-element quirk) and the TotalCount header."""
    return Reply(contacts, root="contacts", item="contact", headers={"TotalCount": str(total)})


SEARCH = Method(parse_search, render_search)


# -- GET /v1/contacts/email?ids=… ------------------------------------------------------------
def parse_emails(params: dict) -> FindContacts:
    raw = params["query"].get("ids") or params["query"].get("emails") or ""  # some clients name it emails
    values = [part.strip() for part in raw.split(",") if part.strip()]
    if not values:
        raise bad_request("ids is required: contact ids separated by commas")
    ids = [scalars.digits(v, scalars.ID64) for v in values]
    if len(ids) > MAX_IDS or None in ids:
        raise bad_request(f"ids must be up to {MAX_IDS} contact ids separated by commas")
    return FindContacts(kind="id", values=ids)


def render_emails(found: dict, params: dict, ctx: dict) -> Reply:
    results = [{"contactId": view.id, "email": view.email} for view in found.values() if view.email]
    return Reply({"results": one_or_many(results)} if results else {}, root="contactMedias")


EMAILS = Method(parse_emails, render_emails)


# -- POST /v1/emails/unsubscribed/add|delete -------------------------------------------------
def _emails(params: dict) -> list[str]:
    """The addresses of the body; strings that are not addresses are skipped."""
    body = params["body"]
    if isinstance(body, list):
        body = {"emails": body}
    emails = texts(as_object(body, "The request body").get("emails"), "emails")
    if not emails:
        raise bad_request("emails is required")
    valid = []
    for email in emails:
        try:
            valid.append(normalize.email(email))
        except CoreError:
            continue
    return valid


def parse_unsubscribe(params: dict) -> UnsubscribeEverywhere:
    # "The method unsubscribes not contacts but their email addresses … All contacts within the
    # organization who may use these email addresses": the whole account, and an address no
    # contact holds yet is remembered, so a later import cannot lift it.
    return UnsubscribeEverywhere(_emails(params), remember_unknown=True, source="esputnik:unsubscribed")


def parse_resubscribe(params: dict) -> ResubscribeEverywhere:
    return ResubscribeEverywhere(_emails(params))


def render_empty(result, params: dict, ctx: dict) -> Reply:
    return Reply(None)


UNSUBSCRIBED_ADD = Method(parse_unsubscribe, render_empty)
UNSUBSCRIBED_DELETE = Method(parse_resubscribe, render_empty)
