"""Normalisation of identities and scalar values: email, E.164 phone, dates, booleans, IPs."""
from __future__ import annotations

import ipaddress
from datetime import datetime, timezone
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from . import errors
from .errors import CoreError


def email(raw) -> str:
    """Lower-cased, trimmed address; raises CoreError(invalid_email) when it is not one."""
    text = str(raw).strip().lower()
    if not _email_ok(text):
        raise CoreError(errors.INVALID_EMAIL, f"Invalid email address: {raw!r}", value=str(raw))
    return text


@lru_cache(maxsize=65536)
def _email_ok(text: str) -> bool:
    # The library's verdict on syntax only: vendors accept addresses before any mailbox exists.
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def phone(raw, default_region: str | None = None) -> str:
    """E.164 form of a phone number; raises CoreError(invalid_phone) when it cannot be one."""
    text = str(raw).strip()
    # Clients that put '+' raw into a query string deliver it as a space, already stripped above.
    candidates = [text] if text.startswith("+") else ["+" + text, text]
    for candidate in candidates:
        region = None if candidate.startswith("+") else default_region
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise CoreError(errors.INVALID_PHONE, f"Invalid phone number: {raw!r}", value=str(raw))


_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y.%m.%d",
    "%d/%m/%Y",
    "%d.%m.%y",
)


def timestamp(raw) -> datetime:
    """A naive UTC datetime from the date formats vendors document (and RFC 3339)."""
    if isinstance(raw, datetime):
        return _to_utc(raw)
    text = str(raw).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    try:
        return _to_utc(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError:
        raise CoreError(errors.INVALID_DATE, f"Invalid date: {raw!r}", value=text) from None


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


_TRUE = {"1", "true", "yes", "on", "y", "t"}
_FALSE = {"0", "false", "no", "off", "n", "f", ""}


def boolean(raw) -> bool:
    """Truth of the spellings clients send (1/0, true/false, yes/no); raises on anything else."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)):
        return bool(raw)
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CoreError(errors.INVALID_VALUE, f"Invalid boolean: {raw!r}", value=str(raw))


def ip(raw) -> str:
    """Canonical text of an IPv4/IPv6 address."""
    try:
        return str(ipaddress.ip_address(str(raw).strip()))
    except ValueError:
        raise CoreError(errors.INVALID_VALUE, f"Invalid IP address: {raw!r}", value=str(raw)) from None


def now() -> datetime:
    """The current naive UTC time, second precision (what every dialect prints)."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
