"""The v2 calls legacy scripts use on single contacts, address books, data fields and the account.

/v2/contacts (POST, GET), /v2/contacts/{id} (GET, PUT, DELETE), /v2/contacts/unsubscribe,
/v2/contacts/resubscribe[-with-no-challenge], /v2/address-books/{id}/contacts (POST, GET),
/v2/address-books/{id}/contacts/unsubscribe, /v2/address-books/{id}/contacts/{contactId} (DELETE),
/v2/data-fields (GET, POST), /v2/data-fields/{name}
(DELETE) and /v2/account-info.
"""
from __future__ import annotations

from core import errors as core_errors
from core import scalars
from core.commands import CreateField, CreateList, DeleteField, FindContact, GetLists, SearchContacts, UpsertAndRead
from core.contacts import ContactFilter
from core.model import ContactChange, ListChange, Lookup, UpsertCommand

from . import contact_v2, import_v3, values
from .errors import ADDRESSBOOK_NOT_FOUND, CONTACT_NOT_FOUND, v2, v2_from_core, v2_invalid
from .wire import Keys, Reply, path, path_id, query

MAX_SELECT = 1000


def command(items: list, source: str, merge: str = "overwrite") -> UpsertCommand:
    """The canonical command of every v2 write: contacts are their email addresses."""
    return UpsertCommand(
        items=items,
        match=("email",),
        match_fallback=False,
        unique=("email",),
        field_key="name_ci",
        field_merge=merge,
        strict_field_types=True,
        on_suppressed="fail",
        on_deleted="restore",
        status_changeable_from=import_v3.CHANGEABLE,
        default_email_status="active",
        source=source,
    )


def _written(answer):
    """The one contact an UpsertAndRead wrote, as ApiContact; its failure as the v2 error."""
    item = answer.batch.items[0]
    if item.outcome == "failed":
        raise v2_from_core(item.error)
    return answer.contacts[item.contact_id]


def _number(params: dict, name: str) -> int:
    number = path_id(path(params, name), scalars.COUNT32)
    if number is None:
        raise v2(CONTACT_NOT_FOUND)
    return number


# -- /v2/contacts ------------------------------------------------------------------------------------
def parse_create(params: dict) -> UpsertAndRead:
    return UpsertAndRead(command([contact_v2.parse(params.get("body"))], "dotdigital:v2"))


def render_created(answer, params: dict, ctx: dict) -> Reply:
    return Reply(contact_v2.render(_written(answer)), 201)


def parse_update(params: dict) -> UpsertAndRead:
    number = _number(params, "contact_id")
    change = contact_v2.parse(params.get("body"), need_email=False)
    if number == 0:  # what some clients send to create (see the docs)
        if "email" not in change.identities:
            raise v2_invalid("The Email field is required")
        return UpsertAndRead(command([change], "dotdigital:v2"))
    return UpsertAndRead(command([change], "dotdigital:v2"), lookups=(Lookup("id", number),), if_missing="fail",
                         locate_deleted=False)


def render_contact(answer, params: dict, ctx: dict) -> dict:
    return contact_v2.render(_written(answer))


def parse_get(params: dict) -> FindContact:
    raw = path(params, "contact_id").strip()
    if not (raw.isascii() and raw.isdigit()):
        return FindContact("email", raw)
    number = path_id(raw)
    if number is None:  # digits past int32 name no contact (the vendor's ids are int32)
        raise v2(CONTACT_NOT_FOUND)
    return FindContact("id", number)


def render_found(view, params: dict, ctx: dict) -> dict:
    return contact_v2.render(view)


def parse_delete(params: dict) -> UpsertAndRead:
    return UpsertAndRead(command([ContactChange(delete=True)], "dotdigital:v2"),
                         lookups=(Lookup("id", _number(params, "contact_id")),), if_missing="fail", locate_deleted=False)


def render_no_content(answer, params: dict, ctx: dict) -> Reply:
    return Reply(None, 204)


def _page(params: dict) -> tuple[int, int, bool]:
    select, skip = query(params, "select", str(MAX_SELECT)), query(params, "skip", "0")
    selected, skipped = path_id(select, (1, MAX_SELECT)), path_id(skip, scalars.COUNT32)
    if selected is None:
        raise v2_invalid(f"You may only select between 1 and {MAX_SELECT} results", "ERROR_PARAMETER_INVALID")
    if skipped is None:
        raise v2_invalid("skip must be a whole number", "ERROR_PARAMETER_INVALID")
    full = str(query(params, "withFullData", "false")).strip().lower()
    if full not in ("true", "false"):
        raise v2_invalid("withFullData must be true or false", "ERROR_PARAMETER_INVALID")
    return selected, skipped, full == "true"


def parse_list(params: dict) -> SearchContacts:
    select, skip, full = _page(params)
    return SearchContacts(ContactFilter(has="email"), offset=skip, limit=select, with_details=False)


def render_list(found, params: dict, ctx: dict) -> list:
    full = _page(params)[2]
    return [contact_v2.render(view, full) for view in found.contacts]


# -- unsubscribe, resubscribe ----------------------------------------------------------------------
def _suppression(view, removed_at, reason: str = "Unsubscribed") -> dict:
    return {"suppressedContact": contact_v2.render(view, full=False), "dateRemoved": values.iso(removed_at, "Z"),
            "reason": reason}


def parse_unsubscribe(params: dict) -> UpsertAndRead:
    change = contact_v2.parse(params.get("body"))
    change.fields, change.email_status = {}, "unsubscribed"
    cmd = command([change], "dotdigital:v2:unsubscribe")
    cmd.on_suppressed = "block"  # a suppressed address may still be unsubscribed
    return UpsertAndRead(cmd)


def render_unsubscribed(answer, params: dict, ctx: dict) -> dict:
    view = _written(answer)
    return _suppression(view, view.updated_at)


def parse_book_unsubscribe(params: dict) -> UpsertAndRead:
    book = _number_book(params)
    change = contact_v2.parse(params.get("body"))
    change.fields, change.lists = {}, [ListChange(book, "unsubscribed", "email")]
    cmd = command([change], "dotdigital:v2:unsubscribe")
    cmd.mode, cmd.on_suppressed = "update", "block"
    return UpsertAndRead(cmd)


def render_book_unsubscribed(answer, params: dict, ctx: dict) -> dict:
    view = _written(answer)
    book = _number_book(params)
    left = next((m.unsubscribed_at for m in view.memberships if m.list == book and m.channel == "email"),
                view.updated_at)
    return _suppression(view, left)


def _resubscribe(challenge: bool):
    def parse(params: dict) -> UpsertAndRead:
        body = params.get("body")
        keys = Keys(body) if isinstance(body, dict) else None
        contact = keys.get("unsubscribedContact") if keys is not None and keys.has("unsubscribedContact") else body
        change = contact_v2.parse(contact)
        if not challenge:
            change.email_status = "active"
        return UpsertAndRead(command([change], "dotdigital:v2:resubscribe"))
    return parse


parse_resubscribe = _resubscribe(challenge=True)
parse_resubscribe_no_challenge = _resubscribe(challenge=False)


def render_resubscribed(answer, params: dict, ctx: dict) -> dict:
    item = answer.batch.items[0]
    view = answer.contacts.get(item.contact_id)
    if item.outcome == "failed" and item.error.code != core_errors.SUPPRESSED:
        raise v2_from_core(item.error)
    if item.outcome == "failed" or view.email_status == "blocked":
        status = "ContactCannotBeUnsuppressed"
    elif view.email_status in ("unsubscribed", "inactive"):
        status = "ContactChallenged"  # the challenge mail is never sent: the contact stays unsubscribed
    else:
        status = "ContactAdded"
    return {"contact": contact_v2.render(view, full=False) if view is not None else None, "status": status}


# -- /v2/address-books/{id}/contacts ---------------------------------------------------------------------
def _number_book(params: dict) -> int:
    number = path_id(path(params, "book_id"), scalars.COUNT32)
    if number is None:
        raise v2(ADDRESSBOOK_NOT_FOUND)
    return number


def parse_book_add(params: dict) -> UpsertAndRead:
    change = contact_v2.parse(params.get("body"))
    change.lists = [ListChange(_number_book(params), "subscribed", "email")]
    return UpsertAndRead(command([change], "dotdigital:v2:address-book"))


def parse_book_remove(params: dict) -> UpsertAndRead:
    """DELETE /v2/address-books/{id}/contacts/{contactId}: the contact leaves the book; it stays in the account."""
    book = _number_book(params)
    cmd = command([ContactChange(lists=[ListChange(book, "removed", "email")])], "dotdigital:v2:address-book")
    cmd.on_suppressed = "block"  # a suppressed contact may still be taken out of a book
    return UpsertAndRead(cmd, lookups=(Lookup("id", _number(params, "contact_id")),), if_missing="fail", locate_deleted=False)


def render_book_removed(answer, params: dict, ctx: dict) -> Reply:
    _written(answer)
    return Reply(None, 204)


def parse_book_list(params: dict) -> SearchContacts:
    select, skip, _ = _page(params)
    flt = ContactFilter(list=_number_book(params), list_statuses=("subscribed",), channel="email", has="email")
    return SearchContacts(flt, offset=skip, limit=select, with_details=False)


# -- /v2/address-books ------------------------------------------------------------------------------
def _book(row) -> dict:
    return {"id": row.number, "name": row.title, "visibility": (row.attrs or {}).get("visibility", "Private"),
            "contacts": getattr(row, "members", 0)}


def parse_books(params: dict) -> GetLists:
    _page(params)
    return GetLists(with_counts=True)


def render_books(rows, params: dict, ctx: dict) -> list:
    select, skip, _ = _page(params)
    return [_book(row) for row in rows[skip:skip + select]]


def parse_book(params: dict) -> GetLists:
    return GetLists(number=_number_book(params), with_counts=True)


def render_book(rows, params: dict, ctx: dict) -> dict:
    return _book(rows[0])


def parse_create_book(params: dict) -> CreateList:
    body = params.get("body")
    keys = Keys(body) if isinstance(body, dict) else None
    name = keys.get("name") if keys is not None else None
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 128:
        raise v2_invalid("The address book needs a name of 1 to 128 characters", "ERROR_ADDRESSBOOK_INVALID")
    visibility = {"private": "Private", "public": "Public"}.get(str(keys.get("visibility") or "Private").lower())
    if visibility is None:
        raise v2_invalid("The address book visibility must be Private or Public", "ERROR_ADDRESSBOOK_INVALID")
    return CreateList(title=name.strip(), kind="address_book", attrs={"visibility": visibility})


def book_exists(error, params: dict):
    if error.code == core_errors.DUPLICATE_NAME:
        return v2_invalid("An address book with this name already exists", "ERROR_ADDRESSBOOK_DUPLICATE")
    return None


def render_created_book(row, params: dict, ctx: dict) -> Reply:
    return Reply(_book(row), 201)


# -- /v2/data-fields -------------------------------------------------------------------------------------
def _field(row) -> dict:
    attrs = row.attrs or {}
    return {"name": row.name, "type": values.field_type(row), "visibility": attrs.get("visibility", "Private"),
            "defaultValue": attrs.get("default_value")}


def parse_create_field(params: dict) -> CreateField:
    body = params.get("body")
    if not isinstance(body, dict):
        raise v2_invalid("The data field must be a JSON object", "ERROR_DATAFIELD_INVALID")
    keys = Keys(body)
    name, kind = keys.get("name"), keys.get("type")
    if not isinstance(name, str) or not values.FIELD_NAME.fullmatch(name.strip()):
        raise v2_invalid("The data field name must be 1 to 20 letters, digits, '_' or '-'", "ERROR_DATAFIELD_INVALID")
    core_type = values.FIELD_TYPE_TO_CORE.get(kind.strip().lower()) if isinstance(kind, str) else None
    if core_type is None:
        raise v2_invalid("The data field type must be String, Numeric, Date or Boolean", "ERROR_DATAFIELD_INVALID")
    visibility = keys.get("visibility") or "Private"
    spelled = {"private": "Private", "public": "Public"}.get(str(visibility).lower())
    if spelled is None:
        raise v2_invalid("The data field visibility must be Private or Public", "ERROR_DATAFIELD_INVALID")
    default = keys.get("defaultValue")
    if default is not None and not isinstance(default, (str, int, float, bool)):
        raise v2_invalid("The default value must be a text, a number or a boolean", "ERROR_DATAFIELD_INVALID")
    # Dotdigital shows data-field names in upper case; names are matched without regard to case anyway.
    return CreateField(name=name.strip().upper(), type=core_type,
                       attrs={"visibility": spelled, "default_value": default})


def render_created_field(row, params: dict, ctx: dict) -> Reply:
    return Reply(_field(row), 201)


def render_fields(rows, params: dict, ctx: dict) -> list:
    return [_field(row) for row in rows if not (row.attrs or {}).get("identifier")]  # v3 identifiers are no data


def parse_delete_field(params: dict) -> DeleteField:
    return DeleteField(name=path(params, "name"))


def field_not_found(error, params: dict):
    if error.code == core_errors.UNKNOWN_FIELD:
        return v2_invalid(f"Data field {path(params, 'name')} does not exist", "ERROR_DATAFIELD_NOTFOUND", 404)
    return None


def render_deleted_field(result, params: dict, ctx: dict) -> dict:
    return {"dependencies": None, "result": True}


# -- /v2/account-info ------------------------------------------------------------------------------------
def render_account(account, params: dict, ctx: dict) -> dict:
    """Clients find their API endpoint here (the `ApiEndpoint` property): it is this gateway's own URL."""
    return {"id": account.id, "properties": [
        {"name": "Name", "type": "String", "value": account.name},
        {"name": "ApiEndpoint", "type": "String", "value": ctx["base_url"]},
    ]}

