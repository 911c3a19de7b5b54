"""Altcraft imports through the WSGI app: fields, subscriptions, the eleven matching modes, batches."""
from __future__ import annotations

import hashlib
import re

import pytest

from altcraft_client import call, call_xml, ok, resource, to_xml, xml_value
from core import catalog, ids
from core.schema import Contact, ContactList, Event, Membership
from outbox import vendor_events
from helpers import warm_catalogue
from querycount import count_queries

ALL_CHANNELS = ("email", "sms", "push", "telegram_bot", "whatsapp", "viber", "notify")


def body(account, **params) -> dict:
    return {"token": account.key, "db_id": 1, **params}


def get(app, account, **keys) -> dict:
    return call(app, "profiles/get", body(account, **keys))


def live(account) -> int:
    return Contact.select().where((Contact.account == account.id) & Contact.deleted_at.is_null()).count()


def test_import_stores_system_fields_custom_fields_phones_and_every_channel(app, account):
    resource(account, 1, ALL_CHANNELS)
    catalog.create_field(account.id, "CRM_ID")
    catalog.create_field(account.id, "score", type="number")
    data = {
        "_fname": "Olly", "_lname": "Lambert", "_bdate": "1990-02-22T21:00:00Z", "_sex": "female",
        "_regdate": "2019-03-14", "_regip": "94.231.119.122", "_ip": "94.231.119.122", "_regcity": "Ryazan",
        "_regcountry": "RU", "_regurl": "https://example.com/form", "_city": "Moscow", "_country": "Russian Federation",
        "_region": "Europe/Moscow", "_postal_code": "390000", "_tz": "Europe/Moscow", "_vendor": "form_#31",
        "_os": "Windows 10", "_status": 0, "email": "Olly@Example.com", "phones": ["+79000000000", "+7 900 000-00-01"],
        "CRM_ID": "A-1", "score": "42",
        "subscriptions": [
            {"channel": "email", "email": "olly@example.com", "resource_id": 1, "priority": 2,
             "custom_fields": {"_browser_name": "Firefox"}, "cats": ["category_1", "category_2"]},
            {"channel": "sms", "phone": "+79000000000", "resource_id": 1},
            {"channel": "push", "subscription_id": "a81c264a938b475", "provider": "android-firebase", "resource_id": 1},
            {"channel": "telegram_bot", "cc_data": {"id": 123456}, "resource_id": 1},
            {"channel": "whatsapp", "cc_data": {"phone": "+79000000002"}, "resource_id": 1},
            {"channel": "viber", "cc_data": {"phone": "+79000000003"}, "resource_id": 1},
            {"channel": "notify", "cc_data": {"phone": "+79000000004"}, "resource_id": 1},
        ],
    }
    answer = ok(call(app, "profiles/import", body(account, matching="email", email="olly@example.com", data=data)))
    profile_id = answer["profile_id"]
    assert re.fullmatch(r"[0-9a-f]{24}", profile_id)
    got = ok(get(app, account, email="olly@example.com"))["data"]
    assert got["id"] == profile_id and got["db_id"] == 1
    assert got["email"] == "olly@example.com" and got["phones"] == ["+79000000000", "+79000000001"]
    for name in ("_fname", "_lname", "_sex", "_regdate", "_regip", "_ip", "_regcity", "_regcountry", "_regurl",
                 "_city", "_country", "_region", "_postal_code", "_tz", "_vendor", "_os", "_status", "CRM_ID"):
        assert got[name] == data[name], name
    assert got["_bdate"] == "1990-02-22T21:00:00Z" and got["score"] == 42
    by_channel = {s["channel"]: s for s in got["subscriptions"]}
    assert by_channel["email"] == {
        "resource_id": 1, "channel": "email", "status": "subscribed", "priority": 2, "is_delete": False,
        "email_data": {"email": "olly@example.com", "domain": "example.com",
                       "md5": hashlib.md5(b"olly@example.com").hexdigest()},
        "custom_fields": {"_browser_name": "Firefox"}, "cats": ["category_1", "category_2"]}
    assert by_channel["sms"]["phone_data"] == {"phone": "+79000000000"}
    assert (by_channel["push"]["provider"], by_channel["push"]["subscription_id"]) == ("android-firebase",
                                                                                        "a81c264a938b475")
    assert by_channel["telegram_bot"]["cc_data"] == {"id": 123456}
    assert {c: by_channel[c]["cc_data"] for c in ("whatsapp", "viber", "notify")} == {
        "whatsapp": {"phone": "+79000000002"}, "viber": {"phone": "+79000000003"}, "notify": {"phone": "+79000000004"}}

    # Again: the same profile; what is not sent stays, null clears, subscriptions merge.
    again = {"email": "olly@example.com", "_lname": None, "score": 43,
             "subscriptions": [{"channel": "email", "email_data": {"email": "olly@example.com"}, "resource_id": 1,
                                "custom_fields": {"_device_type": "web"}}]}
    assert ok(call(app, "profiles/import", body(account, data=again)))["profile_id"] == profile_id
    got = get(app, account, email="olly@example.com")["data"]
    assert "_lname" not in got and got["_fname"] == "Olly" and got["score"] == 43 and got["CRM_ID"] == "A-1"
    email = next(s for s in got["subscriptions"] if s["channel"] == "email")
    assert email["custom_fields"] == {"_browser_name": "Firefox", "_device_type": "web"}
    assert email["priority"] == 2 and email["cats"] == ["category_1", "category_2"]
    assert live(account) == 1


@pytest.fixture
def known(app, account):
    """One profile reachable by every kind of key: its own email and phone, a custom field, and
    subscriptions with other addresses (email and sms in resource 2, push and telegram in resource 1)."""
    resource(account, 1, ALL_CHANNELS)
    resource(account, 2, ("email", "sms"))
    catalog.create_field(account.id, "CRM_ID")
    data = {"email": "a@example.com", "phones": ["+79260000001"], "CRM_ID": "crm-1", "subscriptions": [
        {"channel": "email", "email": "b@example.com", "resource_id": 2},
        {"channel": "sms", "phone": "+79260000002", "resource_id": 2},
        {"channel": "push", "provider": "fcm", "subscription_id": "tok-1", "resource_id": 1},
        {"channel": "telegram_bot", "cc_data": {"id": 777}, "resource_id": 1},
    ]}
    return ok(call(app, "profiles/import", body(account, data=data)))["profile_id"]


MODES = [
    ("email", {"email": "a@example.com"}, True),
    ("email", {"email": "B@example.com"}, True),
    ("email", {"email": "b@example.com", "resource_id": 1}, False),
    ("email", {"email": "b@example.com", "resource_id": 2}, True),
    ("email_profile", {"email": "a@example.com"}, True),
    ("email_profile", {"email": "b@example.com"}, False),
    ("email_sub", {"email": "b@example.com"}, True),
    ("email_sub", {"email": "a@example.com"}, False),
    ("phone", {"phone": "+79260000001"}, True),
    ("phone", {"phone": "+7 926 000-00-02"}, True),
    ("phone_sub", {"phone": "+79260000002"}, True),
    ("phone_sub", {"phone": "+79260000001"}, False),
    ("profile_id", {"profile_id": "{known}"}, True),
    ("profile_id", {"profile_id": "0" * 24}, False),
    ("push_sub", {"provider": "fcm", "subscription_id": "tok-1"}, True),
    ("push_sub", {"provider": "apns", "subscription_id": "tok-1"}, False),
    ("custom", {"field_name": "CRM_ID", "field_value": "crm-1"}, True),
    ("custom", {"field_name": "CRM_ID", "field_value": "crm-2"}, False),
    ("custom_sub", {"field_name": "id", "field_value": 777}, True),
    ("custom_sub", {"field_name": "id", "field_value": "778"}, False),
    ("email_phone", {"phone": "+79260000001"}, True),
    ("email_phone", {"email": "nobody@example.com", "phone": "+79260000001"}, True),
    ("email_phone", {"email": "b@example.com"}, False),
    ("email_phone_sub", {"email": "b@example.com"}, True),
    ("email_phone_sub", {"phone": "+79260000002"}, True),
    ("email_phone_sub", {"email": "a@example.com"}, False),
]


@pytest.mark.parametrize("matching, keys, found", MODES, ids=[f"{m}-{'-'.join(map(str, k.values()))}"
                                                              for m, k, _ in MODES])
def test_every_matching_mode(app, account, known, matching, keys, found):
    keys = {name: known if value == "{known}" else value for name, value in keys.items()}
    answer = call(app, "profiles/update", body(account, matching=matching, data={"_fname": "Found"}, **keys))
    if found:
        assert ok(answer)["profile_id"] == known
        assert ok(get(app, account, matching="profile_id", profile_id=known))["data"]["_fname"] == "Found"
    else:
        assert answer == {"error": 404, "error_text": "Profile not found"}
    # profiles/get reads with the same modes
    read = get(app, account, matching=matching, **keys)
    assert (read.get("data") or {}).get("id") == (known if found else None)
    assert live(account) == 1


def test_keys_come_from_each_item_in_a_batch_and_from_its_own_addresses(app, account, known):
    data = [{"email": "a@example.com", "_fname": "ByItsEmail"},
            {"phones": ["+79260000001"], "_lname": "ByItsPhone"},
            {"subscriptions": [{"channel": "sms", "phone": "+79260000002", "resource_id": 2}], "_vendor": "BySub"}]
    answer = ok(call(app, "profiles/import_batch", body(account, data=data[:1])))
    assert answer["result"][0]["profile_id"] == known
    answer = ok(call(app, "profiles/import_batch", body(account, matching="phone", data=data[1:])))
    assert [r["profile_id"] for r in answer["result"]] == [known, known]
    got = get(app, account, email="a@example.com")["data"]
    assert (got["_fname"], got["_lname"], got["_vendor"]) == ("ByItsEmail", "ByItsPhone", "BySub")


def test_a_later_item_finds_the_profile_an_earlier_item_created_by_its_subscription(app, account):
    resource(account, 1)
    sub = {"channel": "email", "email_data": {"email": "c@example.com"}, "resource_id": 1}
    data = [{"_fname": "First", "subscriptions": [sub]}, {"_lname": "Second", "subscriptions": [sub]}]
    result = ok(call(app, "profiles/import_batch", body(account, data=data)))["result"]
    assert result[0]["profile_id"] == result[1]["profile_id"]
    got = get(app, account, matching="email_sub", email="c@example.com")["data"]
    assert (got["_fname"], got["_lname"], got["email"]) == ("First", "Second", "")
    assert live(account) == 1


def test_profile_id_matching_only_updates(app, account):
    answer = call(app, "profiles/import", body(account, matching="profile_id", profile_id="5f4fa1a5ce9448665fef548e",
                                               data={"email": "new@example.com"}))
    assert answer == {"error": 404, "error_text": "Profile not found"}
    assert live(account) == 0


def _invalid(i: int):
    """The i-th profile of the 1,000 and the (code, text) it must answer, None when valid."""
    item = {"email": f"user{i}@example.com", "_fname": f"User {i}", "score": i,
            "subscriptions": [{"channel": "email", "email": f"user{i}@example.com", "resource_id": 1}]}
    kind = i % 50
    if i % 250 == 100:
        return "not a profile", (400, "A profile must be an object")
    if kind == 3:
        item["email"] = f"broken-{i}"
        return item, (400, f"Invalid email address: 'broken-{i}'")
    if kind == 11:
        item["phones"] = ["12"]
        return item, (400, "Invalid phone number: '12'")
    if kind == 17:
        item["Nope"] = "x"
        return item, (400, "Unknown field: Nope")
    if kind == 23:
        item["subscriptions"] = [{"channel": "pigeon", "resource_id": 1}]
        return item, (400, "Invalid subscription 0: unknown channel 'pigeon'")
    if kind == 29:
        item["subscriptions"][0]["resource_id"] = 999
        return item, (404, "Resource not found: 999")
    if kind == 31:
        item["subscriptions"][0]["channel"] = "sms"
        item["subscriptions"][0]["phone"] = "+79990000000"
        return item, (400, "Resource 1 has no channel sms")
    if kind == 37:
        item["_bdate"] = "yesterday"
        return item, (400, "Invalid _bdate: 'yesterday'")
    if kind == 41:
        del item["email"], item["subscriptions"]
        return item, (400, "Matching email needs email")
    if kind == 43:
        item["score"] = "many"
        return item, (400, "Invalid value for field score: 'many'")
    return item, None


def _check_thousand(account, answers: list[tuple[int, str, str]]) -> None:
    assert len(answers) == 1000
    stored = {row.email: ids.profile_id(row.id) for row in Contact.select().where(Contact.account == account.id)}
    for i, (code, text, profile_id) in enumerate(answers):
        item, expected = _invalid(i)
        if expected is None:
            assert (code, text) == (0, "Successful operation"), i
            assert profile_id == stored[f"user{i}@example.com"], i
        else:
            assert (code, text) == expected, i
            assert profile_id == "", i
    assert len(stored) == sum(1 for i in range(1000) if _invalid(i)[1] is None)


@pytest.fixture
def thousand(account):
    resource(account, 1, ("email",))
    catalog.create_field(account.id, "score", type="number")
    return [_invalid(i)[0] for i in range(1000)]


def test_import_batch_of_1000_answers_each_profile_in_order_json(app, account, thousand):
    answer = ok(call(app, "profiles/import_batch", body(account, data=thousand)))
    _check_thousand(account, [(r["error"], r["error_text"], r["profile_id"]) for r in answer["result"]])
    # Sent again, every valid profile is updated in place.
    again = ok(call(app, "profiles/import_batch", body(account, data=thousand)))
    assert [r["profile_id"] for r in again["result"]] == [r["profile_id"] for r in answer["result"]]


def test_import_batch_of_1000_answers_each_profile_in_order_xml(app, account, thousand):
    root = call_xml(app, "profiles/import_batch", to_xml(body(account, data=thousand)))
    answer = xml_value(root)
    assert (answer["error"], answer["error_text"]) == ("0", "Successful operation")
    _check_thousand(account, [(int(r["error"]), r["error_text"], r["profile_id"]) for r in answer["result"]])


def test_a_batch_costs_a_constant_number_of_queries(app, account):
    resource(account, 1)
    warm_catalogue(account.id)

    def batch(prefix, n):
        return [{"email": f"{prefix}{i}@example.com", "phones": [f"+79{len(prefix) + 25}{i:07d}"],
                 "subscriptions": [{"channel": "email", "email": f"{prefix}{i}@example.com", "resource_id": 1}]}
                for i in range(n)]

    counts = []
    for prefix, n in (("a", 10), ("bb", 400)):
        with count_queries() as seen:
            ok(call(app, "profiles/import_batch", body(account, matching="email", data=batch(prefix, n))))
        counts.append(len(seen))
        with count_queries() as seen:
            ok(call(app, "profiles/import_batch", body(account, matching="email_sub", data=batch(prefix, n))))
        counts.append(len(seen))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_add_batch_adds_only(app, account):
    first = ok(call(app, "profiles/add", body(account, data={"email": "a@example.com"})))["profile_id"]
    result = ok(call(app, "profiles/add_batch", body(account, data=[
        {"email": "a@example.com"}, {"email": "b@example.com"}, {"email": "B@example.com"}])))["result"]
    assert result[0] == {"error": 409, "error_text": "Profile already exists", "profile_id": first}
    assert result[1]["error"] == 0
    # The profile the batch itself added has no id yet when the third item meets it.
    assert result[2] == {"error": 409, "error_text": "Profile already exists", "profile_id": ""}
    assert call(app, "profiles/add", body(account, data={"email": "a@example.com"})) == {
        "error": 409, "error_text": "Profile already exists"}


def test_update_batch_updates_only_and_minus_one_leaves_status_and_priority(app, account):
    resource(account, 1)

    def sub(**values):
        return {"channel": "email", "email": "a@example.com", "resource_id": 1, **values}

    def listed():
        return ok(call(app, "subscriptions/list", body(account, profile_id=profile)))["data"][0]

    profile = ok(call(app, "profiles/import", body(account, data={
        "email": "a@example.com", "subscriptions": [sub(status="suspended", priority=5)]})))["profile_id"]
    result = ok(call(app, "profiles/update_batch", body(account, data=[
        {"email": "a@example.com", "subscriptions": [sub(status=-1, priority=-1)]},
        {"email": "missing@example.com", "_fname": "Nobody"}])))["result"]
    assert result[0]["profile_id"] == profile
    assert result[1] == {"error": 404, "error_text": "Profile not found", "profile_id": ""}
    assert (listed()["status"], listed()["priority"]) == ("suspended", 5)
    ok(call(app, "profiles/update_batch", body(account, data=[{"email": "a@example.com", "subscriptions": [sub()]}])))
    assert (listed()["status"], listed()["priority"]) == ("suspended", 5)
    ok(call(app, "profiles/update_batch", body(account, data=[
        {"email": "a@example.com", "subscriptions": [sub(status=0, priority=0)]}])))
    assert (listed()["status"], listed()["priority"]) == ("subscribed", 0)
    assert live(account) == 1


def test_status_unsubscribed_is_kept_until_a_status_is_sent(app, account):
    resource(account, 1)
    sub = {"channel": "email", "email": "a@example.com", "resource_id": 1}
    profile = ok(call(app, "profiles/import", body(account, data={
        "email": "a@example.com", "subscriptions": [{**sub, "status": "unsubscribed"}]})))["profile_id"]
    ok(call(app, "profiles/import", body(account, data={"email": "a@example.com", "subscriptions": [sub]})))
    assert call(app, "subscriptions/list", body(account, profile_id=profile))["data"][0]["status"] == "unsubscribed"
    ok(call(app, "profiles/import", body(account, data={
        "email": "a@example.com", "subscriptions": [{**sub, "status": "subscribed"}]})))
    assert call(app, "subscriptions/list", body(account, profile_id=profile))["data"][0]["status"] == "subscribed"


def test_skip_invalid_subscriptions_drops_them_instead_of_failing_the_profile(app, account):
    resource(account, 1, ("email",))
    subs = [{"channel": "email", "email": "a@example.com", "resource_id": 1},
            {"channel": "email", "email": "not-an-email", "resource_id": 1},
            {"channel": "sms", "phone": "+79000000000", "resource_id": 1},
            {"channel": "email", "email": "c@example.com", "resource_id": 404},
            {"channel": "telegram_bot", "cc_data": {}}]
    data = {"email": "a@example.com", "subscriptions": subs}
    assert call(app, "profiles/import", body(account, data=data)) == {
        "error": 400, "error_text": "Invalid subscription 1: Invalid email address: 'not-an-email'"}
    assert call(app, "profiles/import", body(account, data={**data, "subscriptions": subs[:1] + subs[2:4]})) == {
        "error": 400, "error_text": "Resource 1 has no channel sms"}
    assert live(account) == 0
    profile = ok(call(app, "profiles/import", body(account, skip_invalid_subscriptions=True, data=data)))["profile_id"]
    listed = ok(call(app, "subscriptions/list", body(account, profile_id=profile)))["data"]
    assert [(s["resource_id"], s["channel"], s["email"]) for s in listed] == [(1, "email", "a@example.com")]


def test_skip_triggers(app, account):
    ok(call(app, "profiles/import", body(account, data={"email": "a@example.com"})))
    ok(call(app, "profiles/import", body(account, data={"email": "a@example.com", "_fname": "A"})))
    ok(call(app, "profiles/import_batch", body(account, skip_triggers=True, data=[{"email": "b@example.com"}])))
    assert [e.name for e in vendor_events()] == ["profile_created", "profile_updated"]


def test_segments(app, account):
    catalog.create_list(account.id, "VIP", number=101, kind="segment")
    catalog.create_list(account.id, "Churn", number=102, kind="segment")
    resource(account, 103)

    def segments():
        return sorted(m.list.number for m in Membership.select().join(ContactList)
                      .where(ContactList.kind == "segment"))

    ok(call(app, "profiles/import", body(account, add_to_segments=[101, 102], data={"email": "a@example.com"})))
    assert segments() == [101, 102]
    ok(call(app, "profiles/import", body(account, remove_from_segments=[101], data={"email": "a@example.com"})))
    assert segments() == [102]
    # A resource is not a segment, and an unknown segment fails the profile.
    assert call(app, "profiles/import", body(account, add_to_segments=[103], data={"email": "a@example.com"})) == {
        "error": 404, "error_text": "Segment not found: 103"}
    root = call_xml(app, "profiles/import", to_xml(body(account, add_to_segments=[101], data={"email": "b@example.com"})))
    assert xml_value(root)["error"] == "0"
    assert segments() == [101, 102]


def test_detect_geo_is_accepted(app, account):
    answer = call(app, "profiles/import", body(account, detect_geo=True, data={"email": "a@example.com",
                                                                             "_regip": "94.231.119.122"}))
    assert ok(answer)
    assert call(app, "profiles/import", body(account, detect_geo="sometimes", data={"email": "a@example.com"}))[
        "error"] == 400
