"""POST /v1/contacts and GET /v1/importstatus: validation at once, the job, and the documented dedupe rules."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core import catalog
from core.normalize import now
from core.schema import Contact, ContactList, Event, Job, JobItem, Membership
from outbox import vendor_events
from esputnik_http import bulk, call, contact, email_channel, ok, sms_channel


@pytest.fixture
def fields(account):
    catalog.create_field(account.id, "Profession", number=12345)
    catalog.create_field(account.id, "Birthday", type="date", number=12346)
    catalog.create_field(account.id, "Code", number=777)


def person(email=None, phone=None, external=None, **extra) -> dict:
    channels = ([email_channel(email)] if email else []) + ([sms_channel(phone)] if phone else [])
    body = {"channels": channels, **extra}
    if external:
        body["externalCustomerId"] = external
    return body


def contacts_of(account):
    return list(Contact.select().where(Contact.account == account.id).order_by(Contact.id))


def test_answer_at_once_then_finished_with_a_mapping(app, account, fields):
    result = bulk(app, account.key, [person("a@example.com", firstName="Ann"), person("b@example.com")],
                  dedupeOn="email")
    assert set(result["answer"]) == {"asyncSessionId"}
    status = result["status"]
    assert status["description"] == "2 contacts: 2 created, 0 updated"
    assert status["timestamp"].endswith("Z")
    ids = {c.email: c.id for c in contacts_of(account)}
    assert status["mapping"] == [{"dedupeValue": "a@example.com", "contactId": ids["a@example.com"]},
                                 {"dedupeValue": "b@example.com", "contactId": ids["b@example.com"]}]
    # New contacts of this method are confirmed, active, and sent again they are updated, not doubled.
    assert {(c.confirmed, c.email_status) for c in contacts_of(account)} == {(True, "active")}
    again = bulk(app, account.key, [person("A@example.com", firstName="Anna")], dedupeOn="email")
    assert again["status"]["mapping"] == [{"dedupeValue": "a@example.com", "contactId": ids["a@example.com"]}]
    assert contact(app, account.key, ids["a@example.com"])["firstName"] == "Anna"
    assert len(contacts_of(account)) == 2


def test_failed_contacts_one_is_an_object_several_an_array(app, account):
    answer = ok(call(app, account.key, "POST", "contacts", {"dedupeOn": "email", "contacts": [
        person("good@example.com"), person("not-an-email")]}))
    assert answer["failedContacts"] == {"channels": [email_channel("not-an-email")],
                                        "error": "Invalid email address: 'not-an-email'"}
    answer = ok(call(app, account.key, "POST", "contacts", {"dedupeOn": "email", "contacts": [
        {"firstName": "No channels"}, person(phone="+380942583691"), "not an object", person("x@example.com")]}))
    assert [f["error"] for f in answer["failedContacts"]] == [
        "The contact has no channels: at least one channel is required",
        "The contact has no email channel to deduplicate on (dedupeOn email)",
        "A contact must be an object"]
    assert answer["failedContacts"][0]["firstName"] == "No channels"  # the contact comes back as sent
    assert [c.email for c in contacts_of(account)] == ["good@example.com", "x@example.com"]


def test_request_level_mistakes_are_400_and_nothing_is_written(app, account):
    cases = [
        ({"dedupeOn": "email"}, "contacts is required"),
        ({"dedupeOn": "email", "contacts": []}, "contacts is required"),
        ({"dedupeOn": "nope", "contacts": [person("a@example.com")]}, "Invalid dedupeOn"),
        ({"dedupeOn": "fieldId", "contacts": [person("a@example.com")]}, "fieldId is required"),
        ({"dedupeOn": "email", "contactFields": ["shoeSize"], "contacts": [person("a@example.com")]},
         "Invalid contactFields"),
        ({"dedupeOn": "email", "eventKeyForNewContacts": "new contact", "contacts": [person("a@example.com")]},
         "eventKeyForNewContacts"),
        ({"dedupeOn": "email", "restoreDeleted": "maybe", "contacts": [person("a@example.com")]}, "restoreDeleted"),
        ({"dedupeOn": "email", "customFieldsIDs": ["x"], "contacts": [person("a@example.com")]}, "customFieldsIDs"),
        ({"dedupeOn": "email", "contacts": [person(f"u{i}@example.com") for i in range(3001)]}, "max. 3000"),
    ]
    for body, fragment in cases:
        response = call(app, account.key, "POST", "contacts", body)
        assert response.status_int == 400, body
        assert response.content_type == "text/plain" and fragment in response.text, response.text
    assert contacts_of(account) == [] and Job.select().count() == 0


def test_lenient_json_as_clients_send_it(app, account, fields):
    # A single object where a list belongs, ids and flags as strings, other cases, unknown keys, nulls.
    body = {"dedupeOn": "EMAIL", "customFieldsIDs": "12345", "groupNames": "Customers", "restoreDeleted": "false",
            "somethingElse": {"x": 1}, "contacts": {
                "channels": {"type": "EMAIL", "value": " Mix@Example.com "}, "unknown": 1,
                "fields": {"id": "12345", "value": "writer"}, "lastName": None}}
    answer = ok(call(app, account.key, "POST", "contacts", body))
    assert "failedContacts" not in answer
    stored = contacts_of(account)[0]
    assert stored.email == "mix@example.com" and stored.attrs == {}
    view = contact(app, account.key, stored.id)
    assert view["fields"] == [{"id": 12345, "value": "writer"}]
    assert view["groups"] == [{"id": 1, "name": "Customers", "type": "Static"}]
    # A GET with a body (one PHP client sends [] on every call) reads as a GET.
    found = ok(call(app, account.key, "GET", "contacts?email=mix@example.com", raw=b"[]",
                    content_type="application/json"))
    assert [c["id"] for c in found] == [stored.id]


# -- the dedupe rules of the notes (§4.3), one test each -------------------------------------------
def test_external_id_comes_first_and_an_unknown_one_is_given_to_the_contact_with_the_email(app, account):
    bulk(app, account.key, [person("a@example.com", firstName="Ann")], dedupeOn="email")
    result = bulk(app, account.key, [person("a@example.com", external="CRM-1", firstName="Anna")], dedupeOn="email")
    [stored] = contacts_of(account)
    assert stored.external_id == "CRM-1" and stored.attrs["first_name"] == "Anna"
    assert result["status"]["mapping"] == [{"dedupeValue": "a@example.com", "contactId": stored.id}]
    # From now on the external id finds it, whatever the email says; the email (dedupeOn) is kept.
    bulk(app, account.key, [person("other@example.com", external="CRM-1", firstName="Annie")], dedupeOn="email")
    [stored] = contacts_of(account)
    assert stored.email == "a@example.com" and stored.attrs["first_name"] == "Annie"


def test_of_several_contacts_with_the_email_the_latest_updated_one_is_used(app, account):
    bulk(app, account.key, [person("a@example.com", external="X1"), person("a@example.com", external="X2")],
         dedupeOn="externalCustomerId")
    first, second = contacts_of(account)
    Contact.update(updated_at=now() + timedelta(minutes=5)).where(Contact.id == first.id).execute()
    bulk(app, account.key, [person("a@example.com", firstName="Latest")], dedupeOn="email")
    assert Contact.get_by_id(first.id).attrs == {"first_name": "Latest"}
    assert Contact.get_by_id(second.id).attrs == {}


def test_the_match_without_an_external_id_gets_it(app, account):
    bulk(app, account.key, [person("a@example.com")], dedupeOn="email")
    bulk(app, account.key, [person("a@example.com", external="OTHER")], dedupeOn="externalCustomerId")
    plain, other = contacts_of(account)
    assert (plain.external_id, other.external_id) == (None, "OTHER")
    # Even when the one with another external id was updated last, it is another person.
    Contact.update(updated_at=now() + timedelta(minutes=5)).where(Contact.id == other.id).execute()
    result = bulk(app, account.key, [person("a@example.com", external="NEW")], dedupeOn="email")
    assert Contact.get_by_id(plain.id).external_id == "NEW"
    assert Contact.get_by_id(other.id).external_id == "OTHER"
    assert result["status"]["mapping"] == [{"dedupeValue": "a@example.com", "contactId": plain.id}]


def test_two_matches_with_other_external_ids_make_a_new_contact(app, account):
    bulk(app, account.key, [person("a@example.com", external="X1"), person("a@example.com", external="X2")],
         dedupeOn="externalCustomerId")
    result = bulk(app, account.key, [person("a@example.com", external="X3")], dedupeOn="email")
    assert result["status"]["description"] == "1 contact: 1 created, 0 updated"
    assert sorted(c.external_id for c in contacts_of(account)) == ["X1", "X2", "X3"]


@pytest.mark.parametrize("restore", [False, True])
def test_deleted_contacts_are_skipped_or_restored(app, account, restore):
    bulk(app, account.key, [person("a@example.com", external="X1", firstName="Old")], dedupeOn="email")
    [stored] = contacts_of(account)
    ok(call(app, account.key, "DELETE", f"contact/{stored.id}"))
    result = bulk(app, account.key, [person("a@example.com", external="X1", firstName="New")], dedupeOn="email",
                  restoreDeleted=restore, eventKeyForNewContacts="newContact")
    [again] = contacts_of(account)
    assert again.id == stored.id
    if restore:
        assert again.deleted_at is None and again.attrs["first_name"] == "New"
        assert result["status"]["mapping"] == [{"dedupeValue": "a@example.com", "contactId": stored.id}]
        assert contact(app, account.key, stored.id)["firstName"] == "New"
    else:
        assert again.deleted_at is not None and again.attrs["first_name"] == "Old"
        assert "mapping" not in result["status"]
        assert "1 skipped" in result["status"]["description"]
        assert call(app, account.key, "GET", f"contact/{stored.id}").status_int == 404
    assert vendor_events().count() == 0  # a restored contact is not new: no event


def test_an_erased_contact_is_gone_and_comes_back_as_new(app, account):
    bulk(app, account.key, [person("a@example.com", external="X1")], dedupeOn="email")
    [stored] = contacts_of(account)
    ok(call(app, account.key, "DELETE", f"contact/{stored.id}?erase=true"))
    assert contacts_of(account) == []
    bulk(app, account.key, [person("a@example.com", external="X1")], dedupeOn="email")
    [fresh] = contacts_of(account)
    assert fresh.id != stored.id


def test_the_dedupe_on_field_is_not_updated(app, account, fields):
    bulk(app, account.key, [person("a@example.com", phone="+380501112233", external="X1",
                                   fields=[{"id": 777, "value": "K-1"}])], dedupeOn="email", customFieldsIDs=[777])
    # Matched by the external id (first), the email and the phone would change: dedupeOn sms keeps the phone.
    bulk(app, account.key, [person("b@example.com", phone="+380509999999", external="X1")], dedupeOn="sms")
    [stored] = contacts_of(account)
    assert (stored.email, stored.phone) == ("b@example.com", "+380501112233")
    # dedupeOn fieldId: the field is the key and keeps its value when the external id matched.
    bulk(app, account.key, [person("b@example.com", external="X1", fields=[{"id": 777, "value": "K-2"}])],
         dedupeOn="fieldId", fieldId=777, customFieldsIDs=[777])
    assert contact(app, account.key, stored.id)["fields"] == [{"id": 777, "value": "K-1"}]
    # …and finds the contact by it.
    result = bulk(app, account.key, [person("c@example.com", fields=[{"id": 777, "value": "K-1"}], firstName="F")],
                  dedupeOn="fieldId", fieldId=777)
    assert result["status"]["mapping"] == [{"dedupeValue": "K-1", "contactId": stored.id}]
    assert Contact.get_by_id(stored.id).attrs["first_name"] == "F"
    assert len(contacts_of(account)) == 1


def test_email_or_sms_looks_at_the_phone_first(app, account):
    bulk(app, account.key, [person("a@example.com"), person("b@example.com", phone="+380501112233")],
         dedupeOn="email")
    a, b = contacts_of(account)
    result = bulk(app, account.key, [person("a@example.com", phone="+380501112233", firstName="Who")],
                  dedupeOn="email_or_sms")
    assert result["status"]["mapping"] == [{"dedupeValue": "+380501112233", "contactId": b.id}]
    assert Contact.get_by_id(b.id).attrs == {"first_name": "Who"} and Contact.get_by_id(a.id).attrs == {}


def test_dedupe_on_id_and_on_external_id(app, account):
    bulk(app, account.key, [person("a@example.com")], dedupeOn="email")
    [stored] = contacts_of(account)
    result = bulk(app, account.key, [{**person("renamed@example.com"), "id": stored.id}], dedupeOn="id")
    assert result["status"]["mapping"] == [{"dedupeValue": str(stored.id), "contactId": stored.id}]
    assert Contact.get_by_id(stored.id).email == "renamed@example.com"
    answer = ok(call(app, account.key, "POST", "contacts", {"dedupeOn": "externalCustomerId",
                                                             "contacts": [person("z@example.com")]}))
    assert "externalCustomerId to deduplicate on" in answer["failedContacts"]["error"]


def test_contact_fields_limit_the_update_and_clear_what_is_not_sent(app, account):
    bulk(app, account.key, [person("a@example.com", phone="+380501112233", firstName="Ann", lastName="Lee",
                                   languageCode="en")], dedupeOn="email")
    # The vendor's WooCommerce plugin clears a phone number this way.
    bulk(app, account.key, [person("a@example.com", firstName="Changed")], dedupeOn="email",
         contactFields=["sms", "lastName"])
    [stored] = contacts_of(account)
    assert stored.phone is None
    assert stored.attrs == {"first_name": "Ann", "language": "en"}  # lastName cleared, firstName not listed


def test_custom_fields_change_on_update_only_when_listed(app, account, fields):
    bulk(app, account.key, [person("a@example.com", fields=[{"id": 12345, "value": "writer"}])], dedupeOn="email")
    [stored] = contacts_of(account)  # a new contact takes its fields without customFieldsIDs
    assert contact(app, account.key, stored.id)["fields"] == [{"id": 12345, "value": "writer"}]
    update = [person("a@example.com", fields=[{"id": 12345, "value": "poet"}, {"id": 12346, "value": "09.03.1990"}])]
    bulk(app, account.key, update, dedupeOn="email")
    assert contact(app, account.key, stored.id)["fields"] == [{"id": 12345, "value": "writer"}]
    bulk(app, account.key, update, dedupeOn="email", customFieldsIDs=[12346])
    assert contact(app, account.key, stored.id)["fields"] == [{"id": 12345, "value": "writer"},
                                                                {"id": 12346, "value": "1990-03-09"}]


def test_a_bad_field_value_fails_its_contact_in_the_session(app, account, fields):
    result = bulk(app, account.key, [person("a@example.com", fields=[{"id": 12346, "value": "someday"}]),
                                     person("b@example.com", fields=[{"id": 99999, "value": "unknown field"}])],
                  dedupeOn="email")
    status = result["status"]
    assert status["description"].startswith("2 contacts: 1 created, 0 updated, 1 failed (a@example.com: Invalid")
    assert status["mapping"] == [{"dedupeValue": "b@example.com", "contactId": contacts_of(account)[0].id}]


def test_segments_created_on_demand_added_and_removed(app, account):
    bulk(app, account.key, [person("a@example.com")], dedupeOn="email", groupNames=["Subscribers"])
    bulk(app, account.key, [person("a@example.com")], dedupeOn="email", groupNames=["Customers"],
         groupNamesExclude=["Subscribers", "Never existed"])
    [stored] = contacts_of(account)
    assert [g["name"] for g in contact(app, account.key, stored.id)["groups"]] == ["Customers"]
    assert sorted((row.title, row.kind) for row in ContactList.select()) == [("Customers", "segment"),
                                                                           ("Subscribers", "segment")]
    assert Membership.select().count() == 1


def test_events_only_for_new_contacts_keyed_by_email_or_phone(app, account):
    bulk(app, account.key, [person("old@example.com")], dedupeOn="email")
    bulk(app, account.key, [person("old@example.com"), person("new@example.com", phone="+380501112233"),
                            person(phone="+380507654321")], dedupeOn="email_or_sms", eventKeyForNewContacts="newContact")
    events = list(vendor_events())
    ids = {c.email or c.phone: c.id for c in contacts_of(account)}
    assert [(e.name, e.key, e.params) for e in events] == [
        ("newContact", "new@example.com", {"contactId": ids["new@example.com"], "EmailAddress": "new@example.com",
                                           "SMS": "+380501112233"}),
        ("newContact", "+380507654321", {"contactId": ids["+380507654321"], "EmailAddress": "",
                                         "SMS": "+380507654321"}),
    ]


def test_without_dedupe_on_email_then_sms(app, account, fields):
    # The vendor's FAQ example leaves dedupeOn out.
    bulk(app, account.key, [person(phone="+380501112233")], dedupeOn="sms")
    result = bulk(app, account.key, [person(phone="+380501112233", firstName="By phone")])
    assert result["status"]["description"] == "1 contact: 0 created, 1 updated"


def test_three_thousand_contacts_in_one_request(app, account):
    contacts = [person(f"user{i}@example.com", firstName=f"N{i}") for i in range(3000)]
    result = bulk(app, account.key, contacts, dedupeOn="email")
    assert len(result["status"]["mapping"]) == 3000
    assert Contact.select().where(Contact.account == account.id).count() == 3000
    assert JobItem.select().count() == 3000


def test_an_unknown_or_foreign_session_is_404(app, account):
    from core import accounts

    other = accounts.create_account("other")
    _, other_key = accounts.add_key(other.id)
    session = ok(call(app, account.key, "POST", "contacts", {"dedupeOn": "email",
                                                              "contacts": [person("a@example.com")]}))
    assert call(app, other_key, "GET", f"importstatus/{session['asyncSessionId']}").status_int == 404
    assert call(app, account.key, "GET", "importstatus/abc23456789").status_int == 404


def _varied_contacts() -> list:
    return [
        person("a@example.com", "+380942583691", "ext-1", firstName=" Ann ", lastName="",
               address={"town": "Kyiv", "postcode": 1001}, ordersInfo={"count": 2, "skip": [1]},
               fields=[{"id": 12345, "value": "Cook"}, {"id": "777", "value": ["x", None, "y"]},
                       {"id": 12346, "value": None}, {"id": 1, "value": ""}]),
        {"channels": [{"type": "EMAIL ", "value": " B@example.com "}, {"type": "email", "value": "b2@example.com"},
                      {"type": "mobilepush", "value": "token", "device": {"os": "ios", "n": 1.5, "no": [1]}}],
         "languageCode": "uk", "id": 42, "fields": {"id": 777, "value": 12}},
        {"channels": {"type": "sms", "value": "380942583692"}, "timeZone": "Europe/Kyiv"},
    ]


@pytest.mark.parametrize("settings", [
    {"dedupeOn": "email", "groupNames": ["One", "Two"], "groupNamesExclude": ["Three"], "customFieldsIDs": [777]},
    {"dedupeOn": "fieldId", "fieldId": 777, "contactFields": ["firstName", "sms", "externalCustomerId", "town"]},
    {"dedupeOn": "id"},
    {},
])
def test_the_job_builds_the_changes_the_request_read(settings):
    """The request reads each contact once; what the job keeps (as JSON, like the Job row) makes the same changes."""
    import orjson

    from adapters.esputnik import bulk as esputnik_bulk

    opts = esputnik_bulk.options(settings)
    read = [c for c in esputnik_bulk.changes(opts, _varied_contacts(), require_channels=False) if c.error is None]
    assert read  # (a contact the request refuses is answered in failedContacts, never kept)
    kept = orjson.loads(orjson.dumps([esputnik_bulk.stored(change) for change in read]))
    assert list(esputnik_bulk.restored(opts, kept)) == read
    assert read[0].fields[777] == "x,y"


def test_a_job_saved_with_raw_contacts_still_runs(app, account, fields):
    """A job queued by an earlier version kept the contacts themselves; it is read as before."""
    from core import jobs
    from gateway import worker

    job = jobs.create(account.id, "esputnik.contacts", {
        "options": {"dedupeOn": "email", "groupNames": ["Old"]},
        "contacts": [person("old@example.com", firstName="Old"), person("not-an-email")], "failed": []})
    worker.execute(job.id)
    status = ok(call(app, account.key, "GET", f"importstatus/{job.id}"))
    assert status["status"] == "FINISHED"
    assert status["description"].startswith("2 contacts: 1 created, 0 updated, 1 failed")
    assert [c.email for c in contacts_of(account)] == ["old@example.com"]
