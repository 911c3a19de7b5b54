"""Hostile and broken input to the Altcraft dialect, and tenant isolation: an Altcraft-shaped
error in the caller's format, and nothing written or leaked."""
from __future__ import annotations

from xml.etree import ElementTree

import orjson
import pytest
import webtest

from altcraft_client import BASE, call, ok, resource, to_xml
from core import accounts, catalog
from core.schema import Contact
from helpers import nothing_written

URL = BASE + "profiles/import_batch"


def xml_error(response) -> tuple[int, str]:
    assert response.status_int == 200 and response.content_type == "application/xml"
    root = ElementTree.fromstring(response.body)
    assert root.tag == "xml" and [child.tag for child in root] == ["error", "error_text"]
    return int(root.find("error").text), root.find("error_text").text


def json_error(response) -> tuple[int, str]:
    assert response.status_int == 200 and response.content_type == "application/json"
    assert set(response.json) == {"error", "error_text"}
    return response.json["error"], response.json["error_text"]


def post(app, data: bytes, content_type: str):
    return app.post(URL, data, content_type=content_type, expect_errors=True)


def valid_xml(account, profiles: str = "<data><email>a@example.com</email></data>") -> str:
    return f"<xml><token>{account.key}</token><db_id>1</db_id>{profiles}</xml>"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><token>{key}</token><db_id>1</db_id><data><email>a@example.com</email><_fname>&lol4;</_fname></data></xml>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><token>{key}</token><db_id>1</db_id><data><email>a@example.com</email><_fname>&secret;</_fname></data></xml>"""

PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<xml><token>{key}</token><db_id>1</db_id><data><email>a@example.com</email></data></xml>"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY],
                         ids=["entity-expansion", "external-entity", "parameter-entity"])
def test_entities_are_refused(app, account, document):
    code, text = xml_error(post(app, document.replace("{key}", account.key).encode(), "application/xml"))
    assert code == 400 and text.startswith("Incorrect request:")
    assert "root:" not in text  # /etc/passwd never shows
    nothing_written()


def test_deep_nesting_is_refused(app, account):
    deep = "<a>" * 200 + "x" + "</a>" * 200
    code, text = xml_error(post(app, valid_xml(account, f"<data><email>a@example.com</email>{deep}</data>").encode(),
                                "application/xml"))
    assert code == 400 and "deeper" in text
    nested = {"data": [{"email": "a@example.com", "deep": {}}]}
    cursor = nested["data"][0]["deep"]
    for _ in range(200):
        cursor["x"] = {}
        cursor = cursor["x"]
    code, text = json_error(post(app, orjson.dumps({"token": account.key, "db_id": 1, **nested}), "application/json"))
    assert code == 400 and "deeper" in text
    nothing_written()


@pytest.mark.parametrize("kind", ["json", "xml"])
def test_bodies_over_10_mb_are_refused(app, account, kind):
    filler = "x" * (10 * 1024 * 1024 + 1)
    if kind == "json":
        data = orjson.dumps({"token": account.key, "db_id": 1, "data": [{"email": "a@example.com", "note": filler}]})
        code, text = json_error(post(app, data, "application/json"))
    else:
        data = valid_xml(account, f"<data><email>a@example.com</email><note>{filler}</note></data>").encode()
        code, text = xml_error(post(app, data, "application/xml"))
    assert code == 413 and "too large" in text
    nothing_written()


def test_a_small_limit_from_the_settings(store_url, account):
    from gateway.app import create_app
    from gateway.config import Settings

    small = webtest.TestApp(create_app(Settings(database_url=store_url, altcraft_max_body=1024)))
    profiles = "".join(f"<data><email>u{i}@example.com</email></data>" for i in range(100))
    assert xml_error(post(small, valid_xml(account, profiles).encode(), "application/xml"))[0] == 413
    nothing_written()


@pytest.mark.parametrize("data", [
    b"<xml><token>K</token><db_id>1</db_id><data><email>a@example.com</email></data>",
    b"<xml><token>K</token><db_id>1</db_id><data><email>a@example.com</data></email></xml>",
    b"<xml><token>K</token><db_id>1<data/></xml>",
    b"<xml>\x00</xml>",
    "<xml><token>K</token><_fname>\u00fc</_fname></xml>".encode("latin-1"),
    b"<?xml version='1.0' encoding='klingon'?><xml/>",
    b"<<<<",
], ids=["unclosed", "crossed", "bad-nesting", "nul", "latin-1", "unknown-encoding", "garbage"])
def test_malformed_xml(app, account, data):
    code, text = xml_error(post(app, data.replace(b"K", account.key.encode(), 1), "application/xml"))
    assert code == 400 and text.startswith("Incorrect request:")
    nothing_written()


@pytest.mark.parametrize("data, fragment", [
    (b'{"token": "K", "db_id": 1, "data": [', "Malformed JSON"),
    (b'{"token": "K", "db_id": 1, "data": [{"email": "\xff@example.com"}]}', "Malformed JSON"),
    (b'[{"token": "K"}]', "must be an object"),
    (b'"just a string"', "must be an object"),
    (b'{"token": "K", "db_id": 1, "data": [{"email": "a@example.com"}], "token": ', "Malformed JSON"),
    (b'{"token": "K", "db_id": {"$gt": 0}, "data": []}', "db_id must be an integer"),
    (b'{"token": "K", "db_id": 1}', "data is required"),
    (b'{"token": "K", "db_id": 1, "data": [], "skip_triggers": "perhaps"}', "skip_triggers must be true or false"),
    (b'{"token": "K", "db_id": 1, "data": [], "matching": ["email"]}', "unknown matching"),
    (b'{"token": "K", "db_id": 1, "data": [], "add_to_segments": ["one"]}', "add_to_segments must be an integer"),
    (b'{"token": "K", "db_id": 1e400, "data": []}', "Malformed JSON"),
    (b'{"token": "K", "db_id": NaN, "data": []}', "Malformed JSON"),
], ids=["truncated", "bad-utf8", "array", "string", "duplicate-truncated", "operator-object", "no-data",
        "bad-flag", "matching-array", "segment-names", "huge-number", "nan"])
def test_hostile_json(app, account, data, fragment):
    code, text = json_error(post(app, data.replace(b'"K"', f'"{account.key}"'.encode(), 1), "application/json"))
    assert code == 400 and fragment in text, text
    nothing_written()


def test_items_of_the_wrong_shape_fail_alone(app, account):
    data = [{"email": "a@example.com"}, ["nested", "list"], 42, None, {"email": {"$ne": ""}},
            {"email": "b@example.com", "subscriptions": "everything"}, {"email": "c@example.com", "phones": [{"x": 1}]}]
    result = ok(call(app, "profiles/import_batch", {"token": account.key, "db_id": 1, "data": data}))["result"]
    assert [r["error"] for r in result] == [0, 400, 400, 400, 400, 400, 400]
    assert Contact.select().count() == 1


def test_internal_errors_are_altcraft_shaped_and_reveal_nothing(app, account, monkeypatch):
    from adapters.altcraft import methods
    from adapters.common import Method

    def boom(params):
        raise RuntimeError("disk on fire at /var/lib/secret")

    monkeypatch.setitem(methods.METHODS, "profiles/get", Method(boom, lambda *a: {}))
    response = app.post(BASE + "profiles/get", to_xml({"token": account.key, "db_id": 1}),
                        content_type="application/xml", expect_errors=True)
    assert response.status_int == 500 and b"disk" not in response.body
    root = ElementTree.fromstring(response.body)
    assert (root.find("error").text, root.find("error_text").text) == ("500", "Internal error")


# -- tenant isolation ------------------------------------------------------------------------------
@pytest.fixture
def neighbour(app):
    """Another account with database 7, resource 50, segment 60, a field and a profile."""
    other = accounts.create_account("neighbour")
    _, other.key = accounts.add_key(other.id)
    catalog.create_database(other.id, "Theirs", number=7)
    resource(other, 50, database=7)
    catalog.create_list(other.id, "Their segment", database_number=7, number=60, kind="segment")
    catalog.create_field(other.id, "Secret", database_number=7)
    answer = ok(call(app, "profiles/import", {"token": other.key, "db_id": 7, "data": {
        "email": "victim@example.com", "Secret": "s3cret",
        "subscriptions": [{"channel": "email", "email": "victim-sub@example.com", "resource_id": 50}]}}))
    other.profile_id = answer["profile_id"]
    return other


def their_state(other) -> list:
    return [(c.email, c.fields, c.updated_at) for c in Contact.select().where(Contact.account == other.id)]


def test_another_accounts_database_is_not_found_like_a_missing_one(app, account, neighbour):
    before = their_state(neighbour)
    missing = call(app, "profiles/get", {"token": account.key, "db_id": 8, "email": "victim@example.com"})
    theirs = call(app, "profiles/get", {"token": account.key, "db_id": 7, "email": "victim@example.com"})
    assert theirs == missing == {"error": 404, "error_text": "Database not found"}
    for method, extra in (("profiles/import", {"data": {"email": "victim@example.com", "Secret": "mine"}}),
                          ("profiles/import_batch", {"data": [{"email": "victim@example.com"}]}),
                          ("profiles/delete", {"email": "victim@example.com"}),
                          ("subscriptions/list", {"profile_id": neighbour.profile_id})):
        assert call(app, method, {"token": account.key, "db_id": 7, **extra}) == missing, method
    assert their_state(neighbour) == before
    assert Contact.select().where(Contact.account == account.id).count() == 0


def test_another_accounts_profile_ids_resources_and_segments_are_not_found(app, account, neighbour):
    before = their_state(neighbour)
    mine = {"token": account.key, "db_id": 1}
    assert call(app, "profiles/get", {**mine, "matching": "profile_id", "profile_id": neighbour.profile_id}) == {
        "error": 404, "error_text": "Profile not found"}
    assert call(app, "subscriptions/list", {**mine, "profile_id": neighbour.profile_id})["error"] == 404
    assert call(app, "profiles/delete", {**mine, "matching": "profile_id", "profile_id": neighbour.profile_id})[
        "error"] == 404
    assert call(app, "profiles/update_batch", {**mine, "matching": "profile_id", "data": [
        {"profile_id": neighbour.profile_id, "_fname": "Hijack"}]})["result"][0]["error"] == 404
    assert call(app, "subscriptions/set", {**mine, "profile_id": neighbour.profile_id, "resource_id": 50,
                                           "channel": "email", "email": "x@example.com"})["error"] == 404
    assert call(app, "profiles/get", {**mine, "matching": "email_sub", "email": "victim-sub@example.com"})[
        "error"] == 404
    result = call(app, "profiles/import_batch", {**mine, "data": [
        {"email": "me@example.com", "subscriptions": [{"channel": "email", "email": "me@example.com",
                                                        "resource_id": 50}]}]})["result"][0]
    assert (result["error"], result["error_text"]) == (404, "Resource not found: 50")
    assert call(app, "profiles/import", {**mine, "add_to_segments": [60], "data": {"email": "me@example.com"}}) == {
        "error": 404, "error_text": "Segment not found: 60"}
    assert call(app, "profiles/import", {**mine, "data": {"email": "me@example.com", "Secret": "x"}}) == {
        "error": 400, "error_text": "Unknown field: Secret"}
    assert their_state(neighbour) == before
    assert Contact.select().where(Contact.account == account.id).count() == 0
    # Their token cannot reach this account's database 1 either (each account has its own db 1).
    ok(call(app, "profiles/import", {**mine, "data": {"email": "mine@example.com"}}))
    assert call(app, "profiles/get", {"token": neighbour.key, "db_id": 1, "email": "mine@example.com"}) == {
        "error": 404, "error_text": "Profile not found"}


def test_values_xml_cannot_carry_still_give_well_formed_xml(app, account):
    from core import catalog as fields

    fields.create_field(account.id, "note")
    ok(call(app, "profiles/import", {"token": account.key, "db_id": 1, "data": {
        "email": "a@example.com", "_fname": "A\u0001B <&>", "note": "\U0001F600",
        "_weird key": "x"}}))
    response = app.post(BASE + "profiles/get", to_xml({"token": account.key, "db_id": 1, "email": "a@example.com"}),
                        content_type="application/xml")
    data = ElementTree.fromstring(response.body).find("data")
    assert data.find("_fname").text == "A\ufffdB <&>" and data.find("note").text == "\U0001F600"
    assert data.find("field").get("name") == "_weird key"
