"""Generic core capabilities the Dotdigital dialect needed, tested without any dialect."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core import accounts, catalog, contacts, errors, jobs, service
from core import commands as c
from core.contacts import ContactFilter
from core.errors import CoreError
from core.model import ContactChange, ListChange, Lookup, UpsertCommand
from core.normalize import now
from core.schema import Contact, FieldDef
from core.upsert import upsert
from querycount import count_queries


def run(account, items, **options):
    return upsert(account.id, UpsertCommand(items=items, **options))


def test_merge_attrs_merges_dicts_by_key_and_appends_to_lists(account):
    first = ContactChange(identities={"email": "a@example.com"},
                          merge_attrs={"preferences": {"1": True, "2": True}, "consent": [{"text": "yes"}]})
    run(account, [first])
    second = ContactChange(identities={"email": "a@example.com"},
                           merge_attrs={"preferences": {"2": False, "1": None}, "consent": [{"text": "yes"},
                                                                                            {"text": "again"}]})
    run(account, [second])
    assert Contact.get().attrs == {"preferences": {"2": False}, "consent": [{"text": "yes"}, {"text": "again"}]}


def test_skip_statuses_leave_such_contacts_untouched(account):
    catalog.create_field(account.id, "Name")
    run(account, [ContactChange(identities={"email": "u@example.com"}, email_status="unsubscribed")])
    result = run(account, [ContactChange(identities={"email": "u@example.com"}, fields={"Name": "X"}),
                           ContactChange(identities={"email": "n@example.com"}, fields={"Name": "Y"})],
                 skip_statuses=frozenset({"unsubscribed"}))
    assert [r.outcome for r in result.items] == ["skipped", "created"]
    assert result.items[0].error.code == errors.STATUS_LOCKED and result.items[0].contact_id
    assert Contact.get(Contact.email == "u@example.com").fields == {}


def test_invalid_lists_can_fail_only_their_items(account):
    catalog.create_list(account.id, "Known", number=5)
    items = [ContactChange(identities={"email": "a@example.com"}, lists=[ListChange(5)]),
             ContactChange(identities={"email": "b@example.com"}, lists=[ListChange(5), ListChange(6)])]
    with pytest.raises(CoreError):
        run(account, items)
    result = run(account, items, invalid_lists="fail_item")
    assert [r.outcome for r in result.items] == ["created", "failed"]
    assert result.items[1].error.code == errors.UNKNOWN_LIST and result.items[1].error.details["ids"] == [6]
    assert Contact.select().count() == 1


def test_field_names_without_regard_to_case(account):
    catalog.create_field(account.id, "FIRSTNAME")
    result = run(account, [ContactChange(identities={"email": "a@example.com"}, fields={"firstName": "Ann"})],
                 field_key="name_ci")
    assert result.items[0].outcome == "created"
    assert contacts.find(account.id, "email", "a@example.com").fields == {"FIRSTNAME": "Ann"}
    with pytest.raises(CoreError):
        run(account, [ContactChange(identities={"email": "a@example.com"}, fields={"firstName": "Ann"})])


def test_filters_by_custom_field_value_and_times(account):
    field = catalog.create_field(account.id, "shopId", attrs={"identifier": True})
    run(account, [ContactChange(identities={"email": "a@example.com"}, fields={"shopId": "S1"}),
                  ContactChange(identities={"email": "b@example.com"}, fields={"shopId": "S2"})])
    found = contacts.search(account.id, ContactFilter(field_equals=("SHOPID", "S2")))
    assert [v.email for v in found] == ["b@example.com"]
    assert found[0].catalog == [FieldDef.get_by_id(field.id)]
    assert contacts.search(account.id, ContactFilter(field_equals=("nope", "S2"))) == []
    later = now() + timedelta(minutes=1)
    assert contacts.count(account.id, ContactFilter(created_from=later)) == 0
    assert contacts.count(account.id, ContactFilter(updated_from=now() - timedelta(minutes=1))) == 2


def test_upsert_and_read_returns_the_stored_contacts(account):
    catalog.create_field(account.id, "Name")
    command = UpsertCommand(items=[ContactChange(identities={"email": "a@example.com"}, fields={"Name": "A"}),
                                   ContactChange(identities={"email": "bad"})])
    with count_queries() as seen:
        answer = service.execute(account.id, c.UpsertAndRead(command))
    assert len(seen) < 25
    created = answer.batch.items[0]
    assert answer.contacts[created.contact_id].fields == {"Name": "A"}
    assert answer.batch.items[1].outcome == "failed" and len(answer.contacts) == 1


def test_start_job_checks_lists_and_the_active_cap(account):
    catalog.create_list(account.id, "Books", number=7)
    with pytest.raises(CoreError) as caught:
        service.execute(account.id, c.StartJob("x.import", {}, lists=[7, 8]))
    assert caught.value.code == errors.UNKNOWN_LIST and caught.value.details["ids"] == [8]
    for _ in range(2):
        service.execute(account.id, c.StartJob("x.import", {}, max_active=2, lists=[7]))
    with pytest.raises(CoreError) as caught:
        service.execute(account.id, c.StartJob("y.import", {}, max_active=2, active_kinds=("x.import", "y.import")))
    assert caught.value.code == errors.TOO_MANY_ACTIVE_JOBS
    other = accounts.create_account("other")
    service.execute(other.id, c.StartJob("x.import", {}, max_active=2))  # another account's jobs do not count
    job = jobs.create(account.id, "z", {})
    assert jobs.active(account.id, ["x.import", "z"]) == 3
    jobs.finish(job.id)
    assert jobs.active(account.id, ["x.import", "z"]) == 2


def test_delete_field_by_name(account):
    catalog.create_field(account.id, "BIRTHDAY")
    service.execute(account.id, c.DeleteField(name="birthday"))
    assert catalog.fields(account.id) == []
    with pytest.raises(CoreError):
        service.execute(account.id, c.DeleteField(name="birthday"))


def test_upsert_and_read_can_locate_by_one_identity_and_write_another(account):
    catalog.create_field(account.id, "shopId")
    run(account, [ContactChange(identities={"email": "old@example.com"}, fields={"shopId": "S1"})])
    change_email = UpsertCommand(items=[ContactChange(identities={"email": "new@example.com"})])
    answer = service.execute(account.id, c.UpsertAndRead(change_email, lookups=(Lookup("email", "OLD@example.com"),)))
    assert answer.batch.items[0].outcome == "updated"
    assert Contact.get().email == "new@example.com"
    by_field = UpsertCommand(items=[ContactChange(identities={"phone": "+447700900123"})], field_key="name_ci")
    answer = service.execute(account.id, c.UpsertAndRead(by_field, lookups=(Lookup("field"),),
                                                         custom_match=("shopid", "S1")))
    assert answer.batch.items[0].outcome == "updated" and Contact.select().count() == 1
    missing = UpsertCommand(items=[ContactChange(identities={"email": "x@example.com"})])
    with pytest.raises(CoreError) as caught:
        service.execute(account.id, c.UpsertAndRead(missing, lookups=(Lookup("id", 999999),), if_missing="fail"))
    assert caught.value.code == errors.CONTACT_NOT_FOUND
    created = service.execute(account.id, c.UpsertAndRead(missing, lookups=(Lookup("email", "x@example.com"),)))
    assert created.batch.items[0].outcome == "created"


def test_lists_with_member_counts_in_one_query(account):
    catalog.create_list(account.id, "A", number=1)
    catalog.create_list(account.id, "B", number=2)
    run(account, [ContactChange(identities={"email": f"{i}@example.com"}, lists=[ListChange(1)]) for i in range(3)]
        + [ContactChange(identities={"email": "x@example.com"}, lists=[ListChange(1, "unsubscribed")])])
    with count_queries() as seen:
        rows = service.execute(account.id, c.GetLists(with_counts=True))
    assert [(r.number, r.members) for r in rows] == [(1, 3), (2, 0)] and len(seen) == 2
    assert [r.title for r in service.execute(account.id, c.GetLists(number=2))] == ["B"]
    with pytest.raises(CoreError):
        service.execute(account.id, c.GetLists(number=3))
