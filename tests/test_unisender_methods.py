"""The Unisender methods besides importContacts, through the WSGI app."""
from __future__ import annotations

import http.server
import json
import threading

import pytest

from core import accounts, catalog
from core.schema import Contact


def call(app, key, method, **params):
    return app.post(f"/en/api/{method}?format=json", {"api_key": key, **params}).json


def contact(app, key, email, **flags):
    return call(app, key, "getContact", email=email, include_lists="1", include_fields="1", **flags)


@pytest.fixture
def lists(account):
    for number in (134, 135, 136):
        catalog.create_list(account.id, f"List {number}", number=number)
    catalog.create_field(account.id, "Name")
    catalog.create_field(account.id, "City")


def test_subscribe_double_optin_statuses(app, account, lists):
    call(app, account.key, "subscribe", list_ids="134", **{"fields[email]": "a@example.com"})
    assert contact(app, account.key, "a@example.com")["result"]["email"]["status"] == "invited"
    call(app, account.key, "subscribe", list_ids="134", double_optin="3", **{"fields[email]": "b@example.com"})
    assert contact(app, account.key, "b@example.com")["result"]["email"]["status"] == "new"
    # Subscribing again never changes the status of an existing address.
    call(app, account.key, "subscribe", list_ids="135", double_optin="0", **{"fields[email]": "b@example.com"})
    answer = contact(app, account.key, "b@example.com")["result"]
    assert answer["email"]["status"] == "new"
    assert [m["id"] for m in answer["lists"]] == [134, 135]


def test_subscribe_with_phone_joins_email_and_sms_lists(app, account, lists):
    person = call(app, account.key, "subscribe", list_ids="134",
                  **{"fields[email]": "a@example.com", "fields[phone]": "+79261232323"})["result"]["person_id"]
    exported = call(app, account.key, "exportContacts", **{"field_names[0]": "email", "field_names[1]": "phone",
                                                           "field_names[2]": "phone_list_ids", "field_names[3]": "id"})
    assert exported["result"]["data"] == [["a@example.com", "+79261232323", "134", str(person)]]


def test_export_gives_back_the_channel_columns_import_took(app, account):
    columns = ["email", "phone", "email_availability", "phone_availability", "email_request_ip", "phone_request_ip",
               "email_confirm_time"]
    row = ["a@example.com", "+79261232323", "mailbox_full", "unreachable", "10.0.0.1", "10.0.0.2",
           "2024-01-02 03:04:05"]
    call(app, account.key, "importContacts", **{f"field_names[{i}]": n for i, n in enumerate(columns)},
         **{f"data[0][{i}]": v for i, v in enumerate(row)})
    exported = call(app, account.key, "exportContacts", **{f"field_names[{i}]": n for i, n in enumerate(columns)})
    assert exported["result"]["data"] == [row]


def test_subscribe_overwrite_modes(app, account, lists):
    def subscribe(overwrite, **fields):
        call(app, account.key, "subscribe", list_ids="135", double_optin="3", overwrite=str(overwrite),
             **{f"fields[{k}]": v for k, v in fields.items()}, **({"tags": "t2"} if overwrite else {}))

    call(app, account.key, "subscribe", list_ids="134", double_optin="3", tags="t1",
         **{"fields[email]": "a@example.com", "fields[Name]": "Ann", "fields[City]": "Riga"})
    subscribe(0, email="a@example.com", Name="Bob")  # 0: only empty fields are filled
    assert contact(app, account.key, "a@example.com")["result"]["fields"] == {"Name": "Ann", "City": "Riga"}
    subscribe(2, email="a@example.com", Name="Bob")  # 2: given fields replaced, others kept, tags replaced
    answer = contact(app, account.key, "a@example.com")["result"]
    assert answer["fields"] == {"Name": "Bob", "City": "Riga"}
    subscribe(1, email="a@example.com", Name="Cid")  # 1: everything replaced, lists too
    answer = contact(app, account.key, "a@example.com")["result"]
    assert answer["fields"] == {"Name": "Cid"}
    assert [m["id"] for m in answer["lists"]] == [135]
    assert [t["name"] for t in call(app, account.key, "getTags")["result"]] == ["t1", "t2"]


def test_subscribe_errors(app, account, lists):
    assert call(app, account.key, "subscribe", list_ids="134")["code"] == "invalid_arg"
    assert call(app, account.key, "subscribe", list_ids="999", **{"fields[email]": "a@example.com"})["code"] == \
        "invalid_arg"
    assert call(app, account.key, "subscribe", list_ids="134", **{"fields[email]": "nope"})["code"] == "invalid_arg"
    call(app, account.key, "subscribe", list_ids="134", **{"fields[email]": "a@example.com"})
    call(app, account.key, "subscribe", list_ids="134", **{"fields[phone]": "+79261232323"})
    clash = call(app, account.key, "subscribe", list_ids="134",
                 **{"fields[email]": "a@example.com", "fields[phone]": "+79261232323"})
    assert clash == {"error": "Contacts a@example.com and +79261232323 already exist but owned by different "
                              "subscribers", "code": "unspecified", "result": ""}


def test_exclude_and_unsubscribe_from_all_lists(app, account, lists):
    call(app, account.key, "subscribe", list_ids="134,135", double_optin="3", **{"fields[email]": "a@example.com"})
    assert call(app, account.key, "exclude", contact_type="email", contact="a@example.com") == {"result": {}}
    assert {m["status"] for m in contact(app, account.key, "a@example.com")["result"]["lists"]} == {"excluded"}
    call(app, account.key, "subscribe", list_ids="134,135", double_optin="3", **{"fields[email]": "a@example.com"})
    assert call(app, account.key, "unsubscribe", contact_type="email", contact="a@example.com") == {"result": {}}
    assert {m["status"] for m in contact(app, account.key, "a@example.com")["result"]["lists"]} == {"unsubscribed"}
    # Unsubscribed from a list, the contact is not put back by a later subscribe.
    call(app, account.key, "subscribe", list_ids="134", double_optin="3", **{"fields[email]": "a@example.com"})
    assert {m["status"] for m in contact(app, account.key, "a@example.com")["result"]["lists"]} == {"unsubscribed"}
    assert call(app, account.key, "exclude", contact_type="fax", contact="a@example.com")["code"] == "invalid_arg"


def test_contact_counts(app, account, lists):
    call(app, account.key, "importContacts", **{
        "field_names[0]": "email", "field_names[1]": "phone", "field_names[2]": "email_list_ids",
        "field_names[3]": "tags", "data[0][0]": "a@example.com", "data[0][2]": "134", "data[0][3]": "vip",
        "data[1][0]": "b@example.com", "data[1][1]": "+79261232323", "data[1][2]": "134",
        "data[2][1]": "+79261232324"})
    count = lambda **p: call(app, account.key, "getContactCount", list_id="134", **p)["result"]["count"]  # noqa: E731
    assert count() == 2
    tag_id = call(app, account.key, "getTags")["result"][0]["id"]
    assert count(**{"params[tagId]": str(tag_id)}) == 1
    assert count(**{"params[type]": "address", "params[search]": "b@"}) == 1
    assert call(app, account.key, "getTotalContactsCount", login="me")["result"] == {"total": 3}
    assert call(app, account.key, "getTotalContactsCount")["code"] == "invalid_arg"


def test_fields_and_tags(app, account):
    created = call(app, account.key, "createField", name="Birthday", type="date")["result"]["id"]
    assert call(app, account.key, "createField", name="Birthday", type="date")["code"] == "invalid_arg"
    assert call(app, account.key, "createField", name="email_status", type="string")["code"] == "invalid_arg"
    assert call(app, account.key, "createField", name="9lives", type="string")["code"] == "invalid_arg"
    assert call(app, account.key, "createField", name="X", type="blob")["code"] == "invalid_arg"
    assert call(app, account.key, "updateField", id=str(created), name="Born") == {"result": {"id": created},
                                                                                 "id": created}
    call(app, account.key, "importContacts", **{"field_names[0]": "email", "field_names[1]": "Born",
                                                "field_names[2]": "tags", "data[0][0]": "a@example.com",
                                                "data[0][1]": "01.02.1990", "data[0][2]": "x,y"})
    assert contact(app, account.key, "a@example.com")["result"]["fields"] == {"Born": "01.02.1990"}
    assert call(app, account.key, "deleteField", id=str(created)) == {"result": {}}
    assert contact(app, account.key, "a@example.com")["result"]["fields"] == {}
    assert call(app, account.key, "deleteField", id=str(created))["code"] == "invalid_arg"
    tags = call(app, account.key, "getTags")["result"]
    assert call(app, account.key, "deleteTag", id=str(tags[0]["id"])) == {"result": {}}
    assert [t["name"] for t in call(app, account.key, "getTags")["result"]] == ["y"]


def test_test_mode_writes_nothing(app, account):
    answer = call(app, account.key, "importContacts", test_mode="1",
                  **{"field_names[0]": "email", "data[0][0]": "a@example.com"})
    assert answer["result"]["inserted"] == 1
    assert Contact.select().count() == 0


def test_accounts_never_see_each_other(app, account, lists):
    other = accounts.create_account("other")
    _, other_key = accounts.add_key(other.id)
    catalog.create_list(other.id, "Theirs", number=134)  # the same legacy id in another account
    call(app, account.key, "subscribe", list_ids="134", double_optin="3", **{"fields[email]": "a@example.com"})
    assert call(app, other_key, "getContact", email="a@example.com")["code"] == "unspecified"
    assert call(app, other_key, "getLists")["result"] == [{"id": 134, "title": "Theirs"}]
    assert call(app, other_key, "getContactCount", list_id="134")["result"]["count"] == 0
    assert call(app, other_key, "exclude", contact_type="email", contact="a@example.com")["code"] == "unspecified"
    assert call(app, other_key, "deleteList", list_id="135")["code"] == "invalid_arg"
    assert call(app, other_key, "getTotalContactsCount", login="x")["result"]["total"] == 0
    task = call(app, account.key, "async/exportContacts")["result"]["task_uuid"]
    assert call(app, other_key, "async/getTaskResult", task_uuid=task)["code"] == "unspecified"


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        _Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_async_export_notifies_and_serves_the_file(app, account, lists):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Hook.received.clear()
    try:
        call(app, account.key, "importContacts", **{"field_names[0]": "email", "field_names[1]": "Name",
                                                    "data[0][0]": "a@example.com", "data[0][1]": "Ann, \"the\" 1st"})
        notify = f"http://127.0.0.1:{server.server_port}/hook"
        started = call(app, account.key, "async/exportContacts", notify_url=notify,
                       **{"field_names[0]": "email", "field_names[1]": "Name"})["result"]
        result = call(app, account.key, "async/getTaskResult", task_uuid=started["task_uuid"])["result"]
        assert result["status"] == "completed"
        assert _Hook.received == [{"result": result}]
        path = result["file_to_download"].split("localhost:80", 1)[-1]
        assert app.get(path).text == 'email,Name\na@example.com,"Ann, ""the"" 1st"\n'
        assert app.get(path[:-3] + "xyz", expect_errors=True).status_int == 404
    finally:
        server.shutdown()


def test_async_export_pages_by_key(app, account, lists, monkeypatch):
    """Pages start after the last id seen (no OFFSET): every contact once, in id order, whatever the page size."""
    from gateway.jobs import unisender_export
    from querycount import count_queries

    monkeypatch.setattr(unisender_export, "PAGE", 2)
    pairs = {"field_names[0]": "email"}
    for i in range(5):
        pairs[f"data[{i}][0]"] = f"c{i}@example.com"
    call(app, account.key, "importContacts", **pairs)
    with count_queries() as seen:
        started = call(app, account.key, "async/exportContacts", **{"field_names[0]": "email"})["result"]
    pages = [q for q in seen if 'FROM "contact"' in q and "LIMIT" in q]
    assert len(pages) == 3 and not any("OFFSET" in q for q in pages)
    assert all('"id" > ' in q for q in pages[1:])
    result = call(app, account.key, "async/getTaskResult", task_uuid=started["task_uuid"])["result"]
    path = result["file_to_download"].split("localhost:80", 1)[-1]
    assert app.get(path).text == "email\n" + "".join(f"c{i}@example.com\n" for i in range(5))
