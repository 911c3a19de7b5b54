"""The real server and worker killed (SIGKILL, whole process group) in the middle of a webhook delivery to an
endpoint that first fails, then recovers: after a restart every event arrives, in order, none lost, and
the repeats a kill forces carry the same delivery id, so the receiver's accepted set holds each event once."""
from __future__ import annotations

import base64
import time
import urllib.request

import orjson
import pytest

from core import events, webhooks
from core.schema import Delivery, Webhook
from processes import Gateway
from webhook_receiver import receiving

pytestmark = pytest.mark.slow


def post(gateway: Gateway, key: str, path: str, body: dict) -> dict:
    headers = {"Authorization": "Basic " + base64.b64encode(f":{key}".encode()).decode(),
               "Content-Type": "application/json", "Accept": "application/json"}
    message = urllib.request.Request(f"{gateway.base_url}/api/v1/{path}", data=orjson.dumps(body), method="POST",
                                     headers=headers)
    with urllib.request.urlopen(message, timeout=60) as response:
        return orjson.loads(response.read())


def all_out(account_id: int) -> bool:
    latest = max((e.id for e in events.feed(account_id, limit=100000)), default=0)
    hook = Webhook.get()
    return hook.cursor >= latest and not Delivery.select().where(Delivery.state == "pending").exists()


def test_deliveries_survive_kill_9_and_a_failing_endpoint(store_url, account, tmp_path):
    env = {"DATABASE_URL": store_url, "LOG_DIR": str(tmp_path), "JOB_LEASE_SECONDS": "2",
           "WEBHOOK_LEASE_SECONDS": "3", "WEBHOOK_RETRY_BASE": "0.2", "WEBHOOK_RETRY_CAP": "1",
           "WEBHOOK_POLL_SECONDS": "0.2", "WEBHOOK_TIMEOUT": "5"}
    if store_url.startswith("sqlite"):
        env["QUEUE_URL"] = f"sqlite:///{tmp_path}/queue.db"
    # The first three POSTs fail (HTTP 500); every POST takes 0.4 s, so a kill can land inside one.
    with receiving(answer=lambda n: 500 if n <= 3 else 200, delay=0.4) as receiver:
        hook = webhooks.add(account.id, receiver.url)
        receiver.set_secret(hook.secret)
        gateway = Gateway(env).start()
        try:
            for i in range(3):
                post(gateway, account.key, "contact/subscribe",
                     {"contact": {"channels": [{"type": "email", "value": f"form{i}@example.com"}]}, "formType": "abc"})
            post(gateway, account.key, "contacts", {"dedupeOn": "email", "eventKeyForNewContacts": "newContact",
                                                    "contacts": [{"channels": [{"type": "email",
                                                                                "value": f"bulk{i}@example.com"}]}
                                                                 for i in range(300)]})
            deadline = time.monotonic() + 90
            while len(receiver.accepted()) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(receiver.accepted()) >= 2, gateway.output()
            receiver.server.in_flight.clear()
            assert receiver.server.in_flight.wait(30), gateway.output()
            gateway.kill()  # master, web workers and the job worker, while a POST is in flight
        finally:
            gateway.kill()
        calls_at_kill = receiver.server.calls
        assert not all_out(account.id), "everything was delivered before the kill"

        gateway = Gateway(env).start()
        try:
            deadline = time.monotonic() + 120
            while not all_out(account.id) and time.monotonic() < deadline:
                time.sleep(0.3)
            assert all_out(account.id), gateway.output()
        finally:
            gateway.stop()
        received = receiver.received
        accepted_events = receiver.accepted_events()
    feed = [e.id for e in events.feed(account.id, limit=100000)]
    print(f"{len(feed)} events, {len(received)} POSTs ({calls_at_kill} before the kill), "
          f"{len(receiver.accepted())} deliveries accepted")
    assert [r["status"] for r in received[:3]] == [500, 500, 500]
    assert all(r["signed"] for r in received)
    ids = [e["id"] for e in accepted_events]
    assert ids == feed  # every event, in order, none twice in the accepted set
    delivery_ids = [r["delivery"] for r in received]
    assert len(delivery_ids) > len(set(delivery_ids))  # the in-flight one was sent again, under its own id
    types = [e["type"] for e in accepted_events]
    assert types.count("newContact") == 300 and types.count("subscribeFromApi-abc") == 3
    assert Delivery.select().where(Delivery.state == "dead").count() == 0
    assert not gateway.tracebacks(), gateway.tracebacks()
