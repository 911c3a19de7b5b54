"""The core read functions behind the native API and the admin view: contact detail, identity search
with keyset paging, imports and the event feed — each page a constant number of queries, each
account seeing only its own."""
from __future__ import annotations

import pytest

from core import accounts, catalog, contact_reads, events, imports, jobs
from core.errors import CoreError
from core.model import ContactChange, EventSpec, ListChange, UpsertCommand
from core.schema import Contact
from core.upsert import upsert
from querycount import count_queries


def _seed(account_id: int, n: int, source: str = "unisender:importContacts") -> list[int]:
    catalog.create_field(account_id, "City", "string")
    catalog.create_list(account_id, "News", number=7)
    items = [ContactChange(identities={"email": f"p{i}@example.com", "phone": f"+4420794600{i:02d}"},
                           attrs={"first_name": f"P{i}"}, fields={"City": f"Town{i}"}, tags=["vip", f"t{i % 2}"],
                           lists=[ListChange(7)]) for i in range(n)]
    result = upsert(account_id, UpsertCommand(items=items, source=source,
                                              events=EventSpec(on_create="new_contact", params={"Id": "contact_id"})))
    return [r.contact_id for r in result.items]


def test_detail_has_everything_and_stops_at_the_account(store_url, account):
    contact_id = _seed(account.id, 1)[0]
    with count_queries() as seen:
        view = contact_reads.detail(account.id, contact_id)
    assert len(seen) <= 6
    assert (view.email, view.phone, view.email_status) == ("p0@example.com", "+442079460000", "active")
    assert view.fields == {"City": "Town0"} and view.attrs["first_name"] == "P0"
    assert view.tags == ["t0", "vip"]
    assert [(m.list, m.status, m.channel) for m in view.memberships] == [(7, "subscribed", "email")]
    assert view.memberships[0].subscribed_at is not None
    assert view.source == "unisender:importContacts" and view.created_at and view.updated_at
    other = accounts.create_account("other")
    with pytest.raises(CoreError) as caught:
        contact_reads.detail(other.id, contact_id)
    assert caught.value.code == "not_found"
    with pytest.raises(CoreError):
        contact_reads.detail(account.id, "not-a-number")


def test_search_pages_by_keyset_with_constant_queries(store_url, account):
    ids = _seed(account.id, 25)
    seen_ids, after, pages, counts = [], 0, 0, []
    while True:
        with count_queries() as seen:
            page = contact_reads.search(account.id, after=after, limit=10)
        counts.append(len(seen))
        seen_ids += [v.id for v in page.items]
        pages += 1
        if page.next_after is None:
            break
        after = page.next_after
    assert seen_ids == ids and pages == 3
    assert len(set(counts)) == 1  # a page of 10 costs what a page of 5 costs
    assert [v.id for v in contact_reads.search(account.id, email="P3@Example.com").items] == [ids[3]]
    assert [v.id for v in contact_reads.search(account.id, phone="+44 20 7946 0004").items] == [ids[4]]
    assert contact_reads.search(account.id, email="not an address").items == []
    other = accounts.create_account("other")
    assert contact_reads.search(other.id, email="p3@example.com").items == []
    assert sum(len(p) for p in contact_reads.every(account.id, batch=7)) == 25 == contact_reads.count(account.id)


def test_imports_list_every_job_with_progress_and_report(store_url, account):
    events.set_origin("esputnik")
    job = jobs.create(account.id, "esputnik.contacts", {"contacts": [{}, {}, {}]})
    events.set_origin("")
    command = UpsertCommand(items=[ContactChange(identities={"email": "a@example.com"}),
                                   ContactChange(identities={"email": "bad"}),
                                   ContactChange(identities={"email": "c@example.com"})])
    jobs.run_chunks(jobs.claim(job.id), [(0, command)])
    jobs.finish(job.id)
    second = jobs.create(account.id, "unisender.export", {})
    with count_queries() as seen:
        page = imports.page(account.id, limit=1)
    assert len(seen) == 2 and page.next_before is not None
    rest = imports.page(account.id, before=page.next_before, limit=10)
    # Newest first; jobs of the same second come in id order, so either may lead.
    assert sorted(v.id for v in page.items + rest.items) == sorted([job.id, second.id])
    view = next(v for v in page.items + rest.items if v.id == job.id)
    assert (view.id, view.dialect, view.state, view.done, view.total) == (job.id, "esputnik", "finished", 3, 3)
    assert view.counts == {"created": 2, "failed": 1} and rest.next_before is None and len(rest.items) == 1
    full = imports.detail(account.id, job.id, items_from=1, items_limit=1)
    assert [(i.position, i.outcome, i.error) for i in full.items] == [(1, "failed", "invalid_email")]
    assert full.next_item == 2
    other = accounts.create_account("other")
    assert imports.page(other.id).items == []
    with pytest.raises(CoreError):
        imports.detail(other.id, job.id)


def test_feed_follows_the_cursor_and_filters_types(store_url, account):
    ids = _seed(account.id, 3)
    feed = events.feed(account.id, after=0, limit=100, types=["new_contact"])
    assert [(e.type, e.contact_id, e.params) for e in feed] == [("new_contact", i, {"Id": i}) for i in ids]
    first = events.feed(account.id, after=0, limit=1, types=["new_contact"])
    assert events.feed(account.id, after=first[0].id, limit=100, types=["new_contact"]) == feed[1:]
    other = accounts.create_account("other")
    assert events.feed(other.id) == []
    assert Contact.select().count() == 3
