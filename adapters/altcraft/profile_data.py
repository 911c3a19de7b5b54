"""A profile's `data` object both ways: system fields, email, phones, custom fields, subscriptions."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from core import errors as core_errors
from core import normalize
from core.errors import CoreError
from core.model import ContactChange, ListChange

from . import subscriptions as subs
from .params import as_list, is_scalar

# Altcraft's system fields and the canonical contact attribute each one is (core.model.SYSTEM_ATTRS).
SYSTEM_FIELDS = {
    "_fname": "first_name", "_lname": "last_name", "_bdate": "birth_date", "_sex": "gender",
    "_regdate": "reg_date", "_regip": "reg_ip", "_regcity": "reg_city", "_regcountry": "reg_country",
    "_regurl": "reg_url", "_ip": "ip", "_city": "city", "_country": "country", "_region": "region",
    "_postal_code": "postcode", "_tz": "timezone", "_vendor": "vendor",
}
SHOWN_SYSTEM = {attr: name for name, attr in SYSTEM_FIELDS.items()}
DATES = frozenset({"_bdate", "_regdate"})
IPS = frozenset({"_regip", "_ip"})
# Keys that only answers carry (a client that sends back what profiles/get gave loses nothing).
COMPUTED = frozenset({"id", "db_id", "_md5", "_emaildomain", "_domaingroup", "_xxh", "_xxm", "_createtime"})
# Keys a batch item may carry to say how it is matched; they are not profile fields.
KEY_NAMES = frozenset({"profile_id", "phone", "field_name", "field_value", "provider", "subscription_id",
                       "resource_id"})
SEX = {"male": "male", "m": "male", "1": "male", "female": "female", "f": "female", "2": "female"}
MORE_PHONES = "more_phones"  # Contact.channels key: the phones after the first (the first is the phone identity)


@dataclass
class Profile:
    """One `data` object read: the change to apply and what matching modes may need from it."""

    change: ContactChange
    data: dict
    sub_addresses: dict[str, str] = field(default_factory=dict)  # channel -> address of its first subscription


def read(data, skip_invalid_subscriptions: bool) -> Profile:
    """The ContactChange of a `data` object; a value the profile cannot carry fails only this profile."""
    if not isinstance(data, dict):
        return Profile(ContactChange(error=CoreError(core_errors.INVALID_VALUE, "A profile must be an object")), {})
    change = ContactChange()
    profile = Profile(change, data)
    try:
        for name, value in data.items():
            if name == "email":
                _email(change, value)
            elif name == "phones":
                _phones(change, value)
            elif name == "subscriptions":
                change.lists = _subscriptions(profile, value, skip_invalid_subscriptions)
            elif name in SYSTEM_FIELDS:
                change.attrs[SYSTEM_FIELDS[name]] = _system(name, value)
            elif name in COMPUTED or name in KEY_NAMES:
                continue
            elif name.startswith("_"):
                change.attrs[name] = value  # a system field without a canonical slot (_status, _os, ...): kept as sent
            elif isinstance(value, dict):
                raise CoreError(core_errors.INVALID_VALUE, f"Invalid value for field {name}: an object")
            else:
                change.fields[name] = None if value == "" and not isinstance(value, list) else value
    except CoreError as exc:
        return Profile(ContactChange(error=exc), data)
    return profile


def _email(change: ContactChange, value) -> None:
    if value is None or value == "":
        change.clear_identities += ("email",)
    elif not is_scalar(value):
        raise CoreError(core_errors.INVALID_EMAIL, f"Invalid email address: {value!r}")
    else:
        change.identities["email"] = str(value)


def _phones(change: ContactChange, value) -> None:
    phones = [p for p in as_list(value) if p not in (None, "")]
    if not all(is_scalar(p) for p in phones):
        raise CoreError(core_errors.INVALID_PHONE, f"Invalid phones: {value!r}")
    if not phones:
        change.clear_identities += ("phone",)
        change.channels[MORE_PHONES] = None
        return
    change.identities["phone"] = str(phones[0])
    more = [normalize.phone(p) for p in phones[1:]]
    change.channels[MORE_PHONES] = more or None


def _system(name: str, value):
    if value is None or value == "":
        return None
    if not is_scalar(value):
        raise CoreError(core_errors.INVALID_VALUE, f"Invalid {name}: {value!r}")
    text = str(value).strip()
    if name in DATES:
        try:
            moment = normalize.timestamp(text)
        except CoreError:
            raise CoreError(core_errors.INVALID_DATE, f"Invalid {name}: {value!r}") from None
        return moment.date().isoformat() if len(text) == 10 else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if name in IPS:
        try:
            return normalize.ip(text)
        except CoreError:
            raise CoreError(core_errors.INVALID_VALUE, f"Invalid {name}: {value!r}") from None
    if name == "_sex":
        if text in ("0", ""):
            return None  # 0: not known
        if text.lower() not in SEX:
            raise CoreError(core_errors.INVALID_VALUE, f"Invalid _sex: {value!r}, expected male or female")
        return SEX[text.lower()]
    return text


def _subscriptions(profile: Profile, value, skip_invalid: bool) -> list[ListChange]:
    changes = []
    for number, raw in enumerate(as_list(value)):
        try:
            change = subs.parse(raw, optional=skip_invalid)
        except subs.Invalid as exc:
            if skip_invalid:
                continue
            raise CoreError(core_errors.INVALID_VALUE, f"Invalid subscription {number}: {exc}",
                            subscription=number) from None
        profile.sub_addresses.setdefault(change.channel, change.address)
        changes.append(change)
    return changes


def segment_changes(add: list[int], remove: list[int]) -> list[ListChange]:
    """add_to_segments / remove_from_segments: memberships of the profile itself in segment lists."""
    return ([ListChange(n, "subscribed", "profile", kind="segment") for n in add]
            + [ListChange(n, "removed", "profile", kind="segment") for n in remove])


def shown(view) -> dict:
    """A stored contact as profiles/get's `data`."""
    attrs = view.attrs or {}
    data = {"id": view.profile_id, "db_id": view.database, "email": view.email or "",
            "phones": ([view.phone] if view.phone else []) + list(view.channels.get(MORE_PHONES) or ())}
    for attr, value in attrs.items():
        if attr in SHOWN_SYSTEM:
            data[SHOWN_SYSTEM[attr]] = value
        elif attr.startswith("_"):
            data[attr] = value
    data.setdefault("_regdate", view.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if view.email:
        data["_emaildomain"] = view.email.rpartition("@")[2]
        data["_md5"] = hashlib.md5(view.email.encode()).hexdigest()
    data.update(view.fields)
    data["subscriptions"] = [subs.shown(m, listing=False) for m in view.memberships if m.kind == subs.RESOURCE]
    return data
