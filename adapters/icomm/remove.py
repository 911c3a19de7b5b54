"""RemoveContact (out of one profile) and UnsubscribeContact (consent withdrawn in the whole account)."""
from __future__ import annotations

from core.commands import DeleteContacts, UnsubscribeEverywhere

from ..common import Method
from . import errors, wire


def parse_remove(params: dict) -> DeleteContacts:
    database = wire.profile(params)
    return DeleteContacts(kind="email", values=[wire.contact_email(params)], database=database)


def render_remove(removed: list, params: dict, ctx: dict) -> dict:
    email = ctx["command"].values[0]
    if removed[0] is None:
        answer = wire.envelope(errors.NOT_FOUND, "The contact is not in this profile", wire.contact_data(email))
    else:
        answer = wire.envelope(errors.REMOVED, "Contact removed from the profile", wire.contact_data(email))
    return {"RemoveContactJsonResult": answer}


def parse_unsubscribe(params: dict) -> UnsubscribeEverywhere:
    database = wire.profile(params)
    return UnsubscribeEverywhere(emails=[wire.contact_email(params)], database=database, remember_unknown=True,
                                 source="icomm:UnsubscribeContact")


def render_unsubscribe(results: list, params: dict, ctx: dict) -> dict:
    item = results[0]
    if item.outcome == "created":
        detail = "The address was in no profile; it is kept in this one as unsubscribed"
    else:
        detail = "The address is unsubscribed in every profile of the account"
    letter = wire.status_letter(item.email_status) or wire.UNSUBSCRIBED
    answer = wire.envelope(errors.SAVED, detail, wire.contact_data(item.email, letter), message="Contact unsubscribed")
    return {"UnsubscribeContactJsonResult": answer}


REMOVE_CONTACT = Method(parse_remove, render_remove)
UNSUBSCRIBE_CONTACT = Method(parse_unsubscribe, render_unsubscribe)
