"""Subscription objects: a resource, a channel and the channel's address, both ways.

A subscription is a core membership of the resource (a list of kind "resource") on its channel;
its address (email, phone, push token, messenger chat) is the membership's address, so matching
modes that search subscriptions find it. Priority, custom fields, categories and the channel's own
data are the membership's attrs.
"""
from __future__ import annotations

import hashlib

from core import normalize
from core.errors import CoreError
from core.model import MEMBERSHIP_ADDRESS, ListChange

from .params import as_list, integer, is_scalar

CHANNELS = ("email", "sms", "push", "telegram_bot", "whatsapp", "viber", "notify")
CC_CHANNELS = ("telegram_bot", "whatsapp", "viber", "notify")  # channels whose address is in cc_data
CC_KEY = {"telegram_bot": "id", "whatsapp": "phone", "viber": "phone", "notify": "phone"}
STATUSES = ("subscribed", "unsubscribed", "suspended")
STATUS_CODES = {0: "subscribed", 1: "suspended", 2: "unsubscribed"}  # numeric statuses (update_batch's 0)
# Core membership statuses as Altcraft names them; "excluded" (another dialect's) is a pause.
SHOWN_STATUS = {"subscribed": "subscribed", "unsubscribed": "unsubscribed", "suspended": "suspended",
                "excluded": "suspended"}
RESOURCE = "resource"


class Invalid(Exception):
    """A subscription that cannot be stored, with the reason."""


def unchanged(value) -> bool:
    """Absent, empty or -1: leave the stored value alone (update_batch's rule, kept everywhere)."""
    return value is None or value == "" or value == -1 or (isinstance(value, str) and value.strip() == "-1")


def parse(raw, optional: bool = False) -> ListChange:
    """One subscription object as a membership change; raises Invalid."""
    if not isinstance(raw, dict):
        raise Invalid("a subscription must be an object")
    channel = _channel(raw)
    if raw.get("resource_id") in (None, ""):
        raise Invalid("resource_id is required")
    try:
        resource = integer(raw["resource_id"], "resource_id")
        attrs = {}
        if not unchanged(raw.get("priority")):
            priority = integer(raw["priority"], "priority")
            if priority < 0:
                raise Invalid(f"priority must be 0 or more, got {priority}")
            attrs["priority"] = priority
        at = normalize.timestamp(raw["date"]) if raw.get("date") not in (None, "") else None
    except CoreError as exc:
        raise Invalid(exc.message) from None
    custom = raw.get("custom_fields")
    if custom not in (None, ""):
        if not isinstance(custom, dict):
            raise Invalid("custom_fields must be an object")
        attrs["custom_fields"] = custom
    if raw.get("cats") is not None:
        cats = as_list(raw["cats"])
        if not all(is_scalar(c) for c in cats):
            raise Invalid("cats must be a list of category names")
        attrs["cats"] = [str(c) for c in cats if c != ""]
    for name in ("ip", "url"):
        if is_scalar(raw.get(name)) and raw[name] != "":
            attrs[name] = str(raw[name])
    address, extra = _address(channel, raw)
    attrs.update(extra)
    return ListChange(resource, _status(raw.get("status")), channel, at, attrs or None, address, RESOURCE, optional)


def _channel(raw: dict) -> str:
    channel = raw.get("channel")
    if channel in (None, ""):
        # Clients that leave `channel` out still say which address they give.
        if raw.get("email") or raw.get("email_data"):
            return "email"
        if raw.get("phone") or raw.get("phone_data"):
            return "sms"
        raise Invalid("channel is required")
    if not isinstance(channel, str) or channel.strip().lower() not in CHANNELS:
        raise Invalid(f"unknown channel {channel!r}")
    return channel.strip().lower()


def _status(value) -> str | None:
    if unchanged(value):
        return None
    if isinstance(value, str) and value.strip().lower() in STATUSES:
        return value.strip().lower()
    try:
        return STATUS_CODES[integer(value, "status")]
    except (CoreError, KeyError):
        raise Invalid(f"unknown status {value!r}") from None


def _inner(raw: dict, name: str, holder: str):
    """`name` given flat (`email`) or inside its channel object (`email_data.email`)."""
    value = raw.get(name)
    if value in (None, "") and isinstance(raw.get(holder), dict):
        value = raw[holder].get(name)
    return value


def _address(channel: str, raw: dict) -> tuple[str, dict]:
    try:
        if channel == "email":
            value = _inner(raw, "email", "email_data")
            if not is_scalar(value) or value == "":
                raise Invalid("an email subscription needs email or email_data.email")
            return normalize.email(value), {}
        if channel == "sms":
            value = _inner(raw, "phone", "phone_data")
            if not is_scalar(value) or value == "":
                raise Invalid("an sms subscription needs phone")
            return normalize.phone(value), {}
        if channel == "push":
            provider, token = _inner(raw, "provider", "push_data"), _inner(raw, "subscription_id", "push_data")
            if not (is_scalar(provider) and is_scalar(token)) or "" in (provider, token):
                raise Invalid("a push subscription needs provider and subscription_id")
            return push_address(provider, token), {"provider": str(provider), "subscription_id": str(token)}
        data = raw.get("cc_data")
        key = CC_KEY[channel]
        if not isinstance(data, dict) or not is_scalar(data.get(key)) or data.get(key) == "":
            raise Invalid(f"a {channel} subscription needs cc_data.{key}")
        address = cc_address(key, data[key])
        if key == "phone":
            data = {**data, key: address.split("=", 1)[1]}  # kept in E.164, as the address is
        return address, {"cc_data": data}
    except CoreError as exc:
        raise Invalid(exc.message) from None


def push_address(provider, token) -> str:
    return f"{str(provider).strip()}:{str(token).strip()}"


def cc_address(key: str, value) -> str:
    """A custom channel's address: the cc_data key and its value (a phone in E.164)."""
    if key == "phone":
        return f"phone={normalize.phone(value)}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{key}={str(value).strip()}"


def _email_data(address: str | None) -> dict:
    if not address:
        return {"email": address}
    return {"email": address, "domain": address.rpartition("@")[2], "md5": hashlib.md5(address.encode()).hexdigest()}


def shown(membership, listing: bool) -> dict:
    """A stored subscription as Altcraft shows it: flat addresses in subscriptions/list, the
    channel's own objects (email_data, phone_data, cc_data) in profiles/get."""
    attrs = membership.attrs or {}
    answer = {"resource_id": membership.list, "channel": membership.channel,
              "status": SHOWN_STATUS.get(membership.status, membership.status),
              "priority": attrs.get("priority", 0)}
    address = attrs.get(MEMBERSHIP_ADDRESS)
    if membership.channel == "email":
        answer.update({"email": address} if listing else {"email_data": _email_data(address)})
    elif membership.channel == "sms":
        answer.update({"phone": address} if listing else {"phone_data": {"phone": address}})
    elif membership.channel == "push":
        answer.update(provider=attrs.get("provider"), subscription_id=attrs.get("subscription_id"))
    elif "cc_data" in attrs:
        answer["cc_data"] = attrs["cc_data"]
    if attrs.get("custom_fields"):
        answer["custom_fields"] = attrs["custom_fields"]
    if attrs.get("cats"):
        answer["cats"] = attrs["cats"]
    if not listing:
        answer["is_delete"] = False
    return answer
