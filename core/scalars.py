"""Client-supplied scalars read by one policy: integers and ids within a stated range, and stored text.

Every dialect reads ids, counts and offsets through `integer`, each stating its vendor's documented
type (INT32 where the vendor says int32, INT64 otherwise): only ASCII digits count as digits, an
optional sign, a JSON number that is integral (12.0) counts as that integer, and no value ever
leaves this module outside the store's 64 bits. Digit strings are length-checked before `int()`,
so a 5,000-digit id is an out-of-range value, not Python's int-conversion-limit error.

`ValueRefused` says why (`kind`: "type" or "range"); each adapter words it in its vendor's error.
"""
from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

INT32 = (-(1 << 31), (1 << 31) - 1)
INT64 = (-(1 << 63), (1 << 63) - 1)
ID32 = (1, INT32[1])
ID64 = (1, INT64[1])
COUNT32 = (0, INT32[1])
COUNT64 = (0, INT64[1])

_DIGITS = re.compile(r"[+-]?[0-9]+", re.ASCII)
_MAX_DIGITS = 19  # len(str(2**63 - 1)); more significant digits than this are out of every range


class ValueRefused(ValueError):
    """A value that is not an integer (kind "type") or is one outside the range (kind "range")."""

    def __init__(self, kind: str, value):
        super().__init__(f"{kind}: {value!r}"[:200])
        self.kind = kind
        self.value = value


def integer(value, bounds: tuple[int, int] = INT64, *, floats: bool = True, text: bool = True) -> int:
    """The integer `value` stands for, within `bounds` (inclusive); raises ValueRefused.

    floats: an integral JSON float (12.0) counts; text: a digit string counts. Booleans are never
    integers, though Python counts them as such.
    """
    if isinstance(value, bool):
        raise ValueRefused("type", value)
    if isinstance(value, int):
        number = int(value)
    elif isinstance(value, float):
        if not floats or not math.isfinite(value) or not value.is_integer():
            raise ValueRefused("type", value)
        if not INT64[0] <= value <= INT64[1]:
            raise ValueRefused("range", value)
        number = int(value)
    elif isinstance(value, str):
        if not text:
            raise ValueRefused("type", value)
        number = _from_text(value)
    else:
        raise ValueRefused("type", value)
    low, high = bounds
    if not low <= number <= high:
        raise ValueRefused("range", value)
    return number


def _from_text(value: str) -> int:
    stripped = value.strip()
    if not _DIGITS.fullmatch(stripped):
        raise ValueRefused("type", value)
    significant = stripped.lstrip("+-").lstrip("0")
    if len(significant) > _MAX_DIGITS:
        raise ValueRefused("range", value)
    number = int(significant or "0")
    return -number if stripped[0] == "-" else number


def is_integer(value, bounds: tuple[int, int] = INT64, **options) -> bool:
    try:
        integer(value, bounds, **options)
    except ValueRefused:
        return False
    return True


def digits(text: str, bounds: tuple[int, int] = ID64) -> int | None:
    """A path segment or index that must be plain ASCII digits within `bounds`, else None."""
    if text.__class__ is not str or not text.isascii() or not text.isdigit():
        return None
    try:
        return integer(text, bounds)
    except ValueRefused:
        return None


def link(value) -> str:
    """A URL a client gives for the gateway to call later (a notify URL, a file to import): one
    http(s) URL with a host and a valid port, no whitespace or control characters. Checked when
    the request arrives, so a job never fails later for what was knowable then. Raises ValueRefused."""
    if value.__class__ is not str:
        raise ValueRefused("type", value)
    text = value.strip()
    if not text or len(text) > 2048 or any(c <= " " or c == "\x7f" for c in text):
        raise ValueRefused("type", value)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        raise ValueRefused("type", value) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueRefused("type", value)
    return text


# Stored text keeps what the client sent; only an XML answer cannot carry C0 controls (other than
# TAB, LF, CR), lone surrogates, U+FFFE and U+FFFF, and shows each as U+FFFD. Every value a
# dialect can store is thereby renderable in every format it answers in (JSON escapes them all).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return NOT_XML.sub("\ufffd", text) if NOT_XML.search(text) else text
