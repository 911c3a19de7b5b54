"""JAXB-style XML <-> plain data, for Java services that speak XML beside JSON (eSputnik).

Reading (after the hardened parser in .xml): child elements become keys, a repeated element a list,
a wrapper whose children are all its singular (`<channels><channel>…`) a list, a leaf its text,
`xsi:nil="true"` None; namespaces and attributes are ignored. Writing: the same the other way,
every element in one default namespace, lists as repeated elements, booleans as true/false.
"""
from __future__ import annotations

import re

from lxml import etree

from core import scalars

from . import xml

_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


def to_data(element):
    """A parsed element as dicts, lists and strings (the root's own name is left to the caller)."""
    kids = xml.children(element)
    if not kids:
        if element.get(_NIL) == "true":
            return None
        return xml.text(element)
    names = [xml.local_name(kid) for kid in kids]
    own = xml.local_name(element)
    if own.endswith("s") and all(name == own[:-1] for name in names):
        return [to_data(kid) for kid in kids]
    groups: dict[str, list] = {}
    for name, kid in zip(names, kids):
        groups.setdefault(name, []).append(to_data(kid))
    return {name: values[0] if len(values) == 1 else values for name, values in groups.items()}


def from_data(tag: str, value, namespace: str | None = None, item: str | None = None) -> bytes:
    """An XML document whose root `tag` holds `value`; a list value repeats `item` elements inside it."""
    qualify = (lambda name: f"{{{namespace}}}{name}") if namespace else (lambda name: name)
    root = etree.Element(qualify(tag), nsmap={None: namespace} if namespace else None)
    if isinstance(value, list):
        for entry in value:
            _fill(etree.SubElement(root, qualify(item or "item")), entry, qualify)
    else:
        _fill(root, value, qualify)
    return xml.serialize(root)


_NAME = re.compile(r"[A-Za-z_][\w.\-]*\Z", re.ASCII)


def _element(node, name: str, qualify):
    """A child element named `name`; a key that cannot be an element name (a client's own key
    echoed back, "" or "\x00") is written <entry key="…">, as XML can carry any key as an attribute."""
    if _NAME.match(name) and not name.lower().startswith("xml"):
        return etree.SubElement(node, qualify(name))
    child = etree.SubElement(node, qualify("entry"))
    child.set("key", scalars.xml_text(name))
    return child


def _fill(node, value, qualify) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            if child is None:
                continue
            for entry in (child if isinstance(child, list) else [child]):
                _fill(_element(node, str(name), qualify), entry, qualify)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = scalars.xml_text(str(value))  # stored text may hold what XML cannot carry
