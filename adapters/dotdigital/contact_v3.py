"""The v3 contact object both ways: request bodies (import items, PATCH, PUT, POST) to a ContactChange, a stored contact back.

Two kinds of trouble are told apart. A contact without `identifiers` (or, in an import, without
`matchIdentifier`) is a broken request and refuses it whole, as Dotdigital's model validation does
(`contacts:badRequest - The Identifiers field is required`). Anything wrong *inside* a contact (a
bad email, a value of the wrong JSON type, an unknown enum value, too many lists) fails that
contact alone with a documented failure code; badly formed consent records only drop the consent
records (`consentRecordsNotApplied`) and the contact is still written.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlparse

import phonenumbers

from core import errors as core_errors
from core import normalize, scalars
from core.errors import CoreError
from core.model import ContactChange, ListChange

from . import values
from .errors import bad_request
from .wire import Keys, is_int

STANDARD = {"contactid": "contactId", "email": "email", "mobilenumber": "mobileNumber"}
KIND = {"contactId": "id", "email": "email", "mobileNumber": "phone"}
IDENTIFIER_NAME = re.compile(r"[-A-Za-z0-9_]{1,50}")
MAX_LISTS = 100
MAX_CONSENT = 5
CONSENT_KEYS = ("text", "dateTimeConsented", "url", "ipAddress", "userAgent")

# Failure codes and texts of the import report (spelled as documented: camelCase where the spec's
# examples show them, PascalCase where only the getImportStatus page's table names them).
INVALID_EMAIL = "invalidEmail"
DUPLICATE = "duplicateIdentifier"
CONSENT_NOT_APPLIED = "consentRecordsNotApplied"
CONSENT_TEXT = "The provided consent records could not be applied as they were incorrectly formatted"
SCHEMA = "ApiSchemaViolation"
INVALID_MATCH = "InvalidMatchIdentifier"
NO_IDENTIFIERS = "NoValidIdentifiers"
INVALID_CONTACT_ID = "InvalidContactId"


def failure(code: str, description: str) -> CoreError:
    """An item error the adapter found, carrying its Dotdigital failure code."""
    return CoreError(core_errors.INVALID_VALUE, description, failure=code)


def schema(description: str) -> CoreError:
    return failure(SCHEMA, description)


@dataclass
class Parsed:
    """One v3 contact as the core will see it, plus what the answer needs to say about it."""

    change: ContactChange
    match: str | None  # the identifier name it is matched on (import), as the client spelt it
    custom: dict  # custom identifiers given: name -> value


def check_required(item, where: str, need_match: bool) -> None:
    """The checks that refuse the whole request (Dotdigital's [Required] model validation)."""
    if not isinstance(item, dict):
        raise bad_request("A contact must be a JSON object", where)
    keys = Keys(item)
    if need_match and not isinstance(keys.get("matchIdentifier"), str):
        raise bad_request("The MatchIdentifier field is required", where)
    if not isinstance(keys.get("identifiers"), dict):
        raise bad_request("The Identifiers field is required", where)


def parse(item: dict, match: str | None = None, need_identity: bool = True) -> Parsed:
    """A contact object as a ContactChange; what is wrong inside it becomes the change's error."""
    keys = Keys(item)
    change = ContactChange()
    custom: dict = {}
    try:
        _identifiers(keys.get("identifiers"), change, custom)
        match_name = _match(match, change, custom) if match is not None else None
        if match is None and custom:
            change.custom_match = next(iter(custom.items()))  # so the core keeps it unique
        _data_fields(keys.get("dataFields"), change)
        _channels(keys.get("channelProperties"), change)
        _lists(keys.get("lists"), change)
        _preferences(keys.get("preferences"), change)
    except CoreError as exc:
        return Parsed(ContactChange(error=exc), match, custom)
    _consent(keys, change)
    if need_identity and match is None and not ({"email", "phone"} & change.identities.keys()):
        change.error = failure(NO_IDENTIFIERS, "The contact needs an email or a mobileNumber identifier")
    return Parsed(change, match_name, custom)


def _identifiers(raw, change: ContactChange, custom: dict) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        raise schema("identifiers must be an object")
    for key, value in raw.items():
        if value is None:
            continue  # null clears data fields only, never an identifier
        name = STANDARD.get(key.lower())
        if name == "contactId":
            if not scalars.is_integer(value, scalars.COUNT32, floats=False):
                raise failure(INVALID_CONTACT_ID, f"Invalid value for 'contactId': {value!r}"[:200])
            change.identities["id"] = scalars.integer(value, scalars.COUNT32, floats=False)
        elif name is not None:
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                raise schema(f"identifiers.{name} must be a string")
            change.identities[KIND[name]] = str(value)
        else:
            if not IDENTIFIER_NAME.fullmatch(key):
                raise schema(f"'{key}' is not a valid identifier name")
            if not isinstance(value, (str, int)) or isinstance(value, bool) or len(str(value)) > 256:
                raise schema(f"identifiers.{key} must be a string of at most 256 characters")
            custom[key] = str(value)
            change.fields[key] = str(value)  # custom identifiers are data fields marked as identifiers


def _match(match: str, change: ContactChange, custom: dict) -> str:
    name = STANDARD.get(match.lower())
    if name is not None:
        kind = KIND[name]
        if kind not in change.identities:
            raise failure(INVALID_MATCH, f"The match identifier '{match}' has no value in identifiers")
        change.match = (kind,)
        if kind != "id":
            change.identities.pop("id", None)  # contactId only matches; it is never written
        if custom:
            change.custom_match = next(iter(custom.items()))  # so the core keeps it unique
        return name
    if not IDENTIFIER_NAME.fullmatch(match):
        raise failure(INVALID_MATCH, f"'{match}' is not a valid match identifier")
    value = next((v for k, v in custom.items() if k.lower() == match.lower()), None)
    if value is None:
        raise failure(INVALID_MATCH, f"The match identifier '{match}' has no value in identifiers")
    change.custom_match = (match, value)
    change.match = ("field",)
    change.identities.pop("id", None)
    return match


def _scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _data_fields(raw, change: ContactChange) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        raise schema("dataFields must be an object")
    for name, value in raw.items():
        if not _scalar(value):
            raise schema(f"dataFields.{name} must be a text, a number, a boolean or null")
        change.fields[name] = value


def _channels(raw, change: ContactChange) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        raise schema("channelProperties must be an object")
    keys = Keys(raw)
    email = keys.get("email")
    if email is not None:
        if not isinstance(email, dict):
            raise schema("channelProperties.email must be an object")
        email = Keys(email)
        change.attrs.update(values.enum_attrs(email, schema, "channelProperties.email."))
        status = email.get("status")
        if status is not None:
            canonical = values.EMAIL_STATUS_FROM_V3.get(str(status).lower()) if isinstance(status, str) else None
            if canonical is None:
                raise schema(f"channelProperties.email.status '{status}' is not one of subscribed, unsubscribed, "
                             "suppressed")
            change.email_status = canonical
        resubscribe = email.get("resubscribeOptions")
        if resubscribe is not None and not isinstance(resubscribe, dict):
            raise schema("channelProperties.email.resubscribeOptions must be an object")
    for channel, attr in (("sms", None), ("whatsApp", "whatsapp_status")):
        block = keys.get(channel)
        if block is None:
            continue
        status = Keys(block).get("status") if isinstance(block, dict) else block
        if not isinstance(block, dict) or (status is not None and not isinstance(status, str)):
            raise schema(f"channelProperties.{channel} must be an object with a status")
        if status is None:
            continue
        if attr is None:
            canonical = values.SMS_STATUS_FROM_V3.get(status.lower())
            if canonical is None:
                raise schema(f"channelProperties.sms.status '{status}' is not one of noSubscription, subscribed, "
                             "unsubscribed, suppressed")
            change.phone_status = canonical
        else:
            spelled = values.WHATSAPP_STATUSES.get(status.lower())
            if spelled is None:
                raise schema(f"channelProperties.whatsApp.status '{status}' is not one of noSubscription, "
                             "subscribed, unsubscribed, suppressed")
            change.attrs[attr] = spelled


def _lists(raw, change: ContactChange) -> None:
    if raw is None:
        return
    if not isinstance(raw, list) or not all(is_int(v) for v in raw):
        raise schema("lists must be an array of list ids")
    if not 1 <= len(raw) <= MAX_LISTS:
        raise schema(f"lists must name between 1 and {MAX_LISTS} lists")
    change.lists = [ListChange(number, "subscribed", "email") for number in dict.fromkeys(raw)]


def _preferences(raw, change: ContactChange) -> None:
    if raw is None:
        return
    if not isinstance(raw, list) or not raw:
        raise schema("preferences must be an array of {id, isOptedIn}")
    chosen = {}
    for entry in raw:
        entry = Keys(entry) if isinstance(entry, dict) else None
        if entry is None or not is_int(entry.get("id")) or not isinstance(entry.get("isOptedIn"), bool):
            raise schema("preferences must be an array of {id, isOptedIn}")
        chosen[str(entry.get("id"))] = entry.get("isOptedIn")
    change.merge_attrs = {**(change.merge_attrs or {}), "preferences": chosen}


def _consent(keys: Keys, change: ContactChange) -> None:
    raw = keys.get("consentRecords")
    if raw is None:
        return
    records = consent_records(raw)
    if records is None:
        change.warnings.append((CONSENT_NOT_APPLIED, CONSENT_TEXT))
        return
    change.merge_attrs = {**(change.merge_attrs or {}), "consent": records}


def consent_records(raw) -> list | None:
    """Consent records as stored, or None when any of them is incorrectly formatted."""
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CONSENT:
        return None
    stamp = values.iso(normalize.now())
    result = []
    for record in raw:
        if not isinstance(record, dict):
            return None
        keys = Keys(record)
        if len(record) != len(CONSENT_KEYS) or not all(keys.has(k) for k in CONSENT_KEYS):
            return None  # all five are required and nothing else is allowed
        text, agent, url, ip = (keys.get(k) for k in ("text", "userAgent", "url", "ipAddress"))
        if not all(isinstance(v, str) and v.strip() for v in (text, agent, url, ip)):
            return None
        consented = _moment(keys.get("dateTimeConsented"))
        if consented is None or not _url(url) or not _ip(ip):
            return None
        result.append({"text": text, "dateTimeConsented": consented, "url": url, "ipAddress": ip.strip(),
                       "userAgent": agent, "dateTimeCreated": stamp})
    return result


def _moment(raw) -> str | None:
    if not isinstance(raw, str):
        return None
    try:
        return values.iso(normalize.timestamp(raw))
    except CoreError:
        return None


def _url(text: str) -> bool:
    parts = urlparse(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip())
    except ValueError:
        return False
    return True


# -- the stored contact, as v3 prints it -------------------------------------------------------------
INCLUDES = ("channelProperties", "lists", "preferences", "consentRecords")
LIST_STATUS = {"subscribed": "subscribed", "unsubscribed": "suppressed", "suspended": "pending"}


def identifier_fields(view) -> list:
    return [d for d in view.catalog if (d.attrs or {}).get("identifier")]


def render(view, include=INCLUDES, data_fields: object = True) -> dict:
    """A ContactView as the v3 contact object. `data_fields`: True (all), a set of names, or False."""
    identifiers = {}
    if view.email:
        identifiers["email"] = view.email
    if view.phone:
        identifiers["mobileNumber"] = values.mobile(view.phone)
    identifier_defs = identifier_fields(view)
    for definition in identifier_defs:
        value = view.fields_by_number.get(definition.number)
        if value is not None:
            identifiers[definition.name] = str(value)
    result = {"contactId": view.id, "status": contact_status(view), "created": values.iso(view.created_at, "Z"),
              "updated": values.iso(view.updated_at, "Z"), "identifiers": identifiers}
    if data_fields:
        wanted = None if data_fields is True else {n.lower() for n in data_fields}
        result["dataFields"] = {d.name: values.field_value(d, view.fields_by_number.get(d.number))
                                for d in view.catalog if d not in identifier_defs
                                and (wanted is None or d.name.lower() in wanted)}
    if "channelProperties" in include:
        result["channelProperties"] = channel_properties(view)
    if "lists" in include:
        result["lists"] = [{"id": m.list, "name": m.title, "status": LIST_STATUS[m.status]}
                           for m in view.memberships if m.channel == "email" and m.status in LIST_STATUS]
    if "preferences" in include:
        chosen = (view.attrs or {}).get("preferences") or {}
        result["preferences"] = [{"id": int(k), "isOptedIn": v} for k, v in sorted(chosen.items(),
                                                                                  key=lambda kv: int(kv[0]))]
    if "consentRecords" in include:
        result["consentRecords"] = list((view.attrs or {}).get("consent") or [])
    return result


def contact_status(view) -> str:
    if view.email:
        return values.V3_EMAIL_STATUS.get(view.email_status, "subscribed")
    if view.phone:
        return values.V3_SMS_STATUS.get(view.phone_status, "noSubscription")
    return "noSubscription"


def channel_properties(view) -> dict:
    attrs = view.attrs or {}
    result = {}
    if view.email:
        result["email"] = {"emailType": attrs.get("email_format", values.DEFAULT_EMAIL_TYPE),
                           "optInType": attrs.get("opt_in_type", values.DEFAULT_OPT_IN),
                           "status": values.V3_EMAIL_STATUS.get(view.email_status, "subscribed")}
    if view.phone:
        result["sms"] = {"countryCode": _country(view.phone),
                         "status": values.V3_SMS_STATUS.get(view.phone_status, "noSubscription")}
    if attrs.get("whatsapp_status"):
        result["whatsApp"] = {"status": attrs["whatsapp_status"]}
    return result


def _country(phone: str) -> str | None:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        return None
