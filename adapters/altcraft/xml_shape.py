"""Altcraft's XML shapes: a root <xml>, one child element per parameter, nested objects as nested
elements, arrays as repeated elements (requests may mark them array='true').

Pure conversions between element trees and plain values; the gateway parses bytes with its one
hardened parser (gateway/codecs/xml.py) and hands the root element here.
"""
from __future__ import annotations

import re
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from core import scalars

DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
_NAME = re.compile(r"[A-Za-z_][\w.\-]*\Z", re.ASCII)
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def params(root) -> dict:
    """A request element as the dict its JSON twin decodes to; every leaf value is text."""
    return _object(root)


def _object(element) -> dict:
    values: dict[str, list] = {}
    arrays: set[str] = set()
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        name = etree.QName(tag).localname if tag[0] == "{" else tag
        slot = values.setdefault(name, [])
        if (child.get("array") or "").lower() == "true":
            arrays.add(name)
            if len(child) == 0 and not (child.text or "").strip():
                continue  # <cats array='true'/>: an empty array
        slot.append(_object(child) if len(child) else (child.text or "").strip())
    return {name: items if name in arrays or len(items) != 1 else items[0] for name, items in values.items()}


def key_order(name: str):
    """XML answers list keys as Altcraft's documented ones do: alphabetical, case folded."""
    return name.lower(), name


def answer(value: dict) -> bytes:
    """An answer as the bytes of <xml>…</xml>: keys as elements (sorted), arrays as repeated elements.

    Written as text: building an element per value costs several times more for a 1,000-profile
    answer, and every name and text goes through _open / _text, so the result is well-formed.
    """
    out = [DECLARATION, "<xml>"]
    _fill(out, value)
    out.append("</xml>")
    return "".join(out).encode()


def _fill(out: list, value: dict) -> None:
    for key in sorted(value, key=key_order):
        _append(out, str(key), value[key])


def _append(out: list, name: str, value) -> None:
    if isinstance(value, list):
        if not value:  # an empty array is one empty element, as databases/list's documented <ui_tags/>
            out.append(f"<{name}/>" if _NAME.match(name) else "".join(_tags(name)))
            return
        for item in value:
            _append(out, name, item)
        return
    opening, closing = _tags(name)
    if isinstance(value, dict):
        out.append(opening)
        _fill(out, value)
        out.append(closing)
    elif isinstance(value, bool):
        out.append(opening + ("true" if value else "false") + closing)
    elif value is None:
        out.append(opening + closing)
    else:
        out.append(opening + _text(str(value)) + closing)


@lru_cache(maxsize=4096)
def _tags(name: str) -> tuple[str, str]:
    if _NAME.match(name) and not name.lower().startswith("xml"):
        return f"<{name}>", f"</{name}>"
    # A client's custom-field name that cannot be an element name (JSON allows any key).
    return f"<field name={quoteattr(_clean(name))}>", "</field>"


def _clean(text: str) -> str:
    return scalars.xml_text(text)


def _text(text: str) -> str:
    return escape(_clean(text)) if _SPECIAL.search(text) else text
