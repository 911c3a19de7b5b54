"""Core policies added for dialects that scope updates: kept identities, update_only/update_fields, list
members by id, email status by address, list removals that create nothing, optional event params."""
from __future__ import annotations

import pytest

from core import catalog, consent, errors, list_members, unsubscribed
from core.errors import CoreError
from core.model import ContactChange, EventSpec, ListChange, UpsertCommand
from core.schema import Contact, ContactList, Event, Membership
from outbox import vendor_events
from core.upsert import upsert
from querycount import count_queries


def run(account, items, **options):
    return upsert(account.id, UpsertCommand(items=items, **options))


def test_kept_identities_stay_on_existing_contacts_and_fill_when_empty(account):
    run(account, [ContactChange(identities={"external_id": "X", "email": "a@example.com"})])
    run(account, [ContactChange(identities={"external_id": "X", "email": "b@example.com", "phone": "+79261112233"})],
        match=("external_id", "email"), keep_identities=("email", "phone"))
    stored = Contact.get()
    assert (stored.email, stored.phone) == ("a@example.com", "+79261112233")  # kept; an empty one is filled
    # A new contact takes them all.
    run(account, [ContactChange(identities={"external_id": "Y", "email": "y@example.com"})],
        match=("external_id",), keep_identities=("email",))
    assert Contact.get(Contact.external_id == "Y").email == "y@example.com"


def test_the_custom_match_field_can_be_kept(account):
    catalog.create_field(account.id, "Code", number=7)
    run(account, [ContactChange(identities={"external_id": "X"}, fields={7: "K1"})], field_key="number")
    run(account, [ContactChange(identities={"external_id": "X"}, fields={7: "K2"}, custom_match=(7, "K2"))],
        field_key="number", match=("external_id", "field"), keep_identities=("field",))
    assert list(Contact.get().fields.values()) == ["K1"]


def test_update_only_and_update_fields_scope_existing_contacts(account):
    catalog.create_field(account.id, "A", number=1)
    catalog.create_field(account.id, "B", number=2)
    first = ContactChange(identities={"email": "a@example.com", "phone": "+79261112233"},
                          attrs={"first_name": "Ann", "last_name": "Lee"}, fields={1: "a", 2: "b"},
                          channels={"push": [{"value": "t1"}]})
    run(account, [first], field_key="number")
    second = ContactChange(identities={"email": "a@example.com", "phone": "+79269999999"},
                           attrs={"first_name": "Changed", "last_name": None}, fields={1: "A2", 2: "B2"},
                           channels={"push": None}, clear_identities=("phone",))
    policy = dict(field_key="number", update_only=frozenset({"last_name"}), update_fields=frozenset({2}))
    run(account, [second], **policy)
    stored = Contact.get()
    assert stored.phone == "+79261112233" and stored.attrs == {"first_name": "Ann"}
    assert stored.fields == {str(f.id): v for f, v in zip(catalog.fields(account.id), ("a", "B2"))}
    assert stored.channels == {"push": [{"value": "t1"}]}
    # A contact the same command creates takes everything.
    run(account, [ContactChange(identities={"email": "new@example.com"}, attrs={"first_name": "New"},
                                fields={1: "x"})], **policy)
    assert Contact.get(Contact.email == "new@example.com").attrs == {"first_name": "New"}


def test_scoped_batches_still_cost_a_constant_number_of_queries(account):
    def batch(n, prefix):
        return [ContactChange(identities={"email": f"{prefix}{i}@example.com", "external_id": f"{prefix}{i}"},
                              attrs={"first_name": str(i)}) for i in range(n)]

    policy = dict(match=("external_id", "email"), keep_identities=("email",), update_only=frozenset({"first_name"}))
    counts = []
    for n, prefix in ((5, "s"), (300, "l")):
        run(account, batch(n, prefix), **policy)
        with count_queries() as seen:
            run(account, batch(n, prefix), **policy)
        counts.append(len(seen))
    assert counts[0] == counts[1]


def test_list_removals_create_no_list_and_new_lists_take_the_kind(account):
    run(account, [ContactChange(identities={"email": "a@example.com"},
                                lists=[ListChange("Keep"), ListChange("Ghost", "removed")])],
        create_missing_lists=True, new_list_kind="segment")
    assert [(row.title, row.kind) for row in ContactList.select()] == [("Keep", "segment")]


def test_optional_event_params_are_left_out_when_empty(account):
    spec = EventSpec(on_create="new", params={"Id": "contact_id", "Email": "email", "Phone": "phone"},
                     omit_empty=("Email",))
    run(account, [ContactChange(identities={"phone": "+79261112233"})], events=spec)
    assert set(vendor_events().get().params) == {"Id", "Phone"}


def test_list_members_by_id_all_or_nothing(account):
    catalog.create_list(account.id, "L", number=9)
    run(account, [ContactChange(identities={"email": f"{i}@example.com", "external_id": f"E{i}"}) for i in range(3)])
    ids = [c.id for c in Contact.select().order_by(Contact.id)]
    with pytest.raises(CoreError) as missing:
        list_members.attach(account.id, 9, "id", [ids[0], 424242, "x"])
    assert missing.value.code == errors.CONTACT_NOT_FOUND and Membership.select().count() == 0
    assert list_members.attach(account.id, 9, "id", ids[:2]) == 2
    assert list_members.attach(account.id, 9, "external_id", ["E1", "E2"]) == 1
    assert list_members.detach(account.id, 9, "external_id", ["E0"]) == 1
    assert list_members.detach(account.id, 9, "id", None) == 2
    with pytest.raises(CoreError):
        list_members.attach(account.id, 10, "id", ids)


def test_resubscribing_lifts_an_account_wide_withdrawal(account):
    from core import deletion

    run(account, [ContactChange(identities={"email": "a@example.com", "external_id": str(i)}) for i in range(2)],
        match=("external_id",))
    deletion.delete(account.id, "external_id", ["1"])
    consent.unsubscribe_everywhere(account.id, ["A@Example.com", "new@example.com"])
    assert unsubscribed.unsubscribed(account.id, ["a@example.com", "new@example.com"]) == {"a@example.com",
                                                                                       "new@example.com"}
    assert consent.resubscribe_everywhere(account.id, ["a@example.com"]) == 2  # the removed holder too
    assert unsubscribed.unsubscribed(account.id, ["a@example.com", "new@example.com"]) == {"new@example.com"}
    assert {c.email_status for c in Contact.select().where(Contact.email == "a@example.com")} == {"active"}
