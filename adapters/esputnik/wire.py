"""What every eSputnik method shares: the answer's shape, lenient value readers, refusals in eSputnik terms."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core import scalars

from ..common import DialectError

# The XML namespace of eSputnik's DTOs, from the JAXB annotations its OpenAPI spec still carries.
NAMESPACE = "http://esputnik.com.ua/dto"


@dataclass
class Reply:
    """An answer before encoding: a structure (JSON or XML), a text, or nothing."""

    body: Any = None  # dict | list | str | None
    root: str | None = None  # XML: the root element of an object, or the wrapper of a list
    item: str | None = None  # XML: the element of each item of a list body
    headers: dict = field(default_factory=dict)
    status: int = 200


def bad_request(message: str) -> DialectError:
    return DialectError("bad_request", message, 400)


def not_found(message: str) -> DialectError:
    return DialectError("not_found", message, 404)


def one_or_many(items: list):
    """eSputnik's documented quirk: a list of one element is rendered as that element."""
    return items[0] if len(items) == 1 else items


def as_list(value) -> list:
    """A list from what clients send: a list, a single object or value where a list belongs, or nothing."""
    if value is None:
        return []
    if isinstance(value, list):
        return [v for v in value if v is not None]
    return [value]


def as_int(value, name: str, bounds: tuple[int, int] = scalars.INT64, refuse=None) -> int:
    """eSputnik's one id and number reader: 12345, "12345" (what the vendor's own example sends) and
    12.0 are 12345-alike integers within `bounds` (the documented int32/int64); `refuse(message)`
    makes the error (400 by default)."""
    try:
        return scalars.integer(value, bounds)
    except scalars.ValueRefused as exc:
        low, high = bounds
        message = f"{name} must be a number" if exc.kind == "type" else f"{name} must be between {low} and {high}"
        raise (refuse or bad_request)(message) from None


def as_bool(value, name: str, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    raise bad_request(f"{name} must be true or false")


def as_text(value, name: str, refuse=bad_request) -> str | None:
    """Text from a string or a number; None stays None (nulls are ignored). `refuse(message)` makes the error."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise refuse(f"{name} must be a string")


def as_object(value, name: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request(f"{name} must be an object")
    return value


def texts(value, name: str) -> list[str]:
    """A list of non-empty strings (a single string is a list of one)."""
    result = []
    for item in as_list(value):
        text = as_text(item, name)
        if text is not None and text.strip():
            result.append(text.strip())
    return result


# Characters eSputnik forbids in formType and eventKeyForNewContacts.
FORBIDDEN = frozenset("<;’\\/|\"`'^?!,>")


def event_name(value, name: str, spaces: bool = False, max_length: int = 100) -> str | None:
    """A formType or event key: None when absent; refused when it has a forbidden character."""
    text = as_text(value, name)
    if text is None or text == "":
        return None
    if len(text) > max_length or any(c in FORBIDDEN or (c.isspace() and not spaces) for c in text):
        raise bad_request(f"{name} must be up to {max_length} characters, none of < ; ’ \\ / | \" ` ' ^ ? ! , >"
                          + ("" if spaces else " and no spaces"))
    return text


def path_id(params: dict, what: str, bounds: tuple[int, int] = scalars.ID64) -> int:
    """The {id} of the path: a number, else there is no such object (404, as eSputnik's int path params)."""
    raw = params["path"]["id"]
    number = scalars.digits(raw, bounds)
    if number is None:
        raise not_found(f"{what} with id='{raw[:40]}' not found")
    return number


def paging(query: dict, maximum: int = 500) -> tuple[int, int]:
    """(offset, limit) from startindex (numbering starts at 1) and maxrows (at most 500)."""
    start = as_int(query.get("startindex") or 1, "startindex", scalars.ID32)
    rows = as_int(query.get("maxrows") or maximum, "maxrows", scalars.ID32)
    return start - 1, min(rows, maximum)
