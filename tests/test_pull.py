"""`contact-gateway pull` from a second gateway on the loopback playing the old vendor, compared call by call."""
from __future__ import annotations

import base64
import json
import os
import signal
import threading
import time

import pytest

from core import accounts
from core import db as store
from gateway.pull import run as pull

from old_vendor import OldVendor

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def vendor(tmp_path_factory):
    old = OldVendor(tmp_path_factory.mktemp("old-vendor")).start()
    yield old
    old.stop()


def _pull(dialect: str, vendor, account_name: str, plan: bool = False, **credentials):
    reader = pull.reader_for(dialect, vendor.base_url, page_size=credentials.pop("page_size", 1000), **credentials)
    try:
        return pull.run(reader, account_name, vendor.base_url, plan=plan)
    finally:
        reader.close()


# -- Unisender ------------------------------------------------------------------------------------
UNISENDER_KEY = "u" * 8 + "pull-test-key-0123456789abcdef"
UNISENDER_ACCOUNT = {
    "lists": [{"id": 134, "title": "Newsletter"}, {"id": 778899, "title": "Customers"}, {"id": 5, "title": "VIP"}],
    "fields": [{"id": 1092207, "name": "Name", "type": "string"}, {"id": 1092208, "name": "City", "type": "string"},
               {"id": 1092209, "name": "Points", "type": "number"}],
}


def _unisender(http, key: str, method: str, **params) -> dict:
    answer = http.post(f"/en/api/{method}", data={"format": "json", "api_key": key, **params}).json()
    assert "error" not in answer, answer
    return answer["result"]


def _fill_unisender(vendor, tmp_path) -> str:
    key = UNISENDER_KEY + tmp_path.name[-6:]
    vendor.account({**UNISENDER_ACCOUNT, "keys": [{"key": key, "dialect": "unisender"}]}, tmp_path)
    names = ["email", "email_status", "Name", "City", "Points", "email_list_ids", "tags", "phone"]
    data = {}
    for i in range(40):
        row = [f"person{i:02d}@example.com", "active", f"Person {i}", ["Riga", "Kyiv", "Lima"][i % 3], str(i * 10),
               "134,778899" if i % 2 == 0 else "134", "vip" if i % 5 == 0 else "", f"+3712000{i:04d}" if i < 10 else ""]
        data.update({f"data[{i}][{j}]": value for j, value in enumerate(row)})
    with vendor.client() as http:
        result = _unisender(http, key, "importContacts", **{f"field_names[{j}]": n for j, n in enumerate(names)},
                            **data)
        assert result["inserted"] == 40
        for i in (1, 3, 5, 7):  # 4 unsubscribed from list 134
            _unisender(http, key, "unsubscribe", contact_type="email", contact=f"person{i:02d}@example.com",
                       list_ids="134")
        for i in (2, 4):  # 2 excluded from 778899
            _unisender(http, key, "exclude", contact_type="email", contact=f"person{i:02d}@example.com",
                       list_ids="778899")
        _unisender(http, key, "importContacts", **{"field_names[0]": "email", "field_names[1]": "email_status",
                                                    "data[0][0]": "person39@example.com", "data[0][1]": "unsubscribed"})
        _unisender(http, key, "subscribe", list_ids="5", **{"fields[email]": "person11@example.com"},
                   double_optin="3")
    return key


EXPORT_COLUMNS = ["email", "email_status", "email_list_ids", "email_subscribe_times", "email_unsubscribed_list_ids",
                  "email_excluded_list_ids", "phone", "phone_status", "phone_list_ids", "tags", "Name", "City",
                  "Points"]


def _unisender_view(call) -> dict:
    """What a Unisender client can read of an account: lists, fields, counts and every contact's export row."""
    names = {f"field_names[{j}]": n for j, n in enumerate(EXPORT_COLUMNS)}
    rows = call("exportContacts", limit="1000", **names)["data"]
    counts = {lst["id"]: call("getContactCount", list_id=str(lst["id"]), **{"params[type]": "address"})["count"]
              for lst in call("getLists")}
    return {"lists": call("getLists"), "fields": call("getFields"), "counts": counts,
            "contacts": sorted(rows, key=lambda r: r[0]), "tags": sorted(t["name"] for t in call("getTags"))}


def _here(app, key: str):
    def call(method: str, **params):
        answer = app.post(f"/en/api/{method}", {"format": "json", "api_key": key, **params}).json
        assert "error" not in answer, answer
        return answer["result"]
    return call


def test_unisender_account_pulled_whole(vendor, app, account, tmp_path):
    key = _fill_unisender(vendor, tmp_path)
    summary = _pull("unisender", vendor, account.name, key=key, page_size=15)
    assert summary.line() == {"contacts": {"created": 40, "updated": 0, "unchanged": 0, "failed": 0},
                              "lists": 3, "fields": 3}
    with vendor.client() as http:
        there = _unisender_view(lambda method, **p: _unisender(http, key, method, **p))
    here = _unisender_view(_here(app, account.key))
    assert here == there
    by_email = {row[0]: row for row in here["contacts"]}
    assert [e for e, row in by_email.items() if row[4] == "134"] == [f"person{i:02d}@example.com" for i in (1, 3, 5, 7)]
    assert by_email["person39@example.com"][1] == "unsubscribed"

    again = _pull("unisender", vendor, account.name, key=key)
    assert again.contacts == {"created": 0, "updated": 0, "unchanged": 40, "failed": 0}


def test_unisender_second_pull_brings_changes_and_keeps_unsubscribes_here(vendor, app, account, tmp_path):
    key = _fill_unisender(vendor, tmp_path)
    _pull("unisender", vendor, account.name, key=key)
    here = _here(app, account.key)
    # Here, person00 unsubscribes from 134; at the old vendor, person01 is subscribed to 134 again
    # and person02 changes city.
    here("unsubscribe", contact_type="email", contact="person00@example.com", list_ids="134")
    with vendor.client() as http:
        _unisender(http, key, "importContacts", **{"field_names[0]": "email", "field_names[1]": "City",
                                                    "data[0][0]": "person02@example.com", "data[0][1]": "Oslo"})
    summary = _pull("unisender", vendor, account.name, key=key)
    assert summary.contacts == {"created": 0, "updated": 1, "unchanged": 39, "failed": 0}
    rows = {r[0]: r for r in here("exportContacts", **{f"field_names[{j}]": n for j, n in enumerate(EXPORT_COLUMNS)})
            ["data"]}
    assert rows["person02@example.com"][EXPORT_COLUMNS.index("City")] == "Oslo"
    assert rows["person00@example.com"][EXPORT_COLUMNS.index("email_unsubscribed_list_ids")] == "134"


# -- Dotdigital v2 --------------------------------------------------------------------------------------
DOTDIGITAL_USER, DOTDIGITAL_PASSWORD = "apiuser-pull@apiconnector.com", "Pull#Dd-pass!"
DOTDIGITAL_ACCOUNT = {
    "lists": [{"id": 12345, "title": "Top customers", "kind": "address_book"},
              {"id": 456, "title": "Offers", "kind": "address_book"}],
    # FIRSTNAME and the other default data fields come with the fresh Dotdigital account.
    "fields": [{"id": 8, "name": "LOYALTY_POINTS", "type": "number"}],
}


def _basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _fill_dotdigital(vendor, tmp_path) -> tuple[str, str]:
    user = f"{tmp_path.name[-6:]}-{DOTDIGITAL_USER}"
    vendor.account({**DOTDIGITAL_ACCOUNT, "keys": [{"key": DOTDIGITAL_PASSWORD + user, "username": user,
                                                    "dialect": "dotdigital"}]}, tmp_path)
    password = DOTDIGITAL_PASSWORD + user
    with vendor.client(headers=_basic(user, password)) as http:
        for i in range(20):
            body = {"email": f"dd{i:02d}@example.com", "optInType": "Single", "emailType": "Html",
                    "dataFields": [{"key": "FIRSTNAME", "value": f"Dee {i}"}, {"key": "LOYALTY_POINTS", "value": i}]}
            assert http.post("/v2/address-books/12345/contacts", json=body).status_code == 200
        for i in (3, 8):  # 2 unsubscribed from the address book
            assert http.post("/v2/address-books/12345/contacts/unsubscribe",
                             json={"email": f"dd{i:02d}@example.com"}).status_code == 200
        assert http.post("/v2/address-books/456/contacts", json={"email": "dd01@example.com"}).status_code == 200
        assert http.post("/v2/contacts/unsubscribe", json={"email": "dd19@example.com"}).status_code == 200
    return user, password


def _dotdigital_view(get) -> dict:
    books = get("/v2/address-books")
    return {
        "books": books,
        "fields": get("/v2/data-fields"),
        "members": {b["id"]: sorted((c["email"], c["status"], str(c["dataFields"])) for c in
                                    get(f"/v2/address-books/{b['id']}/contacts?withFullData=true")) for b in books},
        "contacts": sorted(({k: v for k, v in c.items() if k != "id"} for c in get("/v2/contacts?withFullData=true")),
                           key=lambda c: c["email"]),
        "v3": sorted(({k: v for k, v in c.items() if k not in ("contactId", "created", "updated")} for c in
                      get("/contacts/v3?include=channelProperties|lists&data-fields=[[ALL]]")["_items"]),
                     key=lambda c: c["identifiers"]["email"]),
    }


def test_dotdigital_account_pulled_whole(vendor, app, store_url, tmp_path):
    user, password = _fill_dotdigital(vendor, tmp_path)
    row = accounts.create_account(f"here-{tmp_path.name[-6:]}")
    accounts.add_key(row.id, secret=password, dialect="dotdigital", username=user)
    summary = _pull("dotdigital", vendor, row.name, user=user, password=password, page_size=7)
    assert summary.line() == {"contacts": {"created": 20, "updated": 0, "unchanged": 0, "failed": 0},
                              "lists": 2, "fields": 6}
    with vendor.client(headers=_basic(user, password)) as http:
        there = _dotdigital_view(lambda path: http.get(path).json())
    here = _dotdigital_view(lambda path: app.get(path, headers=_basic(user, password)).json)
    assert here == there
    members = {email for email, _, _ in here["members"][12345]}
    assert len(members) == 18 and not {"dd03@example.com", "dd08@example.com"} & members

    # The Dotdigital contact ids the client's scripts hold still name the same contacts here.
    with vendor.client(headers=_basic(user, password)) as http:
        old = {c["email"]: c["id"] for c in http.get("/v2/contacts?select=1000").json()}
    for email in ("dd00@example.com", "dd07@example.com"):
        assert app.get(f"/v2/contacts/{old[email]}", headers=_basic(user, password)).json["email"] == email
        assert app.get(f"/contacts/v3/contactId/{old[email]}",
                       headers=_basic(user, password)).json["identifiers"]["email"] == email
    app.delete(f"/v2/address-books/12345/contacts/{old['dd07@example.com']}", headers=_basic(user, password))
    assert "dd07@example.com" not in {c["email"] for c in app.get("/v2/address-books/12345/contacts",
                                                                     headers=_basic(user, password)).json}

    again = _pull("dotdigital", vendor, row.name, user=user, password=password)
    assert again.contacts["created"] == 0 and again.contacts["failed"] == 0


# -- the command itself: kill -9 and resume, --plan, no secret printed ----------------------------------
def _fill_many(vendor, tmp_path, count: int) -> str:
    key = UNISENDER_KEY + "many" + tmp_path.name[-6:]
    vendor.account({**UNISENDER_ACCOUNT, "keys": [{"key": key, "dialect": "unisender"}]}, tmp_path)
    names = {"field_names[0]": "email", "field_names[1]": "Name", "field_names[2]": "email_list_ids"}
    with vendor.client() as http:
        for start in range(0, count, 500):
            data = {}
            for i in range(start, min(start + 500, count)):
                data.update({f"data[{i}][0]": f"many{i:05d}@example.com", f"data[{i}][1]": f"N{i}",
                             f"data[{i}][2]": "134"})
            _unisender(http, key, "importContacts", **names, **data)
        for i in range(0, count, 97):
            _unisender(http, key, "unsubscribe", contact_type="email", contact=f"many{i:05d}@example.com",
                       list_ids="134")
    return key


def _pull_process(vendor, store_url: str, account_name: str, key: str, *extra: str):
    import subprocess
    import sys

    from processes import ROOT

    env = {**os.environ, "DATABASE_URL": store_url, "PULL_API_KEY": key}
    return subprocess.Popen([sys.executable, "-m", "gateway.cli", "pull", "unisender", "--from", vendor.base_url,
                             "--account", account_name, *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _state(account_id: int):
    from core.schema import PullState

    store.database().close()  # a fresh snapshot of what the other process committed
    return PullState.get_or_none(PullState.account == account_id)


def test_pull_killed_mid_way_resumes_to_the_same_result(vendor, app, account, store_url, tmp_path):
    from core.schema import Contact

    key = _fill_many(vendor, tmp_path, 3000)
    process = _pull_process(vendor, store_url, account.name, key, "--page-size", "50", "--json")
    deadline = time.time() + 120
    while time.time() < deadline:
        state = _state(account.id)
        if state is not None and (state.cursor or {}).get("offset", 0) >= 500:
            break
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    state = _state(account.id)
    assert state.finished_at is None and 500 <= state.cursor["offset"] < 3000, "killed mid-pull"
    done_before = state.cursor["offset"]
    assert Contact.select().where(Contact.account == account.id).count() == done_before  # pages, whole
    here = _here(app, account.key)

    resumed = _pull_process(vendor, store_url, account.name, key, "--resume", "--json")
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    line = json.loads(out.strip().splitlines()[-1])
    assert line["contacts"]["failed"] == 0
    assert line["contacts"]["created"] + line["contacts"]["unchanged"] + line["contacts"]["updated"] == 3000
    assert _state(account.id).finished_at is not None

    names = {f"field_names[{j}]": n for j, n in enumerate(["email", "email_status", "email_list_ids",
                                                          "email_unsubscribed_list_ids", "Name"])}
    with vendor.client() as http:
        there = [r for offset in range(0, 3000, 1000)
                 for r in _unisender(http, key, "exportContacts", offset=str(offset), limit="1000", **names)["data"]]
    mine = [r for offset in range(0, 3000, 1000)
            for r in here("exportContacts", offset=str(offset), limit="1000", **names)["data"]]
    assert sorted(mine) == sorted(there) and len(mine) == 3000


def test_plan_reads_everything_and_writes_nothing(vendor, app, account, store_url, tmp_path):
    from core.schema import Contact, ContactList, FieldDef, LegacyId, PullState

    key = _fill_unisender(vendor, tmp_path)
    plan = _pull("unisender", vendor, account.name, key=key, plan=True, page_size=15)
    assert plan.plan and plan.line() == {"contacts": {"created": 40, "updated": 0, "unchanged": 0, "failed": 0},
                                         "lists": 3, "fields": 3}
    assert plan.catalog["created"] == {"lists": 3, "fields": 3}
    for model in (Contact, ContactList, FieldDef, LegacyId, PullState):
        assert model.select().where(model.account == account.id).count() == 0, model
    real = _pull("unisender", vendor, account.name, key=key)
    assert real.line() == plan.line()


def test_no_secret_in_output_or_logs(vendor, account, store_url, tmp_path, caplog):
    import logging

    key = _fill_unisender(vendor, tmp_path)
    caplog.set_level(logging.DEBUG)
    summary = _pull("unisender", vendor, account.name, key=key)
    assert summary.contacts["created"] == 40
    process = _pull_process(vendor, store_url, account.name, key, "--json")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert json.loads(out) == {"contacts": {"created": 0, "updated": 0, "unchanged": 40, "failed": 0},
                               "lists": 3, "fields": 3}
    wrong = key[:-1] + "X"
    refused = _pull_process(vendor, store_url, account.name, wrong)
    out2, err2 = refused.communicate(timeout=120)
    assert refused.returncode == 2 and "error" in err2, err2
    for text in (out, err, out2, err2, caplog.text, vendor.gateway.output()):
        assert key not in text and wrong not in text


def test_vendor_limits_429_and_retry_after_are_waited_out():
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from gateway.pull.http import VendorClient, retry_after

    answers = iter([("429 Too Many Requests", {"Retry-After": "0"}), ("503 Service Unavailable", {}),
                    ("200 OK", {})])
    seen = []

    def app(environ, start_response):
        status, headers = next(answers)
        seen.append(environ["PATH_INFO"])
        start_response(status, [("Content-Type", "application/json"), *headers.items()])
        return [b'{"ok": true}']

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = VendorClient(f"http://127.0.0.1:{server.server_port}")
        assert client.json("GET", "/x") == {"ok": True}
        assert client.requests == 3 and seen == ["/x"] * 3
    finally:
        server.shutdown()
    assert retry_after("7") == 7 and retry_after(None) is None and retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0


# -- eSputnik -----------------------------------------------------------------------------------------
ESPUTNIK_ACCOUNT = {
    "settings": {"esputnik": {"address_book_id": 7200, "address_book_name": "Main"}},
    "lists": [{"id": 5021, "title": "Customers", "kind": "segment"}, {"id": 5022, "title": "Subscribers",
                                                                      "kind": "segment"}],
    "fields": [{"id": 12345, "name": "Profession", "type": "string",
                "attrs": {"group": "Personal", "profile_key": "personal", "field_key": "profession"}},
               {"id": 15868, "name": "Gender", "type": "enum", "allowed_values": ["M", "F"],
                "attrs": {"group": "Personal", "profile_key": "personal", "field_key": "gender"}}],
}


def _esputnik_view(get) -> dict:
    def without_ids(rows):
        return sorted(({k: v for k, v in r.items() if k != "id"} for r in rows), key=lambda r: str(r["channels"]))
    groups = get("/api/v1/groups")
    return {"book": get("/api/v1/addressbooks"), "groups": groups,
            "contacts": without_ids(get("/api/v1/contacts?maxrows=500")),
            "members": {g["id"]: without_ids(get(f"/api/v1/group/{g['id']}/contacts")) for g in groups}}


def test_esputnik_account_pulled(vendor, app, store_url, tmp_path):
    key = f"ES{tmp_path.name[-6:]}PULLKEY0123456789ABCDEF"
    vendor.account({**ESPUTNIK_ACCOUNT, "keys": [{"key": key, "dialect": "esputnik"}]}, tmp_path)
    auth = _basic("user", key)
    with vendor.client(headers={**auth, "Accept": "application/json"}) as http:
        for i in range(15):
            body = {"firstName": f"Es {i}", "channels": [{"type": "email", "value": f"es{i:02d}@example.com"}],
                    "fields": [{"id": 12345, "value": "cook" if i % 2 else "pilot"},
                               {"id": 15868, "value": "MF"[i % 2]}],
                    "groups": [{"id": 5021}] + ([{"id": 5022}] if i < 5 else [])}
            if i % 4 == 0:
                body["externalCustomerId"] = f"ext-{i}"
                body["address"] = {"town": "Kyiv", "postcode": "01001"}
            assert http.post("/api/v1/contact", json=body).status_code == 200
        assert http.post("/api/v1/emails/unsubscribed/add", json={"emails": ["es01@example.com"]}).status_code == 200
        there = _esputnik_view(lambda path: http.get(path).json())
        old_ids = {c["channels"][0]["value"]: c["id"] for c in http.get("/api/v1/contacts").json()}
    row = accounts.create_account(f"here-es-{tmp_path.name[-6:]}")
    accounts.add_key(row.id, secret=key, dialect="esputnik")
    summary = _pull("esputnik", vendor, row.name, key=key, page_size=4)
    assert summary.line() == {"contacts": {"created": 15, "updated": 0, "unchanged": 0, "failed": 0},
                              "lists": 2, "fields": 2}
    headers = {**auth, "Accept": "application/json"}
    here = _esputnik_view(lambda path: app.get(path, headers=headers).json)
    assert here == there
    for email in ("es00@example.com", "es09@example.com"):  # the ids the scripts hold
        found = app.get(f"/api/v1/contact/{old_ids[email]}", headers=headers).json
        assert found["channels"][0]["value"] == email
    again = _pull("esputnik", vendor, row.name, key=key)
    assert again.contacts == {"created": 0, "updated": 0, "unchanged": 15, "failed": 0}
    assert app.post_json("/api/v1/group/5022/contacts/attach", {"contactIds": [old_ids["es09@example.com"]]},
                         headers=headers).status_code == 200
    members = app.get("/api/v1/group/5022/contacts", headers=headers).json
    assert "es09@example.com" in {m["channels"][0]["value"] for m in members}
    app.delete(f"/api/v1/contact/{old_ids['es10@example.com']}", headers=headers)
    assert app.get(f"/api/v1/contact/{old_ids['es10@example.com']}", headers=headers, status=404)


# -- Icomm ----------------------------------------------------------------------------------------------
def test_icomm_profiles_pulled(vendor, app, store_url, tmp_path):
    key = f"IC{tmp_path.name[-6:]}bXlrZXktaWNvbW0tcHVsbA"
    profiles = [f"UHJvZmlsZTE{tmp_path.name[-4:]}", f"Q2Fycml0b3M{tmp_path.name[-4:]}"]
    vendor.account({"keys": [{"key": key, "dialect": "icomm"}],
                    "databases": [{"id": 1, "name": "Newsletter", "attrs": {"profile_key": profiles[0]}},
                                  {"id": 4, "name": "Carritos", "attrs": {"profile_key": profiles[1]}}],
                    "fields": [{"id": 31, "name": "nombre", "type": "string", "database": 1},
                               {"id": 32, "name": "ciudad", "type": "string", "database": 4}]}, tmp_path)
    auth = {"Authorization": key}
    with vendor.client(headers=auth) as http:
        for profile, field, count in ((profiles[0], "nombre", 12), (profiles[1], "ciudad", 5)):
            contacts = [{"Email": f"ic{i:02d}@example.com", "CustomFields": [{"Key": field, "Value": f"v{i}"}]}
                        for i in range(count)]
            answer = http.post("/Contacts/SaveMultiContact.Json/", json={"ProfileKey": profile,
                                                                         "ContactList": contacts}).json()
            assert all(r["StatusCode"] == 1 for r in answer["SaveMultiContactJsonResult"]["Responses"]) or answer
        for email in ("ic02@example.com", "ic05@example.com"):
            assert http.post("/Contacts/UnsubscribeContact.Json/",
                             json={"ProfileKey": profiles[0], "Contact": {"Email": email}}).status_code == 200

    def listing(post) -> dict:
        return {p: sorted(post("/Contacts/ListFull.Json/", {"ProfileKey": p})["ListContactsFullJsonResult"],
                          key=lambda c: c["Email"]) for p in profiles}

    with vendor.client(headers=auth) as http:
        there = listing(lambda path, body: http.post(path, json=body).json())
    row = accounts.create_account(f"here-ic-{tmp_path.name[-6:]}")
    accounts.add_key(row.id, secret=key, dialect="icomm")
    summary = _pull("icomm", vendor, row.name, key=key, profiles=profiles, page_size=5)
    assert summary.line() == {"contacts": {"created": 17, "updated": 0, "unchanged": 0, "failed": 0},
                              "lists": 0, "fields": 2}
    here = listing(lambda path, body: app.post_json(path, body, headers=auth).json)
    assert here == there
    assert {c["Email"] for c in here[profiles[0]] if c["Status"] == "U"} == {"ic02@example.com", "ic05@example.com"}
    again = _pull("icomm", vendor, row.name, key=key, profiles=profiles)
    assert again.contacts == {"created": 0, "updated": 0, "unchanged": 17, "failed": 0}


# -- Altcraft ----------------------------------------------------------------------------------------------
def test_altcraft_profiles_pulled_by_address(vendor, app, store_url, tmp_path):
    token = f"ac{tmp_path.name[-6:]}5684d774e52b188fa1f003cd5ed"
    vendor.account({"keys": [{"key": token, "dialect": "altcraft"}],
                    "lists": [{"id": 27, "title": "Transactional", "kind": "resource", "channels": ["email"]},
                              {"id": 28, "title": "Promotions", "kind": "resource", "channels": ["email", "sms"]}],
                    "fields": [{"id": 3, "name": "Plan", "type": "string"}, {"id": 9, "name": "Age", "type": "number"}]},
                   tmp_path)
    emails = [f"ac{i:02d}@example.com" for i in range(8)]

    def call(http, method, **body):
        answer = http.post(f"/api/v1.1/{method}", json={"token": token, "db_id": 1, **body}).json()
        assert answer["error"] == 0, answer
        return answer

    with vendor.client() as http:
        data = [{"email": email, "_fname": f"Al {i}", "Plan": "gold" if i % 2 else "free", "Age": 20 + i,
                 "subscriptions": [{"resource_id": 27, "channel": "email", "email": email}]
                 + ([{"resource_id": 28, "channel": "email", "email": email, "priority": 2}] if i < 3 else [])}
                for i, email in enumerate(emails)]
        call(http, "profiles/import_batch", data=data)
        profile = call(http, "profiles/get", email=emails[1], matching="email")["data"]["id"]
        call(http, "subscriptions/set", profile_id=profile, resource_id=27, channel="email", email=emails[1],
             status="unsubscribed")

    def view(post) -> dict:
        return {email: ({k: v for k, v in post("profiles/get", email=email, matching="email")["data"].items()
                         if k != "id"}) for email in emails}

    with vendor.client() as http:
        there = view(lambda method, **body: call(http, method, **body))
    listing = tmp_path / "emails.txt"
    listing.write_text("\n".join(emails + ["nobody@example.com"]) + "\n")
    row = accounts.create_account(f"here-ac-{tmp_path.name[-6:]}")
    accounts.add_key(row.id, secret=token, dialect="altcraft")
    summary = _pull("altcraft", vendor, row.name, key=token, emails=listing.read_text().split(), page_size=3)
    assert summary.line() == {"contacts": {"created": 8, "updated": 0, "unchanged": 0, "failed": 0},
                              "lists": 2, "fields": 2}

    def here_call(method, **body):
        answer = app.post_json(f"/api/v1.1/{method}", {"token": token, "db_id": 1, **body}).json
        assert answer["error"] == 0, answer
        return answer
    assert view(here_call) == there
    assert there[emails[1]]["subscriptions"][0]["status"] == "unsubscribed"
    again = _pull("altcraft", vendor, row.name, key=token, emails=emails)
    assert again.contacts == {"created": 0, "updated": 0, "unchanged": 8, "failed": 0}


def test_the_old_vendors_rate_limit_is_waited_out(vendor, app, tmp_path):
    """The old vendor with eSputnik's search limit on (one call a second): its 429s and Retry-After
    headers are honoured and the pull ends complete."""
    key = f"ESRL{tmp_path.name[-6:]}PULLKEY0123456789ABCDEF"
    vendor.account({"keys": [{"key": key, "dialect": "esputnik"}],
                    "limits": {"esputnik": {"contacts_search": {"limit": 1, "seconds": 1}, "calls": False}}},
                   tmp_path)
    with vendor.client(headers={**_basic("user", key), "Accept": "application/json"}) as http:
        for i in range(6):
            assert http.post("/api/v1/contact", json={"channels": [{"type": "email",
                                                                    "value": f"rl{i}@example.com"}]}).status_code == 200
    row = accounts.create_account(f"here-rl-{tmp_path.name[-6:]}")
    reader = pull.reader_for("esputnik", vendor.base_url, key=key, page_size=2)
    try:
        summary = pull.run(reader, row.name, vendor.base_url)
    finally:
        reader.close()
    assert summary.contacts == {"created": 6, "updated": 0, "unchanged": 0, "failed": 0}
    pages = 2 + 4  # addressbooks, groups; 4 search pages (2, 2, 2, then an empty one)
    assert summary.requests > pages, "some searches were refused with 429 and asked again"
