"""Core lookups and list checks, dialect-free: finding contacts apart from the identities written,
by membership addresses, and lists refused per item."""
from __future__ import annotations

import pytest

from core import catalog, errors, lookups
from core.errors import CoreError
from core.model import ContactChange, ListChange, Lookup, UpsertCommand
from core.schema import Contact, Membership
from core.upsert import upsert


def run(account, items, **options):
    return upsert(account.id, UpsertCommand(items=items, **options)).items


@pytest.fixture
def lists(account):
    catalog.create_list(account.id, "R1", number=1, kind="resource", attrs={"channels": ["email", "sms"]})
    catalog.create_list(account.id, "R2", number=2, kind="resource")
    catalog.create_list(account.id, "Plain", number=3)


def subscribed(address, number=1, channel="email", **options):
    """A subscription to resource `number` (resources number themselves apart from plain lists)."""
    return ListChange(number, None, channel, address=address, **{"kind": "resource", **options})


def test_a_lookup_finds_by_one_email_while_the_item_writes_another(account):
    first = run(account, [ContactChange(identities={"email": "old@example.com"})])[0]
    moved = run(account, [ContactChange(identities={"email": "new@example.com"},
                                        lookups=(Lookup("email", "OLD@example.com"),))])[0]
    assert (moved.outcome, moved.contact_id) == ("updated", first.contact_id)
    assert Contact.get().email == "new@example.com"


def test_member_lookups_respect_channels_and_lists_and_see_the_batch(account, lists):
    items = [ContactChange(identities={"email": "a@example.com"}, lists=[subscribed("sub@example.com", 1)]),
             ContactChange(lookups=(Lookup("member", "sub@example.com", ("email",), (1,), "resource"),),
                           attrs={"city": "Riga"})]
    created, found = run(account, items)
    assert found.contact_id == created.contact_id and found.outcome == "updated"
    miss = [ContactChange(lookups=(Lookup("member", "sub@example.com", ("sms",)),), attrs={"city": "X"}),
            ContactChange(lookups=(Lookup("member", "sub@example.com", (), (2,), "resource"),), attrs={"city": "X"}),
            ContactChange(lookups=(Lookup("member", "sub@example.com", (), (99,), "resource"),), attrs={"city": "X"})]
    assert [r.error.code for r in run(account, miss, mode="update")] == [errors.CONTACT_NOT_FOUND] * 3
    hit = run(account, [ContactChange(lookups=(Lookup("email", "nobody@example.com"),
                                               Lookup("member", "sub@example.com")), attrs={"city": "Oslo"})])[0]
    assert hit.contact_id == created.contact_id


def test_a_contact_reachable_only_through_a_membership_address_is_created(account, lists):
    result = run(account, [ContactChange(lists=[subscribed("only@example.com")])])[0]
    assert result.outcome == "created" and Contact.get().email is None
    assert Membership.get().attrs == {"address": "only@example.com"}
    found = lookups.locate(account.id, 1, (Lookup("member", "only@example.com", ("email",)),))
    assert found == result.contact_id


def test_unfitting_lists_fail_the_item_or_are_dropped_when_optional(account, lists):
    items = [ContactChange(identities={"email": "a@example.com"}, lists=[subscribed(None, 99)]),
             ContactChange(identities={"email": "b@example.com"}, lists=[subscribed(None, 1, "push")]),
             ContactChange(identities={"email": "c@example.com"}, lists=[subscribed(None, 3, kind="resource")]),
             ContactChange(identities={"email": "d@example.com"},
                           lists=[subscribed(None, 99, optional=True), subscribed(None, 2, "push")])]
    results = run(account, items, invalid_lists="fail_item")
    assert [r.outcome for r in results] == ["failed", "failed", "failed", "created"]
    assert [r.error.code for r in results[:3]] == [errors.UNKNOWN_LIST, errors.CHANNEL_NOT_CARRIED,
                                                   errors.UNKNOWN_LIST]
    assert [(m.list.number, m.channel) for m in Membership.select()] == [(2, "push")]
    with pytest.raises(CoreError) as caught:  # the default policy refuses the whole request
        run(account, items[1:2])
    assert caught.value.code == errors.CHANNEL_NOT_CARRIED
    assert Contact.select().count() == 1


def test_status_none_subscribes_new_memberships_and_keeps_existing_ones(account, lists):
    run(account, [ContactChange(identities={"email": "a@example.com"},
                                lists=[ListChange(1, "unsubscribed", attrs={"priority": 1, "cf": {"a": 1}},
                                                  kind="resource")])])
    run(account, [ContactChange(identities={"email": "a@example.com"},
                                lists=[ListChange(1, None, attrs={"cf": {"b": 2}}, kind="resource"),
                                       ListChange(2, None, kind="resource")])])
    rows = {m.list.number: m for m in Membership.select()}
    assert rows[1].status == "unsubscribed" and rows[1].attrs == {"priority": 1, "cf": {"a": 1, "b": 2}}
    assert rows[2].status == "subscribed" and rows[2].subscribed_at is not None


def test_locate_and_delete_located(account, lists):
    catalog.create_field(account.id, "CRM")
    result = run(account, [ContactChange(identities={"email": "a@example.com", "phone": "+79261112233"},
                                         fields={"CRM": 7})])[0]
    assert lookups.locate(account.id, 1, (Lookup("field"),), ("CRM", "7")) == result.contact_id
    assert lookups.locate(account.id, 1, (Lookup("phone", "+7 926 111-22-33"),)) == result.contact_id
    with pytest.raises(CoreError) as caught:
        lookups.locate(account.id, 1, (Lookup("field"),), ("Nope", "7"))
    assert caught.value.code == errors.UNKNOWN_FIELD
    assert lookups.delete_located(account.id, 1, (Lookup("profile_id", result.profile_id),)).id == result.contact_id
    assert Contact.select().count() == 0
    with pytest.raises(CoreError) as caught:
        lookups.locate(account.id, 1, (Lookup("email", "a@example.com"),))
    assert caught.value.code == errors.CONTACT_NOT_FOUND
