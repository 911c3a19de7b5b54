"""Icomm's wire shapes: the <Op>JsonResult envelope, contact Data, Status letters, ProfileKey, field values."""
from __future__ import annotations

from core import errors as core_errors
from core import normalize
from core.errors import CoreError
from core.model import DatabaseRef

from ..common import DialectError
from . import errors

PROFILE_ATTR = "profile_key"  # the Database.attrs key a ProfileKey is kept under (setup file: databases[].attrs)

# Icomm knows three states [HELP]: enabled ("A", documented), rejected and unsubscribed (letters
# chosen). The store's finer email statuses fold into them by whether the address gets mail.
ACTIVE, REJECTED, UNSUBSCRIBED = "A", "R", "U"
STATUS_LETTERS = {
    "active": ACTIVE, "new": ACTIVE, "invited": ACTIVE, "activation_requested": ACTIVE,
    "blocked": REJECTED,
    "unsubscribed": UNSUBSCRIBED, "inactive": UNSUBSCRIBED,
}


def status_letter(email_status: str | None) -> str | None:
    if email_status is None:
        return None
    return STATUS_LETTERS.get(email_status, ACTIVE)


def envelope(code: int, detail: str = "", data=None, message: str | None = None, **extra) -> dict:
    """One result object; keys in the order of the documented sample (Message, MessageDetail, Data, StatusCode)."""
    body = {"Message": message or errors.MESSAGES[code], "MessageDetail": detail, "Data": data, "StatusCode": code}
    body.update(extra)
    return body


def contact_data(email, status: str | None = None) -> dict:
    """`Data` of a one-contact answer; always an object, since clients read `Data.Status` without a check."""
    return {"Email": email if isinstance(email, str) else None, "Status": status}


def sent_email(contact) -> str | None:
    """The Email a client sent in a Contact object, as sent (for answers about items that failed)."""
    if isinstance(contact, dict) and isinstance(contact.get("Email"), str):
        return contact["Email"]
    return None


def profile(params: dict) -> DatabaseRef:
    """The database a request's ProfileKey names (resolved by the core, within the caller's account)."""
    key = params.get("ProfileKey")
    if key is None or key == "":
        raise DialectError(errors.INVALID_PROFILE, "ProfileKey is required")
    if not isinstance(key, str) or not key.strip():
        raise DialectError(errors.INVALID_PROFILE, "ProfileKey must be a non-empty text")
    return DatabaseRef(PROFILE_ATTR, key.strip())


def contact_problem(contact) -> CoreError | None:
    """Why a Contact object cannot name a contact (not an object, no Email, an Email that is no
    text), or None; the address itself is checked where it is normalised."""
    if not isinstance(contact, dict):
        return CoreError(core_errors.INVALID_ARGUMENT, 'A contact must be an object such as {"Email": "…"}')
    email = contact.get("Email")
    if email is None or (isinstance(email, str) and not email.strip()):
        return CoreError(core_errors.MISSING_IDENTITY, "Email is required")
    if not isinstance(email, str):
        return CoreError(core_errors.INVALID_EMAIL, "Email must be a text")
    return None


def contact_email(params: dict) -> str:
    """The normalised Contact.Email of a one-contact request; refuses the request when it has none."""
    contact = params.get("Contact")
    try:
        problem = contact_problem(contact)
        if problem is not None:
            raise problem
        return normalize.email(contact["Email"])
    except CoreError as exc:
        raise DialectError(*errors.from_core(exc)) from None


def value_in(raw):
    """A CustomFields Value as the store takes it: text, or None to clear the field."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw if raw.strip() else None
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    raise ValueError("a Value must be a text, a number, true/false or null")


def value_out(value, kind: str | None) -> str:
    """A stored field value as Icomm prints it: text, dates as dd/mm/yyyy [HELP]."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if kind in ("date", "datetime") and isinstance(value, str):
        try:
            moment = normalize.timestamp(value)
        except CoreError:
            return value
        return moment.strftime("%d/%m/%Y" if kind == "date" else "%d/%m/%Y %H:%M:%S")
    return str(value)


def custom_fields_out(view) -> list[dict]:
    """A contact's field values as [{Key, Value}], in the profile's field order."""
    # fields (by name) and fields_by_number are built from one pass over the stored values.
    pairs = sorted(zip(view.fields_by_number, view.fields.items()))
    return [{"Key": name, "Value": value_out(value, view.field_types.get(name))}
            for _, (name, value) in pairs if value is not None]


def failure(kind: str, result: str, code: int, detail: str, params) -> tuple[int, dict]:
    """(HTTP status, body) of a refused request of one operation kind.

    kind: contact (one-contact answer) | multi (SaveMultiContact) | list (List Contacts) | array (ListFull).
    A SaveMultiContact refusal still answers every ContactList item, in order: clients map
    Responses[i] to ContactList[i] without looking at the envelope.
    """
    params = params if isinstance(params, dict) else {}
    status = errors.http_status(code, kind == "array")
    detail = errors.detail(code, detail)
    if kind == "array":
        inner = []
    elif kind == "multi":
        contacts = params.get("ContactList")
        responses = [envelope(code, detail, contact_data(sent_email(c))) for c in contacts] \
            if isinstance(contacts, list) else []
        inner = envelope(code, detail, None, Responses=responses)
    elif kind == "list":
        inner = envelope(code, detail, [])
    else:
        inner = envelope(code, detail, contact_data(sent_email(params.get("Contact"))))
    body = {result: inner}
    if status != 200:
        # Where a client that checks response.ok first looks for the reason [TS-SVC].
        body.update(code=code, message=detail or errors.MESSAGES[code])
    return status, body
