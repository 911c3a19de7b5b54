"""The Altcraft wire: paths, tokens, formats, and the methods besides the imports."""
from __future__ import annotations

import orjson
import pytest

from altcraft_client import BASE, call, call_xml, ok, resource, to_xml, xml_value
from core import accounts, ids
from core.schema import Contact, Membership


def body(account, **params) -> dict:
    return {"token": account.key, "db_id": 1, **params}


def imported(app, account, **data) -> str:
    return ok(call(app, "profiles/import", body(account, data=data)))["profile_id"]


@pytest.mark.parametrize("path", ["profiles/get", "profiles/get/", "/profiles/get", "profiles//get/", "PROFILES/GET"])
def test_paths_with_and_without_slashes(app, account, path):
    profile = imported(app, account, email="a@example.com")
    answer = app.post(BASE + path, orjson.dumps(body(account, email="a@example.com")),
                      content_type="application/json").json
    assert ok(answer)["data"]["id"] == profile


def test_token_in_body_bearer_header_or_query(app, account):
    profile = imported(app, account, email="a@example.com")
    plain = {"db_id": 1, "email": "a@example.com"}
    assert call(app, "profiles/get", plain, Authorization=f"Bearer {account.key}")["data"]["id"] == profile
    answer = app.post(f"{BASE}profiles/get?token={account.key}", orjson.dumps(plain), content_type="application/json")
    assert answer.json["data"]["id"] == profile
    assert call(app, "profiles/get", plain) == {"error": 401, "error_text": "API token required"}
    assert call(app, "profiles/get", {**plain, "token": "nope-nope"}) == {"error": 401,
                                                                         "error_text": "Invalid API token"}
    # The body's token is the one that counts.
    assert call(app, "profiles/get", {**plain, "token": "nope-nope"}, Authorization=f"Bearer {account.key}")[
        "error"] == 401


def test_a_revoked_token_or_one_for_another_dialect_is_refused(app, account):
    imported(app, account, email="a@example.com")
    _, unisender_only = accounts.add_key(account.id, dialect="unisender")
    assert call(app, "profiles/get", {"token": unisender_only, "db_id": 1, "email": "a@example.com"})["error"] == 401
    accounts.revoke_key(account.id, accounts.keys(account.id)[0].id)
    assert call(app, "profiles/get", body(account, email="a@example.com"))["error"] == 401


def test_answer_format_follows_format_then_the_request(app, account):
    imported(app, account, email="a@example.com")
    xml_in = to_xml(body(account, email="a@example.com"))
    assert xml_value(call_xml(app, "profiles/get", xml_in))["data"]["email"] == "a@example.com"
    # format in the body or the URL wins over the request's own format
    answer = app.post(BASE + "profiles/get", to_xml(body(account, email="a@example.com", format="json")),
                      content_type="application/xml")
    assert answer.content_type == "application/json" and answer.json["data"]["email"] == "a@example.com"
    answer = app.post(BASE + "profiles/get?format=xml", orjson.dumps(body(account, email="a@example.com")),
                      content_type="application/json")
    assert answer.content_type == "application/xml" and b"<email>a@example.com</email>" in answer.body
    # no usable Content-Type: the body's look decides
    answer = app.post(BASE + "profiles/get", to_xml(body(account, email="a@example.com")),
                      content_type="application/x-www-form-urlencoded")
    assert answer.content_type == "application/xml"
    assert call(app, "profiles/get", body(account, email="a@example.com", format="yaml")) == {
        "error": 400, "error_text": "Incorrect request: format must be json or xml, got 'yaml'"}


def test_unknown_method_and_get_requests(app, account):
    assert call(app, "profiles/explode", body(account)) == {"error": 404, "error_text": "Unknown method: profiles/explode"}
    for answer in (app.get(BASE + "profiles/get?token=x", expect_errors=True),
                   app.put(BASE + "profiles/import?format=json", b"{}", expect_errors=True),
                   app.delete(BASE + "profiles/delete", expect_errors=True)):
        assert answer.status_int == 200 and answer.json == {
            "error": 405, "error_text": "Method not allowed: requests are sent by POST"}


def test_db_id_is_required_and_must_exist(app, account):
    assert call(app, "profiles/get", {"token": account.key, "email": "a@example.com"}) == {
        "error": 400, "error_text": "Incorrect request: db_id is required"}
    assert call(app, "profiles/import", body(account, db_id="one", data={"email": "a@example.com"}))["error"] == 400
    assert call(app, "profiles/import", body(account, db_id=2, data={"email": "a@example.com"})) == {
        "error": 404, "error_text": "Database not found"}


def test_get_missing_key_and_unknown_profile(app, account):
    assert call(app, "profiles/get", body(account)) == {"error": 400, "error_text": "Matching email needs email"}
    assert call(app, "profiles/get", body(account, email="nobody@example.com")) == {
        "error": 404, "error_text": "Profile not found"}
    assert call(app, "profiles/get", body(account, email="not an email"))["error"] == 400
    assert call(app, "profiles/get", body(account, matching="sideways", email="a@example.com"))["error"] == 400
    assert call(app, "profiles/get", body(account, matching="custom", field_value="x")) == {
        "error": 400, "error_text": "Incorrect request: matching custom needs field_name"}


def test_delete_erases_the_profile_and_its_id_is_never_reused(app, account):
    resource(account, 1)
    profile = imported(app, account, email="a@example.com",
                       subscriptions=[{"channel": "email", "email": "a@example.com", "resource_id": 1}])
    assert call(app, "profiles/delete", body(account, matching="profile_id", profile_id=profile)) == {
        "data": {"profile_id": profile}, "error": 0, "error_text": "Successful operation"}
    assert Contact.select().count() == 0 and Membership.select().count() == 0
    assert call(app, "profiles/get", body(account, email="a@example.com"))["error"] == 404
    assert imported(app, account, email="a@example.com") != profile


def test_delete_by_phone_and_by_custom_field(app, account):
    from core import catalog

    catalog.create_field(account.id, "CRM_ID")
    first = imported(app, account, email="a@example.com", phones=["+79000000000"])
    second = imported(app, account, email="b@example.com", CRM_ID="crm-7")
    assert call(app, "profiles/delete", body(account, matching="phone", phone="+79000000000"))["data"] == {
        "profile_id": first}
    assert call(app, "profiles/delete", body(account, matching="custom", field_name="CRM_ID", field_value="crm-7"))[
        "data"] == {"profile_id": second}


def test_subscriptions_set_and_list(app, account):
    resource(account, 1, ("email", "push"))
    profile = imported(app, account, email="a@example.com")
    change = body(account, profile_id=profile, resource_id=1, channel="push", provider="Firefox",
                  subscription_id="sub-1", priority=3, custom_fields={"_browser_name": "Firefox"})
    assert call(app, "subscriptions/set", change) == {"error": 0, "error_text": "Successful operation",
                                                      "profile_id": profile}
    ok(call(app, "subscriptions/set", body(account, profile_id=profile, resource_id=1, channel="email",
                                           email="other@example.com", status="suspended")))
    listed = ok(call(app, "subscriptions/list", body(account, profile_id=profile)))["data"]
    assert sorted(listed, key=lambda s: s["channel"]) == [
        {"resource_id": 1, "channel": "email", "email": "other@example.com", "priority": 0, "status": "suspended"},
        {"resource_id": 1, "channel": "push", "provider": "Firefox", "subscription_id": "sub-1", "priority": 3,
         "status": "subscribed", "custom_fields": {"_browser_name": "Firefox"}}]
    # The subscription's own address finds the profile.
    assert call(app, "profiles/get", body(account, matching="push_sub", provider="Firefox",
                                          subscription_id="sub-1"))["data"]["id"] == profile
    assert call(app, "profiles/get", body(account, email="other@example.com"))["data"]["id"] == profile
    # Errors: an unknown profile, an unknown resource, a resource without the channel, no channel data.
    assert call(app, "subscriptions/set", {**change, "profile_id": "0" * 24})["error"] == 404
    assert call(app, "subscriptions/set", {**change, "resource_id": 9}) == {
        "error": 404, "error_text": "Resource not found: 9"}
    assert call(app, "subscriptions/set", {**change, "channel": "sms", "phone": "+79000000000"}) == {
        "error": 400, "error_text": "Resource 1 has no channel sms"}
    assert call(app, "subscriptions/set", {**change, "provider": None}) == {
        "error": 400, "error_text": "Incorrect request: a push subscription needs provider and subscription_id"}
    assert call(app, "subscriptions/set", body(account, resource_id=1, channel="email", email="x@example.com")) == {
        "error": 400, "error_text": "Incorrect request: profile_id is required"}


def test_subscriptions_list_of_an_unknown_profile(app, account):
    assert call(app, "subscriptions/list", body(account, profile_id="abcdefghijklmnqrstuvwxyz")) == {
        "error": 404, "error_text": "Profile not found"}
    assert call(app, "subscriptions/list", body(account, profile_id="0" * 24))["error"] == 404


def test_update_single(app, account):
    profile = imported(app, account, email="a@example.com", _fname="A")
    assert ok(call(app, "profiles/update", body(account, email="a@example.com", data={"_fname": "B"})))[
        "profile_id"] == profile
    assert call(app, "profiles/update", body(account, email="z@example.com", data={"_fname": "B"})) == {
        "error": 404, "error_text": "Profile not found"}
    # changing the email: matched by the old one, the data carries the new one
    ok(call(app, "profiles/update", body(account, email="a@example.com", data={"email": "new@example.com"})))
    assert call(app, "profiles/get", body(account, email="new@example.com"))["data"]["id"] == profile


def test_message_unsub_validates_then_reports_the_message_unknown(app, account):
    request = {"token": account.key, "rtoken": "2fHLS9YR9daS-a90b371eecc2952f", "smid": "fGmXiW",
               "categories": ["cat_to_unsub"]}
    assert call(app, "profiles/message_unsub", request) == {"error": 404, "error_text": "Message not found: fGmXiW"}
    assert call(app, "profiles/message_unsub", {**request, "smid": ""}) == {
        "error": 400, "error_text": "Incorrect request: smid is required"}
    assert call(app, "profiles/message_unsub", {**request, "token": "wrong-token"})["error"] == 401


def test_profile_ids_are_stable_opaque_hex(app, account):
    profile = imported(app, account, email="a@example.com")
    contact = Contact.get()
    assert profile == ids.profile_id(contact.id) and ids.contact_id(profile) == contact.id
    assert imported(app, account, email="a@example.com") == profile
