"""PUT /contacts/v3/import at size: report order and counters, merge options, failures, the active cap, resuming."""
from __future__ import annotations

from datetime import timedelta

import orjson
import pytest

from adapters.dotdigital import import_v3
from core import catalog, jobs, suppression
from core.normalize import now
from core.schema import Contact, Job
from core.upsert import upsert
from dotdigital_client import dd  # noqa: F401 - the fixture
from gateway.jobs import dotdigital as dotdigital_jobs
from helpers import warm_catalogue
from querycount import count_queries


def _killed_at_the_third_chunk(plan):
    """The plan's 100-contact chunks as a worker killed while it takes the third one sees them."""
    for number, chunk in enumerate(plan.chunks(100)):
        if number == 2:
            raise RuntimeError("worker killed")
        yield chunk


def fields(account, *names, **typed):
    for name in names:
        catalog.create_field(account.id, name)
    for name, kind in typed.items():
        catalog.create_field(account.id, name, type=kind)


def email_contact(address: str, **extra) -> dict:
    return {"matchIdentifier": "email", "identifiers": {"email": address}, **extra}


def live(account) -> int:
    return Contact.select().where((Contact.account == account.id) & Contact.deleted_at.is_null()).count()


def test_2500_contacts_in_order_over_several_chunks_then_again_as_updates(dd):
    fields(dd.account, "FIRSTNAME")
    contacts = []
    for i in range(2500):
        if i % 500 == 7:
            contacts.append(email_contact(f"broken-{i}"))
        elif i % 500 == 8:
            contacts.append(email_contact(f"u{i - 2}@example.com"))  # repeats an earlier contact's email
        else:
            contacts.append(email_contact(f"u{i}@example.com", dataFields={"firstName": f"N{i}"}))
    report = dd.imported(contacts)
    assert report["summary"] == {"newContacts": 2490, "updatedContacts": 0, "globallySuppressed": 0,
                                 "invalidEntries": 5, "duplicateIdentifiers": 5}
    created = [c["identifiers"]["email"] for c in report["created"]]
    assert created == [c["identifiers"]["email"] for i, c in enumerate(contacts) if i % 500 not in (7, 8)]
    assert [f["identifiers"]["email"] for f in report["failures"]] == [
        contacts[i]["identifiers"]["email"] for i in range(2500) if i % 500 in (7, 8)]
    assert report["failures"][3] == {"matchIdentifier": "email", "identifiers": {"email": "u506@example.com"},
                                     "failures": [{"failureCode": "duplicateIdentifier", "description":
                                                   "Duplicate identifier detected for email 'u506@example.com'"}]}
    assert live(dd.account) == 2490
    ids = {c["identifiers"]["email"]: c["contactId"] for c in report["created"]}

    again = dd.imported(contacts)
    assert again["summary"]["newContacts"] == 0 and again["summary"]["updatedContacts"] == 2490
    assert {c["identifiers"]["email"]: c["contactId"] for c in again["updated"]} == ids
    assert live(dd.account) == 2490


def test_merge_options_and_null_clears(dd):
    fields(dd.account, "FIRSTNAME", "LASTNAME", "CITY")
    dd.imported([email_contact("a@example.com", dataFields={"FIRSTNAME": "Ann", "LASTNAME": "Old"})])

    def stored():
        return dd.get("/contacts/v3/email/a@example.com").json["dataFields"]

    dd.imported([email_contact("a@example.com", dataFields={"FIRSTNAME": "", "LASTNAME": None, "CITY": "Rome"})],
                "overwriteIfNotEmpty")
    assert stored() == {"FIRSTNAME": "Ann", "LASTNAME": "Old", "CITY": "Rome"}
    dd.imported([email_contact("a@example.com", dataFields={"FIRSTNAME": "Bea", "CITY": None, "LASTNAME": "New"})],
                "OverwriteIfEmpty")
    assert stored() == {"FIRSTNAME": "Ann", "LASTNAME": "Old", "CITY": "Rome"}
    dd.imported([email_contact("a@example.com", dataFields={"FIRSTNAME": "Bea", "LASTNAME": None})])
    assert stored() == {"FIRSTNAME": "Bea", "LASTNAME": None, "CITY": "Rome"}


def test_a_bad_contact_fails_alone_with_its_documented_code(dd):
    fields(dd.account, "FIRSTNAME", AGE="number")
    catalog.create_list(dd.account.id, "Known", number=10)
    suppression.add([("bounced@example.com", "bounce")])
    report = dd.imported([
        email_contact("ok@example.com", lists=[10]),
        email_contact("bounced@example.com"),
        {"matchIdentifier": "mobileNumber", "identifiers": {"mobileNumber": "12"}},
        email_contact("lists@example.com", lists=[10, 999]),
        email_contact("age@example.com", dataFields={"AGE": "old"}),
        email_contact("unknown@example.com", dataFields={"NOPE": 1}),
        {"matchIdentifier": "email", "identifiers": {"mobileNumber": "447700900123"}},
        {"matchIdentifier": "contactId", "identifiers": {"contactId": 99999}},
        email_contact("types@example.com", lists="10"),
        email_contact("enum@example.com", channelProperties={"email": {"optInType": "triple"}}),
        email_contact("last@example.com"),
    ])
    codes = [(f["identifiers"], [x["failureCode"] for x in f["failures"]]) for f in report["failures"]]
    assert codes == [
        ({"email": "bounced@example.com"}, ["GloballySuppressed"]),
        ({"mobileNumber": "12"}, ["InvalidPhoneNumber"]),
        ({"email": "lists@example.com"}, ["InvalidAddressBookIds"]),
        ({"email": "age@example.com"}, ["InvalidContact"]),
        ({"email": "unknown@example.com"}, ["InvalidContact"]),
        ({"mobileNumber": "447700900123"}, ["InvalidMatchIdentifier"]),
        ({}, ["InvalidContactId"]),
        ({"email": "types@example.com"}, ["ApiSchemaViolation"]),
        ({"email": "enum@example.com"}, ["ApiSchemaViolation"]),
    ]
    assert [c["identifiers"]["email"] for c in report["created"]] == ["ok@example.com", "last@example.com"]
    assert report["summary"]["globallySuppressed"] == 1 and report["summary"]["invalidEntries"] == 8
    assert live(dd.account) == 2  # nothing of a failed contact is written


def test_matching_by_mobile_contact_id_and_custom_identifier(dd):
    catalog.create_field(dd.account.id, "shopId", attrs={"identifier": True})
    first = dd.imported([{"matchIdentifier": "mobileNumber",
                          "identifiers": {"mobileNumber": "+447123123123", "email": "a@example.com", "shopId": "S-1"}}])
    contact_id = first["created"][0]["contactId"]
    report = dd.imported([
        {"matchIdentifier": "mobileNumber", "identifiers": {"mobileNumber": "447123123123", "email": "b@example.com"}},
        {"matchIdentifier": "contactId", "identifiers": {"contactId": contact_id, "email": "c@example.com"}},
        {"matchIdentifier": "shopId", "identifiers": {"shopId": "S-1", "email": "d@example.com"}},
        {"matchIdentifier": "email", "identifiers": {"email": "other@example.com", "shopId": "S-1"}},
    ])
    assert [u["contactId"] for u in report["updated"]] == [contact_id] * 3
    assert report["failures"][0]["failures"][0] == {
        "failureCode": "duplicateIdentifier", "description": "Duplicate identifier detected for shopId 'S-1'"}
    contact = dd.get("/contacts/v3/shopId/S-1").json
    assert contact["identifiers"] == {"email": "d@example.com", "mobileNumber": "447123123123", "shopId": "S-1"}
    assert "shopId" not in contact["dataFields"]


def test_consent_records_badly_formed_are_dropped_and_reported_beside_the_written_contact(dd):
    good = {"text": "Yes", "dateTimeConsented": "2023-01-26T21:29:00Z", "url": "https://example.com/signup",
            "ipAddress": "2001:db8::1", "userAgent": "Mozilla/5.0"}
    report = dd.imported([email_contact("a@example.com", consentRecords=[good]),
                          email_contact("b@example.com", consentRecords=[{**good, "extra": 1}])])
    assert len(report["created"]) == 2
    assert report["failures"] == [{"contactId": report["created"][1]["contactId"], "matchIdentifier": "email",
                                   "identifiers": {"email": "b@example.com"},
                                   "failures": [{"failureCode": "consentRecordsNotApplied", "description":
                                                 "The provided consent records could not be applied as they "
                                                 "were incorrectly formatted"}]}]
    assert report["summary"]["newContacts"] == 2 and report["summary"]["invalidEntries"] == 0
    assert len(dd.get("/contacts/v3/email/a@example.com").json["consentRecords"]) == 1
    assert dd.get("/contacts/v3/email/b@example.com").json["consentRecords"] == []
    dd.imported([email_contact("a@example.com", consentRecords=[{**good, "text": "Again"}])])
    assert [r["text"] for r in dd.get("/contacts/v3/email/a@example.com").json["consentRecords"]] == ["Yes", "Again"]


def test_channel_statuses_lists_preferences(dd):
    catalog.create_list(dd.account.id, "Books", number=3)
    dd.imported([email_contact("a@example.com", lists=[3], preferences=[{"id": 5, "isOptedIn": True}],
                               channelProperties={"email": {"status": "unsubscribed", "emailType": "html"}})])
    dd.imported([email_contact("a@example.com", preferences=[{"id": 6, "isOptedIn": False}])])
    contact = dd.get("/contacts/v3/email/a@example.com").json
    assert contact["status"] == "unsubscribed"
    assert contact["channelProperties"]["email"] == {"emailType": "Html", "optInType": "Unknown",
                                                     "status": "unsubscribed"}
    assert contact["preferences"] == [{"id": 5, "isOptedIn": True}, {"id": 6, "isOptedIn": False}]
    assert contact["lists"] == [{"id": 3, "name": "Books", "status": "subscribed"}]
    dd.imported([email_contact("a@example.com", channelProperties={"email": {"status": "subscribed"}})])
    assert dd.get("/contacts/v3/email/a@example.com").json["status"] == "subscribed"  # an explicit resubscribe


def test_the_26th_active_import_is_refused(dd):
    for _ in range(25):
        jobs.create(dd.account.id, import_v3.KIND, {"contacts": [], "mergeOption": "overwrite"})
    response = dd.put("/contacts/v3/import", {"contacts": [email_contact("a@example.com")]})
    assert response.status_int == 429
    assert response.json == {
        "errorCode": "contacts:tooManyActiveImports",
        "description": "Your import request cannot be accepted as too many imports are being processed for you "
                       "account. Please wait for an import to complete and then resubmit."}
    assert response.headers["Retry-After"] == "5" and response.headers["X-RateLimit-Limit"] == "25"
    assert response.headers["X-RateLimit-Scope"] == "activeImports"
    v2 = dd.post("/v2/contacts/import-collection", {"contacts": [{"email": "a@example.com"}]})
    assert v2.status_int == 429 and "ERROR_IMPORT_TOOMANYACTIVEIMPORTS" in v2.json["message"]
    assert live(dd.account) == 0


def test_an_import_resumes_after_its_last_committed_chunk(dd, monkeypatch):
    monkeypatch.setattr(import_v3, "CHUNK", 100)
    contacts = [email_contact(f"r{i}@example.com") for i in range(450)]
    job = jobs.create(dd.account.id, import_v3.KIND, {"contacts": contacts, "mergeOption": "overwrite"})
    claimed = jobs.claim(job.id)
    plan = import_v3.Plan(job.payload)

    with pytest.raises(RuntimeError):
        jobs.run_chunks(claimed, _killed_at_the_third_chunk(plan))
    assert live(dd.account) == 200
    assert dd.get(f"/contacts/v3/import/{job.id}").json == {"importId": job.id, "status": "NotFinished"}
    Job.update(lease_until=now() - timedelta(seconds=1)).where(Job.id == job.id).execute()
    again = jobs.claim(job.id)
    dotdigital_jobs.run(again)
    report = dd.get(f"/contacts/v3/import/{job.id}").json
    assert report["summary"]["newContacts"] == 450 and live(dd.account) == 450
    assert [c["identifiers"]["email"] for c in report["created"]] == [f"r{i}@example.com" for i in range(450)]


def test_a_chunk_costs_the_same_number_of_queries_whatever_its_size(dd):
    catalog.create_list(dd.account.id, "Books", number=3)
    fields(dd.account, "FIRSTNAME")
    warm_catalogue(dd.account.id)

    def queries(count: int, prefix: str, operator: int) -> int:
        plan = import_v3.Plan({"mergeOption": "overwrite", "contacts": [
            email_contact(f"{prefix}{i}@example.com", lists=[3], dataFields={"FIRSTNAME": "X"},
                          identifiers={"email": f"{prefix}{i}@example.com", "mobileNumber": f"+4477{operator}{i:05d}"})
            for i in range(count)]})
        (_, command), = plan.chunks(count)
        with count_queries() as seen:
            upsert(dd.account.id, command)
        return len(seen)

    assert queries(20, "a", 1) == queries(1000, "b", 2)  # new contacts
    assert queries(20, "a", 1) == queries(1000, "b", 2)  # the same again: updates


def padded(i: int) -> dict:
    return email_contact(f"s{i}@example.com", dataFields={"FIRSTNAME": f"First name number {i} " + "x" * 120})


def test_a_streamed_import_decodes_one_chunk_at_a_time(dd, monkeypatch):
    """The job reads the body it keeps a part at a time and decodes no contact before the chunk that needs it."""
    import ijson

    from gateway.codecs import json_stream

    fields(dd.account, "FIRSTNAME")
    monkeypatch.setattr(json_stream, "WHOLE_BELOW", 0)  # the streaming parser, whatever the size
    monkeypatch.setattr(import_v3, "CHUNK", 100)
    monkeypatch.setattr(jobs, "INPUT_PART", 4096)
    decoded, seen, read = [0], [], [0]
    items, readinto = ijson.items, jobs._InputParts.readinto

    def counting(source, prefix, **options):
        for item in items(source, prefix, **options):
            if not isinstance(source, bytes):  # the job's reading, not the request's checks
                decoded[0] += 1
            yield item

    def reading(self, buffer):
        count = readinto(self, buffer)
        read[0] += count
        return count

    def committing(account_id, command):
        seen.append((decoded[0], len(command.items), read[0]))
        return upsert(account_id, command)

    monkeypatch.setattr(ijson, "items", counting)
    monkeypatch.setattr(jobs._InputParts, "readinto", reading)
    monkeypatch.setattr(jobs, "upsert", committing)
    contacts = [padded(i) for i in range(2000)]
    report = dd.imported(contacts)
    assert report["summary"]["newContacts"] == 2000
    assert [c["identifiers"]["email"] for c in report["created"]] == [f"s{i}@example.com" for i in range(2000)]
    size = read[0]  # the body, read once: the chunks and, as they are done, the report
    assert len(seen) == 20
    for number, (so_far, count, bytes_read) in enumerate(seen):
        assert count == 100 and so_far == 100 * (number + 1)  # never a contact beyond the chunk being written
    assert seen[0][2] < size / 2  # the first chunk was written before most of the body was even read
    assert not jobs.has_input(report["importId"])  # the body goes with the finished job


def test_a_streamed_import_resumes_after_its_last_committed_chunk(dd, monkeypatch):
    from gateway.codecs import json_stream

    fields(dd.account, "FIRSTNAME")
    monkeypatch.setattr(json_stream, "WHOLE_BELOW", 0)
    monkeypatch.setattr(jobs, "INPUT_PART", 1000)
    monkeypatch.setattr(import_v3, "CHUNK", 100)
    contacts = [padded(i) for i in range(450)] + [padded(3)]  # the last one repeats an earlier email
    body = orjson.dumps({"contacts": contacts})
    listed = json_stream.decode(body)["contacts"]
    assert not listed.whole
    job = jobs.create(dd.account.id, import_v3.KIND, {"contacts": listed.ref(), "mergeOption": "overwrite"},
                      total=len(listed), data=listed.source)
    claimed = jobs.claim(job.id)
    plan = import_v3.Plan(job.payload, dotdigital_jobs.contacts(claimed))

    with pytest.raises(RuntimeError):
        jobs.run_chunks(claimed, _killed_at_the_third_chunk(plan))
    assert live(dd.account) == 200 and jobs.has_input(job.id)
    Job.update(lease_until=now() - timedelta(seconds=1)).where(Job.id == job.id).execute()
    dotdigital_jobs.run(jobs.claim(job.id))
    report = dd.get(f"/contacts/v3/import/{job.id}").json
    assert report["summary"] == {"newContacts": 450, "updatedContacts": 0, "globallySuppressed": 0,
                                 "invalidEntries": 0, "duplicateIdentifiers": 1}
    assert [c["identifiers"]["email"] for c in report["created"]] == [f"s{i}@example.com" for i in range(450)]
    assert report["failures"] == [{"matchIdentifier": "email", "identifiers": {"email": "s3@example.com"},
                                   "failures": [{"failureCode": "duplicateIdentifier", "description":
                                                 "Duplicate identifier detected for email 's3@example.com'"}]}]
    whole = dd.imported(contacts, "overwrite")  # the same body decoded whole (small): the same report
    assert whole["summary"]["updatedContacts"] == 450 and whole["failures"] == report["failures"]
