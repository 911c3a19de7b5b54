"""The v3 single-contact calls, the contact list and the bulk delete."""
from __future__ import annotations

from core import catalog, jobs
from core.schema import Contact
from dotdigital_client import dd  # noqa: F401 - the fixture

from adapters.dotdigital import contacts_v3


def test_patch_creates_201_then_updates_200_and_merge_option_is_kebab_case(dd):
    catalog.create_field(dd.account.id, "FIRSTNAME")
    catalog.create_field(dd.account.id, "CITY")
    created = dd.patch("/contacts/v3/email/Ann@Example.com", {"dataFields": {"firstName": "Ann"}})
    assert created.status_int == 201
    assert created.json["identifiers"] == {"email": "ann@example.com"}
    kept = dd.patch("/contacts/v3/email/ann@example.com?merge-option=overwrite-if-empty",
                    {"dataFields": {"FIRSTNAME": "Bea", "CITY": "Rome"}})
    assert kept.status_int == 200 and kept.json["contactId"] == created.json["contactId"]
    assert kept.json["dataFields"] == {"FIRSTNAME": "Ann", "CITY": "Rome"}
    bad = dd.patch("/contacts/v3/email/ann@example.com?merge-option=overwriteIfEmpty", {})
    assert bad.status_int == 400 and bad.json["errorCode"] == "contacts:badRequest"


def test_patch_by_email_can_change_the_email_and_undeletes_from_the_bin(dd):
    first = dd.patch("/contacts/v3/email/old@example.com", {"identifiers": {"mobileNumber": "+447700900123"}}).json
    moved = dd.patch("/contacts/v3/email/old@example.com", {"identifiers": {"email": "new@example.com"}})
    assert moved.status_int == 200 and moved.json["identifiers"]["email"] == "new@example.com"
    assert dd.get("/contacts/v3/email/old@example.com").status_int == 404
    assert dd.delete("/contacts/v3/mobileNumber/447700900123").json == {"contactId": first["contactId"]}
    assert dd.get("/contacts/v3/contactId/%d" % first["contactId"]).status_int == 404
    back = dd.patch("/contacts/v3/email/new@example.com", {"dataFields": {}})
    assert back.status_int == 200 and back.json["contactId"] == first["contactId"]  # restored, not a new one


def test_put_replaces_data_fields_and_lists_it_names(dd):
    for name in ("FIRSTNAME", "CITY"):
        catalog.create_field(dd.account.id, name)
    for number in (1, 2):
        catalog.create_list(dd.account.id, f"L{number}", number=number)
    dd.patch("/contacts/v3/email/a@example.com", {"dataFields": {"FIRSTNAME": "Ann", "CITY": "Rome"}, "lists": [1]})
    replaced = dd.put("/contacts/v3/email/a@example.com",
                      {"identifiers": {"email": "a@example.com"}, "dataFields": {"CITY": "Oslo"}, "lists": [2]})
    assert replaced.status_int == 200
    assert replaced.json["dataFields"] == {"FIRSTNAME": None, "CITY": "Oslo"}
    assert [entry["id"] for entry in replaced.json["lists"]] == [2]
    missing = dd.put("/contacts/v3/email/nobody@example.com", {"identifiers": {"email": "nobody@example.com"}})
    assert missing.status_int == 404 and missing.json["details"][0]["item"] == "nobody@example.com"
    assert dd.put("/contacts/v3/email/a@example.com", {"dataFields": {}}).json["description"] == \
        "The Identifiers field is required"


def test_post_creates_201_and_refuses_any_identifier_already_held(dd):
    created = dd.post("/contacts/v3", {"identifiers": {"email": "a@example.com", "mobileNumber": "447700900123"}})
    assert created.status_int == 201
    clash = dd.post("/contacts/v3", {"identifiers": {"email": "b@example.com", "mobileNumber": "+447700900123"}})
    assert clash.status_int == 409
    assert clash.json["description"] == ("The id value '+447700900123 for the identifier 'mobileNumber' already "
                                         "exists. All identifiers must be unique!")
    assert dd.post("/contacts/v3", {"identifiers": {"email": "A@example.com"}}).status_int == 409
    assert dd.post("/contacts/v3", {"identifiers": {"myId": "x"}}).status_int == 400
    assert Contact.select().where(Contact.account == dd.account.id).count() == 1


def test_invalid_values_in_paths_and_bodies(dd):
    assert dd.get("/contacts/v3/email/not-an-email").json["errorCode"] == "contacts:invalidId"
    assert dd.get("/contacts/v3/mobileNumber/12").json == {
        "errorCode": "contacts:invalidId", "description": "The id value '12' is invalid for the identifier "
                                                          "'mobileNumber'"}
    assert dd.get("/contacts/v3/contactId/abc").status_int == 400
    bad_email = dd.patch("/contacts/v3/email/a@example.com", {"identifiers": {"email": "b@"}})
    assert bad_email.status_int == 400 and bad_email.json["errorCode"] == "contacts:invalidId"
    consent = dd.patch("/contacts/v3/email/a@example.com", {"consentRecords": [{"text": "x"}]})
    assert consent.status_int == 400 and "consent records" in consent.json["description"]
    assert Contact.select().where(Contact.account == dd.account.id).count() == 0


def test_list_pages_with_markers_filters_and_includes(dd):
    catalog.create_list(dd.account.id, "Books", number=9)
    catalog.create_field(dd.account.id, "FIRSTNAME")
    for i in range(5):
        dd.patch(f"/contacts/v3/email/c{i}@example.com", {"dataFields": {"FIRSTNAME": f"N{i}"},
                                                         **({"lists": [9]} if i % 2 else {})})
    page = dd.get("/contacts/v3?limit=2&include=lists&data-fields=FIRSTNAME").json
    assert [c["identifiers"]["email"] for c in page["_items"]] == ["c0@example.com", "c1@example.com"]
    assert set(page["_items"][0]) == {"contactId", "status", "created", "updated", "identifiers", "dataFields",
                                      "lists"}
    seen = []
    link = "/contacts/v3?limit=2"
    while link:
        page = dd.get(link).json
        seen += [c["identifiers"]["email"] for c in page["_items"]]
        link = page["_links"].get("next", {}).get("link", "").replace("http://localhost:80", "")
    assert seen == [f"c{i}@example.com" for i in range(5)]
    in_list = dd.get("/contacts/v3?~listId=9").json["_items"]
    assert [c["identifiers"]["email"] for c in in_list] == ["c1@example.com", "c3@example.com"]
    assert "dataFields" not in in_list[0]
    assert dd.get("/contacts/v3?~listId=77").json["errorCode"] == "contacts:invalidFilter"
    assert dd.get("/contacts/v3?~modified=gte::2000-01-01T00:00:00.000Z&limit=5000").status_int == 200
    assert dd.get("/contacts/v3?~created=gte::2999-01-01T00:00:00Z").json["_items"] == []
    assert dd.get("/contacts/v3?limit=5001").status_int == 400
    assert dd.get("/contacts/v3?marker=bogus").status_int == 400
    assert dd.get("/contacts/v3?include=everything").status_int == 400


def test_bulk_delete_reports_the_contacts_it_did_not_find(dd):
    dd.patch("/contacts/v3/email/a@example.com", {"identifiers": {"mobileNumber": "447700900123"}})
    dd.patch("/contacts/v3/email/b@example.com", {})
    started = dd.post("/contacts/v3/delete", [{"email": "a@example.com"}, {"mobileNumber": "447700900999"},
                                             {"email": "B@example.com"}])
    assert started.status_int == 202
    status = dd.get(f"/contacts/v3/delete/{started.json['deleteId']}").json
    assert status["status"] == "Finished"
    assert status["failures"] == [{"identifiers": {"mobileNumber": "447700900999"}, "failures": [
        {"failureCode": "contactNotFound", "description": "Not found using the identifier 'mobileNumber'"}]}]
    assert Contact.select().where(Contact.deleted_at.is_null() & (Contact.account == dd.account.id)).count() == 0


def test_too_many_bulk_deletes(dd):
    for _ in range(10):
        jobs.create(dd.account.id, contacts_v3.DELETE_KIND, {"contacts": []})
    refused = dd.post("/contacts/v3/delete", [{"email": "a@example.com"}])
    assert refused.status_int == 429
    assert refused.json == {
        "errorCode": "contacts:tooManyBulkDeleteJobs",
        "description": "Your bulk delete request cannot be accepted as too many bulk delete jobs are being processed "
                       "for you account. Please wait for a bulk delete job to complete and then resubmit."}
    assert refused.headers["X-RateLimit-Limit"] == "10"
    queued = jobs.create(dd.account.id, contacts_v3.DELETE_KIND, {"contacts": []})
    assert dd.get(f"/contacts/v3/delete/{queued.id}").json == {"deleteId": queued.id, "status": "NotStarted"}
