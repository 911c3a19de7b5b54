"""Canonical contacts, events and jobs as the native API's JSON; the export and webhooks use the same shapes."""
from __future__ import annotations

from datetime import datetime

import orjson


def timestamp(value: datetime | None) -> str | None:
    """ISO-8601 UTC with a Z (the store keeps naive UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def contact(view) -> dict:
    """A core ContactView: identities, statuses per channel, fields by name, lists, tags, source, times."""
    return {
        "id": view.id,
        "profile_id": view.profile_id,
        "database": view.database,
        "identities": {"email": view.email, "phone": view.phone, "external_id": view.external_id},
        "statuses": {"email": view.email_status, "phone": view.phone_status},
        "confirmed": bool(view.confirmed),
        "attributes": view.attrs,
        "fields": view.fields,
        "channels": view.channels,
        "lists": [membership(m) for m in view.memberships],
        "tags": list(view.tags),
        "source": view.source,
        "source_dialect": view.source.split(":", 1)[0] if view.source else None,
        "created_at": timestamp(view.created_at),
        "updated_at": timestamp(view.updated_at),
        "deleted_at": timestamp(view.deleted_at),
    }


def membership(view) -> dict:
    return {"list": view.list, "space": view.space, "kind": view.kind, "title": view.title, "channel": view.channel,
            "status": view.status, "subscribed_at": timestamp(view.subscribed_at),
            "unsubscribed_at": timestamp(view.unsubscribed_at), "excluded_at": timestamp(view.excluded_at)}


def event(view) -> dict:
    """A core EventView: the same object in the feed and in a webhook delivery."""
    return {"id": view.id, "type": view.type, "occurred_at": timestamp(view.occurred_at), "dialect": view.dialect,
            "contact_id": view.contact_id, "params": view.params}


def delivery_body(views) -> bytes:
    """A webhook delivery's body: {"events": [EVENT, …]} in id order."""
    return orjson.dumps({"events": [event(v) for v in views]})


def job(view, with_items: bool = False) -> dict:
    """A core ImportView: state, progress and outcome counts (and a page of the per-item report)."""
    data = {"id": view.id, "kind": view.kind, "dialect": view.dialect, "state": view.state,
            "progress": {"done": view.done, "total": view.total}, "counts": view.counts, "error": view.error,
            "attempts": view.attempts, "created_at": timestamp(view.created_at),
            "updated_at": timestamp(view.updated_at), "finished_at": timestamp(view.finished_at)}
    if with_items:
        data["items"] = [{"position": i.position, "outcome": i.outcome, "contact_id": i.contact_id, "key": i.key,
                          "error": i.error, "message": i.message} for i in view.items]
    return data
