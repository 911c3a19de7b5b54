"""The charset a body declares, read by one policy for every dialect: UTF-8 as it is, any other
text encoding transcoded to UTF-8, anything else (an unknown name, a Python-only codec such as
`undefined` or `punycode`, bytes the charset cannot decode) refused as `bad_encoding`."""
from __future__ import annotations

import codecs

from ..problems import RequestProblem

_UTF8 = frozenset({"", "utf-8", "utf8"})
# Python codecs that are text encodings to Python but no charset any HTTP client means.
_NOT_CHARSETS = frozenset({"undefined", "punycode", "idna", "unicode_escape", "raw_unicode_escape", "mbcs", "oem"})


def declared(content_type: str | None) -> str:
    """The lower-cased charset parameter of a Content-Type ("" when there is none)."""
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').strip().lower()
    return ""


def to_utf8(raw: bytes, content_type: str | None) -> bytes:
    """The body in UTF-8; raises RequestProblem("bad_encoding") for a charset it cannot honour."""
    name = declared(content_type)
    if name in _UTF8:
        return raw
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        raise RequestProblem("bad_encoding", f"Unsupported charset: {name[:40]}")
    if info.name == "utf-8":
        return raw
    try:
        return raw.decode(info.name).encode("utf-8")
    except (UnicodeError, ValueError):
        raise RequestProblem("bad_encoding", f"The body is not valid {name[:40]}") from None
