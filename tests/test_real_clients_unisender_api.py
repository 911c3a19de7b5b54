"""The real npm `unisender-api` client (chmerev, 1.1.1) against the gateway, with only its base URL changed.

It sends every parameter in the query string, unescaped, with a JSON body that holds only a
`headers` object (its bug), and runs exportContacts through async/exportContacts and
async/getTaskResult to the file link.
"""
from __future__ import annotations

from real_clients import CLIENTS, live_url, npm_install, run_driver  # noqa: F401


def test_npm_unisender_api_client(live_url, fresh_account):
    account = fresh_account("unisender")  # nothing created first: a bare fresh account
    folder = CLIENTS / "unisender-api-npm"
    npm_install(folder)
    lines = run_driver(["node", "run.js"], folder, {"GATEWAY_URL": live_url, "GATEWAY_KEY": account.key})
    calls = {line["call"]: line for line in lines}
    assert all(line["ok"] for line in lines), lines
    assert calls["createList"]["res"] == {"result": {"id": 1}}
    assert calls["getLists"]["res"] == {"result": [{"id": 1, "title": "From unisender-api"}]}
    assert [f["name"] for f in calls["getFields"]["res"]["result"]] == ["Name"]  # a fresh account's field
    assert isinstance(calls["subscribe"]["res"]["result"]["person_id"], int)
    assert calls["importContacts"]["res"]["result"] == {
        "total": 3, "inserted": 2, "updated": 0, "deleted": 0, "new_emails": 2, "invalid": 1,
        "log": [{"index": 2, "code": "e_email_invalid", "message": "Invalid email format"}]}
    contact = calls["getContact"]["res"]["result"]
    assert contact["email"]["email"] == "ann@example.com" and contact["fields"] == {"Name": "Ann"}
    assert [m["id"] for m in contact["lists"]] == [1]
    assert calls["getContactCount"]["res"]["result"]["count"] == 3
    assert calls["getTotalContactsCount"]["res"] == {"result": {"total": 3}}
    assert calls["exclude"]["res"] == calls["unsubscribe"]["res"] == {"result": {}}
    assert calls["exportContacts"]["res"].startswith(live_url + "/downloads/")
    assert calls["download"]["res"] == ("email,Name\nsub@example.com,Sub\nann@example.com,Ann\n"
                                        "bob@example.com,Bob Smith\n")
    assert calls["wrongKey"]["res"]["code"] == "invalid_api_key"
