"""ListFull (contacts with their custom fields, a bare array) and List Contacts (Email and Status)."""
from __future__ import annotations

from core import scalars
from core.commands import SearchContacts
from core.contacts import ContactFilter

from ..common import DialectError, Method
from . import errors, wire

FILTERS = ("Email",)
MAX_PAGE_SIZE = 10000  # contacts per answer; more are reached with Page/PageSize (see the dialect docs)


def parse(params: dict) -> SearchContacts:
    database = wire.profile(params)
    filters = params.get("Filters")
    if filters is None:
        filters = {}
    if not isinstance(filters, dict):
        raise DialectError(errors.INVALID_REQUEST, 'Filters must be an object such as {"Email": "…"}')
    unknown = [name for name in filters if name not in FILTERS]
    if unknown:
        # Ignoring a filter would answer with other contacts than asked for, and clients read [0].
        raise DialectError(errors.INVALID_REQUEST,
                           f"Unsupported filter: {', '.join(unknown)}; the supported filters are: {', '.join(FILTERS)}")
    email = filters.get("Email")
    if email is not None and not isinstance(email, str):
        raise DialectError(errors.INVALID_REQUEST, "Filters.Email must be a text")
    page = _positive(params, "Page", 1, None)
    size = _positive(params, "PageSize", MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    # A profile shared with other dialects may hold phone-only contacts; an Icomm contact has an address.
    return SearchContacts(ContactFilter(database=database, email=email, has="email"), offset=(page - 1) * size,
                          limit=size, with_details=False, with_total=True)


def _positive(params: dict, name: str, default: int, top: int | None) -> int:
    """A JSON whole number from 1 (Icomm's .NET int32) up to `top`."""
    value = params.get(name)
    if value is None:
        return default
    try:
        return scalars.integer(value, (1, top or scalars.INT32[1]), floats=False, text=False)
    except scalars.ValueRefused:
        limit = f" up to {top}" if top else ""
        raise DialectError(errors.INVALID_REQUEST, f"{name} must be a whole number from 1{limit}") from None


def _total(found, ctx: dict) -> None:
    ctx.setdefault("headers", {})["X-Total-Count"] = str(found.total)


def render_full(found, params: dict, ctx: dict) -> dict:
    _total(found, ctx)
    return {"ListContactsFullJsonResult": [
        {"Email": view.email, "Status": wire.status_letter(view.email_status),
         "CustomFields": wire.custom_fields_out(view)}
        for view in found.contacts]}


def render_list(found, params: dict, ctx: dict) -> dict:
    _total(found, ctx)
    data = [{"Email": view.email, "Status": wire.status_letter(view.email_status)} for view in found.contacts]
    return {"ListContactsJsonResult": wire.envelope(errors.SAVED, f"{len(data)} of {found.total} contacts", data,
                                                    message="Contacts listed")}


LIST_FULL = Method(parse, render_full)
LIST_CONTACTS = Method(parse, render_list)
