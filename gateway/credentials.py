"""Where callers put their API key, read in one place for every dialect: HTTP Basic, Bearer, a raw Authorization header, a parameter.

Whatever bytes arrive, reading never fails: base64 that does not decode is no credentials, and
decoded bytes that are not UTF-8 are read as Latin-1 (RFC 7617's historical charset), so odd
credentials reach the key check and are refused there with the dialect's own 401.
"""
from __future__ import annotations

import base64
import binascii


def basic(header: str | None) -> tuple[str, str] | None:
    """(user name, password) of `Authorization: Basic base64(user:password)`; the user name ends at the first ':'."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    text = _base64_text(token.strip())
    if text is None:
        return None
    user, separator, password = text.partition(":")
    return (user, password) if separator else None


def bearer(header: str | None) -> str | None:
    """The token of `Authorization: Bearer TOKEN`."""
    scheme, _, token = (header or "").strip().partition(" ")
    return parameter(token) if scheme.lower() == "bearer" else None


def parameter(value) -> str | None:
    """A key sent as a query or body parameter: text only (an array or an object is no key), blanks around it dropped."""
    if not isinstance(value, str):
        return None
    return value.strip() or None


def first(*keys: str | None) -> str | None:
    """The first key found where a dialect looks for one in turn."""
    return next((key for key in keys if key), None)


def raw_authorization(header: str | None) -> list[str]:
    """The API keys a free-form Authorization header may carry, most likely first.

    Clients send the raw key, `KEY:`, `KEY:0`, `KEY:user:0`, or RFC 7617 Basic with the key as
    the user name. Rule: strip an optional `Basic `, base64-decode when the rest is base64, take
    the text before the first `:`. Keys can be base64url text themselves and some decode as
    base64 too, so both readings are candidates: the decoded one first only after `Basic `.
    """
    text = (header or "").strip()
    is_basic = text[:6].lower() == "basic "
    if is_basic:
        text = text[6:].strip()
    raw = text.split(":", 1)[0].strip()
    decoded = _base64_text(text)
    # A raw key that happens to decode as base64 gives bytes, not a key: only printable text is one.
    from_base64 = decoded.split(":", 1)[0].strip() if decoded is not None and decoded.isprintable() else ""
    order = (from_base64, raw) if is_basic else (raw, from_base64)
    return list(dict.fromkeys(key for key in order if key))


def _base64_text(token: str) -> str | None:
    if not token:
        return None
    try:
        raw = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):  # ValueError: characters outside ASCII
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
