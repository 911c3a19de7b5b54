"""Altcraft's XML shapes: a root <xml>, one child element per parameter, nested objects as nested
elements, arrays as repeated elements (requests may mark them array='true').

Pure conversions between element trees and plain values; the gateway parses bytes with its one
hardened parser (gateway/codecs/xml.py) and hands the root element here.
"""
from __future__ import annotations

import re

from lxml import etree

ROOT = "xml"
_NAME = re.compile(r"[A-Za-z_][\w.\-]*\Z")


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
    """Keys in the order Altcraft's documented answers list them: alphabetical, case folded."""
    return name.lower(), name


def sorted_keys(value):
    """The answer with every object's keys in key_order (the JSON and XML answers alike)."""
    if isinstance(value, dict):
        return {key: sorted_keys(value[key]) for key in sorted(value, key=key_order)}
    if isinstance(value, list):
        return [sorted_keys(item) for item in value]
    return value


def answer(value: dict):
    """An answer as <xml>…</xml>: keys as elements (sorted), arrays as repeated elements."""
    root = etree.Element(ROOT)
    _fill(root, value)
    return root


def _fill(parent, value: dict) -> None:
    for key in sorted(value, key=key_order):
        _append(parent, str(key), value[key])


def _append(parent, name: str, value) -> None:
    if isinstance(value, list):
        for item in value:
            _append(parent, name, item)
        return
    if _NAME.match(name) and not name.lower().startswith("xml"):
        node = etree.SubElement(parent, name)
    else:
        # A client's custom-field name that cannot be an element name (JSON allows any key).
        node = etree.SubElement(parent, "field", name=name)
    if isinstance(value, dict):
        _fill(node, value)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)
