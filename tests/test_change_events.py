"""Canonical change events: every write through the core records what changed, in its own transaction,
in bulk (the queries of a batch do not grow with its size)."""
from __future__ import annotations

from core import catalog, consent, deletion, events, list_members, memberships
from core.model import ContactChange, ListChange, UpsertCommand
from core.upsert import upsert
from helpers import warm_catalogue
from querycount import count_queries


def _events(account_id, after=0):
    return [(e.type, e.contact_id, e.params) for e in events.feed(account_id, after=after, limit=1000)]


def _last(account_id) -> int:
    feed = events.feed(account_id, limit=100000)
    return feed[-1].id if feed else 0


def test_create_update_unsubscribe_and_lists(store_url, account):
    catalog.create_field(account.id, "City", "string")
    catalog.create_list(account.id, "News", number=7)
    catalog.create_list(account.id, "Promo", number=8)
    first = upsert(account.id, UpsertCommand(items=[ContactChange(identities={"email": "a@example.com"},
                                                                  lists=[ListChange(7)])]))
    cid = first.items[0].contact_id
    assert _events(account.id) == [("contact.created", cid, {}),
                                   ("list.joined", cid, {"list": 7, "space": "list", "channel": "email"})]
    mark = _last(account.id)
    upsert(account.id, UpsertCommand(items=[ContactChange(
        identities={"email": "a@example.com"}, attrs={"first_name": "Ann"}, fields={"City": "Oslo"},
        email_status="unsubscribed", lists=[ListChange(7, "unsubscribed"), ListChange(8)])],
        status_changeable_from=None))
    assert _events(account.id, mark) == [
        ("contact.updated", cid, {"fields": ["email_status", "first_name", "City"]}),
        ("contact.unsubscribed", cid, {"channel": "email"}),
        ("list.left", cid, {"list": 7, "space": "list", "channel": "email", "status": "unsubscribed"}),
        ("list.joined", cid, {"list": 8, "space": "list", "channel": "email"})]
    mark = _last(account.id)
    upsert(account.id, UpsertCommand(items=[ContactChange(identities={"email": "a@example.com"},
                                                          attrs={"first_name": "Ann"})]))
    assert _events(account.id, mark) == []  # nothing changed: nothing to say
    consent.resubscribe_everywhere(account.id, ["a@example.com"])
    assert _events(account.id, mark) == [("contact.updated", cid, {"fields": ["email_status"]}),
                                         ("contact.resubscribed", cid, {"channel": "email", "status": "active"})]
    mark = _last(account.id)
    list_members.detach(account.id, 8, "id", [cid])
    memberships.change(account.id, "email", "a@example.com", "excluded")
    deletion.delete(account.id, "email", ["a@example.com"])
    assert _events(account.id, mark) == [
        ("list.left", cid, {"list": 8, "space": "list", "channel": "email", "status": "removed"}),
        ("contact.deleted", cid, {"erased": False})]


def test_events_of_a_batch_cost_no_query_per_contact(store_url, account):
    catalog.create_list(account.id, "News", number=7)
    warm_catalogue(account.id)
    counts = []
    for size, start in ((10, 0), (60, 100)):
        items = [ContactChange(identities={"email": f"c{i}@example.com"}, lists=[ListChange(7)])
                 for i in range(start, start + size)]
        with count_queries() as seen:
            upsert(account.id, UpsertCommand(items=items))
        counts.append(len(seen))
        updates = [ContactChange(identities={"email": f"c{i}@example.com"}, attrs={"first_name": "X"},
                                 lists=[ListChange(7, "removed")]) for i in range(start, start + size)]
        with count_queries() as seen:
            upsert(account.id, UpsertCommand(items=updates))
        counts.append(len(seen))
    assert counts[0] == counts[2] and counts[1] == counts[3]
    kinds = [t for t, _, _ in _events(account.id)]
    assert kinds.count("contact.created") == 70 and kinds.count("contact.updated") == 70
    assert kinds.count("list.joined") == 70 and kinds.count("list.left") == 70


def test_one_contact_named_twice_in_a_batch_has_its_events_once(store_url, account):
    result = upsert(account.id, UpsertCommand(items=[
        ContactChange(identities={"email": "a@example.com"}),
        ContactChange(identities={"email": "a@example.com"}, attrs={"first_name": "A"})]))
    assert _events(account.id) == [("contact.created", result.items[0].contact_id, {})]


def test_events_carry_the_dialect_of_the_request(store_url, account):
    events.set_origin("unisender")
    try:
        upsert(account.id, UpsertCommand(items=[ContactChange(identities={"email": "a@example.com"})]))
    finally:
        events.set_origin("")
    assert [e.dialect for e in events.feed(account.id)] == ["unisender"]


def test_an_erase_unlinks_the_contacts_events(store_url, account):
    """The outbox has no foreign key (schema.Event): an erase itself takes the contact's id off its
    events, its contact.deleted names the id in its params only, and others' events keep theirs."""
    result = upsert(account.id, UpsertCommand(items=[ContactChange(identities={"email": "a@example.com"}),
                                                     ContactChange(identities={"email": "b@example.com"})]))
    gone, kept = (item.contact_id for item in result.items)
    deletion.delete(account.id, "email", ["a@example.com"], erase=True)
    assert _events(account.id) == [("contact.created", None, {}), ("contact.created", kept, {}),
                                   ("contact.deleted", None, {"erased": True, "contact_id": gone})]
    assert events.of_contact(account.id, gone) == []
