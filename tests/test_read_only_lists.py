"""Lists that take no API write (catalog.READ_ONLY, as Dotdigital's "Test" address book): one rule on every path."""
from __future__ import annotations

from adapters.dotdigital import pull
from core import catalog, contacts


def call(app, key, method, **params):
    return app.post(f"/en/api/{method}?format=json", {"api_key": key, **params}).json


def test_a_pulled_dotdigital_test_book_is_read_only_and_others_are_not():
    books = [{"id": 901, "name": "Test", "visibility": "Private"}, {"id": 902, "name": "Testers", "visibility": "Public"}]
    assert [b["attrs"] for b in pull.lists(books)] == [{"visibility": "Private", "read_only": True},
                                                       {"visibility": "Public"}]


def test_every_write_path_refuses_a_read_only_list_and_all_lists_leaves_it_alone(app, account):
    catalog.create_list(account.id, "Test", number=7, kind="address_book", attrs={catalog.READ_ONLY: True})
    catalog.create_list(account.id, "News", number=8)
    refused = {"error": "List 7 cannot be written to", "code": "invalid_arg", "result": ""}
    # subscribe and importContacts (the batch path; refused whole, as an unknown list is), exclude naming it
    # (the membership path): the same answer.
    assert call(app, account.key, "subscribe", list_ids="7,8", double_optin="3",
                **{"fields[email]": "a@example.com"}) == refused
    assert call(app, account.key, "importContacts", **{"field_names[0]": "email", "field_names[1]": "email_list_ids",
                                                       "data[0][0]": "a@example.com", "data[0][1]": "7"}) == refused
    try:
        contacts.find(account.id, "email", "a@example.com")
        raise AssertionError("a refused write stored the contact")
    except Exception as error:  # noqa: BLE001 - CoreError contact_not_found
        assert getattr(error, "code", None) == "contact_not_found"

    # A contact the operator put in it (a setup file, a pull) stays there whatever the API does.
    call(app, account.key, "subscribe", list_ids="8", double_optin="3", **{"fields[email]": "b@example.com"})
    b = contacts.find(account.id, "email", "b@example.com")
    from core.schema import ContactList, Membership
    test_book = ContactList.get((ContactList.account == account.id) & (ContactList.number == 7))
    Membership.create(contact=b.id, list=test_book.id, channel="email", status="subscribed")
    assert call(app, account.key, "exclude", contact_type="email", contact="b@example.com", list_ids="7") == refused
    assert call(app, account.key, "unsubscribe", contact_type="email", contact="b@example.com") == {"result": {}}
    after = {m.list: m.status for m in contacts.find(account.id, "email", "b@example.com").memberships}
    assert after == {7: "subscribed", 8: "unsubscribed"}
