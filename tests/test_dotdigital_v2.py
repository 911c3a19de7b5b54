"""The v2 calls: key case, PUT by id (0 creates), DELETE, paging, imports (JSON and files), data-field values."""
from __future__ import annotations

import base64

import pytest

from core import catalog, suppression
from core.schema import Contact
from dotdigital_client import dd  # noqa: F401 - the fixture


def test_pascal_case_bodies_and_typed_data_field_values(dd):
    catalog.create_field(dd.account.id, "POINTS", type="number")
    catalog.create_field(dd.account.id, "HAPPY", type="bool")
    catalog.create_field(dd.account.id, "BIRTHDAY", type="datetime")
    created = dd.post("/v2/contacts", {"Email": "Ann@Example.com", "OptInType": "double", "EmailType": "HTML",
                                       "DataFields": [{"Key": "points", "Value": "12"}, {"Key": "Happy", "Value": "True"},
                                                      {"Key": "birthday", "Value": "1990-05-17"}]})
    assert created.status_int == 201
    assert created.json == {"id": created.json["id"], "email": "ann@example.com", "optInType": "Double",
                            "emailType": "Html", "status": "Subscribed", "dataFields": [
                                {"key": "BIRTHDAY", "value": "1990-05-17T00:00:00"}, {"key": "HAPPY", "value": True},
                                {"key": "POINTS", "value": 12}]}
    bad = dd.post("/v2/contacts", {"email": "b@example.com", "dataFields": [{"key": "POINTS", "value": "many"}]})
    assert bad.status_int == 400 and bad.json["message"].endswith("ERROR_DATAFIELD_INVALID")
    unknown = dd.post("/v2/contacts", {"email": "b@example.com", "dataFields": [{"key": "NOPE", "value": 1}]})
    assert unknown.json == {"message": "Data field NOPE does not exist. ERROR_DATAFIELD_NOTFOUND"}
    assert Contact.select().where(Contact.account == dd.account.id).count() == 1


def test_put_by_id_zero_creates_and_delete_answers_204(dd):
    created = dd.put("/v2/contacts/0", {"email": "a@example.com"})
    assert created.status_int == 200
    changed = dd.put(f"/v2/contacts/{created.json['id']}", {"email": "b@example.com"})
    assert changed.json["email"] == "b@example.com" and changed.json["id"] == created.json["id"]
    assert dd.put("/v2/contacts/987654", {"email": "c@example.com"}).json == {"message": "Error: ERROR_CONTACT_NOT_FOUND"}
    deleted = dd.delete(f"/v2/contacts/{created.json['id']}")
    assert deleted.status_int == 204 and deleted.body == b""
    assert dd.get(f"/v2/contacts/{created.json['id']}").status_int == 404
    assert dd.delete(f"/v2/contacts/{created.json['id']}").status_int == 404


def test_paging_and_its_limits(dd):
    for i in range(5):
        dd.post("/v2/contacts", {"email": f"c{i}@example.com"})
    assert [c["email"] for c in dd.get("/v2/contacts?select=2&skip=3").json] == ["c3@example.com", "c4@example.com"]
    # Names in any case, as ASP.NET binds them (the PyPI client sends Select/Skip); the exact one wins.
    assert [c["email"] for c in dd.get("/v2/contacts?Select=1&SKIP=4").json] == ["c4@example.com"]
    assert [c["email"] for c in dd.get("/v2/contacts?Select=3&select=1").json] == ["c0@example.com"]
    assert dd.get("/v2/contacts?select=0").status_int == 400
    assert dd.get("/v2/contacts?select=1001").json["message"].endswith("ERROR_PARAMETER_INVALID")
    assert dd.get("/v2/contacts?withFullData=maybe").status_int == 400


def test_import_collection_faults_and_merge_options(dd):
    catalog.create_field(dd.account.id, "FIRSTNAME")
    catalog.create_list(dd.account.id, "Books", number=5)
    suppression.add([("bounced@example.com", "bounce")])
    dd.post("/v2/contacts", {"email": "kept@example.com", "dataFields": [{"key": "FIRSTNAME", "value": "Kept"}]})
    started = dd.post("/v2/contacts/import-collection", {"addressBookIds": [5], "mergeOption": "OnlyOverwriteIfContactDataNotPopulated", "contacts": [
        {"email": "kept@example.com", "dataFields": [{"key": "FIRSTNAME", "value": "Other"}]},
        {"email": "bounced@example.com"}, {"email": "not an email"}, {"email": "new@example.com"}]})
    assert started.status_int == 202
    report = dd.get(f"/v2/contacts/import/{started.json['id']}/report").json
    assert (report["newContacts"], report["updatedContacts"], report["globallySuppressed"], report["invalidEntries"],
            report["failures"], report["suppressedContacts"]) == (1, 1, 1, 1, 2, 1)
    faults = dd.get(f"/v2/contacts/import/{started.json['id']}/report-faults").text
    assert faults == "Reason,email,firstname\r\nGloballySuppressed,bounced@example.com,\r\nInvalidEmail,not an email,\r\n"
    assert dd.get("/v2/contacts/kept@example.com").json["dataFields"] == [{"key": "FIRSTNAME", "value": "Kept"}]
    assert len(dd.get("/v2/address-books/5/contacts").json) == 2


def test_imports_refuse_unknown_address_books_and_bad_bodies_whole(dd):
    refused = dd.post("/v2/contacts/import-collection", {"addressBookIds": [5], "contacts": [{"email": "a@example.com"}]})
    assert refused.status_int == 404 and refused.json == {"message": "Error: ERROR_ADDRESSBOOK_NOT_FOUND"}
    empty = dd.post("/v2/contacts/import-collection", {"addressBookIds": [], "contacts": []})
    assert empty.json["message"].endswith("ERROR_CONTACTS_ARE_NOT_SPECIFIED")
    assert dd.post("/v2/contacts/import-collection", {"contacts": [{}], "mergeOption": 7}).status_int == 400
    assert Contact.select().where(Contact.account == dd.account.id).count() == 0


def test_file_import_as_base64_json_and_refused_files(dd):
    catalog.create_field(dd.account.id, "FIRSTNAME")
    csv = "\ufeffEMAIL;x\n".replace(";x", ",FirstName") + "a@example.com,Ann\r\nb@example.com,\"Bea, Jr\"\r\n"
    body = {"FileName": "contacts.csv", "Data": base64.b64encode(csv.encode()).decode()}
    started = dd.post("/v2/contacts/import/with-merge-option/1", body)
    assert started.status_int == 202
    assert dd.get(f"/v2/contacts/import/{started.json['id']}/report").json["newContacts"] == 2
    assert dd.get("/v2/contacts/b@example.com").json["dataFields"] == [{"key": "FIRSTNAME", "value": "Bea, Jr"}]
    for refused in ({"fileName": "c.xlsx", "data": base64.b64encode(b"PK..").decode()},
                    {"fileName": "c.csv", "data": "%%%"},
                    {"fileName": "c.csv", "data": base64.b64encode(b"Name\nAnn\n").decode()}):
        answer = dd.post("/v2/contacts/import", refused)
        assert answer.status_int == 400 and answer.json == {"message": "file must be valid"}
    assert dd.post("/v2/address-books/77/contacts/import", body).json == {"message": "Error: ERROR_ADDRESSBOOK_NOT_FOUND"}
    assert dd.get("/v2/contacts/import/7e1c4e6a-0000-4000-8000-000000000000").json == {
        "id": "7e1c4e6a-0000-4000-8000-000000000000", "status": "Unknown"}
    assert dd.get("/v2/contacts/import/7e1c4e6a-0000-4000-8000-000000000000/report").json == {
        "message": "Import is not processed yet or completed with error. ERROR_IMPORT_REPORT_NOT_FOUND"}


def test_resubscribe_outcomes(dd):
    suppression.add([("bounced@example.com", "bounce")])
    fresh = dd.post("/v2/contacts/resubscribe", {"unsubscribedContact": {"email": "new@example.com"}}).json
    assert fresh["status"] == "ContactAdded" and fresh["contact"]["status"] == "Subscribed"
    blocked = dd.post("/v2/contacts/resubscribe-with-no-challenge", {"email": "bounced@example.com"}).json
    assert blocked == {"contact": None, "status": "ContactCannotBeUnsuppressed"}


def test_a_suppressed_address_can_still_be_unsubscribed(dd):
    catalog.create_list(dd.account.id, "Books", number=5)
    suppression.add([("bounced@example.com", "bounce")])
    answer = dd.post("/v2/contacts/unsubscribe", {"email": "bounced@example.com"})
    assert answer.status_int == 200 and answer.json["suppressedContact"]["status"] == "Suppressed"
    assert dd.post("/v2/address-books/5/contacts", {"email": "bounced@example.com"}).json == {
        "message": "Contact is suppressed. ERROR_CONTACT_SUPPRESSED"}


def test_address_books_listed_with_their_subscribed_contacts_and_created(dd):
    catalog.create_list(dd.account.id, "Customers", number=12345, kind="address_book")
    for email in ("a@example.com", "b@example.com"):
        dd.post("/v2/address-books/12345/contacts", {"email": email})
    dd.post("/v2/address-books/12345/contacts/unsubscribe", {"email": "b@example.com"})
    assert dd.get("/v2/address-books").json == [{"id": 12345, "name": "Customers", "visibility": "Private",
                                                 "contacts": 1}]
    created = dd.post("/v2/address-books", {"Name": "Offers", "Visibility": "Public"})
    assert created.status_int == 201
    assert created.json == {"id": 12346, "name": "Offers", "visibility": "Public", "contacts": 0}
    assert dd.post("/v2/address-books", {"name": "Offers"}).json["message"].endswith("ERROR_ADDRESSBOOK_DUPLICATE")
    assert dd.get("/v2/address-books/12346").json["name"] == "Offers"
    assert dd.get("/v2/address-books/999").json == {"message": "Error: ERROR_ADDRESSBOOK_NOT_FOUND"}
    assert [b["id"] for b in dd.get("/v2/address-books?select=1&skip=1").json] == [12346]


def test_a_contact_taken_out_of_an_address_book_stays_in_the_account(dd):
    catalog.create_list(dd.account.id, "Customers", number=5)
    ann = dd.post("/v2/address-books/5/contacts", {"email": "ann@example.com"}).json["id"]
    removed = dd.delete(f"/v2/address-books/5/contacts/{ann}")
    assert removed.status_int == 204 and removed.body == b""
    assert dd.get("/v2/address-books/5/contacts").json == []
    assert dd.get(f"/v2/contacts/{ann}").json["status"] == "Subscribed"
    assert dd.delete(f"/v2/address-books/5/contacts/{ann}").status_int == 204  # not a member: nothing to do
    assert dd.delete("/v2/address-books/5/contacts/987654").json == {"message": "Error: ERROR_CONTACT_NOT_FOUND"}
    assert dd.delete(f"/v2/address-books/6/contacts/{ann}").json == {"message": "Error: ERROR_ADDRESSBOOK_NOT_FOUND"}
    assert dd.delete(f"/v2/address-books/x/contacts/{ann}").status_int == 404
    # A suppressed contact can still be taken out (it was put in before it was suppressed).
    bounced = dd.post("/v2/address-books/5/contacts", {"email": "b@example.com"}).json["id"]
    Contact.update(email_status="blocked").where(Contact.id == bounced).execute()
    assert dd.delete(f"/v2/address-books/5/contacts/{bounced}").status_int == 204
    assert dd.get("/v2/address-books/5").json["contacts"] == 0


def test_a_streamed_collection_is_read_once_in_chunks_and_resumes_where_it_stopped(dd, monkeypatch):
    """A big import-collection body is kept with the job and read again a chunk at a time (as v3's);
    killed after two chunks, the job carries on and its counters and faults are those of one run."""
    from datetime import timedelta

    import orjson

    from adapters.dotdigital import import_v2, import_v3
    from core import jobs
    from core.normalize import now
    from core.schema import Job
    from gateway.codecs import json_stream
    from gateway.jobs import dotdigital as dotdigital_jobs

    catalog.create_field(dd.account.id, "FIRSTNAME")
    catalog.create_list(dd.account.id, "Books", number=5)
    monkeypatch.setattr(import_v3, "CHUNK", 100)
    contacts = [{"Email": f"s{i}@example.com", "DataFields": [{"Key": "FIRSTNAME", "Value": f"F{i}"}]}
                for i in range(250)]
    contacts[120] = {"email": "not an email", "dataFields": {"FIRSTNAME": "Bad", "CITY": "X"}}
    contacts.append({"email": "S3@example.com"})  # the address of an earlier contact: a duplicate
    body = {"addressBookIds": [5], "contacts": contacts}
    whole = dd.post("/v2/contacts/import-collection", body)  # a small body: decoded whole
    monkeypatch.setattr(json_stream, "WHOLE_BELOW", 0)
    raw = orjson.dumps(body)
    command = import_v2.parse_collection({"body": json_stream.decode(raw)})
    assert command.input == raw and command.total == 251 and command.payload["columns"] == ["email", "FIRSTNAME",
                                                                                            "CITY"]
    job = jobs.create(dd.account.id, import_v2.KIND, command.payload, total=command.total, data=command.input)
    claimed = jobs.claim(job.id)
    plan = import_v2.Plan(job.payload, dotdigital_jobs.contacts(claimed))
    with pytest.raises(RuntimeError):
        jobs.run_chunks(claimed, _killed_at_the_third_chunk(plan), recorded=plan.recorded)
    Job.update(lease_until=now() - timedelta(seconds=1)).where(Job.id == job.id).execute()
    dotdigital_jobs.run(jobs.claim(job.id))
    report = dd.get(f"/v2/contacts/import/{job.id}/report").json
    assert (report["newContacts"], report["updatedContacts"], report["invalidEntries"], report["duplicateEmails"],
            report["failures"]) == (0, 249, 1, 1, 2)
    faults = dd.get(f"/v2/contacts/import/{job.id}/report-faults").text
    assert faults == "Reason,email,firstname,city\r\nInvalidEmail,not an email,Bad,X\r\nDuplicate,S3@example.com,,\r\n"
    first = dd.get(f"/v2/contacts/import/{whole.json['id']}/report").json
    assert (first["newContacts"], first["invalidEntries"], first["duplicateEmails"]) == (249, 1, 1)
    assert dd.get(f"/v2/contacts/import/{whole.json['id']}/report-faults").text == faults
    assert not jobs.has_input(job.id)


def _killed_at_the_third_chunk(plan):
    for number, chunk in enumerate(plan.chunks(100)):
        if number == 2:
            raise RuntimeError("worker killed")
        yield chunk
