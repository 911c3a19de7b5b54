"""eSputnik's Contact object: into a ContactChange (leniently, as production clients send it) and back."""
from __future__ import annotations

from core import normalize, scalars
from core.errors import CoreError
from core.model import ContactChange, ListChange

from ..common import DialectError
from .wire import as_int, as_list, as_text

# One rule for additional-field ids the account does not have, on every path (subscribe, contact,
# contact/{id}, contacts, contacts/upload): they are ignored. The vendor's one statement on it is
# the file import's "the fields that are not found in the system remain empty (not updated)", and
# its JAXB-bound API ignores what it does not know elsewhere too (recorded calls, [VCR]).
UNKNOWN_FIELDS = "ignore"

# Channel types of the Contact schema (and `telegrambot`, the media type other eSputnik enums use).
CHANNEL_TYPES = frozenset({"email", "sms", "viber", "mobilepush", "webpush", "appinbox", "widget", "inapp",
                           "telegrambot"})
MAX_SAME_CHANNELS = 2
# Contact properties kept as core system attributes, and the address object's members.
ATTRS = {"firstName": "first_name", "lastName": "last_name", "contactKey": "contact_key",
         "languageCode": "language", "timeZone": "timezone"}
ADDRESS = {"address": "address", "town": "city", "region": "region", "postcode": "postcode"}
EXTERNAL_ID_MAX = 256  # the store's column
SEGMENT_CHANNEL = "email"  # eSputnik segments are not per channel; memberships use one channel


class InvalidContact(DialectError):
    """A contact eSputnik would not take: its place fails (bulk) or the request does (single methods).

    A refusal in itself (400): a parse that does not catch it (groups of contact/subscribe) still
    answers eSputnik's 400, never a 500."""

    def __init__(self, message: str):
        super().__init__("bad_request", message, 400)


def _text(value, name: str) -> str | None:
    return as_text(value, name, InvalidContact)


def _attrs(source: dict, names: dict, change: ContactChange, where: str = "") -> None:
    """Properties of `source` into system attributes by `names`; an empty string clears one."""
    for prop, attr in names.items():
        value = source.get(prop)
        if value is None:  # most contacts carry few of these
            continue
        value = value if value.__class__ is str else _text(value, where + prop)
        change.attrs[attr] = value.strip() or None


def contact_change(raw, *, with_id: bool = False, with_groups: bool = False,
                   require_channels: bool = True) -> ContactChange:
    """The change a Contact asks for; raises InvalidContact with eSputnik-style text.

    Nulls and unknown properties are ignored; an empty string clears a property.
    """
    if not isinstance(raw, dict):
        raise InvalidContact("A contact must be an object")
    change = ContactChange()
    _channels(raw.get("channels"), change, require_channels)
    _attrs(raw, ATTRS, change)
    address = raw.get("address")
    if address is not None:
        if not isinstance(address, dict):
            raise InvalidContact("address must be an object")
        _attrs(address, ADDRESS, change, "address.")
    orders = raw.get("ordersInfo")
    if orders is not None:
        if not isinstance(orders, dict):
            raise InvalidContact("ordersInfo must be an object")
        change.attrs["orders_info"] = {k: v for k, v in orders.items() if isinstance(v, (str, int, float))}
    external = raw.get("externalCustomerId")
    external = None if external is None else _text(external, "externalCustomerId")
    if external is not None and external.strip():
        if len(external.strip()) > EXTERNAL_ID_MAX:
            raise InvalidContact(f"externalCustomerId is longer than {EXTERNAL_ID_MAX} characters")
        change.identities["external_id"] = external.strip()
    if with_id and raw.get("id") is not None:
        change.identities["id"] = _number(raw.get("id"), "id")
    fields = raw.get("fields")
    for item in fields if fields.__class__ is list else as_list(fields):
        if item is None:  # as_list's rule: nulls in a list are ignored
            continue
        if not isinstance(item, dict):
            raise InvalidContact("fields must be objects with id and value")
        number = _number(item.get("id"), "fields.id")
        value = item.get("value")
        if value.__class__ is not str:
            if isinstance(value, list):  # a multi-choice field sent as a list
                value = ",".join(str(v) for v in value if v is not None)
            value = _text(value, f"value of field {number}")
        if value is not None:
            change.fields[number] = value if value != "" else None
    if with_groups:
        change.lists = group_changes(raw.get("groups"))
    return change


def _number(value, name: str) -> int:
    if value.__class__ is int and 0 < value <= scalars.ID64[1]:  # what clients send; the rest, by the one rule
        return value
    return as_int(value, name, scalars.ID64, refuse=InvalidContact)


def _channels(value, change: ContactChange, required: bool) -> None:
    channels = value if value.__class__ is list else as_list(value)
    if not channels:
        if required:
            raise InvalidContact("The contact has no channels: at least one channel is required")
        return
    seen: dict[str, list] = {}
    for channel in channels:
        if channel is None:  # as_list's rule: nulls in a list are ignored
            continue
        if channel.__class__ is not dict:
            raise InvalidContact("channels must be objects with type and value")
        kind = channel.get("type")
        if kind.__class__ is not str or kind not in CHANNEL_TYPES:  # the everyday spelling as it is; else cleaned
            kind = str(kind or "").strip().lower()
            if kind not in CHANNEL_TYPES:
                raise InvalidContact(f"Unknown channel type: {channel.get('type')!r}")
        value = channel.get("value")
        if value.__class__ is not str:
            value = _text(value, f"{kind} channel value")
        value = value.strip() if value is not None else ""
        if not value:
            raise InvalidContact(f"The {kind} channel has no value")
        entries = seen.get(kind)
        if entries is None:
            entries = seen[kind] = []
        elif len(entries) == MAX_SAME_CHANNELS:
            raise InvalidContact(f"At most {MAX_SAME_CHANNELS} channels of the type {kind} are allowed")
        entry = {"value": value}
        if len(channel) > 2:  # more than type and value: maybe a device or a push subscription
            for extra in ("device", "webPushSubscription"):
                if isinstance(channel.get(extra), dict):
                    entry[extra] = {k: v for k, v in channel[extra].items()
                                    if isinstance(v, (str, int, float, bool))}
        entries.append(entry)
    if not seen:
        if required:
            raise InvalidContact("The contact has no channels: at least one channel is required")
        return
    try:
        if "email" in seen:
            change.identities["email"] = normalize.email(seen["email"][0]["value"])
        if "sms" in seen:
            change.identities["phone"] = normalize.phone(seen["sms"][0]["value"])
    except CoreError as exc:
        raise InvalidContact(exc.message) from None
    # The first email and sms are the contact's identities; a second one, and every other channel,
    # is kept beside them (a type sent replaces what the contact had of that type).
    for kind, entries in seen.items():
        rest = entries[1:] if kind in ("email", "sms") else entries
        change.channels[kind] = rest or None


def group_changes(value) -> list[ListChange]:
    """Segments named by title (created on demand) or by id: strings, {"name": …} or {"id": …}."""
    result = []
    for group in as_list(value):
        if isinstance(group, dict):
            if group.get("id") not in (None, ""):
                result.append(ListChange(_number(group["id"], "groups.id"), "subscribed", SEGMENT_CHANNEL))
            elif isinstance(group.get("name"), str) and group["name"].strip():
                result.append(ListChange(group["name"].strip(), "subscribed", SEGMENT_CHANNEL))
        elif isinstance(group, str) and group.strip():
            result.append(ListChange(group.strip(), "subscribed", SEGMENT_CHANNEL))
    return result


def refuse(exc: InvalidContact) -> DialectError:
    return DialectError("bad_request", str(exc), 400)


# -- rendering -------------------------------------------------------------------------------
def channels_of(view) -> list[dict]:
    result = []
    extras = view.channels or {}
    if view.email:
        result.append({"type": "email", "value": view.email})
    result += [{"type": "email", **entry} for entry in extras.get("email") or ()]
    if view.phone:
        result.append({"type": "sms", "value": view.phone})
    result += [{"type": "sms", **entry} for entry in extras.get("sms") or ()]
    for kind, entries in extras.items():
        if kind not in ("email", "sms") and isinstance(entries, list):
            result += [{"type": kind, **entry} for entry in entries]
    return result


def render_contact(view, address_book_id: int | None = None, full: bool = True) -> dict:
    """A stored contact as eSputnik's Contact (full) or BaseContact; absent values are left out."""
    attrs = view.attrs
    body = {"id": view.id}
    for prop, attr in ATTRS.items():
        if attrs.get(attr) not in (None, "") and (full or prop in ("firstName", "lastName")):
            body[prop] = attrs[attr]
    body["channels"] = channels_of(view)
    if full:
        address = {prop: attrs[attr] for prop, attr in ADDRESS.items() if attrs.get(attr) not in (None, "")}
        if address:
            body["address"] = address
    fields = [{"id": number, "value": _shown(value)} for number, value in sorted(view.fields_by_number.items())]
    if fields:
        body["fields"] = fields
    if address_book_id is not None:
        body["addressBookId"] = address_book_id
    if view.external_id:
        body["externalCustomerId"] = view.external_id
    if full:
        groups = [{"id": m.list, "name": m.title, "type": "Static"} for m in view.memberships
                  if m.status == "subscribed"]
        if groups:
            body["groups"] = groups
        if attrs.get("orders_info"):
            body["ordersInfo"] = attrs["orders_info"]
    return body


def _shown(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
