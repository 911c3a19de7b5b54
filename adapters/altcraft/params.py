"""Reading Altcraft parameters that arrive as JSON values or as XML text, refusing bad ones."""
from __future__ import annotations

from core import errors as core_errors
from core import normalize, scalars
from core.errors import CoreError

from ..common import DialectError
from .errors import INCORRECT_REQUEST


def incorrect(message: str) -> DialectError:
    return DialectError(INCORRECT_REQUEST, f"Incorrect request: {message}")


def as_list(value) -> list:
    """A JSON array as it is; one XML element (or a lone JSON value) as a list of one; absent: []."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def is_scalar(value) -> bool:
    return isinstance(value, (str, int, float, bool))


def _given(params: dict, name: str, required: bool):
    """The parameter's value; None when absent or empty (refused when required)."""
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise incorrect(f"{name} is required")
        return None
    return value


def text(params: dict, name: str, required: bool = False) -> str | None:
    value = _given(params, name, required)
    if value is None:
        return None
    if isinstance(value, bool) or not is_scalar(value):
        raise incorrect(f"{name} must be a string")
    return str(value).strip()


def integer(value, name: str) -> int:
    """An int from a JSON number or XML text, within the store's 64 bits; raises CoreError(invalid_value)."""
    try:
        return scalars.integer(value, scalars.INT64)
    except scalars.ValueRefused:
        raise CoreError(core_errors.INVALID_VALUE, f"{name} must be an integer, got {_shown(value)}") from None


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def int_param(params: dict, name: str, required: bool = False) -> int | None:
    value = _given(params, name, required)
    if value is None:
        return None
    try:
        return integer(value, name)
    except CoreError as exc:
        raise incorrect(exc.message) from None


def flag(params: dict, name: str, default: bool = False) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return default
    if not is_scalar(value):
        raise incorrect(f"{name} must be true or false")
    try:
        return normalize.boolean(value)
    except CoreError:
        raise incorrect(f"{name} must be true or false, got {value!r}") from None


def int_list(params: dict, name: str) -> list[int]:
    values = as_list(params.get(name))
    try:
        return [integer(v, name) for v in values if v != ""]
    except CoreError as exc:
        raise incorrect(exc.message) from None
