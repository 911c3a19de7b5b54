"""The eleven matching modes: which keys each one reads and the core lookups it becomes.

A key is read from the first of the request's sources that has it: for a single profile the
top-level parameter, then the profile's own data; for a batch item the item first, then the
top level. Where neither gives one, the profile's own first address (its phones, or its
subscription on the mode's channel) is the key, so sending the same data twice finds the same
profile. `resource_id` narrows the search in subscriptions to one resource.
"""
from __future__ import annotations

from core import errors as core_errors
from core import normalize
from core.errors import CoreError
from core.model import Lookup

from .params import as_list, incorrect, integer, is_scalar
from .subscriptions import CC_CHANNELS, RESOURCE, cc_address, push_address

MODES = ("email", "email_profile", "email_sub", "phone", "phone_sub", "profile_id", "push_sub", "custom",
         "custom_sub", "email_phone", "email_phone_sub")
NEEDS_FIELD_NAME = ("custom", "custom_sub")


def mode(params: dict, default: str | None = "email") -> str | None:
    """The request's matching mode (refused when unknown or missing its field_name)."""
    value = params.get("matching")
    if value is None or value == "":
        return default
    if not isinstance(value, str) or value.strip().lower() not in MODES:
        raise incorrect(f"unknown matching {value!r}; one of {', '.join(MODES)}")
    value = value.strip().lower()
    if value in NEEDS_FIELD_NAME and not is_scalar(params.get("field_name")):
        raise incorrect(f"matching {value} needs field_name")
    return value


def _first(sources: list[dict], name: str):
    for source in sources:
        value = source.get(name)
        if value is not None and value != "" and is_scalar(value):
            return value
    return None


def _email(sources: list[dict], sub_addresses: dict) -> str | None:
    raw = _first(sources, "email")
    return normalize.email(raw) if raw is not None else sub_addresses.get("email")


def _phone(sources: list[dict], data: dict, sub_addresses: dict) -> str | None:
    raw = _first(sources, "phone")
    if raw is None:
        raw = next((p for p in as_list(data.get("phones")) if is_scalar(p) and p != ""), None)
    return normalize.phone(raw) if raw is not None else sub_addresses.get("sms")


def lookups(matching: str, sources: list[dict], data: dict, sub_addresses: dict) -> tuple[tuple, tuple | None]:
    """(lookups, custom_match) of one profile; raises CoreError when the mode's key is missing or bad."""
    resource = _first(sources, "resource_id")
    scope = (integer(resource, "resource_id"),) if resource is not None else ()

    def member(address, channels):
        return Lookup("member", address, channels, scope, RESOURCE)

    found: list[Lookup] = []
    custom = None
    if matching in ("email", "email_profile", "email_sub"):
        address = _email(sources, sub_addresses)
        if address is not None:
            if matching != "email_sub":
                found.append(Lookup("email", address))
            if matching != "email_profile":
                found.append(member(address, ("email",)))
    elif matching in ("phone", "phone_sub"):
        number = _phone(sources, data, sub_addresses)
        if number is not None:
            if matching == "phone":
                found.append(Lookup("phone", number))
            found.append(member(number, ("sms",)))
    elif matching in ("email_phone", "email_phone_sub"):
        address, number = _email(sources, sub_addresses), _phone(sources, data, sub_addresses)
        sub = matching == "email_phone_sub"
        if address is not None:
            found.append(member(address, ("email",)) if sub else Lookup("email", address))
        if number is not None:
            found.append(member(number, ("sms",)) if sub else Lookup("phone", number))
    elif matching == "profile_id":
        value = _first(sources, "profile_id")
        if value is not None:
            found.append(Lookup("profile_id", str(value)))
    elif matching == "push_sub":
        provider, token = _first(sources, "provider"), _first(sources, "subscription_id")
        if provider is not None and token is not None:
            found.append(member(push_address(provider, token), ("push",)))
        elif sub_addresses.get("push"):
            found.append(member(sub_addresses["push"], ("push",)))
    elif matching in NEEDS_FIELD_NAME:
        name = str(_first(sources, "field_name"))
        value = _first(sources, "field_value")
        if matching == "custom":
            value = value if value is not None else data.get(name)
            if value is not None and value != "" and is_scalar(value):
                found.append(Lookup("field"))
                custom = (name, value)
        elif value is not None:
            found.append(member(cc_address(name, value), CC_CHANNELS))
        else:
            address = next((sub_addresses[c] for c in CC_CHANNELS if c in sub_addresses), None)
            if address is not None:
                found.append(member(address, CC_CHANNELS))
    if not found:
        raise CoreError(core_errors.INVALID_ARGUMENT, f"Matching {matching} needs {_needs(matching)}",
                        matching=matching)
    return tuple(found), custom


def _needs(matching: str) -> str:
    return {"profile_id": "profile_id", "push_sub": "provider and subscription_id",
            "custom": "field_value (or the field in data)", "custom_sub": "field_value",
            "email_phone": "email or phone", "email_phone_sub": "email or phone"}.get(
        matching, "phone" if matching.startswith("phone") else "email")
