"""What every eSputnik method shares: the answer's shape, lenient value readers, refusals in eSputnik terms."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


def as_int(value, name: str, minimum: int | None = None) -> int:
    """An integer from a number or a numeric string ("12345" is what the vendor's own example sends)."""
    if isinstance(value, bool):
        raise bad_request(f"{name} must be a number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or abs(value) >= 1 << 63:
        raise bad_request(f"{name} must be a number")
    if minimum is not None and value < minimum:
        raise bad_request(f"{name} must be at least {minimum}")
    return value


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


def path_id(params: dict, what: str, digits: int = 18) -> int:
    """The {id} of the path: a number, else there is no such object (404, as eSputnik's int path params)."""
    raw = params["path"]["id"]
    if not raw.isdigit() or len(raw) > digits:
        raise not_found(f"{what} with id='{raw}' not found")
    return int(raw)


def paging(query: dict, maximum: int = 500) -> tuple[int, int]:
    """(offset, limit) from startindex (numbering starts at 1) and maxrows (at most 500)."""
    start = as_int(query.get("startindex") or 1, "startindex", minimum=1)
    rows = as_int(query.get("maxrows") or maximum, "maxrows", minimum=1)
    return start - 1, min(rows, maximum)
