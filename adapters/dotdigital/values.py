"""Dotdigital's vocabularies beside the canonical ones: statuses, opt-in and email types, data-field types and values."""
from __future__ import annotations

import re
from datetime import date, datetime

from core.normalize import timestamp

# Canonical email status -> v3 email channel status (and the contact's own status).
V3_EMAIL_STATUS = {
    "active": "subscribed", "new": "subscribed", "unsubscribed": "unsubscribed", "blocked": "suppressed",
    "invited": "pendingOptIn", "activation_requested": "pendingOptIn", "inactive": "noSubscription",
}
# v3 request channelProperties.email.status -> canonical.
EMAIL_STATUS_FROM_V3 = {"subscribed": "active", "unsubscribed": "unsubscribed", "suppressed": "blocked"}
# Canonical phone status <-> v3 sms / whatsApp channel status.
V3_SMS_STATUS = {
    "active": "subscribed", "new": "subscribed", "unsubscribed": "unsubscribed", "blocked": "suppressed",
    "inactive": "noSubscription", "invited": "noSubscription", "activation_requested": "noSubscription",
}
SMS_STATUS_FROM_V3 = {"nosubscription": "inactive", "subscribed": "active", "unsubscribed": "unsubscribed",
                      "suppressed": "blocked"}
WHATSAPP_STATUSES = {"nosubscription": "noSubscription", "subscribed": "subscribed",
                     "unsubscribed": "unsubscribed", "suppressed": "suppressed"}
# Canonical email status -> v2 ApiContactStatuses.
V2_STATUS = {
    "active": "Subscribed", "new": "Subscribed", "unsubscribed": "Unsubscribed", "blocked": "Suppressed",
    "invited": "PendingOptIn", "activation_requested": "PendingOptIn", "inactive": "Unsubscribed",
}

# Opt-in and email types: stored canonically, matched without regard to case, printed in PascalCase.
OPT_IN_TYPES = {"unknown": "Unknown", "single": "Single", "double": "Double", "verifieddouble": "VerifiedDouble"}
EMAIL_TYPES = {"plaintext": "PlainText", "html": "Html"}
DEFAULT_OPT_IN = "Unknown"
DEFAULT_EMAIL_TYPE = "PlainText"

# Data-field types: Dotdigital <-> canonical field types.
FIELD_TYPE_TO_CORE = {"string": "string", "numeric": "number", "date": "datetime", "boolean": "bool"}
CORE_TO_FIELD_TYPE = {"number": "Numeric", "date": "Date", "datetime": "Date", "bool": "Boolean"}
FIELD_NAME = re.compile(r"[A-Za-z0-9_-]{1,20}")


def enum_value(table: dict, raw) -> str | None:
    """The PascalCase spelling of an enum value given in any case (None when it is not one)."""
    if not isinstance(raw, str):
        return None
    return table.get(raw.strip().lower())


def enum_attrs(keys, refuse, where: str = "") -> dict:
    """The emailType / optInType an object gives, as kept attributes; `refuse(text)` makes the error."""
    result = {}
    for name, table, attr in (("emailType", EMAIL_TYPES, "email_format"), ("optInType", OPT_IN_TYPES, "opt_in_type")):
        given = keys.get(name)
        if given is not None:
            spelled = enum_value(table, given)
            if spelled is None:
                raise refuse(f"{where}{name} '{given}' is not one of {', '.join(table.values())}")
            result[attr] = spelled
    return result


def field_type(definition) -> str:
    return CORE_TO_FIELD_TYPE.get(definition.type, "String")


def field_value(definition, value):
    """A stored data-field value as Dotdigital prints it: numbers, booleans, ISO 8601 dates, text."""
    if value is None:
        return None
    kind = definition.type
    if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind in ("date", "datetime"):
        return iso(value) or value
    return value


def iso(value, zone: str = "") -> str | None:
    """`YYYY-MM-DDThh:mm:ss` (UTC) of a stored date, datetime or date text; None when it is none."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        try:
            moment = timestamp(value)
        except Exception:  # noqa: BLE001 - a value stored by another dialect in another shape stays as it is
            return None
    return moment.replace(microsecond=0).isoformat() + zone


def mobile(phone: str | None) -> str | None:
    """E.164 without the leading '+', as every documented Dotdigital example writes mobile numbers."""
    return phone[1:] if phone and phone.startswith("+") else phone
