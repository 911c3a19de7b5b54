"""subscribe, exclude and unsubscribe: one contact into or out of lists."""
from __future__ import annotations

from core import errors as core_errors
from core import normalize
from core.commands import ChangeMemberships
from core.errors import CoreError
from core.model import ContactChange, ListChange, UpsertCommand

from ..common import DialectError, Method
from .import_contacts import MAX_TAGS
from .params import choice, id_list, integer, invalid, names, text

# double_optin: 3 (and the historical 1 and 2) mean consent is already there; 0 and 4 mean an
# invitation would be sent, so a new address waits as "invited" until the contact confirms.
STATUS_BY_DOUBLE_OPTIN = {0: "invited", 1: "new", 2: "new", 3: "new", 4: "invited"}


def parse_subscribe(params: dict) -> UpsertCommand:
    list_ids = id_list(text(params, "list_ids", required=True), "list_ids")
    if not list_ids:
        raise invalid('Argument "list_ids" is required')
    fields = params.get("fields")
    if not isinstance(fields, dict):
        raise invalid('Argument "fields" is required: fields[email]=... or fields[phone]=...')
    change = ContactChange()
    for name, value in fields.items():
        if isinstance(value, dict):
            raise invalid(f"fields[{name}] must be a value, not an array")
        if name.lower() in ("email", "phone"):
            if value.strip():
                change.identities[name.lower()] = value.strip()
        else:
            change.fields[name] = value if value != "" else None
    if not change.identities:
        raise invalid('fields must contain "email" or "phone"')
    tags = text(params, "tags")
    if tags is not None:
        change.tags = names(tags)
        if len(change.tags) > MAX_TAGS:
            raise invalid(f"Too many tags: {len(change.tags)}, the limit is {MAX_TAGS}")
    double_optin = integer(params, "double_optin", default=0, minimum=0, maximum=4)
    overwrite = integer(params, "overwrite", default=0, minimum=0, maximum=2)
    _consent(params, change)
    for channel in change.identities:
        change.lists += [ListChange(list_id, "subscribed", channel) for list_id in list_ids]
    command = UpsertCommand(
        items=[change],
        match=("email", "phone"),
        match_fallback=False,
        unique=("email", "phone"),
        default_email_status=STATUS_BY_DOUBLE_OPTIN[double_optin],
        default_confirmed=double_optin not in (0, 4),
        status_changeable_from=frozenset({"active", "inactive"}),
        on_deleted="recreate",
        source="unisender:subscribe",
    )
    if overwrite == 0:
        command.field_merge = "if_empty"
    elif overwrite == 1:
        change.replace_fields = True
        change.tags = change.tags or []
        command.tags_mode = "replace"
        command.lists_mode = "replace"
    else:
        command.tags_mode = "replace"
    return command


def _consent(params: dict, change: ContactChange) -> None:
    """Legacy request_ip / request_time / confirm_ip / confirm_time arguments (the PHP wrapper sends request_ip)."""
    for argument, attr, kind in (("request_ip", "email_request_ip", "ip"), ("confirm_ip", "email_confirm_ip", "ip"),
                                 ("request_time", "email_added_at", "time"),
                                 ("confirm_time", "email_confirmed_at", "time")):
        raw = text(params, argument)
        if raw is None or not raw.strip():
            continue
        try:
            if kind == "ip":
                change.attrs[attr] = normalize.ip(raw)
            else:
                change.attrs[attr] = normalize.timestamp(raw).strftime("%Y-%m-%d %H:%M:%S")
        except CoreError:
            raise invalid(f'Invalid {argument}: "{raw}"') from None


def render_subscribe(result, params: dict, ctx: dict) -> dict:
    item = result.items[0]
    if item.outcome == "failed":
        raise _subscribe_error(item.error, params)
    return {"result": {"person_id": item.contact_id}}


def _subscribe_error(error: CoreError, params: dict) -> DialectError:
    if error.code in (core_errors.EMAIL_CONFLICT, core_errors.PHONE_CONFLICT):
        fields = params.get("fields") or {}
        email = next((v for k, v in fields.items() if k.lower() == "email"), "")
        phone = next((v for k, v in fields.items() if k.lower() == "phone"), "")
        return DialectError("unspecified", f"Contacts {email} and {phone} already exist but owned by different "
                                           "subscribers")
    if error.code in (core_errors.INVALID_EMAIL, core_errors.INVALID_PHONE):
        return DialectError("invalid_arg", error.message)
    return DialectError("unspecified", error.message)


def _membership_parser(status: str):
    def parse(params: dict) -> ChangeMemberships:
        kind = choice(params, "contact_type", ("email", "phone"))
        if kind is None:
            raise invalid('Argument "contact_type" is required: email or phone')
        contact = text(params, "contact", required=True).strip()
        raw_lists = text(params, "list_ids")
        lists = id_list(raw_lists, "list_ids") or None
        return ChangeMemberships(kind=kind, value=contact, status=status, lists=lists, channel=kind)
    return parse


def render_empty(result, params: dict, ctx: dict) -> dict:
    return {"result": {}}


SUBSCRIBE = Method(parse_subscribe, render_subscribe)
EXCLUDE = Method(_membership_parser("excluded"), render_empty)
UNSUBSCRIBE = Method(_membership_parser("unsubscribed"), render_empty)
