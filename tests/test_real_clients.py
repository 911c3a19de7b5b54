"""Real client libraries named in the vendor notes, run against the gateway with only the base URL changed."""
from __future__ import annotations

from real_clients import CLIENTS, interpreter, live_url, npm_install, pip_install, run_driver  # noqa: F401


def test_npm_unisender_client(live_url, fresh_account):
    """On a fresh Unisender account: its field Name is there from the start, as at the vendor."""
    account = fresh_account("unisender")
    folder = CLIENTS / "unisender-npm"
    npm_install(folder)
    lines = run_driver(["node", "run.js"], folder, {"GATEWAY_URL": live_url, "GATEWAY_KEY": account.key})
    calls = {line["call"]: line for line in lines}
    assert calls["createList"]["res"] == {"result": {"id": 1}}
    assert calls["getLists"]["res"] == {"result": [{"id": 1, "title": "From npm"}]}
    assert calls["importContacts"]["res"]["result"] == {
        "total": 3, "inserted": 2, "updated": 0, "deleted": 0, "new_emails": 2, "invalid": 1,
        "log": [{"index": 2, "code": "e_email_invalid", "message": "Invalid email format"}]}
    assert calls["importNames"]["res"]["result"] == {
        "total": 1, "inserted": 1, "updated": 0, "deleted": 0, "new_emails": 1, "invalid": 0, "log": []}
    assert isinstance(calls["subscribe"]["res"]["result"]["person_id"], int)
    # The client resolves only truthy results: an empty object is one.
    for name in ("exclude", "unsubscribe"):
        assert calls[name] == {"call": name, "ok": True, "res": {"result": {}}}
    assert calls["exportContacts"]["res"]["result"] == {
        "field_names": ["email", "Name"],
        "data": [["test1@example.com", "Иван Тест"], ["a+b@example.com", "x&y=z"], ["sub@example.com", "Sub"]]}
    assert [f["name"] for f in calls["getFields"]["res"]["result"]] == ["Name"]
    assert calls["getTags"]["res"] == {"result": []}
    assert calls["wrongKey"]["ok"] is False
    assert calls["wrongKey"]["err"]["code"] == "invalid_api_key"


def python2() -> str:
    return interpreter("2.7", "py-unisender and pyunisend are Python 2 only")


def test_python2_unisender_clients(live_url, fresh_account, tmp_path):
    from core import catalog

    account = fresh_account("unisender")  # its field Name is there from the start
    for number in (1, 2):
        catalog.create_list(account.id, f"L{number}", number=number)
    folder = CLIENTS / "unisender-py2"
    packages = pip_install(python2(), folder, tmp_path / "py2-packages")
    lines = run_driver([python2(), "run.py"], folder, {"GATEWAY_URL": live_url, "GATEWAY_KEY": account.key,
                                                       "PYTHONPATH": str(packages)})
    calls = {line["call"]: line["res"] for line in lines}
    assert calls["py-unisender importContacts"]["result"] == {
        "total": 2, "inserted": 2, "updated": 0, "deleted": 0, "new_emails": 2, "invalid": 0, "log": []}
    assert calls["py-unisender getLists"]["result"] == [{"id": 1, "title": "L1"}, {"id": 2, "title": "L2"}]
    assert isinstance(calls["pyunisend subscribe"]["result"]["person_id"], int)
    contact = calls["pyunisend getContact"]["result"]
    assert contact["fields"] == {"Name": "N"} and [m["id"] for m in contact["lists"]] == [1, 2]
    assert isinstance(calls["pyunisend dry subscribe"]["result"]["person_id"], int)
    assert calls["pyunisend dry getContact"]["code"] == "unspecified"  # test_mode wrote nothing
    assert calls["pyunisend wrong key"]["code"] == "invalid_api_key"
