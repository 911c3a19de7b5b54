"""Webhook endpoints and their deliveries in the store: registering, batching events, leases, outcomes.

The store is the schedule: a delivery row holds its body, attempts, next attempt time and lease,
so a worker killed at any point loses nothing: its lease runs out and another worker sends the
same delivery again (same id, same bytes). Sending, signing and the retry timing are the
gateway's (gateway/delivery/); this module only records what was planned and what happened.

Order: a webhook has at most one pending delivery at a time and its events go out in id order,
so every contact's events arrive in the order they happened.
"""
from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee as pw

from . import catalog, errors, events
from . import db as store
from .errors import CoreError
from .normalize import now
from .schema import Delivery, Event, Webhook

BATCH = 100  # events per delivery at most


def add(account_id: int, url: str, types: list[str] | None = None, secret: str | None = None,
        number: int | None = None) -> Webhook:
    """Register an endpoint; it receives the events written from now on."""
    types = sorted({t.strip() for t in types if t.strip()}) if types else None
    with store.write_transaction(f"account:{account_id}"):
        latest = Event.select(pw.fn.MAX(Event.id)).where(Event.account == account_id).scalar() or 0
        return Webhook.create(account=account_id, number=number or catalog.next_number(Webhook, account_id),
                              url=url, secret=secret or new_secret(), events=types or None, cursor=latest,
                              created_at=now())


def new_secret() -> str:
    return secrets.token_hex(24)


def get(account_id: int, number: int) -> Webhook:
    row = Webhook.get_or_none((Webhook.account == account_id) & (Webhook.number == number))
    if row is None:
        raise CoreError(errors.NOT_FOUND, f"Webhook {number} not found", webhook=number)
    return row


def remove(account_id: int, number: int) -> None:
    get(account_id, number).delete_instance()  # its deliveries go with it


@dataclass
class WebhookView:
    number: int
    url: str
    events: list[str] | None
    created_at: datetime
    pending: int
    delivered: int
    dead: int
    last_error: str | None


def listing(account_id: int) -> list[WebhookView]:
    """The account's webhooks with their delivery counts and last error; three queries."""
    hooks = list(Webhook.select().where(Webhook.account == account_id).order_by(Webhook.number))
    counts: dict = {}
    if hooks:
        query = (Delivery.select(Delivery.webhook, Delivery.state, pw.fn.COUNT(Delivery.id))
                 .where(Delivery.webhook.in_([h.id for h in hooks])).group_by(Delivery.webhook, Delivery.state))
        for webhook_id, state, n in query.tuples():
            counts[(webhook_id, state)] = n
    errors_ = {}
    if hooks:
        failed = (Delivery.select(Delivery.webhook, Delivery.last_error)
                  .where(Delivery.webhook.in_([h.id for h in hooks]) & Delivery.last_error.is_null(False))
                  .order_by(Delivery.created_at))
        errors_ = {row.webhook_id: row.last_error for row in failed}
    return [WebhookView(h.number, h.url, h.events, h.created_at, counts.get((h.id, "pending"), 0),
                        counts.get((h.id, "delivered"), 0), counts.get((h.id, "dead"), 0), errors_.get(h.id))
            for h in hooks]


def deliveries(account_id: int, number: int, state: str | None = None, limit: int = 100) -> list[Delivery]:
    """A webhook's deliveries, newest first (state: only those)."""
    query = Delivery.select().where(Delivery.webhook == get(account_id, number).id)
    if state:
        query = query.where(Delivery.state == state)
    return list(query.order_by(Delivery.created_at.desc(), Delivery.first_event.desc()).limit(limit))


# -- the worker's side ------------------------------------------------------------------------------
def plan(render: Callable[[list], bytes]) -> int:
    """Open a delivery for every webhook that has none pending and has new events; returns how many.

    `render(events)` turns EventViews into the body. Each webhook is planned under its own lock,
    so two workers never batch the same events twice.
    """
    opened = 0
    waiting = Webhook.select(Webhook.id).where(
        ~pw.fn.EXISTS(Delivery.select(Delivery.id).where((Delivery.webhook == Webhook.id)
                                                         & (Delivery.state == "pending")))
        & pw.fn.EXISTS(Event.select(Event.id).where((Event.account == Webhook.account) & (Event.id > Webhook.cursor))))
    for (webhook_id,) in waiting.tuples():
        with store.write_transaction(f"webhook:{webhook_id}"):
            hook = Webhook.get_or_none(Webhook.id == webhook_id)
            if hook is None or Delivery.select().where((Delivery.webhook == hook.id)
                                                       & (Delivery.state == "pending")).exists():
                continue
            # Read before the feed: every event up to it is committed (see core.events), so when none
            # of them is wanted the cursor may move past them all.
            latest = _latest(hook.account_id)
            batch = events.feed(hook.account_id, after=hook.cursor, limit=BATCH, types=hook.events)
            if batch:
                moment = now()
                Delivery.create(id=str(uuid.uuid4()), webhook=hook.id, first_event=batch[0].id,
                                last_event=batch[-1].id, count=len(batch), body=render(batch).decode(),
                                next_attempt_at=moment, created_at=moment)
                opened += 1
            cursor = batch[-1].id if batch else latest
            if cursor > hook.cursor:
                Webhook.update(cursor=cursor).where(Webhook.id == hook.id).execute()
    return opened


def _latest(account_id: int) -> int:
    return Event.select(pw.fn.MAX(Event.id)).where(Event.account == account_id).scalar() or 0


@dataclass
class Claimed:
    id: str
    url: str
    secret: str
    body: bytes
    attempts: int
    created_at: datetime
    owner: str


def claim(lease: timedelta, limit: int = 10) -> list[Claimed]:
    """Take up to `limit` due deliveries whose lease is free, for this worker, for `lease`.

    The claim is one conditional UPDATE stamped with a fresh owner id (PostgreSQL picks the rows
    with FOR UPDATE SKIP LOCKED, so workers never wait on each other's candidates).
    """
    moment = now()
    owner = str(uuid.uuid4())
    free = (Delivery.state == "pending") & (Delivery.next_attempt_at <= moment) & (
        Delivery.lease_until.is_null() | (Delivery.lease_until < moment))
    with store.database().atomic():
        candidates = Delivery.select(Delivery.id).where(free).order_by(Delivery.next_attempt_at).limit(limit)
        if not store.is_sqlite():
            candidates = candidates.for_update("FOR UPDATE SKIP LOCKED")
        ids = [row.id for row in candidates]
        if not ids:
            return []
        (Delivery.update(lease_until=moment + lease, lease_owner=owner, attempts=Delivery.attempts + 1)
         .where(Delivery.id.in_(ids) & free).execute())
    rows = (Delivery.select(Delivery, Webhook.url, Webhook.secret).join(Webhook)
            .where(Delivery.lease_owner == owner).order_by(Delivery.first_event))
    return [Claimed(r.id, r.webhook.url, r.webhook.secret, r.body.encode(), r.attempts, r.created_at, owner)
            for r in rows]


def delivered(claimed: Claimed) -> bool:
    """Record a 2xx; False when the lease was lost meanwhile (another worker took it over)."""
    moment = now()
    return bool(Delivery.update(state="delivered", finished_at=moment, lease_until=None, last_error=None)
                .where((Delivery.id == claimed.id) & (Delivery.lease_owner == claimed.owner)
                       & (Delivery.state == "pending")).execute())


def failed(claimed: Claimed, error: str, retry_at: datetime | None) -> bool:
    """Record a failed attempt: try again at `retry_at`, or (None) give up: the delivery is dead."""
    values = {"lease_until": None, "last_error": error[:2000]}
    if retry_at is None:
        values.update(state="dead", finished_at=now())
    else:
        values["next_attempt_at"] = retry_at
    return bool(Delivery.update(**values).where((Delivery.id == claimed.id) & (Delivery.lease_owner == claimed.owner)
                                                 & (Delivery.state == "pending")).execute())
