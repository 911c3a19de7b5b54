"""The real server's request-line and header limits: a form-array GET of 8 KB is answered by the
dialect; beyond 8,190 bytes gunicorn itself answers 414 or 431 (docs/input-policy.md); its access
log carries neither the query string (Unisender keys) nor a Basic user (Icomm keys)."""
from __future__ import annotations

import base64
import http.client

import orjson
import pytest

from processes import Gateway

pytestmark = pytest.mark.slow


def get(port: int, target: str, headers: dict | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", target, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_an_8_kb_form_array_get_is_answered_and_longer_lines_get_414(store_url, account, tmp_path):
    gateway = Gateway({"DATABASE_URL": store_url, "LOG_DIR": str(tmp_path)}, workers=1).start()
    try:
        target = f"/en/api/importContacts?format=json&api_key={account.key}&field_names[0]=email"
        row = 0
        while len(target) < 8000:
            target += f"&data[{row}][0]=user{row}%40example.com"
            row += 1
        status, body = get(gateway.port, target)
        assert status == 200 and orjson.loads(body)["result"]["inserted"] == row, body[:300]
        status, body = get(gateway.port, target + "&x=" + "y" * 1000)
        assert status == 414, (status, body[:300])
        status, body = get(gateway.port, "/en/api/getLists?format=json", {"X-Long": "z" * 9000})
        assert status == 431, (status, body[:300])
        icomm = base64.b64encode(f"{account.key}:0".encode()).decode()
        get(gateway.port, "/Contacts/List.Json/", {"Authorization": f"Basic {icomm}"})
        status, _ = get(gateway.port, f"/en/api/getLists?format=json&api_key={account.key}")
        assert status == 200
    finally:
        gateway.stop()
    log = gateway.output()
    assert "/en/api/importContacts" in log and account.key not in log and icomm not in log
