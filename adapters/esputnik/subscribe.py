"""POST /v1/contact/subscribe: one contact from a subscription form, unconfirmed when new, with workflow events."""
from __future__ import annotations

from core.model import EventSpec, UpsertCommand

from ..common import Method
from .contact import UNKNOWN_FIELDS, InvalidContact, contact_change, group_changes, refuse
from .errors import item_error
from .wire import Reply, as_object, bad_request, event_name, texts

# A new address waits for its double opt-in; the status says so until the contact confirms.
UNCONFIRMED = "activation_requested"
EMAIL_STATUS = {UNCONFIRMED: "NEED_CONFIRMATION", "new": "NEED_CONFIRMATION", "invited": "NEED_CONFIRMATION",
                "unsubscribed": "BLACKLISTED", "blocked": "BLACKLISTED"}


def parse(params: dict) -> UpsertCommand:
    body = as_object(params["body"], "The request body")
    if body.get("contact") is None:
        raise bad_request("contact is required")
    try:
        change = contact_change(body["contact"])
    except InvalidContact as exc:
        raise refuse(exc) from None
    change.lists = group_changes(body.get("groups"))
    categories = texts(body.get("subscriptions"), "subscriptions")
    if categories:
        change.attrs["subscriptions"] = sorted(set(categories))
    form_type = event_name(body.get("formType"), "formType", spaces=True)
    suffix = f"-{form_type}" if form_type else ""
    return UpsertCommand(
        items=[change],
        match=("external_id", "email", "phone"),  # [EXTID]: external id, then email, then phone
        keep_identities=("email", "phone"),  # "contact fields are updated (except existing media channels)"
        field_key="number",
        strict_field_types=True,
        unknown_fields=UNKNOWN_FIELDS,
        create_missing_lists=True,
        new_list_kind="segment",
        on_deleted="restore",
        keep_account_unsubscribes=True,  # an address on the account's unsubscribed list stays there
        default_email_status=UNCONFIRMED,
        default_confirmed=False,
        source="esputnik:subscribe",
        events=EventSpec(on_create=f"subscribeFromApi{suffix}", on_update=f"subscribeUpdateFromApi{suffix}",
                         key="contact_id", params={"ContactId": "contact_id", "EmailAddress": "email"},
                         omit_empty=("EmailAddress",)),
    )


def render(result, params: dict, ctx: dict) -> Reply:
    item = result.items[0]
    if item.outcome == "failed":
        raise item_error(item.error)
    body = {"id": item.contact_id}
    if item.email:
        body["emailStatus"] = EMAIL_STATUS.get(item.email_status, "ALREADY_SUBSCRIBED")
    body["new"] = item.outcome == "created"
    return Reply(body, root="result")


SUBSCRIBE = Method(parse, render)
