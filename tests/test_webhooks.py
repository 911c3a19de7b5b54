"""Webhooks with a real local HTTP receiver: the dialects' writes arrive signed, in order, in batches of at
most 100; failures are retried with backoff until accepted or dead; the feed gives the same events."""
from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlencode

import orjson
import pytest

from adapters.native.render import event as render_event
from core import events, webhooks
from core.model import ContactChange, UpsertCommand
from core.schema import Delivery
from core.upsert import upsert
from esputnik_http import bulk, call, email_channel, ok
from gateway import metrics
from gateway.delivery import sender
from webhook_receiver import receiving


def drain(rounds: int = 200, pause: float = 0.0) -> None:
    """Run delivery rounds until nothing is pending (or give up after `rounds`)."""
    for _ in range(rounds):
        sent = sender.run_once()  # plans first: nothing claimed and nothing pending means all is out
        if not sent and not Delivery.select().where(Delivery.state == "pending").exists():
            return
        time.sleep(pause)
    raise AssertionError("deliveries still pending")


def altcraft(app, account, method: str, **params) -> dict:
    answer = app.post(f"/api/v1.1/{method}", orjson.dumps({"token": account.key, "db_id": 1, **params}),
                      content_type="application/json").json
    assert answer["error"] == 0, answer
    return answer


def unisender_import(app, account, rows: list[list[str]]) -> None:
    pairs = [("api_key", account.key), ("field_names[0]", "email"), ("field_names[1]", "email_status")]
    for r, row in enumerate(rows):
        pairs += [(f"data[{r}][{c}]", v) for c, v in enumerate(row)]
    answer = app.post("/en/api/importContacts?format=json", urlencode(pairs),
                      content_type="application/x-www-form-urlencoded").json
    assert answer["result"]["inserted"] == len(rows), answer


def test_every_dialects_writes_arrive_signed_and_in_order(app, account):
    with receiving() as receiver:
        hook = webhooks.add(account.id, receiver.url)
        receiver.set_secret(hook.secret)
        sub = ok(call(app, account.key, "POST", "contact/subscribe",
                      {"contact": {"channels": [email_channel("form@example.com")]}, "formType": "abc"}))
        bulk(app, account.key, [{"channels": [email_channel("bulk@example.com"), {"type": "sms", "value": "+380501112233"}]}],
             dedupeOn="email", eventKeyForNewContacts="newContact")
        altcraft(app, account, "profiles/import", data={"email": "alt@example.com"})
        altcraft(app, account, "profiles/import_batch", skip_triggers=True, data=[{"email": "quiet@example.com"}])
        unisender_import(app, account, [["uni@example.com", "active"]])
        drain()
        received = receiver.received
    assert received and all(r["signed"] and r["status"] == 200 for r in received)
    assert all(r["content_type"] == "application/json" for r in received)
    delivered = receiver.accepted_events()
    ids = [e["id"] for e in delivered]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)  # in order, none twice
    # Must-show 3: the feed from after=0 is exactly what the webhook received.
    assert [render_event(e) for e in events.feed(account.id, after=0, limit=1000)] == delivered
    by_type = {}
    for e in delivered:
        by_type.setdefault(e["type"], []).append(e)
    [form] = by_type["subscribeFromApi-abc"]
    assert form["params"] == {"ContactId": sub["id"], "EmailAddress": "form@example.com"}
    assert form["dialect"] == "esputnik" and form["contact_id"] == sub["id"]
    [new] = by_type["newContact"]
    assert new["params"]["EmailAddress"] == "bulk@example.com" and new["params"]["SMS"] == "+380501112233"
    assert new["params"]["contactId"] == new["contact_id"] and new["dialect"] == "esputnik"
    assert [e["dialect"] for e in by_type["profile_created"]] == ["altcraft"]  # the skip_triggers batch made none
    created = {e["contact_id"]: e["dialect"] for e in by_type["contact.created"]}
    assert sorted(created.values()) == ["altcraft", "altcraft", "esputnik", "esputnik", "unisender"]
    # Per contact, the canonical change comes before the vendor trigger it caused.
    position = {e["id"]: i for i, e in enumerate(delivered)}
    first_created = next(e for e in by_type["contact.created"] if e["contact_id"] == sub["id"])
    assert position[first_created["id"]] < position[form["id"]]


def test_batches_hold_at_most_100_events_in_order(store_url, account):
    with receiving() as receiver:
        hook = webhooks.add(account.id, receiver.url, ["contact.created"])
        receiver.set_secret(hook.secret)
        upsert(account.id, UpsertCommand(items=[ContactChange(identities={"email": f"b{i}@example.com"})
                                                for i in range(250)]))
        drain()
        sizes = [len(r["body"]["events"]) for r in receiver.received]
        events_ = receiver.accepted_events()
    assert sizes == [100, 100, 50] and all(r["signed"] for r in receiver.received)
    assert [e["id"] for e in events_] == sorted(e["id"] for e in events_)
    assert {e["type"] for e in events_} == {"contact.created"}


def test_a_failing_receiver_gets_every_event_once_it_recovers(store_url, account, monkeypatch):
    monkeypatch.setenv("WEBHOOK_RETRY_BASE", "0.05")
    monkeypatch.setenv("WEBHOOK_RETRY_CAP", "0.2")
    retried = metrics.WEBHOOK_DELIVERIES.labels("retrying")._value.get()
    with receiving(answer=lambda n: 500 if n <= 4 else 200) as receiver:
        hook = webhooks.add(account.id, receiver.url)
        receiver.set_secret(hook.secret)
        for i in range(3):
            upsert(account.id, UpsertCommand(items=[ContactChange(identities={"email": f"r{i}@example.com"})
                                                    for _ in range(1)]))
        drain(pause=0.05)
        received = receiver.received
        accepted = receiver.accepted()
    assert [r["status"] for r in received[:4]] == [500] * 4
    assert len(accepted) == Delivery.select().count()  # every delivery accepted exactly once
    assert len({r["delivery"] for r in received[:5]}) == 1  # the retries were the same delivery, same id
    assert [e["contact_id"] for e in receiver.accepted_events()] == [c.contact_id for c in events.feed(account.id)]
    assert Delivery.select().where(Delivery.state == "delivered").count() == len(accepted)
    assert Delivery.select().order_by(Delivery.created_at).first().attempts == 5
    assert metrics.WEBHOOK_DELIVERIES.labels("retrying")._value.get() - retried == 4  # contact_gateway_webhook_deliveries_total


def test_backoff_grows_with_jitter_and_stops_at_the_max_age(monkeypatch):
    from gateway.delivery import schedule

    monkeypatch.setenv("WEBHOOK_RETRY_BASE", "10")
    monkeypatch.setenv("WEBHOOK_RETRY_CAP", "3600")
    waits = [schedule.backoff(n) for n in (1, 2, 3, 10)]
    assert 1 <= waits[0] <= 10 and 2 <= waits[1] <= 20 and 4 <= waits[2] <= 40 and waits[3] <= 3600
    assert len({round(schedule.backoff(5), 6) for _ in range(20)}) > 1  # jittered
    from core.normalize import now

    start = now()
    assert schedule.next_attempt(1, start, start) > start
    assert schedule.next_attempt(1, start - timedelta(hours=24), start) is None  # 24 h by default
    monkeypatch.setenv("WEBHOOK_MAX_AGE", "60")
    assert schedule.next_attempt(1, start - timedelta(seconds=61), start) is None


def test_a_delivery_past_its_max_age_is_dead_and_shown_and_the_next_goes_on(store_url, account, monkeypatch):
    monkeypatch.setenv("WEBHOOK_MAX_AGE", "0")
    with receiving(answer=lambda n: 503 if n == 1 else 200) as receiver:
        hook = webhooks.add(account.id, receiver.url)
        receiver.set_secret(hook.secret)
        upsert(account.id, UpsertCommand(items=[ContactChange(identities={"email": "d1@example.com"})]))
        sender.run_once()
        upsert(account.id, UpsertCommand(items=[ContactChange(identities={"email": "d2@example.com"})]))
        drain()
        [view] = webhooks.listing(account.id)
    assert (view.dead, view.delivered, view.pending) == (1, 1, 0)
    assert "503" in view.last_error
    [dead] = webhooks.deliveries(account.id, hook.number, "dead")
    assert dead.attempts == 1


def test_two_workers_never_hold_one_delivery_at_once(store_url, account):
    with receiving() as receiver:
        webhooks.add(account.id, receiver.url)
        upsert(account.id, UpsertCommand(items=[ContactChange(identities={"email": "w@example.com"})]))
        webhooks.plan(lambda views: b"{}")
        first = webhooks.claim(timedelta(seconds=30))
        second = webhooks.claim(timedelta(seconds=30))
    assert len(first) == 1 and second == []
    assert webhooks.delivered(first[0])
    assert not webhooks.delivered(first[0])  # recorded once


def test_the_outbound_guard_applies_to_deliveries(store_url, account, monkeypatch):
    monkeypatch.setenv("OUTBOUND_BLOCK_PRIVATE", "1")
    with receiving() as receiver:
        webhooks.add(account.id, receiver.url)
        upsert(account.id, UpsertCommand(items=[ContactChange(identities={"email": "g@example.com"})]))
        sender.run_once()
        assert receiver.received == []
    [view] = webhooks.listing(account.id)
    assert view.pending == 1 and "public" in view.last_error


def test_a_webhook_receives_only_events_written_after_it_was_added(store_url, account):
    upsert(account.id, UpsertCommand(items=[ContactChange(identities={"email": "before@example.com"})]))
    with receiving() as receiver:
        webhooks.add(account.id, receiver.url)
        upsert(account.id, UpsertCommand(items=[ContactChange(identities={"email": "after@example.com"})]))
        drain()
        assert len(receiver.accepted_events()) == 1


@pytest.mark.parametrize("types", [None, ["list.joined"]])
def test_type_filters_and_removal(store_url, account, types):
    with receiving() as receiver:
        hook = webhooks.add(account.id, receiver.url, types)
        upsert(account.id, UpsertCommand(items=[ContactChange(identities={"email": "f@example.com"})]))
        drain()
        got = receiver.accepted_events()
        webhooks.remove(account.id, hook.number)
    assert len(got) == (1 if types is None else 0)
    assert webhooks.listing(account.id) == [] and Delivery.select().count() == 0
