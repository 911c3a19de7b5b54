"""One identity rule for every path: a stored value, and one winner among several holders (stable tie-break)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core import catalog, contacts, deletion, errors, identity, list_members, lookups, memberships, service
from core import commands as c
from core.contacts import ContactFilter
from core.errors import CoreError
from core.model import ContactChange, ListChange, Lookup, UpsertCommand
from core.normalize import now
from core.schema import Contact, Membership
from core.upsert import upsert


def run(account, items, **options):
    return upsert(account.id, UpsertCommand(items=items, **options)).items


def test_stored_values():
    assert identity.stored("email", " Ann@Example.COM ") == "ann@example.com"
    assert identity.stored("phone", "+7 926 111-22-33") == "+79261112233"
    assert identity.stored("external_id", "  X-1 ") == "X-1"
    assert identity.stored("id", " 12 ") == 12 and identity.stored("profile_id", "not ours") == 0
    for kind, value in (("email", "nope"), ("phone", "12"), ("id", "x")):
        with pytest.raises(CoreError):
            identity.stored(kind, value)


def test_winner_is_live_then_latest_then_highest_id():
    t = now()
    rows = [{"id": 1, "deleted_at": None, "updated_at": t}, {"id": 3, "deleted_at": t, "updated_at": t},
            {"id": 2, "deleted_at": None, "updated_at": t}]
    assert identity.winner(rows)["id"] == 2
    assert identity.winner(rows[:1] + [{"id": 0, "deleted_at": None, "updated_at": t + timedelta(1)}])["id"] == 0
    assert identity.winner([]) is None


def test_a_padded_external_id_names_the_same_contact_on_every_path(account):
    catalog.create_list(account.id, "L", number=7)
    created = run(account, [ContactChange(identities={"external_id": " X-1 ", "email": "a@example.com"})])[0]
    assert Contact.get().external_id == "X-1"
    again = run(account, [ContactChange(identities={"external_id": "X-1\t"})], match=("external_id",))[0]
    assert (again.outcome, again.contact_id) == ("updated", created.contact_id)
    padded = " X-1 "
    assert contacts.find(account.id, "external_id", padded).id == created.contact_id
    assert contacts.find_many(account.id, "external_id", [padded])[padded].id == created.contact_id
    assert [v.id for v in contacts.search(account.id, ContactFilter(external_id=padded))] == [created.contact_id]
    assert lookups.locate(account.id, 1, (Lookup("external_id", padded),)) == created.contact_id
    assert list_members.attach(account.id, 7, "external_id", [padded]) == 1
    assert memberships.change(account.id, "external_id", padded, "unsubscribed", [7]) == 1
    assert list_members.detach(account.id, 7, "external_id", [padded]) == 1
    assert deletion.delete(account.id, "external_id", [padded]) == [created.contact_id]


@pytest.fixture
def twins(account):
    """Two live contacts holding one email, updated at the same moment: the higher id wins."""
    catalog.create_list(account.id, "L", number=7)
    first, second = run(account, [ContactChange(identities={"email": "a@example.com"}, lists=[ListChange(7)]),
                                  ContactChange(identities={"email": "b@example.com"}, lists=[ListChange(7)])])
    moment = now()
    Contact.update(email="twin@example.com", updated_at=moment).execute()
    return first.contact_id, second.contact_id


def test_every_path_picks_the_same_winner_among_holders(account, twins):
    low, high = twins
    assert contacts.find(account.id, "email", "twin@example.com").id == high
    assert contacts.find_many(account.id, "email", ["twin@example.com"])["twin@example.com"].id == high
    assert lookups.locate(account.id, 1, (Lookup("email", "twin@example.com"),)) == high
    assert service.execute(account.id, c.LocateContact((Lookup("email", "TWIN@example.com"),))).id == high
    matched = run(account, [ContactChange(identities={"email": "twin@example.com"}, attrs={"first_name": "W"})])[0]
    assert matched.contact_id == high
    Contact.update(updated_at=now() - timedelta(days=1)).execute()  # equal again, for the next readers
    memberships.change(account.id, "email", "twin@example.com", "unsubscribed", [7])
    assert {m.contact_id: m.status for m in Membership.select()} == {low: "subscribed", high: "unsubscribed"}


def test_the_winner_of_a_dotdigital_style_locate_is_the_same(account, twins):
    low, high = twins
    cmd = UpsertCommand(items=[ContactChange(identities={"email": "new@example.com"})])
    answer = service.execute(account.id, c.UpsertAndRead(cmd, lookups=(Lookup("email", "twin@example.com"),)))
    assert answer.batch.items[0].contact_id == high
    with pytest.raises(CoreError) as caught:
        service.execute(account.id, c.UpsertAndRead(cmd, lookups=(Lookup("email", "nobody@example.com"),),
                                                     if_missing="fail"))
    assert caught.value.code == errors.CONTACT_NOT_FOUND
