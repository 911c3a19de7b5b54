"""Reading Unisender parameters (PHP-style nested arrays) into Python values, refusing bad ones."""
from __future__ import annotations

from core import normalize, scalars
from core.errors import CoreError

from ..common import DialectError


def invalid(message: str) -> DialectError:
    return DialectError("invalid_arg", message)


def as_list(value) -> list:
    """The values of a PHP array in key order (numeric keys by number); a scalar is one value."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=_order)]
    return [value]


def _order(key: str):
    number = scalars.digits(key, scalars.COUNT64)
    return (0, number, "") if number is not None else (1, 0, key)


def text(params: dict, name: str, required: bool = False) -> str | None:
    value = params.get(name)
    if isinstance(value, dict):
        raise invalid(f'Argument "{name}" must be a string, not an array')
    if value is None or (required and not str(value).strip()):
        if required:
            raise invalid(f'Argument "{name}" is required')
        return None
    return value


def integer(params: dict, name: str, required: bool = False, default: int | None = None,
            minimum: int | None = None, maximum: int | None = None) -> int | None:
    raw = text(params, name, required)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = scalars.integer(raw, scalars.INT64)
    except scalars.ValueRefused:
        raise invalid(f'Argument "{name}" must be an integer, got "{shown(raw)}"') from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise invalid(f'Argument "{name}" is out of range: {value}')
    return value


def shown(raw: str, limit: int = 40) -> str:
    """A client's value quoted in an error, cut short: an answer never echoes megabytes."""
    return raw if len(raw) <= limit else raw[:limit - 3] + "..."


def flag(params: dict, name: str, default: bool = False) -> bool:
    raw = text(params, name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return normalize.boolean(raw)
    except CoreError:
        raise invalid(f'Argument "{name}" must be 0 or 1, got "{raw}"') from None


def choice(params: dict, name: str, allowed: tuple, default=None):
    raw = text(params, name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    if value not in allowed:
        raise invalid(f'Argument "{name}" must be one of {", ".join(allowed)}; got "{raw}"')
    return value


def id_list(raw: str | None, name: str) -> list[int]:
    """'134, 135' -> [134, 135]; clients send spaces after commas, and empty items are ignored."""
    if raw is None:
        return []
    ids = []
    for part in str(raw).split(","):
        part = part.strip()
        if not part:
            continue
        number = scalars.digits(part, scalars.ID64)
        if number is None:
            raise invalid(f'Argument "{name}" must list numeric ids, got "{shown(part)}"')
        ids.append(number)
    return ids


def names(raw) -> list[str]:
    """Comma-separated names (tags), trimmed, empties dropped, order and first spelling kept."""
    seen, result = set(), []
    for part in str(raw or "").split(","):
        part = part.strip()
        if part and part not in seen:
            seen.add(part)
            result.append(part)
    return result


def timestamp_text(value) -> str:
    """Unisender prints times as 'YYYY-MM-DD hh:mm:ss' in UTC."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else None


def lists_of(view) -> list:
    """A contact's memberships that Unisender has: lists of the shared list space, not the
    subscriptions another dialect keeps in lists numbered apart (Altcraft resources)."""
    return [m for m in view.memberships if m.space == "list"]
