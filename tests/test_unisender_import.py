"""importContacts at full size: exact counters and log indexes, re-runs, concurrent overlapping runs."""
from __future__ import annotations

import threading
from urllib.parse import urlencode

from core import catalog
from core.schema import Contact

URL = "/en/api/importContacts?format=json"


def form(key: str, names: list[str], rows: list[list[str | None]], **extra) -> str:
    pairs = [("api_key", key)] + [(f"field_names[{i}]", n) for i, n in enumerate(names)]
    for r, row in enumerate(rows):
        pairs += [(f"data[{r}][{c}]", v) for c, v in enumerate(row) if v is not None]
    pairs += list(extra.items())
    return urlencode(pairs)


def post(app, body: str):
    return app.post(URL, body, content_type="application/x-www-form-urlencoded").json


def live_contacts(account) -> int:
    return Contact.select().where((Contact.account == account.id) & Contact.deleted_at.is_null()).count()


def build_500(prefix: str = "u"):
    """500 rows: 5 deletions, 20 updates of known contacts, 10 invalid emails, 10 phone clashes,
    10 repeats of the previous row's email, the rest new. Returns rows and the expected answer."""
    rows, expected_log = [], []
    counters = dict(total=500, inserted=0, updated=0, deleted=0, new_emails=0, invalid=0)
    for i in range(500):
        if i < 5:
            rows.append([f"del{i}@example.com", None, None, "1"])
            counters["deleted"] += 1
        elif i < 25:
            rows.append([f"known{i}@example.com", f"Known {i}", None, None])
            counters["updated"] += 1
            counters["new_emails"] += 1
        elif i % 50 == 7:
            rows.append([f"bad-{i}", "Bad", None, None])
            counters["invalid"] += 1
            expected_log.append({"index": i, "code": "e_email_invalid", "message": "Invalid email format"})
        elif i % 50 == 31:
            rows.append([f"{prefix}{i}@example.com", "Clash", f"+7926{i - 1:07d}", None])
            counters["invalid"] += 1
            expected_log.append({"index": i, "code": "e_phone_not_unique", "message": "Duplicate telephone number"})
        elif i % 50 == 13:
            rows.append([f"{prefix}{i - 1}@example.com", f"Again {i}", None, None])
            counters["updated"] += 1
            counters["new_emails"] += 1
        else:
            rows.append([f"{prefix}{i}@example.com", f"Name {i}", f"+7926{i:07d}", None])
            counters["inserted"] += 1
            counters["new_emails"] += 1
    return rows, {"result": {**counters, "log": expected_log}}


def seed_known(app, account):
    rows = [[f"del{i}@example.com", None, None, None] for i in range(5)]
    rows += [[f"known{i}@example.com", "Old", None, None] for i in range(5, 25)]
    answer = post(app, form(account.key, ["email", "Name", "phone", "delete"], rows))
    assert answer["result"]["inserted"] == 25


def test_500_rows_exact_counters_and_log_then_rerun_updates(app, account):
    catalog.create_field(account.id, "Name")
    seed_known(app, account)
    rows, expected = build_500()
    names = ["email", "Name", "phone", "delete"]
    answer = post(app, form(account.key, names, rows))
    assert answer == expected
    assert live_contacts(account) == 20 + expected["result"]["inserted"]

    again = post(app, form(account.key, names, rows))["result"]
    assert again["inserted"] == 0
    assert again["updated"] == expected["result"]["updated"] + expected["result"]["inserted"]
    assert again["deleted"] == 5 and again["invalid"] == expected["result"]["invalid"]
    assert again["log"] == expected["result"]["log"]
    assert live_contacts(account) == 20 + expected["result"]["inserted"]


def test_sparse_rows_and_keys_out_of_order(app, account):
    body = ("api_key=%s&field_names[0]=email&field_names[1]=email_status"
            "&data[2][0]=c@example.com&data[0][0]=a@example.com&data[0][1]=active&data[1][0]=broken" % account.key)
    answer = post(app, body)["result"]
    assert answer["total"] == 3 and answer["inserted"] == 2
    assert answer["log"] == [{"index": 1, "code": "e_email_invalid", "message": "Invalid email format"}]
    assert answer["new_emails"] == 1  # a@ came in as active


def test_two_concurrent_overlapping_imports_create_no_duplicates(app, account):
    names = ["email", "phone"]
    first = [[f"c{i}@example.com", f"+7926{i:07d}"] for i in range(0, 300)]
    second = [[f"c{i}@example.com", f"+7926{i:07d}"] for i in range(150, 450)]
    answers, failures = [], []

    def run(rows):
        try:
            answers.append(post(app, form(account.key, names, rows))["result"])
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(rows,)) for rows in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sorted(a["inserted"] for a in answers) == [150, 300]
    assert sum(a["updated"] for a in answers) == 150
    assert live_contacts(account) == 450
    distinct = Contact.select(Contact.email).where(Contact.account == account.id).distinct().count()
    assert distinct == 450


def test_statuses_lists_tags_and_overwrite_flags(app, account):
    for number in (1, 2, 3):
        catalog.create_list(account.id, f"L{number}", number=number)
    names = ["email", "email_status", "email_list_ids", "email_subscribe_times", "email_unsubscribed_list_ids", "tags",
             "phone", "phone_list_ids"]
    rows = [["a@example.com", "active", "1,2", "2024-01-02 03:04:05,2024-02-03", "3", "x, y", "+79261232323", "1"]]
    assert post(app, form(account.key, names, rows))["result"]["inserted"] == 1
    contact = app.get(f"/en/api/getContact?api_key={account.key}&email=a@example.com&include_lists=1").json["result"]
    assert contact["email"]["status"] == "active"
    assert contact["lists"] == [{"id": 1, "status": "active", "added_at": "2024-01-02 03:04:05"},
                                {"id": 2, "status": "active", "added_at": "2024-02-03 00:00:00"},
                                {"id": 3, "status": "unsubscribed", "added_at": None}]
    # overwrite_lists=1 keeps only list 2 (and the unsubscribe from 3); overwrite_tags=1 replaces tags.
    rows = [["a@example.com", "unsubscribed", "2", None, None, "z", None, None]]
    post(app, form(account.key, names, rows, overwrite_lists="1", overwrite_tags="1"))
    contact = app.get(f"/en/api/getContact?api_key={account.key}&email=a@example.com&include_lists=1").json["result"]
    assert contact["email"]["status"] == "unsubscribed"
    assert [(m["id"], m["status"]) for m in contact["lists"]] == [(2, "active"), (3, "unsubscribed")]
    tags = app.get(f"/en/api/getTags?api_key={account.key}").json["result"]
    exported = app.get(f"/en/api/exportContacts?api_key={account.key}&field_names[]=email&field_names[]=tags"
                       f"&field_names[]=phone&field_names[]=phone_list_ids").json["result"]
    assert {t["name"] for t in tags} == {"x", "y", "z"}
    assert exported["data"] == [["a@example.com", "z", "+79261232323", "1"]]
    # An unsubscribed address stays unsubscribed whatever a later import says.
    post(app, form(account.key, ["email", "email_status"], [["a@example.com", "active"]]))
    contact = app.get(f"/en/api/getContact?api_key={account.key}&email=a@example.com").json["result"]
    assert contact["email"]["status"] == "unsubscribed"


def test_bad_cells_fail_their_row_only(app, account):
    catalog.create_list(account.id, "L", number=1)
    names = ["email", "email_status", "email_list_ids", "email_add_time", "email_request_ip", "delete", "tags"]
    rows = [
        ["ok@example.com", "active", "1", "2024-01-01", "10.0.0.1", "0", "a"],
        ["s@example.com", "weird", None, None, None, None, None],
        ["l@example.com", None, "1,x", None, None, None, None],
        ["d@example.com", None, None, "yesterday", None, None, None],
        ["i@example.com", None, None, None, "999.1.1.1", None, None],
        ["x@example.com", None, None, None, None, "maybe", None],
        ["t@example.com", None, None, None, None, None, ",".join(f"t{i}" for i in range(11))],
        ["", None, None, None, None, None, None],
    ]
    answer = post(app, form(account.key, names, rows))["result"]
    assert answer["inserted"] == 1 and answer["invalid"] == 7
    assert [(e["index"], e["code"]) for e in answer["log"]] == [
        (1, "e_status_invalid"), (2, "e_value_invalid"), (3, "e_date_invalid"), (4, "e_value_invalid"),
        (5, "e_value_invalid"), (6, "e_tags_overlimit"), (7, "e_email_and_phone_empty")]
    assert live_contacts(account) == 1
