"""Calling the eSputnik dialect through the WSGI app the way its clients do (Basic auth, JSON or XML)."""
from __future__ import annotations

import orjson

from helpers import basic

BASE = "/api/v1"


def call(app, key, method: str, path: str, body=None, *, raw: bytes | None = None, content_type=None,
         headers: dict | None = None, user: str = ""):
    """One request; `body` goes as JSON, `raw` as it is. Returns the webtest response (any status)."""
    sent = {} if key is None else {"Authorization": basic(user, key)}
    if body is not None:
        raw = orjson.dumps(body)
        sent["Content-Type"] = content_type or "application/json"
    elif content_type:
        sent["Content-Type"] = content_type
    sent.update(headers or {})
    url = path if path.startswith("/") else f"{BASE}/{path}"
    return app.request(url, method=method, body=raw or b"", headers=sent, expect_errors=True)


def ok(response):
    assert response.status_int == 200, (response.status, response.body[:500])
    return response.json if response.body and response.content_type.endswith("json") and \
        response.body[:1] in (b"{", b"[") else response.body.decode()


def email_channel(address: str) -> dict:
    return {"type": "email", "value": address}


def sms_channel(number: str) -> dict:
    return {"type": "sms", "value": number}


def bulk(app, key, contacts: list, **options) -> dict:
    """POST /contacts (the job runs inline in tests) and the finished importstatus."""
    answer = ok(call(app, key, "POST", "contacts", {"contacts": contacts, **options}))
    status = ok(call(app, key, "GET", f"importstatus/{answer['asyncSessionId']}"))
    assert status["status"] == "FINISHED", status
    return {"answer": answer, "status": status}


def contact(app, key, contact_id: int) -> dict:
    return ok(call(app, key, "GET", f"contact/{contact_id}"))


def live(gateway, key: str, method: str, path: str, body=None) -> dict:
    """One request to a running gateway (tests/processes.Gateway); the JSON answer."""
    import urllib.request

    headers = {"Authorization": basic("", key), "Accept": "application/json"}
    data = None
    if body is not None:
        data = orjson.dumps(body)
        headers["Content-Type"] = "application/json; charset=UTF-8"
    message = urllib.request.Request(f"{gateway.base_url}{BASE}/{path}", data=data, method=method, headers=headers)
    with urllib.request.urlopen(message, timeout=60) as response:
        return orjson.loads(response.read())


def await_import(gateway, key: str, session: str, seconds: float) -> dict:
    """Poll a running gateway's importstatus until the session is FINISHED or ERROR (or time is up)."""
    import time

    deadline = time.monotonic() + seconds
    status: dict = {}
    while time.monotonic() < deadline:
        status = live(gateway, key, "GET", f"importstatus/{session}")
        if status["status"] in ("FINISHED", "ERROR"):
            break
        time.sleep(0.3)
    return status
