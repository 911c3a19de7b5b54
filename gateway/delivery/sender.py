"""Sending due deliveries: plan batches from the outbox, claim them under a lease, POST, record the outcome.

Any number of workers (threads, processes, machines) may run this at once: planning happens under a
per-webhook lock and a claim is a lease in the store (core.webhooks), so a delivery is in one
worker's hands at a time. A worker killed mid-send leaves a lease that runs out; the delivery is
then sent again with the same id and body, and the receiver's de-duplication by
X-Contact-Gateway-Delivery makes that harmless (at least once, never lost).
"""
from __future__ import annotations

import logging
import os
import threading
from datetime import timedelta

from adapters.native.render import delivery_body
from core import db as store
from core import webhooks
from core.normalize import now

from .. import metrics, outbound
from . import schedule, signing

log = logging.getLogger("contact_gateway.delivery")
DELIVERY_HEADER = "X-Contact-Gateway-Delivery"
RESPONSE_CAP = 64 * 1024  # bytes of an answer read at most; its body is not used


def _timeout() -> float:
    return float(os.environ.get("WEBHOOK_TIMEOUT") or 10)


def _lease() -> timedelta:
    # Outlasts the longest send (the time-out) with room to record the outcome.
    return timedelta(seconds=float(os.environ.get("WEBHOOK_LEASE_SECONDS") or _timeout() + 20))


def run_once(limit: int = 10) -> int:
    """Plan new batches, then send up to `limit` due deliveries; returns how many were sent."""
    store.database().connect(reuse_if_open=True)
    webhooks.plan(delivery_body)
    sent = 0
    # One claim per send: a lease taken only when its send starts cannot run out while earlier
    # sends of this round wait for slow endpoints.
    while sent < limit and (claimed := webhooks.claim(_lease(), 1)):
        send(claimed[0])
        sent += 1
    return sent


def send(delivery: webhooks.Claimed) -> None:
    headers = {"Content-Type": "application/json", signing.HEADER: signing.sign(delivery.secret, delivery.body),
               DELIVERY_HEADER: delivery.id, "User-Agent": "contact-gateway-webhooks/1"}
    try:
        with outbound.open_url(delivery.url, _timeout(), headers, delivery.body, "POST") as response:
            response.read(RESPONSE_CAP)
            status = response.status
    except outbound.OutboundRefused as exc:  # non-2xx, time-out, refused connection, blocked address
        _failed(delivery, str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - whatever broke, the delivery is retried, the worker goes on
        _failed(delivery, f"{type(exc).__name__}: {exc}")
        return
    if not 200 <= status < 300:  # a 1xx/3xx that urllib did not turn into an error
        _failed(delivery, f"{delivery.url} answered HTTP {status}")
        return
    recorded = webhooks.delivered(delivery)  # False: the lease lapsed and another worker took it over
    log.info("delivery %s: delivered after %s attempt(s)%s", delivery.id, delivery.attempts,
             "" if recorded else " (its lease had lapsed)")
    metrics.count_delivery("delivered")


def _failed(delivery: webhooks.Claimed, error: str) -> None:
    retry_at = schedule.next_attempt(delivery.attempts, delivery.created_at, now())
    recorded = webhooks.failed(delivery, error, retry_at)
    result = "failed" if not recorded else ("retrying" if retry_at else "gave_up")
    log.warning("delivery %s attempt %s failed (%s): %s", delivery.id, delivery.attempts, result, error)
    metrics.count_delivery(result)


def loop(stop: threading.Event, idle: float | None = None) -> None:
    """Deliver until `stop` is set; sleeps `idle` seconds (WEBHOOK_POLL_SECONDS, 1) when nothing was due."""
    idle = idle if idle is not None else float(os.environ.get("WEBHOOK_POLL_SECONDS") or 1)
    while not stop.is_set():
        try:
            sent = run_once()
        except Exception:  # noqa: BLE001 - a store hiccup must not end delivery for good
            log.exception("webhook delivery round failed; trying again")
            try:
                store.database().close()
            except Exception:  # noqa: BLE001
                pass
            sent = 0
        if not sent:
            stop.wait(idle)


def start() -> threading.Event:
    """Run the loop on a daemon thread of this process; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=loop, args=(stop,), name="webhook-delivery", daemon=True).start()
    return stop
