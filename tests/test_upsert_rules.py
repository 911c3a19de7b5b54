"""The core upsert's rules, dialect-free: ordering, matching, conflicts, statuses, lists, tags, bulk cost."""
from __future__ import annotations

import pytest

from core import catalog, contacts, errors, suppression
from core.model import UNSET, ContactChange, EventSpec, ListChange, UpsertCommand
from core.schema import Contact, Event
from outbox import vendor_events
from core.upsert import upsert
from querycount import count_queries


def change(**ids):
    return ContactChange(identities=ids)


def run(account, items, **options):
    return upsert(account.id, UpsertCommand(items=items, **options))


def test_results_keep_input_order_and_bad_items_fail_alone(account):
    items = [change(email="a@example.com"), change(email="broken"), change(phone="12"), change(email="b@example.com")]
    result = run(account, items)
    assert [r.outcome for r in result.items] == ["created", "failed", "failed", "created"]
    assert result.items[1].error.code == errors.INVALID_EMAIL
    assert result.items[2].error.code == errors.INVALID_PHONE
    assert Contact.select().where(Contact.account == account.id).count() == 2


def test_a_later_item_for_the_same_contact_updates_it(account):
    result = run(account, [change(email="A@Example.com"), change(email="a@example.com")])
    assert [r.outcome for r in result.items] == ["created", "updated"]
    assert result.items[0].contact_id == result.items[1].contact_id
    assert Contact.select().count() == 1


def test_rerun_updates_instead_of_duplicating(account):
    first = run(account, [change(email="a@example.com"), change(email="b@example.com")])
    second = run(account, [change(email="a@example.com"), change(email="b@example.com")])
    assert [r.outcome for r in second.items] == ["updated", "updated"]
    assert [r.contact_id for r in first.items] == [r.contact_id for r in second.items]


def test_unique_identity_clash_fails_the_item(account):
    items = [change(email="a@example.com", phone="+79261232323"), change(email="b@example.com", phone="+79261232323")]
    result = run(account, items, match=("email", "phone"), match_fallback=False, unique=("email", "phone"))
    assert result.items[1].outcome == "failed"
    assert result.items[1].error.code == errors.PHONE_CONFLICT
    assert Contact.select().count() == 1


def test_fallback_matching_finds_by_the_second_identity(account):
    run(account, [change(phone="+79261232323")])
    result = run(account, [change(email="a@example.com", phone="+79261232323")], match=("email", "phone"))
    assert result.items[0].outcome == "updated"
    assert Contact.get().email == "a@example.com"


def test_external_id_first_then_email_and_foreign_external_ids_are_other_people(account):
    run(account, [ContactChange(identities={"email": "a@example.com", "external_id": "X1"})])
    # The same email under another external id is another person: a new contact.
    result = run(account, [ContactChange(identities={"email": "a@example.com", "external_id": "X2"})],
                 match=("external_id", "email"))
    assert result.items[0].outcome == "created"
    # An unknown external id with a known email of a contact without external id: that contact.
    run(account, [change(email="b@example.com")])
    result = run(account, [ContactChange(identities={"email": "b@example.com", "external_id": "X3"})],
                 match=("external_id", "email"))
    assert result.items[0].outcome == "updated"
    assert Contact.get(Contact.email == "b@example.com").external_id == "X3"


def test_new_status_default_and_locked_statuses(account):
    run(account, [change(email="a@example.com")], default_email_status="new")
    result = run(account, [ContactChange(identities={"email": "a@example.com"}, email_status="active")],
                 status_changeable_from=frozenset({"active", "inactive"}))
    assert result.items[0].email_status == "new"  # "new" is not changeable by import
    run(account, [ContactChange(identities={"email": "b@example.com"}, email_status="unsubscribed")])
    result = run(account, [ContactChange(identities={"email": "b@example.com"}, email_status="active")])
    assert result.items[0].email_status == "unsubscribed"
    assert result.items[0].warnings[0][0] == errors.STATUS_LOCKED


def test_globally_suppressed_addresses_are_blocked_or_fail(account):
    suppression.add([("bounced@example.com", "bounce")])
    result = run(account, [change(email="Bounced@example.com")])
    assert result.items[0].outcome == "created"
    assert result.items[0].email_status == "blocked"
    assert result.items[0].warnings[0][0] == errors.SUPPRESSED_WARNING
    result = run(account, [change(email="bounced@example.com")], on_suppressed="fail")
    assert result.items[0].error.code == errors.SUPPRESSED


def test_deleted_contacts_recreate_restore_or_skip(account):
    created = run(account, [ContactChange(identities={"email": "a@example.com"}, attrs={"first_name": "Ann"})])
    run(account, [ContactChange(identities={"email": "a@example.com"}, delete=True)])
    skipped = run(account, [change(email="a@example.com")], on_deleted="skip")
    assert skipped.items[0].outcome == "skipped"
    restored = run(account, [change(email="a@example.com")], on_deleted="restore")
    assert restored.items[0].outcome == "updated" and restored.items[0].restored
    assert Contact.get().attrs == {"first_name": "Ann"}
    run(account, [ContactChange(identities={"email": "a@example.com"}, delete=True)])
    recreated = run(account, [change(email="a@example.com")], on_deleted="recreate")
    assert recreated.items[0].outcome == "created"
    assert recreated.items[0].contact_id == created.items[0].contact_id
    assert Contact.get().attrs == {}


def test_create_and_update_modes(account):
    run(account, [change(email="a@example.com")])
    result = run(account, [change(email="a@example.com"), change(email="b@example.com")], mode="create")
    assert [r.outcome for r in result.items] == ["failed", "created"]
    assert result.items[0].error.code == errors.ALREADY_EXISTS
    result = run(account, [change(email="c@example.com"), change(email="a@example.com")], mode="update")
    assert [r.outcome for r in result.items] == ["failed", "updated"]
    assert result.items[0].error.code == errors.CONTACT_NOT_FOUND


@pytest.mark.parametrize("policy, expected", [("overwrite", {"City": "", "Age": "5"}),
                                              ("if_not_empty", {"City": "Riga", "Age": "5"}),
                                              ("if_empty", {"City": "Riga", "Age": "4", "Zip": "1"})])
def test_field_merge_policies(account, policy, expected):
    for name in ("City", "Age", "Zip"):
        catalog.create_field(account.id, name)
    run(account, [ContactChange(identities={"email": "a@example.com"}, fields={"City": "Riga", "Age": "4"})])
    run(account, [ContactChange(identities={"email": "a@example.com"},
                                fields={"City": "", "Age": "5", "Zip": "1" if policy == "if_empty" else UNSET})],
        field_merge=policy)
    view = contacts.find(account.id, "email", "a@example.com")
    assert view.fields == expected


def test_none_clears_and_unknown_fields_are_a_request_error(account):
    catalog.create_field(account.id, "City")
    run(account, [ContactChange(identities={"email": "a@example.com"}, fields={"City": "Riga"})])
    run(account, [ContactChange(identities={"email": "a@example.com"}, fields={"City": None})])
    assert contacts.find(account.id, "email", "a@example.com").fields == {}
    with pytest.raises(errors.CoreError) as caught:
        run(account, [ContactChange(identities={"email": "b@example.com"}, fields={"Nope": "x"})])
    assert caught.value.code == errors.UNKNOWN_FIELD
    assert Contact.select().count() == 1


def test_lists_merge_replace_and_unsubscribed_stays(account):
    for number in (1, 2, 3):
        catalog.create_list(account.id, f"L{number}", number=number)
    run(account, [ContactChange(identities={"email": "a@example.com"},
                                lists=[ListChange(1), ListChange(2, "unsubscribed")])])
    run(account, [ContactChange(identities={"email": "a@example.com"}, lists=[ListChange(2), ListChange(3)])])
    view = contacts.find(account.id, "email", "a@example.com")
    assert {(m.list, m.status) for m in view.memberships} == {(1, "subscribed"), (2, "unsubscribed"),
                                                              (3, "subscribed")}
    run(account, [ContactChange(identities={"email": "a@example.com"}, lists=[ListChange(3)])], lists_mode="replace")
    view = contacts.find(account.id, "email", "a@example.com")
    assert {(m.list, m.status) for m in view.memberships} == {(2, "unsubscribed"), (3, "subscribed")}


def test_unknown_list_is_a_request_error_and_nothing_is_written(account):
    with pytest.raises(errors.CoreError) as caught:
        run(account, [change(email="a@example.com"),
                      ContactChange(identities={"email": "b@example.com"}, lists=[ListChange(999)])])
    assert caught.value.code == errors.UNKNOWN_LIST and caught.value.details["ids"] == [999]
    assert Contact.select().count() == 0


def test_tags_add_replace_and_limit(account):
    run(account, [ContactChange(identities={"email": "a@example.com"}, tags=["a", "b"])])
    run(account, [ContactChange(identities={"email": "a@example.com"}, tags=["c"])])
    assert contacts.find(account.id, "email", "a@example.com").tags == ["a", "b", "c"]
    run(account, [ContactChange(identities={"email": "a@example.com"}, tags=["d"])], tags_mode="replace")
    assert contacts.find(account.id, "email", "a@example.com").tags == ["d"]
    result = run(account, [ContactChange(identities={"email": "a@example.com"}, tags=list("abc"))], max_tags=2)
    assert result.items[0].error.code == errors.TOO_MANY_TAGS


def test_events_are_written_with_the_batch(account):
    spec = EventSpec(on_create="created-event", on_update="updated-event",
                     params={"ContactId": "contact_id", "EmailAddress": "email"})
    run(account, [change(email="a@example.com")], events=spec)
    run(account, [change(email="a@example.com"), change(email="b@example.com")], events=spec)
    names = [(e.name, e.params["EmailAddress"]) for e in vendor_events()]
    assert names == [("created-event", "a@example.com"), ("updated-event", "a@example.com"),
                     ("created-event", "b@example.com")]


def test_a_batch_costs_the_same_number_of_queries_whatever_its_size(account):
    catalog.create_list(account.id, "L", number=5)
    catalog.create_field(account.id, "Name")

    def batch(n, prefix):
        return [ContactChange(identities={"email": f"{prefix}{i}@example.com", "phone": f"+7926{i:07d}"},
                              fields={"Name": str(i)}, tags=["t"], lists=[ListChange(5)]) for i in range(n)]

    run(account, batch(1, "warm"))  # creates the tag, so both measured batches find it
    counts = []
    for n, prefix in ((5, "small"), (400, "large")):
        with count_queries() as seen:
            run(account, batch(n, prefix), match=("email", "phone"), match_fallback=False)
        counts.append(len(seen))
    assert counts[0] == counts[1]
    assert counts[1] <= 18  # 16, and the batch's events: its lists' numbers read once, one INSERT


def test_find_many_and_delete_by_identity(account):
    from core import deletion

    run(account, [change(email="a@example.com"), change(email="b@example.com")])
    found = contacts.find_many(account.id, "email", ["A@example.com", "nobody@example.com", "not an email"])
    assert list(found) == ["A@example.com"] and found["A@example.com"].email == "a@example.com"
    b_id = Contact.get(Contact.email == "b@example.com").id
    assert deletion.delete(account.id, "email", ["b@example.com", "x@example.com"]) == [b_id, None]
    assert contacts.find_many(account.id, "email", ["b@example.com"]) == {}
    assert Contact.select().count() == 2  # soft: the row stays, restorable
    deletion.delete(account.id, "email", ["b@example.com"], erase=True)
    assert Contact.select().count() == 1


def test_an_unknown_status_fails_the_item(account):
    result = run(account, [ContactChange(identities={"email": "a@example.com"}, email_status="happy")])
    assert result.items[0].error.code == errors.INVALID_STATUS
