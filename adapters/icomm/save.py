"""SaveContact and SaveMultiContact: contacts upserted by email into the profile's database, in order."""
from __future__ import annotations

from core import errors as core_errors
from core.errors import CoreError
from core.model import ContactChange, UpsertCommand

from ..common import DialectError, Method
from . import errors, wire

MAX_CONTACTS = 5000  # per SaveMultiContact request (Icomm documents no limit; see the dialect docs)


def contact_change(contact) -> ContactChange:
    """One Contact object as a ContactChange; what it cannot carry fails this contact only."""
    problem = wire.contact_problem(contact)
    if problem is not None:
        return ContactChange(error=problem)
    fields = {}
    custom = contact.get("CustomFields")
    if custom is not None:
        if not isinstance(custom, list):
            return _bad(core_errors.INVALID_ARGUMENT, 'CustomFields must be an array of {"Key": …, "Value": …}')
        for position, entry in enumerate(custom):
            key = entry.get("Key") if isinstance(entry, dict) else None
            if not isinstance(key, str) or not key.strip():
                return _bad(core_errors.INVALID_ARGUMENT, f"CustomFields[{position}] must be an object with a Key text")
            try:
                fields[key.strip()] = wire.value_in(entry.get("Value"))
            except ValueError as exc:
                return _bad(core_errors.INVALID_VALUE, f'CustomFields[{position}] ("{key.strip()}"): {exc}')
    # Other members of Contact (one client sends fields as direct properties) are ignored, as
    # WCF's data contracts ignore unknown members.
    return ContactChange(identities={"email": contact["Email"]}, fields=fields)


def _bad(code: str, message: str) -> ContactChange:
    return ContactChange(error=CoreError(code, message))


def command(contacts: list, params: dict, operation: str) -> UpsertCommand:
    return UpsertCommand(
        items=[contact_change(c) for c in contacts],
        database=wire.profile(params),
        match=("email",),
        strict_field_types=True,  # dates arrive as dd/mm/yyyy and are stored as dates
        unknown_fields="fail_item",
        keep_account_unsubscribes=True,  # [HELP]: previously unsubscribed contacts stay unsubscribed
        on_deleted="recreate",  # a contact removed from the profile comes back as a new one
        default_email_status="active",  # [HELP]: new contacts are enabled unless bounced
        on_suppressed="block",  # [HELP]: bounced addresses are loaded, as rejected
        source=f"icomm:{operation}",
        note=[wire.sent_email(c) for c in contacts],  # each Email as sent, for the answers of failed items
    )


def item_answer(item, sent) -> dict:
    """The answer about one contact: SaveContact's whole result, or one of SaveMultiContact's Responses."""
    if not item.ok:
        code, detail = errors.from_core(item.error)
        return wire.envelope(code, detail, wire.contact_data(sent))
    letter = wire.status_letter(item.email_status)
    detail = "Contact created" if item.outcome == "created" else "Contact updated"
    if letter == wire.REJECTED:
        detail += "; the address is on the platform's bounce list, so it is loaded as rejected"
    elif letter == wire.UNSUBSCRIBED:
        detail += "; the address was unsubscribed before, so it stays unsubscribed"
    return wire.envelope(errors.SAVED, detail, wire.contact_data(item.email, letter))


def parse_save(params: dict) -> UpsertCommand:
    return command([params.get("Contact")], params, "SaveContact")


def render_save(result, params: dict, ctx: dict) -> dict:
    return {"SaveContactJsonResult": item_answer(result.items[0], ctx["command"].note[0])}


def parse_multi(params: dict) -> UpsertCommand:
    wire.profile(params)
    contacts = params.get("ContactList")
    if not isinstance(contacts, list):
        raise DialectError(errors.INVALID_REQUEST, "ContactList must be an array of contacts")
    if len(contacts) > MAX_CONTACTS:
        raise DialectError(errors.TOO_MANY_CONTACTS,
                           f"ContactList has {len(contacts)} contacts; the limit is {MAX_CONTACTS} per request")
    return command(contacts, params, "SaveMultiContact")


def render_multi(result, params: dict, ctx: dict) -> dict:
    responses = [item_answer(item, sent) for item, sent in zip(result.items, ctx["command"].note)]
    saved = sum(1 for item in result.items if item.ok)
    detail = f"{saved} saved, {len(responses) - saved} failed"
    return {"SaveMultiContactJsonResult": wire.envelope(errors.SAVED, detail, None, message="Contacts processed",
                                                        Responses=responses)}


SAVE_CONTACT = Method(parse_save, render_save)
SAVE_MULTI_CONTACT = Method(parse_multi, render_multi)
