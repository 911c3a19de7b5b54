"""A Dotdigital API user against the WSGI app: HTTP Basic with a user name and password, JSON in and out."""
from __future__ import annotations

import uuid

import orjson
import pytest

from core import accounts
from helpers import basic

USER = "apiuser-908709770324@apiconnector.com"


class Client:
    def __init__(self, app, account, user: str = USER, password: str | None = None):
        self.app = app
        self.account = account
        self.user = user
        self.password = password

    @property
    def auth(self) -> dict:
        return {"Authorization": basic(self.user, self.password)}

    def call(self, method: str, path: str, json=None, body: bytes | str | None = None, headers: dict | None = None,
             auth: bool = True, content_type: str = "application/json"):
        if json is not None:
            body = orjson.dumps(json)
        all_headers = {**(self.auth if auth else {}), **(headers or {})}
        if body is not None:
            all_headers.setdefault("Content-Type", content_type)
        return self.app.request(path, method=method, body=body if isinstance(body, bytes) else (body or "").encode(),
                                headers=all_headers, expect_errors=True)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def put(self, path, json=None, **kw):
        return self.call("PUT", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.call("PATCH", path, json=json, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def imported(self, contacts: list, merge: str | None = None) -> dict:
        """PUT /contacts/v3/import, then the finished report (jobs run inline in tests)."""
        body = {"contacts": contacts} if merge is None else {"mergeOption": merge, "contacts": contacts}
        started = self.put("/contacts/v3/import", body)
        assert started.status_int == 202, started.body
        report = self.get(f"/contacts/v3/import/{started.json['importId']}")
        assert report.status_int == 200 and report.json["status"] == "Finished", report.body
        return report.json


@pytest.fixture
def dd(app, store_url):
    """A Dotdigital API user of a fresh account (its key registered with the user name, as setup files do)."""
    account = accounts.create_account(f"dd-{uuid.uuid4().hex[:8]}")
    password = "Passw0rd-" + uuid.uuid4().hex[:12]
    accounts.add_key(account.id, password, dialect="dotdigital", username=USER)
    return Client(app, account, USER, password)
