"""Calling the Altcraft dialect from tests: JSON and XML requests, answers as plain values."""
from __future__ import annotations

from xml.etree import ElementTree

import orjson

from core import catalog

BASE = "/api/v1.1/"


def call(app, method: str, body: dict, **headers) -> dict:
    """POST a JSON body; the JSON answer (always HTTP 200 unless the gateway itself failed)."""
    response = app.post(BASE + method, orjson.dumps(body), content_type="application/json", headers=headers,
                        expect_errors=True)
    assert response.status_int == 200, response.body[:300]
    return response.json


def call_xml(app, method: str, body: str | bytes, content_type: str = "application/xml", **headers):
    """POST an XML body; the answer's root element."""
    data = body.encode() if isinstance(body, str) else body
    response = app.post(BASE + method, data, content_type=content_type, headers=headers, expect_errors=True)
    assert response.status_int == 200, response.body[:300]
    assert response.content_type == "application/xml", response.content_type
    return ElementTree.fromstring(response.body)


def xml_value(element):
    """An answer element as a value: text, or {tag: value} (repeated tags as lists)."""
    children = list(element)
    if not children:
        return element.text or ""
    result: dict = {}
    for child in children:
        value = xml_value(child)
        if child.tag in result:
            if not isinstance(result[child.tag], list):
                result[child.tag] = [result[child.tag]]
            result[child.tag].append(value)
        else:
            result[child.tag] = value
    return result


def resource(account, number: int, channels=("email", "sms"), database: int = 1, title: str | None = None):
    return catalog.create_list(account.id, title or f"Resource {number}", database_number=database, number=number,
                               kind="resource", attrs={"channels": list(channels)})


def ok(answer: dict) -> dict:
    assert answer["error"] == 0 and answer["error_text"] == "Successful operation", answer
    return answer


def to_xml(params: dict) -> str:
    """A request as Altcraft's XML: <xml> root, arrays of objects as repeated elements marked array='true'."""
    return "<xml>" + "".join(_element(name, value) for name, value in params.items()) + "</xml>"


def _element(name: str, value) -> str:
    from xml.sax.saxutils import escape

    if isinstance(value, list):
        return "".join(_element(name, item) if not isinstance(item, dict)
                       else f"<{name} array='true'>{_inner(item)}</{name}>" for item in value)
    if isinstance(value, dict):
        return f"<{name}>{_inner(value)}</{name}>"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{escape(str(value))}</{name}>"


def _inner(value: dict) -> str:
    return "".join(_element(k, v) for k, v in value.items())
