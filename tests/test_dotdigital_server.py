"""The Dotdigital import through the real thing: gunicorn takes the PUT, the job worker process runs it."""
from __future__ import annotations

import time
import urllib.error
import urllib.request

import orjson
import pytest

from core import accounts
from dotdigital_client import USER
from helpers import basic
from processes import Gateway, server_env

pytestmark = pytest.mark.slow


def call(base_url: str, method: str, path: str, body=None, password: str = "server-Passw0rd"):
    request = urllib.request.Request(base_url + path, data=orjson.dumps(body) if body is not None else None,
                                     method=method, headers={"Authorization": basic(USER, password),
                                                             "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, orjson.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, orjson.loads(exc.read())


def test_an_import_runs_in_the_worker_process_and_is_polled_to_finished(store_url, account, tmp_path):
    accounts.add_key(account.id, "server-Passw0rd", dialect="dotdigital", username=USER)
    env = server_env(store_url, tmp_path)
    gateway = Gateway(env).start()
    try:
        contacts = [{"matchIdentifier": "email", "identifiers": {"email": f"s{i}@example.com"}} for i in range(3000)]
        status, started = call(gateway.base_url, "PUT", "/contacts/v3/import", {"contacts": contacts})
        assert status == 202, started
        for _ in range(300):
            status, report = call(gateway.base_url, "GET", f"/contacts/v3/import/{started['importId']}")
            if report["status"] != "NotFinished":
                break
            time.sleep(0.2)
        assert report["status"] == "Finished", gateway.output()
        assert report["summary"]["newContacts"] == 3000 and len(report["created"]) == 3000
        assert call(gateway.base_url, "GET", "/v2/contacts/s2999@example.com")[1]["email"] == "s2999@example.com"
        assert call(gateway.base_url, "GET", "/v2/account-info", password="wrong")[0] == 401
        info = call(gateway.base_url, "GET", "/v2/account-info")[1]
        assert {"name": "ApiEndpoint", "type": "String", "value": gateway.base_url} in info["properties"]
    finally:
        gateway.stop()
    assert not gateway.tracebacks(), gateway.tracebacks()
