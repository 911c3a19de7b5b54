"""Normalisation of identities and scalar values: email, E.164 phone, dates, booleans, IPs."""
from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timezone
from functools import lru_cache

import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from . import errors
from .errors import CoreError


def email(raw) -> str:
    """Lower-cased, trimmed address; raises CoreError(invalid_email) when it is not one."""
    text = str(raw).strip().lower()
    if not _email_ok(text):
        raise CoreError(errors.INVALID_EMAIL, f"Invalid email address: {raw!r}", value=str(raw))
    return text


# The everyday address shape (dot-atom local part, LDH labels, alphabetic TLD). Whatever matches
# it, the library accepts too (tests/test_normalize.py proves it on generated addresses), so the
# library only runs for the rest: a 500-row import must not spend more on syntax than on storage.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})")
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_DOTTED_SPECIAL_USE = tuple(name for name in _SPECIAL_USE if "." in name)


def _plain_email(text: str) -> bool:
    match = _PLAIN_EMAIL.fullmatch(text)
    if match is None or len(text) > 254 or text.index("@") > 64:
        return False
    domain = match.group(1)
    if "--" in domain or domain.rpartition(".")[2] in _SPECIAL_USE:
        return False  # rare shapes with their own rules: the library decides
    if _DOTTED_SPECIAL_USE and any(domain == n or domain.endswith("." + n) for n in _DOTTED_SPECIAL_USE):
        return False
    return True


@lru_cache(maxsize=65536)
def _email_ok(text: str) -> bool:
    if _plain_email(text):
        return True
    # The library's verdict on syntax only: vendors accept addresses before any mailbox exists.
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


_E164 = re.compile(r"\+?([1-9]\d{6,14})")


def _plain_e164(text: str) -> str | None:
    """'+' and digits that the library calls a possible number, checked without its full parser."""
    match = _E164.fullmatch(text)
    if match is None:
        return None
    digits = match.group(1)
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            national = digits[size:]
            if not national or national[0] == "0" or _may_rewrite(code, national):
                return None  # leading zeros (Italy), national prefixes: the full parser decides
            return "+" + digits if _possible(code, national) else None
    return None


@lru_cache(maxsize=None)
def _prefix_patterns(code: int) -> tuple:
    """The regions' national-prefix patterns of a calling code: the parser rewrites numbers they match."""
    patterns = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, ()):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(code, region)
        if metadata is not None and metadata.national_prefix_for_parsing:
            patterns.append(re.compile(metadata.national_prefix_for_parsing))
    return tuple(patterns)


def _may_rewrite(code: int, national: str) -> bool:
    return any(pattern.match(national) for pattern in _prefix_patterns(code))


_POSSIBLE: dict[tuple[int, int], bool] = {}


def _possible(code: int, national: str) -> bool:
    # The library's "possible number" test looks only at the calling code and the length of the
    # national number, so its answer is remembered per (code, length), not recomputed per number.
    key = (code, len(national))
    known = _POSSIBLE.get(key)
    if known is None:
        number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
        known = _POSSIBLE[key] = phonenumbers.is_possible_number(number)
    return known


def phone(raw, default_region: str | None = None) -> str:
    """E.164 form of a phone number; raises CoreError(invalid_phone) when it cannot be one."""
    result = _phone(str(raw).strip(), default_region)
    if result is None:
        raise CoreError(errors.INVALID_PHONE, f"Invalid phone number: {raw!r}", value=str(raw))
    return result


@lru_cache(maxsize=65536)
def _phone(text: str, default_region: str | None) -> str | None:
    fast = _plain_e164(text)
    if fast is not None:
        return fast
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
    return None


_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y.%m.%d",
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M:%S",  # .NET DateTime.ToString() in es-* cultures: "31/12/1990 0:00:00"
    "%d/%m/%Y %H:%M",
    "%d.%m.%y",
)


# The two everyday date shapes, read without strptime (several failed attempts cost ~100 µs a
# value); anything else, or an impossible date, takes the general path below and gets its verdict.
_PLAIN_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)|(\d\d)/(\d\d)/(\d{4})")


def timestamp(raw) -> datetime:
    """A naive UTC datetime from the date formats vendors document (and RFC 3339)."""
    if isinstance(raw, datetime):
        return _to_utc(raw)
    text = str(raw).strip()
    plain = _PLAIN_DATE.fullmatch(text)
    if plain is not None:
        year, month, day = plain.group(1, 2, 3) if plain.group(1) else plain.group(6, 5, 4)
        try:
            return datetime(int(year), int(month), int(day))
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    try:
        return _to_utc(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
    except (ValueError, OverflowError):  # Overflow: 9999-12-31T23:59:59-01:00 is past year 9999 in UTC
        raise CoreError(errors.INVALID_DATE, f"Invalid date: {repr(raw)[:60]}", value=text[:60]) from None


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
