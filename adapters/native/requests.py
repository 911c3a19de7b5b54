"""The native API's requests as core read commands, and its answers; a bad parameter is a 400 problem."""
from __future__ import annotations

from adapters.common import DialectError
from core import commands as c

from . import cursors, render

MAX_LIMIT = 1000


def problem(status: int, kind: str, title: str, detail: str, **extra) -> DialectError:
    """An RFC 9457 problem (rendered by the gateway as application/problem+json)."""
    return DialectError(kind, detail, status, title=title, **extra)


def _limit(query: dict, name: str = "limit", default: int = 100) -> int:
    text = query.get(name)
    if text is None or text == "":
        return default
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise problem(400, "invalid-limit", "Invalid limit", f"{name} must be an integer from 1 to {MAX_LIMIT}",
                      parameter=name)
    return int(text)


def _cursor(query: dict, name: str, decode):
    text = query.get(name)
    if text is None or text == "":
        return None
    try:
        return decode(text)
    except cursors.BadCursor:
        raise problem(400, "invalid-cursor", "Invalid cursor", f"{name} is not a cursor this API handed out",
                      parameter=name) from None


def _unknown(query: dict, allowed: tuple) -> None:
    extra = sorted(set(query) - set(allowed))
    if extra:
        raise problem(400, "invalid-parameter", "Unknown parameter", f"Unknown query parameter: {', '.join(extra)}",
                      parameter=extra[0])


def search_contacts(query: dict) -> c.SearchContactPage:
    _unknown(query, ("email", "phone", "external_id", "cursor", "limit"))
    return c.SearchContactPage(email=query.get("email") or None, phone=query.get("phone") or None,
                               external_id=query.get("external_id") or None,
                               after=_cursor(query, "cursor", cursors.decode_id) or 0, limit=_limit(query))


def contacts_page(page) -> dict:
    return {"contacts": [render.contact(v) for v in page.items],
            "next_cursor": cursors.encode(page.next_after) if page.next_after is not None else None}


def contact_detail(contact_id: str) -> c.GetContactDetail:
    if not contact_id.isdigit():
        raise problem(404, "not-found", "Not found", f"Contact {contact_id} not found")
    return c.GetContactDetail(int(contact_id))


def read_events(query: dict) -> c.ReadEvents:
    _unknown(query, ("after", "limit", "types"))
    after = query.get("after") or "0"
    if not after.isdigit():
        raise problem(400, "invalid-cursor", "Invalid cursor", "after must be an event id (0: from the start)",
                      parameter="after")
    types = [t.strip() for t in (query.get("types") or "").split(",") if t.strip()] or None
    return c.ReadEvents(after=int(after), limit=_limit(query), types=types)


def events_page(views, command: c.ReadEvents) -> dict:
    """The feed page; `next_after` is the id to ask after next (the same when nothing is new yet)."""
    return {"events": [render.event(v) for v in views], "next_after": views[-1].id if views else command.after}


def list_imports(query: dict) -> c.ListImports:
    _unknown(query, ("cursor", "limit"))
    return c.ListImports(before=_cursor(query, "cursor", cursors.decode_job), limit=_limit(query, default=50))


def imports_page(page) -> dict:
    return {"imports": [render.job(v) for v in page.items],
            "next_cursor": cursors.encode(page.next_before) if page.next_before is not None else None}


def read_import(job_id: str, query: dict) -> c.ReadImport:
    _unknown(query, ("items_cursor", "items_limit"))
    start = _cursor(query, "items_cursor", cursors.decode_id) or 0
    return c.ReadImport(job_id=job_id, items_from=start, items_limit=_limit(query, "items_limit"))


def import_detail(view) -> dict:
    data = render.job(view, with_items=True)
    data["next_items_cursor"] = cursors.encode(view.next_item) if view.next_item is not None else None
    return data
