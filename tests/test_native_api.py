"""The native API (/native/v1): every route's answers match its OpenAPI 3.1 document, the document is
valid, another account's ids are 404 on every route, and bad cursors or limits are RFC 9457 problems."""
from __future__ import annotations

import jsonschema
import pytest
from openapi_spec_validator import validate

from adapters.native.openapi import DOCUMENT
from core import accounts, catalog, events, jobs
from core.model import ContactChange, ListChange, UpsertCommand
from core.upsert import upsert


def check(app_response, template: str) -> dict:
    """The answer validated against the document's schema for this path and status."""
    status = str(app_response.status_int)
    media = app_response.content_type
    schema = DOCUMENT["paths"][template]["get"]["responses"][status]["content"][media]["schema"]
    jsonschema.Draft202012Validator({**schema, "components": DOCUMENT["components"]},
                                    format_checker=jsonschema.FormatChecker()).validate(app_response.json)
    return app_response.json


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def world(app, account):
    catalog.create_field(account.id, "City", "string")
    catalog.create_list(account.id, "News", number=7)
    events.set_origin("unisender")
    result = upsert(account.id, UpsertCommand(
        items=[ContactChange(identities={"email": f"n{i}@example.com", "external_id": f"x{i}"},
                             fields={"City": "Oslo"}, tags=["vip"], lists=[ListChange(7)]) for i in range(5)],
        source="unisender:importContacts"))
    events.set_origin("esputnik")
    job = jobs.create(account.id, "esputnik.contacts", {"contacts": [{}]})
    jobs.run_chunks(jobs.claim(job.id), [(0, UpsertCommand(items=[ContactChange(identities={"email": "bad"})]))])
    events.set_origin("")
    other = accounts.create_account("other-tenant")
    _, other_key = accounts.add_key(other.id)
    return {"ids": [i.contact_id for i in result.items], "job": job.id, "key": account.key, "other": other_key}


def test_the_document_is_valid_openapi_31(app):
    answer = app.get("/native/v1/openapi.json")
    assert answer.json["openapi"] == "3.1.0"
    validate(answer.json)


def test_contacts_search_pages_and_detail(app, world):
    key = world["key"]
    page = check(app.get("/native/v1/contacts?limit=2", headers=bearer(key)), "/contacts")
    seen = [c["id"] for c in page["contacts"]]
    while page["next_cursor"]:
        page = check(app.get(f"/native/v1/contacts?limit=2&cursor={page['next_cursor']}", headers=bearer(key)),
                     "/contacts")
        seen += [c["id"] for c in page["contacts"]]
    assert seen == world["ids"]
    found = check(app.get("/native/v1/contacts?email=N2@example.com", headers=bearer(key)), "/contacts")
    assert [c["id"] for c in found["contacts"]] == [world["ids"][2]]
    found = check(app.get("/native/v1/contacts?external_id=x3", headers=bearer(key)), "/contacts")
    assert [c["id"] for c in found["contacts"]] == [world["ids"][3]]
    one = check(app.get(f"/native/v1/contacts/{world['ids'][0]}", headers=bearer(key)), "/contacts/{id}")
    assert one["identities"]["email"] == "n0@example.com" and one["fields"] == {"City": "Oslo"}
    assert one["lists"][0]["list"] == 7 and one["lists"][0]["status"] == "subscribed"
    assert one["tags"] == ["vip"] and one["source_dialect"] == "unisender"


def test_events_feed_and_imports(app, world):
    key = world["key"]
    feed = check(app.get("/native/v1/events?after=0&limit=3", headers=bearer(key)), "/events")
    assert [e["type"] for e in feed["events"]] == ["contact.created", "list.joined", "contact.created"]
    assert feed["events"][0]["dialect"] == "unisender"
    rest = check(app.get(f"/native/v1/events?after={feed['next_after']}&types=list.joined", headers=bearer(key)),
                 "/events")
    assert len(rest["events"]) == 4 and {e["type"] for e in rest["events"]} == {"list.joined"}
    listing = check(app.get("/native/v1/imports", headers=bearer(key)), "/imports")
    assert [(j["id"], j["dialect"], j["counts"]) for j in listing["imports"]] == [(world["job"], "esputnik",
                                                                                  {"failed": 1})]
    one = check(app.get(f"/native/v1/imports/{world['job']}", headers=bearer(key)), "/imports/{id}")
    assert one["items"][0]["error"] == "invalid_email" and one["next_items_cursor"] is None


def test_another_accounts_ids_answer_404_on_every_route(app, world):
    other = bearer(world["other"])
    assert check(app.get("/native/v1/contacts?email=n1@example.com", headers=other), "/contacts")["contacts"] == []
    assert check(app.get("/native/v1/contacts", headers=other), "/contacts")["contacts"] == []
    answer = app.get(f"/native/v1/contacts/{world['ids'][0]}", headers=other, status=404)
    assert check(answer, "/contacts/{id}")["status"] == 404
    assert answer.content_type == "application/problem+json"
    assert check(app.get("/native/v1/events?after=0", headers=other), "/events")["events"] == []
    assert check(app.get("/native/v1/imports", headers=other), "/imports")["imports"] == []
    check(app.get(f"/native/v1/imports/{world['job']}", headers=other, status=404), "/imports/{id}")


@pytest.mark.parametrize("path, template", [
    ("/native/v1/contacts?cursor=%%%", "/contacts"), ("/native/v1/contacts?limit=0", "/contacts"),
    ("/native/v1/contacts?limit=abc", "/contacts"), ("/native/v1/contacts?cursor=bm90LWFuLWlk", "/contacts"),
    ("/native/v1/contacts?colour=red", "/contacts"),
    ("/native/v1/events?after=-1", "/events"), ("/native/v1/events?after=x", "/events"),
    ("/native/v1/events?limit=100000", "/events"), ("/native/v1/imports?cursor=zzz", "/imports"),
    ("/native/v1/imports/some-id?items_limit=0", "/imports/{id}"),
])
def test_bad_cursors_and_limits_are_400_problems(app, world, path, template):
    body = check(app.get(path, headers=bearer(world["key"]), status=400), template)
    assert body["status"] == 400 and body["type"].startswith("/native/v1/problems#") and body["detail"]


def test_keys_and_routes(app, world):
    for path, template in (("/native/v1/contacts", "/contacts"), ("/native/v1/events", "/events"),
                           ("/native/v1/imports", "/imports")):
        answer = app.get(path, status=401)
        assert check(answer, template)["status"] == 401 and "Bearer" in answer.headers["WWW-Authenticate"]
        check(app.get(path, headers=bearer("no-such-key"), status=401), template)
    assert app.get("/native/v1/nothing", headers=bearer(world["key"]), status=404).json["status"] == 404
    assert app.post("/native/v1/contacts", headers=bearer(world["key"]), status=405).json["status"] == 405
    assert app.get("/native/v1/contacts/abc", headers=bearer(world["key"]), status=404).json["status"] == 404
