"""The real npm `unisender-node` SDK (niklucky, 0.0.7) against the gateway on a bare fresh account.

Its dist is plain CommonJS for node; it joins the fixed host https://api.unisender.com with
`/<lang>/api/<method>?api_key=…` and posts `qs.stringify(payload)`, so `data[i][j]`, `field_names[i]`,
`fields[Name]` and `params[type]` arrive bracket-encoded. The driver swaps only that host (an axios
interceptor). What it exposed is in docs/dialects/unisender.md, "Real clients exercised".
"""
from __future__ import annotations

from datetime import datetime

from core import catalog, contacts
from real_clients import CLIENTS, live_url, npm_install, run_driver  # noqa: F401 - live_url: fixture


def test_npm_unisender_node_client(live_url, fresh_account):
    account = fresh_account("unisender")  # nothing created first
    folder = CLIENTS / "unisender-node-npm"
    npm_install(folder)
    lines = run_driver(["node", "run.js"], folder, {"GATEWAY_URL": live_url, "GATEWAY_KEY": account.key})
    res = {line["call"]: line["res"] for line in lines}
    assert all(line["ok"] for line in lines), [line for line in lines if not line["ok"]]

    # Lists: ids of the account, the update and the delete stored.
    assert res["createList"] == {"result": {"id": 1}} and res["createOther"] == {"result": {"id": 2}}
    assert res["updateList"] == {"result": {}}
    assert res["getLists"]["result"] == [{"id": 1, "title": "Из unisender-node"}, {"id": 2, "title": "Second (renamed)"}]
    assert res["deleteList"] == {"result": {}}
    assert res["getListsAfter"]["result"] == [{"id": 1, "title": "Из unisender-node"}]
    assert [lst.title for lst in catalog.lists(account.id)] == ["Из unisender-node"]

    # Fields: the fresh account's Name, then the SDK's field created, renamed, read by id, deleted.
    assert res["getFields"]["result"] == [{"id": 1, "name": "Name", "type": "string", "is_visible": 1, "view_pos": 0,
                                           "public_name": "Name"}]
    assert res["createField"] == {"result": {"id": 2}}
    assert res["updateField"]["result"] == {"id": 2}
    assert res["getContactFieldValues"] == {"result": {"fieldValues": {"1": "Саша", "2": "Kyiv"}}}
    assert res["deleteField"] == {"result": {}}
    assert [f.name for f in catalog.fields(account.id)] == ["Name"]

    # subscribe with list_ids and tags given as arrays (the SDK joins them with commas).
    assert isinstance(res["subscribe"]["result"]["person_id"], int)
    assert res["isContactInLists"] == {"result": True}

    # importContacts both ways of its README; the invalid row fails alone.
    assert res["importObjects"]["result"] == {
        "total": 3, "inserted": 2, "updated": 0, "deleted": 0, "new_emails": 2, "invalid": 1,
        "log": [{"index": 2, "code": "e_email_invalid", "message": "Invalid email format"}]}
    assert res["importRows"]["result"]["updated"] == 1
    ann = contacts.find(account.id, "email", "ann@example.com")
    assert ann.fields == {"Name": "Ann Lee"} and ann.tags == ["imported"]
    assert [m.list for m in ann.memberships] == [1]
    # Its typings allow email_list_ids as number[]: qs then sends data[0][1][0]=…, which the gateway refuses
    # whole (the vendor documents a comma-separated string); a Date goes as ISO 8601 and is read as UTC.
    assert res["importListArray"] == {"error": "data[0][1] must be a value, not an array", "code": "invalid_arg",
                                      "result": ""}
    dated = contacts.find(account.id, "email", "dated@example.com")
    assert [m.subscribed_at.replace(tzinfo=None) for m in dated.memberships] == [datetime(2024, 1, 2, 3, 4, 5)]
    with_pytest_raises_not_found(account.id, "typed@example.com")

    # importContactsBatch: 1,001 rows in chunks of 500, 500 and 1, each its own importContacts call.
    assert [chunk["result"]["inserted"] for chunk in res["importContactsBatch"]] == [500, 500, 1]
    assert contacts.count(account.id, contacts.ContactFilter()) == 1005

    contact = res["getContact"]["result"]
    assert contact["email"]["email"] == "ann@example.com"
    assert contact["fields"] == {"Name": "Ann Lee", "town": "Lviv"}  # read before the SDK deleted town
    assert res["getContactCount"]["result"]["count"] == 4  # sub, ann, bob and dated in list 1
    assert res["getTotalContactsCount"] == {"result": {"total": 1005}}
    assert [t["name"] for t in res["getTags"]["result"]] == ["vip", "web", "imported"]

    assert res["exclude"] == res["unsubscribe"] == {"result": {}}
    sub = contacts.find(account.id, "email", "sub@example.com")
    assert sub.tags == ["vip", "web"]
    assert {(m.list, m.status) for m in sub.memberships} == {(1, "subscribed")}  # excluded from the deleted list 2
    # unsubscribe with no list_ids: every list of the contact, its address status unchanged (the vendor's rule).
    bob = contacts.find(account.id, "email", "bob@example.com")
    assert bob.email_status == "new" and [(m.list, m.status) for m in bob.memberships] == [(1, "unsubscribed")]

    assert res["getTaskResult"]["result"]["status"] == "completed"
    assert res["download"] == ("email,Name\nsub@example.com,Саша\nann@example.com,Ann Lee\nbob@example.com,Bob Smith\n"
                               "dated@example.com,\n")
    assert res["wrongKey"]["code"] == "invalid_api_key"  # English: the SDK's last instance asked for /en/


def with_pytest_raises_not_found(account_id, email):
    from core.errors import CoreError
    try:
        contacts.find(account_id, "email", email)
    except CoreError:
        return
    raise AssertionError(f"{email} was stored although its request was refused")
