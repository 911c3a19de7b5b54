"""The Icomm dialect through the WSGI app: saves, batches in order, status rules, removal, unsubscribe, lists."""
from __future__ import annotations

import pytest

from core import accounts, catalog, suppression
from core.schema import Contact
from helpers import warm_catalogue
from querycount import count_queries

PROFILE = "MTIzNDU20"
OTHER_PROFILE = "NjU0MzIx0"


@pytest.fixture
def icomm(app, account):
    """An account whose database 1 is the profile PROFILE and database 2 OTHER_PROFILE."""
    main = catalog.database(account.id, 1)
    main.attrs = {"profile_key": PROFILE}
    main.save()
    catalog.create_database(account.id, "Other", number=2, attrs={"profile_key": OTHER_PROFILE})
    catalog.create_field(account.id, "Nombre")
    catalog.create_field(account.id, "Apellido")
    catalog.create_field(account.id, "Nacimiento", type="date")
    catalog.create_field(account.id, "Puntos", type="number")
    catalog.create_field(account.id, "Nombre", database_number=2)
    return Client(app, account.key)


class Client:
    def __init__(self, app, key):
        self.app = app
        self.key = key

    def call(self, operation: str, body: dict, status: int = 200, key: str | None = None):
        response = self.app.post_json(f"/Contacts/{operation}.Json/", body, expect_errors=True,
                                      headers={"Authorization": self.key if key is None else key})
        assert response.status_int == status, response.text
        assert response.content_type == "application/json"
        return response.json

    def save(self, email, fields=None, profile=PROFILE, **kw):
        contact = {"Email": email}
        if fields is not None:
            contact["CustomFields"] = [{"Key": k, "Value": v} for k, v in fields.items()]
        return self.call("SaveContact", {"ProfileKey": profile, "Contact": contact}, **kw)["SaveContactJsonResult"]

    def multi(self, contacts, profile=PROFILE):
        answer = self.call("SaveMultiContact", {"ProfileKey": profile, "ContactList": contacts})
        return answer["SaveMultiContactJsonResult"]

    def full(self, profile=PROFILE, **filters):
        return self.call("ListFull", {"ProfileKey": profile, "Filters": filters})["ListContactsFullJsonResult"]

    def fields_of(self, email, profile=PROFILE):
        [contact] = self.full(profile, Email=email)
        return {f["Key"]: f["Value"] for f in contact["CustomFields"]}


def test_save_creates_then_updates_only_the_fields_sent(icomm):
    answer = icomm.save("ana@example.com", {"Nombre": "Ana", "Apellido": "Soto", "Nacimiento": "05/03/1990"})
    assert answer == {"Message": "Contact saved", "MessageDetail": "Contact created",
                      "Data": {"Email": "ana@example.com", "Status": "A"}, "StatusCode": 1}
    assert icomm.save("Ana@Example.com", {"Apellido": "Rojas"})["MessageDetail"] == "Contact updated"
    assert icomm.fields_of("ana@example.com") == {"Nombre": "Ana", "Apellido": "Rojas", "Nacimiento": "05/03/1990"}
    assert icomm.save("ana@example.com")["StatusCode"] == 1  # no CustomFields at all: nothing changes
    assert icomm.fields_of("ana@example.com") == {"Nombre": "Ana", "Apellido": "Rojas", "Nacimiento": "05/03/1990"}


def test_empty_or_null_value_clears_a_field(icomm):
    icomm.save("ana@example.com", {"Nombre": "Ana", "Apellido": "Soto", "Puntos": "10"})
    icomm.save("ana@example.com", {"Nombre": "", "Apellido": None})
    assert icomm.fields_of("ana@example.com") == {"Puntos": "10"}


def test_values_of_other_json_types_are_read_as_text(icomm):
    icomm.save("ana@example.com", {"Nombre": 42, "Apellido": True, "Puntos": 7.0})
    assert icomm.fields_of("ana@example.com") == {"Nombre": "42", "Apellido": "true", "Puntos": "7"}


def test_dates_are_stored_as_dates_and_printed_dd_mm_yyyy(icomm, account):
    icomm.save("ana@example.com", {"Nacimiento": "01/02/1990"})
    stored = Contact.get(Contact.email == "ana@example.com").fields
    assert "1990-02-01" in stored.values()
    answer = icomm.save("bob@example.com", {"Nacimiento": "31/02/1990"})
    assert answer["StatusCode"] == 104 and "Nacimiento" in answer["MessageDetail"]
    assert answer["Data"] == {"Email": "bob@example.com", "Status": None}
    assert icomm.full(Email="bob@example.com") == []


def test_multi_answers_every_item_in_input_order_with_constant_queries(icomm, account):
    def batch(prefix, size):
        contacts = []
        for i in range(size):
            if i % 10 == 3:
                contacts.append({"Email": f"broken-{i}"})
            elif i % 10 == 7:
                contacts.append({"Email": f"{prefix}{i}@example.com", "CustomFields": [{"Key": "Nope", "Value": "x"}]})
            else:
                contacts.append({"Email": f"{prefix}{i}@example.com",
                                 "CustomFields": [{"Key": "Nombre", "Value": f"N{i}"}]})
        return contacts

    warm_catalogue(account.id)
    counts = []
    for prefix, size in (("s", 10), ("l", 300)):
        with count_queries() as seen:
            answer = icomm.multi(batch(prefix, size))
        counts.append(len(seen))
        codes = [r["StatusCode"] for r in answer["Responses"]]
        assert codes == [102 if i % 10 == 3 else 103 if i % 10 == 7 else 1 for i in range(size)]
        emails = [r["Data"]["Email"] for r in answer["Responses"]]
        assert emails == [c["Email"] for c in batch(prefix, size)]
        assert answer["StatusCode"] == 1
    assert counts[0] == counts[1], counts
    live = Contact.select().where(Contact.account == account.id).count()
    assert live == 8 + 240


def test_multi_repeated_address_updates_the_contact_the_batch_created(icomm):
    answer = icomm.multi([{"Email": "a@example.com", "CustomFields": [{"Key": "Nombre", "Value": "A1"}]},
                          {"Email": "A@example.com", "CustomFields": [{"Key": "Nombre", "Value": "A2"}]}])
    assert [r["MessageDetail"] for r in answer["Responses"]] == ["Contact created", "Contact updated"]
    assert icomm.fields_of("a@example.com") == {"Nombre": "A2"}


def test_empty_contact_list_is_a_success_with_no_responses(icomm):
    answer = icomm.multi([])
    assert answer["StatusCode"] == 1 and answer["Responses"] == []


def test_bounced_addresses_are_loaded_as_rejected(icomm):
    suppression.add([("bounced@example.com", "bounce")])
    answer = icomm.save("bounced@example.com", {"Nombre": "B"})
    assert answer["StatusCode"] == 1 and answer["Data"]["Status"] == "R"
    assert icomm.full(Email="bounced@example.com")[0]["Status"] == "R"


def test_previously_unsubscribed_addresses_join_a_profile_unsubscribed(icomm, account):
    icomm.save("ana@example.com")
    assert icomm.call("UnsubscribeContact", {"ProfileKey": PROFILE, "Contact": {"Email": "ana@example.com"}})[
        "UnsubscribeContactJsonResult"]["StatusCode"] == 1
    # Into another profile: added, but unsubscribed.
    answer = icomm.save("ana@example.com", {"Nombre": "Ana"}, profile=OTHER_PROFILE)
    assert answer["MessageDetail"].startswith("Contact created") and answer["Data"]["Status"] == "U"
    # Removed and added again to the first profile: still unsubscribed.
    icomm.call("RemoveContact", {"ProfileKey": PROFILE, "Contact": {"Email": "ana@example.com"}})
    assert icomm.save("ana@example.com")["Data"]["Status"] == "U"
    # A later save of the existing contact does not lift it either.
    assert icomm.save("ana@example.com", {"Nombre": "Again"})["Data"]["Status"] == "U"


def test_unsubscribe_reaches_every_profile_and_remembers_unknown_addresses(icomm):
    icomm.save("ana@example.com")
    icomm.save("ana@example.com", profile=OTHER_PROFILE)
    result = icomm.call("UnsubscribeContact", {"ProfileKey": OTHER_PROFILE, "Contact": {"Email": "ANA@example.com"}})
    assert result["UnsubscribeContactJsonResult"]["Data"] == {"Email": "ana@example.com", "Status": "U"}
    assert icomm.full(Email="ana@example.com")[0]["Status"] == "U"
    assert icomm.full(OTHER_PROFILE, Email="ana@example.com")[0]["Status"] == "U"
    fresh = icomm.call("UnsubscribeContact", {"ProfileKey": PROFILE, "Contact": {"Email": "new@example.com"}})
    assert fresh["UnsubscribeContactJsonResult"]["Data"]["Status"] == "U"
    assert icomm.full(Email="new@example.com")[0]["Status"] == "U"
    assert icomm.save("new@example.com", profile=OTHER_PROFILE)["Data"]["Status"] == "U"


def test_remove_only_touches_the_named_profile(icomm):
    icomm.save("ana@example.com", {"Nombre": "Ana"})
    icomm.save("ana@example.com", profile=OTHER_PROFILE)
    body = {"ProfileKey": PROFILE, "Contact": {"Email": "ana@example.com"}}
    assert icomm.call("RemoveContact", body)["RemoveContactJsonResult"]["StatusCode"] == 2
    assert icomm.call("RemoveContact", body)["RemoveContactJsonResult"]["StatusCode"] == 101
    assert icomm.full() == []
    assert len(icomm.full(OTHER_PROFILE)) == 1
    # Added again it is a new contact: the old values are gone.
    assert icomm.save("ana@example.com")["MessageDetail"] == "Contact created"
    assert icomm.fields_of("ana@example.com") == {}


def test_list_contacts_and_paging(icomm):
    icomm.multi([{"Email": f"u{i}@example.com"} for i in range(5)])
    answer = icomm.call("List", {"ProfileKey": PROFILE, "Filters": {}})["ListContactsJsonResult"]
    assert [c["Email"] for c in answer["Data"]] == [f"u{i}@example.com" for i in range(5)]
    assert answer["StatusCode"] == 1
    alias = icomm.call("ListContacts", {"ProfileKey": PROFILE})["ListContactsJsonResult"]
    assert alias["Data"] == answer["Data"]
    response = icomm.app.post_json("/Contacts/ListFull.Json/", {"ProfileKey": PROFILE, "Page": 2, "PageSize": 2},
                                   headers={"Authorization": icomm.key})
    assert [c["Email"] for c in response.json["ListContactsFullJsonResult"]] == ["u2@example.com", "u3@example.com"]
    assert response.headers["X-Total-Count"] == "5"
    assert icomm.full(Email="nobody@example.com") == []
    assert icomm.full(Email="") == []


def test_paths_ignore_case_trailing_slash_and_doubled_slashes(icomm):
    body = {"ProfileKey": PROFILE, "Contact": {"Email": "ana@example.com"}}
    for path in ("/Contacts/SaveContact.Json/", "/contacts/savecontact.json", "/CONTACTS/SAVECONTACT.JSON//",
                 "//Contacts/SaveContact.json/"):
        response = icomm.app.post_json(path, body, headers={"Authorization": icomm.key})
        assert response.json["SaveContactJsonResult"]["StatusCode"] == 1, path


def test_a_contact_saved_through_icomm_is_the_one_unisender_sees(icomm, account):
    icomm.save("ana@example.com", {"Nombre": "Ana", "Nacimiento": "05/03/1990"})
    seen = icomm.app.get(f"/en/api/getContact?format=json&api_key={account.key}&email=ANA@example.com"
                         "&include_fields=1").json["result"]
    assert seen["email"]["email"] == "ana@example.com"
    assert seen["fields"] == {"Nombre": "Ana", "Nacimiento": "1990-03-05"}
    # …and the other way round: Unisender's import updates the same contact Icomm lists.
    icomm.app.post(f"/en/api/importContacts?format=json&api_key={account.key}",
                   {"field_names[0]": "email", "field_names[1]": "Nombre", "data[0][0]": "ana@example.com",
                    "data[0][1]": "Ana María"})
    assert icomm.fields_of("ana@example.com")["Nombre"] == "Ana María"
    assert Contact.select().where(Contact.account == account.id).count() == 1
    # A phone-only contact Unisender keeps in the same database is no Icomm contact.
    icomm.app.post(f"/en/api/importContacts?format=json&api_key={account.key}",
                   {"field_names[0]": "phone", "data[0][0]": "+79261234567"})
    assert [c["Email"] for c in icomm.full()] == ["ana@example.com"]


def test_a_key_limited_to_another_dialect_is_refused(icomm, account):
    _, unisender_only = accounts.add_key(account.id, dialect="unisender")
    answer = icomm.call("SaveContact", {"ProfileKey": PROFILE, "Contact": {"Email": "a@example.com"}}, status=401,
                        key=unisender_only)
    assert answer["code"] == 120
