"""The eSputnik methods besides the bulk import, through the WSGI app: answers, rules, XML, wire leniency."""
from __future__ import annotations

import pytest
from lxml import etree

from core import catalog
from core.schema import Contact, ContactList, Event, Membership
from esputnik_http import bulk, call, contact, email_channel, ok, sms_channel
from helpers import basic
from outbox import vendor_events

NS = "{http://esputnik.com.ua/dto}"


@pytest.fixture
def fields(account):
    catalog.create_field(account.id, "Profession", number=12345)
    catalog.create_field(account.id, "Gender", type="enum", number=15868, allowed_values=["M", "F"])


def subscribe(app, key, contact_body: dict, **extra):
    return ok(call(app, key, "POST", "contact/subscribe", {"contact": contact_body, **extra}))


# -- subscribe -------------------------------------------------------------------------------------
def test_subscribe_new_then_existing_with_form_type_events(app, account, fields):
    body = {"channels": [email_channel("mail@example.com"), sms_channel("380942583691")], "firstName": "John",
            "fields": [{"id": "12345", "value": "writer"}]}
    first = subscribe(app, account.key, body, groups=["Subscribers"], formType="abc")
    assert first == {"id": first["id"], "emailStatus": "NEED_CONFIRMATION", "new": True}
    stored = Contact.get_by_id(first["id"])
    assert (stored.confirmed, stored.email_status, stored.phone) == (False, "activation_requested", "+380942583691")
    # Again, with other channels: the fields change, the existing media channels do not.
    again = subscribe(app, account.key, {"channels": [email_channel("mail@example.com"), sms_channel("+79160001122")],
                                         "firstName": "Johnny"}, formType="abc")
    assert again == {"id": first["id"], "emailStatus": "NEED_CONFIRMATION", "new": False}
    view = contact(app, account.key, first["id"])
    assert view["firstName"] == "Johnny" and view["channels"][1] == {"type": "sms", "value": "+380942583691"}
    assert view["groups"] == [{"id": 1, "name": "Subscribers", "type": "Static"}]
    assert ContactList.get().kind == "segment"
    events = [(e.name, e.key, e.params) for e in vendor_events()]
    expected = {"ContactId": first["id"], "EmailAddress": "mail@example.com"}
    assert events == [("subscribeFromApi-abc", str(first["id"]), expected),
                      ("subscribeUpdateFromApi-abc", str(first["id"]), expected)]


def test_subscribe_statuses_and_a_phone_only_event(app, account):
    bulk(app, account.key, [{"channels": [email_channel("known@example.com")]}], dedupeOn="email")
    known = subscribe(app, account.key, {"channels": [email_channel("known@example.com")]})
    assert known["emailStatus"] == "ALREADY_SUBSCRIBED" and known["new"] is False
    ok(call(app, account.key, "POST", "emails/unsubscribed/add", {"emails": ["known@example.com"]}))
    assert subscribe(app, account.key, {"channels": [email_channel("known@example.com")]})["emailStatus"] == \
        "BLACKLISTED"
    phone = subscribe(app, account.key, {"channels": [sms_channel("+380501112233")]})
    assert phone == {"id": phone["id"], "new": True}
    event = vendor_events().order_by(Event.id.desc()).first()
    assert (event.name, event.params) == ("subscribeFromApi", {"ContactId": phone["id"]})  # no EmailAddress


def test_subscribe_refusals(app, account):
    for body, fragment in [({}, "contact is required"), ({"contact": {"firstName": "x"}}, "at least one channel"),
                           ({"contact": {"channels": [email_channel("nope")]}}, "Invalid email"),
                           ({"contact": {"channels": [{"type": "pigeon", "value": "x"}]}}, "Unknown channel type"),
                           ({"contact": {"channels": [email_channel("a@example.com")]}, "formType": "a/b"}, "formType")]:
        response = call(app, account.key, "POST", "contact/subscribe", body)
        assert response.status_int == 400 and fragment in response.text, (body, response.text)
    assert Contact.select().count() == 0


def test_an_unknown_field_id_is_ignored_on_every_path_alike(app, account, fields):
    """One rule: subscribe, POST contact, PUT contact/{id} and the bulk call store the known field, skip 404."""
    sent = [{"id": 12345, "value": "poet"}, {"id": 404, "value": "nobody has this field"}]
    single = subscribe(app, account.key, {"channels": [email_channel("single@example.com")], "fields": sent})
    added = ok(call(app, account.key, "POST", "contact", {"channels": [email_channel("added@example.com")],
                                                          "fields": sent}))
    updated = call(app, account.key, "PUT", f"contact/{added['id']}",
                   {"channels": [email_channel("added@example.com")], "fields": sent})
    assert updated.status_int == 200
    result = bulk(app, account.key, [{"channels": [email_channel("bulk@example.com")], "fields": sent}],
                  dedupeOn="email", customFieldsIDs=[12345, 404])
    [mapped] = result["status"]["mapping"]
    assert "failed" not in result["status"]["description"]
    shown = [contact(app, account.key, number)["fields"] for number in (single["id"], added["id"], mapped["contactId"])]
    assert shown == [[{"id": 12345, "value": "poet"}]] * 3


# -- one contact -----------------------------------------------------------------------------------
def test_add_contact_upserts_by_email_and_takes_segments(app, account, fields):
    catalog.create_list(account.id, "VIP", number=55, kind="segment")
    body = {"firstName": "John", "channels": [email_channel("john@example.com")], "groups": [{"id": 55}],
            "fields": [{"id": 15868, "value": "M"}], "id": 999999}
    first = ok(call(app, account.key, "POST", "contact", body))
    again = ok(call(app, account.key, "POST", "contact", {**body, "groups": [{"name": "Newsletter"}]}))
    assert first == again == {"id": first["id"]}
    view = contact(app, account.key, first["id"])
    assert [g["id"] for g in view["groups"]] == [55, 56] and view["fields"] == [{"id": 15868, "value": "M"}]
    assert vendor_events().count() == 0
    bad = call(app, account.key, "POST", "contact", {**body, "fields": [{"id": 15868, "value": "X"}]})
    assert bad.status_int == 400 and "Invalid value for field Gender" in bad.text


def test_add_contact_on_the_bulk_url_as_the_guide_gives_it(app, account):
    answer = ok(call(app, account.key, "POST", "contacts", {"channels": [email_channel("one@example.com")]}))
    assert answer == {"id": Contact.get().id}


def test_add_contact_restores_a_deleted_one_by_external_id(app, account):
    body = {"channels": [email_channel("x@example.com")], "externalCustomerId": "TV12790"}
    first = ok(call(app, account.key, "POST", "contact", body))["id"]
    ok(call(app, account.key, "DELETE", "contact?externalCustomerId=TV12790&erase=false"))
    assert call(app, account.key, "GET", f"contact/{first}").status_int == 404
    assert ok(call(app, account.key, "POST", "contact", body))["id"] == first
    assert contact(app, account.key, first)["externalCustomerId"] == "TV12790"


def test_update_contact_as_recorded_and_its_refusals(app, account, fields):
    created = ok(call(app, account.key, "POST", "contact", {"channels": [email_channel("a@example.com")],
                                                            "externalCustomerId": "A"}))["id"]
    other = ok(call(app, account.key, "POST", "contact", {"channels": [email_channel("b@example.com")],
                                                          "externalCustomerId": "B"}))["id"]
    # The recorded client wrapped the contact the way subscribe wants it; eSputnik answered 200.
    response = call(app, account.key, "PUT", f"contact/{created}", {
        "contact": {"channels": [email_channel("test123@example.com"), sms_channel("+79160001122")],
                    "fields": [{"id": 12345, "value": "ж"}]}, "groups": None, "formType": None})
    assert response.status_int == 200 and response.content_type == "application/json"
    assert response.text == f"Contact with id='{created}' has been updated"
    view = contact(app, account.key, created)
    assert view["channels"] == [email_channel("test123@example.com"), sms_channel("+79160001122")]
    assert view["fields"] == [{"id": 12345, "value": "ж"}]
    clash = call(app, account.key, "PUT", f"contact/{created}", {"channels": [email_channel("a@example.com")],
                                                                  "externalCustomerId": "B"})
    assert clash.status_int == 400 and "belongs to another contact" in clash.text
    assert call(app, account.key, "PUT", "contact/424242", {"channels": [email_channel("z@example.com")]}).text == \
        "Contact with id='424242' not found"
    # Updating a deleted contact restores it.
    ok(call(app, account.key, "DELETE", f"contact/{other}"))
    ok(call(app, account.key, "PUT", f"contact/{other}", {"channels": [email_channel("b2@example.com")]}))
    assert contact(app, account.key, other)["channels"] == [email_channel("b2@example.com")]


def test_get_contact_in_full(app, account, fields):
    body = {"channels": [email_channel("a@example.com"), email_channel("a2@example.com"), sms_channel("+380501112233"),
                         {"type": "mobilepush", "value": "8900-7654", "device": {"appId": "83b7", "os": "Android"}}],
            "firstName": "A", "lastName": "B", "languageCode": "uk", "timeZone": "Europe/Kyiv", "contactKey": "K",
            "address": {"town": "Kyiv", "postcode": "01001"}, "externalCustomerId": "E1",
            "ordersInfo": {"lastDate": "2024-01-01T10:00:00", "count": 3}}
    number = ok(call(app, account.key, "POST", "contact", body))["id"]
    assert contact(app, account.key, number) == {
        "id": number, "firstName": "A", "lastName": "B", "contactKey": "K", "languageCode": "uk",
        "timeZone": "Europe/Kyiv",
        "channels": [email_channel("a@example.com"), email_channel("a2@example.com"), sms_channel("+380501112233"),
                     {"type": "mobilepush", "value": "8900-7654", "device": {"appId": "83b7", "os": "Android"}}],
        "address": {"town": "Kyiv", "postcode": "01001"}, "addressBookId": 1, "externalCustomerId": "E1",
        "ordersInfo": {"lastDate": "2024-01-01T10:00:00", "count": 3}}
    three = call(app, account.key, "POST", "contact", {"channels": [email_channel(f"{i}@example.com")
                                                                    for i in range(3)]})
    assert three.status_int == 400 and "At most 2 channels of the type email" in three.text


def test_delete_soft_and_erase(app, account):
    number = ok(call(app, account.key, "POST", "contact", {"channels": [email_channel("a@example.com")]}))["id"]
    assert ok(call(app, account.key, "DELETE", f"contact/{number}")) == f"Contact with id='{number}' has been deleted"
    assert Contact.get_by_id(number).deleted_at is not None
    assert call(app, account.key, "DELETE", f"contact/{number}").status_int == 404
    ok(call(app, account.key, "DELETE", f"contact/{number}?erase=true"))
    assert Contact.get_or_none(Contact.id == number) is None
    assert call(app, account.key, "DELETE", "contact?externalCustomerId=nobody").status_int == 404
    assert call(app, account.key, "DELETE", "contact").status_int == 400
    assert call(app, account.key, "DELETE", "contact/abc").status_int == 404


# -- search ----------------------------------------------------------------------------------------
def test_search_paging_total_count_and_filters(app, account):
    contacts = [{"channels": [email_channel(f"u{i}@example.com")], "firstName": "Ann" if i % 2 else "Bob",
                 "externalCustomerId": f"E{i}"} for i in range(7)]
    bulk(app, account.key, contacts, dedupeOn="email")
    response = call(app, account.key, "GET", "contacts?startindex=3&maxrows=2")
    assert response.headers["TotalCount"] == "7"
    assert [c["channels"][0]["value"] for c in response.json] == ["u2@example.com", "u3@example.com"]
    assert set(response.json[0]) == {"id", "firstName", "channels", "addressBookId", "externalCustomerId"}
    found = call(app, account.key, "GET", "contacts?firstname=ann&maxrows=9999")
    assert found.headers["TotalCount"] == "3" and {c["firstName"] for c in found.json} == {"Ann"}
    single = ok(call(app, account.key, "GET", "contacts?externalCustomerId=E4"))
    assert isinstance(single, list) and [c["externalCustomerId"] for c in single] == ["E4"]  # never the quirk
    assert call(app, account.key, "GET", "contacts?externalCustomerId=E4&email=u4@example.com").status_int == 400
    assert call(app, account.key, "GET", "contacts?startindex=0").status_int == 400
    assert ok(call(app, account.key, "GET", "contacts?sms=not-a-phone")) == []


def test_emails_by_ids(app, account):
    bulk(app, account.key, [{"channels": [email_channel("a@example.com")]},
                            {"channels": [email_channel("b@example.com")]}], dedupeOn="email")
    a, b = [c.id for c in Contact.select().order_by(Contact.id)]
    assert ok(call(app, account.key, "GET", f"contacts/email?ids={a},{b},999999")) == {
        "results": [{"contactId": a, "email": "a@example.com"}, {"contactId": b, "email": "b@example.com"}]}
    assert ok(call(app, account.key, "GET", f"contacts/email?ids={a}")) == {
        "results": {"contactId": a, "email": "a@example.com"}}  # one element: an object (documented quirk)
    assert call(app, account.key, "GET", "contacts/email?ids=x").status_int == 400


# -- segments --------------------------------------------------------------------------------------
def test_groups_attach_detach_and_members(app, account):
    catalog.create_list(account.id, "Customers", number=134, kind="segment")
    catalog.create_list(account.id, "Dynamic one", number=135, kind="segment", attrs={"type": "Dynamic"})
    bulk(app, account.key, [{"channels": [email_channel(f"u{i}@example.com")], "externalCustomerId": f"E{i}"}
                            for i in range(3)], dedupeOn="email")
    ids = [c.id for c in Contact.select().order_by(Contact.id)]
    groups = call(app, account.key, "GET", "groups?name=cust")
    assert groups.json == [{"id": 134, "name": "Customers", "type": "Static"}] and groups.headers["TotalCount"] == "1"
    assert ok(call(app, account.key, "GET", "groups"))[1]["type"] == "Dynamic"
    assert ok(call(app, account.key, "POST", "group/134/contacts/attach", {"contactIds": ids[:2]})) == \
        "Contacts have been attached to the segment with id='134'"
    ok(call(app, account.key, "POST", "group/134/contacts/attach", {"externalCustomerIds": ["E2"]}))
    members = call(app, account.key, "GET", "group/134/contacts?maxrows=2")
    assert members.headers["TotalCount"] == "3" and [c["id"] for c in members.json] == ids[:2]
    assert members.json[0]["groups"] == [{"id": 134, "name": "Customers", "type": "Static"}]
    ok(call(app, account.key, "POST", "group/134/contacts/detach", {"externalCustomerIds": ["E0"]}))
    assert [c["id"] for c in ok(call(app, account.key, "GET", "group/134/contacts"))] == ids[1:]
    # Unknown contacts: nothing attached, the misses named.
    missing = call(app, account.key, "POST", "group/134/contacts/attach", {"contactIds": [ids[0], 999999]})
    assert missing.status_int == 404 and missing.text == "Contacts not found: 999999"
    assert call(app, account.key, "POST", "group/134/contacts/attach",
                {"contactIds": [ids[0]], "externalCustomerIds": ["E1"]}).status_int == 400
    assert call(app, account.key, "POST", "group/134/contacts/attach",
                {"contactIds": list(range(1, 502))}).status_int == 400
    # Detach without ids empties the segment (a client posts no body at all).
    ok(call(app, account.key, "POST", "group/134/contacts/detach"))
    assert ok(call(app, account.key, "GET", "group/134/contacts")) == []
    assert Membership.select().count() == 0
    assert call(app, account.key, "GET", "group/999/contacts").status_int == 404


# -- unsubscribed addresses ------------------------------------------------------------------------
def test_unsubscribed_addresses_reach_every_contact_with_them(app, account):
    bulk(app, account.key, [{"channels": [email_channel("a@example.com")], "externalCustomerId": "1"},
                            {"channels": [email_channel("a@example.com")], "externalCustomerId": "2"}],
         dedupeOn="externalCustomerId")
    bulk(app, account.key, [{"channels": [email_channel("b@example.com")]}], dedupeOn="email")
    response = call(app, account.key, "POST", "emails/unsubscribed/add",
                    {"emails": ["A@example.com", "later@example.com", "junk"]})
    assert response.status_int == 200 and response.body == b""
    statuses = {(c.email, c.external_id, c.email_status) for c in Contact.select()}
    assert statuses == {("a@example.com", "1", "unsubscribed"), ("a@example.com", "2", "unsubscribed"),
                        ("b@example.com", None, "active"), ("later@example.com", None, "unsubscribed")}
    # Imports do not lift it, not even for a new contact or an address unknown when it was added.
    bulk(app, account.key, [{"channels": [email_channel("a@example.com")], "externalCustomerId": "3"},
                            {"channels": [email_channel("later@example.com")], "firstName": "Later"}],
         dedupeOn="email")
    assert Contact.get(Contact.external_id == "3").email_status == "unsubscribed"
    assert Contact.get(Contact.email == "later@example.com").email_status == "unsubscribed"
    # The delete method does, everywhere.
    ok(call(app, account.key, "POST", "emails/unsubscribed/delete", {"emails": ["a@example.com", "later@example.com"]}))
    assert {c.email_status for c in Contact.select()} == {"active"}
    assert call(app, account.key, "POST", "emails/unsubscribed/add", {"emails": []}).status_int == 400


# -- catalogue and account -------------------------------------------------------------------------
def test_address_books_and_account_info(app, account, fields):
    books = ok(call(app, account.key, "GET", "addressbooks"))
    assert books == {"addressBook": {"addressBookId": "1", "name": "Main", "fieldGroups": {"name": "Main", "fields": [
        {"id": "12345", "name": "Profession",
         "description": {"type": "textfield", "required": "false", "readonly": "false"}},
        {"id": "15868", "name": "Gender", "description": {"type": "combobox",
                                                          "allowedValues": {"possibleValues": ["M", "F"]},
                                                          "required": "false", "readonly": "false"}}]}}}
    assert ok(call(app, account.key, "GET", "account/info")) == {"userEmail": account.name,
                                                                 "organisationName": account.name}


# -- wire ------------------------------------------------------------------------------------------
def test_paths_slashes_stray_question_mark_and_any_user_name(app, account):
    number = ok(call(app, account.key, "POST", "contact/", {"channels": [email_channel("a@example.com")]}))["id"]
    for path in (f"/api/v1/contact/{number}/", f"/api/v1/contact/{number}?"):
        assert ok(call(app, account.key, "GET", path))["id"] == number
    for user in ("", "user", "api-user", "someone@example.com"):
        assert ok(call(app, account.key, "GET", "account/info", user=user))
    # A key sent as the user name with no password (a client that swapped them) works too.
    swapped = app.get("/api/v1/account/info", headers={"Authorization": basic(account.key, "")})
    assert swapped.status_int == 200
    assert call(app, account.key, "GET", "/api/v2/contacts").status_int == 404
    assert call(app, account.key, "PATCH", "contacts").headers["Allow"] == "GET, POST"
    options = app.options("/api/v1/contacts")
    assert options.status_int == 200 and "PUT" in options.headers["Access-Control-Allow-Methods"]


def test_xml_requests_and_answers(app, account, fields):
    body = (b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<subscribeContact xmlns="http://esputnik.com.ua/dto"><contact>'
            b'<channels><channel><type>email</type><value>x@example.com</value></channel></channels>'
            b'<firstName>Xavier</firstName><fields><id>12345</id><value>tester</value></fields>'
            b'</contact><groups>Subscribers</groups><formType>xml</formType></subscribeContact>')
    response = call(app, account.key, "POST", "contact/subscribe", raw=body, content_type="application/xml")
    assert response.status_int == 200 and response.content_type == "application/xml"
    root = etree.fromstring(response.body)
    assert root.tag == f"{NS}result" and root.findtext(f"{NS}emailStatus") == "NEED_CONFIRMATION"
    number = int(root.findtext(f"{NS}id"))
    # JSON in, XML out when Accept asks for it; a list is a wrapper of repeated elements.
    xml = call(app, account.key, "GET", f"contact/{number}", headers={"Accept": "application/xml"})
    tree = etree.fromstring(xml.body)
    assert tree.tag == f"{NS}contact" and tree.findtext(f"{NS}firstName") == "Xavier"
    assert tree.find(f"{NS}channels").findtext(f"{NS}value") == "x@example.com"
    listing = etree.fromstring(call(app, account.key, "GET", "contacts", headers={"Accept": "text/xml"}).body)
    assert listing.tag == f"{NS}contacts" and [c.tag for c in listing] == [f"{NS}contact"]
    bulk_xml = (b'<contactsBulkUpdate><contacts><channels><type>email</type><value>y@example.com</value></channels>'
                b'</contacts><contacts><channels><type>email</type><value>bad</value></channels></contacts>'
                b'<dedupeOn>email</dedupeOn><restoreDeleted>false</restoreDeleted></contactsBulkUpdate>')
    answer = etree.fromstring(call(app, account.key, "POST", "contacts", raw=bulk_xml, content_type="text/xml").body)
    assert answer.tag == f"{NS}contactBulkUpdateResult" and answer.findtext(f"{NS}asyncSessionId")
    assert answer.find(f"{NS}failedContacts").findtext(f"{NS}error") == "Invalid email address: 'bad'"
    assert Contact.select().where(Contact.email == "y@example.com").count() == 1


def test_json_in_another_charset(app, account):
    body = '{"channels": [{"type": "email", "value": "k@example.com"}], "firstName": "Кирило"}'.encode("cp1251")
    ok(call(app, account.key, "POST", "contact", raw=body, content_type="application/json; charset=windows-1251"))
    assert Contact.get().attrs["first_name"] == "Кирило"
